"""Fixtures of the scan tests: worker pools shared within a test module."""

from __future__ import annotations

import pytest

from vlaser.scan import DaskExecutor, Grid, ProcessExecutor


@pytest.fixture(scope="module")
def process_executor():
    """A 2-process pool (spawn), shared: process start-up costs ~1 s on CI."""
    with ProcessExecutor(workers=2) as exe:
        yield exe


@pytest.fixture(scope="module")
def dask_executor():
    """A real dask.distributed LocalCluster: 2 worker processes, 1 thread each,
    loopback only, no dashboard."""
    with DaskExecutor(workers=2) as exe:
        yield exe


@pytest.fixture
def grid():
    """A small 3-axis grid (linear, log, explicit) whose chunks have uneven edges."""
    return Grid.from_specs(["x=-1:1:7", "y=log:0.1:10:5", "z=0,0.5,-2"])
