"""Exact master equations for small explicit systems, built from the same model definition.

:func:`to_qutip` turns a :class:`~vlaser.cumulants.model.Model` into a QuTiP
Hamiltonian and collapse operators for ``n_atoms`` explicit atoms and a truncated Fock
space: every template term ``Σ_j`` becomes an explicit sum over atoms 1..n, an
individual jump ``Σ_j γ D[J(j)]`` becomes one collapse operator per atom and a collective
jump one summed operator. QuTiP is imported lazily (it is a test dependency only).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
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
        n_atoms: Number of explicit atoms of the first group.
        fock_dim: Fock-space cutoff (number states 0..fock_dim-1).
        model: The model definition.
        values: Parameter values used.
        counts: Explicit atoms per group (model order).
    """

    H: Any
    c_ops: list[Any]
    n_atoms: int
    fock_dim: int
    model: Model
    values: dict[sp.Symbol, Any]
    counts: tuple[int, ...] = ()

    def op(self, operator: Operator) -> Any:
        """An operator with concrete atom labels (1..count per group) as a ``qutip.Qobj``."""
        return _to_qobj(operator, self.model, self.counts, self.fock_dim, self.values)

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
            symmetric = max(self.counts, default=0) >= 2
        if not symmetric or max(self.counts, default=0) <= 1:
            return qutip.steadystate(self.H, self.c_ops, method="direct", use_rcm=True)
        return _symmetric_steady_state(self)

    def expect(self, rho: Any, operator: Operator, symmetrize: bool = True) -> complex:
        """⟨operator⟩ in state ``rho``; with ``symmetrize`` averaged over atom relabellings
        inside each group.

        The symmetric average equals the cumulant engine's identical-atom average.
        """
        import qutip

        if not symmetrize or max(self.counts, default=0) <= 1:
            return complex(qutip.expect(self.op(operator), rho))
        per_group = []
        for g, count in zip(self.model.groups, self.counts, strict=True):
            labels = sorted({a[1] for m in operator.terms for a in m.atoms if a[0] == g.space})
            maps = [
                {(g.space, a): b for a, b in zip(labels, perm, strict=True)}
                for perm in itertools.permutations(range(1, count + 1), len(labels))
            ]
            per_group.append(maps)
        vals = []
        for combo in itertools.product(*per_group):
            mapping = {k: v for m in combo for k, v in m.items()}
            vals.append(complex(qutip.expect(self.op(_relabel_groups(operator, mapping)), rho)))
        return complex(np.mean(vals))


def _symmetric_steady_state(em: ExactModel) -> Any:
    """Steady state restricted to operators invariant under permutations of the atoms
    inside each group.

    With D = F·Π_g d_g^(N_g) (Fock cutoff F; tensor order Fock, then the groups' atoms),
    the matrix units |r><c| are grouped into orbits under simultaneous permutation,
    within each group, of the atoms' (row level, column level) pairs; P (orthonormal
    columns, one per orbit) spans the invariant operators, and L P = P (Pᵀ L P) because
    L commutes with the permutations. The unique steady state solves Pᵀ L P y = 0 with
    unit trace.
    """
    import qutip
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla

    L = qutip.liouvillian(em.H, em.c_ops)
    dims = em.H.dims[0]
    n_fock = len(em.model.fock)
    f_dim = int(np.prod(dims[:n_fock])) if n_fock else 1
    atom_dims = dims[n_fock:]
    big_d = int(np.prod(dims))
    idx = np.arange(big_d)
    # digit k of a basis index = level of tensor factor n_fock + k (row-major)
    strides = [int(np.prod(atom_dims[k + 1 :])) for k in range(len(atom_dims))]
    levels = np.stack([(idx // strides[k]) % atom_dims[k] for k in range(len(atom_dims))], 1)
    fock = idx // int(np.prod(atom_dims)) if atom_dims else idx
    r = np.repeat(idx, big_d)
    c = np.tile(idx, big_d)
    key = fock[r] * f_dim + fock[c]
    start = 0
    for g, count in zip(em.model.groups, em.counts, strict=True):
        d = g.space.levels
        cols = slice(start, start + count)
        pairs = np.sort(levels[r, cols] * d + levels[c, cols], axis=1)  # per-group invariant
        for k in range(count):
            key = key * (d * d) + pairs[:, k]
        start += count
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


def _relabel_groups(op: Operator, mapping: Mapping[tuple[Any, int], int]) -> Operator:
    """Relabel atoms per group: ``mapping[(space, old)] = new``."""
    out: dict[Monomial, sp.Expr] = {}
    for mono, c in op.terms.items():
        atoms = [(s, mapping.get((s, lab), lab), i, j) for s, lab, i, j in mono.atoms]
        m = Monomial.build(mono.fock, atoms)
        out[m] = out[m] + c if m in out else c
    return Operator(out)


def _basis(model: Model, counts: tuple[int, ...], fock_dim: int) -> tuple[list[Any], list[int]]:
    import qutip

    eyes = [qutip.qeye(fock_dim).to("CSR") for _ in model.fock]
    dims = [fock_dim] * len(model.fock)
    for g, count in zip(model.groups, counts, strict=True):
        eyes += [qutip.qeye(g.space.levels).to("CSR") for _ in range(count)]
        dims += [g.space.levels] * count
    return eyes, dims


def _monomial_qobj(mono: Monomial, model: Model, counts: tuple[int, ...], fock_dim: int) -> Any:
    import qutip

    factors, _ = _basis(model, counts, fock_dim)
    pos = {s: k for k, s in enumerate(model.fock)}
    offset, start = {}, len(model.fock)
    for g, count in zip(model.groups, counts, strict=True):
        offset[g.space] = (start, count)
        start += count
    for s, m, n in mono.fock:
        a = qutip.destroy(fock_dim).to("CSR")
        factors[pos[s]] = (a.dag() ** m * a**n).to("CSR")
    for s, lab, i, j in mono.atoms:
        first, count = offset[s]
        if isinstance(lab, Index) or not 1 <= int(lab) <= count:
            raise ValueError(f"atom label {lab} of group {s.name} outside 1..{count}")
        levels = s.levels
        proj = qutip.basis(levels, i - 1) * qutip.basis(levels, j - 1).dag()
        factors[first + int(lab) - 1] = proj.to("CSR")
    return qutip.tensor(*factors) if len(factors) > 1 else factors[0]


def _number(c: sp.Expr, values: Mapping[sp.Symbol, float]) -> complex:
    v = sp.sympify(c).xreplace({k: sp.Float(float(x)) for k, x in values.items()})
    if v.free_symbols:
        raise ValueError(f"missing parameter values for {sorted(map(str, v.free_symbols))}")
    return complex(v)


def _to_qobj(
    operator: Operator,
    model: Model,
    counts: tuple[int, ...],
    fock_dim: int,
    values: Mapping[sp.Symbol, float],
) -> Any:
    import qutip

    _, dims = _basis(model, counts, fock_dim)
    out = (qutip.qzero(dims) if len(dims) > 1 else qutip.qzero(dims[0])).to("CSR")
    for mono, c in operator.terms.items():
        z = _number(c, values)
        if z != 0:  # e.g. a fresh atom's multiplicity N_k − 1 = 0 with one explicit atom
            out = out + z * _monomial_qobj(mono, model, counts, fock_dim)
    return out


def _expand_template(tmpl: Template, model: Model, counts: tuple[int, ...]) -> Operator:
    """Σ_j over the explicit atoms of each index's group (independent sums)."""
    from vlaser.cumulants.derive import _index_spaces

    count_of = {g.space: c for g, c in zip(model.groups, counts, strict=True)}
    total = Operator()
    for term in tmpl.terms:
        if not term.indices:
            total = total + term.op
            continue
        ranges = [range(1, count_of[s] + 1) for s in _index_spaces(term)]
        for labels in itertools.product(*ranges):
            total = total + term.op.relabel(dict(zip(term.indices, labels, strict=True)))
    return total


def to_qutip(
    model: Model,
    n_atoms: int | Sequence[int],
    fock_dim: int,
    values: Mapping[sp.Symbol, float],
) -> ExactModel:
    """Exact QuTiP master equation of ``model`` with explicit atoms.

    Args:
        model: The model definition (its own atom numbers are ignored).
        n_atoms: Explicit number of atoms (one group), or one number per group.
        fock_dim: Fock cutoff per mode.
        values: Numeric value of every parameter symbol (each symbolic group ``N`` is
            set to its explicit count).

    Raises:
        ValueError: For missing parameters, negative rates or a wrong number of counts.
    """
    counts = (
        (int(n_atoms),) if isinstance(n_atoms, int | np.integer) else tuple(int(c) for c in n_atoms)
    )
    if len(counts) != len(model.groups) and model.groups:
        raise ValueError(f"{len(model.groups)} groups need as many atom counts, got {counts}")
    vals = {k: sp.Float(float(v)) for k, v in values.items()}
    for g, count in zip(model.groups, counts, strict=True):
        if isinstance(g.n_atoms, sp.Symbol):
            vals[g.n_atoms] = float(count)
    h_op = _expand_template(model.hamiltonian, model, counts)
    H = _to_qobj(h_op, model, counts, fock_dim, vals)
    c_ops = []
    for jump in model.jumps:
        rate = _number(jump.rate, vals)
        if abs(rate.imag) > 0 or rate.real < 0:
            raise ValueError(f"rate {jump.rate} = {rate} must be real and >= 0")
        if rate.real == 0:
            continue
        amp = float(np.sqrt(rate.real))
        if jump.over is not None:
            from vlaser.cumulants.derive import _index_spaces

            term = jump.op.terms[0]
            (space,) = _index_spaces(term)
            count = counts[[g.space for g in model.groups].index(space)]
            for k in range(1, count + 1):
                op = term.op.relabel({jump.over: k})
                c_ops.append(amp * _to_qobj(op, model, counts, fock_dim, vals))
        else:
            op = _expand_template(jump.op, model, counts)
            c_ops.append(amp * _to_qobj(op, model, counts, fock_dim, vals))
    first = counts[0] if counts else 0
    return ExactModel(H, c_ops, first, fock_dim, model, vals, counts)


__all__ = ["ExactModel", "to_qutip"]
