"""``vlaser laser`` command line: JSON outputs and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from vlaser.cli import main


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_equations_json(capsys):
    code, out, _ = run(capsys, "laser", "equations", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["count"] == 37 and d["order"] == 2 and len(d["equations"]) == 37
    code, out, _ = run(capsys, "laser", "equations", "--order", "1", "--json")
    assert json.loads(out)["count"] == 6
    code, out, _ = run(capsys, "laser", "equations", "--atoms", "1", "--json")
    assert json.loads(out)["count"] == 16
    code, out, _ = run(capsys, "laser", "equations", "--latex")
    assert code == 0 and "\\frac{d}{dt}" in out


def test_steady_json(capsys):
    code, out, _ = run(
        capsys, "laser", "steady", "--atoms", "50000", "--nu2", "10g2", "--nu3", "10g2", "--json"
    )
    assert code == 0
    d = json.loads(out)
    for key in (
        "photons",
        "coherent_photons",
        "inversion",
        "converged",
        "residual",
        "stable",
        "max_growth_rate",
        "equations",
    ):
        assert key in d
    assert d["converged"] is True and d["stable"] is True and d["equations"] == 37
    assert d["photons"] > 500


def test_threshold_json(capsys):
    code, out, _ = run(
        capsys, "laser", "threshold", "--nu2", "1g2", "--nu3", "1g2", "--points", "41", "--json"
    )
    assert code == 0
    d = json.loads(out)
    assert 5000 < d["threshold_atoms"] < 20000 and "definition" in d


def test_scan_writes_netcdf_and_png(capsys, tmp_path):
    out = tmp_path / "scan.nc"
    code, so, _ = run(
        capsys,
        "laser",
        "scan",
        "--x",
        "atoms=0:30000:16",
        "--nu2",
        "10g2",
        "--nu3",
        "10g2",
        "--out",
        str(out),
        "--quiet",
        "--json",
    )
    assert code == 0
    d = json.loads(so)
    assert d["points"] == 16 and d["converged"] == 16
    ds = xr.open_dataset(out)
    assert float(ds.atoms[0]) == 1.0  # a 0 start is clamped to one atom
    for var in ("photons", "converged", "residual", "stable", "max_growth_rate"):
        assert var in ds
    assert ds.attrs["solver"] == "laser.steady" and ds.attrs["scan_fingerprint"] == d["fingerprint"]
    assert (tmp_path / "scan.png").stat().st_size > 1000
    ds.close()


def test_scan_zarr_two_workers_resume_and_virtual_axes(capsys, tmp_path):
    """The shared grammar: .zarr, --workers, --resume; nu (ν2 = ν3) and cavity_offset
    (Δc − Δ2) axes equal the in-memory scan of vlaser.laser.scan, which continues along
    the whole grid instead of per chunk (same Newton roots: 1e-9 relative)."""
    import numpy as np

    from vlaser.laser.scan import scan
    from vlaser.params import DEFAULT_GAMMA2, LaserParams

    out = tmp_path / "c.zarr"
    args = ["laser", "scan", "--x", "cavity_offset=-20g2:20g2:3", "--y", "nu=1g2,10g2"]
    args += ["--atoms", "15000", "--out", str(out), "--chunk-size", "3", "--quiet", "--json"]
    code, so, _ = run(capsys, *args, "--workers", "2")
    assert code == 0
    first = json.loads(so)
    code, so, _ = run(capsys, *args, "--resume")  # complete: nothing solved, same store
    assert code == 0 and json.loads(so)["fingerprint"] == first["fingerprint"]
    ds = xr.open_zarr(out)
    assert ds.photons.dims == ("nu", "cavity_offset")
    g2 = DEFAULT_GAMMA2
    ref = scan(
        LaserParams.paper(atoms=15000),
        {"nu": [g2, 10 * g2], "cavity_offset": np.linspace(-20 * g2, 20 * g2, 3)},
    )
    np.testing.assert_allclose(ds.photons.values, ref.photons.values, rtol=1e-9)
    assert np.array_equal(ds.stable.values.astype(bool), ref.stable.values)
    code, _, err = run(capsys, *args)  # exists, neither --resume nor --overwrite
    assert code == 2 and "resume" in err


@pytest.mark.parametrize(
    "args",
    [
        ["laser", "steady", "--atoms", "1.5"],
        ["laser", "steady", "--atoms", "-3"],
        ["laser", "steady", "--atoms", "many"],
        ["laser", "steady", "--kappa", "0"],
        ["laser", "steady", "--kappa", "-1g2"],
        ["laser", "steady", "--g", "2furlongs"],
        ["laser", "equations", "--order", "0"],
        ["laser", "scan", "--x", "foo=0:1:3", "--out", "x.nc"],
        ["laser", "scan", "--x", "atoms=1:10:3", "--out", "x.txt"],
        ["laser", "scan", "--x", "atoms=1:10:3"],
        ["laser", "scan", "--x", "nu=0:1g2:3", "--nu2", "1g2", "--out", "x.nc"],
        ["laser", "scan", "--x", "cavity_offset=0:1:3", "--delta-c", "1", "--out", "x.nc"],
        ["laser", "scan", "--x", "atoms=1:10:3", "--order", "0", "--out", "x.nc"],
    ],
)
def test_bad_input_one_line_exit_2(capsys, args):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_console_script_json_only_on_stdout():
    exe = [str(Path(sys.executable).parent / "vlaser")]
    r = subprocess.run(
        exe + ["laser", "equations", "--json"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0
    assert json.loads(r.stdout)["count"] == 37
