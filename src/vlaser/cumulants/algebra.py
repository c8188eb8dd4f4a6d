"""Operator algebra in a canonical, normal-ordered representation.

An operator expression (:class:`Operator`) is a dict ``{Monomial: sympy coefficient}``.
A :class:`Monomial` is a product of commuting factors, one group per subsystem:

* per Fock mode a normal-ordered power pair ``(m, n)`` meaning ``a†^m a^n``;
* per atom (an :class:`NLevelSpace` plus an atom label) at most one transition
  ``σij = |i><j|``, because ``σij σkl = δjk σil`` on the same atom.

Different subsystems commute, so sorting the factors by subsystem makes the
representation unique. Products are normal ordered with

    a†^m a^n · a†^p a^q = Σ_k C(n,k) C(p,k) k! a†^(m+p−k) a^(n+q−k),

and, if the space says so, the ground level is eliminated by completeness,
``σgg = 1 − Σ_{i≠g} σii``, so that ``σgg`` never appears in a monomial.

Atom labels are ints for concrete atoms or :class:`Index` placeholders inside model
templates (``Σ_j``); placeholders must be substituted by ints before they are
multiplied with concrete operators (see :mod:`vlaser.cumulants.derive`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Union

import sympy as sp

Coefficient = sp.Expr
Label = Union[int, "Index"]


# ---------------------------------------------------------------------------
# Hilbert spaces and atom labels
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FockSpace:
    """A bosonic mode (truncated only when converted to matrices).

    Attributes:
        name: Mode name used in printing, e.g. ``"a"``.
    """

    name: str


@dataclass(frozen=True)
class NLevelSpace:
    """The space of one N-level atom (all atoms of a model share it).

    Attributes:
        name: Space name (e.g. ``"atom"``); printed as superscript label only.
        levels: Number of levels, labelled ``1..levels``.
        ground: Level eliminated by completeness ``σgg = 1 − Σ_{i≠g} σii``;
            ``None`` keeps every projector.
    """

    name: str
    levels: int
    ground: int | None = 1

    def __post_init__(self) -> None:
        if self.levels < 2:
            raise ValueError("an NLevelSpace needs at least two levels")
        if self.ground is not None and not 1 <= self.ground <= self.levels:
            raise ValueError(f"ground level {self.ground} outside 1..{self.levels}")


@dataclass(frozen=True)
class Index:
    """A summation index over identical atoms (placeholder label in templates)."""

    name: str

    def __str__(self) -> str:
        return self.name


def _label_key(label: Label) -> tuple[int, object]:
    if isinstance(label, Index):
        return (1, label.name)
    return (0, int(label))


# ---------------------------------------------------------------------------
# Monomials
# ---------------------------------------------------------------------------

FockFactor = tuple[FockSpace, int, int]  # (space, m, n): a†^m a^n
AtomFactor = tuple[NLevelSpace, Label, int, int]  # (space, label, i, j): σij^label


@dataclass(frozen=True)
class Monomial:
    """A canonical product of commuting subsystem factors (coefficient 1).

    Attributes:
        fock: ``(space, m, n)`` per Fock mode with ``m + n > 0``, sorted by name.
        atoms: ``(space, label, i, j)`` per atom, sorted by (space name, label).
    """

    fock: tuple[FockFactor, ...] = ()
    atoms: tuple[AtomFactor, ...] = ()

    @staticmethod
    def build(fock: Iterable[FockFactor] = (), atoms: Iterable[AtomFactor] = ()) -> Monomial:
        """Sort and validate factors into the canonical form (no merging)."""
        f = tuple(sorted((x for x in fock if x[1] + x[2] > 0), key=lambda x: x[0].name))
        names = [x[0].name for x in f]
        if len(set(names)) != len(names):
            raise ValueError("two factors for the same Fock mode")
        at = tuple(sorted(atoms, key=lambda x: (x[0].name, _label_key(x[1]))))
        keys = [(x[0].name, _label_key(x[1])) for x in at]
        if len(set(keys)) != len(keys):
            raise ValueError("two transitions on the same atom")
        return Monomial(f, at)

    @property
    def order(self) -> int:
        """Number of elementary factors: ``a†^m a^n`` counts m + n, each σ counts 1."""
        return sum(m + n for _, m, n in self.fock) + len(self.atoms)

    @property
    def is_identity(self) -> bool:
        return not self.fock and not self.atoms

    def labels(self) -> tuple[Label, ...]:
        """Atom labels present, in canonical order."""
        return tuple(x[1] for x in self.atoms)

    def dag(self) -> Monomial:
        """Adjoint: ``a†^m a^n → a†^n a^m``, ``σij → σji``."""
        return Monomial(
            tuple((s, n, m) for s, m, n in self.fock),
            tuple((s, lab, j, i) for s, lab, i, j in self.atoms),
        )

    def relabel(self, mapping: Mapping[Label, Label]) -> Monomial:
        """Replace atom labels (placeholders or ints) by ``mapping[label]``."""
        return Monomial.build(
            self.fock, ((s, mapping.get(lab, lab), i, j) for s, lab, i, j in self.atoms)
        )

    def factors(self) -> tuple[tuple, ...]:
        """Elementary factors in normal order, for the cumulant expansion.

        Returns:
            Tuple of ``("c", space)`` (a†), ``("d", space)`` (a) and
            ``("s", space, label, i, j)`` (σ) tokens; any subsequence is again a
            normal-ordered product (see :func:`monomial_from_factors`).
        """
        out: list[tuple] = []
        for s, m, n in self.fock:
            out += [("c", s)] * m + [("d", s)] * n
        out += [("s", s, lab, i, j) for s, lab, i, j in self.atoms]
        return tuple(out)

    # -- printing ---------------------------------------------------------
    def text(self) -> str:
        """Plain text, e.g. ``a†a σ21^1``; the identity prints as ``1``. Atoms of a
        space not named ``atom`` (one of several groups) show it: ``σ21^atom2.1``."""
        parts = []
        for s, m, n in self.fock:
            parts.append(_pow(s.name + "†", m) + _pow(s.name, n))
        for s, lab, i, j in self.atoms:
            parts.append(f"σ{i}{j}^{_atom_label(s, lab)}")
        return " ".join(parts) if parts else "1"

    def latex(self) -> str:
        """LaTeX, e.g. ``a^{\\dagger} a \\sigma_{21}^{1}``."""
        parts = []
        for s, m, n in self.fock:
            if m:
                parts.append(rf"{s.name}^{{\dagger}}" + (f"^{{{m}}}" if m > 1 else ""))
            if n:
                parts.append(s.name + (f"^{{{n}}}" if n > 1 else ""))
        for s, lab, i, j in self.atoms:
            parts.append(rf"\sigma_{{{i}{j}}}^{{{_atom_label(s, lab)}}}")
        return " ".join(parts) if parts else "1"

    def __str__(self) -> str:
        return self.text()

    def sort_key(self) -> tuple:
        """Total order used for deterministic output and representative choice."""
        return (
            self.order,
            tuple((s.name, m, -n) for s, m, n in self.fock),
            tuple((s.name, _label_key(lab), i, j) for s, lab, i, j in self.atoms),
        )


def _atom_label(space: NLevelSpace, label: Label) -> str:
    """An atom's label in text: ``1`` in the space ``atom``, ``atom2.1`` in another."""
    return str(label) if space.name == "atom" else f"{space.name}.{label}"


def _pow(sym: str, k: int) -> str:
    if k == 0:
        return ""
    return sym if k == 1 else f"{sym}^{k}"


def monomial_from_factors(factors: Iterable[tuple]) -> Monomial:
    """Rebuild a monomial from a subsequence of :meth:`Monomial.factors`."""
    fock: dict[FockSpace, list[int]] = {}
    atoms: list[AtomFactor] = []
    for f in factors:
        if f[0] == "c":
            fock.setdefault(f[1], [0, 0])[0] += 1
        elif f[0] == "d":
            fock.setdefault(f[1], [0, 0])[1] += 1
        else:
            atoms.append((f[1], f[2], f[3], f[4]))
    return Monomial.build(((s, m, n) for s, (m, n) in fock.items()), atoms)


IDENTITY = Monomial()


def _fock_product(m: int, n: int, p: int, q: int) -> Iterator[tuple[int, int, int]]:
    """``a†^m a^n · a†^p a^q = Σ_k c_k a†^(m+p−k) a^(n+q−k)``; yields (c_k, m', n')."""
    for k in range(min(n, p) + 1):
        c = math.comb(n, k) * math.comb(p, k) * math.factorial(k)
        yield c, m + p - k, n + q - k


def _atom_product(
    space: NLevelSpace, i: int, j: int, k: int, l: int
) -> list[tuple[int, tuple[int, int] | None]]:
    """``σij σkl`` on one atom as [(coefficient, (i', j') or None for identity)]."""
    if j != k:
        return []
    return _projector_expansion(space, i, l)


def _projector_expansion(
    space: NLevelSpace, i: int, l: int
) -> list[tuple[int, tuple[int, int] | None]]:
    if i == l and space.ground is not None and i == space.ground:
        out: list[tuple[int, tuple[int, int] | None]] = [(1, None)]
        out += [(-1, (r, r)) for r in range(1, space.levels + 1) if r != space.ground]
        return out
    return [(1, (i, l))]


def monomial_product(x: Monomial, y: Monomial) -> dict[Monomial, int]:
    """Product ``x · y`` as ``{monomial: integer coefficient}`` (normal ordered)."""
    return dict(_product_terms(x, y))


@functools.lru_cache(maxsize=200_000)
def _product_terms(x: Monomial, y: Monomial) -> tuple[tuple[Monomial, int], ...]:
    """:func:`monomial_product` as a tuple, memoized (the derivation multiplies the
    same few template monomials with the same averages many times)."""
    # Fock part: merge mode by mode.
    fx = {s: (m, n) for s, m, n in x.fock}
    fy = {s: (m, n) for s, m, n in y.fock}
    fock_terms: list[tuple[int, list[FockFactor]]] = [(1, [])]
    for s in sorted(set(fx) | set(fy), key=lambda s: s.name):
        if s in fx and s in fy:
            (m, n), (p, q) = fx[s], fy[s]
            opts = list(_fock_product(m, n, p, q))
        else:
            mm, nn = fx.get(s) or fy[s]
            opts = [(1, mm, nn)]
        fock_terms = [
            (c0 * c, facs + [(s, m2, n2)]) for c0, facs in fock_terms for c, m2, n2 in opts
        ]
    # Atom part: merge atom by atom.
    ax = {(s, lab): (i, j) for s, lab, i, j in x.atoms}
    ay = {(s, lab): (i, j) for s, lab, i, j in y.atoms}
    atom_terms: list[tuple[int, list[AtomFactor]]] = [(1, [])]
    for key in set(ax) | set(ay):
        s, lab = key
        if key in ax and key in ay:
            (i, j), (k, l) = ax[key], ay[key]
            opts2 = _atom_product(s, i, j, k, l)
        else:
            i, j = ax.get(key) or ay[key]
            opts2 = [(1, (i, j))]
        if not opts2:
            return ()
        atom_terms = [
            (c0 * c, facs + ([] if t is None else [(s, lab, t[0], t[1])]))
            for c0, facs in atom_terms
            for c, t in opts2
        ]
    out: dict[Monomial, int] = {}
    for cf, ff in fock_terms:
        for ca, aa in atom_terms:
            mono = Monomial.build(ff, aa)
            out[mono] = out.get(mono, 0) + cf * ca
    return tuple((k, v) for k, v in out.items() if v != 0)


# ---------------------------------------------------------------------------
# Operator expressions
# ---------------------------------------------------------------------------


def _sym(c: object) -> sp.Expr:
    return c if isinstance(c, sp.Basic) else sp.sympify(c)


class Operator:
    """A linear combination of monomials with sympy coefficients.

    Supports ``+ - *`` with operators and scalars, :meth:`dag`, :func:`commutator`,
    printing (:meth:`text`, :meth:`latex`). Coefficients are not simplified on the
    fly; call :meth:`expand` to expand them and drop zero terms.
    """

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[Monomial, object] | None = None) -> None:
        self.terms: dict[Monomial, sp.Expr] = {}
        if terms:
            for k, v in terms.items():
                v = _sym(v)
                if v != 0:
                    self.terms[k] = v

    # -- construction helpers --------------------------------------------
    @staticmethod
    def scalar(c: object) -> Operator:
        return Operator({IDENTITY: c})

    @staticmethod
    def _coerce(x: object) -> Operator:
        if isinstance(x, Operator):
            return x
        return Operator.scalar(x)

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, other: object) -> Operator:
        if not isinstance(other, Operator | int | float | complex | sp.Basic):
            return NotImplemented
        other = Operator._coerce(other)
        out = dict(self.terms)
        for k, v in other.terms.items():
            out[k] = out[k] + v if k in out else v
        return Operator(out)

    __radd__ = __add__

    def __neg__(self) -> Operator:
        return Operator({k: -v for k, v in self.terms.items()})

    def __sub__(self, other: object) -> Operator:
        if not isinstance(other, Operator | int | float | complex | sp.Basic):
            return NotImplemented
        return self + (-Operator._coerce(other))

    def __rsub__(self, other: object) -> Operator:
        return Operator._coerce(other) - self

    def __mul__(self, other: object) -> Operator:
        if isinstance(other, Operator):
            out: dict[Monomial, sp.Expr] = {}
            for kx, vx in self.terms.items():
                for ky, vy in other.terms.items():
                    for mono, c in _product_terms(kx, ky):
                        term = c * vx * vy
                        out[mono] = out[mono] + term if mono in out else term
            return Operator(out)
        if isinstance(other, int | float | complex | sp.Basic):
            c = _sym(other)
            return Operator({k: c * v for k, v in self.terms.items()})
        return NotImplemented

    def __rmul__(self, other: object) -> Operator:
        if isinstance(other, int | float | complex | sp.Basic):
            c = _sym(other)
            return Operator({k: c * v for k, v in self.terms.items()})
        return NotImplemented

    def dag(self) -> Operator:
        """Hermitian adjoint (coefficients complex-conjugated)."""
        return Operator({k.dag(): sp.conjugate(v) for k, v in self.terms.items()})

    def expand(self) -> Operator:
        """Expand every coefficient and drop the zero terms."""
        return Operator({k: sp.expand(v) for k, v in self.terms.items()})

    def relabel(self, mapping: Mapping[Label, Label]) -> Operator:
        """Substitute atom labels (e.g. an :class:`Index` by an int)."""
        out: dict[Monomial, sp.Expr] = {}
        for k, v in self.terms.items():
            m = k.relabel(mapping)
            out[m] = out[m] + v if m in out else v
        return Operator(out)

    def labels(self) -> set[Label]:
        """All atom labels that occur."""
        return {lab for k in self.terms for lab in k.labels()}

    def subs(self, values: Mapping[sp.Symbol, object]) -> Operator:
        """Substitute parameter values in the coefficients."""
        return Operator({k: _sym(v).subs(values) for k, v in self.terms.items()})

    def is_zero(self) -> bool:
        return all(sp.expand(v) == 0 for v in self.terms.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Operator | int | float | complex | sp.Basic):
            return NotImplemented
        return (self - Operator._coerce(other)).is_zero()

    __hash__ = None  # type: ignore[assignment]

    def sorted_terms(self) -> list[tuple[Monomial, sp.Expr]]:
        return sorted(self.terms.items(), key=lambda kv: kv[0].sort_key())

    # -- printing -------------------------------------------------------------
    def text(self) -> str:
        """Plain-text form, e.g. ``(g)*a† σ12^1 + (g)*a σ21^1``."""
        if not self.terms:
            return "0"
        return " + ".join(f"({sp.sstr(v)})*{k.text()}" for k, v in self.sorted_terms())

    def latex(self) -> str:
        """LaTeX form."""
        if not self.terms:
            return "0"
        return " + ".join(
            rf"\left({sp.latex(v)}\right) {k.latex()}" for k, v in self.sorted_terms()
        )

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Operator({self.text()})"


def commutator(x: Operator, y: Operator) -> Operator:
    """``[x, y] = x y − y x``."""
    return x * y - y * x


def anticommutator(x: Operator, y: Operator) -> Operator:
    """``{x, y} = x y + y x``."""
    return x * y + y * x


# ---------------------------------------------------------------------------
# Elementary operators
# ---------------------------------------------------------------------------


def Destroy(space: FockSpace) -> Operator:  # noqa: N802 - operator constructors
    """The annihilation operator ``a`` of a Fock mode."""
    return Operator({Monomial.build([(space, 0, 1)]): 1})


def Create(space: FockSpace) -> Operator:  # noqa: N802
    """The creation operator ``a†`` of a Fock mode."""
    return Operator({Monomial.build([(space, 1, 0)]): 1})


def Transition(space: NLevelSpace, i: int, j: int, atom: Label = 1) -> Operator:  # noqa: N802
    """The atomic transition operator ``σij = |i><j|`` of atom ``atom``.

    Args:
        space: The atoms' level space.
        i, j: Levels in ``1..space.levels``.
        atom: Atom label (int >= 1, or an :class:`Index` inside model templates).

    The eliminated ground projector ``σgg`` is returned as ``1 − Σ_{r≠g} σrr``.
    """
    for lv in (i, j):
        if not 1 <= lv <= space.levels:
            raise ValueError(f"level {lv} outside 1..{space.levels}")
    out: dict[Monomial, object] = {}
    for c, t in _projector_expansion(space, i, j):
        mono = IDENTITY if t is None else Monomial.build((), [(space, atom, t[0], t[1])])
        out[mono] = c
    return Operator(out)


__all__ = [
    "IDENTITY",
    "Create",
    "Destroy",
    "FockSpace",
    "Index",
    "Monomial",
    "NLevelSpace",
    "Operator",
    "Transition",
    "anticommutator",
    "commutator",
    "monomial_from_factors",
    "monomial_product",
]
