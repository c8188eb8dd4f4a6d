"""Model definitions: Hamiltonian and jump operators as templates over identical atoms.

A :class:`Template` is a sum of terms, each an :class:`~vlaser.cumulants.algebra.Operator`
that may contain placeholder atom labels (:class:`~vlaser.cumulants.algebra.Index`)
summed over all N atoms::

    j = Index("j")
    H = -dc * ad * a + Sum(g * (ad * s(1, 2, j) + a * s(2, 1, j)), j)

A :class:`Jump` ``(rate, J)`` contributes ``rate · D[J]``, D[J]ρ = JρJ† − ½{J†J, ρ}:

* ``Jump(rate, a)``: a concrete jump operator;
* ``Jump(rate, σ12^j, over=j)``: one independent jump per atom, Σ_j rate D[σ12^j];
* ``Jump(rate, a†a + Sum(σ22^j, j))``: one collective jump operator summed over atoms.

The number of atoms ``n_atoms`` is a sympy symbol (identical-atom symmetry, N a
parameter) or an int (explicit atoms, still permutation symmetric).

**Groups.** A model may hold several groups of identical atoms (:class:`AtomGroup`),
each on its own :class:`~vlaser.cumulants.algebra.NLevelSpace` with its own atom
number and its own parameter symbols (e.g. the velocity classes of a thermal cloud).
A summation index ranges over the atoms of the group whose space its transitions
use; identical-atom symmetry holds inside each group, not across groups, so averages
of atoms of different groups are distinct variables. A collective jump may sum over
several groups (``ν2 D[a†a + Σ_k S2^k]``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from vlaser.cumulants.algebra import (
    FockSpace,
    Index,
    NLevelSpace,
    Operator,
)


@dataclass(frozen=True)
class TemplateTerm:
    """One term ``Σ_{indices} op`` (no indices: a concrete operator)."""

    op: Operator
    indices: tuple[Index, ...] = ()

    def __post_init__(self) -> None:
        placeholders = {lab for lab in self.op.labels() if isinstance(lab, Index)}
        if not placeholders <= set(self.indices):
            free = ", ".join(sorted(i.name for i in placeholders - set(self.indices)))
            raise ValueError(f"template term has unsummed index {free}")


class Template:
    """A sum of (possibly atom-summed) operator terms."""

    def __init__(self, terms: Iterable[TemplateTerm] = ()) -> None:
        self.terms: list[TemplateTerm] = list(terms)

    @staticmethod
    def of(x: Template | Operator | TemplateTerm | int | float | sp.Basic) -> Template:
        if isinstance(x, Template):
            return x
        if isinstance(x, TemplateTerm):
            return Template([x])
        if isinstance(x, Operator):
            return Template([TemplateTerm(x)])
        return Template([TemplateTerm(Operator.scalar(x))])

    def __add__(self, other: object) -> Template:
        return Template(self.terms + Template.of(other).terms)  # type: ignore[arg-type]

    __radd__ = __add__

    def __neg__(self) -> Template:
        return Template(TemplateTerm(-t.op, t.indices) for t in self.terms)

    def __sub__(self, other: object) -> Template:
        return self + (-Template.of(other))  # type: ignore[arg-type]

    def __rsub__(self, other: object) -> Template:
        return Template.of(other) - self  # type: ignore[arg-type]

    def __mul__(self, c: object) -> Template:
        if isinstance(c, Operator | Template):
            raise TypeError("products of templates are formed inside derive, not here")
        return Template(TemplateTerm(t.op * c, t.indices) for t in self.terms)

    __rmul__ = __mul__

    def dag(self) -> Template:
        return Template(TemplateTerm(t.op.dag(), t.indices) for t in self.terms)

    def text(self) -> str:
        parts = []
        for t in self.terms:
            body = t.op.text()
            if t.indices:
                idx = ",".join(i.name for i in t.indices)
                parts.append(f"Σ_{idx}[{body}]")
            else:
                parts.append(body)
        return " + ".join(parts) if parts else "0"

    def __str__(self) -> str:
        return self.text()


def Sum(op: Operator, *indices: Index) -> Template:  # noqa: N802 - reads like Σ
    """``Σ_{j=1..N} op(j)`` over identical atoms (one or more indices)."""
    return Template([TemplateTerm(op, tuple(indices))])


@dataclass(frozen=True)
class Jump:
    """A dissipative channel ``rate · D[J]``.

    Attributes:
        rate: Sympy expression (a rate parameter, possibly times a number).
        op: The jump operator (operator or template; a template is one collective
            jump operator ``J = Σ terms``).
        over: If given, ``op`` contains this index and the channel is one independent
            jump per atom: ``Σ_j rate D[op(j)]``.
    """

    rate: sp.Expr
    op: Template
    over: Index | None = None

    def __init__(self, rate: object, op: Operator | Template, over: Index | None = None) -> None:
        object.__setattr__(self, "rate", sp.sympify(rate))
        if over is not None:
            if not isinstance(op, Operator):
                raise ValueError("an individual jump (over=j) must be a plain operator in j")
            tmpl = Template([TemplateTerm(op, (over,))])
        else:
            tmpl = Template.of(op)
        object.__setattr__(self, "op", tmpl)
        object.__setattr__(self, "over", over)

    def text(self) -> str:
        if self.over is not None:
            return f"Σ_{self.over.name} ({sp.sstr(self.rate)}) D[{self.op.text()}]"
        return f"({sp.sstr(self.rate)}) D[{self.op.text()}]"


@dataclass(frozen=True)
class AtomGroup:
    """A group of identical atoms: their level space and their number.

    Attributes:
        space: The group's level space (distinct per group: the space names the group).
        n_atoms: The number of atoms, a sympy symbol or an int.
    """

    space: NLevelSpace
    n_atoms: sp.Expr | int

    def __post_init__(self) -> None:
        if isinstance(self.n_atoms, int) and self.n_atoms < 0:
            raise ValueError("n_atoms must be >= 0")


@dataclass
class Model:
    """An open quantum system: spaces, H (template), jumps, atom numbers.

    Attributes:
        fock: The Fock modes.
        atom_space: The level space of the (first) group of identical atoms
            (``None``: no atoms).
        hamiltonian: H as a :class:`Template`.
        jumps: The dissipative channels.
        n_atoms: N of the (first) group — a sympy symbol or an int.
        parameters: The real parameter symbols, in a fixed order (compiled code takes
            them in this order).
        name: Short model name (used in cache keys).
        groups: All groups of identical atoms (default: one group, ``atom_space`` with
            ``n_atoms``); when given, ``atom_space``/``n_atoms`` are its first group's.
    """

    fock: tuple[FockSpace, ...]
    atom_space: NLevelSpace | None
    hamiltonian: Template
    jumps: list[Jump]
    n_atoms: sp.Expr | int
    parameters: tuple[sp.Symbol, ...]
    name: str = "model"
    notes: dict[str, str] = field(default_factory=dict)
    groups: tuple[AtomGroup, ...] = ()

    def __post_init__(self) -> None:
        self.hamiltonian = Template.of(self.hamiltonian)
        if isinstance(self.n_atoms, int) and self.n_atoms < 0:
            raise ValueError("n_atoms must be >= 0")
        if not self.groups and self.atom_space is not None:
            self.groups = (AtomGroup(self.atom_space, self.n_atoms),)
        elif self.groups:
            self.groups = tuple(self.groups)
            self.atom_space = self.groups[0].space
            self.n_atoms = self.groups[0].n_atoms
            names = [g.space.name for g in self.groups]
            if len(set(names)) != len(names):
                raise ValueError("every group needs its own level space (distinct names)")
        self._n_of = {g.space: g.n_atoms for g in self.groups}

    def n_of(self, space: NLevelSpace) -> sp.Expr | int:
        """Atom number of the group on ``space``.

        Raises:
            ValueError: For a space that is no group's.
        """
        try:
            return self._n_of[space]
        except KeyError:
            raise ValueError(f"no atom group on space {space.name!r}") from None

    def with_atoms(self, n_atoms: sp.Expr | int) -> Model:
        """The same (one-group) model with another atom number (symbol or int)."""
        if len(self.groups) > 1:
            raise ValueError("with_atoms is for one-group models")
        params = tuple(p for p in self.parameters if p != self.n_atoms)
        if isinstance(n_atoms, sp.Symbol):
            params = params + (n_atoms,)
        return Model(
            self.fock,
            self.atom_space,
            self.hamiltonian,
            list(self.jumps),
            n_atoms,
            params,
            self.name,
            dict(self.notes),
        )

    def text(self) -> str:
        """Readable definition (also the source of the cache key)."""
        lines = [f"model {self.name}", f"N = {self.n_atoms}"]
        lines.append("fock: " + ", ".join(f.name for f in self.fock))
        for g in self.groups:
            s = g.space
            line = f"atoms: {s.name} levels={s.levels} ground={s.ground}"
            lines.append(line if len(self.groups) == 1 else f"{line} N={g.n_atoms}")
        lines.append("parameters: " + ", ".join(p.name for p in self.parameters))
        lines.append("H = " + self.hamiltonian.text())
        for jmp in self.jumps:
            lines.append("L += " + jmp.text())
        return "\n".join(lines)

    def key(self) -> str:
        """Hash of the definition text (for on-disk caches)."""
        return hashlib.sha256(self.text().encode()).hexdigest()[:16]


def fresh_indices(names: Sequence[str]) -> tuple[Index, ...]:
    """Convenience: ``Index`` objects for the given names."""
    return tuple(Index(n) for n in names)


__all__ = ["AtomGroup", "Jump", "Model", "Sum", "Template", "TemplateTerm", "fresh_indices"]
