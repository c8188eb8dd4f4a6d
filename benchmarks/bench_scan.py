"""Benchmark of the scan layer: parallel speed-up, per-chunk overhead, peak memory.

Run: ``python benchmarks/bench_scan.py`` (about two minutes on 2 cores). Prints one
JSON object. Every number is a ratio against a baseline measured in the same run:

1. speed-up: the same ``atom.steady`` map on 1 worker (serial, in process) and on 2
   local workers (process pool; Dask LocalCluster), pools started and warmed first;
2. per-chunk overhead: many one-point chunks of the synthetic solver (the solve
   itself takes microseconds), seconds per chunk on each executor, in memory;
3. trajectories (``motion.trajectories``, chunks of 4 trajectories taking ~0.5 s
   each): 1 worker (serial, numba limited to one thread) vs 2 process workers and
   2 Dask workers (one thread each), and serial with numba's 2 threads;
4. peak RSS of a 10^6-point ``atom.steady`` scan with small chunks (1000 points) into
   a Zarr store vs the same scan in memory and vs the size of its outputs, each in a
   fresh child process (RSS sampled every 5 ms; increase over the RSS just before the
   scan, after imports and a warm-up scan), and the store's time overhead.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import tempfile
import time

from vlaser.scan import DaskExecutor, ProcessExecutor, SerialExecutor, run_scan

MAP_SPECS = ["delta2=-10:10:400", "delta3=-10:10:400"]  # 160 000 points
FIXED = {"omega2": 0.5, "omega3": 0.5}
BIG_SPECS = ["delta2=-10:10:1000", "delta3=-10:10:1000"]  # 10^6 points
BIG_CHUNK = 1000
TINY = "vlaser.scan.testing:SyntheticSolver"
N_TINY = 400


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def best_of(n: int, fn) -> float:
    return min(timed(fn) for _ in range(n))


def tiny_chunk_seconds(
    exe,
    n: int = N_TINY,
    store_suffix: str | None = None,
    repeats: int = 2,
    solver: str = TINY,
    axis: str = "x",
) -> float:
    """Seconds per chunk of ``n`` one-point chunks (axis ``axis`` = 0..1), best of
    ``repeats``; in memory or into a fresh store per run (``store_suffix`` ``".zarr"``
    or ``".nc"``). The default solver (synthetic: 3 outputs) solves in microseconds."""

    def run() -> None:
        spec = [f"{axis}=0:1:{n}"]
        if store_suffix is None:
            run_scan(solver, spec, executor=exe, chunk_size=1)
            return
        with tempfile.TemporaryDirectory() as tmp:
            store = f"{tmp}/tiny{store_suffix}"
            run_scan(solver, spec, store=store, executor=exe, chunk_size=1).close()

    return best_of(repeats, run) / n


def speedup() -> dict[str, float]:
    out: dict[str, float] = {}
    executors = {
        "serial": SerialExecutor(),
        "processes_2": ProcessExecutor(workers=2),
        "dask_2": DaskExecutor(workers=2),
    }
    try:
        for name, exe in executors.items():
            run_scan("atom.steady", ["delta2=0:1:8"], FIXED, executor=exe)  # warm up
            out[f"map_s_{name}"] = best_of(
                2, lambda exe=exe: run_scan("atom.steady", MAP_SPECS, FIXED, executor=exe)
            )
            out[f"tiny_s_per_chunk_{name}"] = tiny_chunk_seconds(exe)
    finally:
        for exe in executors.values():
            exe.close()
    for name in ("processes_2", "dask_2"):
        out[f"speedup_{name}"] = out["map_s_serial"] / out[f"map_s_{name}"]
        out[f"chunk_overhead_ratio_{name}"] = (
            out[f"tiny_s_per_chunk_{name}"] / out["tiny_s_per_chunk_serial"]
        )
    return out


TRAJ_GRID = ["trajectory=0:31:32"]
TRAJ_OPTIONS = {"t_max": 20000.0, "samples": 41, "seed": 1}


def trajectory_speedup() -> dict[str, float]:
    """Chunks far longer than the scheduling overhead: the near-linear case."""
    import numba

    out: dict[str, float] = {}
    threads = numba.get_num_threads()

    def run(exe) -> None:
        run_scan("motion.trajectories", TRAJ_GRID, executor=exe, chunk_size=4, options=TRAJ_OPTIONS)

    serial = SerialExecutor()
    run_scan("motion.trajectories", ["trajectory=0"], options={"t_max": 10.0})  # compile
    try:
        numba.set_num_threads(1)
        out["traj_s_serial_1thread"] = best_of(2, lambda: run(serial))
    finally:
        numba.set_num_threads(threads)
    out["traj_s_serial_numba_threads"] = best_of(2, lambda: run(serial))
    for name, exe in (
        ("processes_2", ProcessExecutor(workers=2)),
        ("dask_2", DaskExecutor(workers=2)),
    ):
        with exe:
            run_scan(
                "motion.trajectories", ["trajectory=0,1"], executor=exe, options={"t_max": 10.0}
            )
            out[f"traj_s_{name}"] = best_of(2, lambda exe=exe: run(exe))
        out[f"traj_speedup_{name}"] = out["traj_s_serial_1thread"] / out[f"traj_s_{name}"]
    out["traj_speedup_numba_threads"] = (
        out["traj_s_serial_1thread"] / out["traj_s_serial_numba_threads"]
    )
    out["numba_threads"] = threads
    return out


class _RssSampler:
    """Peak resident set size (bytes) of this process, sampled every 5 ms."""

    def __init__(self) -> None:
        import threading

        self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def _rss_child(mode: str, tmp: str) -> None:
    """Child process: peak RSS increase (MiB) during one 10^6-point scan."""
    run_scan("atom.steady", ["delta2=0:1:50"], FIXED, store=f"{tmp}/warm-{mode}.zarr")
    store = f"{tmp}/big.zarr" if mode == "zarr" else None
    base = _RssSampler.now()
    t0 = time.perf_counter()
    with _RssSampler() as rss:
        ds = run_scan("atom.steady", BIG_SPECS, FIXED, store=store, chunk_size=BIG_CHUNK)
    seconds = time.perf_counter() - t0
    out_bytes = sum(v.size * v.dtype.itemsize for v in ds.data_vars.values())
    print(
        json.dumps(
            {
                "rss_increase_mib": (rss.peak - base) / 2**20,
                "outputs_mib": out_bytes / 2**20,
                "seconds": seconds,
            }
        )
    )


def peak_rss() -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("zarr", "memory"):
            r = subprocess.run(
                [sys.executable, __file__, "--rss-child", mode, tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            res = json.loads(r.stdout.strip().splitlines()[-1])
            for k, v in res.items():
                out[f"big_{mode}_{k}"] = v
    out["rss_ratio_zarr_vs_memory"] = (
        out["big_zarr_rss_increase_mib"] / out["big_memory_rss_increase_mib"]
    )
    out["rss_ratio_zarr_vs_outputs"] = (
        out["big_zarr_rss_increase_mib"] / out["big_memory_outputs_mib"]
    )
    out["time_ratio_zarr_vs_memory"] = out["big_zarr_seconds"] / out["big_memory_seconds"]
    return out


def main() -> None:
    import os

    result = {
        "machine": f"{platform.machine()}, nproc {os.cpu_count()}",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        **speedup(),
        **trajectory_speedup(),
        **peak_rss(),
    }
    print(
        json.dumps(
            {k: round(v, 6) if isinstance(v, float) else v for k, v in result.items()}, indent=1
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--rss-child":
        _rss_child(sys.argv[2], sys.argv[3])
    elif sys.argv[1:] == ["--trajectories"]:
        print(json.dumps(trajectory_speedup(), indent=1))
    else:
        main()
