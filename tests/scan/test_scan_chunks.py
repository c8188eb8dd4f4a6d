"""Chunk layouts: an exact partition of the grid, bounded size, values from the axes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vlaser.errors import ParameterError
from vlaser.scan.chunks import ChunkLayout, chunk_shape_for


@given(
    shape=st.lists(st.integers(1, 9), min_size=0, max_size=4).map(tuple),
    chunk_size=st.integers(1, 50),
)
def test_blocks_partition_the_grid_exactly(shape, chunk_size):
    layout = ChunkLayout.for_shape(shape, chunk_size)
    hits = np.zeros(shape, dtype=int)
    for k in range(layout.n_chunks):
        sl = layout.slices(k)
        assert 1 <= math.prod(layout.block_shape(k)) <= chunk_size
        hits[sl] += 1
    assert np.all(hits == 1)  # every point in exactly one block


@given(
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple),
    chunk_size=st.integers(1, 40),
)
def test_block_params_are_the_grid_points_in_c_order(shape, chunk_size):
    axes = {f"a{k}": np.arange(n) * 10.0**k + 0.5 for k, n in enumerate(shape)}
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    layout = ChunkLayout.for_shape(shape, chunk_size)
    for k in range(layout.n_chunks):
        params = layout.params(axes, k)
        sl = layout.slices(k)
        for (name, values), full in zip(params.items(), mesh, strict=True):
            assert values.shape == (math.prod(layout.block_shape(k)),)
            assert np.array_equal(values, full[sl].reshape(-1)), name


def test_last_axis_filled_first_and_split_evenly():
    assert chunk_shape_for((100, 300), 4096) == (13, 300)
    assert chunk_shape_for((3, 5000), 4096) == (1, 2500)  # two even blocks, not 4096 + 904
    assert chunk_shape_for((10, 10), 1) == (1, 1)
    assert chunk_shape_for((), 10) == ()
    assert ChunkLayout.for_shape((), 10).n_chunks == 1


def test_chunking_depends_only_on_shape_and_size():
    from vlaser.scan import Grid

    assert Grid.from_specs(["x=0:1:1000", "y=0:1:1000"]).chunks(4096) == ChunkLayout.for_shape(
        (1000, 1000), 4096
    )
    a = ChunkLayout.for_shape((1000, 1000), 4096)
    b = ChunkLayout.for_shape((1000, 1000), 4096)
    assert a == b and a.n_chunks == math.ceil(1000 / 4) * 1


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_invalid_chunk_size(bad):
    with pytest.raises(ParameterError, match="chunk_size"):
        ChunkLayout.for_shape((10,), bad)


def test_chunk_index_out_of_range():
    layout = ChunkLayout.for_shape((10,), 3)
    with pytest.raises(ParameterError, match="chunk"):
        layout.slices(layout.n_chunks)
