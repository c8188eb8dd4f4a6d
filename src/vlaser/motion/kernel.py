"""Compiled (numba) kernel of the semiclassical quantum-jump trajectories.

One trajectory carries the unnormalized internal state ψ ∈ C³ (basis |1>, |2>, |3>),
the phases φ_i = k_i r_i of the position along the two pump axes and the momenta
P_i = p_i/ħk_i (i = 2, 3). In units ħ = 1, Γ3 = 1 (``shared/conventions.md``, Motion):

* dψ/dt = −i H_eff(φ) ψ with
  H_eff = Σ_i [ −Δ_i σ_ii + Ω_i cos φ_i (σ_i1 + σ_1i) ] − (i/2) Σ_J J†J,
  Σ J†J = (Γ2 + ν2 + Γ23) σ22 + (Γ3 + ν3) σ33 for the jump operators
  √Γ2 σ12, √ν2 σ22, √Γ23 σ32, √Γ3 σ13, √ν3 σ33;
* dφ_i/dt = 2 ω_r,i P_i (ω_r,i = ħk_i²/2m, eq. 13);
* dP_i/dt = Ω_i sin φ_i · 2 Re<σ1i> with <σ1i> = ψ1* ψi / |ψ|² (eq. 14, the force
  −<∂H/∂r_i> in units of ħk_i Γ3);
* waiting-time jumps: a jump happens when |ψ|² falls to a uniform random number ξ;
  a decay of |j> (Γ2: j = 2, Γ3: j = 3) kicks P_i by s_i k_j/k_i with s uniform on the
  unit sphere and s_2, s_3 its components along the two pump axes (eq. 15); dephasing
  (ν2, ν3) and the incoherent Γ23 channel give no kick.

Integrator (per step of length h, accuracy stated in :mod:`vlaser.motion.trajectories`):
the position enters H through cos(φ_i0 + θ_i s), s = τ/h ∈ [0, 1], θ_i = 2 ω_r,i P_i h
(the momentum at the start of the step), expanded in s with the terms
|θ_i|^m/m! (|θ_i| + 1) >= 1e-17 (m <= 15); ψ(s) = Σ_n a_n s^n is built by the exact
Taylor recursion (n+1) a_{n+1} = −i h Σ_m H_m a_{n−m} up to an order whose remainder
is below ``TAYLOR_TOL``. The jump time is the root of |ψ(s)|² = ξ (bisection on the
polynomial); force, position shift and populations are integrated over the step by
Gauss-Legendre quadrature of the normalized state.

Implementation: the recursion runs on b_n = n! a_n with ψ as one vector of eight
floats (Re, Im of ψ1, ψ2, ψ3 and two zeros), so that one order costs a few vector
operations; ψ at the quadrature nodes x_g is Σ_n b_n x_g^n/n! from a table fixed for
the run (nodes scaled on the rare steps that end in a jump), and the quadrature sums
are vector operations over the nodes. These primitives are LLVM vector code
(:mod:`vlaser.motion._simd`). Products and sums use fused multiply-adds where the CPU
has them: the rounding differs from a plain left-to-right evaluation (results agree
with it to about 1e-15 per step), and results for one seed are the same for any
number of threads, chunks or processes on one machine, but not bit for bit between
CPUs with and without FMA.

Random numbers: xoshiro256** per trajectory, seeded with four 64-bit words from
``numpy.random.SeedSequence`` (so trajectory j depends only on the master seed and j).
"""

from __future__ import annotations

import math

import numpy as np

from vlaser._numba import njit, prange
from vlaser.motion._simd import N_COUPLING, WIDTH, poly_lanes8, quad8, scale_rows8, taylor8

#: Bound on the Taylor remainder of ψ per step, relative to |ψ| (see module doc).
TAYLOR_TOL = 1e-14
#: Largest number of Taylor terms of the coupling cos(φ0 + θ s) kept per step.
MAX_COUPLING_TERMS = N_COUPLING

# Parameter vector layout of the kernel: model (units of Γ3), then run settings.
P_OMEGA2, P_OMEGA3, P_DELTA2, P_DELTA3 = 0, 1, 2, 3
P_GAMMA2, P_GAMMA3, P_NU2, P_NU3, P_GAMMA23 = 4, 5, 6, 7, 8
P_RECOIL2, P_RECOIL3, P_K32 = 9, 10, 11
P_HNORM, P_HMAX, P_THETA_MAX, P_PMAX, P_DYNAMIC, P_LEVEL0 = 12, 13, 14, 15, 16, 17
P_P0, P_PHI0 = 18, 20  # two entries each (axis k2, axis k3)
N_PARAMS = 22

# Column layout of the per-sample traces and of the per-trajectory totals.
T_POP, T_IPOP, T_P, T_PHI, T_COH = 0, 3, 6, 8, 10
N_TRACES = 14
S_FORCE, S_KICK, S_WFORCE, S_WKICK = 0, 2, 4, 6
N_TOTALS = 8

#: Jump channels, in the order of the ``jumps`` counters.
CHANNELS = ("decay2", "dephase2", "gamma23", "decay3", "dephase3")

_TWO_PI = 2.0 * math.pi
_U53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def _next_u64(s):
    """xoshiro256** step on the state s (uint64[4]); returns 64 random bits."""
    s0 = s[0]
    s1 = s[1]
    s2 = s[2]
    s3 = s[3]
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    s[0] = s0
    s[1] = s1
    s[2] = s2
    s[3] = s3
    return result


@njit(cache=True)
def uniform(s):
    """Uniform double in [0, 1) with 53 random bits."""
    return float(_next_u64(s) >> np.uint64(11)) * _U53


@njit(cache=True)
def _horner(a, order, s, out):
    """out = Σ_{n<=order} a[8n:8n+6] s^n (Taylor rows of ψ, layout of :func:`_trajectory`)."""
    for c in range(6):
        x = a[WIDTH * order + c]
        for n in range(order - 1, -1, -1):
            x = x * s + a[WIDTH * n + c]
        out[c] = x


@njit(cache=True, inline="always")
def _norm2(v):
    return v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3] + v[4] * v[4] + v[5] * v[5]


@njit(cache=True)
def _record(row, psi, pp2, pp3, ph2, ph3, ipop, span):
    """Write one sample row (layout ``T_*``) and reset the interval integrals ``ipop``."""
    nrm = _norm2(psi)
    for q in range(3):
        row[T_POP + q] = (psi[2 * q] ** 2 + psi[2 * q + 1] ** 2) / nrm
        row[T_IPOP + q] = ipop[q] / span if span > 0 else row[T_POP + q]
        ipop[q] = 0.0
    row[T_P] = pp2
    row[T_P + 1] = pp3
    row[T_PHI] = ph2
    row[T_PHI + 1] = ph3
    # <σ1i> = ψ1* ψi / |ψ|²
    row[T_COH] = (psi[0] * psi[2] + psi[1] * psi[3]) / nrm
    row[T_COH + 1] = (psi[0] * psi[3] - psi[1] * psi[2]) / nrm
    row[T_COH + 2] = (psi[0] * psi[4] + psi[1] * psi[5]) / nrm
    row[T_COH + 3] = (psi[0] * psi[5] - psi[1] * psi[4]) / nrm


@njit(cache=True)
def _taylor_order(x):
    """Smallest n with x^(n+1)/(n+1)! e^x <= TAYLOR_TOL (remainder bound of the series)."""
    term = math.exp(x)
    n = 0
    while True:
        term *= x / (n + 1)
        if term <= TAYLOR_TOL or n >= 60:
            return n
        n += 1


@njit(cache=True, fastmath={"contract"})
def _trajectory(par, t_samples, nodes, weights, rng, out, totals, jumps):
    """Run one trajectory and write its samples (see :func:`run_block`).

    Complex numbers are carried as (real, imaginary) pairs of floats, ψ as the six
    floats Re ψ1, Im ψ1, Re ψ2, Im ψ2, Re ψ3, Im ψ3.
    """
    om2 = par[P_OMEGA2]
    om3 = par[P_OMEGA3]
    g2 = par[P_GAMMA2]
    g3 = par[P_GAMMA3]
    nu2 = par[P_NU2]
    nu3 = par[P_NU3]
    g23 = par[P_GAMMA23]
    wr2 = par[P_RECOIL2]
    wr3 = par[P_RECOIL3]
    k32 = par[P_K32]
    hnorm = par[P_HNORM]
    hmax = par[P_HMAX]
    theta_max = par[P_THETA_MAX]
    p_max = par[P_PMAX]
    dynamic = par[P_DYNAMIC] != 0.0
    d1r = -par[P_DELTA2]
    d1i = -0.5 * (g2 + nu2 + g23)
    d2r = -par[P_DELTA3]
    d2i = -0.5 * (g3 + nu3)
    n_t = t_samples.shape[0]
    n_g = nodes.shape[0]
    kmax = _taylor_order(hnorm * hmax)
    # Tables of the run: 1/k!, k!, the quadrature basis x_g^k/k! (8 lanes per row;
    # padded lanes sit at s = 0).
    inv_fact = np.empty(kmax + 1)
    inv_fact[0] = 1.0
    for k in range(1, kmax + 1):
        inv_fact[k] = inv_fact[k - 1] / k
    fact = np.empty(kmax + 1)
    for k in range(kmax + 1):
        fact[k] = 1.0 / inv_fact[k]
    basis = np.zeros(WIDTH * (kmax + 1))
    qw = np.zeros(WIDTH)
    qwl = np.zeros(WIDTH)
    svals = np.zeros(WIDTH)
    for g in range(WIDTH):
        basis[g] = 1.0
    for g in range(n_g):
        qw[g] = weights[g]
        qwl[g] = weights[g] * (1.0 - nodes[g])
        svals[g] = nodes[g]
        for k in range(1, kmax + 1):
            basis[WIDTH * k + g] = basis[WIDTH * (k - 1) + g] * nodes[g] / k
    scaled = np.zeros(WIDTH * (kmax + 1))  # the basis at s_end x_g (jump steps)
    spow = np.zeros(kmax + 1)
    jsvals = np.zeros(WIDTH)
    rows = np.zeros(WIDTH * (kmax + 1))
    w2 = np.zeros(N_COUPLING)
    w3 = np.zeros(N_COUPLING)
    ctab = np.zeros(4 * N_COUPLING)
    hd = np.zeros(4)
    cpl = np.zeros(8)
    b = np.zeros(WIDTH * (kmax + 1))
    a = np.zeros(WIDTH * (kmax + 1))
    end = np.zeros(WIDTH)
    psi = np.zeros(6)
    tmp = np.zeros(6)
    lanes = np.zeros(6 * WIDTH)
    sums = np.zeros(WIDTH)
    psi[2 * (int(par[P_LEVEL0]) - 1)] = 1.0
    pp2 = par[P_P0]
    pp3 = par[P_P0 + 1]
    ph2 = par[P_PHI0]
    ph3 = par[P_PHI0 + 1]
    xi = 1.0 - uniform(rng)
    ipop = np.zeros(3)
    t = t_samples[0]
    t_last = t
    _record(out[0], psi, pp2, pp3, ph2, ph3, ipop, 0.0)
    k_next = 1
    while k_next < n_t:
        if abs(pp2) > p_max or abs(pp3) > p_max:
            out[k_next:] = np.nan
            return False
        t_next = t_samples[k_next]
        h = hmax
        v2 = 2.0 * wr2 * pp2
        v3 = 2.0 * wr3 * pp3
        vmax = max(abs(v2), abs(v3))
        if vmax * h > theta_max:
            h = theta_max / vmax
        hit = False
        if t + h >= t_next:
            h = t_next - t
            hit = True
        th2 = v2 * h
        th3 = v3 * h
        c2 = math.cos(ph2)
        s2 = math.sin(ph2)
        c3 = math.cos(ph3)
        s3 = math.sin(ph3)
        cpl[0] = c2
        cpl[1] = s2
        cpl[2] = th2
        cpl[3] = h * om2
        cpl[4] = c3
        cpl[5] = s3
        cpl[6] = th3
        cpl[7] = h * om3
        order = kmax if h == hmax else _taylor_order(hnorm * h)
        for c in range(6):
            b[c] = psi[c]
        hd[0] = h * d1r
        hd[1] = h * d1i
        hd[2] = h * d2r
        hd[3] = h * d2i
        taylor8(b, order, hd, cpl, w2, w3, ctab, rows, fact, inv_fact, end, basis, lanes)
        for c in range(6):
            tmp[c] = end[c]
        s_end = 1.0
        jump = False
        if _norm2(tmp) < xi:
            scale_rows8(b, order + 1, inv_fact, a)
            lo = 0.0
            hi = 1.0
            for _ in range(64):
                mid = 0.5 * (lo + hi)
                _horner(a, order, mid, tmp)
                if _norm2(tmp) > xi:
                    lo = mid
                else:
                    hi = mid
                if hi - lo < 1e-15:
                    break
            s_end = 0.5 * (lo + hi)
            jump = True
            hit = False
        tau = s_end * h
        # Gauss-Legendre quadrature over [0, tau] of the normalized state.
        if jump:
            sp = 1.0
            for k in range(order + 1):
                spow[k] = sp
                sp *= s_end
            scale_rows8(basis, order + 1, spow, scaled)
            for g in range(WIDTH):
                jsvals[g] = s_end * svals[g]
            poly_lanes8(b, order, scaled, lanes)
            quad8(lanes, jsvals, qw, qwl, th2, th3, om2, s2, c2, om3, s3, c3, sums)
        else:  # ψ at the nodes came with the Taylor coefficients
            quad8(lanes, svals, qw, qwl, th2, th3, om2, s2, c2, om3, s3, c3, sums)
        ipop[0] += tau * sums[0]
        ipop[1] += tau * sums[1]
        ipop[2] += tau * (1.0 - sums[0] - sums[1])
        f2 = tau * sums[2]
        f3 = tau * sums[3]
        j2 = tau * tau * sums[4]
        j3 = tau * tau * sums[5]
        totals[S_FORCE] += f2
        totals[S_FORCE + 1] += f3
        if dynamic:
            totals[S_WFORCE] += wr2 * (2.0 * pp2 + f2) * f2
            totals[S_WFORCE + 1] += wr3 * (2.0 * pp3 + f3) * f3
        else:
            totals[S_WFORCE] += wr2 * 2.0 * pp2 * f2
            totals[S_WFORCE + 1] += wr3 * 2.0 * pp3 * f3
        if dynamic:
            ph2 += 2.0 * wr2 * (pp2 * tau + j2)
            ph3 += 2.0 * wr3 * (pp3 * tau + j3)
            pp2 += f2
            pp3 += f3
        else:
            ph2 += v2 * tau
            ph3 += v3 * tau
        if ph2 > _TWO_PI or ph2 < -_TWO_PI:
            ph2 = ph2 - _TWO_PI * math.floor(ph2 / _TWO_PI)
        if ph3 > _TWO_PI or ph3 < -_TWO_PI:
            ph3 = ph3 - _TWO_PI * math.floor(ph3 / _TWO_PI)
        if jump:
            t += tau
            _horner(a, order, s_end, tmp)
            inv = 1.0 / _norm2(tmp)
            q2 = (tmp[2] ** 2 + tmp[3] ** 2) * inv
            q3 = (tmp[4] ** 2 + tmp[5] ** 2) * inv
            r0 = g2 * q2
            r1 = r0 + nu2 * q2
            r2 = r1 + g23 * q2
            r3 = r2 + g3 * q3
            r4 = r3 + nu3 * q3
            u = uniform(rng) * r4
            if u < r0:
                ch = 0
            elif u < r1:
                ch = 1
            elif u < r2:
                ch = 2
            elif u < r3:
                ch = 3
            else:
                ch = 4
            jumps[ch] += 1
            psi[:] = 0.0
            if ch == 0 or ch == 3:
                psi[0] = 1.0
                # recoil: photon direction uniform on the sphere, projected on the axes
                cz = 2.0 * uniform(rng) - 1.0
                az = _TWO_PI * uniform(rng)
                rho = math.sqrt(max(0.0, 1.0 - cz * cz))
                sx = rho * math.cos(az)
                sy = rho * math.sin(az)
                if ch == 0:
                    kx = sx
                    ky = sy / k32
                else:
                    kx = sx * k32
                    ky = sy
                totals[S_KICK] += kx
                totals[S_KICK + 1] += ky
                totals[S_WKICK] += wr2 * (2.0 * pp2 + kx) * kx
                totals[S_WKICK + 1] += wr3 * (2.0 * pp3 + ky) * ky
                if dynamic:
                    pp2 += kx
                    pp3 += ky
            elif ch == 1:
                psi[2] = 1.0
            else:
                psi[4] = 1.0
            xi = 1.0 - uniform(rng)
        else:
            psi[:] = tmp
            if hit:
                t = t_next
                _record(out[k_next], psi, pp2, pp3, ph2, ph3, ipop, t - t_last)
                t_last = t
                k_next += 1
            else:
                t += tau
    return True


@njit(cache=True, parallel=True)
def run_block(par, t_samples, nodes, weights, seeds, traces, totals, jumps, alive):
    """Run ``seeds.shape[0]`` independent trajectories (parallel over trajectories).

    The trajectories are independent and each writes only its own rows, so the
    results do not depend on the number of threads or on how the loop is split
    (callers set ``numba.parallel_chunksize(1)`` to share uneven trajectories evenly).

    Args:
        par: float64 (N_PARAMS,), layout ``P_*``: Ω2, Ω3, Δ2, Δ3, Γ2, Γ3, ν2, ν3, Γ23,
            ω_r2, ω_r3 (units of Γ3), k3/k2; then the run settings: an upper bound of
            the spectral norm of H_eff (Γ3, sets the Taylor order), the largest step
            (1/Γ3; steps are shortened at samples and jumps), the largest phase
            advance 2 ω_r |P| h per step (rad), p_max (a trajectory with |P_i| > p_max
            stops: escaped, later samples NaN), dynamic (0: P held fixed, a prescribed
            uniform motion whose force and kicks are only recorded), the initial
            level (1, 2, 3), initial P_i (units ħk_i) and φ_i = k_i r_i (rad).
        t_samples: float64 (n_t,), increasing sample times, t_samples[0] the start.
        nodes, weights: Gauss-Legendre nodes in [0, 1] and weights (sum 1).
        seeds: uint64 (M, 4) xoshiro256** states, one row per trajectory (not modified).
        traces: float64 (M, n_t, N_TRACES) output, columns ``T_*``: normalized
            populations at the samples, their averages over the preceding sample
            interval, P_i, φ_i (unwrapped), and Re, Im of <σ12>, <σ13>.
        totals: float64 (M, N_TOTALS) output, columns ``S_*``: ∫F_i dt and Σ kicks
            (units ħk_i), and the kinetic-energy change ω_r,i Δ(P_i²) (ħΓ3) caused by
            the force and by the kicks (with P fixed the force part is ∫ 2ω_r P F dt).
        jumps: int64 (M, 5) output, jump counts per channel (``CHANNELS``).
        alive: bool (M,) output, False for escaped trajectories.
    """
    for j in prange(seeds.shape[0]):
        rng = seeds[j].copy()
        alive[j] = _trajectory(par, t_samples, nodes, weights, rng, traces[j], totals[j], jumps[j])
