"""Admissibility along the order-3 limit cycle (issue 11's verdict, RESULTS.md).

Integrates the order-3 equations at the paper's point (N = 50000, ν = 10Γ2) for 10/Γ2
from the fixed point (relative displacement 1e-4, seeded) and checks every sample of
the second half against :mod:`vlaser.cumulants.admissible`. In the pump frame
(no rotation): 188 s on the idle 2-core VM.

Run: ``python benchmarks/order3_admissible.py``.
"""

from __future__ import annotations

import time

import numpy as np


def main() -> None:
    from vlaser.cumulants.integrate import integrate
    from vlaser.laser import laser_equations, steady_state
    from vlaser.params import DEFAULT_GAMMA2 as G2
    from vlaser.params import LaserParams

    p0 = LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2)
    ls = laser_equations(3)
    st = steady_state(p0, order=3, system=ls, dynamics=False)
    p, x = ls.param_array(p0), np.asarray(st.x, float)
    x0 = x * (1 + 1e-4 * np.random.default_rng(0).standard_normal(x.size))
    times = np.linspace(0, 10 / G2, 801)[1:]
    t = time.perf_counter()
    r = integrate(ls.compiled, p, x0, times, rtol=1e-6)
    v = ls.admissibility.check(ls.compiled.unpack(r.x), ls.atom_counts(p))
    half = times.size // 2
    n = r.x[half:, ls.compiled._re_of[ls.i_photons]]
    bad = ~np.asarray(v.physical)[half:]
    print(f"fixed point n {float(st.photons):.1f} (stable {bool(st.stable)}); "
          f"{time.perf_counter() - t:.1f} s, {r.status}; second half: n in "
          f"[{n.min():.1f}, {n.max():.1f}], mean {n.mean():.1f}; unphysical samples "
          f"{int(bad.sum())}/{bad.size}")  # fmt: skip


if __name__ == "__main__":
    main()
