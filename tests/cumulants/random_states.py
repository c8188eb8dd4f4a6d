"""Random permutation-symmetric density matrices of a model's exact QuTiP form (tests)."""

import itertools

import numpy as np
import qutip


def symmetric_state(em, seed, max_photons=2, rank=None):
    """A random state on <= ``max_photons`` photons, symmetrized over atom permutations.

    ``rank`` (default: full) is the rank of the random matrix before symmetrization:
    ``rank=1`` gives nearly pure states, whose moments come close to the
    Cauchy–Schwarz bounds.
    """
    rng = np.random.default_rng(seed)
    dims = em.H.dims[0]
    fock, levels, n = dims[0], dims[1], em.n_atoms
    d = fock * levels**n
    r = d if rank is None else rank
    m = rng.normal(size=(d, r)) + 1j * rng.normal(size=(d, r))
    keep = (np.arange(d) // levels**n) <= max_photons
    m[~keep, :] = 0.0
    rho = m @ m.conj().T
    # Symmetrize over atom permutations.
    tens = rho.reshape([fock] + [levels] * n + [fock] + [levels] * n)
    acc = np.zeros_like(tens)
    for perm in itertools.permutations(range(n)):
        axes = [0] + [1 + p for p in perm] + [n + 1] + [n + 2 + p for p in perm]
        acc += np.transpose(tens, axes)
    rho = acc.reshape(d, d)
    rho /= np.trace(rho)
    return qutip.Qobj(rho, dims=em.H.dims)
