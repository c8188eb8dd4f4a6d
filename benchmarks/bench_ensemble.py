"""Inhomogeneous (Doppler-broadened) laser: convergence in K, physics table, cost vs K.

Run: ``python benchmarks/bench_ensemble.py [--quick]``. Prints markdown tables for
``benchmarks/RESULTS.md``:

1. convergence in the number of cavity-axis classes K at the paper's point
   (N = 50000, ν2 = ν3 = 10Γ2, Doppler FWHM 120Γ2 on the narrow line): photons, FWHM,
   line position, relative change against K = 21;
2. physics: threshold N, photons at N = 50000, FWHM and line position (from ω2) for
   Doppler widths 0, 30, 60, 120, 240, 600 Γ2 (default K);
3. cost: derive + compile (cold, no disk cache) and one steady state from scratch and
   from a neighbour, against K;
4. spectrum cost (``--part spectrum``): derivation and compilation of the K-group
   regression system of the cavity spectrum and one spectrum from a given steady state.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np

#: Largest K with a cavity spectrum in the convergence table (the K-group regression
#: system derives and compiles in seconds up to K = 21 since commit 56c3592).
SPECTRUM_MAX_K = 21


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--part",
        default="convergence,widths,cost,scan,spectrum",
        help="comma-separated sections",
    )
    args = ap.parse_args()
    parts = set(args.part.split(","))
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

    if "convergence" in parts:
        convergence(args, point, steady_state, cavity_spectrum, G2)
    if "widths" in parts:
        widths_table(args, point, steady_state, cavity_spectrum, counts, threshold, G2)
    if "cost" in parts:
        cost(args, point, steady_state)
    if "scan" in parts:
        scan9(point, steady_state)
    if "spectrum" in parts:
        spectrum_cost(args, point, steady_state, cavity_spectrum)


def convergence(args, point, steady_state, cavity_spectrum, G2) -> None:
    print("\n## Convergence in K (N = 50000, ν = 10Γ2, W = 120Γ2)\n")
    ks = (1, 3, 5, 9) if args.quick else (1, 3, 5, 9, 15, 21)
    rows = {}
    print("| K | photons | FWHM (Γ2) | δp (Γ2) | Δn/n vs previous K | ΔFWHM/FWHM | s |")
    print("|---|---|---|---|---|---|---|")
    prev = None
    for k in ks:
        t = time.perf_counter()
        ss = steady_state(point(120, k), dynamics=False)
        n = float(ss.photons)
        f = d = float("nan")
        if k <= SPECTRUM_MAX_K:
            sp = cavity_spectrum(point(120, k), steady=ss).peaks[0]
            f, d = sp.fwhm / G2, sp.position / G2
        rows[k] = (n, f, d)
        dn = "" if prev is None else f"{n / prev[0] - 1:+.1e}"
        df = "" if prev is None or k > SPECTRUM_MAX_K else f"{f / prev[1] - 1:+.1e}"
        ft, dt = ("—", "—") if k > SPECTRUM_MAX_K else (f"{f:.5f}", f"{d:.4f}")
        print(
            f"| {k} | {n:.4f} | {ft} | {dt} | {dn} | {df} | {time.perf_counter() - t:.2f} |",
            flush=True,
        )
        prev = (n, f)


def widths_table(args, point, steady_state, cavity_spectrum, counts, threshold, G2) -> None:
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


def _time_stability(st):
    """Wrap ``st.growth_rate`` to add its time to ``spent[0]``; returns (spent, original)."""
    spent = [0.0]
    grow = st.growth_rate

    def timed(*a):
        t0 = time.perf_counter()
        out = grow(*a)
        spent[0] += time.perf_counter() - t0
        return out

    st.growth_rate = timed
    return spent, grow


def cost(args, point, steady_state) -> None:
    from vlaser.laser import steady as st

    print("\n## Cost against K (derive + compile; steady state at N = 50000, W = 120Γ2)\n")
    print(
        "| K | equations | derive+compile cold (s) | cached (s) | from scratch (ms) "
        "| of which stability (ms) | per point from neighbour (ms) |"
    )
    print("|---|---|---|---|---|---|---|")
    spent, grow = _time_stability(st)
    for k in (1, 3, 5, 9) if args.quick else (1, 3, 5, 9, 15, 21):
        from vlaser.laser import equations as eq

        with tempfile.TemporaryDirectory() as d:
            os.environ["VLASER_CACHE_DIR"] = d
            eq._cached_groups.cache_clear()
            eq._cached.cache_clear()
            t = time.perf_counter()
            ls = eq.group_equations(k) if k > 1 else eq.laser_equations(2)
            cold = time.perf_counter() - t
            eq._cached_groups.cache_clear()
            eq._cached.cache_clear()
            t = time.perf_counter()
            ls = eq.group_equations(k) if k > 1 else eq.laser_equations(2)
            cached = time.perf_counter() - t
        os.environ.pop("VLASER_CACHE_DIR")
        p = point(120, k)
        steady_state(p, dynamics=False, system=ls)
        best, stab = float("inf"), 0.0
        for _ in range(3):
            spent[0] = 0.0
            t = time.perf_counter()
            steady_state(p, dynamics=False, system=ls)
            dt = time.perf_counter() - t
            if dt < best:
                best, stab = dt, spent[0]
        grid = point(120, k, atoms=np.linspace(49000, 50000, 11).round())
        t = time.perf_counter()
        steady_state(grid, dynamics=False, system=ls)
        per = (time.perf_counter() - t) / 11 * 1e3
        print(
            f"| {k} | {ls.count} | {cold:.2f} | {cached:.3f} | {best * 1e3:.1f} "
            f"| {stab * 1e3:.1f} | {per:.1f} |",
            flush=True,
        )
    st.growth_rate = grow


def scan9(point, steady_state) -> None:
    from vlaser.laser import steady as st
    from vlaser.laser.equations import group_equations

    print("\n## K = 9 (W = 120Γ2): one steady state and a 100-point N scan 500..50000\n")
    ls = group_equations(9)
    spent, grow = _time_stability(st)
    steady_state(point(120, 9, atoms=1000), dynamics=False, system=ls)
    for n in (1000, 50000):
        best, stab = float("inf"), 0.0
        for _ in range(3):
            spent[0] = 0.0
            t = time.perf_counter()
            steady_state(point(120, 9, atoms=n), dynamics=False, system=ls)
            dt = time.perf_counter() - t
            if dt < best:
                best, stab = dt, spent[0]
        print(f"one steady state N = {n}: {best * 1e3:.1f} ms (stability {stab * 1e3:.1f} ms)")
    grid = point(120, 9, atoms=np.linspace(500, 50000, 100).round())
    spent[0] = 0.0
    t = time.perf_counter()
    res = steady_state(grid, dynamics=False, system=ls)
    total = time.perf_counter() - t
    print(
        f"100 points: {total:.2f} s (stability {spent[0]:.2f} s), converged "
        f"{int(np.sum(res.converged))}, stable {int(np.sum(res.stable))}"
    )
    st.growth_rate = grow
    # What the check carries along the grid (start vectors, LU order, one-group point)
    # must not change its result: every point again with a cold check (no start vectors,
    # no one-group point carried; the LU column order is the system's, as for Newton).
    pv = ls.param_array(grid)
    t = time.perf_counter()
    cold = np.array([grow(ls, pv[i], res.x[i])[0] for i in range(len(pv))])
    dt = time.perf_counter() - t
    diff = np.abs(res.max_growth_rate - cold)
    print(
        f"growth rate along the scan vs cold check at every point ({dt:.2f} s): max "
        f"|diff| {np.max(diff):.2e} Γ3, max relative {np.max(diff / np.abs(cold)):.2e}"
    )


def spectrum_cost(args, point, steady_state, cavity_spectrum) -> None:
    from vlaser.cumulants import correlate
    from vlaser.cumulants.algebra import Create, Destroy
    from vlaser.cumulants.correlate import CompiledCorrelation, correlation_system
    from vlaser.laser.equations import group_equations, laser_equations
    from vlaser.laser.model import CAVITY, laser_family
    from vlaser.laser.spectrum import correlation_for

    print("\n## Spectrum cost against K (N = 50000, W = 120Γ2, coherent frame, order 2)\n")
    print(
        "| K | steady equations | regression variables | entries of M | derive, direct (s) "
        "| derive, slot models (s) | compile (s) | one spectrum (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    args_ = (Destroy(CAVITY), [Create(CAVITY)])
    for k in (1, 3, 5, 9) if args.quick else (1, 3, 5, 9, 15, 21):
        ls = group_equations(k) if k > 1 else laser_equations(2)
        correlate._expand_with_b.cache_clear()  # no expansions memoized from smaller K
        t = time.perf_counter()
        correlation_system(ls.system, *args_, frame="coherent")
        direct = time.perf_counter() - t
        slots = float("nan")
        if k > 1:
            correlate._expand_with_b.cache_clear()
            t = time.perf_counter()
            cs = correlation_system(ls.system, *args_, frame="coherent", family=laser_family())
            slots = time.perf_counter() - t
        else:
            cs = correlation_system(ls.system, *args_, frame="coherent")
        t = time.perf_counter()
        CompiledCorrelation(cs)
        comp = time.perf_counter() - t
        correlation_for(2, "coherent", k)  # the cached build used by cavity_spectrum
        p = point(120, k)
        ss = steady_state(p, dynamics=False, system=ls)
        t = time.perf_counter()
        cavity_spectrum(p, steady=ss)
        one = time.perf_counter() - t
        entries = sum(len(r) for r in cs.rows)
        print(
            f"| {k} | {ls.count} | {len(cs)} | {entries} | {direct:.2f} | {slots:.2f} "
            f"| {comp:.2f} | {one:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
