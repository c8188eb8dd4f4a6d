"""Benchmark of the laser cumulant pipeline (run: python benchmarks/bench_laser.py).

Measures, in one process:

1. derivation + compilation of the 37-equation second-order system: cold (no disk
   cache, in-memory expansion caches cleared) and cached (read back from a fresh
   temporary cache directory written just before);
2. one steady state at N = 30000, ν = 10Γ2 (stable, above threshold):
   Newton from a nearby guess, and from scratch (continuation in g from the uncoupled
   state), each against scipy Radau (analytic Jacobian, same compiled numba RHS)
   integrating the same equations from the uncoupled state until n is within 1e-6
   (relative) of the Newton value;
3. a 200-point N scan (1..50000, continuation), against Radau per point (measured on
   3 points, scaled to 200, because integrating all 200 takes too long);
4. the linear-stability check (eigenvalues of the 65x65 Jacobian) per point.

Prints a JSON summary; times are best of several repeats (the machine is shared).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time

import numpy as np


def best(fn, repeat: int = 5) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def clear_memory_caches() -> None:
    from vlaser.cumulants import expand
    from vlaser.laser import equations

    expand._expand_monomial.cache_clear()
    equations._cached.cache_clear()


def radau_to(ls, p, n_target: float, rtol: float = 1e-8) -> float:
    """Seconds for Radau from the uncoupled state until |n/n* − 1| < 1e-6."""
    from scipy.integrate import solve_ivp

    from vlaser.laser.steady import uncoupled_state

    kern = ls.compiled.point(p)
    x0 = uncoupled_state(ls, p)
    i = ls.i_photons

    def event(_t, y):
        return abs(y[ls.compiled.layout.slots[i][0]] / n_target - 1) - 1e-6

    event.terminal = True
    t = time.perf_counter()
    sol = solve_ivp(
        lambda _t, y: kern.rhs(y),
        (0.0, 1e7),
        x0,
        method="Radau",
        jac=lambda _t, y: kern.jac(y),
        rtol=rtol,
        atol=rtol * 1e-2,
        events=event,
    )
    dt = time.perf_counter() - t
    assert sol.status == 1, "Radau did not reach the steady state"
    return dt


def main() -> dict:
    os.environ["VLASER_CACHE_DIR"] = "off"
    from vlaser.laser import laser_equations, steady_state
    from vlaser.laser.steady import TOL, growth_rate, uncoupled_state
    from vlaser.params import DEFAULT_GAMMA2, LaserParams

    g2 = DEFAULT_GAMMA2
    res: dict = {"machine": platform.machine(), "nproc": os.cpu_count()}

    # 1. derivation + compilation
    clear_memory_caches()
    t = time.perf_counter()
    ls = laser_equations(2, cache=False)
    res["derive_compile_cold_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as d:
        os.environ["VLASER_CACHE_DIR"] = d
        clear_memory_caches()
        laser_equations(2)  # writes the cache
        clear_memory_caches()
        t = time.perf_counter()
        laser_equations(2)  # reads it
        res["derive_compile_cached_s"] = time.perf_counter() - t
        os.environ["VLASER_CACHE_DIR"] = "off"
    clear_memory_caches()
    ls = laser_equations(2)
    res["equations"] = ls.count

    # 2. one steady state
    lp = LaserParams.paper(atoms=30000, nu2=10 * g2, nu3=10 * g2)
    p = ls.param_array(lp)
    ref = steady_state(lp, dynamics=False)  # also warms numba
    near = steady_state(LaserParams.paper(atoms=29800, nu2=10 * g2, nu3=10 * g2), dynamics=False)
    kern = ls.compiled.point(p)

    def warm():
        x, ok, _, _ = ls.compiled.point(p).newton(near.x, tol=TOL)
        assert ok

    res["steady_newton_warm_ms"] = 1e3 * best(warm, 200)
    res["steady_from_scratch_ms"] = 1e3 * best(
        lambda: steady_state(lp, dynamics=False, system=ls), 20
    )
    res["stability_eig_ms"] = 1e3 * best(lambda: growth_rate(ls, p, ref.x), 20)
    res["radau_one_point_s"] = radau_to(ls, p, float(ref.photons))
    res["ratio_radau_over_newton_warm"] = res["radau_one_point_s"] / (
        res["steady_newton_warm_ms"] * 1e-3
    )
    res["ratio_radau_over_from_scratch"] = res["radau_one_point_s"] / (
        res["steady_from_scratch_ms"] * 1e-3
    )
    del kern, uncoupled_state

    # 3. 200-point N scan
    atoms = np.unique(np.round(np.linspace(1, 50000, 200)))
    scan_p = LaserParams.paper(atoms=atoms, nu2=10 * g2, nu3=10 * g2)
    res["scan200_s"] = best(lambda: steady_state(scan_p, dynamics=False, system=ls), 3)
    sample = [5000.0, 20000.0, 45000.0]
    per = []
    for n_atoms in sample:
        lpi = LaserParams.paper(atoms=n_atoms, nu2=10 * g2, nu3=10 * g2)
        one = steady_state(lpi, dynamics=False)
        per.append(radau_to(ls, ls.param_array(lpi), float(one.photons)))
    res["radau_per_point_s"] = per
    res["radau_scan200_estimate_s"] = float(np.mean(per)) * atoms.size
    res["ratio_radau_over_scan"] = res["radau_scan200_estimate_s"] / res["scan200_s"]
    res["photons_at_30000"] = float(ref.photons)
    return res


if __name__ == "__main__":
    out = main()
    print(json.dumps(out, indent=2))
