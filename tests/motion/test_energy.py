"""Invariant check of the classical-quantum coupling: E_kin + <H> in a closed system.

Without decay (Γ2 = ν = 0, Γ3 = 1e-13: no jump happens) eqs. (12)-(14) conserve
E = Σ_i ω_r,i P_i² + <H(φ)> exactly: d<H>/dt = Σ_i <∂H/∂φ_i> φ̇_i and
d(ω_r P²)/dt = φ̇ Ṗ with Ṗ = −<∂H/∂φ>. This tests the sign and the units of the force
(eq. 14) independently of any reference solver.

The integrator holds the momentum at its step-start value inside H; the phase and
momentum at the step end include the exact force integrals I = ∫F dτ and
J = ∫(h − τ)F dτ. The energy error of one step is then ω_r [I² − 2 J F(h)]. For a force
A cos(ωτ + α) averaged over α this is ω_r A²/ω² [2(1 − cos ωh) − ωh sin ωh]
≈ ω_r A² ω² h⁴/12: a heating rate ∝ h³.
"""

from __future__ import annotations

import numpy as np
import pytest

from vlaser.motion import simulate
from vlaser.params import AtomParams
from vlaser.species import get_species

CLOSED = AtomParams(delta2=5.0, delta3=-1.0, omega2=0.5, omega3=0.5, gamma2=0.0, gamma3=1e-13)


def energy(r) -> np.ndarray:
    """E(t) of trajectory 0 (ħΓ3)."""
    p = r.setup.params
    pop, c, ph = r.populations[0], r.coherences[0], r.phase[0]
    h_int = -p.delta2 * pop[:, 1] - p.delta3 * pop[:, 2]
    h_int += 2 * p.omega2 * np.cos(ph[:, 0]) * c[:, 0].real
    h_int += 2 * p.omega3 * np.cos(ph[:, 1]) * c[:, 1].real
    return np.sum(r.setup.recoil * r.momentum[0] ** 2, axis=-1) + h_int


def drift(dt: float | None, recoil=None, t_max: float = 4000.0) -> tuple[float, float]:
    r = simulate(
        CLOSED,
        trajectories=1,
        t_max=t_max,
        seed=1,
        samples=101,
        recoil=recoil,
        p0=100.0 if recoil is None else (3.0, -2.0),
        phase0=(0.3, 0.2),
        dt=dt,
    )
    assert r.jumps.sum() == 0
    e = energy(r)
    kinetic = np.sum(r.setup.recoil * r.momentum[0] ** 2, axis=-1)
    return float(np.max(np.abs(e - e[0]))), float(np.ptp(kinetic))


def test_energy_invariant_88sr():
    # 88Sr recoil, p0 = 100 ħk: the kinetic energy swings by ~0.2 ħΓ3 (dipole forces)
    err_default, swing = drift(None)
    assert swing > 0.1
    # default step (x = 1.2, h = 0.23): measured 1.4e-4 over 4000/Γ3 (3.4e-8 per 1/Γ3)
    assert err_default < 2e-4
    err_fine, _ = drift(0.05)
    assert err_fine < 3e-6  # h³ law: (0.05/0.23)³ · 1.4e-4 = 1.4e-6


@pytest.mark.parametrize("dt", [0.2, 0.1])
def test_energy_error_scales_as_dt_cubed(dt):
    # exaggerated recoil to make the error large against round-off
    coarse, _ = drift(dt, recoil=(0.02, 0.05), t_max=400.0)
    fine, _ = drift(dt / 2, recoil=(0.02, 0.05), t_max=400.0)
    assert 5.0 < coarse / fine < 12.0  # 2³ = 8 (with the h⁴/12 next-order terms)


def test_species_recoil_used_by_default():
    r = simulate(CLOSED, trajectories=1, t_max=1.0, seed=1)
    sr = get_species("sr88")
    assert r.setup.recoil == pytest.approx([sr.recoil_energy(2), sr.recoil_energy(3)])
    assert r.setup.k_ratio == pytest.approx(689.449 / 460.862)
