"""Two-time correlation functions ⟨O(τ) B(0)⟩ by the quantum regression theorem.

**Regression.** For a stationary state ρss the correlation ⟨O(τ)B(0)⟩ obeys

    d/dτ ⟨O(τ) B(0)⟩ = ⟨(L†O)(τ) B(0)⟩,

where L†O is the operator :func:`~vlaser.cumulants.derive.derive_operator` gives for
d⟨O⟩/dt. Each monomial M(τ)·B(0) of the right-hand side is cumulant-expanded to the
order k of the steady state, with B(0) treated as ONE extra elementary factor (at
another time). Blocks without B are steady-state averages (constants); blocks with B
are correlation variables x_P = ⟨P(τ) B(0)⟩, e.g. at k = 2

    ⟨X Y B0⟩ ≈ ⟨XY⟩ x_1 + ⟨X⟩ x_Y + ⟨Y⟩ x_X − 2⟨X⟩⟨Y⟩ x_1,     x_1 = ⟨1·B0⟩.

Closing from the readout operator gives the variables x_P for ord(P) ≤ k − 1, the
identity included, and a homogeneous linear system dx/dτ = M x with M built from
steady-state averages and parameters; x(0) = ⟨P B⟩ss (equal-time product, expanded
by the same rule) and x_1(0) = ⟨B⟩ss. If all mixed cumulants vanish (x_P = ⟨P⟩⟨B⟩)
the rows reduce to ⟨B⟩ times the steady-state equations, so x∞ = ⟨P⟩⟨B⟩ is the
stationary point in the instantaneous frame (used to split off the elastic part).

**Frames** (paper Appendix B, ``shared/conventions.md``). A collective dephasing jump
ν D[Q] with Hermitian Q such that [Q, P] = m(P) P for every monomial (excitation
charge; Q = a†a + S2 for the pump-2 phase, Q = S3 for pump 3) is a pump phase noise.
The instantaneous frame (``frame="instantaneous"``) is the frame of the steady state;
there the jump gives −(ν/2) m(P)² on the x_P row. In the coherent (non-fluctuating)
frame (``frame="coherent"``), with φ the pump phase and θ(τ) = φ(τ) − φ(0), the
variables are the phase-dressed x_P = E[e^{−i m(B) θ(τ)} ⟨P(τ)B(0)⟩_inst]; the
Stratonovich noise term i(m(P) + m(B)) θ̇ x_P turns (Itô) into the drift
−(ν/2)(m(P) + m(B))² x_P, which replaces −(ν/2) m(P)². For total charge 0 (e.g.
P = a†, B = a) x_P is the physical coherent-frame correlation; the others are the
auxiliary "phase-factor" variables of the paper's Appendix B. The charges are
computed with the engine ([Q, P] = m P), not tabulated.

**Atom groups.** For the K-group model of a
:class:`~vlaser.cumulants.groups.GroupFamily` (``family=``), the rows of operators on
atom groups only are derived on (r + 1)-group slot models and mapped to the groups
(:class:`_GroupDeriver`): the same rows as a derivation on the K-group model (tested
for K = 2, 3), with the number of derivations independent of K.

Everything is symbolic (sympy) and then compiled with :func:`sympy.lambdify` into a
vectorized function of the parameters and the steady-state averages (only the averages
that occur are arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from math import factorial
from typing import Any

import numpy as np
import sympy as sp

from vlaser.cumulants.algebra import (
    IDENTITY,
    Monomial,
    Operator,
    commutator,
    monomial_from_factors,
)
from vlaser.cumulants.complete import System
from vlaser.cumulants.derive import _subsystems, derive_operator
from vlaser.cumulants.expand import canonical, cumulant_expand, set_partitions
from vlaser.cumulants.model import Jump, Model

FRAMES = ("coherent", "instantaneous")

#: Inelastic generators larger than this are evaluated in their checked eigenbasis.
POLE_RESIDUE_MIN = 24

#: The token that stands for B(0) in a factor sequence.
_B = ("B",)


# ---------------------------------------------------------------------------
# Excitation charges of pump-phase jumps
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeJump:
    """A collective dephasing channel ``rate · D[Q]`` with definite charges.

    Attributes:
        rate: The rate expression (e.g. ``ν2``).
        jump: The model's :class:`~vlaser.cumulants.model.Jump`.
    """

    rate: sp.Expr
    jump: Jump

    def charge(self, mono: Monomial) -> sp.Rational | None:
        """m with [Q, mono] = m·mono, or ``None`` if mono has no definite charge."""
        return monomial_charge(self.jump, mono)

    def text(self) -> str:
        return self.jump.text()


def _concrete(
    jump: Jump, labels: Sequence[object], near: Monomial | None = None
) -> Operator | None:
    """The part of a collective jump operator that acts on the given atom labels
    (only its terms on the Fock modes and atom groups of ``near``, if given: the
    others commute with ``near``)."""
    out = Operator()
    for term in jump.op.terms:
        if near is not None:
            modes, spaces = _subsystems(term.op)
            if not (modes & {f[0] for f in near.fock} or spaces & {a[0] for a in near.atoms}):
                continue
        if not term.indices:
            out = out + term.op
        elif len(term.indices) == 1:
            for lab in labels:
                out = out + term.op.relabel({term.indices[0]: lab})
        else:
            return None
    return out


def monomial_charge(jump: Jump, mono: Monomial) -> sp.Rational | None:
    """Charge m of a monomial under a collective Hermitian jump operator Q.

    Atoms not in ``mono`` and subsystems it does not act on commute with it, so only
    Q's terms on its atoms and modes are needed.

    Returns:
        The rational m with [Q, mono] = m·mono; ``None`` if there is none.
    """
    if jump.over is not None:
        return None
    q = _concrete(jump, sorted(set(mono.labels()), key=str), near=mono)
    if q is None:
        return None
    comm = commutator(q, Operator({mono: 1})).expand()
    if comm.is_zero():
        return sp.Integer(0)
    if set(comm.terms) != {mono}:
        return None
    m = sp.nsimplify(comm.terms[mono])
    return m if m.is_Rational else None


def charge_jumps(model: Model) -> list[ChargeJump]:
    """The model's pump-phase channels: collective jumps with Hermitian Q whose
    elementary operators (a, a†, every σij) all have definite charges."""
    out = []
    elementary: list[Monomial] = [Monomial.build([(f, 1, 0)]) for f in model.fock]
    elementary += [Monomial.build([(f, 0, 1)]) for f in model.fock]
    for group in model.groups:
        space = group.space
        for i in range(1, space.levels + 1):
            for j in range(1, space.levels + 1):
                if i == j and i == space.ground:
                    continue
                elementary.append(Monomial.build((), [(space, 1, i, j)]))
    for jump in model.jumps:
        if jump.over is not None:
            continue
        q = _concrete(jump, [1])
        if q is None or not (q - q.dag()).is_zero():
            continue
        if all(monomial_charge(jump, e) is not None for e in elementary):
            out.append(ChargeJump(jump.rate, jump))
    return out


def total_charge(cj: ChargeJump, mono: Monomial) -> sp.Rational:
    """Charge of a product monomial: additive over its elementary factors."""
    m = sp.Integer(0)
    for f in mono.factors():
        one = monomial_from_factors([f])
        c = cj.charge(one)
        if c is None:  # pragma: no cover - excluded by charge_jumps
            raise ValueError(f"{one.text()} has no definite charge under {cj.text()}")
        m += c
    return m


# ---------------------------------------------------------------------------
# Correlation variables and the expansion with one time-0 factor
# ---------------------------------------------------------------------------


def _canonical_fixed(mono: Monomial, fixed: frozenset, symmetric: bool) -> Monomial:
    """Identical-atom canonical form keeping B's atom labels ``fixed`` in place."""
    if not symmetric or not mono.atoms:
        return mono
    if not fixed:
        return canonical(mono, True)
    start = max(fixed) + 1
    kept = [x for x in mono.atoms if x[1] in fixed]
    free = sorted((x for x in mono.atoms if x[1] not in fixed), key=lambda x: (x[0].name, x[2:]))
    atoms = kept + [(s, start + k, i, j) for k, (s, _lab, i, j) in enumerate(free)]
    return Monomial.build(mono.fock, atoms)


@lru_cache(maxsize=200_000)
def _expand_with_b(
    factors: tuple, order: int, fixed: frozenset, symmetric: bool
) -> tuple[tuple[Monomial, sp.Expr], ...]:
    """⟨Π factors(τ) · B(0)⟩ at cumulant order ``order``: ((P, coefficient), ...).

    The result is linear in the correlation variables x_P; each coefficient is a
    polynomial in steady-state averages.
    """
    if len(factors) + 1 <= order:
        mono = _canonical_fixed(monomial_from_factors(factors), fixed, symmetric)
        return ((mono, sp.Integer(1)),)
    tokens = list(factors) + [_B]
    n = len(tokens)
    acc: dict[Monomial, sp.Expr] = {}
    for part in set_partitions(n):
        k = len(part)
        if k == 1:
            continue
        const = sp.Integer(-((-1) ** (k - 1)) * factorial(k - 1))
        with_b: tuple = ()
        for block in part:
            if n - 1 in block:
                with_b = tuple(tokens[i] for i in block if i != n - 1)
            else:
                sub = monomial_from_factors(tokens[i] for i in block)
                const = const * cumulant_expand(sub, order, symmetric)
        for mono, c in _expand_with_b(with_b, order, fixed, symmetric):
            acc[mono] = acc.get(mono, sp.Integer(0)) + const * c
    return tuple((m, sp.expand(c)) for m, c in acc.items())


def expand_correlation(
    op: Operator, order: int, fixed: frozenset = frozenset(), symmetric: bool = True
) -> dict[Monomial, sp.Expr]:
    """⟨op(τ) B(0)⟩ expanded: ``{P: coefficient}`` meaning Σ coefficient · x_P."""
    out: dict[Monomial, sp.Expr] = {}
    for mono, c in op.terms.items():
        for p, cp in _expand_with_b(mono.factors(), order, fixed, symmetric):
            out[p] = out.get(p, sp.Integer(0)) + c * cp
    return {p: sp.expand(c) for p, c in out.items() if sp.expand(c) != 0}


def _derive_with_labels(model: Model, mono: Monomial, extra: Sequence[int]) -> Operator:
    """``derive_operator`` with the atom labels ``extra`` (B's atoms) counted as present.

    The identical-atom sums in :func:`derive_operator` split off the atoms that carry
    a label in the operator; B's atoms must be split off too (they are distinguishable
    in ⟨O(τ)B(0)⟩). Derivation is linear, so a zero-weight monomial on B's atoms
    (coefficient ε, set to 0 afterwards) makes the labels present without changing
    the result.
    """
    missing = [lab for lab in extra if lab not in mono.labels()]
    if not missing or model.atom_space is None:
        return derive_operator(model, mono)
    eps = sp.Dummy("eps")
    s = model.atom_space
    i = next(r for r in range(1, s.levels + 1) if r != s.ground)
    ghost = Monomial.build((), [(s, lab, i, i) for lab in missing])
    d = derive_operator(model, Operator({mono: 1, ghost: eps}))
    return Operator({k: v.subs(eps, 0) for k, v in d.terms.items()}).expand()


class _GroupDeriver:
    """d/dt of an operator of a K-group family model from small slot models.

    The model of a :class:`~vlaser.cumulants.groups.GroupFamily` is invariant under
    permuting its groups together with their parameters, and a right-hand side
    involves at most one group more than its operator (the argument of
    :mod:`vlaser.cumulants.groups`): an operator on r groups is derived once on the
    (r + 1)-group model with its groups renamed to slots 1..r (memoized per renamed
    operator), the slots are mapped back to its groups, and the terms on slot r + 1
    ("another group") are repeated for every group it does not involve, each with
    that group's space and parameters. Operators with a Fock-mode factor couple to
    every group; they are derived on the full model. No derivation scales with K.
    """

    def __init__(self, family: object, model: Model, n_groups: int) -> None:
        self.family = family
        self.model = model
        self.n_groups = n_groups
        self.spaces = [family.space(k) for k in range(1, n_groups + 1)]  # type: ignore[attr-defined]
        self.group_of = {s: k for k, s in enumerate(self.spaces, start=1)}
        self._models: dict[int, Model] = {}
        self._memo: dict[Monomial, Operator] = {}

    def _slot_model(self, n_slots: int) -> Model:
        if n_slots not in self._models:
            self._models[n_slots] = self.family.build(n_slots)  # type: ignore[attr-defined]
        return self._models[n_slots]

    def _mapping(self, groups: Sequence[int]) -> tuple[dict, dict]:
        """Slot j+1 -> group groups[j]: (space map, parameter-symbol map)."""
        fam = self.family
        spaces = {fam.space(j + 1): self.spaces[g - 1] for j, g in enumerate(groups)}  # type: ignore[attr-defined]
        syms: dict[sp.Symbol, sp.Symbol] = {}
        for j, g in enumerate(groups):
            src, dst = fam.symbols(j + 1), fam.symbols(g)  # type: ignore[attr-defined]
            for name, sym in src.items():
                syms[sym] = dst[name]
        return spaces, syms

    def derive(self, mono: Monomial) -> Operator:
        from vlaser.cumulants.groups import _relabel_spaces

        if mono.fock or not mono.atoms or any(a[0] not in self.group_of for a in mono.atoms):
            return derive_operator(self.model, mono)
        groups = sorted({self.group_of[a[0]] for a in mono.atoms})
        r = len(groups)
        to_slots = {self.spaces[g - 1]: self.family.space(j + 1) for j, g in enumerate(groups)}  # type: ignore[attr-defined]
        rep = _relabel_spaces(mono, to_slots)
        d = self._memo.get(rep)
        if d is None:
            d = derive_operator(self._slot_model(r + 1), rep)
            self._memo[rep] = d
        other_space = self.family.space(r + 1)  # type: ignore[attr-defined]
        other_syms = set(self.family.symbols(r + 1).values())  # type: ignore[attr-defined]
        out: dict[Monomial, sp.Expr] = {}
        for m, c in d.terms.items():
            other = any(a[0] == other_space for a in m.atoms) or bool(
                sp.sympify(c).free_symbols & other_syms
            )
            targets = [g for g in range(1, self.n_groups + 1) if g not in groups] if other else [0]
            for g in targets:
                spaces, syms = self._mapping(groups + ([g] if other else []))
                mm = _relabel_spaces(m, spaces)
                out[mm] = out.get(mm, sp.Integer(0)) + sp.sympify(c).xreplace(syms)
        return Operator({m: c for m, c in out.items() if c != 0})


# ---------------------------------------------------------------------------
# The correlation system
# ---------------------------------------------------------------------------


@dataclass
class CorrelationSystem:
    """Closed linear system for x_P(τ) = ⟨P(τ) B(0)⟩.

    Attributes:
        model: The model.
        steady: The closed steady-state system whose averages are the constants.
        b: The time-0 operator B (a monomial with canonical atom labels).
        order: Cumulant order k.
        frame: ``"coherent"`` or ``"instantaneous"``.
        variables: The operators P (``IDENTITY`` for x_1 = ⟨1·B0⟩), discovery order.
        symbols: Sympy symbol of each x_P.
        rows: dx_P/dτ as ``{index of P': coefficient}`` (linear), coefficients in
            steady-state average symbols and model parameters.
        initial: x_P(0) = ⟨P B⟩ss, cumulant-expanded (sympy).
        stationary: ⟨P⟩ss, cumulant-expanded (sympy); ``stationary[identity] = 1``.
        b_mean: ⟨B⟩ss (sympy).
        charges: Per pump-phase channel (:func:`charge_jumps`): (channel, m(B),
            [m(P) for each variable]).
    """

    model: Model
    steady: System
    b: Monomial
    order: int
    frame: str
    variables: list[Monomial]
    symbols: list[sp.Symbol]
    rows: list[dict[int, sp.Expr]]
    initial: list[sp.Expr]
    stationary: list[sp.Expr]
    b_mean: sp.Expr
    charges: list[tuple[ChargeJump, sp.Rational, list[sp.Rational]]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.variables)

    def index(self, op: Monomial | Operator) -> int:
        """Position of x_P for the (single-monomial) operator P."""
        mono = _single(op, "P")
        fixed = frozenset(self.b.labels())
        return self.variables.index(_canonical_fixed(mono, fixed, self.steady.symmetric))

    @property
    def identity_index(self) -> int | None:
        """Index of x_1 = ⟨1·B0⟩ (``None`` if it does not occur)."""
        return self.variables.index(IDENTITY) if IDENTITY in self.variables else None

    def names(self) -> list[str]:
        """Plain-text names, e.g. ``⟨a†(τ) a(0)⟩``."""
        return [_name(p, self.b) for p in self.variables]

    def row_expr(self, k: int) -> sp.Expr:
        """dx_k/dτ as one sympy expression in the x symbols."""
        return sp.Add(*[c * self.symbols[j] for j, c in self.rows[k].items()])

    def matrix(self) -> sp.Matrix:
        """The generator M (sympy), dx/dτ = M x."""
        n = len(self)
        m = sp.zeros(n, n)
        for k, row in enumerate(self.rows):
            for j, c in row.items():
                m[k, j] = c
        return m

    def text(self) -> str:
        """All equations, one per line."""
        return "\n".join(
            f"d/dτ {nm} = {sp.sstr(self.row_expr(k))}" for k, nm in enumerate(self.names())
        )

    def dephasing(self, k: int) -> dict[sp.Expr, sp.Expr]:
        """Diagonal pump-phase term of row k per channel rate: {ν: −(m(P)+m(B))²/2}.

        In the instantaneous frame the exponent is m(P) alone.
        """
        out = {}
        for cj, mb, mp in self.charges:
            tot = mp[k] + (mb if self.frame == "coherent" else 0)
            out[cj.rate] = -sp.Rational(1, 2) * tot**2
        return out

    def readout(self, op: Operator | Monomial) -> np.ndarray:
        """Row vector c with c·x = ⟨op(τ) B(0)⟩ (op a combination of variables)."""
        o = Operator({op: 1}) if isinstance(op, Monomial) else op
        c = np.zeros(len(self), dtype=complex)
        fixed = frozenset(self.b.labels())
        for mono, coef in o.terms.items():
            p = _canonical_fixed(mono, fixed, self.steady.symmetric)
            if p not in self.variables:
                raise ValueError(f"{mono.text()} is not a variable of this correlation system")
            c[self.variables.index(p)] += complex(coef)
        return c

    def compile(self) -> CompiledCorrelation:
        """Numeric face (vectorized over parameter points)."""
        return CompiledCorrelation(self)


def _single(op: Monomial | Operator, what: str) -> Monomial:
    if isinstance(op, Monomial):
        return op
    if len(op.terms) != 1 or sp.simplify(next(iter(op.terms.values())) - 1) != 0:
        raise ValueError(f"{what} must be a single monomial with coefficient 1, got {op.text()}")
    return next(iter(op.terms))


def _name(p: Monomial, b: Monomial) -> str:
    return f"⟨{p.text()}(τ) {b.text()}(0)⟩" if not p.is_identity else f"⟨1 {b.text()}(0)⟩"


def correlation_system(
    steady: System,
    b: Monomial | Operator,
    readout: Sequence[Monomial | Operator],
    frame: str = "coherent",
    order: int | None = None,
    family: object | None = None,
) -> CorrelationSystem:
    """Derive the closed regression system for ⟨P(τ) B(0)⟩.

    Args:
        steady: The closed steady-state :class:`~vlaser.cumulants.complete.System`
            (its model, order and symmetry are used).
        b: The time-0 operator B, one monomial (e.g. ``Destroy(cavity)``); atom labels
            must be 1..m.
        readout: Operators P whose correlations are wanted (e.g. ``[Create(cavity)]``
            for ⟨a†(τ)a(0)⟩); the closure starts from them.
        frame: ``"coherent"`` (spectrum against a stable reference, Appendix B) or
            ``"instantaneous"`` (the frame of the steady-state equations).
        order: Cumulant order (default: the steady state's).
        family: The :class:`~vlaser.cumulants.groups.GroupFamily` whose K-group model
            ``steady`` belongs to (e.g. a :class:`~vlaser.cumulants.groups.GroupSystem`):
            rows of operators on atom groups only are then derived on small slot
            models (:class:`_GroupDeriver`; the same rows, cost independent of K).
            Only for a B without atoms.

    Returns:
        The :class:`CorrelationSystem`.

    Raises:
        ValueError: Unknown frame, B not a monomial, a coherent frame with a collective
            jump that has no definite charges, or a constant average that the steady
            system lacks.
    """
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}, got {frame!r}")
    model = steady.model
    k = steady.order if order is None else int(order)
    if not 1 <= k <= steady.order:
        raise ValueError(f"order must be in 1..{steady.order} (the steady state's order)")
    sym = steady.symmetric
    bm = _single(b, "B")
    blabels = sorted({lab for lab in bm.labels()})
    if blabels != list(range(1, len(blabels) + 1)):
        raise ValueError("B's atom labels must be 1..m")
    fixed = frozenset(blabels)
    cjs = charge_jumps(model)
    if frame == "coherent":
        for jump in model.jumps:
            if jump.over is None and all(jump is not cj.jump for cj in cjs):
                q = _concrete(jump, [1])
                if q is not None and (q - q.dag()).is_zero():
                    raise ValueError(f"collective jump {jump.text()} has no definite charges")
    b_charges = [total_charge(cj, bm) for cj in cjs]

    queue: list[Monomial] = []
    for op in readout:
        o = Operator({op: 1}) if isinstance(op, Monomial) else op
        for mono in o.terms:
            if mono.order + 1 > k:
                raise ValueError(f"readout {mono.text()} has order > {k - 1}")
            p = _canonical_fixed(mono, fixed, sym)
            if p not in queue:
                queue.append(p)
    deriver = None
    if family is not None and not blabels:
        n_groups = len(model.groups)
        deriver = _GroupDeriver(family, model, n_groups)
    raw_rows: list[dict[Monomial, sp.Expr]] = []
    pos = 0
    while pos < len(queue):
        p = queue[pos]
        pos += 1
        if p.is_identity:
            d_op = Operator()
        elif deriver is not None:
            d_op = deriver.derive(p)
        else:
            d_op = _derive_with_labels(model, p, blabels)
        row = expand_correlation(d_op, k, fixed, sym)
        if frame == "coherent":
            for cj, mb in zip(cjs, b_charges, strict=True):
                mp = total_charge(cj, p)
                extra = -cj.rate / 2 * ((mp + mb) ** 2 - mp**2)
                if extra != 0:
                    row[p] = sp.expand(row.get(p, sp.Integer(0)) + extra)
        row = {q: c for q, c in row.items() if c != 0}
        raw_rows.append(row)
        for q in sorted(row, key=lambda m: m.sort_key()):
            if q not in queue:
                queue.append(q)
    index = {p: i for i, p in enumerate(queue)}
    rows = [{index[q]: c for q, c in r.items()} for r in raw_rows]
    symbols = [sp.Symbol(f"x{_name(p, bm)}") for p in queue]

    def expanded_b(op: Operator) -> sp.Expr:
        return cumulant_expand(op, k, sym)

    bop = Operator({bm: 1})
    initial = [expanded_b(Operator({p: 1}) * bop) for p in queue]
    stationary = [expanded_b(Operator({p: 1})) for p in queue]
    b_mean = expanded_b(bop)
    charges = [
        (cj, mb, [total_charge(cj, p) for p in queue])
        for cj, mb in zip(cjs, b_charges, strict=True)
    ]
    cs = CorrelationSystem(
        model, steady, bm, k, frame, queue, symbols, rows, initial, stationary, b_mean, charges
    )
    _check_constants(cs)
    return cs


def _steady_symbols(steady: System) -> set[sp.Symbol]:
    return set(steady.symbols) | set(steady.conj_symbols)


def _check_constants(cs: CorrelationSystem) -> None:
    known = _steady_symbols(cs.steady) | set(cs.model.parameters)
    exprs = [c for r in cs.rows for c in r.values()] + cs.initial + cs.stationary + [cs.b_mean]
    for e in exprs:
        free = sp.sympify(e).free_symbols - known
        if free:
            names = ", ".join(sorted(map(str, free)))
            raise ValueError(
                f"the steady-state system lacks {names}; derive it with these averages"
            )


# ---------------------------------------------------------------------------
# Numeric evaluation
# ---------------------------------------------------------------------------


class CompiledCorrelation:
    """(M, x0, x∞-direction) of a :class:`CorrelationSystem` from numbers.

    Args:
        cs: The symbolic system.

    The function :meth:`evaluate` takes the steady-state averages ``u`` (complex, in the
    order of ``cs.steady.averages``, as ``CompiledSystem.unpack`` returns them) and the
    parameters ``p`` (float, in the order of ``cs.model.parameters``), both with any
    common leading batch shape.
    """

    def __init__(self, cs: CorrelationSystem) -> None:
        self.cs = cs
        st = cs.steady
        n = len(cs)
        self.n = n
        # Plain identifiers for every argument (one xreplace per expression): average
        # symbols are named ⟨...⟩, and lambdify's dummify pass is quadratic in the
        # number of arguments (thousands with many atom groups).
        params = [sp.Symbol(f"p{i}") for i in range(len(cs.model.parameters))]
        u = [sp.Symbol(f"u{i}") for i in range(len(st.symbols))]
        ubar = [sp.Symbol(f"c{i}") for i in range(len(st.symbols))]
        rename = dict(zip(cs.model.parameters, params, strict=True))
        for k, (s, c, real) in enumerate(zip(st.symbols, st.conj_symbols, st.real, strict=True)):
            rename[s] = u[k]
            if not real:
                rename[c] = ubar[k]
        self._entries = [(k, j) for k, r in enumerate(cs.rows) for j in r]
        exprs = [cs.rows[k][j] for k, j in self._entries]
        exprs += list(cs.initial) + list(cs.stationary) + [cs.b_mean]
        exprs = [sp.sympify(e).xreplace(rename) for e in exprs]
        # Only the averages the expressions use are arguments (a K-group system uses
        # O(K) of its O(K²) averages; lambdify's argument processing is superlinear).
        used = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
        self._u_used = np.array([k for k, s in enumerate(u) if s in used], dtype=np.intp)
        self._c_used = np.array([k for k, s in enumerate(ubar) if s in used], dtype=np.intp)
        args = [u[k] for k in self._u_used] + [ubar[k] for k in self._c_used]
        self._fn: Callable = sp.lambdify(
            [params, args], exprs, modules="numpy", cse=True, dummify=False
        )
        self._n_entries = len(self._entries)
        self._rows = np.array([e[0] for e in self._entries], dtype=np.intp)
        self._cols = np.array([e[1] for e in self._entries], dtype=np.intp)

    @property
    def n_params(self) -> int:
        return len(self.cs.model.parameters)

    def evaluate(
        self, u: np.ndarray, p: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Numeric generator and vectors.

        Args:
            u: Steady-state averages, complex ``(..., n_avg)``.
            p: Parameters, float ``(..., n_params)``.

        Returns:
            ``(M, x0, xs, b)``: M ``(..., n, n)``; x0 = x(0) ``(..., n)``;
            xs = ⟨P⟩ss ``(..., n)``; b = ⟨B⟩ss ``(...)``.
        """
        u = np.asarray(u, dtype=complex)
        p = np.asarray(p, dtype=float)
        if u.shape[-1] != len(self.cs.steady.averages):
            raise ValueError(f"u must have {len(self.cs.steady.averages)} averages")
        if p.shape[-1] != self.n_params:
            raise ValueError(f"p must have {self.n_params} parameters")
        batch = np.broadcast_shapes(u.shape[:-1], p.shape[:-1])
        u = np.broadcast_to(u, (*batch, u.shape[-1]))
        p = np.broadcast_to(p, (*batch, p.shape[-1]))
        vals = self._fn(
            [p[..., i] for i in range(p.shape[-1])],
            [u[..., i] for i in self._u_used] + [np.conj(u[..., i]) for i in self._c_used],
        )
        vals = [np.broadcast_to(np.asarray(v, dtype=complex), batch) for v in vals]
        n, ne = self.n, self._n_entries
        m = np.zeros((*batch, n, n), dtype=complex)
        if ne:
            m[..., self._rows, self._cols] = np.stack(vals[:ne], axis=-1)
        x0 = np.stack(vals[ne : ne + n], axis=-1)
        xs = np.stack(vals[ne + n : ne + 2 * n], axis=-1)
        return m, x0, xs, vals[-1]

    def evaluate_tangent(
        self, u: np.ndarray, du: np.ndarray, p: np.ndarray, dp: np.ndarray
    ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """(M, x0, xs, b) at one point and their exact directional derivatives.

        Forward-mode differentiation: the generated code (polynomial arithmetic only) is
        run on :class:`Tangent` numbers that carry, next to each value, its derivative
        along ``k`` directions at once. The conjugate averages get the conjugate
        tangents, so the derivative is exact for the non-holomorphic entries too.

        Args:
            u: Steady-state averages, complex ``(n_avg,)``.
            du: Their derivatives along k directions, complex ``(k, n_avg)``.
            p: Parameters, float ``(n_params,)``.
            dp: Their derivatives along the same directions, ``(k, n_params)``.

        Returns:
            ``((M, x0, xs, b), (dM, dx0, dxs, db))`` with M ``(n, n)``, dM ``(k, n, n)``,
            x0/xs ``(n,)``, dx0/dxs ``(k, n)``, b scalar, db ``(k,)``.
        """
        u = np.asarray(u, dtype=complex)
        p = np.asarray(p, dtype=float)
        du = np.atleast_2d(np.asarray(du, dtype=complex))
        dp = np.atleast_2d(np.asarray(dp, dtype=float))
        k = du.shape[0]
        if u.shape != (len(self.cs.steady.averages),) or du.shape[1:] != u.shape:
            raise ValueError("u must be (n_avg,) and du (k, n_avg)")
        if p.shape != (self.n_params,) or dp.shape != (k, self.n_params):
            raise ValueError("p must be (n_params,) and dp (k, n_params)")
        vals = self._fn(
            [Tangent(complex(p[i]), dp[:, i] + 0j) for i in range(p.size)],
            [Tangent(complex(u[i]), du[:, i]) for i in self._u_used]
            + [Tangent(complex(np.conj(u[i])), np.conj(du[:, i])) for i in self._c_used],
        )
        val = np.array([v.v if isinstance(v, Tangent) else complex(v) for v in vals])
        tan = np.stack(
            [v.t if isinstance(v, Tangent) else np.zeros(k, complex) for v in vals], axis=1
        )  # (k, n_values)
        n, ne = self.n, self._n_entries
        m = np.zeros((n, n), dtype=complex)
        dm = np.zeros((k, n, n), dtype=complex)
        if ne:
            m[self._rows, self._cols] = val[:ne]
            dm[:, self._rows, self._cols] = tan[:, :ne]
        sl0, sls = slice(ne, ne + n), slice(ne + n, ne + 2 * n)
        return (m, val[sl0], val[sls], val[-1]), (dm, tan[:, sl0], tan[:, sls], tan[:, -1])


class Tangent:
    """A complex number with its derivatives along k directions (forward mode).

    Supports the arithmetic of sympy-generated polynomial code: ``+ − *``, division by
    anything, and integer powers. ``v``: value (complex); ``t``: derivatives ``(k,)``.
    """

    __slots__ = ("t", "v")

    def __init__(self, v: complex, t: np.ndarray) -> None:
        self.v = v
        self.t = t

    def __add__(self, o: Any) -> Tangent:
        if isinstance(o, Tangent):
            return Tangent(self.v + o.v, self.t + o.t)
        return Tangent(self.v + o, self.t)

    __radd__ = __add__

    def __neg__(self) -> Tangent:
        return Tangent(-self.v, -self.t)

    def __pos__(self) -> Tangent:
        return self

    def __sub__(self, o: Any) -> Tangent:
        if isinstance(o, Tangent):
            return Tangent(self.v - o.v, self.t - o.t)
        return Tangent(self.v - o, self.t)

    def __rsub__(self, o: Any) -> Tangent:
        return Tangent(o - self.v, -self.t)

    def __mul__(self, o: Any) -> Tangent:
        if isinstance(o, Tangent):
            return Tangent(self.v * o.v, self.v * o.t + self.t * o.v)
        return Tangent(self.v * o, self.t * o)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Tangent:
        if isinstance(o, Tangent):
            return Tangent(self.v / o.v, (self.t * o.v - self.v * o.t) / (o.v * o.v))
        return Tangent(self.v / o, self.t / o)

    def __rtruediv__(self, o: Any) -> Tangent:
        return Tangent(o / self.v, -o * self.t / (self.v * self.v))

    def __pow__(self, e: Any) -> Tangent:
        if isinstance(e, Tangent) or e != int(e):
            raise TypeError("Tangent supports integer powers only")
        e = int(e)
        if e == 0:
            return Tangent(1.0 + 0j, np.zeros_like(self.t))
        return Tangent(self.v**e, e * self.v ** (e - 1) * self.t)


# ---------------------------------------------------------------------------
# Elastic / inelastic split and spectra
# ---------------------------------------------------------------------------


@dataclass
class RegressionSpectrum:
    """One point's correlation system with the elastic part split off.

    With v = ⟨P⟩ss (v_1 = 1) write x = x_1 v + y. The identity row is
    dx_1/dτ = −r x_1 (r = 0 in the instantaneous frame or at ν = 0), so

        dy/dτ = M y + s x_1,     s = M v + r v,     y(0) = x(0) − ⟨B⟩ v,

    and the readout c·x splits into the elastic part (c·v) x_1(τ) = w e^{−rτ},
    w = (c·v)⟨B⟩ (for ⟨a†(τ)a(0)⟩: w = |⟨a⟩|²), and the rest c·y. In the
    instantaneous frame s = 0 at the steady state (the rows are ⟨B⟩ × the steady-state
    equations), so y is a homogeneous system without x_1 and the elastic part is the
    δ-line 2π w δ(ω). With r > 0 (coherent frame, pump linewidth) the elastic part is
    the Lorentzian 2 Re w/(iω + r) of FWHM 2r and y keeps x_1 as a driven mode.

    Attributes:
        A: Generator of the inelastic part (m, m), complex.
        z0: Its initial vector (m,).
        c: Its readout row (m,).
        coherent_weight: w (complex in general; real for ⟨A†(τ)A(0)⟩).
        coherent_rate: r (≥ 0).
        poles: Eigenvalues of A.
        residual: max|s| relative to max|M v| scale when x_1 was dropped (r = 0).
    """

    A: np.ndarray
    z0: np.ndarray
    c: np.ndarray
    coherent_weight: complex
    coherent_rate: float
    poles: np.ndarray
    residual: float = 0.0

    def incoherent(self, omega: np.ndarray | float) -> np.ndarray:
        """S_inc(ω) = 2 Re c·(iω − A)⁻¹ z0 (units of the generator's inverse).

        Systems with more than :data:`POLE_RESIDUE_MIN` variables (many atom groups)
        use the checked pole–residue form (:func:`vlaser.spectral.pole_residue`);
        smaller ones, or where that check fails, direct solves.
        """
        from vlaser.spectral import pole_residue, resolvent_spectrum

        if self.A.shape[0] > POLE_RESIDUE_MIN:
            if not hasattr(self, "_fast"):
                self._fast = pole_residue(self.A, self.z0, self.c)
            if self._fast is not None:
                return self._fast(omega)
        return resolvent_spectrum(self.A, self.z0, self.c, omega)

    def coherent(self, omega: np.ndarray | float) -> np.ndarray:
        """The elastic Lorentzian 2 Re w/(iω + r); zeros if r = 0 (a δ-line of weight w)."""
        w = np.asarray(omega, dtype=float)
        if self.coherent_rate <= 0:
            return np.zeros_like(w)
        return 2.0 * np.real(self.coherent_weight / (1j * w + self.coherent_rate))

    def total(self, omega: np.ndarray | float) -> np.ndarray:
        """S_inc + elastic Lorentzian (the δ-line at r = 0 is not included)."""
        return self.incoherent(omega) + self.coherent(omega)

    def correlation(self, tau: np.ndarray) -> np.ndarray:
        """c·x(τ) = c·e^{Aτ}z0 + w e^{−rτ} for τ ≥ 0 (eigen-decomposition of A)."""
        t = np.atleast_1d(np.asarray(tau, dtype=float))
        lam, vec = np.linalg.eig(self.A)
        amp = (self.c @ vec) * np.linalg.solve(vec, self.z0)
        out = np.exp(np.outer(t, lam)) @ amp
        return out + self.coherent_weight * np.exp(-self.coherent_rate * t)


def split_elastic(
    m: np.ndarray,
    x0: np.ndarray,
    xs: np.ndarray,
    b_mean: complex,
    c: np.ndarray,
    identity: int | None,
    rate_tol: float = 0.0,
) -> RegressionSpectrum:
    """Split one point's correlation system into elastic and inelastic parts.

    Args:
        m: Generator (n, n) of :class:`CompiledCorrelation` at one point.
        x0: x(0) (n,).
        xs: ⟨P⟩ss (n,), 1 at the identity.
        b_mean: ⟨B⟩ss.
        c: Readout row (n,).
        identity: Index of x_1 (``None``: no elastic part).
        rate_tol: r ≤ rate_tol counts as r = 0 (x_1 dropped).

    Returns:
        :class:`RegressionSpectrum`.
    """
    m = np.asarray(m, dtype=complex)
    x0 = np.asarray(x0, dtype=complex)
    c = np.asarray(c, dtype=complex)
    if identity is None:
        return RegressionSpectrum(m, x0, c, 0j, 0.0, np.linalg.eigvals(m))
    v = np.asarray(xs, dtype=complex)
    r = float(-m[identity, identity].real)
    keep = np.array([k for k in range(m.shape[0]) if k != identity], dtype=np.intp)
    mv = m @ v
    s = (mv + r * v)[keep]
    w = complex(c @ v * b_mean)
    y0 = (x0 - b_mean * v)[keep]
    mm = m[np.ix_(keep, keep)]
    if r <= rate_tol:
        scale = float(np.max(np.abs(m[np.ix_(keep, keep)]) @ np.abs(v[keep])) + 1e-300)
        res = float(np.max(np.abs(s)) / scale) if s.size else 0.0
        return RegressionSpectrum(mm, y0, c[keep], w, 0.0, np.linalg.eigvals(mm), res)
    n = keep.size
    a = np.zeros((n + 1, n + 1), dtype=complex)
    a[:n, :n] = mm
    a[:n, n] = s
    a[n, n] = -r
    z0 = np.concatenate([y0, [b_mean]])
    cc = np.concatenate([c[keep], [0.0]])
    return RegressionSpectrum(a, z0, cc, w, r, np.linalg.eigvals(a))


def split_elastic_tangent(
    m: np.ndarray,
    x0: np.ndarray,
    xs: np.ndarray,
    b_mean: complex,
    dm: np.ndarray,
    dx0: np.ndarray,
    dxs: np.ndarray,
    db: np.ndarray,
    c: np.ndarray,
    identity: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The inelastic system of :func:`split_elastic` and its directional derivatives.

    Always the driven form (x_1 kept as the last mode, rate r ≥ 0, also at r = 0 where
    its source s vanishes at the steady state), so that the structure does not change
    when a parameter moves r away from 0. The incoherent spectrum is the same as
    :func:`split_elastic`'s: at r = 0 the extra term c·R s ⟨B⟩/(iω) is of the size of
    the steady-state residual.

    Args:
        m, x0, xs, b_mean: As :func:`split_elastic`.
        dm, dx0, dxs, db: Their derivatives along k directions, ``(k, n, n)``,
            ``(k, n)``, ``(k, n)``, ``(k,)`` (:meth:`CompiledCorrelation.evaluate_tangent`).
        c: Readout row (n,).
        identity: Index of x_1 (``None``: no elastic part; A = M).

    Returns:
        ``(A, z0, c_A, dA, dz0)``: A ``(m, m)``, z0 ``(m,)``, c_A ``(m,)`` (constant),
        dA ``(k, m, m)``, dz0 ``(k, m)``; S_inc(ω) = 2 Re c_A·(iω − A)⁻¹ z0.
    """
    m = np.asarray(m, dtype=complex)
    dm = np.asarray(dm, dtype=complex)
    c = np.asarray(c, dtype=complex)
    if identity is None:
        return m, np.asarray(x0, complex), c, dm, np.asarray(dx0, complex)
    v = np.asarray(xs, dtype=complex)
    dv = np.asarray(dxs, dtype=complex)
    db = np.asarray(db, dtype=complex)
    r = float(-m[identity, identity].real)
    dr = -dm[:, identity, identity].real
    keep = np.array([k for k in range(m.shape[0]) if k != identity], dtype=np.intp)
    n = keep.size
    k_dirs = dm.shape[0]
    a = np.zeros((n + 1, n + 1), dtype=complex)
    da = np.zeros((k_dirs, n + 1, n + 1), dtype=complex)
    a[:n, :n] = m[np.ix_(keep, keep)]
    da[:, :n, :n] = dm[:, keep][:, :, keep]
    a[:n, n] = (m @ v + r * v)[keep]
    da[:, :n, n] = (dm @ v + dv @ m.T + dr[:, None] * v + r * dv)[:, keep]
    a[n, n] = -r
    da[:, n, n] = -dr
    z0 = np.concatenate([(np.asarray(x0, complex) - b_mean * v)[keep], [b_mean]])
    dz0 = np.concatenate(
        [(np.asarray(dx0, complex) - db[:, None] * v - b_mean * dv)[:, keep], db[:, None]], axis=1
    )
    return a, z0, np.concatenate([c[keep], [0.0]]), da, dz0


__all__ = [
    "FRAMES",
    "RegressionSpectrum",
    "ChargeJump",
    "CompiledCorrelation",
    "CorrelationSystem",
    "charge_jumps",
    "correlation_system",
    "expand_correlation",
    "monomial_charge",
    "Tangent",
    "split_elastic",
    "split_elastic_tangent",
    "total_charge",
]
