"""The cumulant expansion is exact where it must be.

* product states (coherent cavity ⊗ identical uncorrelated atoms): every moment
  factorizes, so the expansion at any order reproduces the exact moment;
* Gaussian bosonic states (displaced thermal): all cumulants beyond second order
  vanish, so the order-2 expansion of a†^m a^n is exact (Wick).
"""

import math

import numpy as np
import pytest
import qutip
from hypothesis import given
from hypothesis import strategies as st

from vlaser.cumulants import Create, Destroy, FockSpace, NLevelSpace, Transition, cumulant_expand
from vlaser.cumulants.expand import average_info, averages_in, joint_cumulant, set_partitions

CAV = FockSpace("a")
ATOM = NLevelSpace("atom", 3, ground=1)
FOCK = 40
FOCK_GAUSS = 90  # displacement on a truncated space needs room above n ~ 1


def _rho_atom(seed=3):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    r = m @ m.conj().T
    return r / np.trace(r)


def _exact_moment(mono, alpha, rho_atom, rho_fock=None):
    """⟨mono⟩ in (cavity state) ⊗ ρ_atom^{⊗m}."""
    a = qutip.destroy(FOCK if rho_fock is None else rho_fock.shape[0]).full()
    if rho_fock is None:
        v = qutip.coherent(FOCK, alpha).full()
        rho_fock = v @ v.conj().T
    val = 1.0 + 0j
    for _s, m, n in mono.fock:
        op = np.linalg.matrix_power(a.conj().T, m) @ np.linalg.matrix_power(a, n)
        val *= np.trace(op @ rho_fock)
    if not mono.fock:
        val *= np.trace(rho_fock)
    for _s, _lab, i, j in mono.atoms:
        val *= rho_atom[j - 1, i - 1]  # <σij> = ρ_ji
    return val


def _evaluate(expr, alpha, rho_atom, rho_fock=None):
    subs = {}
    for sym in averages_in(expr):
        info = average_info(sym)
        v = _exact_moment(info.monomial, alpha, rho_atom, rho_fock)
        subs[sym] = np.conj(v) if info.conjugate else v
    return complex(expr.xreplace({k: complex(v) for k, v in subs.items()}))


FACTOR = st.sampled_from(["a", "ad"] + [f"s{i}{j}" for i in (1, 2, 3) for j in (1, 2, 3)])


def _build(tokens):
    op = 1
    label = 0
    for t in tokens:
        if t == "a":
            op = op * Destroy(CAV)
        elif t == "ad":
            op = Create(CAV) * op  # keep normal order: creators to the left
        else:
            label += 1
            op = op * Transition(ATOM, int(t[1]), int(t[2]), label)
    return op


@given(st.lists(FACTOR, min_size=1, max_size=5), st.integers(1, 3))
def test_expansion_exact_for_product_states(tokens, order):
    op = _build(tokens)
    if not hasattr(op, "terms"):
        return
    alpha = 0.7 - 0.4j
    rho = _rho_atom()
    for mono, c in op.terms.items():
        exact = complex(c) * _exact_moment(mono, alpha, rho)
        approx = complex(c) * _evaluate(cumulant_expand(mono, order), alpha, rho)
        # Exact identity for product states; only round-off remains.
        assert abs(approx - exact) <= 1e-9 * (1 + abs(exact))


@pytest.mark.parametrize("m,n", [(2, 2), (3, 1), (2, 3), (3, 3)])
def test_order_two_exact_for_gaussian_states(m, n):
    # Displaced thermal state: Gaussian, so cumulants of order > 2 vanish.
    nth, alpha = 0.8, 0.5 + 0.3j
    big = FOCK_GAUSS
    rho = (
        qutip.displace(big, alpha) * qutip.thermal_dm(big, nth) * qutip.displace(big, alpha).dag()
    ).full()
    a, ad = Destroy(CAV), Create(CAV)
    op = 1
    for _ in range(m):
        op = ad * op
    for _ in range(n):
        op = op * a
    (mono,) = op.terms
    exact = _exact_moment(mono, 0, np.eye(3) / 3, rho)
    approx = _evaluate(cumulant_expand(mono, 2), 0, np.eye(3) / 3, rho)
    # A 90-level Fock space holds the displaced thermal state (n ~ 1) to ~1e-12.
    assert abs(approx - exact) <= 1e-9 * (1 + abs(exact))
    # ... while mean field (order 1) misses the thermal part.
    mf = _evaluate(cumulant_expand(mono, 1), 0, np.eye(3) / 3, rho)
    assert abs(mf - exact) > 1e-2


def test_joint_cumulant_vanishes_for_product_states():
    a, ad = Destroy(CAV), Create(CAV)
    op = ad * a * Transition(ATOM, 2, 1, 1) * Transition(ATOM, 1, 3, 2)
    (mono,) = op.terms
    val = _evaluate(joint_cumulant(mono), 0.4 + 0.2j, _rho_atom())
    assert abs(val) < 1e-12


def test_partition_counts_are_bell_numbers():
    assert [sum(1 for _ in set_partitions(n)) for n in range(1, 7)] == [1, 2, 5, 15, 52, 203]
    assert math.comb(5, 2) == 10  # (sanity of the helper import)


def test_third_order_expansion_formula():
    # ⟨ABC⟩ at order 2 = ⟨AB⟩⟨C⟩ + ⟨AC⟩⟨B⟩ + ⟨BC⟩⟨A⟩ − 2⟨A⟩⟨B⟩⟨C⟩ (paper Appendix C).
    a = Destroy(CAV)
    op = Create(CAV) * a * Transition(ATOM, 2, 2, 1)
    (mono,) = op.terms
    expr = cumulant_expand(mono, 2)
    names = sorted(str(t) for t in expr.as_ordered_terms())
    assert len(names) == 4
    assert any("-2" in t for t in names)
