"""Fixtures of the scan tests: shared worker pools (started once per session)."""

from __future__ import annotations

import numpy as np
import pytest

from vlaser.scan import DaskExecutor, Grid, ProcessExecutor


@pytest.fixture(scope="session")
def process_executor():
    """A 2-process pool (spawn), shared: process start-up costs ~1 s on CI."""
    with ProcessExecutor(workers=2) as exe:
        yield exe


@pytest.fixture(scope="session")
def dask_executor():
    """A real dask.distributed LocalCluster: 2 worker processes, 1 thread each,
    loopback only, no dashboard."""
    with DaskExecutor(workers=2) as exe:
        yield exe


@pytest.fixture
def grid():
    """A small 3-axis grid (linear, log, explicit) whose chunks have uneven edges."""
    return Grid.from_specs(["x=-1:1:7", "y=log:0.1:10:5", "z=0,0.5,-2"])


def assert_same_data(a, b):
    """Bit-for-bit equality of every data variable and coordinate."""
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        assert a[name].dims == b[name].dims
        assert np.array_equal(a[name].values, b[name].values), name
    for name in a.coords:
        assert np.array_equal(a[name].values, b[name].values), name


def chunk_keys(solver, grid, fixed, layout):
    """call_key of every chunk (as SyntheticSolver logs it), by chunk index."""
    from vlaser.scan.run import resolve_fixed
    from vlaser.scan.testing import call_key

    fixed_all = resolve_fixed(solver, grid, fixed)
    axes = {a.name: a.values for a in grid.axes}
    keys = {}
    for k in range(layout.n_chunks):
        params = layout.params(axes, k)
        n = len(next(iter(params.values())))
        params.update({name: np.full(n, v) for name, v in fixed_all.items()})
        keys[k] = call_key(params)
    return keys
