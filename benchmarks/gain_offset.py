"""Gain of one velocity class against its offset from the cavity (issue 10's table).

One group (K = 1), the class offset δ applied as :mod:`vlaser.laser.ensemble` applies it
to a class (Δ2 → Δ2 + δ with Δc fixed): threshold atom number and n at N = 50000 at the
paper's point, ν2 = ν3 = 10Γ2. Explains why a symmetric Doppler cloud barely raises
the threshold up to W ≈ 600Γ2 (see benchmarks/RESULTS.md).

Run: ``python benchmarks/gain_offset.py``.
"""

from __future__ import annotations


def main() -> None:
    from vlaser.laser import steady_state
    from vlaser.laser.threshold import threshold
    from vlaser.params import DEFAULT_GAMMA2 as G2
    from vlaser.params import LaserParams

    base = dict(delta3=-1.0, omega2=0.5, omega3=0.5, nu2=10 * G2, nu3=10 * G2, delta_c=5.0)
    print("| δ (Γ2) | threshold N (δ > 0 / δ < 0) | n at N = 50000 (δ > 0 / δ < 0) |")
    print("|---|---|---|")
    for dg in (0, 100, 200, 300, 500, 700, 1000, 1500, 2000, 3000):
        out = []
        for s in (1, -1):
            p = LaserParams(delta2=5.0 + s * dg * G2, atoms=50000, **base)
            th = threshold(p, max_atoms=50000, points=101).threshold_atoms
            n = float(steady_state(p, dynamics=False).photons)
            out.append(("none" if th is None else f"{th:.0f}", f"{n:.1f}"))
        print(f"| ±{dg} | {out[0][0]} / {out[1][0]} | {out[0][1]} / {out[1][1]} |", flush=True)


if __name__ == "__main__":
    main()
