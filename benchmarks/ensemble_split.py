"""K = 9 ensemble: the fixed point and the stability check timed apart.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/ensemble_split.py [--pieces]`` (prints
markdown rows for ``benchmarks/RESULTS.md``; ``--pieces`` times the parts of one sparse
factorization and of one fixed point from scratch instead). For a before/after comparison run it once per
tree in the same session, e.g. ``PYTHONPATH=/path/to/old/src python ...``.

Point: N = 1000 and 50000, ν2 = ν3 = 10Γ2, Doppler FWHM 120Γ2, K = 9 classes; scan:
100 points N = 500..50000. "fixed point only" replaces the stability check
(``steady.growth_rate``) by a stub in this process, so the rows split the cost of
:func:`vlaser.laser.steady_state` into its two parts; the results of the full runs
(photons, growth rates) are printed so two trees can be compared.
"""

from __future__ import annotations

import platform
import time

import numpy as np


def tm(f, repeat: int = 10) -> float:
    """Best of ``repeat`` wall times of ``f()`` (ms)."""
    out = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        out = min(out, time.perf_counter() - t)
    return out * 1e3


def pieces(ls, point) -> None:
    """Parts of one factorization and of one fixed point from scratch, N = 1000, 50000."""
    for n in (1000, 50000):
        rows, fill = _pieces_at(ls, point, n)
        print(f"\n| N = {n}: part (best of 10, of 5 for the last three) | ms |")
        print("|---|---|")
        for name, ms in rows.items():
            print(f"| {name} | {ms:.2f} |")
        print(f"\nentries of the LU in the stored order (SuperLU's count): {fill}")


def _pieces_at(ls, point, n: int) -> tuple[dict[str, float], int]:
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla

    from vlaser.cumulants.compile import ordered_lu
    from vlaser.laser import steady as st
    from vlaser.laser import steady_state

    p = ls.param_array(point(n))
    x = steady_state(point(n), dynamics=False, system=ls).x
    k = ls.compiled.point(p)
    nr = x.size

    def values():
        return k._k.jac_values(x, *k._ds, k._re_of, k._im_of, k._rows.size)

    def csc():
        return sps.csc_matrix((values(), (k._rows, k._cols)), shape=(nr, nr))

    a = csc()
    q, inv, fill = ls.compiled.lu_orders[nr]
    ap = sps.csc_matrix(a[inv][:, inv])
    opts = {"diag_pivot_thresh": 0.0, "options": {"SymmetricMode": True}}
    one = ls.one_group()
    p1 = ls.single_params(ls.homogeneous(p))
    x1 = st._solve_point(one, p1)[0]
    rows = {
        "PointKernel (bind parameters)": tm(lambda: ls.compiled.point(p)),
        "Jacobian values": tm(values),
        "Jacobian values + COO -> CSC": tm(csc),
        "permutation to the stored order": tm(lambda: sps.csc_matrix(a[inv][:, inv])),
        "SuperLU in the stored order": tm(lambda: spla.splu(ap, permc_spec="NATURAL", **opts)),
        "`ordered_lu` (from the CSC Jacobian)": tm(
            lambda: ordered_lu(a, 0.0, ls.compiled.lu_orders)
        ),
        "`PointKernel.factor`": tm(lambda: k.factor(x)),
        "RHS": tm(lambda: k.rhs(x)),
        "one-group laser from scratch": tm(lambda: st._solve_point(one, p1), 5),
        "continuation in the spread from it": tm(
            lambda: st.track(ls, ls.replicate(x1), ls.homogeneous(p), p), 5
        ),
        "admissibility check": tm(lambda: st._admissible(ls, p, x)),
    }
    return rows, fill


def main() -> None:
    import sys

    import vlaser
    from vlaser import DEFAULT_GAMMA2 as G2
    from vlaser import LaserParams
    from vlaser.laser import steady as st
    from vlaser.laser import steady_state
    from vlaser.laser.equations import group_equations

    print(f"# {platform.node()} {time.strftime('%Y-%m-%d %H:%M')} vlaser from {vlaser.__file__}")
    ls = group_equations(9)

    def point(atoms):
        return LaserParams.paper(
            atoms=atoms, nu2=10 * G2, nu3=10 * G2, doppler_width=120 * G2, classes=9
        )

    steady_state(point(1000), dynamics=False, system=ls)  # numba and LU order warm
    if "--pieces" in sys.argv[1:]:
        pieces(ls, point)
        return
    grid = point(np.linspace(500, 50000, 100).round())

    def best(n: int) -> float:
        return tm(lambda: steady_state(point(n), dynamics=False, system=ls), 3)

    full = {n: best(n) for n in (1000, 50000)}
    t = time.perf_counter()
    res = steady_state(grid, dynamics=False, system=ls)
    scan = time.perf_counter() - t
    grow = st.growth_rate
    st.growth_rate = lambda ls, p, x, start=None: (-1.0, None)
    try:
        fixed = {n: best(n) for n in (1000, 50000)}
        t = time.perf_counter()
        steady_state(grid, dynamics=False, system=ls)
        scan_fixed = time.perf_counter() - t
    finally:
        st.growth_rate = grow
    print("| quantity (K = 9, W = 120Γ2) | with stability check | fixed point only |")
    print("|---|---|---|")
    for n in (1000, 50000):
        print(f"| one steady state N = {n} (best of 3) | {full[n]:.1f} ms | {fixed[n]:.1f} ms |")
    print(f"| 100-point N scan 500..50000 | {scan:.2f} s | {scan_fixed:.2f} s |")
    print(
        f"\nscan: converged {int(res.converged.sum())}, stable {int(res.stable.sum())}, "
        f"max growth rate {float(np.max(res.max_growth_rate)):.12e} Γ3, photons at "
        f"N = 50000 {float(res.photons[-1]):.10f}"
    )


if __name__ == "__main__":
    main()
