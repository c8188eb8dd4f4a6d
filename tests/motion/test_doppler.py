"""Doppler cooling of the model against its own Doppler theory, recoil kicks, eq. (16).

Theory (derived in ``vlaser.motion.doppler``): a two-level atom (only the broad line
driven, Ω2 = 0) in the standing wave Ω cos(kx), low saturation, kv ≪ Γ: position-
averaged friction dP/dt = −α kv, α = Ω²Γ(−Δ)/|L|⁴, emission rate R = ΓΩ²/(2|L|²),
kicks with <s²> = 1/3 (isotropic emission projected on the axis), no absorption
diffusion (the force is an expectation value): k_B T = R/(6α) = |L|²/(12|Δ|).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vlaser.errors import ParameterError
from vlaser.motion import simulate
from vlaser.motion.doppler import (
    doppler_fwhm,
    doppler_kbt_model,
    doppler_kbt_textbook,
    emission_rate_standing_wave,
    friction_standing_wave,
)
from vlaser.params import AtomParams
from vlaser.species import get_species

DELTA = -0.5  # Δ3 = −Γ3/2: the optimum, where the cubic velocity correction also vanishes
TWO_LEVEL = AtomParams(delta2=0.0, delta3=DELTA, omega2=0.0, omega3=0.05)
K_RATIO = 1.5


@pytest.fixture(scope="module")
def cooled():
    # ω_r3 = 0.02 Γ3 (a light atom) makes the energy relax in 1/(4 ω_r α) = 2500/Γ3;
    # start near the expected temperature; ω_r2 = 0 freezes the k2 axis, where P2 then
    # only collects kicks from the |3> decays.
    recoil = 0.02
    p_start = math.sqrt(doppler_kbt_model(DELTA) / (2 * recoil))
    return simulate(
        TWO_LEVEL,
        trajectories=320,
        t_max=25000.0,
        seed=4,
        samples=101,
        recoil=(0.0, recoil),
        k_ratio=K_RATIO,
        p0=(0.0, p_start),
    )


@pytest.mark.slow
def test_two_level_doppler_temperature(cooled):
    expected = doppler_kbt_model(DELTA)  # = 1/12 Γ3
    assert expected == pytest.approx(1 / 12)
    kbt, err = cooled.late_kbt(2500.0)
    # Tolerance: 4 standard errors of the trajectory time averages plus 3 % for the
    # corrections the theory drops: saturation s = 8Ω²/(Γ²+4Δ²) = 0.01 (≈1 %), the
    # localization of slow atoms in the dipole potential (U0/k_BT ≈ 0.03 → ≈1.5 %).
    assert abs(kbt[1] - expected) < 4 * err[1] + 0.03 * expected
    # the statistical error is small enough to tell the alternatives apart: the
    # textbook limit is 6x larger, 1D emission without absorption diffusion 1.5x
    assert err[1] < 0.05 * expected
    assert doppler_kbt_textbook(DELTA) == pytest.approx(6 * expected)


def test_kick_projection(cooled):
    # P2 receives only kicks s_2 k3/k2 (Ω2 = 0): E[(ΔP2)²] = <N3> (k3/k2)²/3; along k3
    # the sum of the kicks alone obeys E[(Σ kicks)²] = <N3>/3.
    n3 = cooled.jumps[:, 3]
    for values, scale in (
        (cooled.momentum[:, -1, 0], K_RATIO**2 / 3),
        (cooled.kick_impulse[:, 1], 1 / 3),
    ):
        sq = values**2
        assert abs(sq.mean() - scale * n3.mean()) < 4 * sq.std(ddof=1) / math.sqrt(sq.size)
    # only |3> decays happen (no |2> population)
    assert np.all(cooled.jumps[:, [0, 1, 2, 4]] == 0)


def test_energy_budget_adds_up(cooled):
    # E_i(T) − E_i(0) = work of the force + work of the kicks, trajectory by trajectory
    e = cooled.setup.recoil * cooled.momentum**2
    change = e[:, -1] - e[:, 0]
    assert np.allclose(change, cooled.work.sum(axis=-1), rtol=1e-9, atol=1e-12)
    budget = cooled.energy_budget()
    assert set(budget) == {"force", "force_err", "kicks", "kicks_err"}


def test_friction_at_prescribed_velocity():
    # P fixed: the mean force is −α kv plus the dipole force, which averages to zero
    # over whole periods 2π/kv; use ±v to cancel what is left of it.
    omega, recoil, p = 0.05, 0.01, 1.0
    kv = 2 * recoil * p
    t_max = 5 * 2 * math.pi / kv
    forces = []
    for sign in (1.0, -1.0):
        r = simulate(
            TWO_LEVEL.replace(omega3=omega),
            trajectories=40,
            t_max=t_max,
            seed=9,
            samples=2,
            recoil=(0.0, recoil),
            p0=(0.0, sign * p),
            dynamic=False,
        )
        forces.append(r.force_impulse[:, 1] / t_max)
    odd = 0.5 * (forces[0] - forces[1])
    expected = -friction_standing_wave(DELTA, omega) * kv
    err = odd.std(ddof=1) / math.sqrt(odd.size)
    # 4 σ plus 3 % for saturation (s = 0.01) and (kv)² = 4e-4 corrections
    assert abs(odd.mean() - expected) < 4 * err + 0.03 * abs(expected)


def test_standing_wave_formulas():
    # the textbook two-beam friction 8ħk² δ s0/(Γ(1+(2δ/Γ)²)²) with s0 = 2Ω²/Γ² (each
    # running wave has Rabi frequency Ω) is the same expression
    d, om = -0.7, 0.1
    s0 = 2 * om**2
    assert friction_standing_wave(d, om) == pytest.approx(-8 * d * s0 / (1 + 4 * d**2) ** 2)
    assert emission_rate_standing_wave(d, om) == pytest.approx(om**2 / (2 * (0.25 + d**2)))
    with pytest.raises(ParameterError):
        doppler_kbt_model(0.5)


def test_doppler_width_eq16():
    sr = get_species("sr88")
    # identity Δω_D = 4 √(ln2 k_BT ω_r2) in units of Γ3
    for kbt in (0.1, 0.5, 2.0):
        assert doppler_fwhm(kbt) == pytest.approx(
            4 * math.sqrt(math.log(2) * kbt * sr.recoil_energy(2)), rel=1e-12
        )
    # paper: ≈ 120 Γ2 at k_BT = Γ3/2 with m = 87 u. With the preset's measured Γ3, Γ2
    # (30.24 MHz, 7.48 kHz) we get 120.3 Γ2 (87 u) and 119.6 Γ2 (87.906 u).
    w87 = doppler_fwhm(0.5, mass_u=87.0) / sr.gamma2
    w = doppler_fwhm(0.5) / sr.gamma2
    assert w87 == pytest.approx(120.3, abs=0.1)
    assert w == pytest.approx(119.6, abs=0.1)
    assert w87 / w == pytest.approx(math.sqrt(sr.mass_u / 87.0))
    assert abs(w87 - 120) / 120 < 0.05  # the paper's claim holds
    assert doppler_fwhm(0.0) == 0.0
