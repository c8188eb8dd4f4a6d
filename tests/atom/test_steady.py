"""Steady state of the V atom: QuTiP agreement, invariants, analytic limits."""

from __future__ import annotations

import numpy as np
import qutip
from atom_qutip_ref import model, random_point

from vlaser.atom import liouvillian, steady_state
from vlaser.atom.liouvillian import vec
from vlaser.params import AtomParams

RNG_SEED = 20200724


def test_matches_qutip_steadystate_at_random_points():
    rng = np.random.default_rng(RNG_SEED)
    points = [random_point(rng) for _ in range(40)]
    for p in points:
        h, c_ops = model(p)
        ref = qutip.steadystate(h, c_ops).full()
        ours = steady_state(p).rho
        # 1e-9 absolute on every matrix element (brief); both are direct solves in
        # double precision with condition numbers ≲ 1e5, leaving ~1e-12.
        np.testing.assert_allclose(ours, ref, atol=1e-9, rtol=0)


def test_liouvillian_matches_qutip_superoperator():
    rng = np.random.default_rng(RNG_SEED + 1)
    for _ in range(10):
        p = random_point(rng)
        h, c_ops = model(p)
        ref = qutip.liouvillian(h, c_ops).full()
        # Same column-stacking convention as QuTiP; entries are exact sums of
        # parameters, so agreement is to round-off (1e-13 with |L| ≲ 20).
        np.testing.assert_allclose(liouvillian(p), ref, atol=1e-13, rtol=0)


def test_batched_equals_pointwise_and_broadcasts():
    rng = np.random.default_rng(RNG_SEED + 2)
    d2 = rng.uniform(-10, 10, 7)[:, None]
    om3 = rng.uniform(0.1, 2, 5)[None, :]
    p = AtomParams.paper(delta2=d2, omega3=om3, nu2=1e-3, gamma23=2e-4)
    ss = steady_state(p)
    assert ss.rho.shape == (7, 5, 3, 3)
    for idx in [(0, 0), (3, 2), (6, 4)]:
        single = steady_state(p.point(idx))
        # Same arithmetic per point; batching may change LAPACK blocking only.
        np.testing.assert_allclose(ss.rho[idx], single.rho, atol=1e-13)


def test_invariants_on_a_grid():
    p = AtomParams.paper(
        delta2=np.linspace(-10, 10, 41)[:, None], delta3=np.linspace(-10, 10, 41)[None, :], nu3=0.3
    )
    ss = steady_state(p)
    rho = ss.rho
    tr = np.trace(rho, axis1=-2, axis2=-1)
    # Trace and Hermiticity to round-off (the trace row is imposed exactly).
    np.testing.assert_allclose(tr, 1.0, atol=1e-12)
    np.testing.assert_allclose(rho, np.conj(np.swapaxes(rho, -1, -2)), atol=1e-15)
    eig = np.linalg.eigvalsh(rho)
    # Positive semidefinite to round-off.
    assert eig.min() > -1e-12
    assert np.all((ss.populations >= -1e-12) & (ss.populations <= 1 + 1e-12))
    np.testing.assert_allclose(ss.inversion, ss.populations[..., 1] - ss.populations[..., 0])
    # L ρ = 0 checked in the complex representation too.
    res = np.einsum("...ij,...j->...i", liouvillian(p), vec(rho))
    assert np.abs(res).max() < 1e-12


def test_two_level_limit_omega3_zero():
    """Ω3 = 0: |3> stays empty and |1>-|2> is a driven, damped two-level atom.

    With pure radiative decay Γ plus dephasing ν (coherence decay γ⊥ = (Γ+ν)/2) the
    Bloch equations give p2 = 2Ω²γ⊥/Γ / (γ⊥² + Δ² + 4Ω²γ⊥/Γ) for H = −Δσ22 + Ω(σ21+σ12).
    """
    rng = np.random.default_rng(RNG_SEED + 3)
    for _ in range(20):
        d, om, g, nu = (
            rng.uniform(-5, 5),
            rng.uniform(0.01, 2),
            rng.uniform(0.01, 1),
            rng.uniform(0, 1),
        )
        ss = steady_state(AtomParams(delta2=d, omega2=om, gamma2=g, nu2=nu, delta3=1.0))
        gp = 0.5 * (g + nu)
        p2 = (2 * om**2 * gp / g) / (gp**2 + d**2 + 4 * om**2 * gp / g)
        # Analytic formula vs exact solve: round-off only.
        assert abs(ss.populations[1] - p2) < 1e-12
        assert abs(ss.populations[2]) < 1e-14


def test_strong_drive_limits():
    """Paper Sec. II: one huge Rabi frequency -> half the population in that level and
    ground; both huge -> 1/2, 1/4, 1/4."""
    big = 1e4
    s2 = steady_state(AtomParams.paper(omega2=big)).populations
    s3 = steady_state(AtomParams.paper(omega3=big)).populations
    both = steady_state(AtomParams.paper(omega2=big, omega3=big)).populations
    # Corrections are O(other frequencies / Ω) ~ 1e-3 at Ω = 1e4 (Δ ≲ 5 in the shift).
    np.testing.assert_allclose(s2[:2], [0.5, 0.5], atol=2e-3)
    np.testing.assert_allclose(s3[[0, 2]], [0.5, 0.5], atol=2e-3)
    np.testing.assert_allclose(both, [0.5, 0.25, 0.25], atol=2e-3)


def test_singular_point_is_nan_and_flagged():
    ss = steady_state(AtomParams(omega2=0.0, gamma2=0.0, omega3=1.0))
    assert bool(ss.singular)
    assert np.all(np.isnan(ss.populations))


def test_dataset_has_coordinates_and_units():
    p = AtomParams.paper(delta2=np.linspace(-1, 1, 3)[:, None], omega2=np.array([[0.1, 0.2]]))
    ds = steady_state(p).to_dataset()
    assert ds["inversion"].dims == ("delta2", "omega2")
    assert ds["delta2"].attrs["units"] == "Gamma3"
    assert ds["inversion"].attrs["units"] == "1"
    assert ds.attrs["delta3"] == -1.0


def test_paper_point_is_inverted():
    # Sr ratio at the paper's working point: the atom is inverted.
    assert steady_state(AtomParams.paper()).inversion > 0.5


def test_physical_flag_checks_positivity_of_rho():
    import dataclasses

    p = AtomParams.paper(delta2=np.linspace(-10, 10, 41)[:, None], nu2=np.array([[0.0, 0.1]]))
    ss = steady_state(p)
    assert ss.physical.all() and np.all(ss.min_eigenvalue >= -1e-12)
    assert ss.to_dataset()["physical"].values.all()
    # A Hermitian, trace-1 matrix with a negative eigenvalue is not a state:
    bad = np.diag([1.2, -0.1, -0.1]).astype(complex)
    one = steady_state(AtomParams.paper())
    assert not dataclasses.replace(one, rho=bad).physical
    assert not steady_state(AtomParams(omega2=0.0, gamma2=0.0, omega3=1.0)).physical
