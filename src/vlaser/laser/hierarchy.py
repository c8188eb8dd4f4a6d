"""Between cumulant orders: lift a solution of order k to the variables of order k + 1,
and the steady state of order k + 1 by continuation from that of order k.

**Lift.** The order-(k+1) system holds every average of the order-k system plus
averages of order k + 1 (and possibly lower-order ones that order k never reaches).
An order-k solution says nothing about the cumulants of order k + 1; the closure of
order k sets them to zero. So every extra average starts at its cumulant-factorized
value: ⟨M⟩ expanded to order k (:func:`vlaser.cumulants.expand.expand_poly`) and
evaluated with the order-k averages, recursively for any factor the order-k system
does not hold (an average of order 1 that it lacks is 0). The lifted point then
satisfies every order-(k+1) equation whose right-hand side needs only order-k
cumulants, and the rest up to the (k+1)-th cumulants.

**Continuation.** From the lifted point x0, Newton on the order-(k+1) equations
f(x) = 0 (analytic Jacobian). If it does not converge to an admissible point close to
x0, the Newton homotopy H(x, s) = f(x) − (1 − s) f(x0) is tracked from s = 0 (x0 is
the solution) to s = 1 (the order-(k+1) fixed point), with a secant predictor,
adaptive steps and Newton correctors on ∂H/∂x = ∂f/∂x: it follows the fixed point
that order k + 1 makes of the order-k one, the same branch, rather than whichever
root a continuation in g finds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from vlaser.laser.equations import LaserSystem
    from vlaser.laser.steady import SteadySolver


@dataclass(frozen=True)
class Lift:
    """Polynomial map from the averages u of a lower-order system to those of a
    higher one: ``u_hi[k] = Σ_t coef[t] · Π_d v[vars[t, d]]`` over the terms t with
    ``target[t] = k``, where ``v = (1, u_lo, conj(u_lo))``.

    Attributes:
        target: Higher-order average of each term.
        coef: Integer coefficient of each term.
        vars: ``(T, degree)`` indices into v (0 pads).
        n_hi: Number of higher-order averages.
    """

    target: np.ndarray
    coef: np.ndarray
    vars: np.ndarray
    n_hi: int

    @functools.cached_property
    def _sum(self) -> np.ndarray:
        """``(T, n_hi)`` 0/1 matrix summing the terms into their averages."""
        m = np.zeros((self.target.size, self.n_hi))
        m[np.arange(self.target.size), self.target] = 1.0
        return m

    def __call__(self, u_lo: np.ndarray) -> np.ndarray:
        """Higher-order complex averages ``(..., n_hi)`` from ``u_lo`` ``(..., n_lo)``."""
        u_lo = np.asarray(u_lo, complex)
        v = np.concatenate([np.ones(u_lo.shape[:-1] + (1,)), u_lo, np.conj(u_lo)], axis=-1)
        terms = self.coef * np.prod(v[..., self.vars], axis=-1)
        return terms @ self._sum


def build_lift(lo: LaserSystem, hi: LaserSystem) -> Lift:
    """The :class:`Lift` from ``lo`` (order k) to ``hi`` (order > k), same model.

    Raises:
        ValueError: If ``lo`` is not of lower order than ``hi``.
    """
    if lo.order >= hi.order:
        raise ValueError("the lift goes from a lower to a higher order")
    return _build_lift(lo, hi)


@functools.lru_cache(maxsize=8)
def _build_lift(lo: LaserSystem, hi: LaserSystem) -> Lift:
    from vlaser.cumulants.expand import average_info, expand_poly

    lo_sys = lo.system
    n_lo = lo_sys.count
    where = {m: k for k, m in enumerate(lo_sys.averages)}

    @functools.cache
    def poly(mono, k: int) -> tuple[tuple[tuple[int, ...], int], ...]:
        """⟨mono⟩ (representative) in order-k cumulants of lo, as v-index products."""
        if mono in where:
            return (((1 + where[mono],), 1),)
        if mono.order <= 1 or k < 1:
            return ()
        out: dict[tuple[int, ...], int] = {}
        for syms, c in expand_poly(mono, min(k, mono.order - 1)):
            prod: dict[tuple[int, ...], int] = {(): c}
            for s in syms:
                info = average_info(s)
                sub = poly(info.monomial, k)
                if info.conjugate:  # ⟨M†⟩ = conj⟨M⟩: swap u <-> ū slots
                    sub = tuple(
                        (tuple(i + n_lo if 0 < i <= n_lo else i - n_lo for i in key), cc)
                        for key, cc in sub
                    )
                nxt: dict[tuple[int, ...], int] = {}
                for ka, ca in prod.items():
                    for kb, cb in sub:
                        key = tuple(sorted(ka + kb))
                        nxt[key] = nxt.get(key, 0) + ca * cb
                prod = nxt
            for key, cc in prod.items():
                out[key] = out.get(key, 0) + cc
        return tuple((key, cc) for key, cc in out.items() if cc != 0)

    rows: list[tuple[int, int, tuple[int, ...]]] = []
    for k, mono in enumerate(hi.system.averages):
        for key, c in poly(mono, lo.order):
            rows.append((k, c, key))
    deg = max((len(r[2]) for r in rows), default=1)
    vars_ = np.zeros((len(rows), deg), dtype=np.intp)
    for t, (_k, _c, key) in enumerate(rows):
        vars_[t, : len(key)] = key
    return Lift(
        np.array([r[0] for r in rows], dtype=np.intp),
        np.array([r[1] for r in rows], dtype=float),
        vars_,
        hi.count,
    )


def lift(lo: LaserSystem, hi: LaserSystem, x_lo: np.ndarray) -> np.ndarray:
    """Real variables of ``hi`` from those of ``lo`` (see the module docstring)."""
    u_hi = build_lift(lo, hi)(lo.compiled.unpack(x_lo))
    return hi.compiled.pack(u_hi)


@dataclass
class Homotopy:
    """Outcome of :func:`newton_homotopy`.

    Attributes:
        x: The last accepted point (the fixed point if ``ok``).
        ok: Reached s = 1 with a converged corrector.
        residual: max|f| at ``x``.
        steps: Steps taken (accepted and refused).
        s: Homotopy parameter reached.
    """

    x: np.ndarray
    ok: bool
    residual: float
    steps: int
    s: float


def newton_homotopy(
    kern,
    x0: np.ndarray,
    tol: float,
    max_steps: int = 200,
    max_newton: int = 15,
    max_jump: float = 0.25,
    accept=None,
) -> Homotopy:
    """Track H(x, s) = f(x) − (1 − s) f(x0) = 0 from s = 0 (x = x0) to s = 1.

    Args:
        kern: A :class:`~vlaser.cumulants.compile.PointKernel` (f and its Jacobian).
        x0: Start (real variables).
        tol: Corrector tolerance: max|H| <= tol · (1 + max|x|).
        max_steps: Budget of steps.
        max_newton: Newton iterations per corrector.
        max_jump: Largest accepted corrector move relative to 1 + max|x|.
        accept: Optional ``accept(x) -> bool`` every accepted point must pass.
    """
    x = np.asarray(x0, float).copy()
    f0 = kern.rhs(x)
    x_prev: np.ndarray | None = None
    s, ds, ds_prev = 0.0, 1.0, 1.0
    steps = 0
    res = float(np.max(np.abs(f0)))
    while s < 1.0 and steps < max_steps:
        steps += 1
        ds = min(ds, 1.0 - s)
        s_new = s + ds
        pred = x if x_prev is None else x + (x - x_prev) * (ds / ds_prev)
        y = pred.copy()
        ok = False
        its = 0
        for its in range(1, max_newton + 1):  # noqa: B007
            h = kern.rhs(y) - (1.0 - s_new) * f0
            r = float(np.max(np.abs(h)))
            if not np.isfinite(r):
                break
            if r <= tol * (1.0 + float(np.max(np.abs(y)))):
                ok = True
                break
            try:
                step = np.linalg.solve(kern.jac(y), -h)
            except np.linalg.LinAlgError:
                break
            y = y + step
        scale = 1.0 + float(np.max(np.abs(x)))
        good = (
            ok
            and float(np.max(np.abs(y - pred))) <= max_jump * scale
            and (accept is None or accept(y))
        )
        if good:
            x_prev, x = x, y
            s, ds_prev = s_new, ds
            res = float(np.max(np.abs(kern.rhs(x)))) if s >= 1.0 else r
            if its <= 4:
                ds *= 2.0
        else:
            ds *= 0.25
            if ds < 1e-9:
                break
    return Homotopy(x, s >= 1.0, res, steps, s)


def lower_system(ls: LaserSystem) -> LaserSystem:
    """The system one order below ``ls`` (same N, same filter)."""
    from vlaser.laser.equations import laser_equations

    return laser_equations(ls.order - 1, ls.n_atoms, phase_invariant=ls.phase_invariant)


def from_lower_order(
    ls: LaserSystem,
    p: np.ndarray,
    solver: SteadySolver,
    x_lo: np.ndarray | None = None,
) -> tuple[np.ndarray, bool, float, str, str]:
    """Fixed point of ``ls`` (order >= 2) continued from the order below.

    Args:
        ls: The system (one group of atoms).
        p: One parameter point.
        solver: Budgets and tolerance (:class:`~vlaser.laser.steady.SteadySolver`).
        x_lo: The lower-order fixed point at ``p`` (default: solved here).

    Returns:
        ``(x, converged, residual, method, reason)`` as
        :func:`vlaser.laser.steady._solve_point`; ``method`` is ``"order-k+newton"``
        or ``"order-k+homotopy"`` (k the lower order), ``reason`` says why it failed.
    """
    from vlaser.laser.steady import _physical, _solve_point

    lo = lower_system(ls)
    k = lo.order
    if x_lo is None:
        x_lo, ok, _r, _m, why = _solve_point(lo, p, solver=solver)
        if not ok:
            return x_lo, False, float("nan"), "failed", f"order {k}: {why}"
    x0 = lift(lo, ls, x_lo)
    kern = ls.compiled.point(p)
    x, ok, res, _it = kern.newton(x0, tol=solver.tol, maxiter=solver.max_newton)
    scale = 1.0 + float(np.max(np.abs(x0)))
    if ok and _physical(ls, x) and float(np.max(np.abs(x - x0))) <= 0.25 * scale:
        return x, True, res, f"order-{k}+newton", ""
    hom = newton_homotopy(
        kern,
        x0,
        solver.tol,
        max_steps=min(solver.max_steps, 400),
        max_newton=solver.max_newton,
        accept=lambda y: _physical(ls, y),
    )
    if hom.ok:
        x, ok, res, _it = kern.newton(hom.x, tol=solver.tol, maxiter=solver.max_newton)
        if ok:
            return x, True, res, f"order-{k}+homotopy", ""
    return (
        hom.x,
        False,
        hom.residual,
        "failed",
        f"continuation from order {k} stopped at s = {hom.s:.4g} after {hom.steps} steps",
    )


__all__ = [
    "Homotopy",
    "Lift",
    "build_lift",
    "from_lower_order",
    "lift",
    "lower_system",
    "newton_homotopy",
]
