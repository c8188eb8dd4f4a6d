"""Steady states of the laser equations: uncoupled limit, solver cross-checks, stability."""

import numpy as np
import pytest
import qutip

from vlaser.atom import steady_state as atom_steady_state
from vlaser.laser import laser_equations, steady_state
from vlaser.laser.steady import _integrate_stiff, growth_rate, uncoupled_state
from vlaser.params import DEFAULT_GAMMA2, AtomParams, LaserParams

G2 = DEFAULT_GAMMA2


def _qutip_atom(p: AtomParams) -> np.ndarray:
    """Exact 3x3 steady state built directly with QuTiP (independent of vlaser)."""
    k = [qutip.basis(3, i) for i in range(3)]
    s = {(i, j): k[i - 1] * k[j - 1].dag() for i in (1, 2, 3) for j in (1, 2, 3)}
    h = (
        -p.delta2 * s[2, 2]
        - p.delta3 * s[3, 3]
        + p.omega2 * (s[2, 1] + s[1, 2])
        + p.omega3 * (s[3, 1] + s[1, 3])
    )
    rates = [(p.gamma2, s[1, 2]), (p.gamma3, s[1, 3]), (p.nu2, s[2, 2]), (p.nu3, s[3, 3])]
    rates.append((p.gamma23, s[3, 2]))
    c_ops = [np.sqrt(r) * op for r, op in rates if r > 0]
    return qutip.steadystate(h, c_ops).full()


UNCOUPLED = [
    dict(),
    dict(nu2=10 * G2, nu3=100 * G2),
    dict(gamma23=3 * G2, delta2=2.0),
    dict(delta2=-1.0, delta3=0.5, omega2=1.0, omega3=0.2, nu2=G2),
]


@pytest.mark.parametrize("changes", UNCOUPLED)
def test_uncoupled_atoms_equal_exact_single_atom(changes):
    lp = LaserParams.paper(g=0.0, atoms=20000, **changes)
    res = steady_state(lp, dynamics=False)
    assert res.converged and res.stable
    ls = laser_equations(2)
    u = ls.compiled.unpack(res.x)
    from vlaser.cumulants import Transition
    from vlaser.laser.model import ATOM

    exact = atom_steady_state(lp.atom()).rho
    ref = _qutip_atom(lp.atom())
    for i, j in [(2, 2), (3, 3), (1, 2), (1, 3), (2, 3)]:
        k, conj = ls.system.index(Transition(ATOM, i, j, 1))
        val = np.conj(u[k]) if conj else u[k]
        # <σij> = ρ_ji. Both references are exact linear solves: agreement to 1e-9
        # (conditioning of the Γ3/Γ2 = 4266 system leaves ~1e-12 round-off).
        assert abs(val - exact[j - 1, i - 1]) < 1e-9
        assert abs(val - ref[j - 1, i - 1]) < 1e-9
    assert abs(res.photons) < 1e-12 and abs(res.coherent_photons) < 1e-20


@pytest.mark.slow
def test_newton_agrees_with_stiff_time_integration():
    # Below threshold (N = 5000, ν = Γ2) the fixed point is stable: Radau from the
    # uncoupled state must settle on the Newton/continuation result.
    lp = LaserParams.paper(atoms=5000, nu2=G2, nu3=G2)
    ls = laser_equations(2)
    res = steady_state(lp, dynamics=False)
    assert res.converged and res.stable and res.method == "continuation"
    assert res.residual < 1e-10 * (1 + np.abs(res.x).max())
    p = ls.param_array(lp)
    slowest = -res.max_growth_rate
    t_end = 25.0 / slowest
    x, t = _integrate_stiff(ls, p, uncoupled_state(ls, p), t_end, max_steps=100_000, rtol=1e-7)
    assert t == t_end
    # 25 slowest e-foldings leave exp(-25) ~ 1e-11 of the initial distance; Radau's
    # rtol 1e-7 (accumulated over the run) dominates: compare to 1e-5.
    obs = ls.observables(x)
    assert obs["photons"] == pytest.approx(float(res.photons), rel=1e-5)
    assert obs["inversion"] == pytest.approx(float(res.inversion), rel=1e-5)


def test_fixed_point_above_threshold_nu0_is_unstable():
    # At ν = 0, N = 50000 the second-order fixed point has a growing mode: the coherent
    # amplitude <a> oscillating near the atomic frequency (|Im λ| ≈ Δ2 in the pump frame).
    lp = LaserParams.paper(atoms=50000)
    ls = laser_equations(2)
    res = steady_state(lp, dynamics=False)
    assert res.converged and not res.stable
    assert res.max_growth_rate > 0
    jac = ls.compiled.point(ls.param_array(lp)).jac(res.x)
    w = np.linalg.eigvals(jac)
    top = w[np.argmax(w.real)]
    assert abs(abs(top.imag) - 5.0) < 0.5
    # With ν = 10Γ2 the same point is stable (ν2/2 damps <a>, not the phase-invariant gain).
    res10 = steady_state(LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2), dynamics=False)
    assert res10.converged and res10.stable


@pytest.mark.slow
def test_unstable_point_is_integrated_not_reported_as_settled():
    lp = LaserParams.paper(atoms=50000)
    res = steady_state(lp, dynamics=True, dynamics_time=12000.0)
    dyn = res.dynamics.item()
    assert dyn is not None and not dyn.settled
    # The coherent field grows far beyond its fixed-point value |<a>|^2 ~ 6e-3.
    assert dyn.coherent_max > 100 * float(res.coherent_photons)
    assert "no steady state" in dyn.note
    d = res.to_dict()
    assert d["stable"] is False and d["dynamics"]["settled"] is False


def test_scan_continuation_matches_single_points():
    n_values = np.array([2000.0, 14000.0, 30000.0])
    lp = LaserParams.paper(atoms=n_values, nu2=G2, nu3=G2)
    scan = steady_state(lp, dynamics=False)
    assert scan.converged.all()
    for k, n_atoms in enumerate(n_values):
        one = steady_state(LaserParams.paper(atoms=n_atoms, nu2=G2, nu3=G2), dynamics=False)
        # Same fixed point reached along different paths: Newton tolerance 1e-10.
        assert float(one.photons) == pytest.approx(scan.photons[k], rel=1e-8)
    ls = laser_equations(2)
    g, _ = growth_rate(ls, ls.param_array(lp)[0], scan.x[0])
    assert g == pytest.approx(scan.max_growth_rate[0])


def test_explicit_atom_system_requires_matching_n():
    from vlaser.errors import ParameterError

    ls1 = laser_equations(2, n_atoms=1)
    assert ls1.count == 16
    with pytest.raises(ParameterError):
        steady_state(LaserParams.paper(atoms=3), system=ls1)
    with pytest.raises(ParameterError):
        laser_equations(0)
