"""Many groups of atoms from one template: derive with order + 1 groups, instantiate for K.

A *group family* is a model of K structurally identical groups of identical atoms that
differ only in their parameter values (velocity classes of a thermal cloud, positions
along a standing wave): ``family.build(K)`` gives the model. Its equations are
invariant under permuting the groups together with their parameters, so one
derivation serves every K:

1. **Template.** The closure is computed on the model with S = order + 1 groups, but
   only one average per orbit under group permutations is derived (the
   *representative*, its groups renamed to the first slots 1..r). At cumulant order k an
   average involves at most k groups, and a right-hand side involves at most one group
   more than its average (the cavity couples every group to the mode: d⟨a⟩/dt ∋
   Σ_m g_m N_m ⟨σ12^m⟩): slot r + 1 stands for "every other group"; terms that
   reach slots beyond r + 1 repeat those and are dropped.
2. **Instantiation** for K groups (:func:`instantiate`): every representative with r
   slots gives the concrete averages of all injective maps of its slots to the groups
   1..K (one per conjugation and identical-atom class); each right-hand-side term is
   mapped with them, and an "other group" term is repeated for every group not in the
   average. Coefficients are the template's (generated once, with common
   subexpressions eliminated) evaluated at the parameters of the groups each term is
   mapped to. No symbolic algebra scales with K.

The instantiated system compiles to the same tables as any other system
(:func:`~vlaser.cumulants.compile.tables_from_terms`), with its analytic Jacobian; its
equations equal those of the direct derivation with K groups (tested for K = 2, 3).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from vlaser.cumulants.algebra import Monomial, NLevelSpace, Operator
from vlaser.cumulants.compile import (
    CompiledSystem,
    Layout,
    _coefficient_source,
    _hash,
    _load_source,
    _read_cache,
    _split_terms,
    _write_cache,
    cache_dir,
    tables_from_terms,
)
from vlaser.cumulants.complete import _seed
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


@dataclass(frozen=True)
class GroupFamily:
    """A model family of K structurally identical groups.

    Attributes:
        name: Family name (cache keys).
        build: ``build(K)`` -> the :class:`Model` with K groups (symbolic N_k), whose
            parameters are ``shared`` followed by each group's ``fields`` in order.
        space: ``space(k)`` -> the level space of group k (1-based).
        symbols: ``symbols(k)`` -> {field name: symbol of group k}.
        shared: The parameters common to all groups.
        fields: The per-group field names, in parameter order.
    """

    name: str
    build: Callable[[int], Model]
    space: Callable[[int], NLevelSpace]
    symbols: Callable[[int], dict[str, sp.Symbol]]
    shared: tuple[sp.Symbol, ...]
    fields: tuple[str, ...]

    def parameters(self, n_groups: int) -> tuple[sp.Symbol, ...]:
        """Parameter order of the K-group model: shared, then group 1, 2, ..."""
        per = [self.symbols(k)[f] for k in range(1, n_groups + 1) for f in self.fields]
        return (*self.shared, *per)


# ---------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------


def _relabel_spaces(mono: Monomial, mapping: dict[NLevelSpace, NLevelSpace]) -> Monomial:
    return Monomial.build(
        mono.fock, [(mapping.get(s, s), lab, i, j) for s, lab, i, j in mono.atoms]
    )


def _spaces_of(mono: Monomial, order: Sequence[NLevelSpace]) -> list[NLevelSpace]:
    present = {a[0] for a in mono.atoms}
    return [s for s in order if s in present]


@dataclass
class GroupTemplate:
    """The equations of one representative per group-permutation orbit.

    Attributes:
        family_name: The family's name.
        order: Cumulant order k.
        slots: S = k + 1 representative groups (their spaces, slot order).
        averages: Representatives (their groups are the first r slots).
        rhs: d⟨average⟩/dt, cumulant-expanded, in the S-group model's averages and
            parameters (other-group terms not yet reduced).
        parameters: The S-group model's parameter order (shared, slot 1, ..., slot S).
        key: Cache key.
        vocabulary: Every average symbol of the right-hand sides as (monomial,
            conjugate, real).
    """

    family_name: str
    order: int
    slots: tuple[NLevelSpace, ...]
    averages: list[Monomial]
    rhs: list[sp.Expr]
    parameters: tuple[sp.Symbol, ...]
    key: str = ""
    vocabulary: list[tuple[Monomial, bool, bool]] = field(default_factory=list)

    def reregister(self) -> None:
        """Restore the average-symbol registry after unpickling (every symbol the
        right-hand sides use: (monomial, conjugate, real))."""
        for mono, conj, real in self.vocabulary:
            _symbol(mono, conj, real)

    def group_canonical(self, mono: Monomial) -> tuple[Monomial, tuple[NLevelSpace, ...]]:
        """The representative of ``mono``'s orbit and the groups mapped to its slots."""
        return _group_canonical(mono, self.slots)

    def __len__(self) -> int:
        return len(self.averages)


def _group_canonical(
    mono: Monomial, slots: Sequence[NLevelSpace]
) -> tuple[Monomial, tuple[NLevelSpace, ...]]:
    """Smallest (by sort key) relabelling of ``mono``'s groups onto slots 1..r, after
    identical-atom canonicalization and conjugation; returns it and, per slot, the
    group space it came from."""
    groups = sorted({a[0] for a in mono.atoms}, key=lambda s: s.name)
    best: tuple | None = None
    for perm in itertools.permutations(groups):
        mapping = {g: slots[k] for k, g in enumerate(perm)}
        rep, _conj, _real = representative(_relabel_spaces(mono, mapping))
        key = rep.sort_key()
        if best is None or key < best[0]:
            best = (key, rep, tuple(perm))
    if best is None:
        rep, _c, _r = representative(mono)
        return rep, ()
    return best[1], best[2]


def derive_template(
    family: GroupFamily,
    operators: Sequence[Monomial | Operator],
    order: int = 2,
    cache: bool = True,
) -> GroupTemplate:
    """Closure of the family's equations over group-permutation orbits (cached on disk).

    Args:
        family: The group family.
        operators: Starting operators (e.g. ``[a†a]``).
        order: Cumulant order k >= 1.
        cache: Use the on-disk cache (``VLASER_CACHE_DIR``).
    """
    n_slots = order + 1
    model = family.build(n_slots)
    slots = tuple(family.space(k) for k in range(1, n_slots + 1))
    key = _hash(
        "group-template", family.name, model.text(), f"order={order}",
        ";".join(o.text() for o in operators),
    )  # fmt: skip
    d = cache_dir() if cache else None
    path = d / f"template-{key}.pkl" if d else None
    hit = _read_cache(path)
    if isinstance(hit, GroupTemplate):
        hit.reregister()
        return hit
    queue: list[Monomial] = []
    seen: set[Monomial] = set()
    for op in operators:
        for rep in _seed(op, order, True):
            g, _ = _group_canonical(rep, slots)
            if g not in seen:
                seen.add(g)
                queue.append(g)
    rhs: list[sp.Expr] = []
    pos = 0
    while pos < len(queue):
        mono = queue[pos]
        pos += 1
        expr = sp.expand(cumulant_expand(derive_operator(model, mono), order, True))
        rhs.append(expr)
        for s in sorted(averages_in(expr), key=str):
            g, _ = _group_canonical(average_info(s).monomial, slots)
            if g not in seen:
                seen.add(g)
                queue.append(g)
    vocab = set()
    for expr in rhs:
        for sym in averages_in(expr):
            info = average_info(sym)
            vocab.add((info.monomial, info.conjugate, info.real))
    tmpl = GroupTemplate(
        family.name, order, slots, queue, rhs, tuple(model.parameters), key,
        sorted(vocab, key=lambda v: (v[0].sort_key(), v[1])),
    )  # fmt: skip
    _write_cache(path, tmpl)
    return tmpl


# ---------------------------------------------------------------------------
# Reduced template terms
# ---------------------------------------------------------------------------


@dataclass
class _TemplateTerms:
    """Per template equation, its terms with the averages they multiply.

    ``terms[e]`` is a list of ``(coefficient index, [(monomial, conjugate)], other)``
    with ``other`` True if the term involves the "other group" slot r + 1.
    """

    terms: list[list[tuple[int, list[tuple[Monomial, bool]], bool]]]
    coefficients: list[sp.Expr]


def _slot_of_symbol(tmpl: GroupTemplate, family: GroupFamily) -> dict[sp.Symbol, int]:
    out = {}
    for k in range(1, len(tmpl.slots) + 1):
        for sym in family.symbols(k).values():
            out[sym] = k
    return out


def _reduce_terms(tmpl: GroupTemplate, family: GroupFamily) -> _TemplateTerms:
    """Split every template RHS into terms; keep slots 1..r (+ r+1 = other group)."""
    slot_of_space = {s: k + 1 for k, s in enumerate(tmpl.slots)}
    slot_of_param = _slot_of_symbol(tmpl, family)
    coef_index: dict[sp.Expr, int] = {}
    coeffs: list[sp.Expr] = []
    out: list[list[tuple[int, list[tuple[Monomial, bool]], bool]]] = []
    for mono, expr in zip(tmpl.averages, tmpl.rhs, strict=True):
        r = len({a[0] for a in mono.atoms})
        syms = sorted(averages_in(expr), key=str)
        local = {s: k for k, s in enumerate(syms)}
        eq_terms = []
        for var_ids, c in _split_terms(expr, local).items():
            factors = []
            used: set[int] = set()
            for v in var_ids:
                info = average_info(syms[v])
                factors.append((info.monomial, info.conjugate))
                used |= {slot_of_space[a[0]] for a in info.monomial.atoms}
            used |= {slot_of_param[p] for p in c.free_symbols if p in slot_of_param}
            beyond = sorted(k for k in used if k > r)
            if beyond and beyond != [r + 1]:
                if len(beyond) > 1:
                    raise ValueError(
                        f"a term of d⟨{mono.text()}⟩/dt involves two other groups {beyond}"
                    )
                continue  # slots r+2..S repeat slot r+1's terms
            ci = coef_index.setdefault(c, len(coeffs))
            if ci == len(coeffs):
                coeffs.append(c)
            eq_terms.append((ci, factors, bool(beyond)))
        out.append(eq_terms)
    return _TemplateTerms(out, coeffs)


# ---------------------------------------------------------------------------
# Instantiation
# ---------------------------------------------------------------------------


@dataclass
class GroupSystem:
    """The closed system of a family with K groups (instantiated from its template).

    Quacks like :class:`~vlaser.cumulants.complete.System` where the numeric layers
    need it (averages, real flags, symbols, index, names); it holds no symbolic
    right-hand sides (see :attr:`template` for those).

    Attributes:
        model: The K-group model (symbolic parameters).
        template: The template it was instantiated from.
        n_groups: K.
        order: Cumulant order.
        averages: Concrete representative monomials (groups = the model's spaces).
        real: Per average, whether it is real.
        symbols, conj_symbols: Sympy symbols of each average and its conjugate.
    """

    model: Model
    template: GroupTemplate
    n_groups: int
    order: int
    averages: list[Monomial]
    real: list[bool]
    symbols: list[sp.Symbol]
    conj_symbols: list[sp.Symbol]
    symmetric: bool = True
    key: str = ""
    _index: dict[Monomial, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {m: k for k, m in enumerate(self.averages)}

    def __len__(self) -> int:
        return len(self.averages)

    @property
    def count(self) -> int:
        """Number of equations (complex averages count once)."""
        return len(self.averages)

    @property
    def n_real(self) -> int:
        return sum(1 if r else 2 for r in self.real)

    def index(self, mono: Monomial | Operator) -> tuple[int, bool]:
        """``(k, conjugate)``: where ⟨mono⟩ lives in the system."""
        if isinstance(mono, Operator):
            (mono,) = mono.terms
        rep, conj, _ = representative(mono, True)
        return self._index[rep], conj

    def names(self) -> list[str]:
        return [f"⟨{m.text()}⟩" for m in self.averages]

    def text(self) -> str:
        """A summary line per average (the equations live in the template)."""
        return "\n".join(self.names())


@dataclass
class _Instance:
    system: GroupSystem
    f_terms: list[tuple[int, int, tuple[int, ...]]]
    assignments: np.ndarray  # (n_assign, S) group numbers (1-based) per slot
    n_coef: int


def _concrete_averages(
    tmpl: GroupTemplate, family: GroupFamily, n_groups: int
) -> tuple[list[Monomial], list[bool], dict[Monomial, tuple[int, tuple[int, ...], bool]]]:
    """Concrete representatives and, for each, (template index, slot -> group, conj)."""
    spaces = [family.space(k) for k in range(1, n_groups + 1)]
    averages: list[Monomial] = []
    real: list[bool] = []
    source: dict[Monomial, tuple[int, tuple[int, ...], bool]] = {}
    for t, mono in enumerate(tmpl.averages):
        r = len({a[0] for a in mono.atoms})
        for phi in itertools.permutations(range(1, n_groups + 1), r):
            mapping = {tmpl.slots[k]: spaces[phi[k] - 1] for k in range(r)}
            rep, conj, is_real = representative(_relabel_spaces(mono, mapping))
            if rep not in source:
                source[rep] = (t, phi, conj)
                averages.append(rep)
                real.append(is_real)
    return averages, real, source


def instantiate(
    tmpl: GroupTemplate, family: GroupFamily, n_groups: int
) -> tuple[GroupSystem, _Instance, list[sp.Expr]]:
    """The K-group system: concrete averages and the term list of every equation.

    A concrete equation whose representative is the conjugate of the template's
    instance gets the conjugated terms (coefficient and every factor conjugated).

    Returns:
        ``(system, instance, template coefficients)``; the instance's coefficient
        indices point into the vector of :func:`compile_groups`'s ``coefficients``
        (per assignment of groups to slots, every template coefficient and its
        conjugate).
    """
    if n_groups < 1:
        raise ValueError("n_groups must be >= 1")
    reduced = _reduce_terms(tmpl, family)
    averages, real, source = _concrete_averages(tmpl, family, n_groups)
    n = len(averages)
    index = {m: k for k, m in enumerate(averages)}
    spaces = [family.space(k) for k in range(1, n_groups + 1)]
    slot_pos = {s: k for k, s in enumerate(tmpl.slots)}
    n_slots = len(tmpl.slots)
    n_coef = len(reduced.coefficients)
    assign_id: dict[tuple[int, ...], int] = {}
    lookup: dict[tuple[Monomial, bool, tuple[int, ...]], tuple[int, bool]] = {}

    def assignment(groups: tuple[int, ...]) -> int:
        padded = groups + (groups[0] if groups else 1,) * (n_slots - len(groups))
        return assign_id.setdefault(padded, len(assign_id))

    def concrete(mono: Monomial, sym_conj: bool, groups: tuple[int, ...]) -> tuple[int, bool]:
        """(average index, conjugated) of a template factor under slot -> group."""
        used = tuple(groups[slot_pos[a[0]]] for a in mono.atoms)
        key = (mono, sym_conj, used)
        hit = lookup.get(key)
        if hit is None:
            mapping = {tmpl.slots[k]: spaces[g - 1] for k, g in enumerate(groups)}
            rep, conj, is_real = representative(_relabel_spaces(mono, mapping))
            hit = (index[rep], (conj != sym_conj) and not is_real)
            lookup[key] = hit
        return hit

    f_terms: list[tuple[int, int, tuple[int, ...]]] = []
    for row, rep in enumerate(averages):
        t, phi, conj_eq = source[rep]
        flip = conj_eq and not real[row]
        others = [m for m in range(1, n_groups + 1) if m not in phi]
        for ci, factors, other in reduced.terms[t]:
            for m in others if other else [None]:
                groups = phi if m is None else phi + (m,)
                vs = []
                for mono, sym_conj in factors:
                    k, c = concrete(mono, sym_conj, groups)
                    c = (c != flip) and not real[k]
                    vs.append(1 + k + (n if c else 0))
                flat = assignment(groups) * n_coef + ci
                f_terms.append((row, 2 * flat + int(flip), tuple(sorted(vs))))
    model = family.build(n_groups)
    syms = [_symbol(m, False, re) for m, re in zip(averages, real, strict=True)]
    conjs = [conjugate_symbol(s) for s in syms]
    system = GroupSystem(model, tmpl, n_groups, tmpl.order, averages, real, syms, conjs)
    assigns = np.zeros((len(assign_id), n_slots), dtype=np.intp)
    for groups, a in assign_id.items():
        assigns[a] = groups
    return system, _Instance(system, f_terms, assigns, n_coef), reduced.coefficients


def compile_groups(
    family: GroupFamily,
    operators: Sequence[Monomial | Operator],
    n_groups: int,
    order: int = 2,
    cache: bool = True,
) -> CompiledSystem:
    """Derive (or load) the template and compile the K-group system.

    The compiled system's parameter vector is ``family.parameters(K)``: the shared
    parameters, then every group's fields in order.
    """
    tmpl = derive_template(family, operators, order, cache)
    system, inst, coeffs = instantiate(tmpl, family, n_groups)
    layout = Layout.of(system)  # type: ignore[arg-type]
    tables = tables_from_terms(inst.f_terms, layout)
    src = _coefficient_source(coeffs, tmpl.parameters)
    module = _load_source(src, f"vlaser_gen_tmpl_{tmpl.key}")
    n_shared = len(family.shared)
    n_fields = len(family.fields)
    assigns = inst.assignments
    n_slots = assigns.shape[1]

    def template_params(p: np.ndarray) -> np.ndarray:
        """(..., n_params) concrete -> (..., n_assign, n_template_params)."""
        p = np.asarray(p, dtype=float)
        shared = p[..., :n_shared]
        groups = p[..., n_shared:].reshape(p.shape[:-1] + (n_groups, n_fields))
        per = groups[..., assigns - 1, :]  # (..., n_assign, S, n_fields)
        per = per.reshape(per.shape[:-2] + (n_slots * n_fields,))
        sh = np.broadcast_to(shared[..., None, :], per.shape[:-1] + (n_shared,))
        return np.concatenate([sh, per], axis=-1)

    def coefficients(p: np.ndarray) -> np.ndarray:
        c = module.coefficients(template_params(p))  # (..., n_assign, n_coef)
        flat = c.reshape(c.shape[:-2] + (-1,))
        return np.stack([flat, np.conj(flat)], axis=-1).reshape(flat.shape[:-1] + (-1,))

    def coefficients1(p: Sequence[float]) -> np.ndarray:
        return coefficients(np.asarray(p, dtype=float))

    params = family.parameters(n_groups)
    return CompiledSystem(system, params, layout, tables, coefficients, coefficients1, src)  # type: ignore[arg-type]


__all__ = [
    "GroupFamily",
    "GroupSystem",
    "GroupTemplate",
    "compile_groups",
    "derive_template",
    "instantiate",
]
