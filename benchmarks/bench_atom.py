"""Benchmark: the Fig. 2(a) 201x201 steady-state map, batched vs a QuTiP loop.

Run: ``python benchmarks/bench_atom.py`` (prints µs per point and ratios; one process).

* batched: ``vlaser.atom.steady_state`` on the whole 201x201 (Δ2, Δ3) grid at once;
* qutip: a plain loop of ``qutip.steadystate(H, c_ops)`` over 200 points of that grid;
* per-point vlaser: ``steady_state`` called point by point on the same 200 points
  (shows what the batching buys over Python overhead).

The two routes are also compared on the subset (max |Δρ|) so the timing is of equal
results. Best of 3 repetitions for each timing.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "atom"))

from atom_qutip_ref import model  # noqa: E402

from vlaser.atom import steady_state  # noqa: E402
from vlaser.params import AtomParams  # noqa: E402


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    import qutip

    n = 201
    d = np.linspace(-10, 10, n)
    grid = AtomParams.paper(delta2=d[:, None], delta3=d[None, :])
    steady_state(grid)  # warm-up
    t_batch = best_of(lambda: steady_state(grid)) / n**2

    rng = np.random.default_rng(2007_12522)
    idx = [tuple(int(i) for i in rng.integers(0, n, 2)) for _ in range(200)]
    points = [grid.point(i) for i in idx]
    models = [model(p) for p in points]

    def qutip_loop() -> list[np.ndarray]:
        return [qutip.steadystate(h, c).full() for h, c in models]

    def vlaser_loop() -> list[np.ndarray]:
        return [steady_state(p).rho for p in points]

    t_qutip = best_of(qutip_loop) / len(points)
    t_single = best_of(vlaser_loop) / len(points)
    full = steady_state(grid).rho
    ref = qutip_loop()
    diff = max(float(np.abs(full[i] - r).max()) for i, r in zip(idx, ref, strict=True))

    print(f"machine: {platform.machine()}, nproc {__import__('os').cpu_count()}")
    print(f"batched vlaser, 201x201 map : {t_batch * 1e6:8.2f} us/point")
    print(f"vlaser point by point (200) : {t_single * 1e6:8.2f} us/point")
    print(f"qutip.steadystate loop (200): {t_qutip * 1e6:8.2f} us/point")
    print(f"ratio qutip / batched       : {t_qutip / t_batch:8.1f}")
    print(f"ratio per-point / batched   : {t_single / t_batch:8.1f}")
    print(f"max |rho_vlaser - rho_qutip| on the subset: {diff:.2e}")


if __name__ == "__main__":
    main()
