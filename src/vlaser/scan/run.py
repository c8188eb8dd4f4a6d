"""``run_scan``: solve a solver over a grid, chunk by chunk, into a result store.

Example::

    from vlaser.scan import Grid, run_scan

    grid = Grid.from_specs(["delta2=-10:10:201", "delta3=-10:10:201"])
    ds = run_scan("atom.steady", grid, fixed={"omega2": 0.5, "omega3": 0.5},
                  store="map.zarr", workers=2, resume=True)
    ds.inversion            # (delta2, delta3)

Steps: validate the grid and fixed parameters against the adapter (nothing is written
before this succeeds), build the chunk layout and fingerprint, check the target
(refuse an existing one without ``resume``/``overwrite``, refuse to resume another
scan), start the executor (an unreachable scheduler fails here, still before any
write), create the store, then solve the unfinished chunks and write each one as it
arrives. Memory holds the axes and a few chunks (about two per worker), never the
broadcast grid.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from vlaser.errors import ParameterError
from vlaser.params import DEFAULT_GAMMA2, parse_rate
from vlaser.scan.chunks import DEFAULT_CHUNK_SIZE, ChunkLayout
from vlaser.scan.executors import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_RETRIES,
    ChunkJob,
    Executor,
    make_executor,
)
from vlaser.scan.grid import Axis, Grid, parse_axis
from vlaser.scan.solvers import SolverAdapter, get_solver
from vlaser.scan.store import ScanSchema, open_target

log = logging.getLogger("vlaser.scan")

#: Signature of the progress callback: ``(chunks done, chunks in total)``.
ProgressCallback = Callable[[int, int], None]


def _gamma2_of(adapter: SolverAdapter, fixed: Mapping[str, Any]) -> float:
    """Γ2 used for the ``g2`` suffix of the other values (a fixed gamma2 first)."""
    if "gamma2" in fixed:
        return parse_rate(fixed["gamma2"], "gamma2", DEFAULT_GAMMA2)
    return float(adapter.defaults.get("gamma2", DEFAULT_GAMMA2))


def resolve_grid(
    adapter: SolverAdapter, grid: Grid | Sequence[str | Axis], gamma2: float = DEFAULT_GAMMA2
) -> Grid:
    """A :class:`Grid` whose axes are all parameters of ``adapter``.

    Args:
        adapter: The solver adapter.
        grid: A grid, or axis specs (``"delta2=-10:10:201"``) / :class:`Axis` objects.
        gamma2: Meaning of the ``g2`` suffix in specs.

    Raises:
        ParameterError: For an unknown parameter, a malformed or empty axis.
    """
    if not isinstance(grid, Grid):
        grid = Grid(
            tuple(
                a if isinstance(a, Axis) else parse_axis(a, adapter.param_names, gamma2)
                for a in grid
            )
        )
    for name in grid.names:
        if name not in adapter.param_names:
            raise ParameterError("grid parameter", name, f"one of {', '.join(adapter.param_names)}")
    return grid


def resolve_fixed(
    adapter: SolverAdapter, grid: Grid, fixed: Mapping[str, Any] | None
) -> dict[str, float]:
    """Every non-scanned parameter of ``adapter`` -> float (given value or default).

    Values may be numbers or text as on the command line (``"10g2"``).

    Raises:
        ParameterError: For an unknown name, a name that is also scanned, a value that
            is not one finite number, or a parameter without default left unset.
    """
    fixed = dict(fixed or {})
    allowed = ", ".join(adapter.param_names)
    for name in fixed:
        if name not in adapter.param_names:
            raise ParameterError("fixed parameter", name, f"one of {allowed}")
        if name in grid.names:
            raise ParameterError("fixed parameter", name, "a parameter that is not scanned")
    gamma2 = _gamma2_of(adapter, fixed)
    out: dict[str, float] = {}
    for name in adapter.param_names:
        if name in grid.names:
            continue
        if name in fixed:
            value = fixed[name]
            if np.ndim(value) != 0:
                raise ParameterError(name, value, "one number (scan it as an axis instead)")
            out[name] = gamma2 if name == "gamma2" else parse_rate(value, name, gamma2)
        elif name in adapter.defaults:
            out[name] = float(adapter.defaults[name])
        else:
            raise ParameterError(name, None, "a value (no default): scan it or fix it")
    return out


class _WriteBehind:
    """Writes chunks to the target in a thread, overlapping the store's I/O (zarr's
    encode and file writes) with the next solves.

    At most ``depth`` solved chunks wait in the queue, so memory stays bounded. Each
    chunk is written and marked done by :meth:`Target.write` (data first, marker
    last) in arrival order; ``on_chunk_done`` is called from this thread after it.
    """

    def __init__(
        self,
        target: Any,
        done: int,
        total: int,
        on_chunk_done: ProgressCallback | None,
        depth: int = 2,
    ) -> None:
        self._target = target
        self._done = done
        self._total = total
        self._callback = on_chunk_done
        self._queue: queue.Queue[tuple[int, Any] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="vlaser-scan-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain after a failure
            try:
                self._target.write(*item)
                self._done += 1
                if self._callback is not None:
                    self._callback(self._done, self._total)
            except BaseException as exc:  # re-raised in the calling thread
                self._error = exc

    def put(self, chunk: int, outputs: Any) -> None:
        """Queue one solved chunk (blocks while ``depth`` chunks wait)."""
        if self._error is not None:
            raise self._error
        self._queue.put((chunk, outputs))

    def close(self, raise_error: bool = True) -> None:
        """Write what is queued, stop the thread, re-raise a write error."""
        self._queue.put(None)
        self._thread.join()
        if raise_error and self._error is not None:
            raise self._error


def run_scan(
    adapter: str | SolverAdapter,
    grid: Grid | Sequence[str | Axis],
    fixed: Mapping[str, Any] | None = None,
    store: str | os.PathLike[str] | None = None,
    executor: str | Executor | None = None,
    *,
    resume: bool = False,
    overwrite: bool = False,
    chunk_size: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    on_chunk_done: ProgressCallback | None = None,
    options: Mapping[str, Any] | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Any:
    """Solve ``adapter`` on every point of ``grid``, chunk by chunk.

    Args:
        adapter: A :class:`SolverAdapter` or a registered name (``"atom.steady"``) or
            import path ``"package.module:Class"``.
        grid: The scanned axes (a :class:`Grid` or axis specs / :class:`Axis` objects).
        fixed: Values of non-scanned parameters (numbers or text such as ``"10g2"``);
            the others take the adapter's defaults.
        store: ``None`` (results in memory), ``PATH.zarr`` (checkpointed Zarr store) or
            ``PATH.nc`` (NetCDF, checkpointed in ``PATH.nc.partial.zarr``).
        executor: ``"serial"``, ``"processes"``, ``"dask"``, an :class:`Executor`
            (left open for the caller) or ``None`` (processes if ``workers > 1``, Dask
            if ``scheduler`` is given, else serial).
        resume: Continue ``store`` if it holds this scan (no finished chunk is
            recomputed); refuse one that holds another scan.
        overwrite: Replace an existing vlaser store.
        chunk_size: Largest number of points per chunk; ``None``: the adapter's
            ``default_chunk_size`` or 4096 (an existing store keeps its
            own chunking on resume).
        workers: Worker processes for ``"processes"`` or a local Dask cluster.
        scheduler: ``tcp://HOST:PORT`` of a running Dask scheduler.
        on_chunk_done: Called as ``on_chunk_done(done, total)`` once before the first
            chunk (done = chunks already finished) and after each chunk is stored
            (from the store's writer thread).
        options: Solver options (override the adapter's).
        connect_timeout: Seconds allowed to reach ``scheduler``.
        retries: Resubmissions of a chunk whose worker died or whose solve raised.

    Returns:
        ``xarray.Dataset`` with one dimension per axis (in grid order) plus each
        output's own dims; for a store, the finished store opened lazily.

    Raises:
        ParameterError: For invalid grids, fixed parameters, options or targets.
        VlaserError: For an existing target without ``resume``/``overwrite``, a store
            of another scan, or an unreachable scheduler; nothing is written then.
    """
    adapter = get_solver(adapter, **dict(options or {}))
    gamma2 = _gamma2_of(adapter, fixed or {})
    grid = resolve_grid(adapter, grid, gamma2)
    fixed_all = resolve_fixed(adapter, grid, fixed)
    axes = {a.name: a.values for a in grid.axes}
    adapter.check({**axes, **fixed_all})
    if chunk_size is None:
        chunk_size = adapter.default_chunk_size or DEFAULT_CHUNK_SIZE
    layout = ChunkLayout.for_shape(grid.shape, chunk_size)
    schema = ScanSchema.build(adapter, grid, fixed_all, layout)
    target = open_target(store, schema, resume=resume, overwrite=overwrite)
    layout = target.layout
    total = layout.n_chunks
    done = target.done()  # reads only; empty for a target still to be created
    todo = [k for k in range(total) if k not in done]
    exe = None
    if todo and not target.complete:
        # Started before the first write: an unreachable scheduler leaves no store.
        exe = make_executor(
            executor, workers, scheduler, connect_timeout=connect_timeout, retries=retries
        )
    try:
        n_done = total - len(todo) if exe is not None else total
        if on_chunk_done is not None:
            on_chunk_done(n_done, total)
        if exe is None:
            return target.finish()
        target.create()
        log.info(
            "scan %s: %d points in %d chunks of <= %d (%d done) on %s",
            adapter.name,
            layout.size,
            total,
            int(np.prod(layout.chunk_shape)),
            n_done,
            exe.describe(),
        )
        job = ChunkJob(adapter, axes, fixed_all, layout)
        writer = _WriteBehind(target, n_done, total, on_chunk_done)
        try:
            for chunk, outputs in exe.map_unordered(job, todo):
                writer.put(chunk, outputs)
        except BaseException:
            writer.close(raise_error=False)  # store what is finished, then report
            raise
        writer.close()
        return target.finish()
    finally:
        if exe is not None and exe is not executor:
            exe.close()


__all__ = ["ProgressCallback", "resolve_fixed", "resolve_grid", "run_scan"]
