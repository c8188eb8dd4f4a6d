"""The vector primitives of the trajectory kernel against plain NumPy/SciPy references.

Each primitive is an LLVM intrinsic (callable only from compiled code), so the tests
call it through small jitted wrappers. The references are the textbook forms: the
complex Taylor recursion of the model, ψ(s) from an ODE solver, direct sums.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from vlaser.motion._simd import COUPLING_TOL, WIDTH, poly_lanes8, quad8, scale_rows8, taylor8


@njit
def _taylor(b, order, hd, cpl, w2, w3, rows, fact, inv_fact, end, basis):
    lanes = np.zeros(6 * WIDTH)
    taylor8(b, order, hd, cpl, w2, w3, np.zeros(64), rows, fact, inv_fact, end, basis, lanes)
    return lanes


@njit
def _lanes(coef, order, powers, out):
    poly_lanes8(coef, order, powers, out)


@njit
def _scale(src, n_rows, factors, dst):
    scale_rows8(src, n_rows, factors, dst)


@njit
def _quad(lanes, svals, qw, qwl, th2, th3, om2, s2, c2, om3, s3, c3, out):
    quad8(lanes, svals, qw, qwl, th2, th3, om2, s2, c2, om3, s3, c3, out)


def _pack(z: np.ndarray) -> np.ndarray:
    """Complex 3-vector -> the 8 floats (Re, Im of z1, z2, z3, 0, 0)."""
    out = np.zeros(WIDTH)
    out[0:6:2], out[1:6:2] = z.real, z.imag
    return out


def _unpack(v: np.ndarray) -> np.ndarray:
    return v[0:6:2] + 1j * v[1:6:2]


def _coupling_ref(c: float, s: float, theta: float, scale: float) -> np.ndarray:
    """scale [s^m] cos(φ + θ s), m = 0..15, with the kernel's truncation rule."""
    w = np.zeros(16)
    w[0] = scale * c
    pattern = (c, -s, -c, s)
    for m in range(1, 16):
        t = theta**m / math.factorial(m)
        if abs(t) * (abs(theta) + 1) < COUPLING_TOL:
            break
        w[m] = scale * t * pattern[m % 4]
    return w


def _run_taylor(psi0, order, hd1, hd2, cpl):
    """Run taylor8; returns a_n (complex, (order+1, 3)), ψ(1), w2, w3, the raw ψ(1) row."""
    inv_fact = np.array([1 / math.factorial(k) for k in range(order + 1)])
    b = np.zeros(WIDTH * (order + 1))
    b[:WIDTH] = _pack(psi0)
    w2, w3, rows, end = np.zeros(16), np.zeros(16), np.zeros(WIDTH * order), np.zeros(WIDTH)
    hd = np.array([hd1.real, hd1.imag, hd2.real, hd2.imag])
    # ψ at eight points x_g: basis x_g^k/k!
    x = np.linspace(0.0, 1.0, WIDTH)
    basis = (x[None, :] ** np.arange(order + 1)[:, None]) * inv_fact[:, None]
    cpl = np.asarray(cpl, float)
    lanes = _taylor(b, order, hd, cpl, w2, w3, rows, 1 / inv_fact, inv_fact, end, basis.ravel())
    rows_b = b.reshape(order + 1, WIDTH)
    assert np.allclose(lanes.reshape(6, WIDTH), rows_b[:, :6].T @ basis, rtol=1e-13, atol=1e-15)
    a = np.array([_unpack(b[WIDTH * k : WIDTH * (k + 1)]) * inv_fact[k] for k in range(order + 1)])
    return a, _unpack(end), w2, w3, end


CASES = [
    # psi0, order, h d1, h d2, (cos φ2, sin φ2, θ2, hΩ2, cos φ3, sin φ3, θ3, hΩ3)
    (
        np.array([1.0, 0, 0]),
        18,
        -1.15 - 0.001j,
        0.23 - 0.115j,
        (1.0, 0.0, 0.016, 0.115, 1.0, 0.0, 0.035, 0.115),
    ),
    (
        np.array([0.3 + 0.1j, -0.2 + 0.5j, 0.4 - 0.6j]),
        29,
        2.0 - 0.3j,
        -0.7 - 0.4j,
        (math.cos(0.7), math.sin(0.7), 0.1, 0.4, math.cos(1.1), math.sin(1.1), -0.07, 0.6),
    ),
    (
        np.array([0.0, 1.0, 0.0]),
        12,
        0.3 - 0.02j,
        -0.1 - 0.5j,
        (0.6, 0.8, 0.0, 0.2, -0.8, 0.6, 0.0, 0.3),
    ),
    (
        np.array([0.5, 0.5j, -0.5]),
        3,
        0.1 - 0.01j,
        0.2 - 0.1j,
        (0.6, 0.8, 0.05, 0.2, -0.8, 0.6, 0.09, 0.3),
    ),
]


@pytest.mark.parametrize(("psi0", "order", "hd1", "hd2", "cpl"), CASES)
def test_taylor8_matches_complex_recursion(psi0, order, hd1, hd2, cpl):
    a, end, w2, w3, raw = _run_taylor(psi0, order, hd1, hd2, cpl)
    ref_w2 = _coupling_ref(*cpl[0:4])
    ref_w3 = _coupling_ref(*cpl[4:8])
    assert np.allclose(w2, ref_w2, rtol=1e-14, atol=0) and np.allclose(
        w3, ref_w3, rtol=1e-14, atol=0
    )
    assert np.array_equal(w2 == 0, ref_w2 == 0) and np.array_equal(w3 == 0, ref_w3 == 0)
    # (n+1) a_{n+1} = −i [h D a_n + Σ_m (w2[m] X2 + w3[m] X3) a_{n−m}]
    ref = [psi0.astype(complex)]
    for n in range(order):
        acc = np.array([0, hd1 * ref[n][1], hd2 * ref[n][2]], dtype=complex)
        for m in range(min(n, 15) + 1):
            x = ref[n - m]
            acc += [ref_w2[m] * x[1] + ref_w3[m] * x[2], ref_w2[m] * x[0], ref_w3[m] * x[0]]
        ref.append(-1j * acc / (n + 1))
    ref = np.array(ref)
    scale = np.abs(ref).max(axis=1, keepdims=True)
    assert np.max(np.abs(a - ref) / np.maximum(scale, 1e-300)) < 1e-13
    assert np.max(np.abs(end - ref.sum(axis=0))) < 1e-14
    assert np.all(raw[6:] == 0)  # padding lanes


@pytest.mark.parametrize("theta", [0.0, 0.016, 0.1])
def test_taylor8_solves_the_step(theta):
    # ψ(1) of dψ/ds = −i [h D + hΩ2 cos(φ2 + θ2 s) X2 + hΩ3 cos(φ3 + θ3 s) X3] ψ
    # against DOP853 at rtol 1e-13 (and the matrix exponential for θ = 0)
    hd1, hd2 = -1.15 - 0.03j, 0.23 - 0.5j
    ph2, ph3, hom2, hom3 = 0.7, 1.1, 0.115, 0.2
    cpl = (
        math.cos(ph2),
        math.sin(ph2),
        theta,
        hom2,
        math.cos(ph3),
        math.sin(ph3),
        -0.6 * theta,
        hom3,
    )
    psi0 = np.array([0.8, 0.36 + 0.1j, -0.2j])
    x = 1.2 if theta else 2.5
    order = 18 if x == 1.2 else 24

    def ham(s: float) -> np.ndarray:
        c2 = hom2 * math.cos(ph2 + theta * s)
        c3 = hom3 * math.cos(ph3 - 0.6 * theta * s)
        return np.array([[0, c2, c3], [c2, hd1, 0], [c3, 0, hd2]], dtype=complex)

    _, end, *_ = _run_taylor(psi0, order, hd1, hd2, cpl)
    sol = solve_ivp(
        lambda s, y: -1j * ham(s) @ y,
        (0, 1),
        psi0.astype(complex),
        method="DOP853",
        rtol=1e-13,
        atol=1e-15,
    )
    assert np.max(np.abs(end - sol.y[:, -1])) < 1e-11
    if theta == 0.0:
        assert np.max(np.abs(end - expm(-1j * ham(0.0)) @ psi0)) < 1e-14


def test_poly_lanes8_matches_direct_sum():
    rng = np.random.default_rng(4)
    for order in (0, 1, 6, 17, 18):
        coef = rng.normal(size=WIDTH * (order + 1))
        powers = rng.normal(size=WIDTH * (order + 1))
        out = np.zeros(6 * WIDTH)
        _lanes(coef, order, powers, out)
        c = coef.reshape(order + 1, WIDTH)[:, :6]
        p = powers.reshape(order + 1, WIDTH)
        assert np.allclose(out.reshape(6, WIDTH), c.T @ p, rtol=1e-13, atol=1e-13)


def test_quad8_matches_numpy():
    rng = np.random.default_rng(5)
    lanes = rng.normal(size=6 * WIDTH)
    svals = np.r_[rng.random(6), 0.0, 0.0]
    qw = np.r_[rng.random(6), 0.0, 0.0]
    qwl = qw * rng.random(WIDTH)
    th2, th3, om2, om3, ph2, ph3 = 0.08, -0.1, 0.5, 0.7, 0.3, 2.0
    out = np.zeros(WIDTH)
    _quad(
        lanes,
        svals,
        qw,
        qwl,
        th2,
        th3,
        om2,
        math.sin(ph2),
        math.cos(ph2),
        om3,
        math.sin(ph3),
        math.cos(ph3),
        out,
    )
    psi = lanes.reshape(3, 2, WIDTH)
    z = psi[:, 0] + 1j * psi[:, 1]  # (level, lane)
    nrm = np.sum(np.abs(z) ** 2, axis=0)
    pop = np.abs(z) ** 2 / nrm
    f2 = 2 * om2 * np.sin(ph2 + th2 * svals) * (z[0].conj() * z[1]).real / nrm
    f3 = 2 * om3 * np.sin(ph3 + th3 * svals) * (z[0].conj() * z[2]).real / nrm
    ref = [qw @ pop[0], qw @ pop[1], qw @ f2, qw @ f3, qwl @ f2, qwl @ f3]
    assert np.allclose(out[:6], ref, rtol=1e-14, atol=1e-15)


def test_scale_rows8():
    rng = np.random.default_rng(6)
    src = rng.normal(size=WIDTH * 5)
    factors = rng.normal(size=5)
    dst = np.full(WIDTH * 5, np.nan)
    _scale(src, 4, factors, dst)
    assert np.array_equal(dst[: WIDTH * 4], (src.reshape(5, WIDTH) * factors[:, None])[:4].ravel())
    assert np.all(np.isnan(dst[WIDTH * 4 :]))  # rows beyond n_rows untouched
