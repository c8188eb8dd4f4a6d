"""Third order: derive + compile cold and cached, one order-3 steady state from the
order-2 solution, and a 10/Γ2 time integration at N = 50000.

Run: ``python benchmarks/bench_order3.py`` (``--quick``: only the integrations with the
default pair, dp5). Cold = a fresh cache folder in a fresh
process; cached = a second fresh process on that folder (what a user pays on every
run after the first).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

COLD = (
    "import time; t = time.perf_counter(); from vlaser.laser.equations import laser_equations; "
    "ls = laser_equations(3); ls.compiled; print(time.perf_counter() - t, ls.count)"
)


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "VLASER_CACHE_DIR": d}
        for label in ("cold", "cached", "cached"):
            out = subprocess.run(
                [sys.executable, "-c", COLD], env=env, capture_output=True, text=True, check=True
            ).stdout.split()
            print(f"order-3 derive+compile {label}: {float(out[0]):.3f} s ({out[1]} averages)")
    import numpy as np

    from vlaser import DEFAULT_GAMMA2 as G2
    from vlaser import LaserParams
    from vlaser.laser import steady_state
    from vlaser.laser.dynamics import evolve
    from vlaser.laser.equations import laser_equations
    from vlaser.laser.hierarchy import from_lower_order
    from vlaser.laser.steady import SteadySolver

    for nu in (0.0, 10.0):
        lp = LaserParams.paper(atoms=50000, nu2=nu * G2, nu3=nu * G2)
        ls3, ls2 = laser_equations(3), laser_equations(2)
        x2 = steady_state(lp, dynamics=False).x
        p = ls3.param_array(lp)
        from_lower_order(ls3, p, SteadySolver(), x_lo=np.asarray(x2))
        reps = 20
        t = time.perf_counter()
        for _ in range(reps):
            x, ok, *_ = from_lower_order(ls3, p, SteadySolver(), x_lo=np.asarray(x2))
        ms = (time.perf_counter() - t) / reps * 1e3
        n3 = ls3.observables(x)["photons"]
        print(
            f"ν = {nu:g}Γ2: order-3 fixed point from order 2: {ms:.2f} ms (n = {float(n3):.2f}, ok {ok})"
        )
        del ls2
    lp = LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2)
    runs = [(2, "dp5", 1e-6), (3, "dp5", 1e-6), (3, "dop853", 1e-6), (3, "dop853", 1e-7)]
    if "--quick" in sys.argv:
        runs = runs[:2]
    for order, method, rtol in runs:
        evolve(lp, order, 1.0 / G2, samples=11, method=method)  # compile the integrator
        t = time.perf_counter()
        r = evolve(lp, order, 10.0 / G2, samples=401, method=method, rtol=rtol)
        wall = time.perf_counter() - t
        lt = r.long_time
        print(
            f"order {order}, {method}, rtol {rtol:g}: 10/Γ2 at N = 50000, ν = 10Γ2: {wall:.2f} s "
            f"(status {r.status}, class {lt.kind}, n̄ = {lt.mean_photons:.6f}, "
            f"|<a>|²/n̄ = {lt.coherent_fraction:.6f}, period {lt.period or float('nan'):.5f}/Γ3; "
            f"{r.steps} steps, {r.evaluations} RHS, {wall / r.evaluations * 1e6:.2f} µs/RHS, "
            f"mean step {(r.t[-1] - r.t[0]) / r.steps:.4f}/Γ3)"
        )


if __name__ == "__main__":
    main()
