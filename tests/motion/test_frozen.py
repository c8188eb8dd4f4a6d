"""Motion frozen (recoil 0) or prescribed: trajectory averages against the exact master
equation of QuTiP (an independent route).

Statistical rule used throughout: a trajectory average of M independent samples with
sample standard deviation s is compared with the exact value within 4 s/√M (a false
failure has probability 6e-5 per comparison for Gaussian errors), at a few check times
only. The check times start after a few 1/Γ3, and the dephasing and Γ23 rates are
chosen large: trajectories that have just jumped into |3> carry a large population for
~1/Γ3, and when such events are rare (a handful among M) the sample variance misses
them and understates the error (heavy tails).
"""

from __future__ import annotations

import numpy as np
import pytest
from motion_qutip_ref import solve, steady
from scipy.integrate import simpson

from vlaser.motion import simulate
from vlaser.params import AtomParams

# A point exercising every channel: Γ2, Γ3, ν2, ν3, Γ23, both pumps, an atom off the
# antinodes (cos and sin of both phases non-zero).
P = AtomParams(
    delta2=2.0, delta3=-1.0, omega2=0.5, omega3=0.7, gamma2=0.05, nu2=0.1, nu3=0.3, gamma23=0.1
)
PHASE = (0.7, 1.1)
CHECK_TIMES = (4.0, 8.0, 16.0, 32.0)


def _at(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Rows of ``values`` at CHECK_TIMES (which lie on the sample grid)."""
    return values[np.searchsorted(times, CHECK_TIMES)]


@pytest.fixture(scope="module")
def frozen():
    return simulate(
        P, trajectories=3000, t_max=60.0, seed=11, samples=61, recoil=(0, 0), phase0=PHASE
    )


def test_dynamics_matches_mesolve(frozen):
    ref = solve(P, frozen.times, phase0=PHASE)["populations"]
    mean, err = frozen.populations_mean()
    t = frozen.times
    assert np.all(np.abs(_at(t, mean) - _at(t, ref)) < 4 * _at(t, err))


def test_interval_averages_match_mesolve(frozen):
    t = frozen.times  # unit sample intervals
    fine = np.linspace(0.0, t[-1], 20 * (t.size - 1) + 1)
    ref = solve(P, fine, phase0=PHASE)["populations"]
    windows = ref[20 * np.arange(t.size - 1)[:, None] + np.arange(21)[None, :]]
    # Simpson on 21 points of each unit interval: error < 1e-6
    exact = simpson(windows, dx=0.05, axis=1) / np.diff(t)[:, None]
    mean, err = frozen.populations_mean(interval=True)
    t = frozen.times[1:]
    assert np.all(np.abs(_at(t, mean[1:]) - _at(t, exact)) < 4 * _at(t, err[1:]))


def test_steady_state_time_average(frozen):
    # Relaxation takes ~1/Γ2 = 20: time-average each trajectory over t >= 30.
    exact = steady(P, PHASE)
    pops = frozen.interval_populations
    for level in range(3):
        mean, err = frozen.late_average(pops[..., level], 30.0)
        assert abs(mean - exact[level]) < 4 * err
    # and it is an accurate test: the error bars are small
    assert err < 3e-3


def test_force_matches_mesolve(frozen):
    fine = np.linspace(0, frozen.times[-1], 6001)
    force = solve(P, fine, phase0=PHASE)["force"]
    impulse = simpson(force, x=fine, axis=0)  # step 0.01: quadrature error < 1e-7
    mean = frozen.force_impulse.mean(axis=0)
    err = frozen.force_impulse.std(axis=0, ddof=1) / np.sqrt(frozen.trajectories)
    assert np.all(np.abs(mean - impulse) < 4 * err)
    # frozen motion: the phases never move, the momentum only records kicks and force
    assert np.max(np.abs(frozen.phase - np.asarray(PHASE))) < 1e-12


def test_prescribed_motion_matches_mesolve():
    # P fixed (dynamic=False): the atom moves uniformly at k_i v_i = 2 ω_r,i P_i; the
    # ensemble is the master equation with cos(φ_i0 + k_i v_i t) in H.
    recoil, p0 = (0.01, 0.02), (3.0, -2.0)
    kv = (2 * recoil[0] * p0[0], 2 * recoil[1] * p0[1])
    res = simulate(
        P,
        trajectories=2000,
        t_max=40.0,
        seed=5,
        samples=41,
        recoil=recoil,
        p0=p0,
        phase0=PHASE,
        dynamic=False,
    )
    fine = np.linspace(0, 40.0, 4001)
    ref = solve(P, fine, phase0=PHASE, velocity=kv)
    mean, err = res.populations_mean()
    exact = ref["populations"][np.searchsorted(fine, res.times)]
    t = res.times
    assert np.all(np.abs(_at(t, mean) - _at(t, exact)) < 4 * _at(t, err))
    impulse = simpson(ref["force"], x=fine, axis=0)
    f_mean = res.force_impulse.mean(axis=0)
    f_err = res.force_impulse.std(axis=0, ddof=1) / np.sqrt(res.trajectories)
    assert np.all(np.abs(f_mean - impulse) < 4 * f_err)
    # the phases advanced by exactly k v t
    expected = np.mod(np.asarray(PHASE) + np.asarray(kv) * 40.0 + np.pi, 2 * np.pi) - np.pi
    assert np.max(np.abs(res.phase[:, -1] - expected)) < 1e-9


def test_step_size_does_not_change_frozen_trajectories():
    # With frozen motion the integrator is exact to round-off (Taylor remainder < 1e-14,
    # jump times from the same polynomial): a 7x finer step gives the same jumps and
    # populations to 1e-9 (round-off amplified over ~100 steps between jumps).
    kw = dict(trajectories=20, t_max=30.0, seed=2, samples=31, recoil=(0, 0), phase0=PHASE)
    coarse = simulate(P, **kw)
    fine = simulate(P, dt=coarse.setup.dt / 7, **kw)
    assert np.array_equal(coarse.jumps, fine.jumps)
    assert np.max(np.abs(coarse.populations - fine.populations)) < 1e-9
