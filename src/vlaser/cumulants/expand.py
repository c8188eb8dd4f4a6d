"""Averages as sympy symbols, and the cumulant expansion to any order.

**Averages.** ``⟨M⟩`` of a monomial is represented by one sympy symbol per class of
monomials that are equal by symmetry:

* identical atoms: relabelling the atoms does not change the average (the state is
  permutation symmetric), so M is first brought to canonical labels (its transitions
  sorted, atoms numbered 1..m in that order);
* conjugation: ``⟨M†⟩ = ⟨M⟩*``; of M and M† (both canonical) the one with the smaller
  :meth:`~vlaser.cumulants.algebra.Monomial.sort_key` is the representative. The
  other is written with the representative's conjugate symbol. Self-conjugate
  averages (``⟨a†a⟩``, ``⟨σ22^1⟩``, ``⟨σ21^1 σ12^2⟩``) are real symbols.

**Cumulant expansion** of order k (order of a monomial = number of elementary factors,
``a†^m a^n`` counts m + n, each σ counts 1): all joint cumulants of more than k
factors vanish. For n = k + 1 factors

    ⟨X1..Xn⟩ = − Σ_{partitions π, |π| ≥ 2} (−1)^(|π|−1) (|π|−1)! Π_{B∈π} ⟨X_B⟩,

blocks keeping the normal order, applied recursively to blocks longer than k.
k = 1 is mean field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from math import factorial

import sympy as sp

from vlaser.cumulants.algebra import (
    IDENTITY,
    Monomial,
    Operator,
    monomial_from_factors,
)


def canonical(mono: Monomial, symmetric: bool = True) -> Monomial:
    """Relabel the atoms of ``mono`` canonically (identical-atom symmetry).

    Per atom space the transitions are sorted by (i, j) and numbered 1..m.
    With ``symmetric=False`` the monomial is returned unchanged.
    """
    if not symmetric or not mono.atoms:
        return mono
    by_space: dict = {}
    for s, _lab, i, j in mono.atoms:
        by_space.setdefault(s, []).append((i, j))
    atoms = []
    for s, ts in by_space.items():
        for k, (i, j) in enumerate(sorted(ts), start=1):
            atoms.append((s, k, i, j))
    return Monomial.build(mono.fock, atoms)


@dataclass(frozen=True)
class AverageInfo:
    """What an average symbol stands for.

    Attributes:
        monomial: The representative monomial.
        conjugate: ``True`` for the conjugate symbol ⟨M⟩*.
        real: The average is real (self-conjugate up to relabelling).
    """

    monomial: Monomial
    conjugate: bool
    real: bool


_REGISTRY: dict[sp.Symbol, AverageInfo] = {}


def representative(mono: Monomial, symmetric: bool = True) -> tuple[Monomial, bool, bool]:
    """``(representative, is_conjugate, is_real)`` for the average ``⟨mono⟩``."""
    c1 = canonical(mono, symmetric)
    c2 = canonical(mono.dag(), symmetric)
    if c1 == c2:
        return c1, False, True
    if c1.sort_key() <= c2.sort_key():
        return c1, False, False
    return c2, True, False


def _symbol(rep: Monomial, conj: bool, real: bool) -> sp.Symbol:
    # The conjugate ⟨M⟩* = ⟨M†⟩ is named after the (canonical) adjoint monomial.
    shown = canonical(rep.dag()) if conj and not real else rep
    name = f"⟨{shown.text()}⟩"
    sym = sp.Symbol(name, real=True) if real else sp.Symbol(name)
    if sym not in _REGISTRY:
        _REGISTRY[sym] = AverageInfo(rep, conj and not real, real)
    return sym


def average_symbol(mono: Monomial, symmetric: bool = True) -> sp.Expr:
    """The sympy symbol of ``⟨mono⟩`` (``1`` for the identity)."""
    if mono.is_identity:
        return sp.Integer(1)
    rep, conj, real = representative(mono, symmetric)
    return _symbol(rep, conj, real)


def representative_symbol(rep: Monomial) -> sp.Symbol:
    """The (unconjugated) symbol of a representative monomial."""
    r, conj, real = representative(rep)
    return _symbol(r, False, real)


def conjugate_symbol(sym: sp.Symbol) -> sp.Symbol:
    """⟨M⟩ ↔ ⟨M⟩* (real averages map to themselves)."""
    info = _REGISTRY[sym]
    if info.real:
        return sym
    return _symbol(info.monomial, not info.conjugate, False)


def average_info(sym: sp.Basic) -> AverageInfo | None:
    """The :class:`AverageInfo` of an average symbol, ``None`` for other symbols."""
    return _REGISTRY.get(sym)  # type: ignore[arg-type]


def averages_in(expr: sp.Expr) -> set[sp.Symbol]:
    """All average symbols (plain or conjugate) occurring in ``expr``."""
    return {s for s in expr.free_symbols if s in _REGISTRY}


def set_partitions(n: int) -> Iterator[list[list[int]]]:
    """All set partitions of ``range(n)`` (blocks in increasing order)."""
    if n == 0:
        yield []
        return

    def rec(k: int, blocks: list[list[int]]):
        if k == n:
            yield [list(b) for b in blocks]
            return
        for b in blocks:
            b.append(k)
            yield from rec(k + 1, blocks)
            b.pop()
        blocks.append([k])
        yield from rec(k + 1, blocks)
        blocks.pop()

    yield from rec(0, [])


@cache
def _partitions_cached(n: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    return tuple(tuple(tuple(b) for b in p) for p in set_partitions(n))


#: A polynomial in average symbols with integer coefficients:
#: ``((symbols of a term, sorted by name), coefficient), ...``.
Poly = tuple[tuple[tuple[sp.Symbol, ...], int], ...]


def _key(syms: tuple[sp.Symbol, ...]) -> tuple[sp.Symbol, ...]:
    return tuple(sorted(syms, key=lambda x: x.name))


@lru_cache(maxsize=100_000)
def _expand_poly(mono: Monomial, order: int, symmetric: bool) -> Poly:
    """⟨mono⟩ (canonical) at cumulant order ``order`` as a :data:`Poly`.

    Pure dictionary arithmetic (no sympy expansion): products of the blocks' own
    expansions, recursively for blocks longer than ``order``.
    """
    if mono.is_identity:
        return (((), 1),)
    if mono.order <= order:
        return (((average_symbol(mono, symmetric),), 1),)
    factors = mono.factors()
    total: dict[tuple[sp.Symbol, ...], int] = {}
    for part in _partitions_cached(len(factors)):
        k = len(part)
        if k == 1:
            continue
        prod: dict[tuple[sp.Symbol, ...], int] = {(): -((-1) ** (k - 1)) * factorial(k - 1)}
        for block in part:
            sub = canonical(monomial_from_factors(factors[i] for i in block), symmetric)
            nxt: dict[tuple[sp.Symbol, ...], int] = {}
            for ka, ca in prod.items():
                for kb, cb in _expand_poly(sub, order, symmetric):
                    key = _key(ka + kb)
                    nxt[key] = nxt.get(key, 0) + ca * cb
            prod = nxt
        for key, c in prod.items():
            total[key] = total.get(key, 0) + c
    return tuple((key, c) for key, c in total.items() if c != 0)


def _poly_expr(poly: Poly) -> sp.Expr:
    return sp.Add(*[sp.Mul(sp.Integer(c), *key) for key, c in poly])


@lru_cache(maxsize=100_000)
def _expand_monomial(mono: Monomial, order: int, symmetric: bool) -> sp.Expr:
    return _poly_expr(_expand_poly(mono, order, symmetric))


def expand_average(mono: Monomial, order: int, symmetric: bool = True) -> sp.Expr:
    """``⟨mono⟩`` expanded to cumulant order ``order`` (a polynomial in averages).

    Args:
        mono: The monomial.
        order: k >= 1; joint cumulants of more than k factors are set to zero.
        symmetric: Use the identical-atom relabelling symmetry.
    """
    if order < 1:
        raise ValueError("cumulant order must be >= 1")
    if mono.is_identity:
        return sp.Integer(1)
    return _expand_monomial(canonical(mono, symmetric), order, symmetric)


def expand_poly(mono: Monomial, order: int, symmetric: bool = True) -> Poly:
    """``⟨mono⟩`` expanded to cumulant order ``order`` as a :data:`Poly` (symbol
    tuples sorted by name, integer coefficients); see :func:`expand_average`."""
    if order < 1:
        raise ValueError("cumulant order must be >= 1")
    return _expand_poly(canonical(mono, symmetric), order, symmetric)


def cumulant_expand(op: Operator | Monomial, order: int, symmetric: bool = True) -> sp.Expr:
    """The average of an operator expression, cumulant-expanded to ``order``.

    Returns:
        A sympy expression, polynomial in average symbols (see :func:`average_symbol`)
        with the operator's coefficients, fully expanded (one term per product of
        averages and product of parameters). Built by collecting the coefficient of
        each product of averages first, so only those (small) coefficients go through
        ``sympy.expand``.
    """
    if isinstance(op, Monomial):
        return expand_average(op, order, symmetric)
    if order < 1:
        raise ValueError("cumulant order must be >= 1")
    acc: dict[tuple[sp.Symbol, ...], list[sp.Expr]] = {}
    for m, c in op.terms.items():
        for key, k in expand_poly(m, order, symmetric):
            acc.setdefault(key, []).append(c if k == 1 else k * c)
    terms = []
    for key, cs in acc.items():
        coef = sp.expand(sp.Add(*cs))
        if coef == 0:
            continue
        terms += [sp.Mul(t, *key) for t in sp.Add.make_args(coef)]
    return sp.Add(*terms)


def joint_cumulant(mono: Monomial, symmetric: bool = True) -> sp.Expr:
    """The joint cumulant of the factors of ``mono`` in terms of exact averages."""
    factors = mono.factors()
    n = len(factors)
    total = []
    for part in _partitions_cached(n):
        k = len(part)
        coef = (-1) ** (k - 1) * factorial(k - 1)
        prod = sp.Integer(coef)
        for block in part:
            prod = prod * average_symbol(
                monomial_from_factors(factors[i] for i in block), symmetric
            )
        total.append(prod)
    return sp.expand(sp.Add(*total))


__all__ = [
    "IDENTITY",
    "AverageInfo",
    "average_info",
    "average_symbol",
    "averages_in",
    "canonical",
    "conjugate_symbol",
    "cumulant_expand",
    "expand_average",
    "expand_poly",
    "joint_cumulant",
    "representative",
    "representative_symbol",
    "set_partitions",
]
