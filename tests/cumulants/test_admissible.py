"""Admissibility conditions against exact states, and on states made unphysical.

Every condition of :mod:`vlaser.cumulants.admissible` is necessary for a physical
state, so it must hold (to round-off) on the moments of any density matrix: random
permutation-symmetric states of 2 and 3 explicit atoms (mixed and nearly pure, up to 2
photons), with the moments computed exactly by QuTiP from the same model definition.
Moments pushed beyond a bound must be flagged, naming that bound.
"""

import numpy as np
import pytest
from random_states import symmetric_state

from vlaser.cumulants import Operator
from vlaser.cumulants.admissible import RTOL, Admissibility
from vlaser.cumulants.algebra import Create, Destroy
from vlaser.cumulants.complete import complete
from vlaser.cumulants.exact import to_qutip
from vlaser.laser.model import CAVITY, PARAMETER_NAMES, laser_model


def _system(order):
    return complete(laser_model(), [Create(CAVITY) * Destroy(CAVITY)], order=order)


def _moments(system, em, rho):
    """Exact symmetric averages of the system's monomials (0 where they need more
    atoms than the state has: those conditions do not apply there)."""
    u = np.zeros(len(system.averages), complex)
    for k, mono in enumerate(system.averages):
        if max(mono.labels(), default=0) <= em.n_atoms:
            u[k] = em.expect(rho, Operator({mono: 1}))
    return u


def _exact(n_atoms):
    vals = {sym: 0.7 for sym in PARAMETER_NAMES.values()}
    return to_qutip(laser_model(), n_atoms, fock_dim=4, values=vals)


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("n_atoms", [2, 3])
@pytest.mark.parametrize("rank", [None, 1])
def test_conditions_hold_on_exact_states(order, n_atoms, rank):
    sys_ = _system(order)
    adm = Admissibility(sys_)
    em = _exact(n_atoms)
    for seed in range(3):
        u = _moments(sys_, em, symmetric_state(em, seed=seed, rank=rank))
        value, scale = adm.margins(u, n_atoms)
        needed = np.array([sum(m for _, m in c.atoms) for c in adm.conditions])
        applies = needed <= n_atoms
        # Exact moments from dense linear algebra: round-off ~1e-15 of the terms.
        assert np.all(value[applies] >= -1e-12 * (1 + scale[applies]))
        verdict = adm.check(u, n_atoms)
        assert verdict.physical and verdict.violation == "" and verdict.which == -1


def test_condition_kinds_and_count():
    adm = Admissibility(_system(2))
    kinds = {c.kind for c in adm.conditions}
    assert kinds == {"positive", "cauchy-schwarz", "collective"}
    texts = [c.text for c in adm.conditions]
    assert len(texts) == len(set(texts))
    for must in ("|⟨a⟩|² ≤ 1·⟨a†a⟩", "⟨σ11^1⟩ ≥ 0", "⟨a†a⟩ ≥ 0"):
        assert must in texts


def _physical_point():
    sys_ = _system(2)
    em = _exact(2)
    u = _moments(sys_, em, symmetric_state(em, seed=11))
    return sys_, Admissibility(sys_), u


def test_coherent_field_above_photon_number_is_flagged():
    sys_, adm, u = _physical_point()
    ka = sys_.index(Destroy(CAVITY))[0]
    kn = sys_.index(Create(CAVITY) * Destroy(CAVITY))[0]
    u[ka] = np.sqrt(2.0 * u[kn].real)  # |<a>|^2 = 2 n
    v = adm.check(u, 2)
    assert not v.physical
    assert v.violation.item().startswith("|⟨a⟩|² ≤ 1·⟨a†a⟩ fails by")
    # The flagged condition really fails, by much more than the tolerance.
    value, scale = adm.margins(u, 2)
    assert value[v.which] < -1e3 * RTOL * scale[v.which]


def test_population_outside_unit_interval_is_flagged():
    sys_, adm, u = _physical_point()
    from vlaser.cumulants.algebra import Transition
    from vlaser.laser.model import ATOM

    k2 = sys_.index(Transition(ATOM, 2, 2, 1))[0]
    k3 = sys_.index(Transition(ATOM, 3, 3, 1))[0]
    u[k2], u[k3] = 0.9, 0.3  # p1 = -0.2
    v = adm.check(u, 2)
    assert not v.physical and "σ11" in v.violation.item()


def test_collective_variance_is_flagged_and_needs_two_atoms():
    sys_, adm, u = _physical_point()
    from vlaser.cumulants.algebra import Transition
    from vlaser.laser.model import ATOM

    pair = sys_.index(Transition(ATOM, 1, 2, 1) * Transition(ATOM, 2, 1, 2))[0]
    p2 = u[sys_.index(Transition(ATOM, 2, 2, 1))[0]].real
    n = 1e4
    # Var(S21) = N p2 + N(N-1) <σ12^1 σ21^2> - N^2 |<σ21>|^2 < 0 for this correlation:
    u[pair] = -2.0 * p2 / (n - 1.0)
    v = adm.check(u, n)
    assert not v.physical and v.violation.item().startswith("Var(Σ_j σ")
    # A two-atom correlation says nothing at N = 1, but the collective condition
    # N(N-1)·pair vanishes there too: the point passes.
    assert adm.check(u, 1.0).physical


def test_batched_check_matches_pointwise():
    sys_, adm, u = _physical_point()
    bad = u.copy()
    bad[sys_.index(Destroy(CAVITY))[0]] = 10.0
    batch = np.stack([u, bad, np.full_like(u, np.nan)])
    v = adm.check(batch, np.array([2.0, 2.0, 2.0]))
    assert v.physical.tolist() == [True, False, False]
    assert v.violation[2] == "non-finite averages"
    assert v.violation[1] == adm.check(bad, 2.0).violation.item()
