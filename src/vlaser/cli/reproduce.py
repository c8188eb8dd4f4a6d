"""``vlaser reproduce``: the main job (paper figures + report into a folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from vlaser.cli import scanopts as so
from vlaser.cli.common import emit_json


class RunBars:
    """``on_chunk(figure, run, done, total)``: a rich bar per running long run of a
    figure (removed when the run is complete), on ``console``."""

    def __init__(self, console: Any) -> None:
        self._progress = so.rich_progress(console)
        self._tasks: dict[tuple[str, str], Any] = {}

    def __call__(self, figure: str, run: str, done: int, total: int) -> None:
        key = (figure, run)
        if key not in self._tasks:
            if not self._tasks:
                self._progress.start()
            self._tasks[key] = self._progress.add_task(f"{figure} {run}", total=total)
        self._progress.update(self._tasks[key], completed=done, total=total)
        if done >= total:
            self._progress.remove_task(self._tasks[key])

    def stop(self) -> None:
        if self._tasks:
            self._progress.stop()


def reproduce_cmd(
    out: Path = typer.Option(Path("reproduce-out"), "--out", help="Output folder."),
    full: bool = typer.Option(
        False, "--full/--quick", help="The paper's resolution (slow) or reduced (default)."
    ),
    only: str | None = typer.Option(
        None, "--only", help="Comma-separated figure keys, e.g. fig2,fig4."
    ),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Reuse finished figures in --out and continue an interrupted one from its "
        "per-chunk checkpoints (OUT/.work).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON summary object."),
    quiet: so.Quiet = False,
    workers: so.Workers = 1,
    scheduler: so.Scheduler = None,
    dask: so.Dask = False,
) -> None:
    """Reproduce the paper's figures (PNG + NetCDF) and report.md into OUT."""
    from rich.console import Console

    from vlaser.reproduce import reproduce

    console = Console(stderr=True, quiet=quiet or as_json)
    keys = [k.strip() for k in only.split(",") if k.strip()] if only else None

    def progress(key: str, stage: str) -> None:
        console.print(f"[bold]{key}[/bold]: {stage}")

    bars = None if quiet or as_json else RunBars(console)
    try:
        result = reproduce(
            out,
            quick=not full,
            only=keys,
            resume=resume,
            progress=progress,
            workers=workers,
            scheduler=scheduler,
            dask=dask,
            on_chunk=bars,
        )
    finally:
        if bars is not None:
            bars.stop()
    summary = result.summary()
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"wrote {len(result.figures)} figures and {summary['report']} "
        f"({summary['claims']} claims: {summary['claims_hold']} hold, "
        f"{summary['claims_do_not_hold']} do not)"
    )


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce_cmd)
