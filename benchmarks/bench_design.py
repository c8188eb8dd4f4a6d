"""Sensitivity and design: one sensitivity evaluation at order 2, one design run over
four free parameters (with the count of steady states it needed), the reproduce quick
cost of the design figure.

Run: ``python benchmarks/bench_design.py`` (add ``--figure`` to time the figure too).
Targets (issue 12): sensitivity ≤ 2 ms at order 2; a 4-parameter design < 30 s.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def main() -> None:
    from vlaser.figures.design import BOX_SR, BOX_WIDE, FREE4, paper_params
    from vlaser.laser import laser_equations, steady_state
    from vlaser.laser.design import Constraints, design
    from vlaser.laser.sensitivity import PARAMETERS, sensitivity, state_derivatives

    lp = paper_params("sr88")  # paper point, ν = 10Γ2, N = 50000, 88Sr Γ2
    st = steady_state(lp, dynamics=False)
    ls = laser_equations(2)
    p = ls.param_array(lp)
    state_derivatives(ls, p, st.x, PARAMETERS)
    reps = 200
    t = time.perf_counter()
    for _ in range(reps):
        state_derivatives(ls, p, st.x, PARAMETERS)
    core = (time.perf_counter() - t) / reps * 1e3
    sensitivity(lp, steady=st)
    t = time.perf_counter()
    for _ in range(20):
        s = sensitivity(lp, steady=st)
    full = (time.perf_counter() - t) / 20 * 1e3
    sensitivity(lp, steady=st, spectrum=True)  # first call builds the regression system
    t = time.perf_counter()
    for _ in range(10):
        sl = sensitivity(lp, steady=st, spectrum=True)
    line = (time.perf_counter() - t) / 10
    t = time.perf_counter()
    sd = sensitivity(lp, steady=st, spectrum=True, line_method="difference")
    line_fd = time.perf_counter() - t
    worst = max(
        abs(sl.derivatives[q][k] - sd.derivatives[q][k]) / abs(sd.derivatives[q][k])
        for q in ("fwhm", "peak")
        for k in PARAMETERS
    )
    print(f"sensitivity core dx/dθ (10 parameters, {ls.compiled.n_real} real variables): "
          f"{core:.3f} ms")  # fmt: skip
    print(f"sensitivity() incl. observables and stability eigenvalues: {full:.2f} ms "
          f"(dn/dΔ2 = {s.derivatives['photons']['delta2']:.5g})")  # fmt: skip
    print(f"sensitivity(spectrum=True), line implicit: {line * 1e3:.1f} ms, pulling "
          f"{sl.pulling:.10g}")  # fmt: skip
    print(f"sensitivity(spectrum=True), line by central differences (20 extra spectra): "
          f"{line_fd:.3f} s ({line_fd / line:.1f}x), pulling {sd.pulling:.10g}, largest "
          f"relative difference of the FWHM/δp derivatives {worst:.2g} (differences' "
          f"truncation, h = Γ2)")  # fmt: skip
    con = Constraints(coherent_fraction=1e-3)
    for label, box in (("88Sr box", BOX_SR), ("wide box", BOX_WIDE)):
        t = time.perf_counter()
        r = design(lp, "power", FREE4, box, con, species="sr88", starts=4, seed=0)
        dt = time.perf_counter() - t
        o = r.optimum
        print(
            f"design power over {', '.join(FREE4)} ({label}, 4 starts): {dt:.2f} s, "
            f"{r.steady_states} steady states, feasible {r.feasible}; n {r.start.photons:.6g} -> "
            f"{o.photons:.6g} ({o.photons / r.start.photons:.3g}x), P {o.si['si']['power_w']:.4g} W,"
            f" coherent fraction {o.coherent_fraction:.3g}, max Re λ {o.growth:.3g} Γ3, "
            f"theta {np.round([float(o.params.values()[k]) for k in FREE4], 4).tolist()}, "
            f"active {r.active}"
        )
    if "--figure" in sys.argv:
        from vlaser.figures import design as fig

        t = time.perf_counter()
        ds = fig.compute(quick=True)
        print(f"design figure compute (quick): {time.perf_counter() - t:.1f} s, "
              f"{ds.attrs['steady_states']} steady states")  # fmt: skip


if __name__ == "__main__":
    main()
