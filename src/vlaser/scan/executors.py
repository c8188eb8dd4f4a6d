"""Executors: who solves the chunks of a scan.

Three executors run the same :class:`ChunkJob` (a picklable description of the scan:
adapter, axes, fixed parameters, chunk layout) and yield ``(chunk, outputs)`` pairs in
completion order:

* ``serial``: in this process, chunk after chunk;
* ``processes``: a local :class:`concurrent.futures.ProcessPoolExecutor` ("spawn"
  start method). A chunk whose worker died (``BrokenProcessPool``) is resubmitted on
  a fresh pool, up to ``retries`` times;
* ``dask``: a Dask distributed cluster, either an existing one
  (``scheduler="tcp://HOST:PORT"``, connected within ``connect_timeout`` seconds) or a
  :class:`distributed.LocalCluster` of worker processes on the loopback interface
  without dashboard. The scheduler reschedules the tasks of a dead worker; solver
  exceptions are retried ``retries`` times.

Which chunks exist and which points they hold depends on the grid and the chunk size
only, and every chunk is solved by the same deterministic function
(:meth:`ChunkJob.solve`), so every executor gives the same results bit for bit.
Executors keep only a bounded number of chunks in flight (about two per worker), so
memory stays bounded by the chunk size. Dask is imported only by :class:`DaskExecutor`.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np

from vlaser.errors import ParameterError, VlaserError
from vlaser.scan.chunks import ChunkLayout
from vlaser.scan.solvers import SolverAdapter

#: Times a chunk is resubmitted after its worker died or its solve raised.
DEFAULT_RETRIES = 3
#: Seconds allowed to connect to an existing Dask scheduler.
DEFAULT_CONNECT_TIMEOUT = 10.0

_SCHEDULER_RE = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.\-]+):(\d{1,5})$")

Outputs = dict[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class ChunkJob:
    """Everything a worker needs to solve any chunk of one scan (picklable).

    Attributes:
        adapter: The solver adapter.
        axes: Axis name -> 1-D float array of its values, in grid dimension order.
        fixed: Every parameter of the adapter that is not scanned -> float.
        layout: The chunk layout of the grid.
    """

    adapter: SolverAdapter
    axes: Mapping[str, np.ndarray]
    fixed: Mapping[str, float]
    layout: ChunkLayout

    def solve(self, chunk: int) -> Outputs:
        """Solve block ``chunk``.

        Returns:
            Output name -> array of shape (*block_shape, *spec.shape), dtype of the spec.

        Raises:
            VlaserError: If the adapter returns missing or misshapen outputs.
        """
        block = self.layout.block_shape(chunk)
        n = math.prod(block)
        params = self.layout.params(dict(self.axes), chunk)
        for name, value in self.fixed.items():
            params[name] = np.full(n, value, dtype=float)
        raw = self.adapter.solve(params)
        out: Outputs = {}
        for name, spec in self.adapter.outputs.items():
            if name not in raw:
                raise VlaserError(f"solver {self.adapter.name} returned no output {name!r}")
            arr = np.asarray(raw[name])
            if arr.shape != (n, *spec.shape):
                raise VlaserError(
                    f"solver {self.adapter.name} output {name!r} has shape {arr.shape}, "
                    f"expected {(n, *spec.shape)}"
                )
            out[name] = np.ascontiguousarray(arr.astype(spec.dtype, copy=False)).reshape(
                *block, *spec.shape
            )
        return out


def solve_chunk(job: ChunkJob, chunk: int) -> tuple[int, Outputs]:
    """Module-level task function (picklable): ``(chunk, job.solve(chunk))``."""
    return chunk, job.solve(chunk)


class Executor:
    """Base class: runs the chunks of a :class:`ChunkJob`.

    Attributes:
        name: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Number of parallel workers.
    """

    name = "base"
    workers = 1

    def map_unordered(self, job: ChunkJob, chunks: Iterable[int]) -> Iterator[tuple[int, Outputs]]:
        """Solve ``chunks``; yield ``(chunk, outputs)`` as each finishes."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (idempotent)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        """One line for logs and provenance."""
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"


class SerialExecutor(Executor):
    """Solve every chunk in this process, in order."""

    name = "serial"

    def map_unordered(self, job: ChunkJob, chunks: Iterable[int]) -> Iterator[tuple[int, Outputs]]:
        for chunk in chunks:
            yield solve_chunk(job, chunk)


class ProcessExecutor(Executor):
    """A local process pool with resubmission after a worker death.

    Args:
        workers: Number of worker processes (>= 1).
        retries: How often one chunk may be resubmitted after its pool broke.
        start_method: multiprocessing start method (default ``"spawn"``: safe with
            threads in the parent and the same on every platform).
    """

    name = "processes"

    def __init__(
        self, workers: int = 2, retries: int = DEFAULT_RETRIES, start_method: str = "spawn"
    ) -> None:
        self.workers = _check_workers(workers)
        self.retries = int(retries)
        self._context = multiprocessing.get_context(start_method)
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context)
        return self._pool

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map_unordered(self, job: ChunkJob, chunks: Iterable[int]) -> Iterator[tuple[int, Outputs]]:
        todo = deque(chunks)
        attempts: Counter[int] = Counter()
        pending: dict[Future, int] = {}
        window = 2 * self.workers
        try:
            while todo or pending:
                pool = self._get_pool()
                broken = False
                while todo and len(pending) < window and not broken:
                    try:
                        pending[pool.submit(solve_chunk, job, todo[0])] = todo[0]
                        todo.popleft()
                    except BrokenProcessPool:  # a worker died since the last wait
                        broken = True
                if not broken:
                    wait(pending, return_when=FIRST_COMPLETED)
                # Collect every finished future; a broken pool fails all the others.
                for fut in [f for f in pending if f.done()]:
                    chunk = pending.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        pending[fut] = chunk
                    else:
                        yield result
                if broken:
                    lost = sorted(pending.values())
                    pending.clear()
                    self._discard_pool()
                    for chunk in lost:
                        attempts[chunk] += 1
                        if attempts[chunk] > self.retries:
                            raise VlaserError(
                                f"chunk {chunk} lost its worker process {attempts[chunk]} times"
                            )
                    todo.extendleft(reversed(lost))
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        self._discard_pool()


class DaskExecutor(Executor):
    """Chunks as tasks of a Dask distributed cluster.

    Args:
        scheduler: Address ``tcp://HOST:PORT`` of a running scheduler; ``None`` starts a
            :class:`distributed.LocalCluster` with ``workers`` worker processes (one
            thread each) on 127.0.0.1 without dashboard.
        workers: Worker processes of the local cluster (ignored with ``scheduler``).
        connect_timeout: Seconds allowed to reach ``scheduler``.
        retries: Retries of a chunk whose solve raised (dead workers are rescheduled
            by the scheduler, up to its ``allowed-failures``).

    Raises:
        ParameterError: For a malformed scheduler address.
        VlaserError: If the scheduler cannot be reached within ``connect_timeout``.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int = 2,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        from distributed import Client, LocalCluster

        self.retries = int(retries)
        self.scheduler = scheduler
        self._cluster = None
        if scheduler is not None:
            check_scheduler_address(scheduler)
            if not connect_timeout > 0:
                raise ParameterError("connect_timeout", connect_timeout, "a number of seconds > 0")
            try:
                self._client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise VlaserError(
                    f"cannot reach Dask scheduler {scheduler} within {connect_timeout:g} s ({exc})"
                ) from None
            self.workers = max(1, sum(self._client.nthreads().values()))
        else:
            self.workers = _check_workers(workers)
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # Failures reach the caller through the futures; the workers' own log
                # would add heartbeat noise from the shutdown race (worker after
                # scheduler) to the user's terminal.
                silence_logs=logging.CRITICAL,
            )
            self._client = Client(self._cluster, set_as_default=False)

    @property
    def client(self) -> Any:
        """The :class:`distributed.Client` in use."""
        return self._client

    def map_unordered(self, job: ChunkJob, chunks: Iterable[int]) -> Iterator[tuple[int, Outputs]]:
        from distributed import KilledWorker, as_completed

        todo = deque(chunks)
        window = 2 * max(self.workers, 1)
        futures = as_completed(loop=self._client.loop)
        live = []

        def submit() -> None:
            fut = self._client.submit(
                solve_chunk, job, todo.popleft(), retries=self.retries, pure=False
            )
            live.append(fut)
            futures.add(fut)

        try:
            while todo and len(live) < window:
                submit()
            for fut in futures:
                live.remove(fut)
                try:
                    result = fut.result()
                except KilledWorker as exc:
                    raise VlaserError(
                        f"a chunk killed its Dask workers repeatedly ({exc})"
                    ) from None
                fut.release()
                if todo:
                    submit()
                yield result
        finally:
            for fut in live:
                fut.cancel()

    def describe(self) -> str:
        where = self.scheduler or "LocalCluster 127.0.0.1"
        return f"dask ({where}, {self.workers} worker threads)"

    def close(self) -> None:
        client, self._client = getattr(self, "_client", None), None
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def check_scheduler_address(address: str) -> str:
    """Validate a scheduler address ``tcp://HOST:PORT`` (or ``tls://``)."""
    m = _SCHEDULER_RE.match(str(address).strip())
    if not m or not 0 < int(m.group(3)) < 65536:
        raise ParameterError("scheduler", address, "an address tcp://HOST:PORT")
    return m.group(0)


def _check_workers(workers: int) -> int:
    if isinstance(workers, bool) or int(workers) != workers or workers < 1:
        raise ParameterError("workers", workers, "a whole number >= 1")
    return int(workers)


EXECUTORS = ("serial", "processes", "dask")


def make_executor(
    executor: str | Executor | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Executor:
    """Choose and start an executor.

    Rules: an :class:`Executor` instance is returned as is; ``scheduler`` means Dask
    on that cluster; ``executor="dask"`` starts a local cluster of ``workers``
    processes; ``"processes"`` (the default when ``workers > 1``) a process pool;
    ``"serial"`` (the default for one worker) runs in this process.

    Raises:
        ParameterError: For an unknown executor name, ``workers < 1`` or a scheduler
            given with a non-Dask executor.
        VlaserError: If the scheduler cannot be reached.
    """
    if isinstance(executor, Executor):
        return executor
    workers = _check_workers(workers)
    if executor is not None and executor not in EXECUTORS:
        raise ParameterError("executor", executor, f"one of {', '.join(EXECUTORS)}")
    if scheduler is not None:
        if executor not in (None, "dask"):
            raise ParameterError("executor", executor, "dask (or none) when a scheduler is given")
        return DaskExecutor(scheduler, connect_timeout=connect_timeout, retries=retries)
    if executor == "dask":
        return DaskExecutor(None, workers=workers, retries=retries)
    if executor == "processes" or (executor is None and workers > 1):
        return ProcessExecutor(workers, retries=retries)
    return SerialExecutor()


__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_RETRIES",
    "EXECUTORS",
    "ChunkJob",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "check_scheduler_address",
    "make_executor",
    "solve_chunk",
]
