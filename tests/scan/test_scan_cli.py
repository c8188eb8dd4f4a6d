"""The shared scan CLI grammar and ``vlaser scan``: options, JSON, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from vlaser.cli import main
from vlaser.cli.scanopts import parse_assignments, run_scan_cli
from vlaser.errors import ParameterError
from vlaser.scan.testing import expected_f

SOLVER = "vlaser.scan.testing:SyntheticSolver"


def cli(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    return exc.value.code, captured.out, captured.err


def test_scan_run_json_and_store(tmp_path, capsys):
    out = tmp_path / "s.zarr"
    code, stdout, _ = cli(
        capsys, "scan", "run", SOLVER, "--x", "x=0:1:5", "--y", "y=log:0.1:1:3",
        "--set", "z=0.5", "--out", str(out), "--json", "--chunk-size", "4",
    )  # fmt: skip
    assert code == 0
    summary = json.loads(stdout)  # exactly one JSON object on stdout
    assert summary["dims"] == {"x": 5, "y": 3, "component": 2}
    ds = xr.open_zarr(out)
    assert np.array_equal(ds.f.values, expected_f(*np.meshgrid(ds.x, ds.y, indexing="ij"), 0.5))
    assert summary["fingerprint"] == ds.attrs["scan_fingerprint"]
    code, stdout, _ = cli(capsys, "scan", "status", str(out), "--json")
    assert code == 0 and json.loads(stdout)["complete"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x", "q=0:1:3"], "invalid grid parameter='q'"),
        (["--x", "x=0:1:0"], "COUNT must be a whole number"),
        (["--x", "x="], "invalid grid='x='"),
        (["--x", "x=0:1:3", "--set", "w=1"], "invalid fixed parameter='w'"),
        (["--x", "x=0:1:3", "--set", "x=1"], "a parameter that is not scanned"),
        (["--x", "x=0:1:3", "--set", "z"], "invalid set='z'"),
        (["--x", "x=0:1:3", "--option", "speed=2"], "invalid synthetic option='speed'"),
        (["--x", "x=0:1:3", "--workers", "0"], "invalid workers=0"),
        (["--x", "x=0:1:3", "--chunk-size", "0"], "invalid chunk_size=0"),
        (["--x", "x=0:1:3", "--scheduler", "localhost"], "invalid scheduler='localhost'"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, message):
    out = tmp_path / "bad.zarr"
    code, stdout, stderr = cli(capsys, "scan", "run", SOLVER, *args, "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert stderr.strip().startswith("error: ") and message in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_unknown_solver_and_missing_out(tmp_path, capsys):
    code, _, stderr = cli(
        capsys, "scan", "run", "nope", "--x", "x=0:1:3", "--out", str(tmp_path / "a.nc")
    )
    assert code == 2 and "invalid solver='nope'" in stderr
    code, _, stderr = cli(capsys, "scan", "run", SOLVER, "--x", "x=0:1:3")
    assert code == 2 and "invalid out=None" in stderr


def test_unreachable_scheduler_via_cli(tmp_path, capsys):
    out = tmp_path / "a.nc"
    code, _, stderr = cli(
        capsys, "scan", "run", SOLVER, "--x", "x=0:1:3", "--out", str(out),
        "--scheduler", "tcp://127.0.0.1:1", "--connect-timeout", "0.5",
    )  # fmt: skip
    assert code == 2 and "cannot reach Dask scheduler" in stderr
    assert list(tmp_path.iterdir()) == []


def test_run_scan_cli_progress_on_stderr_and_quiet(tmp_path, capsys):
    ds = run_scan_cli(SOLVER, ["x=0:1:9"], {}, tmp_path / "p.nc", chunk_size=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "5/5" in captured.err and "wrote" in captured.err
    ds.close()
    ds = run_scan_cli(SOLVER, ["x=0:1:9"], {}, None, quiet=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert ds.f.shape == (9,)


def test_scan_solvers_lists_atom_steady(capsys):
    code, stdout, _ = cli(capsys, "scan", "solvers", "--json")
    info = json.loads(stdout)
    assert code == 0 and "inversion" in info["atom.steady"]["outputs"]


def test_parse_assignments():
    assert parse_assignments(["nu-2=10g2", "a = 1"], "set") == {"nu_2": "10g2", "a": "1"}
    with pytest.raises(ParameterError):
        parse_assignments(["=1"], "set")
