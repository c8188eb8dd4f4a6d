"""One command-line grammar for every scan: shared options and :func:`run_scan_cli`.

Every scan command (``vlaser atom map``, ``vlaser laser scan``, ``vlaser motion run``,
``vlaser reproduce``, ``vlaser scan run``) takes the same options, defined once here
as ``typing.Annotated`` aliases:

======================  ======================================================
``--out PATH``          result file: ``*.nc`` (NetCDF) or ``*.zarr`` (Zarr)
``--workers N``         local worker processes (default 1: in this process)
``--dask``              run the workers as a local Dask cluster
``--scheduler ADDR``    an existing Dask cluster ``tcp://HOST:PORT``
``--resume``            continue ``--out`` (no finished chunk is recomputed)
``--overwrite``         replace an existing ``--out``
``--chunk-size N``      points solved per batch (default 4096)
``--quiet``             no progress bar or summary line
======================  ======================================================

Use in a command (the decorator adds the options above and ``--connect-timeout``)::

    from vlaser.cli import scanopts as so

    @sub.command("map")
    @so.scan_command()
    def map_cmd(scan: so.ScanRun, x: str = typer.Option(..., "--x")) -> None:
        ds = scan.run("atom.steady", [x], fixed)

:func:`run_scan_cli` wires executor, store and a rich progress bar (stderr: chunk
counts, elapsed time, ETA; also for Dask runs) around :func:`vlaser.scan.run_scan`
and returns the Dataset. Errors are :class:`vlaser.errors.VlaserError`, printed by
``vlaser.cli.main`` as one line with exit status 2.

This module also registers the generic command ``vlaser scan``::

    vlaser scan run atom.steady --x delta2=-10:10:201 --y delta3=-10:10:201 \\
        --set omega2=0.5 --set omega3=0.5 --out map.zarr --workers 2
    vlaser scan solvers
    vlaser scan status map.zarr
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from vlaser.cli.common import bundled_options, emit_json
from vlaser.errors import ParameterError
from vlaser.scan.chunks import DEFAULT_CHUNK_SIZE
from vlaser.scan.executors import DEFAULT_CONNECT_TIMEOUT

Out = Annotated[
    Path | None,
    typer.Option("--out", help="Result file: PATH.nc (NetCDF) or PATH.zarr (Zarr store)."),
]
Workers = Annotated[
    int, typer.Option("--workers", help="Worker processes (1: solve in this process).")
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Address tcp://HOST:PORT of a running Dask scheduler."),
]
Dask = Annotated[
    bool, typer.Option("--dask", help="Run the --workers as a local Dask cluster (loopback).")
]
Resume = Annotated[
    bool, typer.Option("--resume", help="Continue --out; finished chunks are not recomputed.")
]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace an existing --out.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
ChunkSize = Annotated[
    int | None,
    typer.Option(
        "--chunk-size",
        help="Largest number of grid points solved per batch and the unit of --resume "
        "(default: the solver's; 4096 points, 10 trajectories, 256 laser spectra).",
    ),
]
ConnectTimeout = Annotated[
    float, typer.Option("--connect-timeout", help="Seconds allowed to reach --scheduler.")
]

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ChunkSize",
    "ConnectTimeout",
    "Dask",
    "Out",
    "Overwrite",
    "Quiet",
    "Resume",
    "Scheduler",
    "ProgressBar",
    "Workers",
    "parse_assignments",
    "rich_progress",
    "register",
    "run_scan_cli",
]


def rich_progress(console: Any, unit: str = "chunks") -> Any:
    """The vlaser progress display: description, bar, done/total ``unit``, elapsed,
    ETA (a :class:`rich.progress.Progress` on ``console``)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


class ProgressBar:
    """``progress(done, total)`` callback drawing a rich progress bar on stderr.

    Used as ``on_chunk_done`` of scans (``unit="chunks"``) and by other long loops.
    """

    def __init__(self, description: str, unit: str = "chunks") -> None:
        from rich.console import Console

        self._progress = rich_progress(Console(stderr=True), unit)
        self._description = description
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._task is None:
            self._progress.start()
            # Chunks finished before this run start the bar, so the ETA counts only
            # chunks solved now.
            self._task = self._progress.add_task(self._description, total=total, completed=done)
        else:
            self._progress.update(self._task, completed=done)

    def stop(self) -> None:
        if self._task is not None:
            self._progress.stop()


def run_scan_cli(
    adapter: Any,
    grid: Any,
    fixed: Mapping[str, Any] | None,
    out: str | os.PathLike[str] | None,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    quiet: bool = False,
    chunk_size: int | None = None,
    *,
    dask: bool = False,
    overwrite: bool = False,
    options: Mapping[str, Any] | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    description: str | None = None,
) -> Any:
    """Run a scan with the shared CLI options; progress bar and summary on stderr.

    Args:
        adapter: Solver adapter, registered name or ``module:Class`` path.
        grid: :class:`vlaser.scan.Grid` or axis specs (``"delta2=-10:10:201"``).
        fixed: Non-scanned parameter values (numbers or text such as ``"10g2"``).
        out: ``*.nc``/``*.zarr`` target, or ``None`` to keep the result in memory.
        workers: Worker processes (``--workers``).
        scheduler: Dask scheduler address (``--scheduler``).
        resume: Continue ``out`` (``--resume``).
        quiet: No progress bar or summary (``--quiet``).
        chunk_size: Points per chunk (``--chunk-size``).
        dask: Local Dask cluster instead of a process pool (``--dask``).
        overwrite: Replace an existing ``out`` (``--overwrite``).
        options: Solver options.
        connect_timeout: Seconds allowed to reach ``scheduler``.
        description: Label of the progress bar (default: the solver name).

    Returns:
        The result ``xarray.Dataset`` (a finished store is opened lazily).
    """
    from vlaser.scan import get_solver, run_scan

    adapter = get_solver(adapter, **dict(options or {}))
    progress = None if quiet else ProgressBar(description or adapter.name)
    t0 = time.perf_counter()
    try:
        ds = run_scan(
            adapter,
            grid,
            fixed,
            store=out,
            executor="dask" if dask or scheduler else None,
            resume=resume,
            overwrite=overwrite,
            chunk_size=chunk_size,
            workers=workers,
            scheduler=scheduler,
            on_chunk_done=progress,
            connect_timeout=connect_timeout,
        )
    except KeyboardInterrupt:
        if out is not None:
            from rich.console import Console

            Console(stderr=True).print(
                f"interrupted: finish with the same command and --resume ({out})"
            )
        raise
    finally:
        if progress is not None:
            progress.stop()
    if not quiet:
        from rich.console import Console

        where = f"wrote {out}" if out is not None else "done"
        axes = json.loads(ds.attrs.get("scan_axes", "[]"))
        size = " x ".join(f"{ds.sizes[a]} {a}" for a in axes) or "1 point"
        Console(stderr=True).print(f"{where} ({size}) in {time.perf_counter() - t0:.1f} s")
    return ds


@dataclass(frozen=True)
class ScanRun:
    """The shared scan options of one command invocation (see module docstring).

    Built by :func:`scan_command`; :meth:`run` runs a scan with them.
    """

    out: Path | None
    workers: int
    scheduler: str | None
    dask: bool
    resume: bool
    overwrite: bool
    quiet: bool
    chunk_size: int | None
    connect_timeout: float

    def require_out(self) -> Path:
        """``--out``, which this command needs (its suffix is checked by the store)."""
        if self.out is None:
            raise ParameterError("out", None, "a path ending in .nc or .zarr")
        return self.out

    def run(
        self,
        adapter: Any,
        grid: Any,
        fixed: Mapping[str, Any] | None,
        *,
        options: Mapping[str, Any] | None = None,
        description: str | None = None,
        quiet: bool = False,
    ) -> Any:
        """:func:`run_scan_cli` with these options (``quiet`` adds to ``--quiet``)."""
        return run_scan_cli(
            adapter,
            grid,
            fixed,
            self.out,
            self.workers,
            self.scheduler,
            self.resume,
            self.quiet or quiet,
            self.chunk_size,
            dask=self.dask,
            overwrite=self.overwrite,
            options=options,
            connect_timeout=self.connect_timeout,
            description=description,
        )


def scan_command() -> Any:
    """Give a command the shared scan options; it receives them as ``scan: ScanRun``."""
    options = {
        "out": (Out, None),
        "workers": (Workers, 1),
        "scheduler": (Scheduler, None),
        "dask": (Dask, False),
        "resume": (Resume, False),
        "overwrite": (Overwrite, False),
        "quiet": (Quiet, False),
        "chunk_size": (ChunkSize, None),
        "connect_timeout": (ConnectTimeout, DEFAULT_CONNECT_TIMEOUT),
    }
    return bundled_options("scan", options, lambda values: ScanRun(**values))


def parse_assignments(items: Sequence[str] | None, what: str) -> dict[str, str]:
    """``["NAME=VALUE", ...]`` -> ``{name: "VALUE"}`` (dashes in NAME become _)."""
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name or not value.strip():
            raise ParameterError(what, item, "NAME=VALUE")
        out[name] = value.strip()
    return out


def _option_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def scan_run_cmd(
    scan: ScanRun,
    solver: str = typer.Argument(..., help="Registered solver name or package.module:Class."),
    x: str | None = typer.Option(None, "--x", help="First axis, e.g. delta2=-10:10:201."),
    y: str | None = typer.Option(None, "--y", help="Second axis, e.g. delta3=log:0.1:10:50."),
    axis: list[str] | None = typer.Option(None, "--axis", help="Further axes (repeatable)."),
    set_: list[str] | None = typer.Option(
        None, "--set", help="Fixed parameter NAME=VALUE (repeatable; e.g. nu2=10g2)."
    ),
    option: list[str] | None = typer.Option(
        None, "--option", help="Solver option KEY=VALUE (VALUE as JSON, else text)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON summary object."),
) -> None:
    """Scan SOLVER over a grid (axes --x, --y, --axis) into --out.

    Axis grammar: NAME=START:STOP:COUNT, NAME=log:START:STOP:COUNT or NAME=V1,V2,...
    Rates are in units of Γ3, or with suffix g2 in units of Γ2.
    """
    out = scan.require_out()
    specs = [s for s in (x, y, *(axis or ())) if s is not None]
    options = {k: _option_value(v) for k, v in parse_assignments(option, "option").items()}
    t0 = time.perf_counter()
    ds = scan.run(solver, specs, parse_assignments(set_, "set"), options=options, quiet=as_json)
    if as_json:
        emit_json(
            {
                "out": str(out),
                "solver": ds.attrs["solver"],
                "dims": dict(ds.sizes),
                "variables": list(ds.data_vars),
                "fingerprint": ds.attrs["scan_fingerprint"],
                "seconds": round(time.perf_counter() - t0, 3),
            }
        )
    ds.close()


def scan_solvers_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List the registered solvers, their parameters and outputs."""
    from vlaser.scan import available_solvers

    info = {
        name: {
            "parameters": list(a.param_names),
            "outputs": {k: list(v.dims) for k, v in a.outputs.items()},
            "options": dict(a.options),
            "chunk_size": a.default_chunk_size or DEFAULT_CHUNK_SIZE,
        }
        for name, a in available_solvers().items()
    }
    if as_json:
        emit_json(info)
        return
    for name, d in info.items():
        typer.echo(f"{name}: parameters {', '.join(d['parameters'])}")
        typer.echo(f"    outputs {', '.join(d['outputs'])}; options {json.dumps(d['options'])}")
        typer.echo(f"    default chunk size {d['chunk_size']}")


def scan_status_cmd(
    path: Path = typer.Argument(..., help="A scan store (*.zarr) or its *.nc target."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Show how far a scan store is: chunks done of total, solver, fingerprint."""
    from vlaser.scan.store import scan_status

    info = scan_status(path)
    if as_json:
        emit_json(info)
        return
    typer.echo(
        f"{info['path']}: {info['chunks_done']}/{info['chunks']} chunks done "
        f"({info['solver']}, axes {', '.join(info['axes'])}, "
        f"fingerprint {info['fingerprint'][:12]})"
    )


def register(app: typer.Typer) -> None:
    """Add the ``vlaser scan`` command group."""
    sub = typer.Typer(help="Parameter scans of any registered solver.", no_args_is_help=True)
    sub.command("run")(scan_command()(scan_run_cmd))
    sub.command("solvers")(scan_solvers_cmd)
    sub.command("status")(scan_status_cmd)
    app.add_typer(sub, name="scan")
