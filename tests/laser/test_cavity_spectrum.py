"""Cavity output spectrum of the laser (paper Sec. III.B, Fig. 7).

Paper values appear only as the claims compared with; every number is computed here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from vlaser.atom import emission_spectrum
from vlaser.errors import ConvergenceError, ParameterError
from vlaser.laser.spectrum import cavity_spectrum, correlation_for, pulling
from vlaser.laser.steady import steady_state
from vlaser.params import DEFAULT_GAMMA2, LaserParams

G2 = DEFAULT_GAMMA2


def paper(nu: float = 10.0, **kw) -> LaserParams:
    return LaserParams.paper(nu2=nu * G2, nu3=nu * G2, **kw)


@pytest.fixture(scope="module")
def fig7a():
    return cavity_spectrum(paper())


def test_fig7a_linewidth_and_peak(fig7a):
    """Paper Fig. 7(a): FWHM 0.35Γ2, δp = 22.9Γ2 at N = 50000, ν = 10Γ2.

    Computed 0.3389Γ2 (3 % below the paper's two-digit value) and 22.891Γ2. The
    pinned values carry rel 2e-3: far above the round-off of the peak refinement
    (~1e-9) and the Newton tolerance, small against any change of physics."""
    s = fig7a
    assert s.stable and s.frame == "coherent"
    assert s.fwhm / G2 == pytest.approx(0.35, rel=0.05)  # the paper's claim
    assert s.peak / G2 == pytest.approx(22.9, rel=0.01)  # the paper's claim
    assert s.fwhm / G2 == pytest.approx(0.3389, rel=2e-3)  # what order 2 gives
    assert s.peak / G2 == pytest.approx(22.891, rel=2e-3)
    assert s.photons == pytest.approx(1045.8, rel=2e-3)
    # The lasing line is the only line and far from the pump (δ = Δ2 = 5 Γ3).
    assert len(s.peaks) == 1
    # Elastic part: weight |⟨a⟩|² of the steady state, Lorentzian of FWHM ν2 exactly.
    assert s.coherent_photons == pytest.approx(float(s.steady.coherent_photons), rel=1e-12)
    assert s.coherent_fwhm == pytest.approx(10 * G2, rel=1e-12)
    d = s.to_dict()
    assert d["fwhm_gamma2"] == pytest.approx(s.fwhm / G2)
    assert d["peak_gamma2"] == pytest.approx(s.peak / G2)


def test_sum_rule(fig7a):
    """∫ S_inc dω/2π = n − |⟨a⟩|² (the regression system starts from ⟨a†a⟩ − |⟨a⟩|²).

    Quadrature over the whole line by ω = ω0 + γ tan θ (γ = HWHM, θ uniform, midpoint
    rule, 2e5 points), under which the Lorentzian line is flat; the broad atomic
    features at |ω − ω0| ~ Γ3 carry little weight and are still sampled every
    ~γ/sin²θ. Observed agreement ~1e-6; tolerance 1e-4."""
    s = fig7a
    w0, hw = s.line.position - 5.0, s.fwhm / 2
    m = 200_000
    theta = -np.pi / 2 + (np.arange(m) + 0.5) * np.pi / m
    w = w0 + hw * np.tan(theta)
    integral = np.sum(s.evaluate(w) * hw / np.cos(theta) ** 2) * (np.pi / m) / (2 * np.pi)
    assert integral == pytest.approx(s.photons - s.coherent_photons, rel=1e-4)
    # Normalized spectrum peaks at 1 on the grid (to the grid's resolution).
    assert s.normalized.max() == 1.0
    assert s.line.height >= s.values.max()


def test_low_photon_number_is_the_filtered_atomic_spectrum():
    """N = 1, ν = 0 (n ~ 1e-4): the cavity just filters the single-atom fluorescence,
    S_cav ∝ S_atom(ω)/((ω + Δc)² + κ²), with the exact single-atom S_atom of
    vlaser.atom (an independent route, Fig. 4 machinery). The atom's back-action is
    O(g²/(κΓg)) ~ 1e-4: shapes agree to 1e-3 of the maximum. The FWHM is then close
    to the cold-cavity 2κ (paper: "approximately given by the cavity linewidth")."""
    p = paper(nu=0.0, atoms=1.0)
    s = cavity_spectrum(p)
    atom = emission_spectrum(p.atom())
    w = np.linspace(s.line.position - 3 * s.fwhm, s.line.position + 3 * s.fwhm, 301) - 5.0
    filt = atom.evaluate(w) / ((w + float(p.delta_c)) ** 2 + float(p.kappa) ** 2)
    ours = s.evaluate(w)
    np.testing.assert_allclose(ours / ours.max(), filt / filt.max(), atol=1e-3)
    two_kappa = 2 * float(p.kappa)
    # 101.8Γ2 vs 100Γ2: the gain line under the cavity is not flat (it is not centred
    # on the cavity and has structure), +1.8 %.
    assert s.fwhm == pytest.approx(two_kappa, rel=0.03)


def test_fwhm_falls_with_photon_number_but_slower_than_1_over_n():
    """Above threshold (ν = 10Γ2): FWHM decreases monotonically with n; the paper says
    ∝ 1/n. Observed: local log-log slopes −0.9 near threshold to −0.67 at n ≈ 1000,
    FWHM ≈ a + b/n with a floor a ≈ 0.14Γ2. Pinned: slopes in (−0.95, −0.6)."""
    ls = correlation_for(2, "coherent")[0]
    atoms = np.array([16000.0, 25000.0, 50000.0])
    p = paper(atoms=atoms)
    grid = steady_state(p, system=ls, dynamics=False)
    n, w, pk = [], [], []
    for j in range(atoms.size):
        s = cavity_spectrum(p.point(j), steady=_point_steady(p.point(j), grid.x[j]))
        n.append(s.photons)
        w.append(s.fwhm)
        pk.append(s.peak)
    n, w = np.array(n), np.array(w)
    slopes = np.diff(np.log(w)) / np.diff(np.log(n))
    assert np.all(np.diff(w) < 0)
    assert np.all((slopes > -0.95) & (slopes < -0.6)), slopes
    assert slopes[1] > slopes[0]  # flattening: not a pure power law
    # δp falls with n (ac-Stark shift by the cavity field, Fig. 7(c)).
    assert np.all(np.diff(pk) < 0)


def _point_steady(p, x):
    ls = correlation_for(2, "coherent")[0]
    return steady_state(p, system=ls, guess=x, dynamics=False)


def test_frames_at_zero_linewidth_agree_and_differ_at_finite_linewidth():
    """ν = 0: coherent and instantaneous frames are the same equations. ν = 10Γ2: the
    instantaneous frame (spectrum relative to the fluctuating pump phase) gives a
    different line; the coherent one is the paper's."""
    p0 = paper(nu=0.0, atoms=16000.0)
    a = cavity_spectrum(p0, frame="coherent")
    b = cavity_spectrum(p0, frame="instantaneous", steady=a.steady)
    assert a.fwhm == pytest.approx(b.fwhm, rel=1e-10)
    assert a.peak == pytest.approx(b.peak, rel=1e-10)
    assert a.coherent_fwhm == 0.0
    p = paper(nu=10.0, atoms=16000.0)
    c = cavity_spectrum(p, frame="coherent")
    d = cavity_spectrum(p, frame="instantaneous", steady=c.steady)
    assert d.coherent_fwhm == 0.0 and c.coherent_fwhm == pytest.approx(10 * G2)
    assert abs(c.fwhm - d.fwhm) > 1e-3 * c.fwhm


def test_cavity_pulling():
    """Paper: dδp/dΔc ≈ 1 above threshold. With Δc = ω_l2 − ωc a cavity shift dωc is
    −dΔc: computed dδp/dΔc = −0.876, i.e. the line follows the cavity by 0.876 of its
    shift; the good-cavity estimate Γg/(Γg + 2κ) with the single-atom gain width
    Γg ≈ 625Γ2 gives 0.862. Below threshold (N = 3000) the line is the filtered cavity
    line and follows the cavity fully (−1.003). Step Γ2 vs 5Γ2 agree to 1e-4: the
    central difference is converged."""
    above = pulling(paper())
    assert above.pulling == pytest.approx(-0.876, abs=0.005)
    assert above.pulling_cavity == pytest.approx(-above.pulling)
    assert pulling(paper(), step=5 * G2).pulling == pytest.approx(above.pulling, abs=1e-4)
    below = pulling(paper(atoms=3000.0))
    assert below.pulling == pytest.approx(-1.0, abs=0.01)


def test_unstable_steady_state_is_refused():
    """ν = 0, N = 50000: the second-order fixed point is unstable (the paper's ν = 0
    'anomaly' region); the spectrum is refused unless asked for explicitly."""
    p = paper(nu=0.0)
    with pytest.raises(ConvergenceError, match="unstable"):
        cavity_spectrum(p)
    s = cavity_spectrum(p, allow_unstable=True)
    assert not s.stable and s.max_growth_rate > 0
    assert np.all(s.poles.real < 0)  # the correlation system itself decays


def test_nonconverged_steady_state_is_refused(fig7a):
    import dataclasses

    bad = dataclasses.replace(fig7a.steady, converged=np.array(False))
    with pytest.raises(ConvergenceError, match="converge"):
        cavity_spectrum(paper(), steady=bad)


def test_bad_inputs(fig7a):
    p = paper()
    with pytest.raises(ParameterError, match="single parameter point"):
        cavity_spectrum(paper(atoms=np.array([1e4, 2e4])))
    with pytest.raises(ParameterError, match="frame"):
        cavity_spectrum(p, frame="lab")
    with pytest.raises(ParameterError, match="order"):
        cavity_spectrum(p, order=1)
    with pytest.raises(ParameterError, match="order"):
        cavity_spectrum(p, order=2.5)
    for omega in ([], [0.0, 1.0], [0.0, np.nan, 1.0], np.zeros((3, 3)), "abc"):
        with pytest.raises(ParameterError, match="omega"):
            cavity_spectrum(p, omega=omega, steady=fig7a.steady)
    with pytest.raises(ParameterError, match="steady"):
        cavity_spectrum(p, steady=steady_state(paper(atoms=np.array([1e4, 2e4])), dynamics=False))
    with pytest.raises(ParameterError, match="step"):
        pulling(p, step=0.0)
    with pytest.raises(ParameterError, match="params"):
        cavity_spectrum({"atoms": 1})


def test_user_grid(fig7a):
    w = np.linspace(fig7a.line.position - 5.0 - 1e-3, fig7a.line.position - 5.0 + 1e-3, 401)
    s = cavity_spectrum(paper(), omega=w, steady=fig7a.steady)
    assert s.omega.size == 401
    # Both refined on the exact S; its relative round-off near the line is ~cond·eps
    # ~1e-8 (solve of iω − A with |λ| ~ 4e-5 against entries ~1): FWHM to ~5e-8.
    assert s.fwhm == pytest.approx(fig7a.fwhm, rel=1e-6)


def test_cli_spectrum_and_pulling(tmp_path, capsys):
    from vlaser.cli import main

    png = tmp_path / "s.png"
    with pytest.raises(SystemExit) as exc:
        main(["laser", "spectrum", "--nu2", "10g2", "--nu3", "10g2", "--json", "--out", str(png)])
    assert exc.value.code == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("fwhm", "peak", "photons", "coherent_photons", "fwhm_gamma2", "peak_gamma2"):
        assert key in out
    assert out["fwhm_gamma2"] == pytest.approx(0.3389, rel=2e-3)
    assert png.stat().st_size > 1000
    with pytest.raises(SystemExit) as exc:
        main(["laser", "pulling", "--nu2", "10g2", "--nu3", "10g2", "--json"])
    assert exc.value.code == 0
    assert json.loads(capsys.readouterr().out)["pulling"] == pytest.approx(-0.876, abs=0.005)
    for bad in (["--atoms", "0"], ["--frame", "lab"], ["--out", "x.txt"], ["--nu2", "-1"]):
        with pytest.raises(SystemExit) as exc:
            main(["laser", "spectrum", *bad])
        assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:  # ν = 0 at N = 50000: unstable
        main(["laser", "spectrum"])
    assert exc.value.code == 2
    assert "unstable" in capsys.readouterr().err


@pytest.mark.slow
def test_fig7_quick_claims():
    from vlaser.figures import fig7

    ds = fig7.compute(quick=True)
    claims = {c.statement: c for c in fig7.claims(ds)}
    assert len(claims) == 8
    holds = [c.holds for c in claims.values()]
    assert holds == [True, True, False, True, True, True, False, True]
    fig7.plot(ds)
