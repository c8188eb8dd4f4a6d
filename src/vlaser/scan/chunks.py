"""Splitting a grid into hyper-rectangular chunks.

A scan is cut into blocks ("chunks") of at most ``chunk_size`` points. Each block is a
hyper-rectangle of the grid, so it maps onto exactly one chunk of every Zarr array of
the result store: writing a block touches no other block's files, and a crash while a
block is being written cannot damage a finished one.

The block shape is chosen from the grid shape and ``chunk_size`` alone (never from the
executor), filling the last axis first and splitting each axis into blocks of nearly
equal length. Block ``k`` is numbered in C order over the block grid.

The parameter values of a block are generated from the axes on demand
(:meth:`ChunkLayout.params`), so no full broadcast parameter grid is ever built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vlaser.errors import ParameterError

#: Default largest number of grid points solved in one batch.
DEFAULT_CHUNK_SIZE = 4096


def chunk_shape_for(shape: tuple[int, ...], chunk_size: int) -> tuple[int, ...]:
    """Block shape with at most ``chunk_size`` points for a grid of ``shape``.

    The last axis is filled first. An axis of length n that does not fit in the
    remaining budget b is split into ``ceil(n / b)`` blocks of nearly equal length
    ``ceil(n / ceil(n / b))`` (so a 5000-point axis with b = 4096 gives two blocks of
    2500 rather than 4096 + 904).

    Args:
        shape: Grid shape.
        chunk_size: Largest number of points per block (>= 1).

    Returns:
        The block shape, one entry per axis.
    """
    if isinstance(chunk_size, bool) or int(chunk_size) != chunk_size or chunk_size < 1:
        raise ParameterError("chunk_size", chunk_size, "a whole number >= 1")
    budget = int(chunk_size)
    out = [1] * len(shape)
    for k in range(len(shape) - 1, -1, -1):
        n = shape[k]
        if budget <= 1:
            break
        if n <= budget:
            out[k] = n
            budget //= n
        else:
            out[k] = math.ceil(n / math.ceil(n / budget))
            budget = 1
    return tuple(out)


@dataclass(frozen=True)
class ChunkLayout:
    """The partition of a grid of ``shape`` into blocks of ``chunk_shape``.

    Attributes:
        shape: Grid shape (one entry per axis; ``()`` for a single point).
        chunk_shape: Block shape (edge blocks may be smaller).
    """

    shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.shape) != len(self.chunk_shape) or any(
            c < 1 or n < 1 for n, c in zip(self.shape, self.chunk_shape, strict=True)
        ):
            raise ParameterError(
                "chunk_shape", self.chunk_shape, f"positive block sizes for grid shape {self.shape}"
            )

    @classmethod
    def for_shape(cls, shape: tuple[int, ...], chunk_size: int = DEFAULT_CHUNK_SIZE) -> ChunkLayout:
        """Layout with the block shape of :func:`chunk_shape_for`."""
        shape = tuple(int(n) for n in shape)
        return cls(shape, chunk_shape_for(shape, chunk_size))

    @property
    def blocks(self) -> tuple[int, ...]:
        """Number of blocks along each axis."""
        return tuple(math.ceil(n / c) for n, c in zip(self.shape, self.chunk_shape, strict=True))

    @property
    def n_chunks(self) -> int:
        """Total number of blocks."""
        return math.prod(self.blocks)

    @property
    def size(self) -> int:
        """Total number of grid points."""
        return math.prod(self.shape)

    def _check(self, chunk: int) -> int:
        if not 0 <= chunk < self.n_chunks:
            raise ParameterError("chunk", chunk, f"an index in 0..{self.n_chunks - 1}")
        return int(chunk)

    def slices(self, chunk: int) -> tuple[slice, ...]:
        """Grid index slices of block ``chunk`` (one per axis)."""
        index = np.unravel_index(self._check(chunk), self.blocks) if self.shape else ()
        return tuple(
            slice(int(i) * c, min((int(i) + 1) * c, n))
            for i, c, n in zip(index, self.chunk_shape, self.shape, strict=True)
        )

    def block_shape(self, chunk: int) -> tuple[int, ...]:
        """Shape of block ``chunk`` (smaller than :attr:`chunk_shape` at the edges)."""
        return tuple(s.stop - s.start for s in self.slices(chunk))

    def params(self, axes_values: dict[str, np.ndarray], chunk: int) -> dict[str, np.ndarray]:
        """Parameter values of the points of block ``chunk``, flattened in C order.

        Args:
            axes_values: Values of each axis, in axis order (name -> 1-D array).
            chunk: Block index.

        Returns:
            name -> float array of shape (n,), n = number of points in the block.
        """
        sl = self.slices(chunk)
        if len(axes_values) != len(sl):
            raise ParameterError("axes", list(axes_values), f"{len(sl)} axes")
        parts = [
            np.asarray(v, dtype=float)[s] for v, s in zip(axes_values.values(), sl, strict=True)
        ]
        if not parts:
            return {}
        mesh = np.meshgrid(*parts, indexing="ij")
        return {
            name: np.ascontiguousarray(m.reshape(-1))
            for name, m in zip(axes_values, mesh, strict=True)
        }


__all__ = ["DEFAULT_CHUNK_SIZE", "ChunkLayout", "chunk_shape_for"]
