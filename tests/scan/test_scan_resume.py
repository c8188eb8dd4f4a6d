"""A scan killed with SIGKILL resumes without recomputing finished chunks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from scan_helpers import assert_same_data, chunk_keys

from vlaser.scan import ChunkLayout, Grid, run_scan
from vlaser.scan.store import DONE_DIR, partial_path
from vlaser.scan.testing import SyntheticSolver, solve_calls

SPECS = ["x=0:1:8", "y=0,1"]
CHUNK = 2  # 8 chunks of 2 points
SLEEP = 0.15  # seconds per chunk: the kill lands mid-scan


def finished(done_dir):
    return sorted(int(p.name) for p in done_dir.iterdir() if p.name.isdigit())


def test_sigkilled_scan_resumes_without_recomputing(tmp_path):
    marks = tmp_path / "marks"
    out = tmp_path / "scan.nc"
    solver = SyntheticSolver(options={"sleep": SLEEP, "marker_dir": str(marks)})
    cmd = [
        sys.executable, "-m", "vlaser", "scan", "run", "vlaser.scan.testing:SyntheticSolver",
        "--x", SPECS[0], "--y", SPECS[1], "--chunk-size", str(CHUNK), "--quiet",
        "--option", f"sleep={SLEEP}", "--option", f"marker_dir={marks}", "--out", str(out),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done_dir = partial_path(out) / DONE_DIR
    deadline = time.monotonic() + 120  # start-up of a fresh interpreter on a busy CI box
    while time.monotonic() < deadline and proc.poll() is None:
        if done_dir.is_dir() and len(finished(done_dir)) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = finished(done_dir)
    grid = Grid.from_specs(SPECS)
    layout = ChunkLayout.for_shape(grid.shape, CHUNK)
    assert 3 <= len(done_before) < layout.n_chunks
    assert not out.exists()  # the NetCDF is written only at the end

    ds = run_scan(solver, SPECS, {}, store=out, chunk_size=CHUNK, resume=True)
    keys = chunk_keys(solver, grid, {}, layout)
    calls = solve_calls(marks)
    assert all(calls[keys[k]] == 1 for k in done_before)  # no finished chunk recomputed
    assert set(calls) == set(keys.values())
    # At most the chunk(s) in flight at the kill ran twice (serial: one).
    assert sum(calls.values()) - layout.n_chunks <= 1
    assert out.exists() and not partial_path(out).exists()
    assert_same_data(ds, run_scan(SyntheticSolver(), SPECS, {}, chunk_size=CHUNK))
    ds.close()
