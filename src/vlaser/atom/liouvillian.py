"""The 9x9 Liouvillian of one coherently driven V atom (paper eqs. 1-4).

Model (``shared/conventions.md``), rotating frame of both pumps, units of Γ3::

    H = Σ_{i=2,3} [ −Δi σii + Ωi (σi1 + σ1i) ]
    dρ/dt = −i[H, ρ] + Σ_i Γi D[σ1i]ρ + Σ_i νi D[σii]ρ + Γ23 D[σ32]ρ
    D[J]ρ = J ρ J† − ½ {J†J, ρ}

Vectorization: **column stacking** (the convention of QuTiP's ``operator_to_vector``).
A 3x3 density matrix ρ (levels |1>, |2>, |3> at indices 0, 1, 2) becomes the vector
``x[3*col + row] = ρ[row, col]``, i.e. ``x = rho.reshape(9, order="F")``. Then
``vec(A ρ B) = kron(B.T, A) @ vec(ρ)``. The populations sit at indices 0, 4, 8.

The generator is linear in all nine parameters, L = Σ_k p_k B_k, so it is built for a
whole parameter grid by one contraction with nine fixed basis superoperators.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from vlaser.params import AtomParams

#: Order of the parameters in the linear decomposition L = Σ_k p_k B_k: the fields of
#: :class:`AtomParams` (delta2, delta3, omega2, omega3, gamma2, gamma3, nu2, nu3, gamma23).
PARAM_ORDER: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(AtomParams))

#: Indices of the populations ρ11, ρ22, ρ33 in the column-stacked vector.
POP_INDEX: tuple[int, int, int] = (0, 4, 8)

_I3 = np.eye(3, dtype=complex)


def sigma(i: int, j: int) -> np.ndarray:
    """The atomic operator σij = |i><j| as a 3x3 complex matrix (levels 1, 2, 3).

    Args:
        i: Row level, 1, 2 or 3.
        j: Column level, 1, 2 or 3.

    Returns:
        Array of shape (3, 3).
    """
    if i not in (1, 2, 3) or j not in (1, 2, 3):
        raise ValueError(f"levels must be 1, 2 or 3, got ({i}, {j})")
    out = np.zeros((3, 3), dtype=complex)
    out[i - 1, j - 1] = 1.0
    return out


def vec(rho: np.ndarray) -> np.ndarray:
    """Column-stack density matrices: (..., 3, 3) -> (..., 9), x[3*col + row] = ρ[row, col]."""
    rho = np.asarray(rho)
    return np.swapaxes(rho, -1, -2).reshape(*rho.shape[:-2], 9)


def unvec(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`vec`: (..., 9) -> (..., 3, 3)."""
    x = np.asarray(x)
    return np.swapaxes(x.reshape(*x.shape[:-1], 3, 3), -1, -2)


def spre(a: np.ndarray) -> np.ndarray:
    """Superoperator of left multiplication ρ -> A ρ (9x9, column stacking)."""
    return np.kron(_I3, a)


def spost(b: np.ndarray) -> np.ndarray:
    """Superoperator of right multiplication ρ -> ρ B (9x9, column stacking)."""
    return np.kron(b.T, _I3)


def commutator_super(h: np.ndarray) -> np.ndarray:
    """Superoperator of ρ -> −i[H, ρ] (9x9)."""
    return -1j * (spre(h) - spost(h))


def dissipator(j: np.ndarray) -> np.ndarray:
    """Superoperator of the Lindblad term D[J]ρ = JρJ† − ½{J†J, ρ} (9x9)."""
    jdj = j.conj().T @ j
    return np.kron(j.conj(), j) - 0.5 * spre(jdj) - 0.5 * spost(jdj)


def _basis() -> np.ndarray:
    """The nine basis superoperators B_k (shape (9, 9, 9)), in :data:`PARAM_ORDER`."""
    s = sigma
    mats = {
        "delta2": commutator_super(-s(2, 2)),
        "delta3": commutator_super(-s(3, 3)),
        "omega2": commutator_super(s(2, 1) + s(1, 2)),
        "omega3": commutator_super(s(3, 1) + s(1, 3)),
        "gamma2": dissipator(s(1, 2)),
        "gamma3": dissipator(s(1, 3)),
        "nu2": dissipator(s(2, 2)),
        "nu3": dissipator(s(3, 3)),
        "gamma23": dissipator(s(3, 2)),
    }
    out = np.stack([mats[k] for k in PARAM_ORDER])
    out.setflags(write=False)
    return out


#: Basis superoperators, shape (9 parameters, 9, 9); L = Σ_k p_k BASIS[k].
BASIS: np.ndarray = _basis()


def _real_frame() -> tuple[np.ndarray, np.ndarray]:
    """Map between the column-stacked vector x and the real coordinates r.

    r = [ρ11, ρ22, ρ33, Re ρ12, Im ρ12, Re ρ13, Im ρ13, Re ρ23, Im ρ23] (ρij = <i|ρ|j>);
    x = T r for Hermitian ρ. Returns (T, T^{-1}).
    """
    t = np.zeros((9, 9), dtype=complex)
    for k, (i, j) in enumerate(((0, 0), (1, 1), (2, 2))):
        t[3 * j + i, k] = 1.0
    for n, (i, j) in enumerate(((0, 1), (0, 2), (1, 2))):
        re, im = 3 + 2 * n, 4 + 2 * n
        t[3 * j + i, re], t[3 * i + j, re] = 1.0, 1.0  # ρij and ρji share Re
        t[3 * j + i, im], t[3 * i + j, im] = 1j, -1j
    return t, np.linalg.inv(t)


#: x = REAL_T @ r and r = REAL_TINV @ x (see :func:`_real_frame`).
REAL_T, REAL_TINV = _real_frame()

#: Real basis superoperators acting on r: L_r = Σ_k p_k BASIS_REAL[k], shape (9, 9, 9).
BASIS_REAL: np.ndarray = np.real(np.einsum("ab,kbc,cd->kad", REAL_TINV, BASIS, REAL_T))
BASIS_REAL.setflags(write=False)

#: Indices of the populations in the real coordinates r.
POP_INDEX_REAL: tuple[int, int, int] = (0, 1, 2)


def parameter_stack(p: AtomParams) -> np.ndarray:
    """The parameters as one float array of shape (*p.shape, 9) in :data:`PARAM_ORDER`."""
    b = p.broadcast()
    return np.stack([np.asarray(b[k], dtype=float) for k in PARAM_ORDER], axis=-1)


def liouvillian(p: AtomParams) -> np.ndarray:
    """The generator L of dρ/dt = L ρ for every parameter point of ``p``.

    Args:
        p: Atom parameters (any field may be an array; fields broadcast).

    Returns:
        Complex array of shape (*p.shape, 9, 9) acting on column-stacked density
        matrices (see module docstring), rates in units of Γ3.
    """
    coef = parameter_stack(p)
    return (coef.astype(complex) @ BASIS.reshape(9, 81)).reshape(*coef.shape[:-1], 9, 9)


def liouvillian_real(p: AtomParams) -> np.ndarray:
    """The generator in the real coordinates r of Hermitian ρ (see :data:`REAL_T`).

    Args:
        p: Atom parameters.

    Returns:
        Real array (*p.shape, 9, 9): dr/dt = L_r r with
        r = [ρ11, ρ22, ρ33, Re ρ12, Im ρ12, Re ρ13, Im ρ13, Re ρ23, Im ρ23].
    """
    coef = parameter_stack(p)
    return (coef @ BASIS_REAL.reshape(9, 81)).reshape(*coef.shape[:-1], 9, 9)


def real_to_rho(r: np.ndarray) -> np.ndarray:
    """Density matrices (..., 3, 3) from real coordinates (..., 9)."""
    return unvec(np.asarray(r) @ REAL_T.T)


def rho_to_real(rho: np.ndarray) -> np.ndarray:
    """Real coordinates (..., 9) of Hermitian density matrices (..., 3, 3)."""
    return np.real(vec(rho) @ REAL_TINV.T)


def hamiltonian(p: AtomParams) -> np.ndarray:
    """The Hamiltonian H of eq. (2), shape (*p.shape, 3, 3), units of ħΓ3."""
    b = p.broadcast()
    shape = p.shape
    h = np.zeros((*shape, 3, 3), dtype=complex)
    h[..., 1, 1] = -b["delta2"]
    h[..., 2, 2] = -b["delta3"]
    h[..., 1, 0] = h[..., 0, 1] = b["omega2"]
    h[..., 2, 0] = h[..., 0, 2] = b["omega3"]
    return h


def collapse_operators(p: AtomParams) -> list[tuple[str, np.ndarray]]:
    """Rate names and jump operators J with the term rate · D[J] (rates not applied).

    Returns:
        List of (parameter name, 3x3 operator): (gamma2, σ12), (gamma3, σ13),
        (nu2, σ22), (nu3, σ33), (gamma23, σ32).
    """
    del p  # operators do not depend on the parameters
    return [
        ("gamma2", sigma(1, 2)),
        ("gamma3", sigma(1, 3)),
        ("nu2", sigma(2, 2)),
        ("nu3", sigma(3, 3)),
        ("gamma23", sigma(3, 2)),
    ]


__all__ = [
    "BASIS",
    "BASIS_REAL",
    "POP_INDEX_REAL",
    "REAL_T",
    "REAL_TINV",
    "liouvillian_real",
    "real_to_rho",
    "rho_to_real",
    "PARAM_ORDER",
    "POP_INDEX",
    "collapse_operators",
    "commutator_super",
    "dissipator",
    "hamiltonian",
    "liouvillian",
    "parameter_stack",
    "sigma",
    "spost",
    "spre",
    "unvec",
    "vec",
]
