"""Exact master equations for small explicit systems, built from the same model definition.

:func:`to_qutip` turns a :class:`~vlaser.cumulants.model.Model` into a QuTiP
Hamiltonian and collapse operators for ``n_atoms`` explicit atoms and a truncated Fock
space: every template term ``Σ_j`` becomes an explicit sum over atoms 1..n, an
individual jump ``Σ_j γ D[J(j)]`` becomes one collapse operator per atom and a collective
jump one summed operator. QuTiP is imported lazily (it is a test dependency only).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from vlaser.cumulants.algebra import Index, Monomial, Operator
from vlaser.cumulants.model import Model, Template


@dataclass
class ExactModel:
    """A model as explicit QuTiP operators.

    Attributes:
        H: Hamiltonian (``qutip.Qobj``).
        c_ops: Collapse operators ``sqrt(rate)·J``.
        n_atoms: Number of explicit atoms.
        fock_dim: Fock-space cutoff (number states 0..fock_dim-1).
        model: The model definition.
        values: Parameter values used.
    """

    H: Any
    c_ops: list[Any]
    n_atoms: int
    fock_dim: int
    model: Model
    values: dict[sp.Symbol, Any]

    def op(self, operator: Operator) -> Any:
        """An operator with concrete atom labels (1..n_atoms) as a ``qutip.Qobj``."""
        return _to_qobj(operator, self.model, self.n_atoms, self.fock_dim, self.values)

    def steady_state(self, symmetric: bool | None = None) -> Any:
        """Steady state ρ as a ``qutip.Qobj``.

        Args:
            symmetric: Solve in the subspace of atom-permutation-invariant operators
                (exact when the steady state is unique, since the Liouvillian commutes
                with atom permutations; much smaller for 3+ atoms). Default: for
                ``n_atoms >= 2``. ``False`` uses ``qutip.steadystate`` directly.
        """
        import qutip

        if symmetric is None:
            symmetric = self.n_atoms >= 2
        if not symmetric or self.n_atoms <= 1:
            return qutip.steadystate(self.H, self.c_ops, method="direct", use_rcm=True)
        return _symmetric_steady_state(self)

    def expect(self, rho: Any, operator: Operator, symmetrize: bool = True) -> complex:
        """⟨operator⟩ in state ``rho``; with ``symmetrize`` averaged over atom relabellings.

        The symmetric average equals the cumulant engine's identical-atom average.
        """
        import qutip

        if not symmetrize or self.n_atoms <= 1:
            return complex(qutip.expect(self.op(operator), rho))
        labels = sorted(lab for lab in operator.labels() if isinstance(lab, int))
        vals = []
        for perm in itertools.permutations(range(1, self.n_atoms + 1), len(labels)):
            mapping = dict(zip(labels, perm, strict=True))
            vals.append(complex(qutip.expect(self.op(operator.relabel(mapping)), rho)))
        return complex(np.mean(vals))


def _symmetric_steady_state(em: ExactModel) -> Any:
    """Steady state restricted to atom-permutation-invariant operators.

    With D = F·d^N (Fock cutoff F, d levels, N atoms; tensor order Fock then atoms),
    the matrix units |r><c| are grouped into orbits under simultaneous permutation of
    the atoms' (row level, column level) pairs; P (orthonormal columns, one per orbit)
    spans the invariant operators, and L P = P (Pᵀ L P) because L commutes with the
    permutations. The unique steady state solves Pᵀ L P y = 0 with unit trace.
    """
    import qutip
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla

    L = qutip.liouvillian(em.H, em.c_ops)
    dims = em.H.dims[0]
    n_fock = len(em.model.fock)
    f_dim = int(np.prod(dims[:n_fock])) if n_fock else 1
    d = dims[n_fock]
    n = em.n_atoms
    big_d = f_dim * d**n
    idx = np.arange(big_d)
    levels = np.stack([(idx // d ** (n - 1 - k)) % d for k in range(n)], axis=1)  # (D, N)
    fock = idx // d**n
    r = np.repeat(idx, big_d)
    c = np.tile(idx, big_d)
    pairs = np.sort(levels[r] * d + levels[c], axis=1)  # (D², N), permutation invariant
    key = fock[r] * f_dim + fock[c]
    for k in range(n):
        key = key * (d * d) + pairs[:, k]
    _, orbit, counts = np.unique(key, return_inverse=True, return_counts=True)
    vec = r + c * big_d  # column stacking, as qutip's operator_to_vector
    proj = sps.csr_matrix(
        (1.0 / np.sqrt(counts[orbit]), (vec, orbit)), shape=(big_d * big_d, counts.size)
    )
    lmat = L.data.as_scipy().tocsr()
    a = (proj.T @ (lmat @ proj)).tolil()
    trace = np.zeros(big_d * big_d)
    trace[idx + idx * big_d] = 1.0
    a[0, :] = proj.T @ trace
    b = np.zeros(counts.size, dtype=complex)
    b[0] = 1.0
    y = spla.spsolve(a.tocsc(), b)
    rho = (proj @ y).reshape(big_d, big_d, order="F")
    rho = 0.5 * (rho + rho.conj().T)
    return qutip.Qobj(rho, dims=em.H.dims)


def _basis(model: Model, n_atoms: int, fock_dim: int) -> tuple[list[Any], list[int]]:
    import qutip

    eyes = [qutip.qeye(fock_dim).to("CSR") for _ in model.fock]
    levels = model.atom_space.levels if model.atom_space is not None else 0
    eyes += [qutip.qeye(levels).to("CSR") for _ in range(n_atoms)]
    return eyes, [fock_dim] * len(model.fock) + [levels] * n_atoms


def _monomial_qobj(mono: Monomial, model: Model, n_atoms: int, fock_dim: int) -> Any:
    import qutip

    factors, _ = _basis(model, n_atoms, fock_dim)
    pos = {s: k for k, s in enumerate(model.fock)}
    for s, m, n in mono.fock:
        a = qutip.destroy(fock_dim).to("CSR")
        factors[pos[s]] = (a.dag() ** m * a**n).to("CSR")
    for s, lab, i, j in mono.atoms:
        if isinstance(lab, Index) or not 1 <= int(lab) <= n_atoms:
            raise ValueError(f"atom label {lab} outside 1..{n_atoms}")
        levels = s.levels
        proj = qutip.basis(levels, i - 1) * qutip.basis(levels, j - 1).dag()
        factors[len(model.fock) + int(lab) - 1] = proj.to("CSR")
    return qutip.tensor(*factors) if len(factors) > 1 else factors[0]


def _number(c: sp.Expr, values: Mapping[sp.Symbol, float]) -> complex:
    v = sp.sympify(c).xreplace({k: sp.Float(float(x)) for k, x in values.items()})
    if v.free_symbols:
        raise ValueError(f"missing parameter values for {sorted(map(str, v.free_symbols))}")
    return complex(v)


def _to_qobj(
    operator: Operator,
    model: Model,
    n_atoms: int,
    fock_dim: int,
    values: Mapping[sp.Symbol, float],
) -> Any:
    import qutip

    _, dims = _basis(model, n_atoms, fock_dim)
    out = (qutip.qzero(dims) if len(dims) > 1 else qutip.qzero(dims[0])).to("CSR")
    for mono, c in operator.terms.items():
        out = out + _number(c, values) * _monomial_qobj(mono, model, n_atoms, fock_dim)
    return out


def _expand_template(tmpl: Template, n_atoms: int) -> Operator:
    """Σ_j over explicit atoms 1..n (independent sums for several indices)."""
    total = Operator()
    for term in tmpl.terms:
        if not term.indices:
            total = total + term.op
            continue
        for labels in itertools.product(range(1, n_atoms + 1), repeat=len(term.indices)):
            total = total + term.op.relabel(dict(zip(term.indices, labels, strict=True)))
    return total


def to_qutip(
    model: Model, n_atoms: int, fock_dim: int, values: Mapping[sp.Symbol, float]
) -> ExactModel:
    """Exact QuTiP master equation of ``model`` with ``n_atoms`` explicit atoms.

    Args:
        model: The model definition (its own ``n_atoms`` is ignored).
        n_atoms: Explicit number of atoms (>= 1 if the model has atoms).
        fock_dim: Fock cutoff per mode.
        values: Numeric value of every parameter symbol (``N`` is set to ``n_atoms``).

    Raises:
        ValueError: For missing parameters or negative rates.
    """
    vals = {k: sp.Float(float(v)) for k, v in values.items()}
    if isinstance(model.n_atoms, sp.Symbol):
        vals[model.n_atoms] = float(n_atoms)
    h_op = _expand_template(model.hamiltonian, n_atoms)
    H = _to_qobj(h_op, model, n_atoms, fock_dim, vals)
    c_ops = []
    for jump in model.jumps:
        rate = _number(jump.rate, vals)
        if abs(rate.imag) > 0 or rate.real < 0:
            raise ValueError(f"rate {jump.rate} = {rate} must be real and >= 0")
        if rate.real == 0:
            continue
        amp = float(np.sqrt(rate.real))
        if jump.over is not None:
            term = jump.op.terms[0]
            for k in range(1, n_atoms + 1):
                op = term.op.relabel({jump.over: k})
                c_ops.append(amp * _to_qobj(op, model, n_atoms, fock_dim, vals))
        else:
            op = _expand_template(jump.op, n_atoms)
            c_ops.append(amp * _to_qobj(op, model, n_atoms, fock_dim, vals))
    return ExactModel(H, c_ops, n_atoms, fock_dim, model, vals)


__all__ = ["ExactModel", "to_qutip"]
