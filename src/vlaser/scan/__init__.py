"""Parameter grids, executors and checkpointed result stores.

One scan layer for every solver: a declarative :class:`Grid`, split into chunks
(:mod:`vlaser.scan.chunks`), each chunk solved batched by a solver adapter
(:mod:`vlaser.scan.solvers`) on an executor (:mod:`vlaser.scan.executors`: serial,
process pool, Dask) and written to a resumable store (:mod:`vlaser.scan.store`).
Entry point: :func:`run_scan`. Dask is imported only when a Dask executor starts.
"""

from vlaser.scan import motion as _motion  # noqa: F401  (registers motion.trajectories)
from vlaser.scan import solvers
from vlaser.scan import spectra as _spectra  # noqa: F401  (registers atom/laser.spectrum)
from vlaser.scan.chunks import DEFAULT_CHUNK_SIZE, ChunkLayout
from vlaser.scan.executors import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    make_executor,
)
from vlaser.scan.grid import Axis, Grid, parse_axis
from vlaser.scan.run import run_scan
from vlaser.scan.solvers import (
    OutputSpec,
    SolverAdapter,
    available_solvers,
    get_solver,
    register_solver,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Axis",
    "ChunkLayout",
    "DaskExecutor",
    "Executor",
    "Grid",
    "OutputSpec",
    "ProcessExecutor",
    "SerialExecutor",
    "SolverAdapter",
    "available_solvers",
    "get_solver",
    "make_executor",
    "parse_axis",
    "register_solver",
    "run_scan",
    "solvers",
]
