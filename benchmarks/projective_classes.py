"""Projective against plain time integration across dynamical classes.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/projective_classes.py``. For each case
(order, ν in Γ2, N) at the paper's point, ``evolve`` over 10/Γ2 with 401 samples, once
with :class:`~vlaser.cumulants.projective.Projective` defaults and once with every step
integrated (dp5, rtol 1e-6): wall time, evaluations, long-time class, n̄, coherent
fraction, half range of n, period, and the largest relative difference of n at the first
20 samples (before any jump).
"""

from __future__ import annotations

import time

import numpy as np

from vlaser import DEFAULT_GAMMA2 as G2
from vlaser import LaserParams
from vlaser.cumulants.projective import Projective
from vlaser.laser.dynamics import evolve

CASES = [(2, 0.0, 50000), (2, 10.0, 50000), (3, 0.0, 50000), (3, 1.0, 50000), (3, 0.0, 20000),
         (2, 1.0, 30000)]  # fmt: skip


def main() -> None:
    for order, nu, atoms in CASES:
        lp = LaserParams.paper(atoms=atoms, nu2=nu * G2, nu3=nu * G2)
        out = []
        for pj in (Projective(), None):
            t = time.perf_counter()
            r = evolve(lp, order, 10 / G2, samples=401, projective=pj)
            wall = time.perf_counter() - t
            lt = r.long_time
            out.append((wall, r.evaluations, lt, r.photons))
        (w1, e1, a, tr1), (w2, e2, b, tr2) = out
        early = float(np.max(np.abs(tr1[:20] - tr2[:20]) / tr2[:20]))
        print(
            f"order {order} ν {nu}Γ2 N {atoms}: projective {w1:.1f} s, {e1} RHS, {a.kind}, "
            f"n̄ {a.mean_photons:.5f}, |<a>|²/n̄ {a.coherent_fraction:.5f}, half range "
            f"{a.amplitude:.4f}, period {a.period} | plain {w2:.1f} s, {e2} RHS, {b.kind}, "
            f"n̄ {b.mean_photons:.5f}, |<a>|²/n̄ {b.coherent_fraction:.5f}, half range "
            f"{b.amplitude:.4f}, period {b.period} | n̄ rel. {a.mean_photons / b.mean_photons - 1:+.1e}, "
            f"early samples {early:.1e}",
            flush=True,
        )


if __name__ == "__main__":
    main()
