"""Regression (spectrum) system of the K-group laser from slot models vs direct derivation.

``correlation_system(..., family=laser_family())`` derives the rows of atom-group
operators on (r + 1)-group slot models and instantiates them for K groups
(:class:`vlaser.cumulants.correlate._GroupDeriver`); without ``family`` every row is
derived on the K-group model. The rows must be the same sympy expressions, and the
spectra the same numbers (1e-10 relative, the issue's bound; the two routes evaluate
the same expressions, so they agree to round-off).
"""

import numpy as np
import pytest
import sympy as sp

from vlaser import DEFAULT_GAMMA2 as G2
from vlaser import LaserParams
from vlaser.cumulants.algebra import Create, Destroy
from vlaser.cumulants.correlate import CompiledCorrelation, correlation_system
from vlaser.laser import cavity_spectrum, spectrum, steady_state
from vlaser.laser.equations import group_equations
from vlaser.laser.model import CAVITY, laser_family


def _same_system(a, b) -> bool:
    if a.variables != b.variables or len(a.rows) != len(b.rows):
        return False
    for ra, rb in zip(a.rows, b.rows, strict=True):
        if set(ra) != set(rb) or any(sp.expand(ra[j] - rb[j]) != 0 for j in ra):
            return False
    exprs = zip(a.initial + a.stationary, b.initial + b.stationary, strict=True)
    return all(sp.expand(x - y) == 0 for x, y in exprs) and sp.expand(a.b_mean - b.b_mean) == 0


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("frame", ["coherent", "instantaneous"])
def test_slot_derivation_equals_direct(k, frame):
    ls = group_equations(k)
    args = (ls.system, Destroy(CAVITY), [Create(CAVITY)])
    direct = correlation_system(*args, frame=frame)
    slots = correlation_system(*args, frame=frame, family=laser_family())
    assert len(slots) == 3 + 8 * k  # 1, a, a†, and the 8 σij of each group
    assert _same_system(direct, slots)


@pytest.mark.slow
def test_slot_derivation_equals_direct_order3():
    ls = group_equations(2, order=3)
    args = (ls.system, Destroy(CAVITY), [Create(CAVITY)])
    assert _same_system(correlation_system(*args), correlation_system(*args, family=laser_family()))


@pytest.mark.parametrize("k", [2, 3])
def test_group_spectrum_equals_direct_route(k, monkeypatch):
    p = LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2, doppler_width=120 * G2, classes=k)
    ss = steady_state(p, dynamics=False)
    new = cavity_spectrum(p, steady=ss)

    def direct(order, frame, groups):
        ls = group_equations(groups, order)
        cs = correlation_system(ls.system, Destroy(CAVITY), [Create(CAVITY)], frame=frame)
        return ls, cs, CompiledCorrelation(cs)

    monkeypatch.setattr(spectrum, "_correlation_for", direct)
    old = cavity_spectrum(p, steady=ss)
    assert new.stable and old.stable
    for a, b in [
        (new.photons, old.photons),
        (new.fwhm, old.fwhm),
        (new.peak, old.peak),
        (new.line.height, old.line.height),
        (new.coherent_photons, old.coherent_photons),
    ]:
        np.testing.assert_allclose(a, b, rtol=1e-10)
    np.testing.assert_allclose(new.values, old.values, rtol=1e-10, atol=0)
