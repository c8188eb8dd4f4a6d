"""Cumulant orders 1, 2, 3 against the exact master equation for N = 1, 2, 3 atoms.

The exact model is built by :func:`vlaser.laser.to_qutip` from the same model
definition; the steady state is solved in the atom-permutation-invariant operator
subspace. Parameters are chosen so the cavity matters for a few atoms: strong coupling
g = 0.1 against Γ2 = 0.01 and κ = 0.02 (Purcell-enhanced decay of |2> via the cavity
~ g²/κ ≫ Γ2), n ≈ 0.15..0.33, and a weak collective pump linewidth.

Run with ``-s`` to see the comparison table. What the physics gives (pinned below):
mean field (order 1) has no spontaneous emission into the cavity, so n ≈ 0 and the
inversion stays at its uncoupled value; order 2 overestimates n by 5-7 %; order 3
underestimates it by 4-6 %, closer than order 2 for N = 2 and 3 (not for N = 1).
"""

import pytest

from vlaser.cumulants import Create, Destroy, Transition
from vlaser.laser import laser_equations, steady_state, to_qutip
from vlaser.laser.model import ATOM, CAVITY
from vlaser.params import LaserParams

PARAMS = dict(
    delta2=2.0,
    delta3=-1.0,
    omega2=0.5,
    omega3=0.5,
    gamma2=0.01,
    g=0.1,
    kappa=0.02,
    nu2=0.005,
    nu3=0.01,
)
FOCK = 7  # photon numbers 0..6; n <= 0.33 leaves ~1e-4 of the weight beyond (checked)

A, AD = Destroy(CAVITY), Create(CAVITY)


def _exact(n_atoms: int, fock: int) -> tuple[float, float]:
    em = to_qutip(LaserParams(atoms=n_atoms, **PARAMS), fock)
    rho = em.steady_state()
    n = em.expect(rho, AD * A).real
    p2 = em.expect(rho, Transition(ATOM, 2, 2, 1)).real
    p3 = em.expect(rho, Transition(ATOM, 3, 3, 1)).real
    return n, p2 - (1 - p2 - p3)


@pytest.fixture(scope="module")
def table():
    rows = {}
    for n_atoms in (1, 2, 3):
        lp = LaserParams(atoms=n_atoms, **PARAMS)
        exact = _exact(n_atoms, FOCK)
        approx = {}
        for order in (1, 2, 3):
            # Order 3 uses the explicit-N system (N = 1: 31, 2: 88, 3: 153 equations).
            ls = laser_equations(order, None if order < 3 else n_atoms)
            res = steady_state(lp, system=ls, dynamics=False)
            assert res.converged and res.stable
            approx[order] = (float(res.photons), float(res.inversion), ls.count)
        rows[n_atoms] = (exact, approx)
    print("\nN  exact n   inv      | order: n (rel. error)  inversion (abs. error)  [equations]")
    for n_atoms, ((n, inv), approx) in rows.items():
        parts = [f"{n_atoms}  {n:.5f}  {inv:+.5f} |"]
        for order, (na, ia, cnt) in approx.items():
            parts.append(
                f"k={order}: {na:.5f} ({na / n - 1:+.2%}) {ia:+.5f} ({ia - inv:+.4f}) [{cnt}]"
            )
        print("  ".join(parts))
    return rows


@pytest.mark.slow
def test_fock_cutoff_converged():
    for n_atoms in (1, 2):
        n7, i7 = _exact(n_atoms, FOCK)
        n9, i9 = _exact(n_atoms, FOCK + 2)
        # The comparisons below are at the percent level; the cutoff costs < 1e-4.
        assert abs(n7 / n9 - 1) < 1e-4 and abs(i7 - i9) < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("n_atoms", [1, 2, 3])
def test_second_order_within_percent_level(table, n_atoms):
    (n, inv), approx = table[n_atoms]
    n2, i2, _ = approx[2]
    # Second order is an approximation for few atoms: measured +5..7 %; bound 10 %.
    assert abs(n2 / n - 1) < 0.10
    assert abs(i2 - inv) < 0.05
    # Mean field misses the photons entirely (no spontaneous emission into the cavity).
    n1, i1, _ = approx[1]
    assert n1 < 1e-3 * n
    assert abs(i1 - inv) > 0.3


@pytest.mark.slow
@pytest.mark.parametrize("n_atoms", [1, 2, 3])
def test_third_order(table, n_atoms):
    (n, inv), approx = table[n_atoms]
    n2, i2, _ = approx[2]
    n3, i3, _ = approx[3]
    assert abs(n3 / n - 1) < 0.08
    if n_atoms >= 2:
        # Measured: order 3 is closer than order 2 for N = 2 and 3 ...
        assert abs(n3 / n - 1) < abs(n2 / n - 1)
        assert abs(i3 - inv) < abs(i2 - inv)
    else:
        # ... but not for one atom (−6.1 % vs +5.3 % in n): the expansion is not monotone.
        assert abs(n3 / n - 1) > abs(n2 / n - 1)
