"""Time integration of a compiled cumulant system (adaptive Dormand–Prince 5(4) in numba).

**Why explicit.** The laser's equations are oscillatory rather than stiff: the
Jacobian's eigenvalues reach |λ| ≈ 12 (order 2) to 19 (order 3) Γ3, mostly as
rotations at multiples of the pump detuning Δ2 = 5, while the slow physics runs on
1/κ and 1/Γ2 (10²-10⁴/Γ3). An unstable fixed point or a limit cycle keeps oscillations
at ≈ Δ2 alive over the whole run, so any integrator must resolve them: an implicit
method would pay a Jacobian factorization per step for no larger step. An explicit
5(4) pair with error control, compiled, with the right-hand side evaluated from
shared products (:mod:`vlaser.cumulants._integrate`), is the cheapest accurate choice.
Measured on the order-3 limit cycle (N = 50000, ν = 10Γ2, cavity frame, rtol 1e-6): the
mean step is 1/5 (dp5) and 1/4 (dop853) of the linear stability limit along the cycle,
so the steps are set by accuracy; n itself (charge 0, untouched by any frame) oscillates
at ≈ Δ2, and per-average frames (each average rotated at its own dominant frequency)
did not lengthen the steps either.

**Samples.** The state is stored at the requested times; for each interval between
samples the integrator also records the time average (cubic Hermite quadrature over its
steps, from the values and slopes at both ends: error O(h⁵) per step) and
the extremes of n = ⟨a†a⟩ and |⟨a⟩|², so that a coarse trace still gives exact time
averages and oscillation envelopes, and a ring buffer of (t, n) after the last
accepted steps gives the period of a fast oscillation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vlaser.cumulants.compile import CompiledSystem

#: Length of the (t, n) ring buffer of the last accepted steps.
TAIL = 8192


@dataclass(frozen=True)
class SharedTables:
    """Right-hand side as shared products (see :func:`shared_tables`).

    Attributes:
        pre, last: Product u is ``P[pre[u]] · v[last[u]]`` (u = 0 is the constant 1).
        coef_index: Coefficient (index into c(p)) of each group of terms.
        grp: Terms of group g are ``grp[g]:grp[g+1]`` (one equation, one coefficient).
        prod: Product of each term.
        eq_ptr: Groups of equation k are ``eq_ptr[k]:eq_ptr[k+1]``.
    """

    pre: np.ndarray
    last: np.ndarray
    coef_index: np.ndarray
    grp: np.ndarray
    prod: np.ndarray
    eq_ptr: np.ndarray


def shared_tables(cs: CompiledSystem) -> SharedTables:
    """The :class:`SharedTables` of a compiled system (computed once per system)."""
    cached = cs.__dict__.get("_shared_tables")
    if cached is None:
        cached = _shared(cs)
        cs.__dict__["_shared_tables"] = cached
    return cached


def _shared(cs: CompiledSystem) -> SharedTables:
    t = cs.tables
    fp, fi, fwr, _fwi, *_ = cs.kernel_arrays
    eq_of_row = np.full(cs.n_real, -1, dtype=np.int64)
    eq_of_row[cs._re_of] = np.arange(cs.count)
    n_terms = t.f_coef.size
    eq = np.empty(n_terms, dtype=np.int64)
    for k in range(n_terms):  # the real part of term k lands on its equation's re row
        rows = fi[fp[k] : fp[k + 1]]
        w = fwr[fp[k] : fp[k + 1]]
        eq[k] = eq_of_row[rows[np.nonzero(w)[0][0]]]
    products: dict[tuple[int, ...], int] = {(): 0}
    pre, last = [0], [0]

    def index(key: tuple[int, ...]) -> int:
        got = products.get(key)
        if got is not None:
            return got
        p = index(key[:-1])
        products[key] = len(pre)
        pre.append(p)
        last.append(key[-1])
        return products[key]

    prod = np.empty(n_terms, dtype=np.int64)
    for k in range(n_terms):
        key = tuple(int(j) for j in t.f_vars[k] if j != 0)
        prod[k] = index(key)
    order = np.lexsort((prod, t.f_coef, eq))  # by equation, then coefficient
    eq_s, c_s = eq[order], t.f_coef[order]
    new = np.ones(n_terms, dtype=bool)
    new[1:] = (eq_s[1:] != eq_s[:-1]) | (c_s[1:] != c_s[:-1])
    starts = np.nonzero(new)[0]
    grp = np.append(starts, n_terms)
    eq_ptr = np.zeros(cs.count + 1, dtype=np.int64)
    np.add.at(eq_ptr, eq_s[starts] + 1, 1)
    return SharedTables(
        np.array(pre, dtype=np.int64),
        np.array(last, dtype=np.int64),
        c_s[starts].astype(np.int64),
        grp.astype(np.int64),
        prod[order],
        np.cumsum(eq_ptr),
    )


@dataclass
class Integration:
    """Result of :func:`integrate`.

    Attributes:
        t: Sample times reached (1/Γ3), ``(S,)``.
        x: States at the samples, ``(S, n_real)`` (NaN beyond a stop).
        stats: Per interval ending at each sample: time-mean, min, max of n, then of
            |⟨a⟩|², ``(S, 6)``.
        tail_t, tail_n: (t, n) after the last accepted steps (time order).
        steps: Steps taken (accepted and rejected).
        evaluations: Right-hand-side evaluations.
        status: ``"done"``, ``"step budget spent"``, ``"blew up"``, ``"step size
            underflow"``.
        t_reached: Where the integration stopped.
    """

    t: np.ndarray
    x: np.ndarray
    stats: np.ndarray
    tail_t: np.ndarray
    tail_n: np.ndarray
    steps: int
    evaluations: int
    status: str
    t_reached: float


#: Runge–Kutta pairs: ``"dp5"`` Dormand–Prince 5(4) (scipy's RK45), ``"dop853"``.
METHODS = ("dp5", "dop853")


@functools.cache
def _tableau(method: str) -> tuple:
    """``(A, B, C, E5, E3, error order)`` of a pair, from scipy's coefficients."""
    if method == "dop853":
        from scipy.integrate._ivp import dop853_coefficients as dc

        s = dc.N_STAGES
        return (
            np.ascontiguousarray(dc.A[:s, :s]),
            np.ascontiguousarray(dc.B),
            np.ascontiguousarray(dc.C[:s]),
            np.ascontiguousarray(dc.E5),
            np.ascontiguousarray(dc.E3),
            7.0,
        )
    if method == "dp5":
        from scipy.integrate import RK45

        e = np.ascontiguousarray(RK45.E, dtype=float)
        return (
            np.ascontiguousarray(RK45.A, dtype=float),
            np.ascontiguousarray(RK45.B, dtype=float),
            np.ascontiguousarray(RK45.C, dtype=float),
            e,
            np.zeros_like(e),
            float(RK45.error_estimator_order),
        )
    raise ValueError(f"unknown method {method!r}; one of {METHODS}")


def _rotate(cs: CompiledSystem, x: np.ndarray, charge: np.ndarray, phase: float, sign: int):
    """Real variables with each average multiplied by e^{sign·i·m·phase}."""
    u = cs.unpack(x) * np.exp(sign * 1j * charge * phase)
    return cs.pack(u)


_STATUS = {0: "done", 1: "step budget spent", 2: "blew up", 3: "step size underflow"}


class _Bound:
    """The shared-product right-hand side bound to one parameter point: the table
    arguments every numba kernel of :mod:`vlaser.cumulants._integrate` takes
    (``args``), and the RHS itself for one state (equations' own frame)."""

    def __init__(self, cs: CompiledSystem, p: np.ndarray) -> None:
        from vlaser.cumulants import _integrate

        self._kernel = _integrate.rhs_shared
        st = shared_tables(cs)
        coef = np.asarray(cs.coefficients1(np.asarray(p, float).ravel()), dtype=complex)
        re_of = cs._re_of.astype(np.int64)
        im_of = np.full(cs.count, -1, dtype=np.int64)
        im_of[cs._cplx] = cs._im_of_cplx
        self.args = (
            re_of, im_of, st.pre, st.last, np.ascontiguousarray(coef[st.coef_index]),
            st.grp, st.prod, st.eq_ptr,
        )  # fmt: skip
        self._v = np.empty(2 * cs.count + 1, dtype=np.complex128)
        self._pv = np.empty(st.pre.size, dtype=np.complex128)

    def rhs(self, x: np.ndarray) -> np.ndarray:
        """f(x), real ``(n_real,)``."""
        out = np.empty(np.shape(x)[-1])
        self._kernel(np.ascontiguousarray(x, dtype=float), *self.args, self._v, self._pv, out)
        return out

    def first_step(self, x: np.ndarray, scale: float, room: float) -> float:
        """A first trial step: a small fraction of the fastest rate scale at ``x``,
        within [1e-6, ``room``]."""
        h = 1e-3 * scale / max(float(np.max(np.abs(self.rhs(x)))), 1e-12)
        return float(min(max(h, 1e-6), room))


def _new_tail() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An empty (t, n) ring buffer of :data:`TAIL` steps and its write position."""
    return np.full(TAIL, np.nan), np.full(TAIL, np.nan), np.zeros(1, dtype=np.int64)


def _tail_in_order(
    tail_t: np.ndarray, tail_n: np.ndarray, tail_pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The ring buffer's entries in time order."""
    pos = int(tail_pos[0])
    if pos >= TAIL:
        roll = pos % TAIL
        return np.roll(tail_t, -roll), np.roll(tail_n, -roll)
    return tail_t[:pos], tail_n[:pos]


def integrate(
    cs: CompiledSystem,
    p: np.ndarray,
    x0: np.ndarray,
    times: np.ndarray,
    *,
    t0: float = 0.0,
    rtol: float = 1e-7,
    atol: float | None = None,
    max_steps: int = 50_000_000,
    blowup: float | None = None,
    observables: tuple[int, int, int, int, int] = (-1, -1, -1, -1, -1),
    progress: Callable[[float], None] | None = None,
    segments: int = 100,
    charges: np.ndarray | None = None,
    omega: float = 0.0,
    method: str = "dp5",
) -> Integration:
    """Integrate dx/dt = f(x; p) from (t0, x0) through ``times``.

    Args:
        cs: The compiled system.
        p: One parameter point ``(n_params,)``.
        x0: Initial real variables.
        times: Sample times (increasing, all > t0), 1/Γ3.
        t0: Start time.
        rtol: Relative tolerance per step.
        atol: Absolute tolerance (default ``rtol · 1e-3 · (1 + max|x0|)``).
        max_steps: Step budget (accepted + rejected).
        blowup: Stop when max|x| exceeds it (default ``1e6 · (1 + max|x0|)`` and at
            least 1e12).
        observables: Real-variable indices ``(n, Re⟨a⟩, Im⟨a⟩, ⟨σ22⟩, ⟨σ33⟩)`` (-1:
            absent) for the interval statistics.
        progress: Called with the time reached after each segment.
        segments: The samples are integrated in this many kernel calls (progress).
        charges: Charge m of each average (ints); with ``omega`` the equations are
            integrated in the frame rotating at ω per unit charge, y = x·e^{i m ω t}
            (the samples are returned in the original frame).
        omega: Frame frequency ω (Γ3); 0: the equations' own frame.
        method: Runge–Kutta pair, one of :data:`METHODS`.

    Returns:
        An :class:`Integration`.
    """
    from vlaser.cumulants import _integrate

    bound = _Bound(cs, p)
    x = np.ascontiguousarray(x0, dtype=float)
    times = np.asarray(times, float)
    scale = 1.0 + float(np.max(np.abs(x)))
    atol_v = float(rtol * 1e-3 * scale if atol is None else atol)
    blow = float(max(1e12, 1e6 * scale) if blowup is None else blowup)
    obs = np.asarray(observables, dtype=np.int64)
    charge = (
        np.zeros(cs.count, dtype=np.int64)
        if charges is None
        else np.asarray(charges, dtype=np.int64)
    )
    omega = float(omega)
    if omega != 0.0:
        x = _rotate(cs, x, charge, omega * t0, +1)
    tail_t, tail_n, tail_pos = _new_tail()
    xs = np.full((times.size, x.size), np.nan)
    stats = np.full((times.size, 6), np.nan)
    h = bound.first_step(x, scale, times[0] - t0 if times.size else 1.0)
    t = float(t0)
    steps = evals = 0
    status = 0
    bounds = np.linspace(0, times.size, min(segments, times.size) + 1).astype(int)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b <= a:
            continue
        seg_x, seg_stats, h, s, e, status, t = _integrate.erk(
            x,
            t,
            times[a:b],
            h,
            float(rtol),
            atol_v,
            int(max_steps - steps),
            blow,
            *bound.args,
            obs,
            tail_t,
            tail_n,
            tail_pos,
            charge,
            omega,
            *_tableau(method),
        )
        xs[a:b] = seg_x
        stats[a:b] = seg_stats
        steps += int(s)
        evals += int(e)
        done = np.nonzero(np.isfinite(seg_x[:, 0]))[0]
        if done.size:
            x = np.ascontiguousarray(seg_x[done[-1]])
        if progress is not None:
            progress(float(t))
        if status != 0:
            break
    if omega != 0.0:
        for k in range(times.size):
            xs[k] = _rotate(cs, xs[k], charge, omega * times[k], -1)
    tt, tn = _tail_in_order(tail_t, tail_n, tail_pos)
    return Integration(times, xs, stats, tt, tn, steps, evals, _STATUS[int(status)], float(t))


__all__ = ["METHODS", "TAIL", "Integration", "SharedTables", "integrate", "shared_tables"]
