"""numba kernels: the polynomial RHS/Jacobian of :mod:`vlaser.cumulants.compile` and a
damped Newton iteration, for one parameter point at a time.

The kernels are generic (the system enters only through index arrays), so numba
compiles them once per machine (``cache=True``, in vlaser's cache folder: see
:mod:`vlaser._numba`) and never per model.
"""

from __future__ import annotations

import numpy as np

from vlaser._numba import numba as nb


@nb.njit(cache=True)
def build_v(x, re_of, im_of, v):  # pragma: no cover - compiled
    """v = (1, u, ū) from the real variables (im_of[k] = -1 for real averages)."""
    n = re_of.shape[0]
    v[0] = 1.0
    for k in range(n):
        re = x[re_of[k]]
        im = x[im_of[k]] if im_of[k] >= 0 else 0.0
        v[1 + k] = complex(re, im)
        v[1 + n + k] = complex(re, -im)


@nb.njit(cache=True)
def _sum_terms(coef, vars_, v, ptr, idx, wr, wi, out, absolute):  # pragma: no cover
    """out[idx] += wr·Re(term) + wi·Im(term) for every term c·Π v[vars] (or the
    magnitudes of the two parts, ``absolute``)."""
    out[:] = 0.0
    deg = vars_.shape[1]
    for t in range(coef.shape[0]):
        z = coef[t]
        for d in range(deg):
            z *= v[vars_[t, d]]
        zr = z.real
        zi = z.imag
        for q in range(ptr[t], ptr[t + 1]):
            if absolute:
                out[idx[q]] += abs(wr[q] * zr) + abs(wi[q] * zi)
            else:
                out[idx[q]] += wr[q] * zr + wi[q] * zi


@nb.njit(cache=True)
def accumulate(coef, vars_, v, ptr, idx, wr, wi, out):  # pragma: no cover - compiled
    """out[idx] += wr·Re(term) + wi·Im(term) for every term c·Π v[vars]."""
    _sum_terms(coef, vars_, v, ptr, idx, wr, wi, out, False)


@nb.njit(cache=True)
def accumulate_abs(coef, vars_, v, ptr, idx, wr, wi, out):  # pragma: no cover - compiled
    """out[idx] += |wr·Re(term)| + |wi·Im(term)|: the size of the terms that f sums.

    Round-off in f (and the resolution of x itself, one ulp of each variable times the
    Jacobian) is a small multiple of eps times this scale, whatever the magnitudes of
    the variables: it is the floor below which no residual can be pushed.
    """
    _sum_terms(coef, vars_, v, ptr, idx, wr, wi, out, True)


@nb.njit(cache=True)
def balanced(f, fc, fv, v, fp, fi, fwr, fwi, tol):  # pragma: no cover - compiled
    """Every equation balances to ``tol`` of its own terms: |f_i| <= tol · Σ|terms_i|."""
    s = np.empty(f.shape[0])
    accumulate_abs(fc, fv, v, fp, fi, fwr, fwi, s)
    for i in range(f.shape[0]):
        if abs(f[i]) > tol * s[i]:
            return False
    return True


@nb.njit(cache=True)
def _converged(x, f, res, fc, fv, v, fp, fi, fwr, fwi, tol):  # pragma: no cover - compiled
    """Absolute test max|f| <= tol·(1 + max|x|), or every equation balanced to tol."""
    if res <= tol * (1.0 + np.max(np.abs(x))):
        return True
    return balanced(f, fc, fv, v, fp, fi, fwr, fwi, tol)


@nb.njit(cache=True)
def newton(
    x0, fc, fv, fp, fi, fwr, fwi, dc, dv, dp, di, dwr, dwi, re_of, im_of, tol, maxiter
):  # pragma: no cover - compiled
    """Damped Newton on f(x) = 0.

    Converged means max|f| <= tol·(1 + max|x|) or, where the variables span many
    orders of magnitude (N up to 1e12 atoms: n ~ 1e8 next to populations ~ 1), every
    equation balances to ``tol`` relative to the sum of the magnitudes of its own
    terms (:func:`balanced`), which round-off allows and the absolute test may not.

    Returns:
        (x, converged, residual = max|f|, iterations)
    """
    nr = x0.shape[0]
    n = re_of.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    f = np.empty(nr)
    jflat = np.empty(nr * nr)
    x = x0.copy()
    build_v(x, re_of, im_of, v)
    accumulate(fc, fv, v, fp, fi, fwr, fwi, f)
    res = np.max(np.abs(f))
    polish = 0
    for it in range(maxiter):
        scale = 1.0 + np.max(np.abs(x))
        if _converged(x, f, res, fc, fv, v, fp, fi, fwr, fwi, tol):
            # Converged; up to two more full steps polish x to the round-off floor
            # (kept only while they shrink the residual by at least half).
            if polish >= 2 or res == 0.0:
                return x, True, res, it
            polish += 1
            accumulate(dc, dv, v, dp, di, dwr, dwi, jflat)
            step = np.linalg.solve(jflat.reshape((nr, nr)), -f)
            xt = x + step
            build_v(xt, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, f)
            rt = np.max(np.abs(f))
            if rt <= 0.5 * res:
                x = xt
                res = rt
                continue
            build_v(x, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, f)
            return x, True, res, it
        accumulate(dc, dv, v, dp, di, dwr, dwi, jflat)
        jac = jflat.reshape((nr, nr))
        step = np.linalg.solve(jac, -f)
        lam = 1.0
        accepted = False
        for _ in range(30):
            xt = x + lam * step
            build_v(xt, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, f)
            rt = np.max(np.abs(f))
            if np.isfinite(rt) and rt < res * (1.0 - 1e-4 * lam) + 1e-300:
                accepted = True
                break
            lam *= 0.5
        if not accepted:
            build_v(x, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, f)
            return x, False, res, it
        x = xt
        res = rt
        if np.max(np.abs(lam * step)) <= 1e-15 * scale:
            return x, _converged(x, f, res, fc, fv, v, fp, fi, fwr, fwi, tol), res, it + 1
    return x, _converged(x, f, res, fc, fv, v, fp, fi, fwr, fwi, tol), res, maxiter


@nb.njit(cache=True)
def rhs_point(x, fc, fv, fp, fi, fwr, fwi, re_of, im_of):  # pragma: no cover - compiled
    """Real RHS at one point."""
    n = re_of.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    out = np.empty(x.shape[0])
    build_v(x, re_of, im_of, v)
    accumulate(fc, fv, v, fp, fi, fwr, fwi, out)
    return out


@nb.njit(cache=True)
def jac_point(x, dc, dv, dp, di, dwr, dwi, re_of, im_of):  # pragma: no cover - compiled
    """Real Jacobian at one point."""
    n = re_of.shape[0]
    nr = x.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    out = np.empty(nr * nr)
    build_v(x, re_of, im_of, v)
    accumulate(dc, dv, v, dp, di, dwr, dwi, out)
    return out.reshape((nr, nr))


@nb.njit(cache=True)
def rk4(x0, t_end, h, n_samples, fc, fv, fp, fi, fwr, fwi, re_of, im_of):  # pragma: no cover
    """Classical fixed-step RK4 from t = 0 to ``t_end``; ``n_samples`` equidistant
    samples of x (including both ends) are returned, shape (n_samples, n_real)."""
    nr = x0.shape[0]
    n = re_of.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    k1 = np.empty(nr)
    k2 = np.empty(nr)
    k3 = np.empty(nr)
    k4 = np.empty(nr)
    xt = np.empty(nr)
    out = np.empty((n_samples, nr))
    x = x0.copy()
    out[0] = x
    dt_sample = t_end / (n_samples - 1)
    t = 0.0
    for s in range(1, n_samples):
        t_next = s * dt_sample
        while t < t_next - 1e-12 * dt_sample:
            hh = min(h, t_next - t)
            build_v(x, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, k1)
            for i in range(nr):
                xt[i] = x[i] + 0.5 * hh * k1[i]
            build_v(xt, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, k2)
            for i in range(nr):
                xt[i] = x[i] + 0.5 * hh * k2[i]
            build_v(xt, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, k3)
            for i in range(nr):
                xt[i] = x[i] + hh * k3[i]
            build_v(xt, re_of, im_of, v)
            accumulate(fc, fv, v, fp, fi, fwr, fwi, k4)
            for i in range(nr):
                x[i] += hh / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
            t += hh
        out[s] = x
    return out


@nb.njit(cache=True)
def jac_values(x, dc, dv, dp, di, dwr, dwi, re_of, im_of, nnz):  # pragma: no cover
    """Values of the real Jacobian at its sparsity pattern (``di`` are pattern
    positions, see :attr:`vlaser.cumulants.compile.CompiledSystem.sparse_arrays`)."""
    n = re_of.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    out = np.empty(nnz)
    build_v(x, re_of, im_of, v)
    accumulate(dc, dv, v, dp, di, dwr, dwi, out)
    return out


@nb.njit(cache=True)
def term_scale(x, fc, fv, fp, fi, fwr, fwi, re_of, im_of):  # pragma: no cover - compiled
    """Σ|terms| per equation at x (see :func:`accumulate_abs`)."""
    n = re_of.shape[0]
    v = np.empty(2 * n + 1, dtype=np.complex128)
    out = np.empty(x.shape[0])
    build_v(x, re_of, im_of, v)
    accumulate_abs(fc, fv, v, fp, fi, fwr, fwi, out)
    return out
