"""Several groups of atoms: derived equations against the exact Lindbladian.

Two groups of explicit atoms (1-2 each) with different parameters share one cavity
and the collective pump-phase noise. For a random state symmetric under permutations
inside each group (not across), the engine's d⟨O⟩/dt must equal tr(O L[ρ]) with the
exact QuTiP Liouvillian built from the same model definition, for operators within
one group and across groups (the cross-group correlations a group-by-group shortcut
would drop).
"""

import numpy as np
import pytest
import qutip
from random_states import symmetric_state
from test_cumulant_derive import _apply

from vlaser.cumulants import Create, Destroy, Transition, derive_operator
from vlaser.cumulants.exact import to_qutip
from vlaser.laser.model import CAVITY, group_space, laser_group_model

A, AD = Destroy(CAVITY), Create(CAVITY)
S1, S2 = group_space(1), group_space(2)


def s(space, i, j, k=1):
    return Transition(space, i, j, k)


OPERATORS = {
    "a": A,
    "a†a": AD * A,
    "a σ21(g1)": A * s(S1, 2, 1),
    "a σ22(g2)": A * s(S2, 2, 2),
    "σ12(g1)": s(S1, 1, 2),
    "σ21(g1) σ12(g2)": s(S1, 2, 1) * s(S2, 1, 2),
    "σ22(g1) σ33(g2)": s(S1, 2, 2) * s(S2, 3, 3),
    "σ13(g1) σ23(g2)": s(S1, 1, 3) * s(S2, 2, 3),
    "σ21(g2,1) σ12(g2,2)": s(S2, 2, 1, 1) * s(S2, 1, 2, 2),
    "a σ12(g1) σ32(g2)": A * s(S1, 1, 2) * s(S2, 3, 2),
}


def _values(seed):
    model = laser_group_model(2)
    rng = np.random.default_rng(seed)
    vals = {sym: float(rng.uniform(0.2, 1.5)) for sym in model.parameters}
    for sym in model.parameters:
        if sym.name.startswith(("Δ2", "Δ3", "Δc")):
            vals[sym] = float(rng.uniform(-3, 3))
    return vals


@pytest.mark.parametrize("counts", [(1, 1), (2, 1), (1, 2)])
@pytest.mark.parametrize("name", list(OPERATORS))
def test_two_group_derivative_matches_exact_lindbladian(counts, name):
    op = OPERATORS[name]
    for mono in op.terms:
        for space, lab, _i, _j in mono.atoms:
            if lab > counts[int(space.name[-1]) - 1]:
                pytest.skip("operator needs more atoms in a group")
    vals = _values(seed=sum(counts))
    em = to_qutip(laser_group_model(2), counts, fock_dim=8, values=vals)
    rho = symmetric_state(em, seed=3 + counts[0])
    exact = complex((em.op(op) * _apply(em, rho)).tr())
    # Symbolic N_k, evaluated at the explicit counts, against the explicit-count model.
    sym = derive_operator(laser_group_model(2), op)
    explicit = derive_operator(laser_group_model(2, counts=counts), op)
    for d in (sym, explicit):
        engine = complex((em.op(d) * rho).tr())
        assert abs(engine - exact) <= 1e-10 * (1 + abs(exact))


def test_one_group_family_equals_the_laser_model():
    # One group of the family is the laser model with renamed symbols.
    from vlaser.laser.model import PARAMETER_NAMES, group_symbols, laser_model

    ren = {group_symbols(1)[k]: PARAMETER_NAMES[k] for k in group_symbols(1)}
    space_map = {S1: laser_model().atom_space}
    for op in (AD * A, A * s(S1, 2, 1), s(S1, 1, 2) * s(S1, 2, 1, 2)):
        d1 = derive_operator(laser_group_model(1), op)
        d1 = qutip_free_relabel(d1, space_map).subs(ren).expand()
        d0 = derive_operator(laser_model(), qutip_free_relabel(op, space_map))
        assert (d1 - d0).is_zero()


def qutip_free_relabel(op, space_map):
    from vlaser.cumulants.algebra import Monomial, Operator

    out = {}
    for mono, c in op.terms.items():
        atoms = [(space_map.get(sp_, sp_), lab, i, j) for sp_, lab, i, j in mono.atoms]
        out[Monomial.build(mono.fock, atoms)] = c
    return Operator(out)


def test_state_is_symmetric_within_but_not_across_groups():
    em = to_qutip(laser_group_model(2), (2, 1), fock_dim=4, values=_values(0))
    rho = symmetric_state(em, seed=1)
    x = complex(qutip.expect(em.op(s(S2, 2, 2, 1)), rho))
    y = complex(qutip.expect(em.op(s(S1, 2, 2, 1)), rho))
    z = complex(qutip.expect(em.op(s(S1, 2, 2, 2)), rho))
    assert abs(y - z) < 1e-12 and abs(x - y) > 1e-6
