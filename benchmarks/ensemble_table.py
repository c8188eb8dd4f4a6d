"""Thermal-cloud laser at the paper's operating point: the table of issue 10.

Run: ``python benchmarks/ensemble_table.py [--widths 0,30,60,120,240,600]``. For each
Doppler FWHM W on the narrow line (Γ2; default K from
:data:`vlaser.laser.ensemble.DEFAULT_CLASSES`): threshold atom number
(:func:`vlaser.laser.threshold.threshold`), photons n at N = 20000 and 50000, FWHM and
line position δp (from ω2) of the cavity spectrum at N = 50000; Δ2 = 5, Δ3 = −1,
Ω2 = Ω3 = 0.5 (Γ3), Δc = Δ2, g = 2Γ2, κ = 50Γ2, ν2 = ν3 = 10Γ2. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import platform
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="0,30,60,120,240,600")
    args = ap.parse_args()
    from vlaser import DEFAULT_GAMMA2 as G2
    from vlaser import LaserParams
    from vlaser.laser import cavity_spectrum, steady_state
    from vlaser.laser.ensemble import counts
    from vlaser.laser.threshold import threshold

    print(f"# {platform.node()} {time.strftime('%Y-%m-%d %H:%M')}")
    print("| W (Γ2) | K | threshold N | n (N=20000) | n (N=50000) | FWHM (Γ2) | δp (Γ2) "
          "| stable, physical | s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for w in (float(v) for v in args.widths.split(",")):
        t = time.perf_counter()
        p = LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2, doppler_width=w * G2)
        k = counts(p)[0]
        th = threshold(p)
        n20 = float(steady_state(p.replace(atoms=20000), dynamics=False).photons)
        ss = steady_state(p, dynamics=False)
        sp = cavity_spectrum(p, steady=ss).peaks[0]
        print(
            f"| {w:g} | {k} | {th.threshold_atoms:.0f} | {n20:.2f} | {float(ss.photons):.2f} "
            f"| {sp.fwhm / G2:.4f} | {sp.position / G2:.3f} "
            f"| {bool(ss.stable)}, {bool(ss.physical)} | {time.perf_counter() - t:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
