"""The ``motion.trajectories`` adapter: trajectories through the shared scan layer."""

from __future__ import annotations

import numpy as np
import pytest
from scan_helpers import assert_same_data

from vlaser.errors import ParameterError
from vlaser.motion import simulate
from vlaser.params import DEFAULT_GAMMA2, AtomParams
from vlaser.scan import run_scan
from vlaser.scan.motion import motion_result
from vlaser.scan.store import DONE_DIR

OPTIONS = {"t_max": 400.0, "samples": 21, "seed": 5}
FIXED = {"nu2": "10g2", "nu3": "10g2"}
FIELDS = ("populations", "interval_populations", "momentum", "phase", "coherences")
FIELDS += ("jumps", "force_impulse", "kick_impulse", "work", "alive")


def _same_result(a, b):
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name


def test_store_equals_simulate_bit_for_bit(tmp_path):
    """Trajectory j uses child j of SeedSequence(seed) whichever chunk runs it, so the
    stored trajectories are the very numbers simulate() gives (no tolerance)."""
    ds = run_scan(
        "motion.trajectories",
        ["trajectory=0:6:7"],
        FIXED,
        store=tmp_path / "t.zarr",
        chunk_size=3,
        options=OPTIONS,
    )
    g2 = DEFAULT_GAMMA2
    ref = simulate(
        AtomParams.paper(nu2=10 * g2, nu3=10 * g2), trajectories=7, t_max=400.0, samples=21, seed=5
    )
    r = motion_result(ds)
    _same_result(r, ref)
    assert r.summary()["kbt"] == ref.summary()["kbt"]
    assert ds.momentum.dims == ("trajectory", "time", "axis")
    assert list(ds.axis.values) == ["k2", "k3"] and float(ds.time[-1]) == 400.0


def test_subset_and_parameter_axis():
    """Any subset of trajectory numbers gives those trajectories; a parameter axis runs
    every trajectory at each point with the same random numbers."""
    sub = run_scan("motion.trajectories", ["trajectory=2,5"], FIXED, options=OPTIONS)
    full = run_scan("motion.trajectories", ["trajectory=0:5:6"], FIXED, options=OPTIONS)
    assert_same_data(sub, full.sel(trajectory=[2.0, 5.0]))
    two = run_scan(
        "motion.trajectories",
        ["delta2=5,1", "trajectory=0:5:6"],
        FIXED,
        options=OPTIONS,
        chunk_size=4,  # chunks straddle the two parameter points
    )
    assert_same_data(two.sel(delta2=5.0, drop=True), full)
    with pytest.raises(ParameterError, match="dims"):
        motion_result(two)
    at1 = motion_result(two.sel(delta2=1.0))
    assert at1.setup.params.delta2 == 1.0 and at1.trajectories == 6


def test_same_bits_on_every_executor(process_executor, dask_executor):
    ref = run_scan("motion.trajectories", ["trajectory=0:5:6"], FIXED, options=OPTIONS)
    for exe in (process_executor, dask_executor):
        got = run_scan(
            "motion.trajectories",
            ["trajectory=0:5:6"],
            FIXED,
            executor=exe,
            options=OPTIONS,
            chunk_size=2,
        )
        assert_same_data(got, ref)


def test_resume_runs_only_the_missing_chunk(tmp_path, monkeypatch):
    out = tmp_path / "t.zarr"
    args = ("motion.trajectories", ["trajectory=0:5:6"], FIXED)
    first = run_scan(*args, store=out, chunk_size=2, options=OPTIONS).load()
    (out / DONE_DIR / "1").unlink()  # as if killed before chunk 1 was marked done
    import vlaser.motion.trajectories as traj

    ran = []
    real = traj._run_chunk
    monkeypatch.setattr(
        traj, "_run_chunk", lambda s, seeds: ran.append(len(seeds)) or real(s, seeds)
    )
    again = run_scan(*args, store=out, resume=True, options=OPTIONS)
    assert ran == [2]  # only chunk 1 (two trajectories) was run again
    assert_same_data(again, first)


@pytest.mark.parametrize(
    ("grid", "fixed", "options", "match"),
    [
        (["trajectory=0.5,1"], {}, {}, "trajectory"),
        (["trajectory=-1,0"], {}, {}, "trajectory"),
        (["delta2=1,2"], {}, {}, "trajectory"),  # no trajectory axis: no default
        (["trajectory=0,1"], {}, {"t_max": -1.0}, "time"),
        (["trajectory=0,1"], {}, {"samples": 1}, "samples"),
        (["trajectory=0,1"], {}, {"dt": 100.0}, "dt"),
        (["trajectory=0,1"], {}, {"species": "xx"}, "species"),
        (["trajectory=0,1"], {"nu2": -1.0}, {}, "nu2"),
        (["trajectory=0,1"], {}, {"steps": 3}, "option"),
    ],
)
def test_bad_input_refused_before_writing(tmp_path, grid, fixed, options, match):
    out = tmp_path / "bad.zarr"
    with pytest.raises(ParameterError, match=match):
        run_scan("motion.trajectories", grid, fixed, store=out, options=options)
    assert not out.exists()


def test_simulate_stored_continues_an_interrupted_run(tmp_path, monkeypatch):
    """A run killed after two chunks continues with the third; the result is
    simulate()'s, bit for bit; other settings replace the store."""
    import vlaser.motion.trajectories as traj
    from vlaser.scan.motion import simulate_stored

    p = AtomParams.paper()
    kw = {"trajectories": 6, "t_max": 300.0, "samples": 11, "seed": 2}
    real = traj._run_chunk
    ran = []

    def failing(setup, seeds):
        if len(ran) == 2:
            raise KeyboardInterrupt
        ran.append(len(seeds))
        return real(setup, seeds)

    monkeypatch.setattr(traj, "_run_chunk", failing)
    store = tmp_path / "t.zarr"
    with pytest.raises(KeyboardInterrupt):
        simulate_stored(p, store, chunk_size=2, **kw)
    monkeypatch.setattr(
        traj, "_run_chunk", lambda s, seeds: ran.append(len(seeds)) or real(s, seeds)
    )
    r = simulate_stored(p, store, chunk_size=2, **kw)
    assert ran == [2, 2, 2]  # two chunks before the interruption, one after
    _same_result(r, simulate(p, **kw))
    other = simulate_stored(p, store, chunk_size=2, **{**kw, "seed": 3})
    _same_result(other, simulate(p, **{**kw, "seed": 3}))


def test_default_chunk_size_is_the_adapters(tmp_path):
    """Without chunk_size, trajectories are chunked 10 at a time (the adapter's default),
    not 4096 (the scan layer's), so a long run is resumable and parallel."""
    import json

    ds = run_scan(
        "motion.trajectories",
        ["trajectory=0:11:12"],
        store=tmp_path / "t.zarr",
        options={"t_max": 20.0, "samples": 3},
    )
    assert json.loads(ds.attrs["scan_chunk_shape"]) == [6]  # 12 split into 2 equal blocks


def test_two_parameter_axes_are_checked_point_by_point():
    """Axes of different lengths (2 x 3 parameter points) validate and solve; a bad
    value on either axis is refused naming it."""
    ds = run_scan(
        "motion.trajectories",
        ["delta2=1,2", "delta3=-1,-0.5,-2", "trajectory=0,1"],
        options={"t_max": 20.0, "samples": 3},
    )
    assert ds.alive.shape == (2, 3, 2)
    with pytest.raises(ParameterError, match="nu2"):
        run_scan("motion.trajectories", ["nu2=0,-1", "delta3=-1,-2,-3", "trajectory=0"])
