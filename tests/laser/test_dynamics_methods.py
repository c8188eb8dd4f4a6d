"""Time integration: both Runge–Kutta pairs of :func:`vlaser.laser.dynamics.evolve`
(default ``"dp5"`` and ``"dop853"``), both integrated in the cavity frame
with the shared-product RHS, against scipy's ``solve_ivp`` (DOP853, rtol 1e-11) on the
independent term-by-term RHS kernel (``PointKernel.rhs``) in the pump frame.

Case: order 3 (153 averages), N = 50000, ν = 10Γ2 (the benchmark's point), from the
uncoupled state (empty cavity), 0..50/Γ3, tolerances 1e-8. Bound: n at every sample
within 1e-6 (relative) of the reference, and the interval time averages of n and |⟨a⟩|²
(cubic Hermite quadrature over the steps) within 1e-5 of the reference's (running
integrals of n and |⟨a⟩|² appended to the reference ODE). Measured: n 1e-7 (dop853), 3e-7
(dp5); interval means 3.4e-6 (dop853), 3e-7 (dp5).
"""

import numpy as np

from vlaser import DEFAULT_GAMMA2 as G2
from vlaser import LaserParams


def test_pairs_agree_with_solve_ivp():
    from scipy.integrate import solve_ivp

    from vlaser.laser.dynamics import evolve, initial_state
    from vlaser.laser.equations import laser_equations

    lp = LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2)
    ls = laser_equations(3)
    p = ls.param_array(lp)
    x0, _, _ = initial_state(ls, lp, p, "uncoupled")
    runs = {
        m: evolve(lp, 3, 50.0, samples=21, system=ls, rtol=1e-8, method=m, initial="uncoupled")
        for m in ("dop853", "dp5")
    }
    pk = ls.compiled.point(p)
    slots = ls.compiled.layout.slots
    i_n, (i_re, i_im) = slots[ls.i_photons][0], slots[ls.i_field]

    def rhs(_t: float, z: np.ndarray) -> np.ndarray:
        # the state, then the running integrals of n and |<a>|^2
        x = z[:-2]
        return np.concatenate([pk.rhs(x), [x[i_n], x[i_re] ** 2 + x[i_im] ** 2]])

    t = runs["dop853"].t
    ref = solve_ivp(
        rhs,
        (t[0], t[-1]),
        np.concatenate([x0, [0.0, 0.0]]),
        method="DOP853",
        t_eval=t,
        rtol=1e-11,
        atol=1e-14 * (1 + np.max(np.abs(x0))),
    )
    assert ref.success
    n_ref = ls.observables(ref.y[:-2].T, p)["photons"]
    mean_ref = {
        key: np.diff(ref.y[row]) / np.diff(t)
        for key, row in (("photons_mean", -2), ("coherent_mean", -1))
    }
    assert np.ptp(n_ref) > 1.0  # the cavity fills
    for m, r in runs.items():
        assert r.status == "done", m
        assert r.settings["method"] == m
        np.testing.assert_allclose(r.photons, n_ref, rtol=1e-6, err_msg=m)
        for key, want in mean_ref.items():
            np.testing.assert_allclose(r.interval[key][1:], want, rtol=1e-5, err_msg=f"{m} {key}")
    assert runs["dop853"].evaluations < runs["dp5"].evaluations
