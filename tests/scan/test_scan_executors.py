"""Executors: serial, process pool and Dask give the same bits; dead workers are retried."""

from __future__ import annotations

import time

import pytest
from scan_helpers import assert_same_data, chunk_keys

from vlaser.errors import ParameterError, VlaserError
from vlaser.scan import ChunkLayout, run_scan
from vlaser.scan.executors import check_scheduler_address, make_executor
from vlaser.scan.testing import KILLED_MARKER, SyntheticSolver, solve_calls

#: Enough CPU work per point that float round-off paths are non-trivial.
WORK = {"work": 3}


def reference(grid, chunk_size=4):
    return run_scan(SyntheticSolver(options=WORK), grid, {}, chunk_size=chunk_size)


def test_process_pool_equals_serial_bit_for_bit(grid, process_executor):
    ds = run_scan(SyntheticSolver(options=WORK), grid, {}, executor=process_executor, chunk_size=4)
    assert_same_data(ds, reference(grid))


def test_process_pool_survives_a_killed_worker(tmp_path, grid, process_executor):
    marks = tmp_path / "marks"
    kill_x = float(grid.axes[0].values[4])
    solver = SyntheticSolver(options={**WORK, "marker_dir": str(marks), "kill_x": kill_x})
    ds = run_scan(
        solver, grid, {}, store=tmp_path / "p.zarr", executor=process_executor, chunk_size=4
    )
    assert (marks / KILLED_MARKER).exists()  # the worker really died once
    assert_same_data(ds, reference(grid))


def test_process_pool_gives_up_after_its_retries(tmp_path):
    from vlaser.scan import ProcessExecutor

    marks = tmp_path / "m"
    marks.mkdir()
    solver = SyntheticSolver(options={"marker_dir": str(marks), "kill_x": 0.0})
    with ProcessExecutor(workers=1, retries=0) as exe:
        with pytest.raises(VlaserError, match="lost its worker process"):
            run_scan(solver, ["x=0:1:4"], {}, executor=exe, chunk_size=2)


def test_dask_local_cluster_equals_serial_bit_for_bit(grid, dask_executor):
    seen = []
    ds = run_scan(
        SyntheticSolver(options=WORK),
        grid,
        {},
        executor=dask_executor,
        chunk_size=4,
        on_chunk_done=lambda d, t: seen.append((d, t)),
    )
    assert_same_data(ds, reference(grid))
    total = ChunkLayout.for_shape(grid.shape, 4).n_chunks
    assert seen == [(k, total) for k in range(total + 1)]


def test_dask_worker_killed_mid_scan_changes_nothing(tmp_path, grid, dask_executor):
    marks = tmp_path / "marks"
    kill_x = float(grid.axes[0].values[3])
    solver = SyntheticSolver(options={**WORK, "marker_dir": str(marks), "kill_x": kill_x})
    path = tmp_path / "d.nc"
    ds = run_scan(solver, grid, {}, store=path, executor=dask_executor, chunk_size=4)
    assert (marks / KILLED_MARKER).exists()  # a worker process exited mid-scan
    layout = ChunkLayout.for_shape(grid.shape, 4)
    keys = chunk_keys(solver, grid, {}, layout)
    calls = solve_calls(marks)
    assert set(calls) == set(keys.values())
    assert max(calls.values()) >= 2  # the killed chunk ran again
    assert_same_data(ds, reference(grid))
    ds.close()


def test_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path, grid):
    path = tmp_path / "never.zarr"
    t0 = time.monotonic()
    with pytest.raises(VlaserError, match="cannot reach Dask scheduler tcp://127.0.0.1:1"):
        run_scan(
            SyntheticSolver(),
            grid,
            {},
            store=path,
            scheduler="tcp://127.0.0.1:1",
            connect_timeout=1.0,
        )
    # 1 s connect timeout plus client set-up; 20 s bounds a slow shared CI machine.
    assert time.monotonic() - t0 < 20
    assert not path.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8786", "http://h:1", "tcp://h", "tcp://h:0", "tcp://h:99999"]
)
def test_malformed_scheduler_address(address):
    with pytest.raises(ParameterError, match="scheduler"):
        check_scheduler_address(address)


def test_executor_choice_rules():
    assert make_executor(None, 1).name == "serial"
    exe = make_executor(None, 2)
    assert exe.name == "processes" and exe.workers == 2
    exe.close()
    with pytest.raises(ParameterError, match="workers"):
        make_executor(None, 0)
    with pytest.raises(ParameterError, match="executor"):
        make_executor("threads", 1)
    with pytest.raises(ParameterError, match="executor"):
        make_executor("processes", 2, scheduler="tcp://127.0.0.1:1")


def test_core_scan_import_does_not_import_dask_cli_or_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys, vlaser.scan, vlaser.scan.store, vlaser.scan.run;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'matplotlib')"
        " or m.startswith('vlaser.cli')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_solver_output_of_wrong_shape_is_an_error():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Broken(SyntheticSolver):
        def solve(self, params):
            out = super().solve(params)
            out["f"] = out["f"][:-1]
            return out

    with pytest.raises(VlaserError, match="output 'f' has shape"):
        run_scan(Broken(), ["x=0:1:4"], {})
