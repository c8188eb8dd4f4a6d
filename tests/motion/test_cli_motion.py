"""``vlaser motion``: JSON shapes, the NetCDF output and one-line errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from vlaser.motion import simulate
from vlaser.motion.doppler import doppler_fwhm
from vlaser.params import AtomParams


def test_run_json_matches_api(run_cli, tmp_path):
    nc = tmp_path / "traces.nc"
    args = ["motion", "run", "--trajectories", "6", "--time", "200", "--seed", "4"]
    code, out, _ = run_cli(*args, "--nu2", "10g2", "--out", str(nc), "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("kinetic_energy", "kbt", "inversion_mean", "trajectories", "energy_change"):
        assert key in data
    assert len(data["kinetic_energy"]) == 2 and len(data["kbt"]) == 2
    assert data["trajectories"] == 6
    p = AtomParams.paper(nu2=10 / 4266)
    ref = simulate(p, trajectories=6, t_max=200.0, seed=4).summary()
    assert data["kinetic_energy"] == pytest.approx(ref["kinetic_energy"], rel=1e-12)
    assert data["kbt"] == pytest.approx([2 * e for e in ref["kinetic_energy"]], rel=1e-12)
    ds = xr.open_dataset(nc)
    assert ds["kinetic_energy"].shape == (201, 2)
    assert "vlaser_version" in ds.attrs and ds.attrs["seed"] == "4"
    ds.close()


def test_doppler_json(run_cli):
    code, out, _ = run_cli("motion", "doppler", "--kbt", "0.5", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["doppler_fwhm"] == pytest.approx(doppler_fwhm(0.5))
    assert data["doppler_fwhm_gamma2"] > 100
    code, out, _ = run_cli("motion", "doppler", "--kbt", "0.5", "--mass-u", "87", "--json")
    assert json.loads(out)["mass_u"] == 87.0


@pytest.mark.parametrize(
    "args",
    [
        ["motion", "run", "--trajectories", "0", "--time", "10"],
        ["motion", "run", "--trajectories", "2", "--time", "-1"],
        ["motion", "run", "--trajectories", "2", "--time", "10", "--dt", "5"],
        ["motion", "run", "--trajectories", "2", "--time", "10", "--species", "xx"],
        ["motion", "run", "--trajectories", "2", "--time", "10", "--nu2", "-1"],
        ["motion", "run", "--trajectories", "2", "--time", "10", "--out", "x.txt"],
        ["motion", "doppler", "--kbt", "-1"],
        ["motion", "doppler", "--kbt", "1", "--species", "xx"],
    ],
)
def test_errors_exit_2_with_one_line(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_console_script_exit_code(tmp_path: Path):
    exe = Path(sys.executable).with_name("vlaser")
    res = subprocess.run(
        [str(exe), "motion", "run", "--trajectories", "2", "--time", "10", "--dt", "9"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2 and "invalid dt=9.0" in res.stderr
