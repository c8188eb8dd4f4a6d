"""Benchmark of command-line start-up and of scan overhead (the ``vlaser`` CLI).

Run: ``python benchmarks/bench_cli.py`` (about 2 minutes on 2 cores; ``--runs N``
sets the runs per median, default 10). Prints one JSON object. It measures the vlaser
that ``import vlaser`` finds; to measure another checkout in the same session (e.g.
the baseline), put its ``src`` first on ``PYTHONPATH`` (key ``vlaser_file`` shows
which package was measured).

1. **Start-up.** Every CLI run is a fresh process ``python -c "from vlaser.cli import
   main; main()" ARGS`` (what the ``vlaser`` console script runs) on a private copy of
   the package without its ``__pycache__`` folders, with a fresh ``VLASER_CACHE_DIR``
   and ``NUMBA_CACHE_DIR``, ``PYTHONDONTWRITEBYTECODE`` and ``PYTHONPYCACHEPREFIX``
   unset. The first run after install (each command on a copy
   of its own) writes vlaser's bytecode (the dependencies' bytecode exists, as after
   ``pip install``); then the median of ``--runs`` runs. Commands: ``vlaser --help``,
   ``vlaser atom steady --json``.
2. **The 200-point laser scan** ``vlaser laser scan --x atoms=1000:50000:200 --out
   f.nc --json`` (a new file per run): its first run (derives the equations, compiles
   the numba kernels into the caches), then the median total of ``--scan-runs`` runs
   (alternating with the 2-point scan below).
   Per point beyond start-up = (scan - ``vlaser --help``) / 200, the start-up of a
   trivial command subtracted; marginal cost per point = (scan - 2-point scan) / 198,
   where the 2-point scan ``--x atoms=1000:50000:2`` pays every fixed cost of the
   command once (imports, equation loading, store set-up, NetCDF and PNG writes).
3. **Per-chunk overhead**, in this process (imports done and pools started first):
   one-point chunks of the synthetic solver (3 outputs, solved in microseconds) in
   memory, into a Zarr and a NetCDF store (serial executor), in memory on a 2-process
   pool and on a 2-worker Dask LocalCluster (:func:`bench_scan.tiny_chunk_seconds`);
   one-point chunks of ``atom.steady`` (10 outputs) in memory and into Zarr; the
   start-up of a 2-process pool (spawn until the first results are back); and the
   200-point laser scan in memory through :func:`vlaser.scan.run_scan` (the solver's
   cost per point, best of 5).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import vlaser

#: Packages that ``import vlaser.cli`` should leave unimported.
HEAVY = ("sympy", "numba", "scipy", "xarray", "dask", "distributed", "matplotlib", "zarr")
CLI = "from vlaser.cli import main; main()"
SCAN = ["laser", "scan", "--x", "atoms=1000:50000:200", "--json"]
SCAN2 = ["laser", "scan", "--x", "atoms=1000:50000:2", "--json"]


class CliRunner:
    """Fresh CLI processes on a private copy of the package in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        pkg = Path(vlaser.__file__).parent
        shutil.copytree(pkg, root / "pkg" / "vlaser", ignore=shutil.ignore_patterns("__pycache__"))
        # As a user's shell: bytecode is written (and read back by later runs).
        drop = ("NUMBA_CACHE_DIR", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
        self.env = {k: v for k, v in os.environ.items() if k not in drop}
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(root / "pkg"), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        self.env["VLASER_CACHE_DIR"] = str(root / "cache")
        self.count = 0
        where = self.python("import vlaser; print(vlaser.__file__)").strip()
        if not where.startswith(str(root / "pkg")):
            raise RuntimeError(f"subprocesses import vlaser from {where}, not the copy")

    def python(self, code: str) -> str:
        r = subprocess.run(
            [sys.executable, "-c", code], env=self.env, capture_output=True, text=True, check=True
        )
        return r.stdout

    def seconds(self, args: list[str]) -> float:
        """Wall time of one CLI run (a fresh ``--out`` file for scans)."""
        if args[:2] == ["laser", "scan"]:
            self.count += 1
            args = [*args, "--out", str(self.root / f"out{self.count}.nc")]
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", CLI, *args],
            env=self.env,
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=True,
        )
        return time.perf_counter() - t0

    def median(self, args: list[str], runs: int) -> float:
        return statistics.median(self.seconds(args) for _ in range(runs))


def first_run(args: list[str]) -> float:
    """Seconds of ``args`` as the first command after install (fresh copy and cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        return CliRunner(Path(tmp)).seconds(args)


def cli_numbers(runs: int, scan_runs: int) -> dict[str, object]:
    out: dict[str, object] = {
        "help_first_run_s": first_run(["--help"]),
        "atom_steady_first_run_s": first_run(["atom", "steady", "--json"]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        cli = CliRunner(Path(tmp))
        loaded = "{m.split('.')[0] for m in sys.modules}"
        code = f"import sys, vlaser, vlaser.cli; print(sorted({loaded} & {set(HEAVY)!r}))"
        out["heavy_after_import_vlaser_cli"] = cli.python(code).strip()
        out["scan200_first_run_s"] = cli.seconds(SCAN)
        out["help_median_s"] = cli.median(["--help"], runs)
        out["atom_steady_median_s"] = cli.median(["atom", "steady", "--json"], runs)
        # Alternated, so that a change of the machine's load hits both alike.
        pairs = [(cli.seconds(SCAN), cli.seconds(SCAN2)) for _ in range(scan_runs)]
        out["scan200_median_s"] = statistics.median(p[0] for p in pairs)
        out["scan2_median_s"] = statistics.median(p[1] for p in pairs)
    scan, scan2, help_ = out["scan200_median_s"], out["scan2_median_s"], out["help_median_s"]
    out["scan200_ms_per_point_beyond_help"] = 1e3 * (scan - help_) / 200  # type: ignore[operator]
    out["scan200_ms_per_point_marginal"] = 1e3 * (scan - scan2) / 198  # type: ignore[operator]
    return out


def chunk_numbers() -> dict[str, float]:
    from bench_scan import TINY, timed, tiny_chunk_seconds
    from vlaser.cli.laser import scan_grid
    from vlaser.scan import DaskExecutor, ProcessExecutor, SerialExecutor, run_scan

    out: dict[str, float] = {}
    serial = SerialExecutor()
    run_scan(TINY, ["x=0:1:4"], executor=serial)  # imports
    run_scan("atom.steady", ["delta2=0:1:4"], executor=serial)
    for suffix in (None, ".zarr", ".nc"):
        key = (suffix or ".memory").lstrip(".")
        out[f"synthetic_ms_per_chunk_serial_{key}"] = 1e3 * tiny_chunk_seconds(
            serial, n=200, store_suffix=suffix, repeats=3
        )
    for suffix in (None, ".zarr"):
        key = (suffix or ".memory").lstrip(".")
        out[f"atom_steady_ms_per_chunk_serial_{key}"] = 1e3 * tiny_chunk_seconds(
            serial, n=200, store_suffix=suffix, repeats=3, solver="atom.steady", axis="delta2"
        )
    grid = scan_grid(["atoms=1000:50000:200"], None)
    run_scan("laser.steady", grid)  # equations, numba kernels
    out["laser_scan200_in_process_ms_per_point"] = (
        1e3 * min(timed(lambda: run_scan("laser.steady", grid)) for _ in range(5)) / 200
    )
    starts = []
    for _ in range(3):
        t0 = time.perf_counter()
        with ProcessExecutor(workers=2) as exe:
            run_scan(TINY, ["x=0:1:2"], executor=exe, chunk_size=1)
        starts.append(time.perf_counter() - t0)
    out["process_pool_start_s"] = statistics.median(starts)
    for name, exe in (("processes_2", ProcessExecutor(workers=2)), ("dask_2", DaskExecutor())):
        with exe:
            run_scan(TINY, ["x=0:1:8"], executor=exe, chunk_size=1)  # warm
            out[f"synthetic_ms_per_chunk_{name}_memory"] = 1e3 * tiny_chunk_seconds(
                exe, n=200, repeats=3
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per start-up median")
    parser.add_argument("--scan-runs", type=int, default=7, help="runs per scan median")
    args = parser.parse_args()
    result: dict[str, object] = {
        "machine": f"{platform.machine()}, nproc {os.cpu_count()}",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_start": os.getloadavg()[0],
        "vlaser_file": vlaser.__file__,
        **cli_numbers(args.runs, args.scan_runs),
        **chunk_numbers(),
        "load_average_end": os.getloadavg()[0],
    }
    print(
        json.dumps(
            {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}, indent=1
        )
    )


if __name__ == "__main__":
    main()
