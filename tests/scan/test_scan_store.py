"""Result stores: in memory, Zarr and NetCDF agree; metadata; refusal and resume rules."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
import xarray as xr
import zarr
from scan_helpers import assert_same_data, chunk_keys

import vlaser
from vlaser.errors import VlaserError
from vlaser.scan import run_scan
from vlaser.scan.chunks import ChunkLayout
from vlaser.scan.store import DONE_DIR, partial_path, scan_status
from vlaser.scan.testing import SyntheticSolver, expected_f, solve_calls


def tree(path):
    """Every file below path with size and mtime (to prove nothing was written)."""
    out = {}
    for root, _, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            st = os.stat(p)
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def test_memory_zarr_netcdf_identical_and_correct(tmp_path, grid):
    fixed = {}
    mem = run_scan(SyntheticSolver(), grid, fixed, chunk_size=4)
    zs = run_scan(SyntheticSolver(), grid, fixed, store=tmp_path / "a.zarr", chunk_size=4)
    nc = run_scan(SyntheticSolver(), grid, fixed, store=tmp_path / "a.nc", chunk_size=4)
    assert_same_data(mem, zs)
    assert_same_data(mem, nc)
    # Independent route: the closed form on the broadcast mesh.
    x, y, z = np.meshgrid(*(a.values for a in grid.axes), indexing="ij")
    assert np.array_equal(mem.f.values, expected_f(x, y, z))
    assert np.array_equal(mem.vec.sel(component=1).values, x * y)
    assert mem.rounded.dtype == np.int64 and zs.rounded.dtype == np.int64
    assert not partial_path(tmp_path / "a.nc").exists()  # checkpoint removed
    nc.close()


@pytest.mark.parametrize("chunk_size, checkpoint", [(None, False), (60, True)])
def test_netcdf_checkpoint_only_when_more_than_one_chunk(tmp_path, grid, chunk_size, checkpoint):
    """A one-chunk scan (105 points, default chunk size) is written to the .nc
    directly; with two chunks the Zarr checkpoint holds the first while the second
    is solved. Same data either way, and no checkpoint is left."""
    out = tmp_path / "a.nc"
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total, partial_path(out).exists(), out.exists()))

    nc = run_scan(
        SyntheticSolver(), grid, {}, store=out, chunk_size=chunk_size, on_chunk_done=progress
    )
    total = 1 if chunk_size is None else 2
    assert seen == [(0, total, False, False)] + [
        (k, total, checkpoint, False) for k in range(1, total + 1)
    ]
    assert_same_data(run_scan(SyntheticSolver(), grid, {}), nc)
    assert not partial_path(out).exists()
    nc.close()


def test_finished_store_opens_directly_as_a_normal_dataset(tmp_path, grid):
    path = tmp_path / "s.zarr"
    run_scan(SyntheticSolver(), grid, {}, store=path, chunk_size=5).close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # opening must not warn (consolidated metadata)
        ds = xr.open_zarr(path)
    assert ds.f.dims == ("x", "y", "z") and ds.vec.dims == ("x", "y", "z", "component")
    assert set(ds.data_vars) == {"f", "vec", "rounded"}  # bookkeeping hidden
    assert ds.x.attrs["units"] == "1" and ds.y.attrs["scan_kind"] == "log"
    assert ds.attrs["solver"] == "synthetic"
    assert ds.attrs["vlaser_version"] == vlaser.__version__
    assert json.loads(ds.attrs["solver_options"])["work"] == 0
    assert json.loads(ds.attrs["scan_axes"]) == ["x", "y", "z"]
    assert len(ds.attrs["scan_fingerprint"]) == 64
    assert (path / DONE_DIR).is_dir()


def test_fixed_parameters_stored_as_scalar_coords_and_attrs(tmp_path):
    ds = run_scan(SyntheticSolver(), ["x=0:1:3"], {"y": "0.25", "z": 2}, store=tmp_path / "f.nc")
    assert float(ds.y) == 0.25 and float(ds.z) == 2.0
    assert json.loads(ds.attrs["fixed_params"]) == {"y": 0.25, "z": 2.0}
    assert np.array_equal(ds.f.values, expected_f(ds.x.values, 0.25, 2.0))
    ds.close()


def test_existing_target_refused_without_resume_and_untouched(tmp_path, grid):
    path = tmp_path / "a.zarr"
    run_scan(SyntheticSolver(), grid, {}, store=path).close()
    before = tree(path)
    with pytest.raises(VlaserError, match="--resume"):
        run_scan(SyntheticSolver(), grid, {}, store=path)
    assert tree(path) == before


def test_resume_of_another_scan_refused_nothing_written(tmp_path, grid):
    for name in ("a.zarr", "b.nc"):
        path = tmp_path / name
        run_scan(SyntheticSolver(), grid, {}, store=path, chunk_size=8).close()
        before = tree(tmp_path)
        with pytest.raises(VlaserError, match="another scan.*fixed_params"):
            run_scan(SyntheticSolver(), grid.axes[:2], {"z": 1.0}, store=path, resume=True)
        with pytest.raises(VlaserError, match="another scan.*solver_options"):
            run_scan(SyntheticSolver(options={"work": 1}), grid, {}, store=path, resume=True)
        assert tree(tmp_path) == before


def test_resume_of_non_vlaser_store_refused(tmp_path, grid):
    path = tmp_path / "foreign.zarr"
    zarr.open_group(path, mode="w").attrs["x"] = 1
    with pytest.raises(VlaserError, match="not a vlaser scan store"):
        run_scan(SyntheticSolver(), grid, {}, store=path, resume=True)
    with pytest.raises(VlaserError, match="refusing to overwrite"):
        run_scan(SyntheticSolver(), grid, {}, store=path, overwrite=True)
    assert path.exists()


def test_overwrite_replaces_a_vlaser_store(tmp_path, grid):
    path = tmp_path / "a.zarr"
    run_scan(SyntheticSolver(), grid, {}, store=path).close()
    ds = run_scan(SyntheticSolver(), grid.axes[:2], {"z": 3.0}, store=path, overwrite=True)
    assert float(ds.z) == 3.0 and "z" not in ds.dims
    assert np.array_equal(ds.f.values, expected_f(*np.meshgrid(ds.x, ds.y, indexing="ij"), 3.0))


def test_interrupted_scan_resumes_without_recomputing(tmp_path, grid):
    marks = tmp_path / "marks"
    solver = SyntheticSolver(options={"marker_dir": str(marks), "fail_x": 0.0})
    path = tmp_path / "r.zarr"
    with pytest.raises(RuntimeError, match="planned failure"):
        run_scan(solver, grid, {}, store=path, chunk_size=5)  # serial: stops at x = 0
    status = scan_status(path)
    assert 0 < status["chunks_done"] < status["chunks"] and not status["complete"]
    keys = chunk_keys(solver, grid, {}, ChunkLayout.for_shape(grid.shape, 5))
    done_before = [int(p.name) for p in (path / DONE_DIR).iterdir() if p.name.isdigit()]
    assert len(done_before) == status["chunks_done"]
    ds = run_scan(solver, grid, {}, store=path, chunk_size=5, resume=True)
    calls = solve_calls(marks)
    assert all(calls[keys[k]] == 1 for k in done_before)  # no finished chunk recomputed
    assert sorted(calls.values()) == [1] * (status["chunks"] - 1) + [2]  # the failed one twice
    assert_same_data(ds, run_scan(SyntheticSolver(), grid, {}, chunk_size=5))
    assert scan_status(path)["complete"]


def test_chunk_written_but_not_marked_is_recomputed(tmp_path, grid):
    """A crash between data write and marker rename: the chunk is not taken as done."""
    marks = tmp_path / "marks"
    solver = SyntheticSolver(options={"marker_dir": str(marks)})
    path = tmp_path / "c.zarr"
    run_scan(solver, grid, {}, store=path, chunk_size=5).close()
    n = scan_status(path)["chunks"]
    os.unlink(path / DONE_DIR / "3")
    group = zarr.open_group(path, mode="r+")
    layout = ChunkLayout(grid.shape, tuple(json.loads(group.attrs["scan_chunk_shape"])))
    group["f"][layout.slices(3)] = -999.0  # garbage in the unmarked chunk
    (path / DONE_DIR / ".tmp-half-written").write_text("garbage")  # a torn marker
    ds = run_scan(solver, grid, {}, store=path, chunk_size=5, resume=True)
    calls = solve_calls(marks)
    assert sum(calls.values()) == n + 1 and max(calls.values()) == 2
    assert_same_data(ds, run_scan(SyntheticSolver(), grid, {}, chunk_size=5))


def test_resume_keeps_the_store_chunking(tmp_path, grid):
    path = tmp_path / "k.zarr"
    solver = SyntheticSolver(options={"fail_x": 1.0, "marker_dir": str(tmp_path / "m")})
    with pytest.raises(RuntimeError):
        run_scan(solver, grid, {}, store=path, chunk_size=6)
    ds = run_scan(solver, grid, {}, store=path, chunk_size=1000, resume=True)
    assert json.loads(ds.attrs["scan_chunk_shape"]) == [1, 2, 3]
    assert_same_data(ds, run_scan(SyntheticSolver(), grid, {}))


def test_resume_of_finished_netcdf_computes_nothing(tmp_path, grid):
    marks = tmp_path / "marks"
    solver = SyntheticSolver(options={"marker_dir": str(marks)})
    path = tmp_path / "done.nc"
    run_scan(solver, grid, {}, store=path).close()
    n_calls = sum(solve_calls(marks).values())
    seen = []
    ds = run_scan(
        solver, grid, {}, store=path, resume=True, on_chunk_done=lambda d, t: seen.append((d, t))
    )
    assert sum(solve_calls(marks).values()) == n_calls
    assert seen == [(1, 1)]
    ds.close()


def test_unsupported_suffix(tmp_path, grid):
    from vlaser.errors import ParameterError

    with pytest.raises(ParameterError, match=r"\.zarr or \.nc"):
        run_scan(SyntheticSolver(), grid, {}, store=tmp_path / "a.h5")
    assert not (tmp_path / "a.h5").exists()


def test_store_write_error_propagates_and_leaves_chunk_unmarked(tmp_path, grid, monkeypatch):
    from vlaser.scan.store import ZarrTarget

    original = ZarrTarget.write

    def flaky(self, chunk, outputs):
        if chunk == 2:
            raise OSError("disk full (simulated)")
        original(self, chunk, outputs)

    monkeypatch.setattr(ZarrTarget, "write", flaky)
    path = tmp_path / "w.zarr"
    with pytest.raises(OSError, match="disk full"):
        run_scan(SyntheticSolver(), grid, {}, store=path, chunk_size=5)
    assert sorted(int(p.name) for p in (path / DONE_DIR).iterdir()) == [0, 1]
    monkeypatch.setattr(ZarrTarget, "write", original)
    ds = run_scan(SyntheticSolver(), grid, {}, store=path, chunk_size=5, resume=True)
    assert_same_data(ds, run_scan(SyntheticSolver(), grid, {}, chunk_size=5))
