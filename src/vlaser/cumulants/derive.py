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

With several groups of atoms (:class:`~vlaser.cumulants.model.AtomGroup`) each index
ranges over the atoms of its own group (the space of the transitions it labels): the
labels present, the fresh labels and the multiplicities N_k − ... are counted per group.
Template terms whose subsystems O does not share (no common mode, no common atom
after the sums are split) commute with O and are skipped before any algebra.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import sympy as sp

from vlaser.cumulants.algebra import Index, Monomial, NLevelSpace, Operator, commutator
from vlaser.cumulants.model import Model, TemplateTerm


def index_assignments(
    indices: Sequence[Index],
    labels: Sequence[int] | Mapping[NLevelSpace | None, Sequence[int]],
    n_atoms: sp.Expr | int | Mapping[NLevelSpace | None, sp.Expr | int],
    spaces: Sequence[NLevelSpace | None] | None = None,
) -> Iterator[tuple[dict[Index, int], sp.Expr]]:
    """Enumerate the symmetry-reduced values of nested atom indices.

    Args:
        indices: The summation indices, outermost first.
        labels: Concrete atom labels already present (in O), per group space (a plain
            sequence: one group).
        n_atoms: N per group space (a plain value: one group).
        spaces: The group space of each index (default: one group, key ``None``).

    Yields:
        ``(mapping index -> label, multiplicity)``; the multiplicity counts how many
        atoms the fresh labels stand for.
    """
    if spaces is None:
        spaces = [None] * len(indices)
    if not isinstance(labels, Mapping):
        labels = {None: labels}
    if not isinstance(n_atoms, Mapping):
        n_atoms = {None: n_atoms}
    present = {sp_: sorted(set(labels.get(sp_, ()))) for sp_ in set(spaces)}
    start = {sp_: (max(v) if v else 0) + 1 for sp_, v in present.items()}

    def rec(k: int, used: dict, n_fresh: dict, assign: dict, mult: sp.Expr):
        if k == len(indices):
            yield dict(assign), mult
            return
        idx, space = indices[k], spaces[k]
        for lab in used[space]:
            assign[idx] = lab
            yield from rec(k + 1, used, n_fresh, assign, mult)
        m = n_atoms[space] - len(present[space]) - n_fresh[space]
        if isinstance(m, int) and m <= 0:
            assign.pop(idx, None)
            return
        new = start[space] + n_fresh[space]
        assign[idx] = new
        used2 = {**used, space: used[space] + [new]}
        fresh2 = {**n_fresh, space: n_fresh[space] + 1}
        yield from rec(k + 1, used2, fresh2, assign, mult * m)
        del assign[idx]

    yield from rec(
        0, {s: list(v) for s, v in present.items()}, dict.fromkeys(present, 0), {}, sp.Integer(1)
    )


def _index_spaces(term: TemplateTerm) -> list[NLevelSpace]:
    """The group space of each summation index of a template term."""
    out = []
    for ix in term.indices:
        found = {a[0] for m in term.op.terms for a in m.atoms if a[1] == ix}
        if len(found) != 1:
            raise ValueError(f"index {ix.name} must label transitions of exactly one group")
        out.append(found.pop())
    return out


def _labels_by_space(o: Operator) -> dict[NLevelSpace, list[int]]:
    out: dict[NLevelSpace, list[int]] = {}
    for mono in o.terms:
        for space, lab, _i, _j in mono.atoms:
            out.setdefault(space, []).append(lab)
    return out


def _subsystems(o: Operator) -> tuple[set, set]:
    """(Fock modes, group spaces) an operator acts on."""
    modes = {f[0] for m in o.terms for f in m.fock}
    spaces = {a[0] for m in o.terms for a in m.atoms}
    return modes, spaces


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
        model: The model (H template, jumps, atom groups).
        op: A monomial or operator with concrete (int) atom labels.

    Returns:
        The expanded operator ``i[H, O] + Σ_c γ_c (J†OJ − ½{J†J, O})`` with the
        identical-atom sums reduced as described in the module docstring.
    """
    o = Operator({op: 1}) if isinstance(op, Monomial) else op
    labels = _labels_by_space(o)
    if any(isinstance(lab, Index) for v in labels.values() for lab in v):
        raise ValueError("derive_operator needs concrete atom labels")
    n = {g.space: g.n_atoms for g in model.groups}
    o_modes, o_spaces = _subsystems(o)

    def sums(terms: Sequence[TemplateTerm]) -> Iterator[tuple[dict[Index, int], sp.Expr]]:
        idx = [ix for t in terms for ix in t.indices]
        spaces = [s for t in terms for s in _index_spaces(t)]
        yield from index_assignments(idx, labels, n, spaces)

    out = Operator()
    for term in model.hamiltonian.terms:
        modes, spaces = _subsystems(term.op)
        if not (modes & o_modes or spaces & o_spaces):
            continue  # acts on other subsystems only: commutes with O
        for assign, mult in sums([term]):
            out = out + (sp.I * mult) * commutator(_relabeled(term, assign), o)
    for jump in model.jumps:
        half = jump.rate / 2
        if jump.over is not None:
            jop = Operator()
            for t in jump.op.terms:
                jop = jop + t.op
            modes, spaces = _subsystems(jop)
            if not (modes & o_modes or spaces & o_spaces):
                continue
            for assign, mult in sums([TemplateTerm(jop, (jump.over,))]):
                jj = jop.relabel(assign)
                jd = jj.dag()
                out = out + (half * mult) * (jd * commutator(o, jj) + commutator(jd, o) * jj)
            continue
        # Collective J = Σ terms: J†OJ − ½{J†J, O} = ½(J†[O, J] + [J†, O]J). A term of J
        # that commutes with O drops out of both commutators, so only pairs in which
        # the commuted factor shares a subsystem with O contribute.
        terms = jump.op.terms
        touches = []
        for t in terms:
            modes, spaces = _subsystems(t.op)
            touches.append(bool(modes & o_modes or spaces & o_spaces))
        for k1, t1 in enumerate(terms):
            r1 = _renamed(t1, "_p")
            for k2, t2 in enumerate(terms):
                if not (touches[k1] or touches[k2]):
                    continue
                r2 = _renamed(t2, "_q")
                for assign, mult in sums([r1, r2]):
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
