"""Steady states of the closed laser equations: Newton, continuation, stability, dynamics.

**Solver.** Newton's method on f(x) = 0 with the analytic Jacobian (numba kernels of
:mod:`vlaser.cumulants._kernels`). Without a guess the solution is tracked by
continuation (homotopy) in the coupling g from g = 0, where the equations are linear
and the atoms uncoupled; scans continue from the neighbouring grid point instead. Each
continuation step uses a secant predictor, adaptive step length, and is accepted only
if Newton converges quickly to a *physical* point (n ≥ 0, populations in [0, 1]) near
the prediction, which keeps the tracker on the physical branch (the equations have
unphysical roots too, e.g. with n < 0). If continuation fails, a stiff time integration
(scipy Radau with the analytic Jacobian) from the uncoupled state is polished by Newton.

**Stability.** Every fixed point reports ``max_growth_rate`` (largest real part of the
Jacobian's eigenvalues, units of Γ3) and ``stable`` (< 0). An unstable fixed point is
never presented as the state the system settles in: :func:`steady_state` then
integrates the equations in time from the fixed point (perturbed along the unstable
mode; fixed-step RK4 in numba, step 0.5/spectral radius) and reports what they do in
:class:`Dynamics` (window mean/min/max of n and |⟨a⟩|², dominant period). At ν = 0 and
large N the second-order fixed point is unstable against a growing coherent field ⟨a⟩
oscillating near the atomic frequency (a mean-field lasing mode).

**Convergence.** ``converged`` means max|f| ≤ ``tol`` · (1 + max|x|); ``residual`` is
max|f| (units of Γ3 times the averages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlaser.cumulants import _kernels
from vlaser.errors import ParameterError
from vlaser.laser.equations import LaserSystem, laser_equations
from vlaser.params import LaserParams

#: Newton tolerance: max|f| <= TOL * (1 + max|x|).
TOL = 1e-10


@dataclass
class Dynamics:
    """What the equations do in time near an unstable fixed point.

    Attributes:
        t_end: Integration time (1/Γ3).
        window: Start of the analysed window (the last half).
        photons_mean, photons_min, photons_max: n over the window.
        coherent_min, coherent_max: |⟨a⟩|² over the window.
        inversion_mean: Inversion per atom averaged over the window.
        period: Dominant period of n(t) in the window (1/Γ3), ``None`` if n is flat.
        settled: The trajectory came to rest (relative spread of n < 1e-6).
        note: Plain-language summary.
    """

    t_end: float
    window: float
    photons_mean: float
    photons_min: float
    photons_max: float
    coherent_min: float
    coherent_max: float
    inversion_mean: float
    period: float | None
    settled: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LaserSteadyState:
    """Steady state(s) of the laser equations on a parameter grid.

    Arrays have the parameter shape ``params.shape`` (``()`` for one point).

    Attributes:
        params: The parameters.
        order: Cumulant order.
        equations: Number of equations of the closed system.
        x: Real variables, ``shape + (n_real,)``.
        photons: n = ⟨a†a⟩.
        coherent_photons: |⟨a⟩|².
        field: ⟨a⟩ (complex; instantaneous pump-2 frame).
        inversion: ⟨σ22⟩ − ⟨σ11⟩ per atom.
        p1, p2, p3: Populations per atom.
        converged: Newton converged (see module docstring).
        residual: max|f| at the returned point.
        method: ``"newton"``, ``"continuation"``, ``"time-integration+newton"`` or
            ``"failed"``.
        max_growth_rate: Largest real part of the Jacobian's eigenvalues (Γ3).
        stable: ``max_growth_rate < 0``.
        dynamics: Per point, a :class:`Dynamics` where unstable and integrated, else None.
    """

    params: LaserParams
    order: int
    equations: int
    x: np.ndarray
    photons: np.ndarray
    coherent_photons: np.ndarray
    field: np.ndarray
    inversion: np.ndarray
    p1: np.ndarray
    p2: np.ndarray
    p3: np.ndarray
    converged: np.ndarray
    residual: np.ndarray
    method: np.ndarray
    max_growth_rate: np.ndarray
    stable: np.ndarray
    dynamics: np.ndarray = field(repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.photons.shape

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (scalars for one point, nested lists otherwise)."""

        def conv(a: np.ndarray) -> Any:
            return a.item() if a.ndim == 0 else a.tolist()

        out: dict[str, Any] = {
            "photons": conv(self.photons),
            "coherent_photons": conv(self.coherent_photons),
            "inversion": conv(self.inversion),
            "populations": {"p1": conv(self.p1), "p2": conv(self.p2), "p3": conv(self.p3)},
            "converged": conv(self.converged),
            "residual": conv(self.residual),
            "method": conv(self.method),
            "stable": conv(self.stable),
            "max_growth_rate": conv(self.max_growth_rate),
            "equations": self.equations,
            "order": self.order,
        }
        if self.dynamics.ndim == 0:
            d = self.dynamics.item()
            out["dynamics"] = None if d is None else d.to_dict()
        return out


# ---------------------------------------------------------------------------
# Single-point machinery
# ---------------------------------------------------------------------------


def _physical(ls: LaserSystem, x: np.ndarray, tol: float = 1e-8) -> bool:
    if not np.all(np.isfinite(x)):
        return False
    obs = ls.observables(x)
    scale = 1.0 + float(np.max(np.abs(x)))
    if obs["photons"] < -tol * scale:
        return False
    for k in ("p1", "p2", "p3"):
        if not (-tol <= obs[k] <= 1.0 + tol):
            return False
    return True


def uncoupled_state(ls: LaserSystem, p: np.ndarray) -> np.ndarray:
    """The g = 0 fixed point (empty cavity, independent atoms); linear, one Newton step.

    Args:
        ls: The laser system.
        p: One parameter point ``(n_params,)``.
    """
    p0 = np.array(p, dtype=float)
    p0[ls.i_g] = 0.0
    x, ok, _, _ = ls.compiled.point(p0).newton(np.zeros(ls.compiled.n_real), tol=TOL)
    if not ok:  # pragma: no cover - linear system, Newton is exact
        raise RuntimeError("uncoupled state did not converge")
    return x


def track(
    ls: LaserSystem,
    x0: np.ndarray,
    pa: np.ndarray,
    pb: np.ndarray,
    max_steps: int = 4000,
    max_jump: float = 0.25,
) -> tuple[np.ndarray, bool, float, int]:
    """Follow a fixed point from parameters ``pa`` (solution ``x0``) to ``pb``.

    Parameters move on the straight line p(s) = pa + s (pb − pa), s: 0 -> 1.

    Returns:
        ``(x, ok, residual, steps)``.
    """
    pa = np.asarray(pa, float)
    pb = np.asarray(pb, float)
    x = np.asarray(x0, float)
    x_prev: np.ndarray | None = None
    s, ds, ds_prev = 0.0, 1.0, 1.0
    res = np.inf
    steps = 0
    while s < 1.0 and steps < max_steps:
        steps += 1
        ds = min(ds, 1.0 - s)
        pred = x if x_prev is None else x + (x - x_prev) * (ds / ds_prev)
        kern = ls.compiled.point(pa + (s + ds) * (pb - pa))
        xn, ok, r, it = kern.newton(pred, tol=TOL, maxiter=15)
        scale = 1.0 + float(np.max(np.abs(x)))
        good = ok and float(np.max(np.abs(xn - pred))) <= max_jump * scale and _physical(ls, xn)
        if good:
            x_prev, x = x, xn
            s += ds
            ds_prev = ds
            res = r
            if it <= 4:
                ds *= 2.0
        else:
            ds *= 0.25
            if ds < 1e-9:
                return x, False, res, steps
    return x, s >= 1.0, res, steps


def _integrate_stiff(
    ls: LaserSystem, p: np.ndarray, x0: np.ndarray, t_end: float, rtol: float = 1e-8
) -> tuple[np.ndarray, bool]:
    """scipy Radau (L-stable: weakly damped fast oscillations do not limit the step)
    with the analytic Jacobian, from ``x0`` to ``t_end``."""
    from scipy.integrate import solve_ivp

    kern = ls.compiled.point(p)
    sol = solve_ivp(
        lambda _t, y: kern.rhs(y),
        (0.0, t_end),
        x0,
        method="Radau",
        jac=lambda _t, y: kern.jac(y),
        rtol=rtol,
        atol=rtol * 1e-2,
    )
    return sol.y[:, -1], bool(sol.success)


def _solve_point(
    ls: LaserSystem,
    p: np.ndarray,
    guess: np.ndarray | None = None,
    p_guess: np.ndarray | None = None,
    integrate_time: float | None = None,
) -> tuple[np.ndarray, bool, float, str]:
    kern = ls.compiled.point(p)
    if guess is not None:
        if p_guess is not None:
            x, ok, res, _ = track(ls, guess, p_guess, p)
            if ok:
                return x, True, res, "continuation"
        else:
            x, ok, res, _ = kern.newton(guess, tol=TOL)
            if ok and _physical(ls, x):
                return x, True, res, "newton"
    x0 = uncoupled_state(ls, p)
    p0 = np.array(p, float)
    p0[ls.i_g] = 0.0
    x, ok, res, _ = track(ls, x0, p0, p)
    if ok:
        return x, True, res, "continuation"
    # Stiff time integration from the uncoupled state, then Newton.
    gamma_min = _slowest_rate(ls, p)
    t_end = integrate_time if integrate_time is not None else 50.0 / gamma_min
    xt, _ = _integrate_stiff(ls, p, x0, t_end)
    x, ok, res, _ = kern.newton(xt, tol=TOL)
    if ok and _physical(ls, x):
        return x, True, res, "time-integration+newton"
    resid = float(np.max(np.abs(kern.rhs(xt))))
    return xt, False, resid, "failed"


def _slowest_rate(ls: LaserSystem, p: np.ndarray) -> float:
    f = ls.param_fields
    rates = [p[f.index(k)] for k in ("gamma2", "kappa") if k in f]
    rates = [r for r in rates if r > 0]
    return min(rates) if rates else 1.0


def growth_rate(ls: LaserSystem, p: np.ndarray, x: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest real part of the Jacobian's eigenvalues at ``x``, and the Jacobian."""
    jac = ls.compiled.point(p).jac(x)
    if not np.all(np.isfinite(jac)):
        return float("nan"), jac
    return float(np.max(np.linalg.eigvals(jac).real)), jac


def dynamics_near(
    ls: LaserSystem,
    p: np.ndarray,
    x_fixed: np.ndarray,
    jac: np.ndarray,
    t_end: float | None = None,
    n_samples: int = 4001,
    seed: int = 0,
) -> tuple[Dynamics, np.ndarray, np.ndarray]:
    """Integrate from an unstable fixed point (perturbed along its unstable mode).

    Args:
        ls: The laser system.
        p: Parameter point.
        x_fixed: The fixed point.
        jac: The Jacobian there.
        t_end: Integration time (1/Γ3); default ``min(20000, 40 / growth rate)``.
        n_samples: Samples kept (equidistant).
        seed: Seed of the (tiny) random part of the perturbation.

    Returns:
        ``(Dynamics, t, x(t))`` with ``x(t)`` of shape ``(n_samples, n_real)``.
    """
    w, vecs = np.linalg.eig(jac)
    k = int(np.argmax(w.real))
    growth = float(w[k].real)
    rho = float(np.max(np.abs(w)))
    direction = np.real(vecs[:, k])
    direction += 1e-3 * np.random.default_rng(seed).normal(size=direction.size)
    direction /= np.max(np.abs(direction))
    scale = 1.0 + float(np.max(np.abs(x_fixed)))
    if t_end is None:
        t_end = min(20000.0, 40.0 / max(growth, 1e-12))
    h = 0.5 / max(rho, 1e-6)
    kern = ls.compiled.point(p)
    xs = _kernels.rk4(
        x_fixed + 1e-4 * scale * direction,
        float(t_end),
        float(h),
        int(n_samples),
        *kern._f,
        kern._re_of,
        kern._im_of,
    )
    t = np.linspace(0.0, t_end, n_samples)
    return summarize_dynamics(ls, t, xs), t, xs


def summarize_dynamics(ls: LaserSystem, t: np.ndarray, xs: np.ndarray) -> Dynamics:
    """Window statistics of a trajectory (last half of ``t``)."""
    obs = ls.observables(xs)
    half = len(t) // 2
    n = obs["photons"][half:]
    coh = obs["coherent_photons"][half:]
    inv = obs["inversion"][half:]
    if not np.all(np.isfinite(n)):
        return Dynamics(float(t[-1]), float(t[half]), *(float("nan"),) * 6, None, False, "diverged")
    mean = float(np.mean(n))
    spread = float(np.max(n) - np.min(n))
    settled = spread <= 1e-6 * max(abs(mean), 1e-12)
    period = None
    if not settled and len(n) > 8:
        dn = n - mean
        spec = np.abs(np.fft.rfft(dn))
        freqs = np.fft.rfftfreq(len(dn), d=float(t[1] - t[0]))
        j = int(np.argmax(spec[1:])) + 1
        period = float(1.0 / freqs[j]) if freqs[j] > 0 else None
    if settled:
        note = "trajectory came to rest"
    else:
        note = (
            f"no steady state: n oscillates between {np.min(n):.4g} and {np.max(n):.4g} "
            f"(mean {mean:.4g}), |<a>|^2 between {np.min(coh):.3g} and {np.max(coh):.3g}"
        )
    return Dynamics(
        float(t[-1]),
        float(t[half]),
        mean,
        float(np.min(n)),
        float(np.max(n)),
        float(np.min(coh)),
        float(np.max(coh)),
        float(np.mean(inv)),
        period,
        bool(settled),
        note,
    )


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _system_for(params: LaserParams, order: int, system: LaserSystem | None) -> LaserSystem:
    ls = system if system is not None else laser_equations(order)
    if ls.n_atoms is not None and np.any(np.asarray(params.atoms) != ls.n_atoms):
        raise ParameterError("atoms", params.atoms, f"{ls.n_atoms} (the system's explicit N)")
    return ls


def _neighbour(idx: tuple[int, ...]) -> tuple[int, ...] | None:
    """The previously solved grid point next to ``idx`` (C order), None for the first."""
    for d in range(len(idx) - 1, -1, -1):
        if idx[d] > 0:
            nb = list(idx)
            nb[d] -= 1
            return tuple(nb)
    return None


def steady_state(
    params: LaserParams,
    order: int = 2,
    *,
    system: LaserSystem | None = None,
    guess: np.ndarray | None = None,
    dynamics: bool = True,
    dynamics_time: float | None = None,
    progress: Any = None,
) -> LaserSteadyState:
    """Steady state(s) of the laser equations at one point or on a grid.

    Args:
        params: Laser parameters (any field may be an array: a grid).
        order: Cumulant order (default 2, the paper's).
        system: A :class:`LaserSystem` to use (default ``laser_equations(order)``).
        guess: Initial real-variable vector for a single point (Newton from it).
        dynamics: Where a fixed point is unstable, integrate in time and report
            :class:`Dynamics` (costs seconds per point).
        dynamics_time: Integration time for that (1/Γ3; default automatic).
        progress: Optional callable ``progress(done, total)``.

    Returns:
        A :class:`LaserSteadyState` of shape ``params.shape``. Grid points are solved
        by continuation from their neighbour (C order), the first from g = 0.
    """
    ls = _system_for(params, order, system)
    pgrid = ls.param_array(params)
    shape = pgrid.shape[:-1]
    nr = ls.compiled.n_real
    xs = np.zeros(shape + (nr,))
    conv = np.zeros(shape, bool)
    resid = np.zeros(shape)
    method = np.empty(shape, dtype=object)
    growth = np.zeros(shape)
    dyn = np.empty(shape, dtype=object)
    total = int(np.prod(shape)) if shape else 1
    for count, idx in enumerate(np.ndindex(*shape) if shape else [()]):
        p = pgrid[idx]
        nb = _neighbour(idx) if shape else None
        if nb is not None and conv[nb]:
            x, ok, r, m = _solve_point(ls, p, xs[nb], pgrid[nb])
        else:
            x, ok, r, m = _solve_point(ls, p, guess)
        xs[idx], conv[idx], resid[idx], method[idx] = x, ok, r, m
        g, jac = growth_rate(ls, p, x)
        growth[idx] = g
        dyn[idx] = None
        if dynamics and ok and not g < 0:
            dyn[idx] = dynamics_near(ls, p, x, jac, dynamics_time)[0]
        if progress is not None:
            progress(count + 1, total)
    obs = ls.observables(xs)
    return LaserSteadyState(
        params=params,
        order=ls.order,
        equations=ls.count,
        x=xs,
        photons=obs["photons"],
        coherent_photons=obs["coherent_photons"],
        field=obs["field"],
        inversion=obs["inversion"],
        p1=obs["p1"],
        p2=obs["p2"],
        p3=obs["p3"],
        converged=conv,
        residual=resid,
        method=method,
        max_growth_rate=growth,
        stable=growth < 0,
        dynamics=dyn,
    )


__all__ = [
    "TOL",
    "Dynamics",
    "LaserSteadyState",
    "dynamics_near",
    "growth_rate",
    "steady_state",
    "summarize_dynamics",
    "track",
    "uncoupled_state",
]
