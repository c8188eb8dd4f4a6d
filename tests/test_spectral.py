"""Generic resolvent spectra, adaptive grids and peak analysis on analytic cases."""

from __future__ import annotations

import numpy as np
import pytest

from vlaser.spectral import (
    Peak,
    adaptive_grid,
    find_peaks,
    resolvent_spectrum,
    spectrum_function,
)


def lorentz(w, gamma, center, weight=1.0):
    """2 Re w/(i(ω − Ω) + γ) = 2wγ / (γ² + (ω − Ω)²): FWHM 2γ, height 2w/γ."""
    return 2 * weight * gamma / (gamma**2 + (w - center) ** 2)


def test_single_pole_is_a_lorentzian():
    lam = -0.3 + 2.0j
    w = np.linspace(-5, 5, 101)
    s = resolvent_spectrum(np.array([[lam]]), np.array([1.0]), np.array([1.0]), w)
    # Closed form of the same expression: round-off only.
    np.testing.assert_allclose(s, lorentz(w, 0.3, 2.0), rtol=1e-12)


def test_batched_and_scalar_omega():
    rng = np.random.default_rng(11)
    a = rng.normal(size=(4, 3, 3)) + 1j * rng.normal(size=(4, 3, 3))
    M = a - 6 * np.eye(3)  # all eigenvalues well inside the left half plane
    x0 = rng.normal(size=3)
    c = rng.normal(size=3)
    w = np.linspace(-3, 3, 7)
    s = resolvent_spectrum(M, x0, c, w)
    assert s.shape == (4, 7)
    for k in range(4):
        direct = [2 * np.real(c @ np.linalg.solve(1j * x * np.eye(3) - M[k], x0)) for x in w]
        # Same linear algebra, one matrix at a time: round-off only.
        np.testing.assert_allclose(s[k], direct, rtol=1e-12, atol=1e-14)
        f = spectrum_function(M[k], x0, c)
        assert f(w[2]) == pytest.approx(direct[2], rel=1e-12)


def test_narrow_and_broad_lines_resolved_without_hints():
    """Two Lorentzians of widths 2e-3 and 20 on one axis, plus a third one:
    positions, FWHMs and heights from the adaptive grid + refinement match the
    closed form, though nothing says where they are."""
    poles = np.array([-1e-3 + 0.37j, -10.0 - 40.0j, -0.2 + 30.0j])
    weights = np.array([1e-3, 3.0, 0.5])
    M = np.diag(poles)
    x0 = weights
    c = np.ones(3)
    grid = adaptive_grid(poles)
    s = resolvent_spectrum(M, x0, c, grid)
    peaks = find_peaks(grid, s, func=spectrum_function(M, x0, c))
    assert len(peaks) == 3

    def closed(x):
        return sum(lorentz(x, -p.real, p.imag, wt) for p, wt in zip(poles, weights, strict=True))

    for pk, (center, halfwidth) in zip(
        sorted(peaks, key=lambda pk: pk.position),
        [(-40.0, 10.0), (0.37, 1e-3), (30.0, 0.2)],
        strict=True,
    ):
        # Brute force on the closed form: 2e6 points over ±3 FWHM; the half-maximum
        # crossings are then known to ±3e-6 FWHM, the maximum to ±1.5e-6 FWHM.
        x = np.linspace(center - 6 * halfwidth, center + 6 * halfwidth, 2_000_001)
        y = closed(x)
        # Local maximum nearest the pole, and the contiguous region above half of it.
        win = np.abs(x - center) < 0.5 * halfwidth
        k = np.flatnonzero(win)[np.argmax(y[win])]
        below = np.flatnonzero(y < 0.5 * y[k])
        lo, hi = below[below < k].max() + 1, below[below > k].min() - 1
        above = x[lo : hi + 1]
        assert pk.position == pytest.approx(x[k], abs=1e-5 * halfwidth)
        assert pk.height == pytest.approx(y[k], rel=1e-9)
        assert pk.fwhm == pytest.approx(above[-1] - above[0], abs=2e-5 * halfwidth)
    # Sorted by height.
    assert [pk.height for pk in peaks] == sorted((pk.height for pk in peaks), reverse=True)


def test_fwhm_not_grid_limited():
    """A coarse grid (spacing 0.1 ≫ γ error) still gives the exact FWHM by root finding."""
    g = 0.05
    f = lambda x: float(lorentz(x, g, 0.0))  # noqa: E731
    w = np.linspace(-1, 1, 21)
    peaks = find_peaks(w, lorentz(w, g, 0.0), func=f)
    assert peaks[0].fwhm == pytest.approx(2 * g, rel=1e-9)
    assert peaks[0].height == pytest.approx(2 / g, rel=1e-9)


def test_peak_to_dict_and_edge_cases():
    w = np.linspace(0, 1, 11)
    s = w.copy()  # monotone: no interior maximum
    assert find_peaks(w, s) == []
    pk = Peak(1.0, 2.0, 3.0)
    assert pk.to_dict() == {"position": 1.0, "fwhm": 2.0, "height": 3.0}
    # FWHM without the exact function: linear interpolation on the samples.
    w = np.linspace(-1, 1, 2001)
    pk = find_peaks(w, lorentz(w, 0.1, 0.0))[0]
    assert pk.fwhm == pytest.approx(0.2, rel=1e-4)
    with pytest.raises(ValueError):
        find_peaks(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError):
        adaptive_grid(np.array([1.0 + 0j]))


def test_adaptive_grid_resolution():
    poles = np.array([-1e-4 + 1.0j, -1.0 + 0j])
    grid = adaptive_grid(poles, patch_points=241, patch_halfwidths=12.0)
    near = grid[np.abs(grid - 1.0) < 0.25e-4]
    # Spacing at the narrow pole's centre ≈ 2 arctan(12) γ / 240 ≈ γ/80 (and at most
    # 1 + 0.25² times that within γ/4).
    assert np.max(np.diff(near)) < 1e-4 / 70
    assert np.all(np.diff(grid) > 0)


def test_no_duplicate_line_from_interleaved_patches():
    """Poles with nearly equal centres (Im λ ~ 1e-16) used to put grid points ~1e-13
    apart, whose round-off ripple was reported as a second copy of a line (here the
    pump line at δ ≈ 12798 Γ2, FWHM 15.9 Γ2, seen twice). Every line is distinct now."""
    from vlaser.atom import emission_spectrum
    from vlaser.params import AtomParams

    sp = emission_spectrum(AtomParams.paper(delta2=3.0, omega2=0.3))
    pos = np.sort([pk.position for pk in sp.peaks])
    widths = [pk.fwhm for pk in sp.peaks]
    assert np.all(np.diff(pos) > 0.1 * min(widths))
    assert np.min(np.diff(sp.omega)) > 0


# --- line derivatives by implicit functions (issue 12) ------------------------------


def _lorentz(gamma: float, omega0: float, weight: complex = 1.0):
    """One pole λ = −γ + iΩ: S = 2 Re w/(iω − λ), peak Ω, FWHM 2γ, height 2 Re w/γ."""
    from vlaser.spectral import find_lines

    A = np.array([[-gamma + 1j * omega0]])
    z0 = np.array([weight], dtype=complex)
    c = np.array([1.0 + 0j])
    w = np.linspace(omega0 - 50 * gamma, omega0 + 50 * gamma, 2001)
    pk, left, right = find_lines(w, resolvent_spectrum(A, z0, c, w),
                                 func=lambda q: float(resolvent_spectrum(A, z0, c, q)))[0]  # fmt: skip
    return A, z0, c, pk, left, right


def test_line_derivatives_of_a_lorentzian_are_exact():
    """dΩ: position 1, FWHM 0; dγ: position 0, FWHM 2, height −2/γ²; dw: height 2/γ."""
    from vlaser.spectral import line_derivatives

    gamma, omega0 = 0.3, 1.7
    A, z0, c, pk, left, right = _lorentz(gamma, omega0)
    assert pk.fwhm == pytest.approx(2 * gamma, rel=1e-10)
    dA = np.array([[[1j]], [[-1.0]], [[0.0]]])
    dz0 = np.array([[0.0], [0.0], [1.0]], dtype=complex)
    der = line_derivatives(A, z0, c, dA, dz0, pk.position, left, right)
    np.testing.assert_allclose(der["position"], [1.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(der["fwhm"], [0.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(der["height"], [0.0, -2.0 / gamma**2, 2.0 / gamma], rtol=1e-9,
                               atol=1e-9)  # fmt: skip


def test_line_derivatives_of_two_overlapping_poles_match_differences():
    """An asymmetric line (two poles, complex weights): implicit vs Richardson differences
    of the re-located line, 1e-7 relative (differences' truncation O(h⁴), h = 1e-3)."""
    from vlaser.spectral import find_lines, line_derivatives

    rng = np.random.default_rng(5)
    A0 = np.array([[-0.2 + 1.0j, 0.05], [0.1j, -0.5 + 1.4j]])
    z0 = np.array([1.0 + 0.2j, 0.3 - 0.1j])
    c = np.array([1.0, 0.7 + 0.1j])
    dA = rng.normal(size=(2, 2, 2)) * 0.1 + 1j * rng.normal(size=(2, 2, 2)) * 0.1
    dz = rng.normal(size=(2, 2)) * 0.1 + 0j

    def line(a, z):
        w = np.linspace(-3, 5, 4001)
        pk, lo, hi = find_lines(w, resolvent_spectrum(a, z, c, w),
                                func=lambda q: float(resolvent_spectrum(a, z, c, q)))[0]  # fmt: skip
        from vlaser.spectral import refine_line

        pos, lo, hi, _h = refine_line(a, z, c, pk.position, lo, hi)
        return np.array([pos, hi - lo]), (pk.position, lo, hi)

    base, (pos, lo, hi) = line(A0, z0)
    der = line_derivatives(A0, z0, c, dA, dz, pos, lo, hi)

    def fd(k, h):
        return (line(A0 + h * dA[k], z0 + h * dz[k])[0]
                - line(A0 - h * dA[k], z0 - h * dz[k])[0]) / (2 * h)  # fmt: skip

    for k in range(2):
        r = (4 * fd(k, 5e-4) - fd(k, 1e-3)) / 3
        np.testing.assert_allclose([der["position"][k], der["fwhm"][k]], r, rtol=1e-7)


def test_refine_line_polishes_a_displaced_maximum():
    from vlaser.spectral import refine_line

    gamma, omega0 = 1e-4, 3.0
    A, z0, c, pk, left, right = _lorentz(gamma, omega0)
    pos, lo, hi, h = refine_line(A, z0, c, omega0 + 0.05 * gamma, left - 0.01 * gamma,
                                 right + 0.01 * gamma)  # fmt: skip
    assert pos == pytest.approx(omega0, abs=1e-13)
    assert (lo, hi) == pytest.approx((omega0 - gamma, omega0 + gamma), abs=1e-13)
    assert h == pytest.approx(2.0 / gamma, rel=1e-12)
