"""Random permutation-symmetric density matrices of a model's exact QuTiP form (tests)."""

import itertools

import numpy as np
import qutip


def symmetric_state(em, seed, max_photons=2, rank=None):
    """A random state on <= ``max_photons`` photons, symmetrized over the permutations
    of the atoms inside each group.

    ``rank`` (default: full) is the rank of the random matrix before symmetrization:
    ``rank=1`` gives nearly pure states, whose moments come close to the
    Cauchy–Schwarz bounds.
    """
    rng = np.random.default_rng(seed)
    dims = list(em.H.dims[0])
    atoms = dims[1:]
    n = len(atoms)
    d = int(np.prod(dims))
    r = d if rank is None else rank
    m = rng.normal(size=(d, r)) + 1j * rng.normal(size=(d, r))
    keep = (np.arange(d) // int(np.prod(atoms))) <= max_photons
    m[~keep, :] = 0.0
    rho = m @ m.conj().T
    # Symmetrize over permutations of the atoms inside each group (em.counts).
    tens = rho.reshape(dims + dims)
    acc = np.zeros_like(tens)
    blocks, start = [], 0
    for count in em.counts:
        blocks.append(list(itertools.permutations(range(start, start + count))))
        start += count
    for combo in itertools.product(*blocks):
        perm = [p for block in combo for p in block]
        axes = [0] + [1 + p for p in perm] + [n + 1] + [n + 2 + p for p in perm]
        acc += np.transpose(tens, axes)
    rho = acc.reshape(d, d)
    rho /= np.trace(rho)
    return qutip.Qobj(rho, dims=em.H.dims)
