"""Stroboscopic projective integration: long runs of a fast oscillation with a slow envelope.

On a limit cycle, or a slowly growing or decaying oscillation, every average repeats
itself after one period T up to a slow change: the stroboscopic sequence
x_k = x(t_w + kT) varies on the envelope's time scale (here 10²-10⁴ periods), while
resolving the oscillation costs ~70 right-hand-side evaluations per period (see
:mod:`vlaser.cumulants.integrate`). Projective integration (Gear & Kevrekidis, SIAM J.
Sci. Comput. 24, 1091 (2003)) integrates a window of a few periods exactly (the
explicit Runge–Kutta pair of :mod:`vlaser.cumulants.integrate`, same tolerance), takes
the last period's change s = x_K − x_{K−1}, and jumps M whole periods ahead; then the
next window, and so on. Two kinds of jump:

* **projective forward Euler** (PFE), x_{K+M} = x_K + M s, with ``inner + 1`` periods
  per window. Between the slow envelope (rates ≲ 10⁻² Γ3) and the fast relaxation
  (≳ 0.3 Γ3) the laser has modes with rates 0.03-0.2 Γ3 (stroboscopic multipliers
  μ = e^{λT} ≈ 0.8-0.96); a jump multiplies such a mode by μ + M(μ − 1) and a window by
  μ^inner, so PFE is stable where |μ^inner (μ + M(μ − 1))| < 1 for every μ in (0, 1):
  with ``inner = 10`` up to ``M = 30`` (worst factor 0.75 near μ = 0.86). That caps its
  gain near (M + inner + 1)/(inner + 1) ≈ 3.7.
* **linearised stroboscopic map** (``floquet``): once PFE's control allows
  2·``min_jump`` periods, the map's Jacobian A (the monodromy matrix, by one-sided
  differences: n_real + 1 one-period integrations) is eigen-decomposed, A = VΛV⁻¹, and
  the jump is the linear envelope's exact sum x_{K+M} = x_K + Σ_{j=1..M} A^j s, each mode
  weighted by λ(λ^M − 1)/(λ − 1) instead of M: decaying modes saturate at λ/(1 − λ),
  so M is limited only by how well the linearisation predicts (windows of
  ``floquet_inner + 1`` periods, jumps up to ``floquet_max_jump``). The mode along the
  flow (λ = 1, the phase of the oscillation) is left out of every jump. It is dropped
  (and retried after :data:`FLOQUET_RETRY` periods) when three jumps in a row miss.

**Jump control and rejection.** A window after a jump measures its slope s'; the jump's
local error is ½ M² (s' − s)/(M + inner + 1) (PFE) or ½ M (s' − A^{M+inner+1} s)/(inner
+ 1) (linearised), in the norm ``rms(e_i / (tol·max(|x_i|, 10⁻³·max|x|)))``; the next M
is M·0.9·err^(−1/2), at most doubling, within [0, cap]; jumps below ``min_jump`` are not
taken (the window is integrated instead, and a probe error for ``min_jump`` decides the
next). A jump whose error exceeds :data:`REJECT` or whose window blows up is undone and
the stretch integrated. The last ``final`` periods are integrated without jumps.

**Period and phase.** T starts from the run itself: the largest Fourier peak of n over
the ``warmup`` periods integrated first (guess ``period``), lifted to the fundamental
(:func:`fundamental_period`) and refined by the shift that maps n onto itself
(:func:`shift_period`). After every window the phase condition splits the slope into
motion along the orbit and the envelope: s = f(x_K) δ + s⊥ (least squares in the norm
above; f the right-hand side), T ← T − δ (δ = T − T_true; at most 2 % per window), and
only s⊥ is extrapolated. Where n does not oscillate, T stays at the guess: the
stroboscopic sequence is then the slow motion sampled every T, and the same control
applies.

**Samples and interval statistics.** A sample inside a jumped stretch is taken from the
next window at the same phase, j whole periods later, minus the envelope's change over
those j periods (j·s or Σ A^i s). Inside the windows the time averages and extremes of
n and |⟨a⟩|² are exact (as :func:`~vlaser.cumulants.integrate.integrate`), except that
the first half of a window after a jump (settling) does not count for extremes; over a
jumped stretch they come from the settled periods on both sides (mean: average of the
two period means; extremes: the extremes of the two). A sample interval's values combine
its pieces weighted by their durations. Irregular motion (bursts) is not resolved by
jumps: its extremes and class are then approximate (``vlaser.laser.dynamics`` says so).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vlaser.cumulants.compile import CompiledSystem
from vlaser.cumulants.integrate import (
    _STATUS,
    Integration,
    _Bound,
    _new_tail,
    _rotate,
    _tableau,
    _tail_in_order,
)


@dataclass(frozen=True)
class Projective:
    """Settings of the stroboscopic projective integration (module docstring).

    Attributes:
        inner: Periods integrated exactly after every jump (>= 2); the last one's
            change is the slope of the next jump.
        max_jump: Largest jump, periods (>= 1).
        tol: Relative local error allowed per jump (the envelope's tolerance).
        warmup: Periods integrated exactly at the start (period detection).
        final: Periods integrated exactly at the end (>= 16: the period of n).
        min_jump: Smallest jump taken (periods); shorter allowed jumps are integrated.
        floquet: Switch to the linearised stroboscopic map (the monodromy matrix) once
            the envelope allows jumps of 2·``min_jump``.
        floquet_inner: Periods per window in that mode (>= 2).
        floquet_max_jump: Largest jump in that mode (periods).
    """

    inner: int = 10
    max_jump: int = 30
    tol: float = 1e-4
    warmup: int = 32
    final: int = 64
    min_jump: int = 3
    floquet: bool = True
    floquet_inner: int = 3
    floquet_max_jump: int = 5000

    def __post_init__(self) -> None:
        from vlaser.errors import ParameterError

        def whole(name: str, value: object, low: int) -> None:
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ParameterError(name, value, f"a whole number >= {low}")

        whole("inner", self.inner, 2)
        whole("max_jump", self.max_jump, 1)
        whole("min_jump", self.min_jump, 1)
        whole("floquet_inner", self.floquet_inner, 2)
        whole("floquet_max_jump", self.floquet_max_jump, 1)
        whole("warmup", self.warmup, 4)
        whole("final", self.final, 16)
        t = self.tol
        if not (isinstance(t, int | float) and math.isfinite(t) and 0 < t < 1):
            raise ParameterError("tol", t, "a number in (0, 1)")


@dataclass
class ProjectiveIntegration(Integration):
    """:class:`~vlaser.cumulants.integrate.Integration` of a projective run.

    Attributes:
        jumps: Jumps taken.
        jumped_time: Time covered by jumps (1/Γ3); the rest was integrated.
        period: The stroboscopic period T at the end (1/Γ3).
        rejected: Jumps undone (error above :data:`REJECT` or a blow-up) and integrated.
    """

    jumps: int = 0
    jumped_time: float = 0.0
    period: float = float("nan")
    rejected: int = 0


#: A refined period is taken only within this fraction of the previous one.
PERIOD_CHANGE = 0.02


def _detrended(t: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Finite samples of n(t) minus their least-squares line, or ``None`` (too few or
    no motion left)."""
    ok = np.isfinite(t) & np.isfinite(n)
    tt, nn = t[ok], n[ok]
    if tt.size < 16 or tt[-1] <= tt[0]:
        return None
    y = nn - np.polyval(np.polyfit(tt - tt[0], nn, 1), tt - tt[0])
    if np.max(np.abs(y)) <= 1e-12 * max(1.0, float(np.max(np.abs(nn)))):
        return None
    return tt, y


def dominant_period(t: np.ndarray, n: np.ndarray, detrend: bool = True) -> float | None:
    """Dominant period of a trace n(t) sampled at increasing, uneven times: the largest
    Fourier peak of the uniformly resampled trace, less its mean (and, with
    ``detrend``, its least-squares line), Hann window; ``None`` without a full
    oscillation (or with fewer than 16 finite samples, or no motion left)."""
    ok = np.isfinite(t) & np.isfinite(n)
    tt, nn = t[ok], n[ok]
    if tt.size < 16 or tt[-1] <= tt[0]:
        return None
    y = nn - np.polyval(np.polyfit(tt - tt[0], nn, 1), tt - tt[0]) if detrend else nn
    grid = np.linspace(tt[0], tt[-1], 4 * tt.size)
    yy = np.interp(grid, tt, y)
    yy = yy - yy.mean()
    if np.max(np.abs(yy)) <= 1e-12 * max(1.0, float(np.max(np.abs(nn)))):
        return None
    spec = np.abs(np.fft.rfft(yy * np.hanning(yy.size)))
    freqs = np.fft.rfftfreq(yy.size, d=float(grid[1] - grid[0]))
    j = int(np.argmax(spec[1:])) + 1
    if j <= 1:  # no full oscillation in the trace
        return None
    return float(1.0 / freqs[j])


def fundamental_period(t: np.ndarray, n: np.ndarray, found: float) -> float:
    """The period of n(t) as a whole: of the candidates m·``found`` (m = 1..4; the
    largest Fourier peak may be a harmonic), the smallest whose shift reproduces the
    detrended trace, rms(n(t) − n(t − P)) within 1.5× the best candidate's."""
    got = _detrended(t, n)
    if got is None:
        return found
    tt, y = got
    span = float(tt[-1] - tt[0])
    grid = np.linspace(tt[0], tt[-1], 4 * tt.size)
    yy = np.interp(grid, tt, y)
    ref = float(np.sqrt(np.mean(yy**2)))
    if ref == 0.0:
        return found
    mism = []
    for m in range(1, 5):
        p_m = m * found
        if p_m > 0.5 * span:
            break
        sel = grid >= grid[0] + p_m
        back = np.interp(grid[sel] - p_m, grid, yy)
        mism.append(float(np.sqrt(np.mean((yy[sel] - back) ** 2))) / ref)
    if not mism:
        return found
    best = min(mism)
    m = next(i for i, r in enumerate(mism, start=1) if r <= 1.5 * best + 1e-12)
    return m * found


#: A jump whose estimated error exceeds this many tolerances is undone and integrated.
REJECT = 4.0

#: Windows without a jump after which the period is detected again.
REDETECT = 20

#: Periods between attempts at the stroboscopic map's linearisation.
FLOQUET_RETRY = 1000


def shift_period(
    t: np.ndarray, n: np.ndarray, guess: float, within: float = PERIOD_CHANGE
) -> float | None:
    """The shift P within ``within`` (relative) of ``guess`` that best maps the
    detrended trace onto itself: the minimum of rms(y(t) − y(t − P)) (traces
    interpolated linearly onto a uniform grid, 81 candidates, parabola through the best
    three); ``None`` if the minimum lies on the edge of the range or the trace spans
    less than two periods."""
    got = _detrended(t, n)
    if got is None:
        return None
    tt, y = got
    if tt[-1] - tt[0] < 2.0 * guess * (1 + within):
        return None
    grid = np.linspace(tt[0], tt[-1], 8 * tt.size)
    yy = np.interp(grid, tt, y)
    cand = guess * (1.0 + within * np.linspace(-1.0, 1.0, 81))
    start = grid[0] + cand[-1]
    sel = grid >= start
    mism = np.array([np.mean((yy[sel] - np.interp(grid[sel] - p, grid, yy)) ** 2) for p in cand])
    k = int(np.argmin(mism))
    if k == 0 or k == cand.size - 1:
        return None
    y0, y1, y2 = mism[k - 1], mism[k], mism[k + 1]
    curv = y0 - 2.0 * y1 + y2
    off = 0.5 * (y0 - y2) / curv if curv > 0 else 0.0
    return float(cand[k] + off * (cand[1] - cand[0]))


@dataclass
class _Piece:
    """A stretch [ta, tb] of the run with its n and |⟨a⟩|² statistics."""

    ta: float
    tb: float
    stats: np.ndarray  # (6,): mean, min, max of n, then of |<a>|^2 (NaN: to fill)
    clean: bool = True  # not in the settling periods right after a jump


def integrate_projective(
    cs: CompiledSystem,
    p: np.ndarray,
    x0: np.ndarray,
    times: np.ndarray,
    *,
    t0: float = 0.0,
    rtol: float = 1e-6,
    period: float = 1.0,
    settings: Projective | None = None,
    max_steps: int = 50_000_000,
    observables: tuple[int, int, int, int, int] = (-1, -1, -1, -1, -1),
    progress: Callable[[float], None] | None = None,
    charges: np.ndarray | None = None,
    omega: float = 0.0,
    method: str = "dp5",
) -> ProjectiveIntegration:
    """Integrate dx/dt = f(x; p) from (t0, x0) through ``times`` by stroboscopic
    projective integration (module docstring).

    Args:
        cs: The compiled system.
        p: One parameter point ``(n_params,)``.
        x0: Initial real variables ``(n_real,)``.
        times: Sample times (increasing, > t0), 1/Γ3.
        t0: Start time.
        rtol: Relative tolerance per Runge–Kutta step inside the windows (absolute:
            ``rtol·1e-3·(1 + max|x0|)``, as :func:`~vlaser.cumulants.integrate.integrate`).
        period: Guess of the oscillation period (1/Γ3); sets the warm-up length.
        settings: :class:`Projective` (defaults if ``None``).
        max_steps: Budget of Runge–Kutta steps.
        observables: ``(n, Re⟨a⟩, Im⟨a⟩, ⟨σ22⟩, ⟨σ33⟩)`` real-variable indices; n is
            needed (its period sets T).
        progress: Called with the time reached after each window.
        charges, omega: Rotating frame of the Runge–Kutta steps (as ``integrate``);
            the jumps act on the states in the equations' own frame, where the
            autonomous motion is periodic.
        method: Runge–Kutta pair (``"dp5"`` or ``"dop853"``).

    Returns:
        A :class:`ProjectiveIntegration` (states at ``times``, interval statistics,
        the last window's (t, n) steps, counts, the final period).
    """
    from vlaser.cumulants import _integrate

    cfg = settings if settings is not None else Projective()
    bound = _Bound(cs, p)
    x = np.ascontiguousarray(x0, dtype=float)
    times = np.asarray(times, float)
    t1 = float(times[-1])
    scale = 1.0 + float(np.max(np.abs(x)))
    atol_v = float(rtol * 1e-3 * scale)
    blow = float(max(1e12, 1e6 * scale))
    obs = np.asarray(observables, dtype=np.int64)
    charge = (
        np.zeros(cs.count, dtype=np.int64) if charges is None else np.asarray(charges, np.int64)
    )
    omega = float(omega)
    tab = _tableau(method)
    state = {"steps": 0, "evals": 0, "h": None}

    def run(xp: np.ndarray, ta: float, tl: np.ndarray):
        """Integrate the pump-frame state ``xp`` from ``ta`` through ``tl``; returns
        (states (pump frame), stats, status, t reached, tail t, tail n)."""
        y = _rotate(cs, xp, charge, omega * ta, +1) if omega != 0.0 else xp.copy()
        if state["h"] is None:
            state["h"] = bound.first_step(xp, scale, tl[0] - ta)
        tail_t, tail_n, tail_pos = _new_tail()
        xs, stats, h, s, e, status, t_at = _integrate.erk(
            y, ta, tl, state["h"], float(rtol), atol_v, int(max_steps - state["steps"]), blow,
            *bound.args, obs, tail_t, tail_n, tail_pos, charge, omega, *tab,
        )  # fmt: skip
        state["h"] = float(h)
        state["steps"] += int(s)
        state["evals"] += int(e)
        if omega != 0.0:
            for k in range(tl.size):
                if np.isfinite(xs[k, 0]):
                    xs[k] = _rotate(cs, xs[k], charge, omega * tl[k], -1)
        tt, tn = _tail_in_order(tail_t, tail_n, tail_pos)
        return xs, stats, int(status), float(t_at), tt, tn

    xs_out = np.full((times.size, x.size), np.nan)
    pieces: list[_Piece] = []
    next_sample = 0  # first sample not yet reached
    t = float(t0)
    status = 0
    tail_t = tail_n = np.empty(0)

    def window(
        ta: float, strobe: np.ndarray, deferred: list[tuple[int, float, int, int]], settle: float
    ) -> np.ndarray | None:
        """Integrate from ``ta`` (state ``x``) through the stroboscopic times ``strobe``,
        the sample times up to the last of them and the ``deferred`` ones (sample index,
        a time j whole periods later at the same phase inside this window, the jump M
        they were skipped by: the sample's state is that state minus the envelope's
        change over those j periods, the last j of the jump); returns the states at
        ``strobe`` (``None`` on a stop). Pieces ending before ``ta + settle`` are
        marked as settling (their extremes are not used)."""
        nonlocal x, t, status, next_sample, tail_t, tail_n
        end = float(strobe[-1])
        j = next_sample
        while j < times.size and times[j] <= end + 1e-12 * max(1.0, abs(end)):
            j += 1
        samp = times[next_sample:j]
        later = np.array([d[1] for d in deferred], float)
        tl = np.union1d(np.union1d(strobe, samp), later)
        xs, stats, status, t_at, tail_t, tail_n = run(x, ta, tl)
        prev = ta
        for k in range(tl.size):
            if not np.isfinite(xs[k, 0]):
                break
            pieces.append(_Piece(prev, float(tl[k]), stats[k].copy(), tl[k] > ta + settle))
            prev = float(tl[k])
        for k, ts in enumerate(samp):
            xs_out[next_sample + k] = xs[int(np.searchsorted(tl, ts))]
        for idx, tp, jj, m_jump in deferred:
            if fq is not None:
                back = fq.power(fq.sum(slope, jj), m_jump - jj)
            else:
                back = jj * slope
            xs_out[idx] = xs[int(np.searchsorted(tl, tp))] - back
        if status != 0:
            t = t_at
            return None
        next_sample = j
        x = np.ascontiguousarray(xs[-1])
        t = float(tl[-1])
        return xs[np.isin(tl, strobe)]

    # warm-up: exact periods, period detection
    T = float(period)
    n_warm = cfg.warmup
    if t0 + (n_warm + cfg.inner + 1 + cfg.final) * T >= t1:
        n_warm = max(1, int(math.ceil((t1 - t0) / T)))
    strobe = np.unique(np.minimum(t0 + T * np.arange(1, n_warm + 1), t1))
    slope = np.zeros_like(x)
    fq: _Floquet | None = None
    got = window(float(t0), strobe, [], 0.0)
    jumps, jumped, rejected = 0, 0.0, 0
    if got is not None and t < t1:
        found = dominant_period(tail_t, tail_n)
        if found is not None and found < 0.5 * (t - t0):
            found = fundamental_period(tail_t, tail_n, found)
            T = shift_period(tail_t, tail_n, found, within=0.1) or found

        def envelope(xk: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
            """(slope without the motion along the orbit, time shift δ, scale) from the
            window's last two stroboscopic states: s = x_K − x_{K−1} ≈ f(x_K)·δ + s⊥,
            δ = T − T_true (phase condition: least squares in the scaled norm)."""
            xe = xk[-1]
            f = bound.rhs(xe)
            sc = cfg.tol * np.maximum(np.abs(xe), 1e-3 * float(np.max(np.abs(xe))))
            sl = xk[-1] - xk[-2]
            ff = float(np.sum((f / sc) ** 2))
            delta = float(np.sum(f * sl / sc**2)) / ff if ff > 0 else 0.0
            return sl - delta * f, delta, sc

        def monodromy(xs0: np.ndarray, ta: float) -> _Floquet | None:
            """The stroboscopic map's Jacobian at ``xs0`` (time ``ta``) by one-sided
            differences, one period per variable (steps from the same first step)."""
            h_keep = state["h"]
            base = run(xs0, ta, np.array([ta + T]))
            if base[2] != 0:
                return None
            p0 = base[0][0]
            big = float(np.max(np.abs(xs0)))
            cols = np.empty((xs0.size, xs0.size))
            for i in range(xs0.size):
                eps = 1e-4 * max(abs(float(xs0[i])), 1e-3 * big, 1e-8)
                xp = xs0.copy()
                xp[i] += eps
                state["h"] = h_keep
                got_i = run(xp, ta, np.array([ta + T]))
                if got_i[2] != 0:
                    state["h"] = h_keep
                    return None
                cols[:, i] = (got_i[0][0] - p0) / eps
            state["h"] = h_keep
            return _Floquet.of(cols, bound.rhs(p0))

        have_slope = False
        m_next = 0  # allowed jump (periods); below cfg.min_jump no jump is taken
        fq_after = float(t0)
        bad = stuck = 0
        last_strobe: np.ndarray | None = None
        while status == 0 and t < t1:
            inner = cfg.floquet_inner if fq is not None else cfg.inner
            if t + (cfg.final + inner + 1) * T >= t1:
                window(t, np.array([t1]), [], 0.0)  # the final stretch: exact, to the end
                break
            if not have_slope:
                got = window(t, t + T * np.arange(1, inner + 2), [], 0.0)
                if got is None:
                    break
                slope, delta, _sc = envelope(got)
                last_strobe = got
                T -= float(np.clip(delta, -PERIOD_CHANGE * T, PERIOD_CHANGE * T))
                have_slope = True
                continue
            if (
                fq is None
                and cfg.floquet
                and m_next >= 2 * cfg.min_jump
                and t >= fq_after
                and last_strobe is not None
            ):
                # at most once per FLOQUET_RETRY periods (it costs n_real + 1 periods)
                fq_after = t + FLOQUET_RETRY * T
                fq = monodromy(np.ascontiguousarray(last_strobe[-1]), t)
                if fq is not None:
                    inner = cfg.floquet_inner
            cap = cfg.floquet_max_jump if fq is not None else cfg.max_jump
            room = int(math.floor((t1 - t) / T)) - cfg.final - inner - 1
            M = min(m_next, cap, room)
            if M < cfg.min_jump:
                M = 0
            # snapshot for a rejected jump
            saved = (x.copy(), t, len(pieces), next_sample)
            jumped_piece = None
            deferred: list[tuple[int, float, int, int]] = []
            if M >= 1:
                end = t + M * T
                while next_sample < times.size and times[next_sample] <= end:
                    ts = float(times[next_sample])
                    jj = int(math.floor((end - ts) / T)) + 1
                    deferred.append((next_sample, ts + jj * T, jj, M))
                    next_sample += 1
                x = x + (fq.sum(slope, M) if fq is not None else M * slope)
                jumped_piece = _Piece(t, end, np.full(6, np.nan), False)
                pieces.append(jumped_piece)
                t = end
            settle = (inner // 2) * T if M >= 1 else 0.0
            before = len(pieces)
            got = window(t, t + T * np.arange(1, inner + 2), deferred, settle)
            new_slope = delta = sc = None
            if got is not None:
                new_slope, delta, sc = envelope(got)
            # error of the jump taken (or of a probe jump of min_jump periods)
            mm = M if M >= 1 else cfg.min_jump
            err = float("inf")
            if new_slope is not None:
                if fq is not None:
                    pred = fq.power(slope, M + inner + 1)
                    e = 0.5 * mm * (new_slope - pred) / (inner + 1)
                else:
                    e = 0.5 * mm * mm * (new_slope - slope) / (mm + inner + 1)
                err = float(np.sqrt(np.mean((e / sc) ** 2)))
            if M >= 1 and (got is None or not err <= REJECT):
                # reject: back to before the jump, integrate instead
                x, t, n_keep, next_sample = saved
                del pieces[n_keep:]
                status = 0
                rejected += 1
                m_next = 0
                if fq is not None:
                    bad += 1
                    if bad >= 2:
                        fq, bad = None, 0  # the linearisation no longer predicts
                continue
            if got is None:
                break
            if jumped_piece is not None and len(pieces) > before:
                clean_before = [pc for pc in pieces[: saved[2]] if pc.clean]
                _fill(jumped_piece, clean_before[-1] if clean_before else None, pieces[-1])
                jumps += 1
                jumped += M * T
            fac = 2.0 if err == 0.0 else min(2.0, 0.9 / math.sqrt(err))
            m_next = max(0, min(cap, int(mm * fac)))
            stuck = stuck + 1 if M == 0 and m_next < cfg.min_jump else 0
            if stuck >= REDETECT:
                # no jump for a while: the stroboscope may sit on a harmonic of the
                # motion (an early transient's frequency); detect the period again
                stuck = 0
                again = dominant_period(tail_t, tail_n)
                if again is not None:
                    again = fundamental_period(tail_t, tail_n, again)
                    again = shift_period(tail_t, tail_n, again, within=0.1) or again
                    if abs(again - T) > 0.05 * T:
                        T, have_slope = again, False
                        continue
            if fq is not None and M >= 1:
                bad = bad + 1 if err > 1.0 else 0
                if bad >= 3:
                    fq, bad, m_next = None, 0, 0
            slope = new_slope
            last_strobe = got
            T -= float(np.clip(delta, -PERIOD_CHANGE * T, PERIOD_CHANGE * T))
            if progress is not None:
                progress(t)
    stats_out = _interval_stats(pieces, float(t0), times, np.isfinite(xs_out[:, 0]))
    return ProjectiveIntegration(
        times,
        xs_out,
        stats_out,
        tail_t,
        tail_n,
        state["steps"],
        state["evals"],
        _STATUS[int(status)],
        float(t),
        jumps=jumps,
        jumped_time=float(jumped),
        period=float(T),
        rejected=rejected,
    )


@dataclass
class _Floquet:
    """Eigen-decomposition of the stroboscopic map's Jacobian A (one period), with the
    mode along the flow (multiplier 1: the phase) removed from every extrapolation."""

    lam: np.ndarray  # (n,) multipliers
    vec: np.ndarray  # (n, n) right eigenvectors
    inv: np.ndarray  # (n, n) their inverse
    keep: np.ndarray  # (n,) bool: not the phase mode

    @classmethod
    def of(cls, a: np.ndarray, f: np.ndarray) -> _Floquet | None:
        """From A and the flow f(x) at the image point (the phase mode's direction)."""
        if not np.all(np.isfinite(a)):
            return None
        lam, vec = np.linalg.eig(a)
        try:
            inv = np.linalg.inv(vec)
        except np.linalg.LinAlgError:
            return None
        keep = np.ones(lam.size, dtype=bool)
        near = np.nonzero(np.abs(lam - 1.0) < 0.05)[0]
        if near.size and np.any(f != 0):
            fn = f / np.linalg.norm(f)
            align = [abs(np.vdot(vec[:, i] / np.linalg.norm(vec[:, i]), fn)) for i in near]
            keep[near[int(np.argmax(align))]] = False
        return cls(lam, vec, inv, keep)

    def _apply(self, s: np.ndarray, g: np.ndarray) -> np.ndarray:
        c = self.inv @ s
        return np.real(self.vec @ (np.where(self.keep, g, 0.0) * c))

    def sum(self, s: np.ndarray, m: int) -> np.ndarray:
        """Σ_{j=1..m} A^j s: the stroboscopic change over m periods, given the last
        period's change s (the linear envelope)."""
        lam = self.lam
        close = np.abs(lam - 1.0) < 1e-9
        with np.errstate(all="ignore"):
            g = np.where(close, float(m), lam * (lam**m - 1.0) / np.where(close, 1.0, lam - 1.0))
        return self._apply(s, g)

    def power(self, s: np.ndarray, m: int) -> np.ndarray:
        """A^m s (phase mode removed)."""
        return self._apply(s, self.lam**m)


def _fill(jumped: _Piece, before: _Piece | None, after: _Piece) -> None:
    """Statistics of a jumped stretch from settled integrated periods on both sides."""
    v = np.array([after.stats] if before is None else [before.stats, after.stats])
    jumped.stats[0] = np.mean(v[:, 0])
    jumped.stats[3] = np.mean(v[:, 3])
    jumped.stats[[1, 4]] = np.min(v[:, [1, 4]], axis=0)
    jumped.stats[[2, 5]] = np.max(v[:, [2, 5]], axis=0)


def _interval_stats(
    pieces: list[_Piece], t0: float, times: np.ndarray, reached: np.ndarray
) -> np.ndarray:
    """Per sample interval (t_{s−1}, t_s]: duration-weighted means and the extremes of
    the pieces overlapping it (extremes from settled pieces where there are any)."""
    edges = np.concatenate([[t0], times])
    ns = times.size
    w = np.zeros(ns)
    mean = np.zeros((ns, 2))
    ext = np.full((ns, 4), np.nan)  # min n, max n, min a, max a (settled)
    ext_all = np.full((ns, 4), np.nan)
    for pc in pieces:
        if not np.all(np.isfinite(pc.stats)):
            continue
        lo = max(0, int(np.searchsorted(edges, pc.ta, side="right")) - 1)
        hi = min(ns, int(np.searchsorted(edges, pc.tb, side="left")))
        vals = pc.stats[[1, 2, 4, 5]]
        for s in range(lo, max(hi, lo + 1)):
            if s >= ns:
                break
            dur = min(pc.tb, edges[s + 1]) - max(pc.ta, edges[s])
            if dur > 0:
                w[s] += dur
                mean[s] += dur * pc.stats[[0, 3]]
            targets = [ext_all, ext] if pc.clean else [ext_all]
            for arr in targets:
                arr[s, [0, 2]] = np.fmin(arr[s, [0, 2]], vals[[0, 2]])
                arr[s, [1, 3]] = np.fmax(arr[s, [1, 3]], vals[[1, 3]])
    out = np.full((ns, 6), np.nan)
    ok = (w > 0) & reached
    out[ok, 0] = mean[ok, 0] / w[ok]
    out[ok, 3] = mean[ok, 1] / w[ok]
    use = np.where(np.isnan(ext[:, :1]), ext_all, ext)
    out[ok, 1], out[ok, 2] = use[ok, 0], use[ok, 1]
    out[ok, 4], out[ok, 5] = use[ok, 2], use[ok, 3]
    return out


__all__ = [
    "Projective",
    "ProjectiveIntegration",
    "dominant_period",
    "fundamental_period",
    "integrate_projective",
    "shift_period",
]
