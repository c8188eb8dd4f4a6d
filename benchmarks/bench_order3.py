"""Third order: derive + compile cold and cached, one order-3 steady state from the
order-2 solution, and a 10/Γ2 time integration at N = 50000.

Run: ``python benchmarks/bench_order3.py`` (``--quick``: only the integrations with the
default pair, dp5, plain and projective; ``--projective``: only the projective runs and
their plain baselines, at ν = 10Γ2 and Γ2). Cold = a fresh cache folder in a fresh
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
    from vlaser.cumulants.projective import Projective

    runs = [
        (10, 2, "dp5", 1e-6, None),
        (10, 3, "dp5", 1e-6, None),
        (10, 3, "dop853", 1e-6, None),
        (10, 3, "dop853", 1e-7, None),
        (10, 3, "dp5", 1e-6, Projective()),
        (10, 3, "dp5", 1e-7, Projective()),
        (1, 3, "dp5", 1e-6, None),
        (1, 3, "dp5", 1e-6, Projective()),
    ]
    if "--quick" in sys.argv:
        runs = [r for r in runs if r[0] == 10 and r[2] == "dp5" and r[3] == 1e-6]
    if "--projective" in sys.argv:
        runs = [r for r in runs if r[1] == 3 and r[2] == "dp5" and r[3] == 1e-6] + [
            (10, 3, "dp5", 1e-7, Projective())
        ]
    evolve(LaserParams.paper(atoms=50000), 3, 100.0, samples=11)  # compile the integrator
    for nu, order, method, rtol, pj in runs:
        lp = LaserParams.paper(atoms=50000, nu2=nu * G2, nu3=nu * G2)
        t = time.perf_counter()
        r = evolve(lp, order, 10.0 / G2, samples=401, method=method, rtol=rtol, projective=pj)
        wall = time.perf_counter() - t
        lt = r.long_time
        how = "plain" if pj is None else "projective"
        extra = ""
        if pj is not None:
            rec = r.settings["projective"]
            extra = (
                f"; {rec['jumps']} jumps over {rec['jumped_time'] / (r.t[-1] - r.t[0]):.1%} "
                f"of the span, {rec['rejected']} rejected"
            )
        print(
            f"order {order}, {method}, rtol {rtol:g}, {how}: 10/Γ2 at N = 50000, ν = {nu}Γ2: "
            f"{wall:.2f} s (status {r.status}, class {lt.kind}, n̄ = {lt.mean_photons:.6f}, "
            f"|<a>|²/n̄ = {lt.coherent_fraction:.6f}, half range {lt.amplitude:.4f}, "
            f"period {lt.period or float('nan'):.6f}/Γ3; {r.steps} steps, {r.evaluations} RHS, "
            f"{wall / r.evaluations * 1e6:.2f} µs/RHS{extra})",
            flush=True,
        )


if __name__ == "__main__":
    main()
