"""Completion: derive equations until every average on a right-hand side has one.

Starting from a list of operators, :func:`complete` derives d⟨O⟩/dt, cumulant-expands
it, collects every average it contains and adds the missing ones, until the system is
closed. One representative is kept per conjugate pair and per permutation class of
identical-atom labels (see :mod:`vlaser.cumulants.expand`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from vlaser.cumulants.algebra import Monomial, Operator
from vlaser.cumulants.derive import derive_operator
from vlaser.cumulants.expand import (
    _symbol,
    average_info,
    averages_in,
    conjugate_symbol,
    cumulant_expand,
    representative,
)
from vlaser.cumulants.model import Model


@dataclass
class System:
    """A closed system of equations for averages.

    Attributes:
        model: The model it was derived from.
        order: Cumulant order k.
        averages: Representative monomials, one per equation (canonical labels).
        symbols: The sympy symbol of each average (real symbol if ``real[k]``).
        conj_symbols: The conjugate symbol of each (equal to ``symbols[k]`` if real).
        real: Whether each average is real (self-conjugate).
        rhs: d⟨averages[k]⟩/dt as a sympy polynomial in ``symbols``, ``conj_symbols``
            and the model parameters.
        operator_rhs: The operator whose average is the right-hand side, before the
            cumulant expansion (kept for correlation-function work).
        symmetric: Identical-atom symmetry used.
        filter_key: The ``key`` of the ``filter_func`` it was completed with (``""``:
            none, every average kept).
        key: Hash of what the system was derived from (model, order, starting
            operators, symmetry, versions), set by
            :func:`vlaser.cumulants.compile.derive_system`; empty for a system built
            otherwise. Equal keys mean equal systems (cache keys use it instead of
            hashing :meth:`text`).
    """

    model: Model
    order: int
    averages: list[Monomial]
    symbols: list[sp.Symbol]
    conj_symbols: list[sp.Symbol]
    real: list[bool]
    rhs: list[sp.Expr]
    operator_rhs: list[Operator] = field(repr=False, default_factory=list)
    symmetric: bool = True
    key: str = field(default="", repr=False, compare=False)
    filter_key: str = ""

    def __len__(self) -> int:
        return len(self.averages)

    @property
    def count(self) -> int:
        """Number of equations (complex averages count once)."""
        return len(self.averages)

    @property
    def n_real(self) -> int:
        """Number of real variables (real averages once, complex ones twice)."""
        return sum(1 if r else 2 for r in self.real)

    def index(self, mono: Monomial | Operator) -> tuple[int, bool]:
        """``(k, conjugate)``: where ⟨mono⟩ lives in the system."""
        if isinstance(mono, Operator):
            (mono,) = mono.terms
        rep, conj, _ = representative(mono, self.symmetric)
        return self.averages.index(rep), conj

    def names(self) -> list[str]:
        """Plain-text names of the averages, e.g. ``⟨a†a⟩``."""
        return [f"⟨{m.text()}⟩" for m in self.averages]

    def text(self) -> str:
        """All equations as plain text, one per line."""
        lines = []
        for m, r in zip(self.averages, self.rhs, strict=True):
            lines.append(f"d/dt ⟨{m.text()}⟩ = {sp.sstr(r)}")
        return "\n".join(lines)

    def latex(self) -> str:
        """All equations as LaTeX (one ``\\frac{d}{dt}`` line per equation)."""
        repl = {}
        for m, s, c, real in zip(
            self.averages, self.symbols, self.conj_symbols, self.real, strict=True
        ):
            repl[s] = sp.Symbol(rf"\langle {m.latex()} \rangle")
            if not real:
                repl[c] = sp.Symbol(rf"\langle {m.dag().latex()} \rangle")
        lines = []
        for m, r in zip(self.averages, self.rhs, strict=True):
            lines.append(
                rf"\frac{{d}}{{dt}}\langle {m.latex()} \rangle = {sp.latex(r.xreplace(repl))}"
            )
        return "\\\\\n".join(lines)


def _seed(op: Monomial | Operator, order: int, symmetric: bool) -> list[Monomial]:
    """Representatives whose equations are needed for ⟨op⟩ at this order."""
    mono_list = [op] if isinstance(op, Monomial) else list(op.terms)
    out = []
    for m in mono_list:
        if m.is_identity:
            continue
        if m.order <= order:
            out.append(representative(m, symmetric)[0])
        else:
            for s in sorted(averages_in(cumulant_expand(m, order, symmetric)), key=str):
                out.append(average_info(s).monomial)
    return out


def _all(_mono: Monomial) -> bool:
    return True


def filter_key(filter_func: Callable[[Monomial], bool]) -> str:
    """A filter's identity in cache keys: its ``key`` attribute, else its name."""
    key = getattr(filter_func, "key", None)
    return str(key) if key else getattr(filter_func, "__qualname__", repr(filter_func))


def complete(
    model: Model,
    operators: Sequence[Monomial | Operator],
    order: int = 2,
    symmetric: bool = True,
    max_equations: int = 5000,
    filter_func: Callable[[Monomial], bool] | None = None,
) -> System:
    """Close the equations for ``operators`` at cumulant order ``order``.

    Args:
        model: The model.
        operators: Starting operators (e.g. ``[a†a]``); operators of higher order than
            ``order`` are replaced by the averages of their expansion.
        order: Cumulant order k >= 1.
        symmetric: Use identical-atom and conjugation symmetry (needs identical atoms).
        max_equations: Safety limit.
        filter_func: As QuantumCumulants.jl's ``complete(...; filter_func)``: averages
            (representative monomials) for which it returns ``False`` are set to zero
            wherever they appear and get no equation (e.g.
            :func:`vlaser.cumulants.filters.phase_invariant`). ``None``: keep all.

    Returns:
        The closed :class:`System`, equations in discovery order (breadth first).
    """
    if order < 1:
        raise ValueError("cumulant order must be >= 1")
    keep: Callable[[Monomial], bool] = filter_func if filter_func is not None else _all
    queue: list[Monomial] = []
    seen: set[Monomial] = set()
    for op in operators:
        for rep in _seed(op, order, symmetric):
            if rep not in seen and keep(rep):
                seen.add(rep)
                queue.append(rep)
    averages: list[Monomial] = []
    rhs: list[sp.Expr] = []
    op_rhs: list[Operator] = []
    pos = 0
    while pos < len(queue):
        mono = queue[pos]
        pos += 1
        d_op = derive_operator(model, mono)
        expr = cumulant_expand(d_op, order, symmetric)
        found = sorted(averages_in(expr), key=str)
        dropped = {s: 0 for s in found if not keep(average_info(s).monomial)}
        if dropped:
            expr = expr.xreplace(dropped)
        averages.append(mono)
        rhs.append(expr)
        op_rhs.append(d_op)
        for s in found:
            rep = average_info(s).monomial
            if s not in dropped and rep not in seen:
                seen.add(rep)
                queue.append(rep)
                if len(queue) > max_equations:
                    raise RuntimeError(f"completion exceeded {max_equations} equations")
    syms, conjs, reals = [], [], []
    for m in averages:
        _, _, real = representative(m, symmetric)
        s = _symbol(m, False, real)
        syms.append(s)
        conjs.append(conjugate_symbol(s))
        reals.append(real)
    # cumulant_expand returns fully expanded polynomials (one term per product of
    # averages and parameters), the form the compiler splits.
    fkey = "" if filter_func is None else filter_key(filter_func)
    return System(
        model, order, averages, syms, conjs, reals, rhs, op_rhs, symmetric, filter_key=fkey
    )


__all__ = ["System", "complete", "filter_key"]
