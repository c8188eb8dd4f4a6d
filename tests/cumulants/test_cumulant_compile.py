"""The compiled RHS and Jacobian against sympy and finite differences; kernels and cache."""

import numpy as np
import pytest

from vlaser.cumulants import Create, Destroy, compile_system, complete
from vlaser.cumulants.compile import derive_system
from vlaser.laser.model import CAVITY, laser_model

PHOTONS = Create(CAVITY) * Destroy(CAVITY)


@pytest.fixture(scope="module")
def compiled():
    system = complete(laser_model(), [PHOTONS], order=2)
    return system, compile_system(system, cache=False)


def _random_point(cs, seed, batch=()):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=batch + (cs.n_real,))
    p = rng.uniform(0.1, 2.0, size=batch + (len(cs.params),))
    return x, p


def test_rhs_matches_sympy_substitution(compiled):
    system, cs = compiled
    x, p = _random_point(cs, 1)
    u = cs.unpack(x)
    subs = {}
    for k in range(system.count):
        subs[system.symbols[k]] = complex(u[k])
        subs[system.conj_symbols[k]] = complex(np.conj(u[k]))
    for k, sym in enumerate(cs.params):
        subs[sym] = float(p[k])
    f = np.array([complex(r.xreplace(subs)) for r in system.rhs])
    # Same polynomial evaluated two ways: agreement to round-off.
    np.testing.assert_allclose(cs.rhs(x, p), cs.pack(f), rtol=1e-12, atol=1e-12)
    # Real averages have real right-hand sides.
    assert np.max(np.abs(f[np.array(system.real)].imag)) < 1e-12


def test_jacobian_matches_finite_differences(compiled):
    _, cs = compiled
    x, p = _random_point(cs, 2, (3,))
    jac = cs.jac(x, p)
    eps = 1e-6
    fd = np.zeros_like(jac)
    for k in range(cs.n_real):
        dx = np.zeros(cs.n_real)
        dx[k] = eps
        fd[..., k] = (cs.rhs(x + dx, p) - cs.rhs(x - dx, p)) / (2 * eps)
    # Central differences of a cubic polynomial: error ~ eps^2 |f'''| ~ 1e-11 plus
    # round-off ~ 1e-16 |f| / eps ~ 1e-9 for |f| ~ 10.
    np.testing.assert_allclose(jac, fd, atol=1e-7 * (1 + np.abs(jac).max()))


def test_numba_kernels_match_numpy(compiled):
    _, cs = compiled
    x, p = _random_point(cs, 3)
    kern = cs.point(p)
    np.testing.assert_allclose(kern.rhs(x), cs.rhs(x, p), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kern.jac(x), cs.jac(x, p), rtol=1e-12, atol=1e-12)


def test_batched_evaluation_equals_pointwise(compiled):
    _, cs = compiled
    x, p = _random_point(cs, 4, (4, 2))
    f = cs.rhs(x, p)
    for idx in np.ndindex(4, 2):
        np.testing.assert_allclose(f[idx], cs.rhs(x[idx], p[idx]), rtol=1e-13, atol=1e-13)


def test_pack_unpack_round_trip(compiled):
    _, cs = compiled
    x, _ = _random_point(cs, 5)
    np.testing.assert_array_equal(cs.pack(cs.unpack(x)), x)


def test_disk_cache_round_trip(tmp_path, monkeypatch):
    # The cache must reproduce a fresh derivation exactly (the fresh one is the evidence).
    monkeypatch.setenv("VLASER_CACHE_DIR", str(tmp_path))
    model = laser_model(n_atoms=1)
    first = derive_system(model, [PHOTONS], order=2)
    files = list((tmp_path / "cumulants").glob("system-*.pkl"))
    assert len(files) == 1
    again = derive_system(model, [PHOTONS], order=2)
    fresh = derive_system(model, [PHOTONS], order=2, cache=False)
    assert again.averages == fresh.averages == first.averages
    assert all((a - b).expand() == 0 for a, b in zip(again.rhs, fresh.rhs, strict=True))
    c1 = compile_system(again)
    c2 = compile_system(fresh, cache=False)
    x, p = _random_point(c2, 6)
    np.testing.assert_allclose(c1.rhs(x, p), c2.rhs(x, p), rtol=1e-13, atol=1e-13)


def test_derived_system_keys_the_compile_cache(tmp_path, monkeypatch):
    # A derived system carries its derivation key, so the compiled cache is found
    # without printing the equations; a system built otherwise is keyed by its text.
    from vlaser.cumulants.complete import System

    monkeypatch.setenv("VLASER_CACHE_DIR", str(tmp_path))
    model = laser_model(n_atoms=1)
    derived = derive_system(model, [PHOTONS], order=2)
    assert len(derived.key) == 24 and derive_system(model, [PHOTONS], order=2).key == derived.key
    reference = compile_system(derived)
    built = complete(model, [PHOTONS], 2)
    assert built.key == "" and built == derived  # the key does not enter equality
    monkeypatch.setattr(System, "text", lambda self: pytest.fail("text() called"))
    cached = compile_system(derive_system(model, [PHOTONS], order=2))
    assert cached.source == reference.source
    assert len(list((tmp_path / "cumulants").glob("compiled-*.pkl"))) == 1
