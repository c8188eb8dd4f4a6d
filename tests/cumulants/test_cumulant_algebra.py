"""The operator algebra against explicit matrices (normal ordering, commutators, adjoint)."""

import numpy as np
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from vlaser.cumulants import (
    Create,
    Destroy,
    FockSpace,
    NLevelSpace,
    Operator,
    Transition,
    commutator,
)
from vlaser.cumulants.algebra import IDENTITY, Monomial

CAV = FockSpace("a")
ATOM = NLevelSpace("atom", 3, ground=1)
ATOM_FULL = NLevelSpace("atom", 3, ground=None)
FOCK = 10  # truncated Fock dimension of the reference matrices
N_ATOMS = 2


def _fock_ops():
    a = np.diag(np.sqrt(np.arange(1, FOCK)), 1)
    return a, a.T.copy()


def _embed(fock_op, atom_ops):
    out = fock_op
    for m in atom_ops:
        out = np.kron(out, m)
    return out


def _sigma(i, j):
    m = np.zeros((3, 3))
    m[i - 1, j - 1] = 1.0
    return m


def matrix(op: Operator) -> np.ndarray:
    """Explicit matrix of an operator (cavity ⊗ atom 1 ⊗ atom 2)."""
    a, ad = _fock_ops()
    dim = FOCK * 3**N_ATOMS
    out = np.zeros((dim, dim), dtype=complex)
    for mono, c in op.terms.items():
        f = np.eye(FOCK)
        for _s, m, n in mono.fock:
            f = np.linalg.matrix_power(ad, m) @ np.linalg.matrix_power(a, n)
        atoms = [np.eye(3) for _ in range(N_ATOMS)]
        for _s, lab, i, j in mono.atoms:
            atoms[lab - 1] = _sigma(i, j)
        out += complex(c) * _embed(f, atoms)
    return out


# Elementary factors: a, a†, σij on atom 1 or 2 (both level-space variants).
FACTORS = [("a", None), ("ad", None)] + [
    ("s", (i, j, lab)) for i in (1, 2, 3) for j in (1, 2, 3) for lab in (1, 2)
]


def _factor(tok, space):
    kind, arg = tok
    if kind == "a":
        return Destroy(CAV), np.kron(_fock_ops()[0], np.eye(9))
    if kind == "ad":
        return Create(CAV), np.kron(_fock_ops()[1], np.eye(9))
    i, j, lab = arg
    atoms = [np.eye(3), np.eye(3)]
    atoms[lab - 1] = _sigma(i, j)
    return Transition(space, i, j, lab), _embed(np.eye(FOCK), atoms)


words = st.lists(st.sampled_from(FACTORS), min_size=1, max_size=5)
coefs = st.complex_numbers(
    min_magnitude=0.1, max_magnitude=3, allow_nan=False, allow_infinity=False
)


def _valid_columns(n_factors: int) -> slice:
    # A product of k elementary factors applied to |n> only visits occupations <= n + k,
    # so on columns n <= FOCK - 1 - k the truncated matrices are exact.
    keep = FOCK - n_factors
    idx = np.arange(FOCK * 9).reshape(FOCK, 9)[:keep].ravel()
    return idx


def _product(word, space):
    op = Operator.scalar(1)
    mat = np.eye(FOCK * 9, dtype=complex)
    for tok in word:
        o, m = _factor(tok, space)
        op = op * o
        mat = mat @ m
    return op, mat


@given(words, st.sampled_from([ATOM, ATOM_FULL]))
def test_normal_ordered_product_matches_matrices(word, space):
    op, mat = _product(word, space)
    cols = _valid_columns(len(word))
    # Exact integer/rational arithmetic on both sides: agreement to round-off.
    np.testing.assert_allclose(matrix(op)[:, cols], mat[:, cols], atol=1e-9)


@given(words, words, st.sampled_from([ATOM, ATOM_FULL]))
def test_commutator_matches_matrices(w1, w2, space):
    x, mx = _product(w1, space)
    y, my = _product(w2, space)
    cols = _valid_columns(len(w1) + len(w2))
    np.testing.assert_allclose(
        matrix(commutator(x, y))[:, cols], (mx @ my - my @ mx)[:, cols], atol=1e-9
    )


@given(words, coefs)
def test_adjoint_is_an_involution_and_the_conjugate_transpose(word, c):
    op, _ = _product(word, ATOM)
    op = sp.nsimplify(c.real) * op + sp.I * sp.nsimplify(c.imag) * op
    assert op.dag().dag() == op
    cols = _valid_columns(len(word))
    # (X†)_{mn} = conj(X_{nm}); rows and columns both restricted to the exact block.
    m, md = matrix(op), matrix(op.dag())
    np.testing.assert_allclose(md[np.ix_(cols, cols)], m.conj().T[np.ix_(cols, cols)], atol=1e-9)


def test_ground_elimination_and_identities():
    s = lambda i, j: Transition(ATOM, i, j, 1)  # noqa: E731
    # σ11 = 1 − σ22 − σ33, σ12 σ21 = σ11, σ21 σ12 = σ22, σ12 σ12 = 0.
    assert s(1, 1) == 1 - s(2, 2) - s(3, 3)
    assert s(1, 2) * s(2, 1) == 1 - s(2, 2) - s(3, 3)
    assert s(2, 1) * s(1, 2) == s(2, 2)
    assert (s(1, 2) * s(1, 2)).is_zero()
    a, ad = Destroy(CAV), Create(CAV)
    assert commutator(a, ad) == Operator.scalar(1)
    # a a† = a†a + 1 in normal order.
    assert a * ad == ad * a + 1
    assert (a * a * ad * ad) == ad * ad * a * a + 4 * ad * a + 2


def test_monomial_order_and_printing():
    a, ad = Destroy(CAV), Create(CAV)
    op = ad * a * Transition(ATOM, 2, 1, 1)
    (mono,) = op.terms
    assert mono.order == 3
    assert mono.text() == "a†a σ21^1"
    assert "\\sigma_{21}^{1}" in mono.latex()
    assert IDENTITY == Monomial()
    assert "a^{\\dagger}" in op.latex()
