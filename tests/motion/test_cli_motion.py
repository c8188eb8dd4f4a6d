"""``vlaser motion``: JSON shapes, the NetCDF output and one-line errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
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
    ref = simulate(p, trajectories=6, t_max=200.0, seed=4)
    # Same trajectories (per-trajectory seeds), summed in the same order: equal bits.
    assert data["kinetic_energy"] == ref.summary()["kinetic_energy"]
    assert data["kbt"] == pytest.approx([2 * e for e in ref.summary()["kinetic_energy"]], rel=1e-12)
    ds = xr.open_dataset(nc)
    assert ds["momentum"].shape == (6, 201, 2)
    assert np.array_equal(ds["momentum"].values, ref.momentum)
    assert "vlaser_version" in ds.attrs and json.loads(ds.attrs["solver_options"])["seed"] == 4
    ds.close()


def test_run_zarr_workers_and_resume(run_cli, tmp_path):
    """The shared scan grammar: .zarr, --workers 2, --chunk-size, --resume; the summary
    of a resumed (complete) store equals the first run's."""
    out = tmp_path / "t.zarr"
    args = ["motion", "run", "--trajectories", "4", "--time", "100", "--seed", "2"]
    args += ["--out", str(out), "--chunk-size", "1", "--json"]
    code, first, _ = run_cli(*args, "--workers", "2")
    assert code == 0
    code, again, _ = run_cli(*args, "--resume")
    assert code == 0 and json.loads(again) == json.loads(first)
    code, _, err = run_cli(*args)  # exists: neither --resume nor --overwrite
    assert code == 2 and "resume" in err
    code, _, err = run_cli(*args[:-5], "--seed", "3", "--out", str(out), "--resume")
    assert code == 2 and "another scan" in err.lower()


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
        ["motion", "run", "--trajectories", "2", "--time", "10", "--samples", "1"],
        ["motion", "run", "--trajectories", "2", "--time", "10", "--workers", "0"],
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


def test_run_unreachable_scheduler_fails_fast_and_writes_nothing(run_cli, tmp_path):
    import time

    out = tmp_path / "t.zarr"
    t0 = time.perf_counter()
    code, stdout, err = run_cli(
        "motion", "run", "--trajectories", "2", "--time", "10", "--out", str(out),
        "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1",
    )  # fmt: skip
    assert code == 2 and stdout == "" and "scheduler" in err
    assert time.perf_counter() - t0 < 30  # bounded: 1 s connect timeout plus start-up
    assert not out.exists()
