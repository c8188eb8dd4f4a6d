"""numba kernels for time integration of compiled cumulant systems.

:func:`rhs_shared` evaluates the polynomial right-hand side with shared products: every
distinct product of averages Π v that a term needs is computed once, from its prefix
product times one more factor, and each equation is one complex sum over its terms
c_t · P[prod_t] (the tables in :mod:`vlaser.cumulants.integrate`). :func:`dop853`
is Hairer's explicit 8(5,3) Runge–Kutta pair with FSAL and scipy's step-size control,
landing exactly on the sample times and recording, per sample interval,
the time average and the extremes of the photon number and of |⟨a⟩|², plus a ring
buffer of the last steps (for periods).
"""

from __future__ import annotations

import numpy as np

from vlaser._numba import numba as nb
from vlaser.cumulants._kernels import build_v


@nb.njit(cache=True)
def rhs_shared(x, re_of, im_of, pre, last, coef, grp, prod, eq_ptr, v, pv, out):  # pragma: no cover
    """Real RHS into ``out`` with shared products (``v``, ``pv``: work arrays).

    Equation k sums its coefficient groups ``eq_ptr[k]:eq_ptr[k+1]``; group g is
    ``coef[g] · Σ pv[prod[t]]`` over the terms ``grp[g]:grp[g+1]``.
    """
    n = re_of.shape[0]
    build_v(x, re_of, im_of, v)
    pv[0] = 1.0
    for u in range(1, pre.shape[0]):
        pv[u] = pv[pre[u]] * v[last[u]]
    for k in range(n):
        acc = 0.0j
        for g in range(eq_ptr[k], eq_ptr[k + 1]):
            s = 0.0j
            for t in range(grp[g], grp[g + 1]):
                s += pv[prod[t]]
            acc += coef[g] * s
        out[re_of[k]] = acc.real
        if im_of[k] >= 0:
            out[im_of[k]] = acc.imag


@nb.njit(cache=True)
def _phases(t, omega, mmax, ph):  # pragma: no cover - compiled
    """ph[m + mmax] = e^{i m ω t} for |m| <= mmax."""
    base = complex(np.cos(omega * t), np.sin(omega * t))
    ph[mmax] = 1.0
    for m in range(1, mmax + 1):
        ph[mmax + m] = ph[mmax + m - 1] * base
        ph[mmax - m] = ph[mmax + m].conjugate()


@nb.njit(cache=True)
def rhs_frame(
    t, y, re_of, im_of, pre, last, coef, grp, prod, eq_ptr, charge, omega, v, pv, xw, ph, out
):  # pragma: no cover - compiled
    """RHS in a frame rotating at ``omega`` per unit charge: x = y·e^{−i m ω t}
    (m = ``charge[k]`` of average k), dy/dt = e^{i m ω t} f(x) + i m ω y."""
    if omega == 0.0:
        rhs_shared(y, re_of, im_of, pre, last, coef, grp, prod, eq_ptr, v, pv, out)
        return
    n = re_of.shape[0]
    mmax = (ph.shape[0] - 1) // 2
    _phases(t, omega, mmax, ph)
    for k in range(n):
        m = charge[k]
        ir = re_of[k]
        ii = im_of[k]
        if m == 0 or ii < 0:
            xw[ir] = y[ir]
            if ii >= 0:
                xw[ii] = y[ii]
            continue
        c = ph[mmax + m].real
        s = ph[mmax + m].imag
        # x = y (c - i s)
        xw[ir] = y[ir] * c + y[ii] * s
        xw[ii] = y[ii] * c - y[ir] * s
    rhs_shared(xw, re_of, im_of, pre, last, coef, grp, prod, eq_ptr, v, pv, out)
    for k in range(n):
        m = charge[k]
        ir = re_of[k]
        ii = im_of[k]
        if m == 0 or ii < 0:
            continue
        c = ph[mmax + m].real
        s = ph[mmax + m].imag
        fr = out[ir]
        fi = out[ii]
        # f (c + i s) + i m ω y
        out[ir] = fr * c - fi * s - m * omega * y[ii]
        out[ii] = fi * c + fr * s + m * omega * y[ir]


@nb.njit(cache=True)
def _observe(x, i_n, i_are, i_aim, i_22, i_33):  # pragma: no cover - compiled
    """(n, |⟨a⟩|², inversion) of a state (index -1: absent)."""
    a2 = 0.0
    if i_are >= 0:
        a2 = x[i_are] * x[i_are]
        if i_aim >= 0:
            a2 += x[i_aim] * x[i_aim]
    n = x[i_n] if i_n >= 0 else a2
    inv = 2.0 * x[i_22] + x[i_33] - 1.0
    return n, a2, inv


@nb.njit(cache=True)
def _observe_rate(x, f, i_n, i_are, i_aim):  # pragma: no cover - compiled
    """(dn/dt, d|⟨a⟩|²/dt) from a state and its RHS (index -1: absent).

    Both are charge 0: the same in the rotating frame (|y|² = |x|², n not rotated).
    """
    da2 = 0.0
    if i_are >= 0:
        da2 = 2.0 * x[i_are] * f[i_are]
        if i_aim >= 0:
            da2 += 2.0 * x[i_aim] * f[i_aim]
    dn = f[i_n] if i_n >= 0 else da2
    return dn, da2


@nb.njit(cache=True)
def erk(
    x0,
    t0,
    times,
    h0,
    rtol,
    atol,
    max_steps,
    blowup,
    re_of,
    im_of,
    pre,
    last,
    coef,
    grp,
    prod,
    eq_ptr,
    obs_idx,
    tail_t,
    tail_n,
    tail_pos,
    charge,
    omega,
    a_tab,
    b_tab,
    c_tab,
    e5_tab,
    e3_tab,
    err_order,
):  # pragma: no cover - compiled
    """Integrate from (t0, x0) through the sample ``times`` (increasing, > t0) with an
    embedded explicit Runge–Kutta pair with FSAL (tableaus and step-size control as in
    scipy's ``RK45`` and ``DOP853``).

    The tableau is ``a_tab`` (s x s), ``b_tab``, ``c_tab`` and the error weights
    ``e5_tab`` (s + 1, the last for f(x_new)); with ``e3_tab`` nonzero the error norm is
    DOP853's combination of its 5th- and 3rd-order estimates, otherwise the rms of
    ``h Σ e5_j k_j / scale``. Steps change by ``0.9 err^(−1/(err_order + 1))`` within
    [0.2, 10] (no growth right after a rejection).

    Args:
        x0, t0: Start.
        times: Sample times; the state at each is stored.
        h0: First trial step (> 0).
        rtol, atol: Error tolerances (scalar), scale ``atol + rtol·max(|x|, |x_new|)``.
        max_steps: Budget of accepted + rejected steps.
        blowup: Stop (status 2) when max|x| exceeds it.
        obs_idx: ``(i_n, i_a_re, i_a_im, i_s22, i_s33)`` real-variable indices.
        tail_t, tail_n, tail_pos: Ring buffer of (t, n) after each accepted step and its
            write position (``tail_pos[0]``, updated in place).
        charge, omega: Rotating frame (see :func:`rhs_frame`).

    Returns:
        ``(xs, stats, h, steps, evals, status, t_reached)``; ``xs`` ``(S, n_real)``;
        ``stats`` ``(S, 6)`` per interval ending at each sample: time-mean, min, max
        of n, then of |⟨a⟩|² (cubic Hermite quadrature over the accepted steps,
        from the values and the RHS at both ends of each step); status 0 = done,
        1 = step budget spent, 2 = blew up (non-finite or > ``blowup``), 3 = step
        size underflow.
    """
    nr = x0.shape[0]
    n = re_of.shape[0]
    ns_tab = b_tab.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    pv = np.empty(pre.shape[0], dtype=np.complex128)
    kk = np.empty((ns_tab + 1, nr))
    xt = np.empty(nr)
    xn = np.empty(nr)
    xw = np.empty(nr)
    mmax = 0
    for k in range(charge.shape[0]):
        mmax = max(mmax, abs(charge[k]))
    ph = np.empty(2 * mmax + 1, dtype=np.complex128)
    ns = times.shape[0]
    xs = np.full((ns, nr), np.nan)
    stats = np.full((ns, 6), np.nan)
    i_n, i_are, i_aim, i_22, i_33 = obs_idx[0], obs_idx[1], obs_idx[2], obs_idx[3], obs_idx[4]
    ntail = tail_t.shape[0]
    x = x0.copy()
    t = t0
    h = h0
    steps = 0
    evals = 1
    status = 0
    rejected = False
    expo = -1.0 / (err_order + 1.0)
    use_e3 = False
    for j in range(e3_tab.shape[0]):
        if e3_tab[j] != 0.0:
            use_e3 = True
    f0 = kk[0]
    rhs_frame(
        t, x, re_of, im_of, pre, last, coef, grp, prod, eq_ptr, charge, omega, v, pv, xw, ph, f0
    )
    n_now, a_now, _inv = _observe(x, i_n, i_are, i_aim, i_22, i_33)
    for s in range(ns):
        if status != 0:
            break
        t_target = times[s]
        t_start = t
        int_n = 0.0
        int_a = 0.0
        mn_n = n_now
        mx_n = n_now
        mn_a = a_now
        mx_a = a_now
        while t < t_target:
            if steps >= max_steps:
                status = 1
                break
            last_step = False
            hh = h
            if t + hh >= t_target:
                hh = t_target - t
                last_step = True
            if hh <= 1e-14 * max(1.0, abs(t)):
                status = 3
                break
            steps += 1
            for st in range(1, ns_tab):
                for i in range(nr):
                    acc = 0.0
                    for j in range(st):
                        acc += a_tab[st, j] * kk[j, i]
                    xt[i] = x[i] + hh * acc
                ks = kk[st]
                rhs_frame(
                    t + c_tab[st] * hh,
                    xt,
                    re_of,
                    im_of,
                    pre,
                    last,
                    coef,
                    grp,
                    prod,
                    eq_ptr,
                    charge,
                    omega,
                    v,
                    pv,
                    xw,
                    ph,
                    ks,
                )
            for i in range(nr):
                acc = 0.0
                for j in range(ns_tab):
                    acc += b_tab[j] * kk[j, i]
                xn[i] = x[i] + hh * acc
            kl = kk[ns_tab]
            rhs_frame(
                t + hh, xn, re_of, im_of, pre, last, coef, grp, prod, eq_ptr, charge, omega,
                v, pv, xw, ph, kl,
            )  # fmt: skip
            evals += ns_tab
            e5n = 0.0
            e3n = 0.0
            finite = True
            for i in range(nr):
                sc = atol + rtol * max(abs(x[i]), abs(xn[i]))
                a5 = 0.0
                a3 = 0.0
                for j in range(ns_tab + 1):
                    a5 += e5_tab[j] * kk[j, i]
                    a3 += e3_tab[j] * kk[j, i]
                a5 /= sc
                a3 /= sc
                e5n += a5 * a5
                e3n += a3 * a3
                if not np.isfinite(xn[i]):
                    finite = False
            if not finite or not np.isfinite(e5n + e3n):
                err = np.inf
            elif e5n == 0.0 and e3n == 0.0:
                err = 0.0
            elif use_e3:
                err = hh * e5n / np.sqrt((e5n + 0.01 * e3n) * nr)
            else:
                err = hh * np.sqrt(e5n / nr)
            if err <= 1.0:
                if err == 0.0:
                    fac = 10.0
                else:
                    fac = min(10.0, 0.9 * err**expo)
                if rejected:
                    fac = min(1.0, fac)
                rejected = False
                n_new, a_new, _inv = _observe(xn, i_n, i_are, i_aim, i_22, i_33)
                # cubic Hermite quadrature (error O(h⁵)): trapezoid + h²/12 (f0' − f1')
                dn0, da0 = _observe_rate(x, kk[0], i_n, i_are, i_aim)
                dn1, da1 = _observe_rate(xn, kk[ns_tab], i_n, i_are, i_aim)
                int_n += 0.5 * hh * (n_now + n_new) + hh * hh / 12.0 * (dn0 - dn1)
                int_a += 0.5 * hh * (a_now + a_new) + hh * hh / 12.0 * (da0 - da1)
                mn_n = min(mn_n, n_new)
                mx_n = max(mx_n, n_new)
                mn_a = min(mn_a, a_new)
                mx_a = max(mx_a, a_new)
                n_now = n_new
                a_now = a_new
                t = t_target if last_step else t + hh
                big = 0.0
                for i in range(nr):
                    x[i] = xn[i]
                    kk[0, i] = kk[ns_tab, i]
                    big = max(big, abs(x[i]))
                p = tail_pos[0]
                tail_t[p % ntail] = t
                tail_n[p % ntail] = n_now
                tail_pos[0] = p + 1
                if big > blowup:
                    status = 2
                    break
                if not last_step:
                    h = hh * fac
            else:
                rejected = True
                if not np.isfinite(err):
                    h = hh * 0.2
                else:
                    h = hh * max(0.2, 0.9 * err**expo)
        if status != 0 and t < t_target:
            break
        xs[s] = x
        span = t - t_start
        stats[s, 0] = int_n / span if span > 0 else n_now
        stats[s, 1] = mn_n
        stats[s, 2] = mx_n
        stats[s, 3] = int_a / span if span > 0 else a_now
        stats[s, 4] = mn_a
        stats[s, 5] = mx_a
    return xs, stats, h, steps, evals, status, t
