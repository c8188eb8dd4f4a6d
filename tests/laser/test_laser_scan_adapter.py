"""The ``laser.steady`` adapter of the shared scan layer equals the direct solver."""

import numpy as np
import pytest

from vlaser.errors import ParameterError
from vlaser.laser.steady import steady_state
from vlaser.params import DEFAULT_GAMMA2, LaserParams
from vlaser.scan import Grid, run_scan

G2 = DEFAULT_GAMMA2


def test_scan_equals_direct_steady_state(tmp_path):
    grid = Grid.from_specs(["atoms=2000:40000:5"])
    fixed = {"nu2": 10 * G2, "nu3": 10 * G2}
    ds = run_scan("laser.steady", grid, fixed, store=tmp_path / "n.zarr", chunk_size=2)
    direct = steady_state(LaserParams.paper(atoms=grid.axes[0].values, **fixed))
    # Both are Newton-converged roots of the same compiled system (residual < 1e-10),
    # reached along different continuation paths (chunks of 2 vs one sweep): they
    # agree to the root's conditioning, far below 1e-6 relative.
    np.testing.assert_allclose(ds["photons"].values, direct.photons, rtol=1e-6)
    np.testing.assert_allclose(ds["inversion"].values, direct.inversion, rtol=1e-6, atol=1e-9)
    assert ds["converged"].values.all() and ds["stable"].values.all()
    assert float(ds["atoms"].values[-1]) == 40000.0


def test_delta_c_defaults_to_delta2_and_order_is_validated():
    grid = Grid.from_specs(["delta2=3,5"])
    ds = run_scan("laser.steady", grid, {"atoms": 20000, "nu2": 10 * G2, "nu3": 10 * G2})
    for d2, n in zip(grid.axes[0].values, ds["photons"].values, strict=True):
        ref = steady_state(LaserParams.paper(atoms=20000, delta2=d2, nu2=10 * G2, nu3=10 * G2))
        assert n == pytest.approx(float(ref.photons), rel=1e-6)
    with pytest.raises(ParameterError, match="order"):
        run_scan("laser.steady", grid, {"atoms": 10}, options={"order": 0})
    with pytest.raises(ParameterError, match="kappa"):
        run_scan("laser.steady", grid, {"kappa": 0.0})


def test_virtual_axes_nu_and_cavity_offset():
    """nu sets ν2 = ν3; cavity_offset sets Δc = Δ2 + offset, also with Δ2 scanned.

    The reference is the direct solver on the explicit fields (same Newton roots,
    reached from different starts: 1e-8 relative)."""
    grid = Grid.from_specs(["delta2=4,6", "cavity_offset=-0.01,0.01", "nu=0.001"])
    ds = run_scan("laser.steady", grid, {"atoms": 20000})
    assert np.isnan(float(ds["delta_c"]))  # unset: Δc comes from Δ2 + offset
    for i, d2 in enumerate((4.0, 6.0)):
        for j, off in enumerate((-0.01, 0.01)):
            ref = steady_state(
                LaserParams.paper(atoms=20000, delta2=d2, delta_c=d2 + off, nu2=1e-3, nu3=1e-3)
            )
            assert float(ds["photons"][i, j, 0]) == pytest.approx(float(ref.photons), rel=1e-8)


def test_virtual_axes_refuse_their_explicit_fields():
    with pytest.raises(ParameterError, match="nu2"):
        run_scan("laser.steady", ["nu=0.001,0.002"], {"nu2": 0.001})
    with pytest.raises(ParameterError, match="delta_c"):
        run_scan("laser.steady", ["cavity_offset=0,0.01"], {"delta_c": 5.0})
