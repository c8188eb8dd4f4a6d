"""The main job: reproduce the paper's figures and a claims report into a folder.

For every figure module that exists (see :mod:`vlaser.figures`) this computes the data
from first principles, writes ``figN.nc`` (xarray, with provenance), ``figN.png`` and
finally ``report.md`` (each quantitative statement of the paper next to the computed
value) and ``summary.json``. All files are written atomically. With ``resume=True`` a
figure whose dataset already exists with the same settings and vlaser version is not
recomputed.
"""

from __future__ import annotations

import functools
import inspect
import json
import platform
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vlaser.errors import ParameterError
from vlaser.report import Claim, render_markdown


@dataclass
class FigureResult:
    """Outcome of one figure: files written, claims, compute time (s)."""

    key: str
    title: str
    files: list[str]
    claims: list[Claim]
    seconds: float
    reused: bool = False


@dataclass
class ReproduceResult:
    """Outcome of :func:`reproduce`."""

    out_dir: Path
    figures: list[FigureResult] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return [c for f in self.figures for c in f.claims]

    def summary(self) -> dict[str, object]:
        claims = self.claims
        return {
            "out_dir": str(self.out_dir),
            "figures": {
                f.key: {"files": f.files, "seconds": round(f.seconds, 3), "reused": f.reused}
                for f in self.figures
            },
            "claims": len(claims),
            "claims_hold": sum(c.holds is True for c in claims),
            "claims_do_not_hold": sum(c.holds is False for c in claims),
            "report": str(self.out_dir / "report.md"),
        }


#: ``on_chunk(figure, run, chunks done, chunks in total)``.
ChunkCallback = Callable[[str, str, int, int], None]

#: Folder inside the output folder for per-chunk checkpoints of running figures.
WORK_DIR = ".work"


@dataclass(frozen=True)
class FigureJob:
    """Picklable task for the scan executors: ``solve(i)`` computes figure ``keys[i]``.

    With ``workdir``, figures whose ``compute`` accepts a ``workdir`` checkpoint their
    long runs chunk by chunk in ``workdir/KEY`` (an interrupted figure continues there).
    """

    keys: tuple[str, ...]
    quick: bool
    workdir: str | None = None

    def solve(self, index: int, on_chunk: ChunkCallback | None = None):
        """Compute figure ``keys[index]``; ``on_chunk(key, run, done, total)`` reports
        the chunks of its long runs (figures with a ``progress`` argument)."""
        from vlaser import figures

        key = self.keys[index]
        compute = figures.available()[key].compute
        accepts = inspect.signature(compute).parameters
        kwargs: dict[str, object] = {"quick": self.quick}
        if self.workdir is not None and "workdir" in accepts:
            kwargs["workdir"] = str(Path(self.workdir) / key)
        if on_chunk is not None and "progress" in accepts:
            kwargs["progress"] = functools.partial(on_chunk, key)
        return compute(**kwargs)


def _load_if_current(path: Path, quick: bool):
    import xarray as xr

    import vlaser

    if not path.exists():
        return None
    try:
        with xr.open_dataset(path) as ds:
            ds = ds.load()
    except (OSError, ValueError):
        return None
    if ds.attrs.get("vlaser_version") != vlaser.__version__:
        return None
    if ds.attrs.get("reproduce_quick") != str(bool(quick)):
        return None
    return ds


def _timed(
    started: dict[str, float],
    key: str,
    job: FigureJob,
    progress: Callable[[str, str], None] | None,
    on_chunk: ChunkCallback | None = None,
):
    if progress:
        progress(key, "compute")
    started[key] = time.perf_counter()
    return job.solve(job.keys.index(key), on_chunk)


def reproduce(
    out_dir: str | Path,
    quick: bool = True,
    only: Sequence[str] | None = None,
    resume: bool = False,
    progress: Callable[[str, str], None] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    dask: bool = False,
    on_chunk: ChunkCallback | None = None,
) -> ReproduceResult:
    """Compute, plot and report every available paper figure.

    Args:
        out_dir: Folder for the PNGs, datasets and ``report.md`` (created).
        quick: Reduced resolution (default) or the paper's (``False``).
        only: Figure keys to run (e.g. ``["fig2", "fig4"]``); ``None`` runs all.
        resume: Reuse a figure's existing dataset if written by this vlaser version
            with the same ``quick`` setting, and continue an interrupted figure from
            its checkpoints in ``OUT/.work/KEY`` (finished chunks of its trajectory
            runs are not recomputed). Without ``resume`` old checkpoints are removed.
            Checkpoints are kept only while a figure runs, and only when it runs on
            this machine (not with ``scheduler``: remote workers may not see ``OUT``).
        progress: Optional callback ``progress(key, stage)``.
        workers: Worker processes computing figures in parallel (1: in this process).
        scheduler: Address ``tcp://HOST:PORT`` of a Dask scheduler to compute on.
        dask: Start a local Dask cluster of ``workers`` processes.
        on_chunk: Called as ``on_chunk(figure, run, done, total)`` as the long runs
            inside a figure (Fig. 8's trajectory runs) finish chunks; only for
            figures computed in this process (``workers=1``, no Dask).

    Returns:
        A :class:`ReproduceResult` with per-figure files, claims and timings.

    Raises:
        ParameterError: For an unknown figure key in ``only``.
    """
    from vlaser import figures
    from vlaser.io import provenance, save_figure, write_json, write_netcdf, write_text

    out = Path(out_dir)
    mods = figures.available()
    keys = list(mods)
    if only:
        for k in only:
            if k not in figures.FIGURE_KEYS:
                raise ParameterError("figure", k, f"one of {', '.join(figures.FIGURE_KEYS)}")
            if k not in mods:
                raise ParameterError("figure", k, f"an implemented figure: {', '.join(mods)}")
        keys = [k for k in keys if k in only]
    out.mkdir(parents=True, exist_ok=True)
    result = ReproduceResult(out)
    datasets: dict[str, object] = {}
    started: dict[str, float] = {}
    if resume:
        for key in keys:
            ds = _load_if_current(out / f"{key}.nc", quick)
            if ds is not None:
                datasets[key] = ds
    todo = [k for k in keys if k not in datasets]
    work = (out / WORK_DIR).resolve()
    if not resume:
        for key in todo:
            shutil.rmtree(work / key, ignore_errors=True)
    if todo:
        from vlaser.scan.executors import make_executor

        job = FigureJob(tuple(todo), bool(quick), None if scheduler else str(work))
        executor = make_executor("dask" if dask else None, workers=workers, scheduler=scheduler)
        with executor:
            if executor.name == "serial":
                # In-process: one after another, each timed on its own.
                stream = (
                    (i, _timed(started, todo[i], job, progress, on_chunk)) for i in range(len(todo))
                )
            else:
                for key in todo:
                    started[key] = time.perf_counter()
                    if progress:
                        progress(key, f"compute on {executor.describe()}")
                stream = executor.map_unordered(job, range(len(todo)))
            for index, ds in stream:
                key = todo[index]
                ds.attrs.update(provenance(figure=key, reproduce_quick=str(bool(quick))))
                write_netcdf(ds, out / f"{key}.nc")
                shutil.rmtree(work / key, ignore_errors=True)  # the dataset supersedes it
                datasets[key] = ds
                started[key] = time.perf_counter() - started[key]
    for key in keys:
        mod = mods[key]
        ds = datasets[key]
        t0 = time.perf_counter()
        if progress:
            progress(key, "plot")
        fig = mod.plot(ds)
        png = out / f"{key}.png"
        save_figure(fig, png)
        claims = list(mod.claims(ds))
        reused = key not in started
        seconds = (0.0 if reused else started[key]) + time.perf_counter() - t0
        result.figures.append(
            FigureResult(key, mod.TITLE, [f"{key}.nc", png.name], claims, seconds, reused)
        )
        if progress:
            progress(key, "done")
    header = (
        f"Computed by vlaser with `quick={quick}` on {platform.machine()} "
        f"({platform.python_implementation()} {platform.python_version()}). "
        "Rates in units of Γ3 unless stated; 'paper' is the paper's statement, "
        "'computed' is vlaser's number from first principles."
    )
    sections = [
        (f"{f.title}" + (" (reused)" if f.reused else f" ({f.seconds:.1f} s)"), f.claims)
        for f in result.figures
    ]
    missing = [k for k in figures.FIGURE_KEYS if k not in mods]
    footer = f"Figures not implemented yet: {', '.join(missing)}." if missing else ""
    write_text(out / "report.md", render_markdown(sections, header=header, footer=footer))
    if work.is_dir() and not any(work.iterdir()):
        work.rmdir()
    write_json(out / "summary.json", json.loads(json.dumps(result.summary())))
    return result
