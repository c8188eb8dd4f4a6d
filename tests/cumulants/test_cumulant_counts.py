"""Size of the closed laser system: the paper's 37 equations (Appendix C.1)."""

import pytest

from vlaser.cumulants import Create, Destroy, complete
from vlaser.laser.model import CAVITY, laser_model


@pytest.fixture(scope="module")
def photon_number():
    return Create(CAVITY) * Destroy(CAVITY)


def test_second_order_symbolic_n_has_37_equations(photon_number):
    # Paper (Appendix C.1): "in total 37" second-order equations for symbolic N.
    # 16 single-atom + cavity averages and 21 two-atom correlations <σ^1 σ^2>
    # (36 unordered pairs of the 8 non-ground transitions, folded by conjugation).
    system = complete(laser_model(), [photon_number], order=2)
    assert system.count == 37
    assert sum(1 for m in system.averages if len(m.atoms) == 2) == 21
    # 9 self-conjugate averages (a†a, σ22, σ33 and six two-atom ones) -> 65 reals.
    assert system.n_real == 65


def test_second_order_one_explicit_atom_has_16_equations(photon_number):
    system = complete(laser_model(n_atoms=1), [photon_number], order=2)
    assert system.count == 16
    assert all(len(m.atoms) <= 1 for m in system.averages)


@pytest.mark.parametrize("n_atoms", [None, 1, 3])
def test_mean_field_has_6_equations(photon_number, n_atoms):
    # Order 1: <a>, <σ22>, <σ33>, <σ12>, <σ13>, <σ23>; <a†a> is replaced by |<a>|^2.
    system = complete(laser_model(n_atoms=n_atoms), [photon_number], order=1)
    assert system.count == 6
    assert all(m.order == 1 for m in system.averages)


def test_two_explicit_atoms_equal_symbolic_count(photon_number):
    # With N = 2 every two-atom correlation is still reachable (multiplicity N - 1 = 1).
    system = complete(laser_model(n_atoms=2), [photon_number], order=2)
    assert system.count == 37


def test_completion_is_idempotent(photon_number):
    first = complete(laser_model(), [photon_number], order=2)
    again = complete(laser_model(), first.averages, order=2)
    assert set(again.averages) == set(first.averages)
    for m, r in zip(first.averages, first.rhs, strict=True):
        k = again.averages.index(m)
        assert (again.rhs[k] - r).expand() == 0
