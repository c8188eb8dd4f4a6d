"""Operating-point design: maximise power, 1/FWHM or a clock figure of merit.

:func:`design` maximises an objective over chosen free parameters (any of Δ2, Δ3, Ω2,
Ω3, Δc, N, g) within bounds, subject to constraints, with scipy's SLSQP and gradients
from :mod:`vlaser.laser.sensitivity`, from several seeded starts.

**Objectives** (maximised; the optimiser works on their logarithm):

* ``"power"``: output power P = ħω2 · 2κ n (κ fixed: ∝ n). Gradient exact (implicit).
* ``"linewidth"``: 1/FWHM of the lasing line. Gradient exact: implicit functions of
  the spectrum (:func:`~vlaser.laser.sensitivity.line_derivatives_along`).
* ``"clock"``: the figure of merit  F = P / (FWHM · |p_c|)  with p_c = dδp/d(ωc) the
  cavity-pulling coefficient: output power per unit linewidth and per unit transfer of
  cavity-frequency noise onto the line (large power, narrow line, line held by the
  atoms). p_c is exact (implicit, as the line derivatives); its gradient is a central
  difference of p_c (a second derivative of the line: the costliest objective).

**Constraints** (:class:`Constraints`; each as g ≥ 0 for SLSQP):

* stability: max Re λ(J) ≤ −``stability_margin``·Γ2 (always on). Gradient: central
  difference of the largest real eigenvalue part along the implicit tangent
  (p ± h d, x ± h dx/ds): no extra fixed points.
* coherent pump-photon fraction |⟨a⟩|²/n ≤ ``coherent_fraction`` (exact gradient; as
  log10(bound) − log10(|⟨a⟩|²/n) ≥ 0, since the fraction spans decades).
* inversion ≥ ``inversion`` (exact gradient).
* pump intensity I_i = 8 I_sat,i (Ω_i/Γ_i)² ≤ ``pump_intensity`` (W/cm², both pumps;
  needs a species; :mod:`vlaser.laser.units`).
* Doppler temperature ≤ ``temperature`` (K; needs a species): the low-intensity
  estimate of the motion module for the broad-line pump 3 (a two-level atom in a
  standing wave, :func:`vlaser.motion.doppler.doppler_kbt_model`, k_BT = (Γ3²/4 +
  Δ3²)/(12|Δ3|), cooling only for Δ3 < 0). It ignores pump 2 and saturation: a cheap,
  documented estimate, not a trajectory simulation.
* FWHM ≤ ``max_fwhm`` (Γ3; the ε-constraint of the Pareto mode).
* line offset |δp| ≤ ``max_line_offset`` (Γ3; δp from ω2): keeps the laser on the clock
  line. Without it a free Δc can move the lasing to a dressed-state gain line far from
  ω2 (e.g. δp = −1.61Γ3 with 11 % more power at the paper's cavity). As
  1 − (δp/bound)² ≥ 0, exact gradient (implicit line derivatives).

**Tuning convention.** Moving Δ2 alone means moving the pump-2 laser with the cavity
fixed relative to the atoms: Δc moves with Δ2 (Δc − Δ2 = ω2 − ωc constant) unless Δc is
itself free (then Δ2 and Δc are independent).

**Steady states.** Every evaluation solves the fixed point by Newton from the
first-order prediction of the previous point (x + dx/ds·Δs), falling back to
continuation from it and then to the full search of :func:`~vlaser.laser.steady.
steady_state`; ``steady_states`` counts every fixed point solved, including those of
the clock objective's second differences. Atom numbers are optimised as a continuous N and
reported rounded (the result is re-evaluated at the rounded N).

**Infeasible problems** do not raise: the result has ``feasible = False`` and the
closest point found (least total constraint violation).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from vlaser.errors import ConvergenceError, ParameterError
from vlaser.laser.equations import LaserSystem, laser_equations
from vlaser.laser.sensitivity import (
    check_names,
    line_derivatives_along,
    parts,
    state_derivatives_along,
)
from vlaser.params import LaserParams

#: Objectives offered.
OBJECTIVES = ("power", "linewidth", "clock")
#: Parameters that may be free.
FREE_PARAMETERS = ("delta2", "delta3", "omega2", "omega3", "delta_c", "atoms", "g")


def default_bounds(params: LaserParams) -> dict[str, tuple[float, float]]:
    """Default search box around ``params`` (Γ3 units; N in atoms).

    Δ2 ∈ [1, 15], Δ3 ∈ [−3, 3], Ω2, Ω3 ∈ [0.05, 1.5], Δc ∈ Δc0 ± 50 Γ2,
    N ∈ [1000, 100000], g ∈ [g0/2, 4 g0].
    """
    v = params.values()
    g2 = float(v["gamma2"])
    dc = float(v["delta_c"])
    g = float(v["g"])
    return {
        "delta2": (1.0, 15.0),
        "delta3": (-3.0, 3.0),
        "omega2": (0.05, 1.5),
        "omega3": (0.05, 1.5),
        "delta_c": (dc - 50 * g2, dc + 50 * g2),
        "atoms": (1000.0, 100000.0),
        "g": (0.5 * g, 4.0 * g),
    }


@dataclass(frozen=True)
class Constraints:
    """Constraints of a design (``None``: off).

    Attributes:
        coherent_fraction: Upper bound on |⟨a⟩|²/n (default 1e-3).
        inversion: Lower bound on ⟨σ22⟩ − ⟨σ11⟩.
        pump_intensity: Upper bound on each pump's intensity, W/cm² (needs a species).
        temperature: Upper bound on the Doppler temperature estimate, K (species).
        max_fwhm: Upper bound on the FWHM (Γ3).
        max_line_offset: Upper bound on |δp|, the line's distance from ω2 (Γ3).
        stability_margin: Required decay of the least stable mode, in Γ2 (always on).
    """

    coherent_fraction: float | None = 1e-3
    inversion: float | None = None
    pump_intensity: float | None = None
    temperature: float | None = None
    max_fwhm: float | None = None
    stability_margin: float = 1e-3
    max_line_offset: float | None = None

    def __post_init__(self) -> None:
        for name in ("coherent_fraction", "pump_intensity", "temperature", "max_fwhm",
                     "max_line_offset"):  # fmt: skip
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v > 0):
                raise ParameterError(name.replace("_", "-"), v, "a finite number > 0")
        if self.inversion is not None and not (
            math.isfinite(self.inversion) and -1 <= self.inversion <= 1
        ):
            raise ParameterError("inversion", self.inversion, "a number in [-1, 1]")
        if not (math.isfinite(self.stability_margin) and self.stability_margin >= 0):
            raise ParameterError("stability-margin", self.stability_margin, "a finite number >= 0")

    def names(self) -> list[str]:
        """The active constraints' names (stability first)."""
        out = ["stability"]
        for name in ("coherent_fraction", "inversion", "max_fwhm", "max_line_offset"):
            if getattr(self, name) is not None:
                out.append(name)
        if self.pump_intensity is not None:
            out += ["pump2_intensity", "pump3_intensity"]
        if self.temperature is not None:
            out.append("temperature")
        return out


@dataclass
class Evaluation:
    """One evaluated point (model units)."""

    z: np.ndarray
    p: np.ndarray
    x: np.ndarray
    ok: bool
    photons: float = float("nan")
    inversion: float = float("nan")
    coherent_fraction: float = float("nan")
    growth: float = float("nan")
    fwhm: float | None = None
    peak: float | None = None
    pulling: float | None = None
    objective: float = float("nan")
    log_objective: float = float("nan")
    grad: np.ndarray | None = None
    constraints: np.ndarray | None = None
    constraint_jac: np.ndarray | None = None


@dataclass
class DesignPoint:
    """A designed operating point in model units and SI.

    Attributes:
        params: The point (N rounded).
        photons, inversion, coherent_fraction, growth: Steady-state values.
        fwhm, peak, pulling: Line (Γ3) and pulling dδp/dΔc where computed.
        objective: Objective value (power: photons/s if a species is given, else 2κn in
            Γ3; linewidth: 1/FWHM in 1/Γ3; clock: 2κn/(FWHM·|p_c|)).
        constraints: Constraint name -> value of g (≥ 0 satisfied; scaled as in
            :class:`Constraints`).
        si: :func:`vlaser.laser.units.si_readout` where a species is given.
    """

    params: LaserParams
    photons: float
    inversion: float
    coherent_fraction: float
    growth: float
    fwhm: float | None
    peak: float | None
    pulling: float | None
    objective: float
    constraints: dict[str, float]
    si: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        v = self.params.values()
        return {
            "params": {k: float(v[k]) for k in (*FREE_PARAMETERS, "kappa", "nu2", "nu3", "gamma2")},
            "photons": self.photons,
            "inversion": self.inversion,
            "coherent_fraction": self.coherent_fraction,
            "max_growth_rate": self.growth,
            "fwhm": self.fwhm,
            "peak": self.peak,
            "pulling": self.pulling,
            "objective": self.objective,
            "constraints": self.constraints,
            "si": self.si,
        }


@dataclass
class DesignResult:
    """Outcome of :func:`design`.

    Attributes:
        objective: The objective's name.
        free: Free parameter names.
        bounds: Their bounds.
        feasible: A point satisfying every constraint was found.
        optimum: The best feasible point (or the closest point if infeasible).
        start: The given point, evaluated (its constraints may be violated).
        active: Active constraints and bounds at the optimum.
        record: Per start: start, end (θ), objective (model units: 2κn in Γ3 for power,
            1/FWHM in 1/Γ3, 2κn/(FWHM·|p_c|) for clock), SLSQP status, iterations,
            evaluations, and the objective history of the accepted evaluations.
        steady_states: Fixed points solved in all.
        seconds: Wall time.
        species: Species preset or None.
    """

    objective: str
    free: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    feasible: bool
    optimum: DesignPoint
    start: DesignPoint | None
    active: list[str]
    record: list[dict[str, Any]]
    steady_states: int
    seconds: float
    species: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "free": list(self.free),
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "feasible": self.feasible,
            "optimum": self.optimum.to_dict(),
            "start": None if self.start is None else self.start.to_dict(),
            "improvement": (
                None
                if self.start is None or not self.start.objective > 0
                else self.optimum.objective / self.start.objective
            ),
            "active": self.active,
            "record": self.record,
            "steady_states": self.steady_states,
            "seconds": self.seconds,
            "species": self.species,
            "notes": self.notes,
        }


class Problem:
    """The design problem in the unit box z ∈ [0, 1]^k (θ = lo + z (hi − lo))."""

    def __init__(
        self,
        params: LaserParams,
        objective: str,
        free: tuple[str, ...],
        bounds: dict[str, tuple[float, float]],
        constraints: Constraints,
        species: Any,
        order: int,
    ) -> None:
        self.ls: LaserSystem = laser_equations(order)
        self.params = params
        self.objective = objective
        self.free = free
        self.lo = np.array([bounds[n][0] for n in free])
        self.hi = np.array([bounds[n][1] for n in free])
        self.con = constraints
        self.species = species
        fields = self.ls.param_fields
        self.base = self.ls.param_array(params)
        self.d = np.zeros((len(free), len(fields)))
        for k, n in enumerate(free):
            self.d[k, fields.index(n)] = 1.0
            if n == "delta2" and "delta_c" not in free:
                self.d[k, fields.index("delta_c")] = 1.0  # pump tuned, cavity fixed
        self.i_free = [fields.index(n) for n in free]
        self.g2 = float(params.values()["gamma2"])
        self.steady_states = 0
        self.evaluations = 0
        self._last: Evaluation | None = None
        self._cache: dict[bytes, Evaluation] = {}
        self.needs_line = objective != "power" or (
            constraints.max_fwhm is not None or constraints.max_line_offset is not None
        )
        if species is not None:
            from vlaser.laser import units

            self._isat = {lv: units.saturation_intensity(species, lv) for lv in (2, 3)}
            self._gam = {
                lv: units.gamma_si(species, lv) / units.gamma3_si(species) for lv in (2, 3)
            }
            self._t_unit = units.gamma3_si(species) * 1.054571817e-34 / 1.380649e-23
        self.names = constraints.names()

    # -- parameters ---------------------------------------------------------
    def theta(self, z: np.ndarray) -> np.ndarray:
        return self.lo + np.clip(z, 0.0, 1.0) * (self.hi - self.lo)

    def z_of(self, p: np.ndarray) -> np.ndarray:
        th = np.asarray(p)[self.i_free]
        return (th - self.lo) / (self.hi - self.lo)

    def p_of(self, z: np.ndarray) -> np.ndarray:
        th = self.theta(z)
        th0 = self.base[self.i_free]
        return self.base + (th - th0) @ self.d

    # -- steady states ------------------------------------------------------
    def solve(self, p: np.ndarray) -> tuple[np.ndarray, bool]:
        from vlaser.laser.steady import _physical, _solve_point, track

        self.steady_states += 1
        last = self._last
        if last is not None and last.ok:
            dz = self.z_of(p) - last.z
            guess = last.x + (dz * (self.hi - self.lo)) @ last_dx(last)
            x, ok, _r, _it = self.ls.compiled.point(p).newton(guess, tol=1e-11, maxiter=30)
            if ok and _physical(self.ls, x) and x[parts(self.ls).i_n] > 0:
                return x, True
            tr = track(self.ls, last.x, last.p, p, max_steps=200)
            if tr.ok and tr.x[parts(self.ls).i_n] > 0:
                return tr.x, True
        x, ok, _r, _m, _why = _solve_point(self.ls, p)
        return x, bool(ok) and bool(np.all(np.isfinite(x)))

    def growth(self, p: np.ndarray, x: np.ndarray) -> float:
        jac = self.ls.compiled.point(p).jac(x)
        if not np.all(np.isfinite(jac)):
            return float("nan")
        return float(np.max(np.linalg.eigvals(jac).real))

    # -- evaluation ---------------------------------------------------------
    def evaluate(self, z: np.ndarray) -> Evaluation:
        z = np.clip(np.asarray(z, float), 0.0, 1.0)
        key = z.tobytes()
        if key in self._cache:
            ev = self._cache[key]
            if ev.ok:
                self._last = ev  # the next solve continues from here
            return ev
        self.evaluations += 1
        p = self.p_of(z)
        x, ok = self.solve(p)
        ev = Evaluation(z=z, p=p, x=x, ok=ok)
        if ok:
            try:
                self._fill(ev)
            except ConvergenceError:
                ev.ok = False
        if ev.ok:
            self._last = ev
        self._cache[key] = ev
        return ev

    def _fill(self, ev: Evaluation) -> None:
        ls, p, x = self.ls, ev.p, ev.x
        pr = parts(ls)
        scale = self.hi - self.lo
        dx = state_derivatives_along(ls, p, x, self.d)  # per unit θ of each free param
        ev.__dict__["dx"] = dx
        n, inv, cf = pr.observables(x)
        if not n > 0:
            raise ConvergenceError("no photons")
        ev.photons, ev.inversion, ev.coherent_fraction = n, inv, cf
        obs = pr.observable_derivatives(x, dx)
        ev.growth = self.growth(p, x)
        # stability gradient: largest Re λ along the implicit tangent (module docstring)
        hs = 1e-6 * np.maximum(np.abs(self.d @ p), 1.0)
        dgrowth = np.array(
            [
                (
                    self.growth(p + hs[k] * self.d[k], x + hs[k] * dx[k])
                    - self.growth(p - hs[k] * self.d[k], x - hs[k] * dx[k])
                )
                / (2 * hs[k])
                for k in range(len(self.free))
            ]
        )
        kappa = float(p[ls.param_fields.index("kappa")])
        dlog_line = None
        if self.needs_line:
            (pk, fw), dpk, dfw, solved = line_derivatives_along(ls, p, x, dx, self.d)
            self.steady_states += solved
            ev.fwhm, ev.peak = fw, pk
            dlog_line = dfw / fw
            ev.__dict__["dpeak"] = dpk
        if self.objective == "power":
            ev.objective = 2.0 * kappa * n
            grad = obs["photons"] / n
        elif self.objective == "linewidth":
            ev.objective = 1.0 / ev.fwhm
            grad = -dlog_line
        else:  # clock
            pc, dpc = self._pulling_and_gradient(p, x, dx)
            ev.pulling = pc
            ev.objective = 2.0 * kappa * n / (ev.fwhm * abs(pc))
            grad = obs["photons"] / n - dlog_line - dpc / pc
        ev.log_objective = math.log(ev.objective)
        ev.grad = grad * scale  # d log(obj)/dz
        cons, jac = [], []
        con = self.con
        cons.append(-ev.growth / self.g2 - con.stability_margin)
        jac.append(-dgrowth / self.g2)
        if con.coherent_fraction is not None:  # log form: cf spans decades
            cf_pos = max(cf, 1e-300)
            cons.append(math.log10(con.coherent_fraction) - math.log10(cf_pos))
            jac.append(-obs["coherent_fraction"] / (cf_pos * math.log(10.0)))
        if con.inversion is not None:
            cons.append(inv - con.inversion)
            jac.append(obs["inversion"])
        if con.max_fwhm is not None:
            cons.append(1.0 - ev.fwhm / con.max_fwhm)
            jac.append(-ev.fwhm * dlog_line / con.max_fwhm)
        if con.max_line_offset is not None:
            q = ev.peak / con.max_line_offset
            cons.append(1.0 - q * q)
            jac.append(-2.0 * q * ev.__dict__["dpeak"] / con.max_line_offset)
        fields = ls.param_fields
        if con.pump_intensity is not None:
            for lv in (2, 3):
                i = fields.index(f"omega{lv}")
                om = float(p[i])
                limit = con.pump_intensity * 1e4  # W/m²
                c8 = 8.0 * self._isat[lv] / self._gam[lv] ** 2
                cons.append(1.0 - c8 * om**2 / limit)
                jac.append(-2.0 * c8 * om * self.d[:, i] / limit)
        if con.temperature is not None:
            i3 = fields.index("delta3")
            d3 = float(p[i3])
            if d3 < 0:
                t = (0.25 + d3 * d3) / (12.0 * abs(d3)) * self._t_unit
                dt = (2 * d3 * 12 * abs(d3) + (0.25 + d3 * d3) * 12) / (12 * d3) ** 2
                dt *= self._t_unit
                cons.append(1.0 - t / con.temperature)
                jac.append(-dt / con.temperature * self.d[:, i3])
            else:
                cons.append(-1.0 - d3)
                jac.append(-self.d[:, i3])
        ev.constraints = np.array(cons)
        ev.constraint_jac = np.array(jac) * scale[None, :]

    def _line_step(self, name: str) -> float:
        v = float(self.base[self.ls.param_fields.index(name)])
        return 1e-3 * abs(v) if name in ("atoms", "g") else self.g2

    def _pulling_and_gradient(
        self, p: np.ndarray, x: np.ndarray, dx: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """p_c = dδp/dΔc at p (exact, implicit) and its central difference along each free
        direction (each side: Newton from the tangent, then p_c there)."""
        ls = self.ls
        ic = ls.param_fields.index("delta_c")
        ec = np.zeros((1, len(ls.param_fields)))
        ec[0, ic] = 1.0

        def pc_at(pp: np.ndarray, xx: np.ndarray) -> float:
            dxc = state_derivatives_along(ls, pp, xx, ec)
            _c, dpk, _dfw, solved = line_derivatives_along(ls, pp, xx, dxc, ec)
            self.steady_states += solved
            return float(dpk[0])

        pc = pc_at(p, x)
        grad = np.zeros(len(self.free))
        for k in range(len(self.free)):
            h = self._line_step(self.free[k])
            vals = []
            for s in (-1.0, 1.0):
                pp = p + s * h * self.d[k]
                xx, ok, _r, _it = ls.compiled.point(pp).newton(x + s * h * dx[k], tol=1e-12,
                                                              maxiter=30)  # fmt: skip
                self.steady_states += 1
                if not ok:
                    raise ConvergenceError("no fixed point for the pulling gradient")
                vals.append(pc_at(pp, xx))
            grad[k] = (vals[1] - vals[0]) / (2 * h)
        return pc, grad

    # -- reporting ----------------------------------------------------------
    def point(self, ev: Evaluation) -> DesignPoint:
        v = dict(self.params.values())
        for n in FREE_PARAMETERS:
            v[n] = float(ev.p[self.ls.param_fields.index(n)])
        v["atoms"] = float(round(v["atoms"]))
        params = replace(self.params, **{k: v[k] for k in FREE_PARAMETERS})
        si = None
        if self.species is not None:
            from vlaser.laser.units import si_readout

            si = si_readout(params, self.species, photons=ev.photons, fwhm=ev.fwhm, peak=ev.peak)
        obj = ev.objective
        if self.species is not None and self.objective == "power" and si is not None:
            obj = si["si"]["photons_per_s"]
        return DesignPoint(
            params=params,
            photons=ev.photons,
            inversion=ev.inversion,
            coherent_fraction=ev.coherent_fraction,
            growth=ev.growth,
            fwhm=ev.fwhm,
            peak=ev.peak,
            pulling=ev.pulling,
            objective=obj,
            constraints=dict(zip(self.names, map(float, ev.constraints), strict=True))
            if ev.constraints is not None
            else {},
            si=si,
        )


def last_dx(ev: Evaluation) -> np.ndarray:
    """dx/dθ of the free parameters at an evaluation (``(k, n_real)``)."""
    return ev.__dict__["dx"]


def violation(ev: Evaluation) -> float:
    """Total constraint violation (inf where no fixed point)."""
    if not ev.ok or ev.constraints is None:
        return float("inf")
    return float(np.sum(np.maximum(-ev.constraints, 0.0)))


#: Largest first SLSQP step in the unit box (the objective is scaled to it).
STEP = 0.02

#: Random points screened per random start (the best ``starts − 1`` are started from).
SCREEN = 4

#: A constraint counts as satisfied at g ≥ −FEAS_TOL and active at g ≤ ACTIVE_TOL.
FEAS_TOL = 1e-6
ACTIVE_TOL = 1e-4


def _check_bounds(
    free: tuple[str, ...], bounds: dict[str, Any] | None, params: LaserParams
) -> dict[str, tuple[float, float]]:
    box = default_bounds(params)
    for name, b in (bounds or {}).items():
        if name not in FREE_PARAMETERS:
            raise ParameterError("bounds", name, f"one of {', '.join(FREE_PARAMETERS)}")
        try:
            lo, hi = (float(v) for v in b)
        except (TypeError, ValueError):
            raise ParameterError(f"bounds[{name}]", b, "two finite numbers LO < HI") from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ParameterError(f"bounds[{name}]", b, "two finite numbers LO < HI")
        if not lo < hi:
            raise ParameterError(f"bounds[{name}]", b, "a non-empty interval LO < HI")
        if name == "atoms" and lo < 1:
            raise ParameterError(f"bounds[{name}]", b, "atom numbers >= 1")
        if name == "g" and lo < 0:
            raise ParameterError(f"bounds[{name}]", b, "couplings >= 0")
        box[name] = (lo, hi)
    return {n: box[n] for n in free}


def _run_start(prob: Problem, z0: np.ndarray, maxiter: int) -> tuple[Evaluation | None, dict]:
    from scipy.optimize import minimize

    first = prob.evaluate(z0)
    # SLSQP's first step is the steepest-descent step of the scaled objective (unit
    # Hessian): scale it so that this step moves z by at most STEP.
    scale = STEP / max(float(np.max(np.abs(first.grad))), STEP) if first.ok else 1.0

    def fun(z: np.ndarray) -> float:
        ev = prob.evaluate(z)
        return -scale * ev.log_objective if ev.ok else 1e3

    def jac(z: np.ndarray) -> np.ndarray:
        ev = prob.evaluate(z)
        return -scale * ev.grad if ev.ok else np.zeros(len(z))

    def cfun(z: np.ndarray) -> np.ndarray:
        ev = prob.evaluate(z)
        return ev.constraints if ev.ok else -np.ones(len(prob.names))

    def cjac(z: np.ndarray) -> np.ndarray:
        ev = prob.evaluate(z)
        return ev.constraint_jac if ev.ok else np.zeros((len(prob.names), len(z)))

    rec: dict[str, Any] = {"start": prob.theta(z0).tolist(), "evaluations": 0}
    if not first.ok:
        rec.update(status="no fixed point at the start", success=False)
        return None, rec
    e0 = prob.evaluations
    seen: list[Evaluation] = []
    orig = prob.evaluate

    def tracking(z: np.ndarray) -> Evaluation:
        ev = orig(z)
        if ev.ok and (not seen or ev is not seen[-1]):
            seen.append(ev)
        return ev

    prob.evaluate = tracking  # type: ignore[method-assign]
    try:
        res = minimize(
            fun,
            z0,
            jac=jac,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * len(z0),
            constraints=[{"type": "ineq", "fun": cfun, "jac": cjac}],
            options={"maxiter": maxiter, "ftol": 1e-9 * scale},
        )
    finally:
        prob.evaluate = orig  # type: ignore[method-assign]
    end = prob.evaluate(res.x)
    cands = [e for e in [*seen, end, first] if e.ok]
    feas = [e for e in cands if violation(e) <= FEAS_TOL * len(prob.names)]
    best = (
        max(feas, key=lambda e: e.log_objective)
        if feas
        else min(cands, key=violation, default=None)
    )
    rec.update(
        end=None if best is None else prob.theta(best.z).tolist(),
        objective=None if best is None else best.objective,
        feasible=bool(feas),
        success=bool(res.success),
        status=str(res.message),
        iterations=int(res.nit),
        evaluations=prob.evaluations - e0,
        history=[float(e.objective) for e in seen],
    )
    return best, rec


def design(
    params: LaserParams,
    objective: str = "power",
    free: Any = ("delta2", "omega2"),
    bounds: dict[str, Any] | None = None,
    constraints: Constraints | None = None,
    *,
    species: Any = None,
    starts: int = 4,
    seed: int = 0,
    maxiter: int = 60,
    order: int = 2,
) -> DesignResult:
    """Maximise ``objective`` over ``free`` parameters within ``bounds``.

    Args:
        params: The starting point and the fixed parameters (one point; atoms at rest).
        objective: ``"power"``, ``"linewidth"`` or ``"clock"`` (module docstring).
        free: Names among :data:`FREE_PARAMETERS` (sequence or comma-separated).
        bounds: {name: (lo, hi)} (Γ3 units, N in atoms); unset: :func:`default_bounds`.
        constraints: :class:`Constraints` (default: coherent fraction ≤ 1e-3, stable).
        species: Species preset (needed for pump-intensity and temperature bounds;
            gives SI output).
        starts: Multi-start count: the given point (clipped into the box) and the
            best ``starts − 1`` (feasible first, then by objective) of
            ``SCREEN·(starts − 1)`` uniform random points (seeded).
        seed: Seed of the random starts.
        maxiter: SLSQP iterations per start.
        order: Cumulant order.

    Returns:
        :class:`DesignResult` (``feasible=False`` with the closest point if no start
        reached the feasible set).

    Raises:
        ParameterError: Unknown objective or names, bad bounds, constraints needing a
            species without one, a bad start count.
    """
    from vlaser.laser import ensemble
    from vlaser.laser.spectrum import _check_point

    t0 = time.perf_counter()
    _check_point(params)
    if objective not in OBJECTIVES:
        raise ParameterError("objective", objective, f"one of {', '.join(OBJECTIVES)}")
    names = check_names(free, FREE_PARAMETERS, "free")
    box = _check_bounds(names, bounds, params)
    con = constraints if constraints is not None else Constraints()
    if species is None and (con.pump_intensity is not None or con.temperature is not None):
        which = "pump-intensity" if con.pump_intensity is not None else "temperature"
        raise ParameterError(which, getattr(con, which.replace("-", "_")),
                             "given together with a species (sr88, yb174, ca40)")  # fmt: skip
    if species is not None:
        from vlaser.species import get_species

        species = get_species(species).name
    if isinstance(starts, bool) or not isinstance(starts, int) or starts < 1:
        raise ParameterError("starts", starts, "a whole number >= 1")
    if ensemble.group_count(params) != 1:
        raise ParameterError("classes", "ensemble", "atoms at rest (no Doppler width) here")
    prob = Problem(params, objective, names, box, con, species, order)
    rng = np.random.default_rng(seed)
    z_given = np.clip(prob.z_of(prob.base), 0.0, 1.0)
    z_starts = [z_given]
    if starts > 1:  # screen SCREEN x (starts - 1) random points, keep the best
        cands = []
        for _ in range(SCREEN * (starts - 1)):
            prob._last = None
            ev = prob.evaluate(rng.uniform(0.0, 1.0, len(names)))
            if ev.ok:
                cands.append(ev)
        cands.sort(key=lambda e: (violation(e) > FEAS_TOL * len(prob.names), -e.log_objective))
        z_starts += [e.z for e in cands[: starts - 1]]
    start_ev = prob.evaluate(prob.z_of(prob.base)) if np.all(
        (prob.z_of(prob.base) >= 0) & (prob.z_of(prob.base) <= 1)
    ) else None  # fmt: skip
    record, bests = [], []
    for z0 in z_starts:
        prob._last = None  # each start from scratch (full search)
        best, rec = _run_start(prob, z0, maxiter)
        record.append(rec)
        if best is not None:
            bests.append(best)
    if not bests:
        raise ConvergenceError("no fixed point at any start: nothing to optimise")
    feas = [e for e in bests if violation(e) <= FEAS_TOL * len(prob.names)]
    if feas:
        best = max(feas, key=lambda e: e.log_objective)
    else:
        best = min(bests, key=violation)
    # re-evaluate at the rounded atom number
    if "atoms" in names:
        p_r = best.p.copy()
        ia = prob.ls.param_fields.index("atoms")
        p_r[ia] = round(p_r[ia])
        z_r = prob.z_of(p_r)
        prob._last = best
        ev_r = prob.evaluate(z_r)
        if ev_r.ok and (violation(ev_r) <= FEAS_TOL * len(prob.names) or not feas):
            best = ev_r
    feasible = violation(best) <= FEAS_TOL * len(prob.names)
    active = [n for n, c in zip(prob.names, best.constraints, strict=True) if c <= ACTIVE_TOL]
    for n, z in zip(names, best.z, strict=True):
        if z <= 1e-6:
            active.append(f"{n} lower bound")
        elif z >= 1 - 1e-6:
            active.append(f"{n} upper bound")
    notes = []
    if "delta2" in names and "delta_c" not in names:
        notes.append("delta2 tuned with the cavity fixed: delta_c - delta2 held constant")
    if not feasible:
        notes.append("infeasible: no start reached the feasible set; optimum is the closest point")
    return DesignResult(
        objective=objective,
        free=names,
        bounds=box,
        feasible=bool(feasible),
        optimum=prob.point(best),
        start=None if start_ev is None or not start_ev.ok else prob.point(start_ev),
        active=active,
        record=record,
        steady_states=prob.steady_states,
        seconds=time.perf_counter() - t0,
        species=species,
        notes=notes,
    )


@dataclass
class ParetoFront:
    """Power against linewidth (ε-constraint sweep).

    Attributes:
        points: :class:`DesignPoint` per ε (maximum power with FWHM ≤ ε), narrowest first.
        epsilons: The FWHM bounds (Γ3).
        power_optimum, linewidth_optimum: The two end designs.
        steady_states: Fixed points solved in all.
        seconds: Wall time.
    """

    points: list[DesignPoint]
    epsilons: list[float]
    feasible: list[bool]
    power_optimum: DesignResult
    linewidth_optimum: DesignResult
    steady_states: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "epsilons": self.epsilons,
            "feasible": self.feasible,
            "points": [p.to_dict() for p in self.points],
            "power_optimum": self.power_optimum.to_dict(),
            "linewidth_optimum": self.linewidth_optimum.to_dict(),
            "steady_states": self.steady_states,
            "seconds": self.seconds,
        }


def pareto(
    params: LaserParams,
    free: Any = ("delta2", "omega2"),
    bounds: dict[str, Any] | None = None,
    constraints: Constraints | None = None,
    *,
    points: int = 6,
    species: Any = None,
    starts: int = 2,
    seed: int = 0,
    maxiter: int = 40,
    order: int = 2,
) -> ParetoFront:
    """Trace maximum power against FWHM: maximise power with FWHM ≤ ε for ε between the
    FWHM of the narrowest-line design and that of the maximum-power design (geometric
    spacing), each warm-started from the previous ε's optimum.

    Args:
        params, free, bounds, constraints, species, seed, maxiter, order: As :func:`design`.
        points: Number of ε values (≥ 2).
        starts: Multi-starts of the two end designs.
    """
    t0 = time.perf_counter()
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ParameterError("points", points, "a whole number >= 2")
    con = constraints if constraints is not None else Constraints()
    kw = dict(species=species, seed=seed, maxiter=maxiter, order=order)
    hi = design(params, "power", free, bounds, con, starts=starts, **kw)
    lo = design(params, "linewidth", free, bounds, con, starts=starts, **kw)
    count = hi.steady_states + lo.steady_states
    f_hi = _fwhm_of(hi.optimum, order)
    f_lo = lo.optimum.fwhm
    eps = list(np.geomspace(f_lo * 1.0001, f_hi, points))
    out, feas = [], []
    start = lo.optimum.params
    for e in eps:
        r = design(start, "power", free, bounds, replace(con, max_fwhm=float(e)), starts=1, **kw)
        count += r.steady_states
        out.append(r.optimum)
        feas.append(r.feasible)
        if r.feasible:
            start = r.optimum.params
    return ParetoFront(out, [float(e) for e in eps], feas, hi, lo, count,
                       time.perf_counter() - t0)  # fmt: skip


def _fwhm_of(pt: DesignPoint, order: int) -> float:
    if pt.fwhm is not None:
        return pt.fwhm
    from vlaser.laser.spectrum import cavity_spectrum

    sp = cavity_spectrum(pt.params, order=order)
    pt.fwhm, pt.peak = sp.fwhm, sp.peak
    return sp.fwhm


__all__ = [
    "FREE_PARAMETERS",
    "OBJECTIVES",
    "Constraints",
    "DesignPoint",
    "DesignResult",
    "ParetoFront",
    "default_bounds",
    "design",
    "pareto",
]
