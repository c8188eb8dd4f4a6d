"""Two groups of atoms with different detunings against the exact master equation.

Two velocity classes (Gauss–Hermite nodes of a Doppler width: Δ2 ± 0.3Γ3, equal
weights) of 1 and 2 explicit atoms each share the cavity; the exact QuTiP model is
built from the same group-model definition (:func:`vlaser.laser.model.laser_group_model`).
Parameters as in ``test_laser_qutip.py`` (strong coupling so few atoms matter). Order 2
is the template system (symbolic N_k), order 3 the explicit-count one.

Run with ``-s`` for the table. The bound for order 2 is the homogeneous test's (10 % in
n, measured +5..7 % there); the groups are compared with the homogeneous laser of the
same total N in the same test.
"""

import math

import numpy as np
import pytest

from vlaser.cumulants import Create, Destroy, Transition
from vlaser.cumulants.exact import to_qutip
from vlaser.laser import steady_state
from vlaser.laser import to_qutip as laser_to_qutip
from vlaser.laser.equations import group_equations
from vlaser.laser.model import CAVITY, group_space, laser_group_model
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
SHIFT = 0.3  # ± Δ2 shift of the two classes
WIDTH = SHIFT * 2.0 * math.sqrt(2.0 * math.log(2.0))  # FWHM whose 2 nodes are ±SHIFT
FOCK = 7
# One explicit atom per class: the exact solve takes ~2 s. Two atoms in a class go
# through the permutation-symmetric route (50 s for (1, 2), minutes and GBs for (2, 2)),
# too slow for CI; run them by hand by adding them here.
COUNTS = ((1, 1),)


def _lp(total: int) -> LaserParams:
    return LaserParams(atoms=total, doppler_width=WIDTH, classes=2, **PARAMS)


def _exact(counts: tuple[int, int]) -> tuple[float, float]:
    lp = _lp(sum(counts))
    ls = group_equations(2)
    p = ls.param_array(lp)
    model = laser_group_model(2)
    em = to_qutip(model, counts, FOCK, dict(zip(model.parameters, p, strict=True)))
    rho = em.steady_state()
    n = em.expect(rho, Create(CAVITY) * Destroy(CAVITY)).real
    inv = 0.0
    for k, c in enumerate(counts, start=1):
        p2 = em.expect(rho, Transition(group_space(k), 2, 2, 1)).real
        p3 = em.expect(rho, Transition(group_space(k), 3, 3, 1)).real
        inv += c / sum(counts) * (p2 - (1 - p2 - p3))
    return n, inv


@pytest.fixture(scope="module")
def table():
    rows = {}
    for counts in COUNTS:
        total = sum(counts)
        exact = _exact(counts)
        lp = _lp(total)
        o2 = steady_state(lp, dynamics=False)
        o3 = steady_state(lp, order=3, system=group_equations(2, 3, counts=counts), dynamics=False)
        hom_lp = LaserParams(atoms=total, **PARAMS)
        hom_exact = laser_to_qutip(hom_lp, FOCK)
        rho = hom_exact.steady_state()
        n_hom = hom_exact.expect(rho, Create(CAVITY) * Destroy(CAVITY)).real
        hom2 = steady_state(hom_lp, dynamics=False)
        for res in (o2, o3, hom2):
            assert res.converged and res.stable
        rows[counts] = {
            "exact": exact,
            "o2": (float(o2.photons), float(o2.inversion)),
            "o3": (float(o3.photons), float(o3.inversion)),
            "hom_err2": float(hom2.photons) / n_hom - 1,
        }
    print("\ncounts  exact n  inv     | order 2 n (err)   | order 3 n (err)   | homog. order-2 err")
    for counts, r in rows.items():
        (n, inv), (n2, _), (n3, _) = r["exact"], r["o2"], r["o3"]
        print(
            f"{counts}  {n:.5f} {inv:+.4f} | {n2:.5f} ({n2 / n - 1:+.2%}) | "
            f"{n3:.5f} ({n3 / n - 1:+.2%}) | {r['hom_err2']:+.2%}"
        )
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("counts", COUNTS)
def test_two_groups_order2_as_accurate_as_homogeneous(table, counts):
    r = table[counts]
    (n, inv), (n2, i2) = r["exact"], r["o2"]
    err2 = n2 / n - 1
    # Same bound as the homogeneous laser (10 %), and the same sign and size as the
    # homogeneous error at this N (the classes add no error of their own): within
    # 2 percentage points of it.
    assert abs(err2) < 0.10
    assert abs(err2 - r["hom_err2"]) < 0.02
    assert abs(i2 - inv) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("counts", COUNTS)
def test_two_groups_order3_closer(table, counts):
    r = table[counts]
    (n, inv), (n2, i2), (n3, i3) = r["exact"], r["o2"], r["o3"]
    assert abs(n3 / n - 1) < abs(n2 / n - 1)
    assert abs(i3 - inv) < abs(i2 - inv)


def test_classes_really_differ():
    ls = group_equations(2)
    p = ls.param_array(_lp(2))
    d2 = p[..., [ls.param_fields.index("delta2_1"), ls.param_fields.index("delta2_2")]]
    np.testing.assert_allclose(sorted(d2), [2.0 - SHIFT, 2.0 + SHIFT], rtol=1e-12)
