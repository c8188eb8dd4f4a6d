"""Heisenberg–Lindblad equations of motion for operator averages.

For any monomial O the adjoint master equation gives

    d⟨O⟩/dt = ⟨ i[H, O] + Σ_c γ_c (J_c† O J_c − ½{J_c† J_c, O}) ⟩,

evaluated here as ``i[H, O] + Σ_c (γ_c/2) (J_c†[O, J_c] + [J_c†, O] J_c)``.

Sums over identical atoms use the permutation symmetry of the state. If O carries the
atom labels A = {1..m}, a single sum is

    Σ_{j=1}^{N} f(j) = Σ_{j∈A} f(j) + (N − |A|) f(fresh),

and nested sums (collective jump operators give double sums) recurse: the second
index ranges over A, the first index's fresh label (if it took one) and a new fresh
label with multiplicity N − |A| − (number of fresh labels already used). N may be a
sympy symbol or an int; with an int, branches of multiplicity <= 0 are dropped, which
gives the explicit-atom equations.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sympy as sp

from vlaser.cumulants.algebra import Index, Monomial, Operator, commutator
from vlaser.cumulants.model import Model, TemplateTerm


def index_assignments(
    indices: Sequence[Index], labels: Sequence[int], n_atoms: sp.Expr | int
) -> Iterator[tuple[dict[Index, int], sp.Expr]]:
    """Enumerate the symmetry-reduced values of nested atom indices.

    Args:
        indices: The summation indices, outermost first.
        labels: Concrete atom labels already present (in O).
        n_atoms: N (symbol or int).

    Yields:
        ``(mapping index -> label, multiplicity)``; the multiplicity counts how many
        atoms the fresh labels stand for.
    """
    present = sorted(set(labels))
    start = (max(present) if present else 0) + 1

    def rec(k: int, used: list[int], n_fresh: int, assign: dict, mult: sp.Expr):
        if k == len(indices):
            yield dict(assign), mult
            return
        idx = indices[k]
        for lab in used:
            assign[idx] = lab
            yield from rec(k + 1, used, n_fresh, assign, mult)
        m = n_atoms - len(present) - n_fresh
        if isinstance(m, int) and m <= 0:
            assign.pop(idx, None)
            return
        new = start + n_fresh
        assign[idx] = new
        yield from rec(k + 1, used + [new], n_fresh + 1, assign, mult * m)
        del assign[idx]

    yield from rec(0, list(present), 0, {}, sp.Integer(1))


def _relabeled(term: TemplateTerm, assign: dict[Index, int]) -> Operator:
    return term.op.relabel(assign) if term.indices else term.op


def _renamed(term: TemplateTerm, prefix: str) -> TemplateTerm:
    """Give a term's summation indices unique names (independent nested sums)."""
    if not term.indices:
        return term
    mapping = {ix: Index(f"{prefix}{k}") for k, ix in enumerate(term.indices)}
    return TemplateTerm(term.op.relabel(mapping), tuple(mapping[ix] for ix in term.indices))


def derive_operator(model: Model, op: Monomial | Operator) -> Operator:
    """The operator whose average is d⟨op⟩/dt (before any cumulant expansion).

    Args:
        model: The model (H template, jumps, N).
        op: A monomial or operator with concrete (int) atom labels.

    Returns:
        The expanded operator ``i[H, O] + Σ_c γ_c (J†OJ − ½{J†J, O})`` with the
        identical-atom sums reduced as described in the module docstring.
    """
    o = Operator({op: 1}) if isinstance(op, Monomial) else op
    labels = [lab for lab in o.labels()]
    if any(isinstance(lab, Index) for lab in labels):
        raise ValueError("derive_operator needs concrete atom labels")
    n = model.n_atoms
    out = Operator()
    for term in model.hamiltonian.terms:
        for assign, mult in index_assignments(term.indices, labels, n):
            out = out + (sp.I * mult) * commutator(_relabeled(term, assign), o)
    for jump in model.jumps:
        half = jump.rate / 2
        if jump.over is not None:
            jop = Operator()
            for t in jump.op.terms:
                jop = jop + t.op
            for assign, mult in index_assignments([jump.over], labels, n):
                jj = jop.relabel(assign)
                jd = jj.dag()
                out = out + (half * mult) * (jd * commutator(o, jj) + commutator(jd, o) * jj)
            continue
        terms = jump.op.terms
        for t1 in terms:
            r1 = _renamed(t1, "_p")
            for t2 in terms:
                r2 = _renamed(t2, "_q")
                idx = list(r1.indices) + list(r2.indices)
                for assign, mult in index_assignments(idx, labels, n):
                    x1 = _relabeled(r1, assign).dag()
                    x2 = _relabeled(r2, assign)
                    out = out + (half * mult) * (x1 * commutator(o, x2) + commutator(x1, o) * x2)
    return out.expand()


def derive_equations(
    model: Model, operators: Sequence[Monomial | Operator]
) -> list[tuple[Monomial | Operator, Operator]]:
    """``[(O, operator for d⟨O⟩/dt)]`` for each given operator (no closure)."""
    return [(o, derive_operator(model, o)) for o in operators]


__all__ = ["derive_equations", "derive_operator", "index_assignments"]
