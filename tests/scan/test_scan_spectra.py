"""The ``atom.spectrum`` and ``laser.spectrum`` adapters of the shared scan layer."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from scan_helpers import assert_same_data

from vlaser.atom import emission_spectrum
from vlaser.errors import ParameterError
from vlaser.laser.spectrum import cavity_spectrum
from vlaser.params import DEFAULT_GAMMA2, AtomParams, LaserParams
from vlaser.scan import get_solver, run_scan
from vlaser.scan.spectra import AtomSpectrumAdapter
from vlaser.scan.store import DONE_DIR

G2 = DEFAULT_GAMMA2
ATOM_SPECS = ["delta2=3,5", "omega2=0.3:0.5:3"]
ATOM_FIXED = {"omega3": 0.5, "delta3": -1.0, "nu2": "10g2"}
ATOM_OPTS = {"points": 401, "peaks": 4}


def _padded(values, k):
    out = np.full(k, np.nan)
    out[: min(k, len(values))] = values[:k]
    return out


def test_atom_spectrum_scan_equals_direct(tmp_path):
    ds = run_scan(
        "atom.spectrum",
        ATOM_SPECS,
        ATOM_FIXED,
        store=tmp_path / "s.zarr",
        chunk_size=2,
        options=ATOM_OPTS,
    )
    delta = ds["delta"].values
    np.testing.assert_array_equal(delta, np.linspace(-0.5, 0.5, 401))
    assert ds["spectrum"].dims == ("delta2", "omega2", "delta")
    assert ds["peak_fwhm"].dims == ("delta2", "omega2", "line")
    assert list(ds["line"].values) == [0, 1, 2, 3]
    assert ds["spectrum"].attrs["units"] == "1/Gamma3" and ds["delta"].attrs["units"] == "Gamma3"
    for i, d2 in enumerate(ds["delta2"].values):
        for j, w2 in enumerate(ds["omega2"].values):
            p = AtomParams(delta2=d2, omega2=w2, omega3=0.5, delta3=-1.0, nu2=10 * G2)
            es = emission_spectrum(p)
            # The same exact resolvent solves at the same frequencies and the same
            # peak refinement, point for point: identical bits.
            assert np.array_equal(ds["spectrum"].values[i, j], es.evaluate(delta - d2))
            for key in ("position", "fwhm", "height"):
                ref = _padded([getattr(pk, key) for pk in es.peaks], 4)
                assert np.array_equal(ds[f"peak_{key}"].values[i, j], ref, equal_nan=True)
            assert int(ds["lines"][i, j]) == len(es.peaks)
            assert float(ds["coherent_power"][i, j]) == es.coherent_power
            assert float(ds["total_power"][i, j]) == es.total_power
    assert not ds["singular"].values.any()


def test_mollow_triplet_through_the_scan():
    """Ω3 = 0, Δ2 = 0: |1>-|2> is a resonantly driven two-level atom, H = Ω2 σx with
    σx = σ12 + σ21, so the Rabi frequency is Ω_R = 2 Ω2 and, with s = 2 Ω_R²/Γ²,

    * ⟨σ22⟩ = Ω2² / (Γ²/4 + 2 Ω2²) and |⟨σ12⟩|² = ⟨σ22⟩ / (1 + s) (Bloch equations);
    * σx commutes with H and decays at Γ/2 with no source term, so ⟨σx(τ) B⟩ =
      e^{−Γτ/2}⟨σx B⟩: the incoherent spectrum contains exactly the central Lorentzian
      of FWHM Γ and weight ⟨σx(σx − iσy)⟩/4 = (1 + ⟨σz⟩)/4 = ⟨σ22⟩/2, i.e. height
      2⟨σ22⟩/Γ; the σy, σz pair gives the side lines, poles −3Γ/4 ± iμ with
      μ = √(Ω_R² − Γ²/16): FWHM 3Γ/2 and heights 1/3 of the centre for s → ∞.

    Corrections from the overlapping tails and the side lines' dispersive parts are
    O((Γ/Ω_R)²) relative for widths and heights (tolerance 10 (Γ/Ω_R)²) and shift the
    side maxima by ≈ 3Γ²/(8μ) (tolerance Γ²/Ω_R).
    """
    gamma = 0.01
    ds = run_scan(
        "atom.spectrum",
        ["omega2=0.25,0.5"],
        {"omega3": 0.0, "delta2": 0.0, "delta3": -1.0, "gamma2": gamma},
        options={"delta_min": -1.5, "delta_max": 1.5, "points": 3001, "peaks": 3},
        chunk_size=1,
    )
    i0 = int(np.flatnonzero(ds["delta"].values == 0.0)[0])
    for k, w2 in enumerate(ds["omega2"].values):
        rabi = 2.0 * w2
        mu = np.sqrt(rabi**2 - gamma**2 / 16)
        eps = 10.0 * (gamma / rabi) ** 2
        p22 = w2**2 / (gamma**2 / 4 + 2 * w2**2)
        sat = 2 * rabi**2 / gamma**2
        pt = ds.isel(omega2=k)
        # Exact 9x9 solve: round-off ~1e-15.
        assert float(pt["total_power"]) == pytest.approx(p22, abs=1e-13)
        assert float(pt["coherent_power"]) == pytest.approx(p22 / (1 + sat), abs=1e-13)
        pos, fwhm, height = (pt[f"peak_{q}"].values for q in ("position", "fwhm", "height"))
        assert int(pt["lines"]) == 3
        # Line 0: the centre, at δ = 0 by the ω -> −ω symmetry (root-finder accuracy).
        assert abs(pos[0]) < 1e-9
        assert fwhm[0] == pytest.approx(gamma, rel=eps)
        assert height[0] == pytest.approx(2 * p22 / gamma, rel=eps)
        assert float(pt["spectrum"][i0]) == pytest.approx(2 * p22 / gamma, rel=eps)
        for j in (1, 2):
            assert abs(abs(pos[j]) - mu) < gamma**2 / rabi
            assert fwhm[j] == pytest.approx(1.5 * gamma, rel=eps)
            assert height[j] / height[0] == pytest.approx(1 / 3, rel=eps)
        assert pos[1] * pos[2] < 0  # one on each side


def test_singular_point_is_flagged_not_fatal():
    """Γ2 = Ω2 = 0: |2> is decoupled, the steady state is not unique."""
    ds = run_scan(
        "atom.spectrum",
        ["omega2=0,0.5"],
        {"gamma2": 0.0, "omega3": 0.5, "delta2": 5.0, "delta3": -1.0},
        options={"points": 11},
    )
    assert list(ds["singular"].values) == [1, 0]
    assert np.isnan(ds["spectrum"].values[0]).all() and int(ds["lines"][0]) == 0
    assert np.isnan(ds["total_power"].values[0])
    assert np.isfinite(ds["spectrum"].values[1]).all() and int(ds["lines"][1]) >= 1


LASER_OPTS = {"points": 201, "peaks": 2}


def test_laser_spectrum_scan_equals_direct(tmp_path):
    ds = run_scan(
        "laser.spectrum",
        ["atoms=1,2,5"],
        {"nu": "10g2"},
        store=tmp_path / "l.nc",
        chunk_size=2,
        options=LASER_OPTS,
    )
    delta = ds["delta"].values
    assert delta[0] == pytest.approx(-100 * G2) and delta[-1] == pytest.approx(150 * G2)
    assert ds["converged"].values.all() and ds["stable"].values.all()
    for i, n in enumerate(ds["atoms"].values):
        cs = cavity_spectrum(LaserParams.paper(atoms=n, nu2=10 * G2, nu3=10 * G2))
        # The direct call solves its steady state from g = 0, the scan by continuation
        # along the chunk: the same Newton root (residual <= 1e-10 relative) reached
        # from different starts, so everything agrees to the root's conditioning, far
        # below 1e-6 relative.
        np.testing.assert_allclose(ds["spectrum"].values[i], cs.evaluate_delta(delta), rtol=1e-6)
        np.testing.assert_allclose(
            ds["peak_position"].values[i], [pk.position for pk in cs.peaks[:2]], rtol=1e-6
        )
        np.testing.assert_allclose(
            ds["peak_fwhm"].values[i], [pk.fwhm for pk in cs.peaks[:2]], rtol=1e-6
        )
        assert float(ds["photons"][i]) == pytest.approx(cs.photons, rel=1e-6)
        assert float(ds["coherent_photons"][i]) == pytest.approx(cs.coherent_photons, rel=1e-6)
        assert int(ds["lines"][i]) == len(cs.peaks)
    ds.close()


def test_unstable_laser_points_are_flagged():
    """ν = 0, N = 50000: the second-order fixed point is unstable (a growing coherent
    field). Default: NaN spectrum, stable = 0, photons of the fixed point; option
    unstable="formal" stores the formal spectrum (as cavity_spectrum(allow_unstable))."""
    fixed = {"atoms": 50000, "nu": 0.0}
    ds = run_scan("laser.spectrum", ["g=2g2"], fixed, options=LASER_OPTS)
    assert int(ds["stable"][0]) == 0 and int(ds["converged"][0]) == 1
    assert np.isnan(ds["spectrum"].values).all() and np.isnan(ds["peak_fwhm"].values).all()
    direct = cavity_spectrum(LaserParams.paper(nu2=0.0, nu3=0.0), allow_unstable=True)
    assert not direct.stable
    assert float(ds["photons"][0]) == pytest.approx(direct.photons, rel=1e-6)
    formal = run_scan(
        "laser.spectrum", ["g=2g2"], fixed, options={**LASER_OPTS, "unstable": "formal"}
    )
    # Same root from a different start (g = 0 continuation in both, one chunk vs the
    # direct call): 1e-6 relative as above.
    np.testing.assert_allclose(
        formal["spectrum"].values[0], direct.evaluate_delta(formal["delta"].values), rtol=1e-6
    )
    assert int(formal["stable"][0]) == 0


def test_same_bits_on_every_executor(process_executor, dask_executor):
    ref = run_scan("atom.spectrum", ATOM_SPECS, ATOM_FIXED, chunk_size=2, options=ATOM_OPTS)
    for exe in (process_executor, dask_executor):
        got = run_scan(
            "atom.spectrum", ATOM_SPECS, ATOM_FIXED, executor=exe, chunk_size=2, options=ATOM_OPTS
        )
        assert_same_data(got, ref)
    # Continuation runs within a chunk only, so the chunk layout fixes the result.
    laser = (["atoms=1,2,5"], {"nu": "10g2"})
    ref = run_scan("laser.spectrum", *laser, chunk_size=2, options=LASER_OPTS)
    got = run_scan(
        "laser.spectrum", *laser, executor=process_executor, chunk_size=2, options=LASER_OPTS
    )
    # xarray's exact equality (NaN == NaN: the unset delta_c coordinate is NaN).
    xr.testing.assert_equal(got, ref)


def test_resume_recomputes_only_unfinished_chunks(tmp_path, monkeypatch):
    calls = []
    solve = AtomSpectrumAdapter.solve

    def counted(self, params):
        calls.append(len(params["delta2"]))
        return solve(self, params)

    monkeypatch.setattr(AtomSpectrumAdapter, "solve", counted)
    store = tmp_path / "r.zarr"
    args = ("atom.spectrum", ATOM_SPECS, ATOM_FIXED)
    kw = {"store": store, "chunk_size": 1, "options": ATOM_OPTS}
    first = run_scan(*args, **kw).load()
    assert len(calls) == 6
    again = run_scan(*args, resume=True, **kw).load()
    assert len(calls) == 6  # complete: nothing solved
    assert_same_data(again, first)
    (store / DONE_DIR / "4").unlink()
    resumed = run_scan(*args, resume=True, **kw).load()
    assert len(calls) == 7  # only the unmarked chunk
    assert_same_data(resumed, first)


@pytest.mark.parametrize(
    ("solver", "options", "match"),
    [
        ("atom.spectrum", {"points": 2}, "points=2"),
        ("atom.spectrum", {"points": 300001}, "points=300001"),
        ("atom.spectrum", {"points": 10.5}, "points=10.5"),
        ("atom.spectrum", {"points": True}, "points=True"),
        ("atom.spectrum", {"delta_min": 1.0, "delta_max": 0.5}, "delta_max=0.5"),
        ("atom.spectrum", {"delta_min": "x"}, "delta_min='x'"),
        ("atom.spectrum", {"delta_max": float("inf")}, "delta_max=inf"),
        ("atom.spectrum", {"peaks": 0}, "peaks=0"),
        ("atom.spectrum", {"order": 2}, "atom.spectrum option='order'"),
        ("laser.spectrum", {"order": 1}, "order=1"),
        ("laser.spectrum", {"frame": "lab"}, "frame='lab'"),
        ("laser.spectrum", {"unstable": "zero"}, "unstable='zero'"),
    ],
)
def test_bad_options_rejected_before_writing(tmp_path, solver, options, match):
    with pytest.raises(ParameterError, match=match):
        run_scan(solver, ["delta2=4,5"], {}, store=tmp_path / "x.zarr", options=options)
    assert list(tmp_path.iterdir()) == []


def test_bad_parameters_rejected_before_writing(tmp_path):
    with pytest.raises(ParameterError, match="gamma2"):
        run_scan("atom.spectrum", ["delta2=4,5"], {"gamma2": -1}, store=tmp_path / "a.zarr")
    with pytest.raises(ParameterError, match="nu2"):
        run_scan("laser.spectrum", ["nu=0.001,0.002"], {"nu2": 0.001}, store=tmp_path / "b.zarr")
    assert list(tmp_path.iterdir()) == []


def test_outputs_follow_the_options():
    a = get_solver("atom.spectrum", points=7, peaks=2)
    assert a.outputs["spectrum"].shape == (7,) and a.outputs["peak_position"].shape == (2,)
    assert len(a.dim_coords["delta"][0]) == 7 and a.dim_coords["line"][0] == (0, 1)


def test_cli_scan_run_atom_spectrum(run_cli, tmp_path):
    out = tmp_path / "x.zarr"
    code, stdout, stderr = run_cli(
        "scan", "run", "atom.spectrum", "--x", "delta2=4,5", "--out", str(out),
        "--option", "points=101", "--json",
    )  # fmt: skip
    assert code == 0, stderr
    info = json.loads(stdout)
    assert info["solver"] == "atom.spectrum" and info["dims"]["delta"] == 101
    with xr.open_zarr(out) as ds:
        assert ds["spectrum"].shape == (2, 101)
        assert np.isfinite(ds["spectrum"].values).all()
        assert json.loads(ds.attrs["solver_options"])["points"] == 101
