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
