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
