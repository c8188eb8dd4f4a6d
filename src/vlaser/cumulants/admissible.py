"""Is a set of averages the moments of a physical state? Necessary conditions.

A closed cumulant system is an approximation: its fixed points need not be the moments
of any density matrix (the truncated hierarchy does not preserve positivity). This
module derives, from a :class:`~vlaser.cumulants.complete.System`, necessary
conditions that every physical state satisfies and that can be evaluated from the
averages the system holds exactly (no expansion of higher moments), then checks them
numerically:

* **positivity**: ``⟨P⟩ ≥ 0`` for products ``P`` of commuting positive factors, one
  per subsystem (``a†^m a^m`` per Fock mode, a projector ``σii`` per atom, the
  eliminated ground projector ``σgg = 1 − Σ σii`` included). This gives populations in
  [0, 1], ``⟨a†a⟩ ≥ 0`` and ``0 ≤ ⟨σii^1 σjj^2⟩``;
* **Cauchy–Schwarz**: ``|⟨A†B⟩|² ≤ ⟨A†A⟩⟨B†B⟩`` for every way of writing a held
  monomial ``M = A†B`` as a left and a right factor (whole subsystems on either side,
  a Fock factor ``a†^m a^n`` may also be cut between its creators and annihilators).
  This gives ``|⟨a⟩|² ≤ ⟨a†a⟩``, ``|⟨a²⟩|² ≤ ⟨a†a⟩(⟨a†a⟩ + 1)``,
  ``|⟨a σ21⟩|² ≤ ⟨a†a⟩⟨σ22⟩``, ``|⟨σ12⟩|² ≤ ⟨σ11⟩, ⟨σ22⟩``, ``|⟨σ12^1 σ21^2⟩| ≤ ...``;
* **collective variances** (identical atoms): for a single-atom operator X and
  ``S = Σ_j X_j``, ``⟨S†S⟩ − |⟨S⟩|² = N⟨X†X⟩ + N(N−1)⟨X†^1 X^2⟩ − N²|⟨X⟩|² ≥ 0``.

A condition is *violated* when it fails by more than :data:`RTOL` of the sum of the
magnitudes of its terms (plus :data:`ATOL`): well above the round-off and the 1e-10
convergence of the steady-state solvers, so a converged physical point is never
flagged; a violation smaller than that is not resolved (at N ~ 1e9 the collective
variances are differences of terms of order N², so only gross violations show there).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np

from vlaser.cumulants.algebra import IDENTITY, Monomial, Operator
from vlaser.cumulants.complete import System
from vlaser.cumulants.expand import representative

#: Relative size (of the sum of the magnitudes of a condition's terms) a violation
#: must exceed to count.
RTOL = 1e-6
#: Absolute floor of the same.
ATOL = 1e-12

#: A linear form in the averages: constant plus Σ coef · (u[k] or conj(u[k])).
Linear = tuple[complex, tuple[tuple[complex, int, bool], ...]]


@dataclass(frozen=True)
class Condition:
    """One necessary condition on the averages of a system.

    Attributes:
        text: Human-readable statement, e.g. ``|⟨a⟩|² ≤ ⟨a†a⟩``.
        kind: ``"positive"`` (``⟨P⟩ ≥ 0``), ``"cauchy-schwarz"``
            (``|⟨M⟩|² ≤ ⟨A†A⟩⟨B†B⟩``) or ``"collective"``
            (``N⟨X†X⟩ + N(N−1)⟨X†^1 X^2⟩ − N²|⟨X⟩|² ≥ 0``).
        forms: The linear forms it uses, in that order (``⟨P⟩``; ``⟨M⟩, ⟨A†A⟩,
            ⟨B†B⟩``; ``⟨X†X⟩, ⟨X†^1 X^2⟩, ⟨X⟩``).
        atoms: Distinct atoms the condition speaks of, per group: it applies only
            where each group has at least that many (with one atom, the symmetric
            system's two-atom averages are not moments of anything).
        group: The group of a collective condition (its N enters).
    """

    text: str
    kind: str
    forms: tuple[Linear, ...]
    atoms: tuple[tuple[Any, int], ...] = ()
    group: Any = None


@dataclass(frozen=True)
class Verdict:
    """Result of :meth:`Admissibility.check` on a batch of states.

    Attributes:
        physical: ``batch`` bool: no condition violated.
        violation: ``batch`` str: the most violated condition with its numbers
            (``""`` where physical).
        worst: ``batch`` float: the largest violation relative to its scale (0 where
            physical, NaN for non-finite averages).
        which: ``batch`` int: index of that condition in
            :attr:`Admissibility.conditions` (−1 where physical or non-finite).
    """

    physical: np.ndarray
    violation: np.ndarray
    worst: np.ndarray
    which: np.ndarray


class Admissibility:
    """The necessary conditions of a closed system, ready to evaluate.

    Args:
        system: The closed system (any order, any atom number).

    Attributes:
        conditions: The :class:`Condition` list (deduplicated).
    """

    def __init__(self, system: System) -> None:
        self.system = system
        self._index = {m: k for k, m in enumerate(system.averages)}
        seen: dict[str, Condition] = {}
        for cond in self._generate():
            seen.setdefault(cond.text, cond)
        self.conditions: list[Condition] = list(seen.values())

    # -- building ------------------------------------------------------------
    def _linear(self, op: Operator) -> Linear | None:
        """⟨op⟩ as a linear form in the held averages, None if it needs others."""
        const = 0j
        terms: list[tuple[complex, int, bool]] = []
        for mono, c in op.terms.items():
            try:
                cv = complex(c)
            except TypeError:
                return None
            if mono.is_identity:
                const += cv
                continue
            rep, conj, _ = representative(mono, self.system.symmetric)
            k = self._index.get(rep)
            if k is None:
                return None
            terms.append((cv, k, conj))
        return const, tuple(terms)

    def _generate(self) -> Iterator[Condition]:
        sys_ = self.system
        for mono in sys_.averages:
            yield from self._positivity(mono)
            yield from self._cauchy_schwarz(mono)
        if sys_.symmetric and sys_.model.atom_space is not None:
            yield from self._collective()

    def _positivity(self, mono: Monomial) -> Iterator[Condition]:
        """⟨P⟩ ≥ 0 for the positive products P built on ``mono``'s projectors."""
        if any(m != n for _, m, n in mono.fock) or any(i != j for _, _, i, j in mono.atoms):
            return
        options = []
        for s, lab, i, _ in mono.atoms:
            lv = [i]
            if s.ground is not None:
                lv.append(s.ground)
            options.append([(s, lab, v) for v in lv])
        for choice in product(*options) if options else [()]:
            op = Operator({Monomial.build(mono.fock, []): 1})
            for s, lab, v in choice:
                op = op * _transition(s, lab, v, v)
            form = self._linear(op)
            if form is None:
                continue
            names = [_fock_text(mono.fock)] if mono.fock else []
            names += [f"σ{v}{v}^{lab}" for _, lab, v in choice]
            yield Condition(f"⟨{' '.join(names)}⟩ ≥ 0", "positive", (form,), _per_group(mono))

    def _cauchy_schwarz(self, mono: Monomial) -> Iterator[Condition]:
        """|⟨A†B⟩|² ≤ ⟨A†A⟩⟨B†B⟩ for the left/right cuts of ``mono``."""
        target = self._linear(Operator({mono: 1}))
        if target is None:
            return
        units: list[list[tuple[Monomial, Monomial]]] = []
        for s, m, n in mono.fock:
            cuts = [
                (Monomial.build([(s, m, k)]), Monomial.build([(s, 0, n - k)])) for k in range(n + 1)
            ]
            cuts += [
                (Monomial.build([(s, j, 0)]), Monomial.build([(s, m - j, n)])) for j in range(m)
            ]
            units.append(cuts)
        for s, lab, i, j in mono.atoms:
            one = Monomial.build((), [(s, lab, i, j)])
            units.append([(one, IDENTITY), (IDENTITY, one)])
        for choice in product(*units):
            left = _product(c[0] for c in choice)  # A†
            right = _product(c[1] for c in choice)  # B
            if left is None or right is None:
                continue
            a_op = _op(left) * _op(left).dag()  # ⟨A†A⟩ with A† = left
            b_op = _op(right).dag() * _op(right)  # ⟨B†B⟩
            la, rb = self._linear(a_op), self._linear(b_op)
            if la is None or rb is None or la == rb == target:
                continue
            left_text = _average_text(a_op, f"({left.text()})({left.text()})†")
            right_text = _average_text(b_op, f"({right.text()})†({right.text()})")
            text = f"|⟨{mono.text()}⟩|² ≤ {left_text}·{right_text}"
            yield Condition(text, "cauchy-schwarz", (target, la, rb), _per_group(mono))

    def _collective(self) -> Iterator[Condition]:
        """Variance of S = Σ_j X_j ≥ 0 for single-atom X = σij, per group."""
        for group in self.system.model.groups:
            space = group.space
            tag = "" if len(self.system.model.groups) == 1 else f" ({space.name})"
            levels = range(1, space.levels + 1)
            for i in levels:
                for j in levels:
                    x1 = _transition(space, 1, i, j)
                    x2 = _transition(space, 2, i, j)
                    xx = self._linear(x1.dag() * x1)
                    pair = self._linear(x1.dag() * x2)
                    mean = self._linear(x1)
                    if xx is None or pair is None or mean is None:
                        continue
                    if not pair[1]:  # nothing held beyond constants
                        continue
                    text = (
                        f"Var(Σ_j σ{i}{j}^j){tag} = N⟨σ{j}{j}⟩ + N(N−1)⟨σ{j}{i}^1 σ{i}{j}^2⟩ "
                        f"− N²|⟨σ{i}{j}⟩|² ≥ 0"
                    )
                    yield Condition(text, "collective", (xx, pair, mean), group=space)

    # -- checking --------------------------------------------------------------
    def _matrices(self) -> tuple[Any, ...]:
        """Forms as sparse rows on v = (1, u, ū) (``(coef, column, row starts)``: no
        BLAS call, whose thread start-up costs more than these few hundred products),
        and each kind's form columns."""
        cached = getattr(self, "_mats", None)
        if cached is not None:
            return cached
        n = len(self.system.averages)
        forms: list[Linear] = []
        cols: dict[str, list[list[int]]] = {"positive": [], "cauchy-schwarz": [], "collective": []}
        rows: dict[str, list[int]] = {k: [] for k in cols}
        for c, cond in enumerate(self.conditions):
            cols[cond.kind].append([len(forms) + k for k in range(len(cond.forms))])
            rows[cond.kind].append(c)
            forms.extend(cond.forms)
        coef, column, starts = [], [], []
        for const, terms in forms:
            starts.append(len(coef))
            coef.append(complex(const))
            column.append(0)
            for c, k, conj in terms:
                coef.append(complex(c))
                column.append(1 + n * conj + k)
        mat = (np.asarray(coef), np.asarray(column, np.intp), np.asarray(starts, np.intp))
        kinds = tuple(
            (k, np.asarray(cols[k], dtype=np.intp).reshape(-1, w), np.asarray(rows[k], np.intp))
            for k, w in (("positive", 1), ("cauchy-schwarz", 3), ("collective", 3))
        )
        self._mats = (mat, kinds)
        return self._mats

    def _atom_counts(self, n_atoms: Any, batch: tuple[int, ...]) -> Any:
        """``space -> N`` (arrays broadcast to ``batch``) from a number or a mapping."""
        if isinstance(n_atoms, dict):
            return {k: np.broadcast_to(np.asarray(v, float), batch) for k, v in n_atoms.items()}
        n = np.broadcast_to(np.asarray(n_atoms, float), batch)
        return {g.space: n for g in self.system.model.groups}

    def margins(
        self, u: np.ndarray, n_atoms: np.ndarray | float | dict = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(value, scale)`` of every condition, each ``batch + (n_conditions,)``.

        A condition holds where ``value ≥ 0``; ``scale`` is the sum of the magnitudes
        of its terms (what round-off and convergence errors are relative to).

        Args:
            u: Complex averages ``batch + (n_avg,)`` in the system's order.
            n_atoms: N, broadcastable to ``batch`` (collective conditions only); with
                several groups a mapping ``space -> N_k``.
        """
        (coef, column, starts), kinds = self._matrices()
        u = np.asarray(u, dtype=complex)
        batch = u.shape[:-1]
        v = np.concatenate([np.ones(batch + (1,), complex), u, np.conj(u)], axis=-1)
        terms = coef * v[..., column]
        f = np.add.reduceat(terms, starts, axis=-1)
        fs = np.add.reduceat(np.abs(terms), starts, axis=-1)
        value = np.empty(batch + (len(self.conditions),))
        scale = np.empty_like(value)
        counts = self._atom_counts(n_atoms, batch)
        for kind, c, rows in kinds:
            if not rows.size:
                continue
            if kind == "positive":
                value[..., rows] = f[..., c[:, 0]].real
                scale[..., rows] = fs[..., c[:, 0]]
            elif kind == "cauchy-schwarz":
                lhs = np.abs(f[..., c[:, 0]]) ** 2
                value[..., rows] = f[..., c[:, 1]].real * f[..., c[:, 2]].real - lhs
                scale[..., rows] = lhs + fs[..., c[:, 1]] * fs[..., c[:, 2]]
            else:
                n = np.stack([counts[self.conditions[r].group] for r in rows], axis=-1)
                t = (
                    n * f[..., c[:, 0]].real,
                    n * (n - 1.0) * f[..., c[:, 1]].real,
                    n * n * np.abs(f[..., c[:, 2]]) ** 2,
                )
                value[..., rows] = t[0] + t[1] - t[2]
                scale[..., rows] = sum(np.abs(x) for x in t)
        return value, scale

    def _needs(self) -> dict[Any, np.ndarray]:
        """Per group space, the atoms each condition needs of it (0: none)."""
        cached = getattr(self, "_needs_cache", None)
        if cached is None:
            cached = {}
            for k, cond in enumerate(self.conditions):
                for space, m in cond.atoms:
                    cached.setdefault(space, np.zeros(len(self.conditions)))[k] = m
            self._needs_cache = cached
        return cached

    def check(self, u: np.ndarray, n_atoms: np.ndarray | float | dict = 1.0) -> Verdict:
        """Evaluate every condition on a batch of states.

        Args:
            u: Complex averages ``batch + (n_avg,)`` in the system's order.
            n_atoms: N (broadcastable to ``batch``), or ``space -> N_k`` per group:
                collective conditions use it, and a condition on m atoms of a group
                applies only where that group has at least m.

        Returns:
            A :class:`Verdict` of shape ``batch``: the most violated condition (largest
            violation relative to its scale) names the violation.
        """
        u = np.asarray(u, dtype=complex)
        batch = u.shape[:-1]
        finite = np.all(np.isfinite(u), axis=-1)
        with np.errstate(invalid="ignore", over="ignore"):
            value, scale = self.margins(np.where(finite[..., None], u, 0.0), n_atoms)
            counts = self._atom_counts(n_atoms, batch)
            applies = np.ones(batch + (len(self.conditions),), bool)
            for space, need in self._needs().items():
                applies &= counts[space][..., None] >= need
            bad = (-value > RTOL * scale + ATOL) & applies
            rel = np.where(bad, -value / (scale + ATOL / RTOL), 0.0)
        worst = rel.max(axis=-1) if self.conditions else np.zeros(batch)
        which = rel.argmax(axis=-1) if self.conditions else np.zeros(batch, np.intp)
        physical = finite & ~bad.any(axis=-1)
        text = np.empty(batch, dtype=object)
        for idx in np.ndindex(*batch):
            if physical[idx]:
                text[idx] = ""
            elif not finite[idx]:
                text[idx] = "non-finite averages"
            else:
                k = int(which[idx])
                text[idx] = f"{self.conditions[k].text} fails by {-float(value[idx + (k,)]):.3g}"
        which = np.where(physical | ~finite, -1, which)
        return Verdict(physical, text, np.where(finite, worst, np.nan), which)


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def _transition(space, label, i: int, j: int) -> Operator:
    from vlaser.cumulants.algebra import Transition

    return Transition(space, i, j, label)


def _op(mono: Monomial) -> Operator:
    return Operator({mono: 1})


def _product(monos) -> Monomial | None:
    """Product of monomials on disjoint subsystems (None if they overlap)."""
    fock: list = []
    atoms: list = []
    for m in monos:
        fock += list(m.fock)
        atoms += list(m.atoms)
    try:
        return Monomial.build(fock, atoms)
    except ValueError:
        return None


def _per_group(mono: Monomial) -> tuple[tuple[Any, int], ...]:
    """Atoms per group of a monomial."""
    out: dict[Any, int] = {}
    for space, _lab, _i, _j in mono.atoms:
        out[space] = out.get(space, 0) + 1
    return tuple(out.items())


def _fock_text(fock) -> str:
    return Monomial.build(fock, []).text()


def _average_text(op: Operator, fallback: str) -> str:
    """``⟨m⟩`` where ``op`` is one monomial (``1`` for the identity), else ``⟨fallback⟩``."""
    if len(op.terms) == 1:
        ((mono, c),) = op.terms.items()
        if c == 1:
            return "1" if mono.is_identity else f"⟨{mono.text()}⟩"
    return f"⟨{fallback}⟩"


__all__ = ["ATOL", "RTOL", "Admissibility", "Condition", "Verdict"]
