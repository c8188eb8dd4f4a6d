"""The ``atom.steady`` adapter: the exact single-atom solver through the scan layer."""

from __future__ import annotations

import numpy as np
import pytest
from scan_helpers import assert_same_data

from vlaser.atom import steady_state
from vlaser.errors import ParameterError
from vlaser.params import AtomParams
from vlaser.scan import Grid, run_scan

FIXED = {"omega2": 0.5, "omega3": 0.5, "nu2": "10g2"}
SPECS = ["delta2=-10:10:21", "delta3=-6:6:13"]


def test_scan_equals_direct_batched_solve(tmp_path):
    ds = run_scan("atom.steady", SPECS, FIXED, store=tmp_path / "a.zarr", chunk_size=50)
    grid = Grid.from_specs(SPECS)
    mesh = grid.mesh()
    p = AtomParams(**mesh, omega2=0.5, omega3=0.5, nu2=10 * AtomParams().gamma2)
    ss = steady_state(p)
    assert float(ds.nu2) == 10 * AtomParams().gamma2  # the g2 suffix resolved
    # Same LAPACK solve per point, chunked or not: identical bits.
    assert np.array_equal(ds.inversion.values, ss.inversion)
    assert np.array_equal(ds.populations.values, ss.populations)
    assert np.array_equal(ds.s12_re.values + 1j * ds.s12_im.values, ss.coherences["s12"])
    assert ds.populations.dims == ("delta2", "delta3", "level")
    assert list(ds.level.values) == [1, 2, 3]
    assert ds.delta2.attrs["units"] == "Gamma3" and ds.singular.dtype == np.int8


def test_two_level_limit_through_the_scan():
    """Ω3 = 0: |3> is empty and |1>-|2> is a driven two-level atom with
    H = −Δ2 σ22 + Ω2 (σ21 + σ12), decay Γ2: <σ22> = Ω2² / (Δ2² + Γ2²/4 + 2 Ω2²)."""
    gamma2 = 0.01
    ds = run_scan(
        "atom.steady",
        ["delta2=-0.05:0.05:11", "omega2=log:0.001:0.1:7"],
        {"gamma2": gamma2, "delta3": -1.0},
        chunk_size=16,
    )
    d, w = np.meshgrid(ds.delta2.values, ds.omega2.values, indexing="ij")
    p2 = w**2 / (d**2 + gamma2**2 / 4 + 2 * w**2)
    # 1e-10: the exact solve is accurate to ~1e-13 here (condition number <~ 1e3).
    np.testing.assert_allclose(ds.populations.sel(level=2).values, p2, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ds.populations.sel(level=3).values, 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.populations.sum("level").values, 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        ds.inversion.values,
        (ds.populations.sel(level=2) - ds.populations.sel(level=1)).values,
        atol=1e-15,
    )


def test_atom_scan_same_bits_on_every_executor(process_executor, dask_executor):
    ref = run_scan("atom.steady", SPECS, FIXED, chunk_size=40)
    assert_same_data(
        run_scan("atom.steady", SPECS, FIXED, executor=process_executor, chunk_size=40), ref
    )
    assert_same_data(
        run_scan("atom.steady", SPECS, FIXED, executor=dask_executor, chunk_size=40), ref
    )


@pytest.mark.parametrize(
    ("specs", "fixed", "match"),
    [
        (["delta2=-1:1:3"], {"gamma2": -1}, "gamma2"),
        (["nu2=-1:1:3"], {}, "nu2"),
        (["kappa=0:1:3"], {}, "grid parameter='kappa'"),
        (["delta2=-1:1:3"], {"atoms": 5}, "fixed parameter='atoms'"),
    ],
)
def test_invalid_atom_parameters_rejected_before_writing(tmp_path, specs, fixed, match):
    with pytest.raises(ParameterError, match=match):
        run_scan("atom.steady", specs, fixed, store=tmp_path / "x.zarr")
    assert list(tmp_path.iterdir()) == []
