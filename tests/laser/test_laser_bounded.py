"""Bounded steady-state searches and the admissibility of what they return.

From scratch, every point is searched within a step budget (:class:`SteadySolver`):
continuation in g, then in N, then a short stiff integration. Where none reaches a
fixed point the result says so (``converged`` False, NaN averages, a reason); where the
fixed point is not a physical state, ``physical`` is False and ``violation`` names the
failed condition.
"""

import json
import time

import numpy as np
import pytest

from vlaser import DEFAULT_GAMMA2 as G2
from vlaser import LaserParams, ParameterError
from vlaser.laser import steady_state
from vlaser.laser.equations import MAX_ORDER, laser_equations
from vlaser.laser.steady import N_START, SteadySolver, track, uncoupled_state


def test_fig7a_point_is_physical():
    ss = steady_state(LaserParams.paper(nu2=10 * G2, nu3=10 * G2), dynamics=False)
    assert ss.converged and ss.stable and ss.physical
    assert ss.violation.item() == "" and ss.reason.item() == "" and ss.violated == -1


def test_huge_n_at_nu0_is_flagged_unphysical():
    # The fixed point reached at N = 1e12, ν = 0 has |<a>|² ≈ 74 n: no state has that.
    ss = steady_state(LaserParams.paper(atoms=1e12), dynamics=False)
    assert ss.converged and not ss.physical
    assert float(ss.coherent_photons) > float(ss.photons)
    assert "fails by" in ss.violation.item()
    d = ss.to_dict()
    assert d["physical"] is False and d["violation"] == ss.violation.item()


def test_beyond_the_fold_no_fixed_point_within_budget():
    # ν = 10Γ2, N = 1e9: both homotopies end at a fold of the fixed-point branch.
    t0 = time.perf_counter()
    ss = steady_state(LaserParams.paper(atoms=1e9, nu2=10 * G2, nu3=10 * G2))
    elapsed = time.perf_counter() - t0
    assert not ss.converged and ss.method.item() == "failed"
    assert np.isnan(ss.photons) and not ss.physical and not ss.stable
    reason = ss.reason.item()
    assert "continuation in g stopped" in reason and "continuation in N" in reason
    assert "fold" in reason
    # The budget bounds it to about 0.2 s here; 5 s leaves room for a loaded CI machine.
    assert elapsed < 5.0


def test_n_homotopy_takes_over_when_g_reaches_an_unphysical_branch():
    # ν = 0, N = 2e8: continuation in g lands on a root that violates a collective
    # variance; continuation in N from below threshold follows the physical branch.
    lp = LaserParams.paper(atoms=2e8)
    ls = laser_equations(2)
    p = ls.param_array(lp)
    p0 = p.copy()
    p0[ls.i_g] = 0.0
    tr = track(ls, uncoupled_state(ls, p), p0, p)
    assert tr.ok
    u = ls.compiled.unpack(tr.x)
    assert not ls.admissibility.check(u, 2e8).physical
    ss = steady_state(lp, dynamics=False)
    assert ss.method.item() == "continuation-N" and ss.physical and ss.converged
    assert float(ss.photons) > 10 * ls.observables(tr.x)["photons"]


def test_n_and_g_homotopies_agree_where_both_work():
    ls = laser_equations(2)
    lp = LaserParams.paper(atoms=1e6, nu2=G2, nu3=G2)
    p = ls.param_array(lp)
    by_g = steady_state(lp, dynamics=False)
    pn = p.copy()
    pn[ls.i_atoms] = N_START
    start = steady_state(lp.replace(atoms=N_START), dynamics=False)
    tr = track(ls, start.x, pn, p, log_index=ls.i_atoms)
    assert tr.ok and by_g.method.item() == "continuation"
    # Same root, both converged to 1e-10 of max|x|:
    assert np.max(np.abs(tr.x - by_g.x)) < 1e-8 * (1 + np.max(np.abs(by_g.x)))


def test_dynamics_budget_cuts_the_integration():
    lp = LaserParams.paper(atoms=1e5)
    ss = steady_state(lp, solver=SteadySolver(dynamics_steps=1000))
    dyn = ss.dynamics.item()
    assert not ss.stable and dyn is not None
    assert "budget of 1000 RK4 steps" in dyn.note


@pytest.mark.parametrize(
    "kw",
    [{"tol": 0.0}, {"tol": float("nan")}, {"max_steps": -1}, {"dynamics_steps": 1.5}],
)
def test_solver_settings_are_validated(kw):
    with pytest.raises(ParameterError):
        SteadySolver(**kw)


@pytest.mark.parametrize("order", [0, MAX_ORDER + 1, 99, 2.0, True])
def test_unsupported_orders_are_refused_at_once(order):
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match="order"):
        laser_equations(order)
    assert time.perf_counter() - t0 < 0.1  # before any derivation


def test_cli_warns_about_unphysical_and_failed_points(run_cli):
    code, out, err = run_cli("laser", "steady", "--atoms", "1e12", "--no-dynamics", "--json")
    assert code == 0 and json.loads(out)["physical"] is False
    assert err.count("\n") == 1 and err.startswith("warning: the fixed point is not")
    code, out, err = run_cli(
        "laser", "steady", "--atoms", "1e9", "--nu2", "10g2", "--nu3", "10g2", "--json"
    )
    res = json.loads(out)
    assert code == 0 and res["converged"] is False and "fold" in res["reason"]
    assert err.count("\n") == 1 and err.startswith("warning: no fixed point found")
    code, out, err = run_cli("laser", "steady", "--order", "99")
    assert code == 2 and err.startswith("error: invalid order=99") and out == ""
