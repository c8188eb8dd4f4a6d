"""Derived equations of motion against the exact master equation on explicit matrices.

For a permutation-symmetric density matrix ρ (random, supported on <= 2 photons) the
engine's d⟨O⟩/dt — identical-atom sums reduced with multiplicities N − |A| — must equal
tr(O L[ρ]) computed with the explicit QuTiP Liouvillian of the same model definition.
"""

import numpy as np
import pytest
import qutip
import sympy as sp
from random_states import symmetric_state as _symmetric_state

from vlaser.cumulants import Create, Destroy, Transition, derive_operator
from vlaser.cumulants.exact import to_qutip
from vlaser.laser.model import ATOM, CAVITY, PARAMETER_NAMES, N, laser_model

A, AD = Destroy(CAVITY), Create(CAVITY)


def s(i, j, k):
    return Transition(ATOM, i, j, k)


def _values(seed):
    rng = np.random.default_rng(seed)
    vals = {sym: float(rng.uniform(0.2, 1.5)) for sym in PARAMETER_NAMES.values()}
    vals[PARAMETER_NAMES["delta2"]] = float(rng.uniform(-3, 3))
    vals[PARAMETER_NAMES["delta3"]] = float(rng.uniform(-3, 3))
    return vals


OPERATORS = {
    "a": A,
    "a†a": AD * A,
    "a^2": A * A,
    "a σ21^1": A * s(2, 1, 1),
    "a†a σ22^1": AD * A * s(2, 2, 1),
    "σ12^1": s(1, 2, 1),
    "σ23^1": s(2, 3, 1),
    "σ12^1 σ21^2": s(1, 2, 1) * s(2, 1, 2),
    "σ13^1 σ22^2": s(1, 3, 1) * s(2, 2, 2),
    "a σ32^1 σ33^2": A * s(3, 2, 1) * s(3, 3, 2),
}


@pytest.mark.parametrize("n_atoms", [2, 3])
@pytest.mark.parametrize("name", list(OPERATORS))
def test_derivative_matches_exact_lindbladian(n_atoms, name):
    op = OPERATORS[name]
    if max(op.labels(), default=0) > n_atoms:
        pytest.skip("operator needs more atoms")
    vals = _values(seed=n_atoms)
    model = laser_model(n_atoms=n_atoms)
    em = to_qutip(laser_model(), n_atoms, fock_dim=8, values=vals)
    rho = _symmetric_state(em, seed=7 + n_atoms)
    drho = _apply(em, rho)
    exact = complex((em.op(op) * drho).tr())
    engine = complex((em.op(derive_operator(model, op)) * rho).tr())
    # Both sides are exact linear algebra on the same truncated matrices (<= 2 photons
    # in ρ keep all occupations well below the cutoff 8): equal to round-off.
    assert abs(engine - exact) <= 1e-10 * (1 + abs(exact))


def _apply(em, rho):
    """L[ρ] = −i[H, ρ] + Σ (CρC† − ½{C†C, ρ}), sparse."""
    h = em.H.data.as_scipy()
    r = rho.full()
    out = -1j * (h @ r - (h.T @ r.T).T)
    for c in em.c_ops:
        cm = c.data.as_scipy()
        cd = cm.conj().T
        cdc = cd @ cm
        out += (cm @ (cd.T @ r.T).T) - 0.5 * (cdc @ r + (cdc.T @ r.T).T)
    return qutip.Qobj(out, dims=rho.dims)


def test_symbolic_n_equals_explicit_n():
    # Deriving with the symbol N and substituting N = 3 equals deriving with N = 3.
    op = A * s(2, 1, 1)
    sym = derive_operator(laser_model(), op).subs({N: 3}).expand()
    num = derive_operator(laser_model(n_atoms=3), op)
    assert (sym - num).is_zero()


def test_collective_dephasing_spares_phase_invariant_products():
    # ν2 D[a†a + S2]: ⟨aσ21⟩ and ⟨σ21^1σ12^2⟩ have zero excitation charge, no ν2 term;
    # ⟨a⟩ and ⟨σ12⟩ (charge −1) decay at ν2/2, ⟨a^2⟩ (charge −2) at 2ν2.
    nu2 = PARAMETER_NAMES["nu2"]
    model = laser_model()

    def nu2_coefficient(op):
        d = derive_operator(model, op)
        (mono,) = op.terms
        return sp.expand(d.terms.get(mono, 0)).coeff(nu2)

    assert nu2_coefficient(A * s(2, 1, 1)) == 0
    assert nu2_coefficient(s(2, 1, 1) * s(1, 2, 2)) == 0
    assert nu2_coefficient(A) == sp.Rational(-1, 2)
    assert nu2_coefficient(s(1, 2, 1)) == sp.Rational(-1, 2)
    assert nu2_coefficient(A * A) == -2
    # Photon number decays at 2κ (κ is the field decay rate).
    kappa = PARAMETER_NAMES["kappa"]
    d = derive_operator(model, AD * A)
    assert sp.expand(d.terms[next(iter((AD * A).terms))]).coeff(kappa) == -2
