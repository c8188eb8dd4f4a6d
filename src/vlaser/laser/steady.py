"""Steady states of the closed laser equations: Newton, continuation, stability, dynamics.

**Solver.** Newton's method on f(x) = 0 with the analytic Jacobian (numba kernels of
:mod:`vlaser.cumulants._kernels`). Without a guess the solution is tracked by
continuation (homotopy), in this order until one reaches the target:

1. in the coupling g from g = 0, where the equations are linear and the atoms
   uncoupled (``method="continuation"``);
2. in the atom number, from N0 = min(N, 100) (solved by 1.) to N, geometric in N
   (``"continuation-N"``): the branch that starts below threshold, where the fixed
   point is unique;
3. a stiff time integration (scipy Radau with the analytic Jacobian) from the
   uncoupled state, polished by Newton (``"time-integration+newton"``).

At order 3 and above the search first continues the fixed point of the order below
(:func:`vlaser.laser.hierarchy.from_lower_order`: lifted, then Newton or a Newton
homotopy), so both orders describe the same branch. Scans continue from the
neighbouring grid point instead. Each continuation step uses a
secant predictor, adaptive step length, and is accepted only if Newton converges
quickly to a point with n ≥ 0 and populations in [0, 1] near the prediction, which
keeps the tracker off the equations' roots with n < 0. Every stage has a budget
(:class:`SteadySolver`: continuation steps, Newton iterations, Radau steps, RK4 steps),
so a point from scratch costs at most about a second on a laptop core; where no stage
reaches a fixed point, the point is returned with ``converged = False`` and a
``reason`` that says where each stage stopped (a continuation that stalls at a fold of
the fixed-point branch, where the Jacobian turns singular, says so).

**Admissibility.** A fixed point of the truncated equations need not be the moments of
a physical state. Every result carries ``physical`` and ``violation`` from
:class:`vlaser.cumulants.admissible.Admissibility` (populations in [0, 1],
|⟨a⟩|² ≤ ⟨a†a⟩, Cauchy–Schwarz on the held moments, collective variances ≥ 0).

**Stability.** Every fixed point reports ``max_growth_rate`` (largest real part of the
Jacobian's eigenvalues, units of Γ3) and ``stable`` (< 0). An unstable fixed point is
never presented as the state the system settles in: :func:`steady_state` then
integrates the equations in time from the fixed point (perturbed along the unstable
mode; fixed-step RK4 in numba, step 0.5/spectral radius) and reports what they do in
:class:`Dynamics` (window mean/min/max of n and |⟨a⟩|², dominant period). At ν = 0 and
large N the second-order fixed point is unstable against a growing coherent field ⟨a⟩
oscillating near the atomic frequency (a mean-field lasing mode).

**Convergence.** ``converged`` means max|f| ≤ ``tol`` · (1 + max|x|), or every equation
balanced to ``tol`` of the sum of the magnitudes of its own terms (the round-off floor
when n ~ 1e7 sits next to populations ~ 1; see :func:`vlaser.cumulants._kernels.newton`);
``residual`` is max|f| (units of Γ3 times the averages).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from vlaser.cumulants import _kernels
from vlaser.cumulants.compile import Factorization, ordered_lu
from vlaser.errors import ParameterError
from vlaser.laser import ensemble
from vlaser.laser.equations import GroupLaserSystem, LaserSystem, group_equations, laser_equations
from vlaser.params import LaserParams

#: Newton tolerance: max|f| <= TOL * (1 + max|x|) (or each equation balanced to TOL).
TOL = 1e-10

#: Atom number the N homotopy starts from (below any threshold of interest).
N_START = 100.0


@dataclass(frozen=True)
class SteadySolver:
    """How :func:`steady_state` searches for fixed points, with its budgets.

    The defaults bound one point from scratch to about a second on one laptop core
    (``benchmarks/bench_laser.py --scratch`` measures it); the steps, not the wall
    clock, are counted, so results are reproducible.

    Attributes:
        tol: Newton tolerance (see the module docstring).
        max_steps: Continuation steps per homotopy (each at most ``max_newton``
            Newton iterations).
        max_newton: Newton iterations per continuation step.
        integration_steps: Radau steps of the last-resort time integration (0: skip).
        dynamics_steps: RK4 steps of the :class:`Dynamics` integration at an unstable
            fixed point over the automatic time (cut to fit; ``Dynamics.note`` says so).
    """

    tol: float = TOL
    max_steps: int = 2000
    max_newton: int = 15
    integration_steps: int = 300
    dynamics_steps: int = 40_000

    def __post_init__(self) -> None:
        if not (np.isfinite(self.tol) and self.tol > 0):
            raise ParameterError("tol", self.tol, "a finite number > 0")
        for name in ("max_steps", "max_newton", "integration_steps", "dynamics_steps"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
                raise ParameterError(name, v, "a whole number >= 0")


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
        residual: max|f| at the returned point (NaN where none was found).
        method: ``"newton"``, ``"continuation"``, ``"continuation-N"``,
            ``"time-integration+newton"``, ``"order-k+newton"`` or
            ``"order-k+homotopy"`` (order k + 1 continued from order k,
            :mod:`vlaser.laser.hierarchy`) or ``"failed"`` (averages NaN).
        reason: Per point, why no fixed point was found, or why the one returned is not
            a physical state although the search went on (``""`` where the search
            ended at an admissible fixed point).
        max_growth_rate: Largest real part of the Jacobian's eigenvalues (Γ3).
        stable: ``max_growth_rate < 0``.
        physical: The averages pass every admissibility condition
            (:mod:`vlaser.cumulants.admissible`).
        violation: The most violated condition with its numbers (``""`` where physical).
        violated: Its index in ``system.admissibility.conditions`` (−1 where physical,
            −2 where no fixed point was found).
        dynamics: Per point, a :class:`Dynamics` where unstable and integrated, else None.
        groups: Atom groups (velocity classes × positions) of the ensemble; 1 for atoms
            at rest.
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
    physical: np.ndarray
    violation: np.ndarray
    violated: np.ndarray
    reason: np.ndarray
    dynamics: np.ndarray = field(repr=False)
    groups: int = 1

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
            "physical": conv(self.physical),
            "violation": conv(self.violation),
            "reason": conv(self.reason),
            "equations": self.equations,
            "order": self.order,
            "classes": self.groups,
        }
        if self.dynamics.ndim == 0:
            d = self.dynamics.item()
            out["dynamics"] = None if d is None else d.to_dict()
        return out


# ---------------------------------------------------------------------------
# Single-point machinery
# ---------------------------------------------------------------------------


def _physical(ls: LaserSystem, x: np.ndarray, tol: float = 1e-8) -> bool:
    """Cheap guard of the continuation: n ≥ 0 and every (group's) population in [0, 1]."""
    if not np.all(np.isfinite(x)):
        return False
    obs = ls.observables(x)
    scale = 1.0 + float(np.max(np.abs(x)))
    if obs["photons"] < -tol * scale:
        return False
    p2 = np.atleast_1d(obs.get("p2_groups", obs["p2"]))
    p3 = np.atleast_1d(obs.get("p3_groups", obs["p3"]))
    for pops in (p2, p3, 1.0 - p2 - p3):
        if np.any(pops < -tol) or np.any(pops > 1.0 + tol):
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


@dataclass
class Track:
    """Outcome of :func:`track`.

    Attributes:
        x: The last accepted point (the target's fixed point if ``ok``).
        ok: The target was reached.
        residual: max|f| at ``x``.
        steps: Continuation steps taken (accepted and refused).
        s: Path parameter reached (0 start, 1 target).
    """

    x: np.ndarray
    ok: bool
    residual: float
    steps: int
    s: float

    def __iter__(self):  # ``x, ok, residual, steps = track(...)``
        return iter((self.x, self.ok, self.residual, self.steps))


def track(
    ls: LaserSystem,
    x0: np.ndarray,
    pa: np.ndarray,
    pb: np.ndarray,
    max_steps: int = 4000,
    max_jump: float = 0.25,
    *,
    log_index: int | None = None,
    tol: float = TOL,
    max_newton: int = 15,
    reuse: Factorization | None = None,
) -> Track:
    """Follow a fixed point from parameters ``pa`` (solution ``x0``) to ``pb``.

    Parameters move on the straight line p(s) = pa + s (pb − pa), s: 0 -> 1, except
    entry ``log_index`` (if given), which moves geometrically (for N over decades).
    ``reuse`` shares one sparse LU between the steps (and with the caller) as long as it
    contracts (:meth:`vlaser.cumulants.compile.PointKernel.newton`).

    Returns:
        A :class:`Track` (unpacks as ``(x, ok, residual, steps)``).
    """
    pa = np.asarray(pa, float)
    pb = np.asarray(pb, float)

    def at(s: float) -> np.ndarray:
        p = pa + s * (pb - pa)
        if log_index is not None:
            la, lb = np.log(pa[log_index]), np.log(pb[log_index])
            p[log_index] = np.exp(la + s * (lb - la)) if s < 1.0 else pb[log_index]
        return p

    x = np.asarray(x0, float)
    x_prev: np.ndarray | None = None
    s, ds, ds_prev = 0.0, 1.0, 1.0
    res = np.inf
    steps = 0
    while s < 1.0 and steps < max_steps:
        steps += 1
        ds = min(ds, 1.0 - s)
        pred = x if x_prev is None else x + (x - x_prev) * (ds / ds_prev)
        kern = ls.compiled.point(at(s + ds))
        xn, ok, r, it = kern.newton(pred, tol=tol, maxiter=max_newton, reuse=reuse)
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
                break
    return Track(x, s >= 1.0, res, steps, s)


def _integrate_stiff(
    ls: LaserSystem,
    p: np.ndarray,
    x0: np.ndarray,
    t_end: float,
    max_steps: int,
    rtol: float = 1e-8,
) -> tuple[np.ndarray, float]:
    """scipy Radau (L-stable: weakly damped fast oscillations do not limit the step)
    with the analytic Jacobian, from ``x0`` towards ``t_end``, at most ``max_steps``
    steps. Returns ``(x, t reached)``."""
    from scipy.integrate import Radau

    kern = ls.compiled.point(p)
    solver = Radau(
        lambda _t, y: kern.rhs(y),
        0.0,
        np.asarray(x0, float),
        t_end,
        jac=lambda _t, y: kern.jac(y),
        rtol=rtol,
        atol=rtol * 1e-2,
    )
    for _ in range(max_steps):
        if solver.status != "running" or solver.step() is not None:
            break
    return solver.y, float(solver.t)


def _stall(ls: LaserSystem, p: np.ndarray, x: np.ndarray) -> str:
    """Why a continuation stopped at (p, x): fold (singular Jacobian) or not."""
    jac = ls.compiled.point(p).jac(x)
    if not np.all(np.isfinite(jac)):
        return "non-finite Jacobian"
    w = np.linalg.eigvals(jac)
    small = float(np.min(np.abs(w)))
    big = float(np.max(np.abs(w)))
    if small <= 1e-6 * big:
        return f"a fold of the fixed-point branch (Jacobian eigenvalue {small:.2g} Γ3)"
    return f"smallest Jacobian eigenvalue {small:.2g} Γ3"


def _solve_point(
    ls: LaserSystem,
    p: np.ndarray,
    guess: np.ndarray | None = None,
    p_guess: np.ndarray | None = None,
    integrate_time: float | None = None,
    solver: SteadySolver | None = None,
    reuse: Factorization | None = None,
) -> tuple[np.ndarray, bool, float, str, str]:
    """One point: ``(x, converged, residual, method, reason)`` (``reuse``: a sparse LU
    shared with the neighbouring point, for the continuation from ``guess``)."""
    sv = solver if solver is not None else SteadySolver()
    kern = ls.compiled.point(p)
    budget = {"max_steps": sv.max_steps, "tol": sv.tol, "max_newton": sv.max_newton}
    if guess is not None:
        if p_guess is not None:
            tr = track(ls, guess, p_guess, p, reuse=reuse, **budget)
            if tr.ok:
                return tr.x, True, tr.residual, "continuation", ""
        else:
            x, ok, res, _ = kern.newton(guess, tol=sv.tol)
            if ok and _physical(ls, x):
                return x, True, res, "newton", ""
    reasons: list[str] = []
    fallback: tuple[np.ndarray, float, str] | None = None  # converged, not admissible
    if ls.order >= 3 and not isinstance(ls, GroupLaserSystem):
        # The fixed point that order k makes of the order-(k-1) one (same branch).
        from vlaser.laser.hierarchy import from_lower_order

        xh, okh, resh, methh, whyh = from_lower_order(ls, p, sv)
        if okh and _admissible(ls, p, xh):
            return xh, True, resh, methh, ""
        reasons.append(whyh or "the continuation from the order below is not a physical state")
    if isinstance(ls, GroupLaserSystem):
        # Identical groups carry the one-group solution exactly; continue from there
        # in the spread of detunings and couplings (the homotopy that follows the
        # branch of the homogeneous laser).
        p_h = ls.homogeneous(p)
        one = ls.one_group()
        x1, ok1, _r1, _m1, why1 = _solve_point(one, ls.single_params(p_h), solver=sv)
        if ok1:
            trs = track(ls, ls.replicate(x1), p_h, p, **budget)
            if trs.ok and _admissible(ls, p, trs.x):
                return trs.x, True, trs.residual, "continuation-spread", ""
            why = "not a physical state" if trs.ok else _stall(ls, p_h + trs.s * (p - p_h), trs.x)
            reasons.append(
                f"continuation in the spread from the homogeneous laser stopped at "
                f"{trs.s:.4g} of it after {trs.steps} steps ({why})"
            )
        else:
            reasons.append(f"homogeneous start: {why1}")
    x0 = uncoupled_state(ls, p)
    p0 = np.array(p, float)
    p0[ls.i_g] = 0.0
    tr = track(ls, x0, p0, p, **budget)
    if tr.ok:
        if _admissible(ls, p, tr.x):
            return tr.x, True, tr.residual, "continuation", ""
        fallback = (tr.x, tr.residual, "continuation")
        reasons.append("continuation in g reached a fixed point that is not a physical state")
    else:
        p_at = p0 + tr.s * (p - p0)
        reasons.append(
            f"continuation in g stopped at g = {tr.s:.4g}·g after {tr.steps} steps "
            f"({_stall(ls, p_at, tr.x)})"
        )
    i_n = ls.i_atoms
    n_total = ls.total_atoms(p)
    if i_n is not None and n_total > N_START:
        pn = np.array(p, float)
        pn[i_n] = p[i_n] * (N_START / n_total)
        start = _solve_point(ls, pn, solver=replace(sv, integration_steps=0))
        if start[1]:
            trn = track(ls, start[0], pn, p, log_index=i_n, **budget)
            if trn.ok and (fallback is None or _admissible(ls, p, trn.x)):
                return trn.x, True, trn.residual, "continuation-N", ""
            n_at = float(np.exp(np.log(N_START) + trn.s * np.log(n_total / N_START)))
            p_at = np.array(p, float)
            p_at[i_n] = p[i_n] * (n_at / n_total)
            why = "not a physical state either" if trn.ok else _stall(ls, p_at, trn.x)
            reasons.append(
                f"continuation in N from {N_START:g} stopped at N = {n_at:.4g} after "
                f"{trn.steps} steps ({why})"
            )
    if fallback is not None:
        return fallback[0], True, fallback[1], fallback[2], "; ".join(reasons)
    if sv.integration_steps > 0:
        gamma_min = _slowest_rate(ls, p)
        t_end = integrate_time if integrate_time is not None else 50.0 / gamma_min
        xt, t_at = _integrate_stiff(ls, p, x0, t_end, sv.integration_steps)
        if np.all(np.isfinite(xt)):
            x, ok, res, _ = kern.newton(xt, tol=sv.tol)
            if ok and _physical(ls, x):
                return x, True, res, "time-integration+newton", ""
        reasons.append(
            f"time integration ({sv.integration_steps} Radau steps, t = {t_at:.3g}/Γ3 "
            f"of {t_end:.3g}) did not reach a fixed point"
        )
    nan = np.full(ls.compiled.n_real, np.nan)
    return nan, False, float("nan"), "failed", "no fixed point found: " + "; ".join(reasons)


def _admissible(ls: LaserSystem, p: np.ndarray, x: np.ndarray) -> bool:
    """The fixed point passes every admissibility condition (N from ``p``)."""
    return bool(ls.admissibility.check(ls.compiled.unpack(x), ls.atom_counts(p)).physical)


def _slowest_rate(ls: LaserSystem, p: np.ndarray) -> float:
    f = ls.param_fields
    rates = [p[f.index(k)] for k in ("gamma2", "kappa") if k in f]
    rates = [r for r in rates if r > 0]
    return min(rates) if rates else 1.0


#: Above this many real variables the rightmost eigenvalues come from sparse methods
#: (:func:`growth_rate`); a dense eig of the 2849 x 2849 Jacobian at 9 classes takes
#: 4-27 s on the 2-core sandbox.
DENSE_EIG_LIMIT = 1000

#: Cluster centres and eigenvalues per centre of the shift-invert search.
SHIFT_CENTRES = 3
SHIFT_MODES = 6

#: Relative accuracy of a sparse rightmost eigenvalue (ARPACK's ``tol``: residual ≤
#: tol·|λ| of the shift-inverted operator's eigenvalue).
RITZ_TOL = 1e-6


#: Krylov vectors of the shift-invert search around a real (Ω = 0) and a complex shift:
#: near Ω = 0 the wanted eigenvalues sit in a dense cluster (~45 real pair-correlation
#: modes at K = 9), where 40 vectors need about 40 % fewer solves than 20 (measured
#: along the K = 9 N scan, ``benchmarks/RESULTS.md``); elsewhere 20 are cheaper.
SHIFT_NCV_REAL = 40
SHIFT_NCV = 20


def _cluster_centres(ls: GroupLaserSystem, p: np.ndarray, start: dict | None = None) -> list[float]:
    """Frequencies Ω ≥ 0 (Γ3) near which the rightmost eigenvalues of a group system
    lie: the imaginary parts of the rightmost eigenvalues of the one-group laser at
    the homogeneous point (:meth:`GroupLaserSystem.homogeneous`; the spread moves
    them by about the Doppler width), at most :data:`SHIFT_CENTRES` distinct ones.

    ``start`` (the dict of :func:`_global_rightmost` along a grid) keeps the one-group
    fixed point; the next point's is Newton from it (same tolerance :data:`TOL`; kept
    only if it converges to a physical state), else the search from scratch.
    """
    one = ls.one_group()
    p1 = ls.single_params(ls.homogeneous(p))
    x1, ok = None, False
    prev = None if start is None else start.pop("one-group", None)
    if prev is not None and prev.shape == (one.compiled.n_real,):
        x1, ok, *_ = one.compiled.point(p1).newton(prev, tol=TOL)
        ok = bool(ok) and _physical(one, x1)
    if not ok:
        x1, ok, *_ = _solve_point(one, p1, solver=SteadySolver(integration_steps=0))
    if not ok:
        return [0.0]
    if start is not None:
        start["one-group"] = np.array(x1)
    w = np.linalg.eigvals(one.compiled.point(p1).jac(x1))
    w = w[w.imag >= -1e-12]
    centres: list[float] = []
    for lam in w[np.argsort(-w.real)]:
        if all(abs(lam.imag - c) > 0.05 for c in centres):
            centres.append(float(max(lam.imag, 0.0)))
        if len(centres) == SHIFT_CENTRES:
            break
    return centres


def _global_rightmost(
    ls: LaserSystem, p: np.ndarray, jac: Any, start: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rightmost eigenvalues and vectors of a sparse Jacobian.

    Group systems: shift-invert Arnoldi (ARPACK, sparse complex LU of J − σ) around
    σ = 0.01 + iΩ (Γ3; real σ = 0.01 for Ω < 0.05) for each cluster centre Ω of
    :func:`_cluster_centres`, the :data:`SHIFT_MODES` eigenvalues nearest each, tol
    :data:`RITZ_TOL`, :data:`SHIFT_NCV_REAL` or :data:`SHIFT_NCV` Krylov vectors.
    Otherwise, or where that fails, ARPACK 'LR' (60 Krylov vectors; it converges
    slowly, or not at all below threshold, where eigenvalues ~1e-3 Γ3 sit in a
    spectrum ~10 Γ3 wide), then the dense eigen-decomposition.

    ``start`` (a dict kept along a scan) carries what the next point can reuse
    without changing the eigenproblem or ARPACK's convergence test: per centre, the
    sum of the previous point's Ritz vectors (ARPACK's start vector, about half the
    solves near a neighbour); the one-group fixed point of :func:`_cluster_centres`
    (Newton from it). The LU's column order is the system's
    (:attr:`~vlaser.cumulants.compile.CompiledSystem.lu_orders`, shared with Newton).
    """
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla

    if isinstance(ls, GroupLaserSystem):
        a = sps.csc_matrix(jac)
        ws, vs = [], []
        try:
            for c in _cluster_centres(ls, p, start):
                sigma = 0.01 + 1j * c if c > 0.05 else 0.01  # real LU near Ω = 0
                solve = ordered_lu(a, sigma, ls.compiled.lu_orders)
                dtype = np.result_type(a.dtype, type(sigma))
                op = spla.LinearOperator(a.shape, matvec=solve, dtype=dtype)
                v0 = _start_vector(start, c, dtype, a.shape[0])
                ncv = SHIFT_NCV_REAL if np.imag(sigma) == 0 else SHIFT_NCV
                mu, v = spla.eigs(op, k=SHIFT_MODES, which="LM", ncv=ncv, tol=RITZ_TOL,
                                  maxiter=300, v0=v0)  # fmt: skip
                ws.append(sigma + 1.0 / mu)
                vs.append(v)
                if start is not None:
                    start[round(c, 2)] = v.sum(axis=1)
        except (RuntimeError, spla.ArpackNoConvergence, spla.ArpackError):
            ws = []
        if ws:
            w, v = np.concatenate(ws), np.hstack(vs)
            return w, v
    try:
        return spla.eigs(jac, k=3, which="LR", ncv=60, tol=RITZ_TOL, maxiter=20000)
    except spla.ArpackNoConvergence:
        w, v = np.linalg.eig(jac.toarray())
        return w, v


def _start_vector(start: dict | None, centre: float, dtype: Any, n: int) -> np.ndarray | None:
    """The stored start vector of the nearest centre (within 0.05 Γ3), or ``None``."""
    keys = [] if not start else [k for k in start if isinstance(k, float)]
    if not keys:
        return None
    near = min(keys, key=lambda c: abs(c - centre))
    v = start[near]
    if abs(near - centre) > 0.05 or v.shape != (n,):
        return None
    v = v.real if np.dtype(dtype).kind == "f" else v
    v = np.asarray(v, dtype=dtype)
    return v if np.all(np.isfinite(v)) and np.any(v != 0) else None


def growth_rate(
    ls: LaserSystem, p: np.ndarray, x: np.ndarray, start: dict | None = None
) -> tuple[float, Any]:
    """Largest real part of the Jacobian's eigenvalues at ``x`` (Γ3), and the Jacobian
    (dense, or sparse above :data:`DENSE_EIG_LIMIT` real variables).

    Dense systems: all eigenvalues (LAPACK). Sparse systems: the rightmost ones by
    shift-invert Arnoldi around the one-group laser's rightmost frequencies
    (:func:`_global_rightmost`, ~0.2 s at 9 classes on the 2-core sandbox, against
    0.25 s to over 20 s for ARPACK 'LR', which does not converge below threshold);
    tests/laser/test_ensemble.py checks it against dense eigenvalues. ``start``: see
    :func:`_global_rightmost` (a dict that a scan passes from point to point).
    """
    kern = ls.compiled.point(p)
    if ls.compiled.n_real <= DENSE_EIG_LIMIT:
        jac = kern.jac(x)
        if not np.all(np.isfinite(jac)):
            return float("nan"), jac
        return float(np.max(np.linalg.eigvals(jac).real)), jac
    jac = kern.jac_sparse(x)
    if not np.all(np.isfinite(jac.data)):
        return float("nan"), jac
    w, _ = _global_rightmost(ls, p, jac, start)
    return float(np.max(w.real)), jac


def dynamics_near(
    ls: LaserSystem,
    p: np.ndarray,
    x_fixed: np.ndarray,
    jac: np.ndarray,
    t_end: float | None = None,
    n_samples: int = 4001,
    seed: int = 0,
    max_steps: int | None = None,
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
        max_steps: Budget of RK4 steps (step 0.5/spectral radius) of the one-group
            system; a larger system gets proportionally fewer (same work in terms
            evaluated). ``t_end`` is cut to fit it, and the note says so. ``None``: no
            budget.

    Returns:
        ``(Dynamics, t, x(t))`` with ``x(t)`` of shape ``(n_samples, n_real)``.
    """
    if isinstance(jac, np.ndarray):
        w, vecs = np.linalg.eig(jac)
        rho = float(np.max(np.abs(w)))
    else:  # sparse (large group systems): the rightmost modes only
        import scipy.sparse.linalg as spla

        w, vecs = spla.eigs(jac, k=3, which="LR", ncv=60, tol=1e-6, maxiter=20000)
        rho = float(spla.norm(jac, 1))  # bounds the spectral radius
    k = int(np.argmax(w.real))
    growth = float(w[k].real)
    if max_steps is not None:
        one = laser_equations(ls.order).compiled.tables.f_coef.size
        max_steps = max(1, int(max_steps * one / ls.compiled.tables.f_coef.size))
    direction = np.real(vecs[:, k])
    direction += 1e-3 * np.random.default_rng(seed).normal(size=direction.size)
    direction /= np.max(np.abs(direction))
    scale = 1.0 + float(np.max(np.abs(x_fixed)))
    if t_end is None:
        t_end = min(20000.0, 40.0 / max(growth, 1e-12))
    h = 0.5 / max(rho, 1e-6)
    cut = None
    if max_steps is not None and t_end / h > max_steps:
        cut = t_end
        t_end = max_steps * h
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
    dyn = summarize_dynamics(ls, t, xs, p)
    if cut is not None:
        dyn.note += (
            f" (integrated to t = {t_end:.4g}/Γ3 of the planned {cut:.4g}/Γ3: budget of "
            f"{max_steps} RK4 steps)"
        )
    return dyn, t, xs


def summarize_dynamics(
    ls: LaserSystem, t: np.ndarray, xs: np.ndarray, p: np.ndarray | None = None
) -> Dynamics:
    """Window statistics of a trajectory (last half of ``t``; ``p``: its parameters)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging trajectory
        obs = ls.observables(xs, p)
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
    if system is None:
        k = ensemble.group_count(params)
        system = laser_equations(order) if k == 1 else group_equations(k, order)
    ls = system
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
    solver: SteadySolver | None = None,
) -> LaserSteadyState:
    """Steady state(s) of the laser equations at one point or on a grid.

    Args:
        params: Laser parameters (any field may be an array: a grid).
        order: Cumulant order (default 2, the paper's).
        system: A :class:`LaserSystem` to use (default ``laser_equations(order)``).
        guess: Initial real-variable vector for a single point (Newton from it).
        dynamics: Where a fixed point is unstable, integrate in time and report
            :class:`Dynamics` (automatic time, within ``solver.dynamics_steps`` RK4 steps).
        dynamics_time: Integration time for that (1/Γ3; given, it is integrated in full,
            whatever the budget).
        progress: Optional callable ``progress(done, total)``.
        solver: Search strategy and budgets (default :class:`SteadySolver()`).

    Returns:
        A :class:`LaserSteadyState` of shape ``params.shape``. Grid points are solved
        by continuation from their neighbour (C order), the first from scratch (see
        the module docstring). Points without a fixed point have NaN averages,
        ``converged = False`` and a ``reason``.
    """
    sv = solver if solver is not None else SteadySolver()
    ls = _system_for(params, order, system)
    pgrid = ls.param_array(params)
    shape = pgrid.shape[:-1]
    nr = ls.compiled.n_real
    xs = np.zeros(shape + (nr,))
    conv = np.zeros(shape, bool)
    resid = np.zeros(shape)
    method = np.empty(shape, dtype=object)
    reason = np.empty(shape, dtype=object)
    growth = np.zeros(shape)
    dyn = np.empty(shape, dtype=object)
    total = int(np.prod(shape)) if shape else 1
    lower = None
    if shape and guess is None and ls.order >= 3 and not isinstance(ls, GroupLaserSystem):
        # A grid of order k >= 3 follows the order-(k-1) grid point by point: continuing
        # order k along the grid can jump to another of its branches.
        from vlaser.laser.hierarchy import lower_system

        lower = steady_state(params, system=lower_system(ls), dynamics=False, solver=sv)
    reuse = Factorization() if ls.compiled.sparse else None
    ritz: dict = {}  # start vectors of the sparse stability check along the grid
    for count, idx in enumerate(np.ndindex(*shape) if shape else [()]):
        p = pgrid[idx]
        nb = _neighbour(idx) if shape else None
        hit = None
        if lower is not None and lower.converged[idx]:
            from vlaser.laser.hierarchy import from_lower_order

            hit = from_lower_order(ls, p, sv, x_lo=lower.x[idx])
            if not (hit[1] and _admissible(ls, p, hit[0])):
                hit = None
        if hit is not None:
            x, ok, r, m, why = hit
        elif nb is not None and conv[nb]:
            x, ok, r, m, why = _solve_point(ls, p, xs[nb], pgrid[nb], solver=sv, reuse=reuse)
        else:
            x, ok, r, m, why = _solve_point(ls, p, guess, solver=sv)
        xs[idx], conv[idx], resid[idx], method[idx], reason[idx] = x, ok, r, m, why
        g, jac = growth_rate(ls, p, x, ritz) if ok else (float("nan"), None)
        growth[idx] = g
        dyn[idx] = None
        if dynamics and ok and not g < 0:
            budget = sv.dynamics_steps if dynamics_time is None else None
            dyn[idx] = dynamics_near(ls, p, x, jac, dynamics_time, max_steps=budget)[0]
        if progress is not None:
            progress(count + 1, total)
    obs = ls.observables(xs, pgrid)
    verdict = ls.admissibility.check(ls.compiled.unpack(xs), ls.atom_counts(pgrid))
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
        physical=verdict.physical & conv,
        violation=np.where(conv, verdict.violation, "no fixed point"),
        violated=np.where(conv, verdict.which, -2),
        reason=reason,
        dynamics=dyn,
        groups=getattr(ls, "groups", 1),
    )


__all__ = [
    "N_START",
    "TOL",
    "Dynamics",
    "LaserSteadyState",
    "SteadySolver",
    "Track",
    "dynamics_near",
    "growth_rate",
    "steady_state",
    "summarize_dynamics",
    "track",
    "uncoupled_state",
]
