"""Parameter grids, executors and checkpointed result stores.

One scan layer for every solver: a declarative :class:`Grid`, split into chunks
(:mod:`vlaser.scan.chunks`), each chunk solved batched by a solver adapter
(:mod:`vlaser.scan.solvers`) on an executor (:mod:`vlaser.scan.executors`: serial,
process pool, Dask) and written to a resumable store (:mod:`vlaser.scan.store`).
Entry point: :func:`run_scan`.

The names below are imported on first use (:mod:`vlaser._lazy`), so the command line
can read ``vlaser.scan.chunks.DEFAULT_CHUNK_SIZE`` without loading the store. Dask is
imported only when a Dask executor starts, xarray when a scan builds its result, zarr
only for a Zarr store or checkpoint.
"""

from vlaser._lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "DEFAULT_CHUNK_SIZE": "chunks",
        "ChunkLayout": "chunks",
        "DaskExecutor": "executors",
        "Executor": "executors",
        "ProcessExecutor": "executors",
        "SerialExecutor": "executors",
        "make_executor": "executors",
        "Axis": "grid",
        "Grid": "grid",
        "parse_axis": "grid",
        "run_scan": "run",
        "OutputSpec": "solvers",
        "SolverAdapter": "solvers",
        "available_solvers": "solvers",
        "get_solver": "solvers",
        "register_solver": "solvers",
    },
)
