"""Inhomogeneous (Doppler-broadened) laser: convergence in K, physics table, cost vs K.

Run: ``python benchmarks/bench_ensemble.py [--quick]``. Prints markdown tables for
``benchmarks/RESULTS.md``:

1. convergence in the number of cavity-axis classes K at the paper's point
   (N = 50000, ν2 = ν3 = 10Γ2, Doppler FWHM 120Γ2 on the narrow line): photons, FWHM,
   line position, relative change against K = 21;
2. physics: threshold N, photons at N = 50000, FWHM and line position (from ω2) for
   Doppler widths 0, 30, 60, 120, 240, 600 Γ2 (default K);
3. cost: derive + compile (cold, no disk cache) and one steady state from scratch and
   from a neighbour, against K.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from vlaser import DEFAULT_GAMMA2 as G2
    from vlaser import LaserParams
    from vlaser.laser import cavity_spectrum, steady_state
    from vlaser.laser.ensemble import counts
    from vlaser.laser.threshold import threshold

    print(f"# {platform.node()} {platform.processor()} {time.strftime('%Y-%m-%d')}")

    def point(width, k=0, atoms=50000):
        return LaserParams.paper(
            atoms=atoms, nu2=10 * G2, nu3=10 * G2, doppler_width=width * G2, classes=k
        )

    print("\n## Convergence in K (N = 50000, ν = 10Γ2, W = 120Γ2)\n")
    ks = (1, 3, 5, 9) if args.quick else (1, 3, 5, 9, 15, 21)
    rows = {}
    print("| K | photons | FWHM (Γ2) | δp (Γ2) | Δn/n vs previous K | ΔFWHM/FWHM | s |")
    print("|---|---|---|---|---|---|---|")
    prev = None
    for k in ks:
        t = time.perf_counter()
        ss = steady_state(point(120, k), dynamics=False)
        sp = cavity_spectrum(point(120, k)).peaks[0]
        n, f, d = float(ss.photons), sp.fwhm / G2, sp.position / G2
        rows[k] = (n, f, d)
        dn = "" if prev is None else f"{n / prev[0] - 1:+.1e}"
        df = "" if prev is None else f"{f / prev[1] - 1:+.1e}"
        print(
            f"| {k} | {n:.4f} | {f:.5f} | {d:.4f} | {dn} | {df} | {time.perf_counter() - t:.2f} |",
            flush=True,
        )
        prev = (n, f)

    print("\n## Doppler width (default K; threshold from a 101-point N scan to 50000)\n")
    print("| W (Γ2) | K | threshold N | photons N=50000 | FWHM (Γ2) | δp (Γ2) | physical |")
    print("|---|---|---|---|---|---|---|")
    widths = (0, 30, 60, 120, 240) if args.quick else (0, 30, 60, 120, 240, 600)
    for w in widths:
        p = point(w)
        k = counts(p)[0]
        ss = steady_state(p, dynamics=False)
        th = threshold(p)
        try:
            sp = cavity_spectrum(p).peaks[0]
            f, d = sp.fwhm / G2, sp.position / G2
        except Exception as exc:  # noqa: BLE001 - report, not crash
            f = d = float("nan")
            print(f"<!-- spectrum W={w}: {exc} -->")
        print(
            f"| {w} | {k} | {th.threshold_atoms:.0f} | {float(ss.photons):.2f} | {f:.4f} "
            f"| {d:.3f} | {bool(ss.physical)} |",
            flush=True,
        )

    print("\n## Cost against K (derive + compile cold, steady state)\n")
    print("| K | equations | derive+compile cold (s) | from scratch (ms) | from neighbour (ms) |")
    print("|---|---|---|---|---|")

    for k in (1, 3, 5, 9) if args.quick else (1, 3, 5, 9, 15, 21):
        with tempfile.TemporaryDirectory() as d:
            os.environ["VLASER_CACHE_DIR"] = d
            from vlaser.laser import equations as eq

            eq._cached_groups.cache_clear()
            t = time.perf_counter()
            ls = eq.group_equations(k, cache=False)
            cold = time.perf_counter() - t
        p = point(120, k)
        steady_state(p, dynamics=False, system=ls)
        t = time.perf_counter()
        reps = 3
        for _ in range(reps):
            ss = steady_state(p, dynamics=False, system=ls)
        scratch = (time.perf_counter() - t) / reps * 1e3
        grid = point(120, k, atoms=np.linspace(49000, 50000, 11).round())
        t = time.perf_counter()
        steady_state(grid, dynamics=False, system=ls)
        per = (time.perf_counter() - t) / 11 * 1e3
        print(f"| {k} | {ls.count} | {cold:.2f} | {scratch:.1f} | {per:.1f} |", flush=True)
        del ss

    print("\n## 100-point N scan at K = 9 (W = 120Γ2, with stability)\n")
    grid = point(120, 9, atoms=np.linspace(500, 50000, 100).round())
    t = time.perf_counter()
    res = steady_state(grid, dynamics=False)
    print(f"100 points: {time.perf_counter() - t:.2f} s, converged {int(np.sum(res.converged))}")


if __name__ == "__main__":
    main()
