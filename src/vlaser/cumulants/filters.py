"""Filters for :func:`~vlaser.cumulants.complete.complete` (QuantumCumulants.jl's
``filter_func``): which averages a closed system keeps.

**Phase invariance.** A collective Hermitian jump ν D[Q] whose elementary operators
all have definite excitation charges ([Q, P] = m(P) P; for the laser Q = a†a + S2:
m = −1 for a, σ12, σ32, +1 for a†, σ21, σ23, 0 for the rest) dephases every average
of total charge m ≠ 0 at the rate ν m²/2. If in addition every Hamiltonian term and
every other jump conserves Q (the model is U(1)-covariant under e^{iθQ}) and the
initial state is phase invariant (no coherent seed), the averages with m ≠ 0 are zero
at all times, and with ν > 0 they decay to zero from any state whose steady state is
unique. :func:`phase_invariant` keeps only the charge-0 averages; on such a model the
filtered system is exact to the same cumulant order and smaller.

Where a Hamiltonian term carries charge (the laser's coherent pump Ω2(σ21 + σ12),
m = ±1) the model is not covariant: the pump drives the charged averages (⟨σ12⟩,
⟨a⟩) in the frame of the steady state, and setting them to zero removes the pump's
source terms from the charge-0 equations. :func:`covariance_breaking` lists such terms;
see :func:`vlaser.laser.equations.laser_equations` for what the filter does there.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from vlaser.cumulants.algebra import Monomial
from vlaser.cumulants.model import Model


class ChargeFilter:
    """Keep the averages of zero total charge under one collective jump ν D[Q].

    Args:
        model: The model.
        rate: The jump's rate symbol (e.g. the laser's ``ν2``).

    Attributes:
        key: Identifies the filter in cache keys (the jump's text).
        jump: The :class:`~vlaser.cumulants.correlate.ChargeJump`.

    Raises:
        ValueError: If the model has no collective jump with definite charges at
            ``rate``.
    """

    def __init__(self, model: Model, rate: sp.Expr) -> None:
        from vlaser.cumulants.correlate import charge_jumps

        found = [cj for cj in charge_jumps(model) if sp.simplify(cj.rate - rate) == 0]
        if len(found) != 1:
            raise ValueError(f"no collective jump with definite charges at rate {rate}")
        self.jump = found[0]
        self.key = f"charge0[{self.jump.text()}]"
        self._charge = lru_cache(maxsize=None)(self._total)

    def _total(self, mono: Monomial) -> sp.Rational:
        from vlaser.cumulants.correlate import total_charge

        return total_charge(self.jump, mono)

    def charge(self, mono: Monomial) -> sp.Rational:
        """Total charge m of ``mono`` (additive over its factors)."""
        return self._charge(mono)

    def __call__(self, mono: Monomial) -> bool:
        return self._charge(mono) == 0


def phase_invariant(model: Model, rate: sp.Expr) -> ChargeFilter:
    """The phase-invariance filter: keep averages of charge 0 under the collective
    jump at ``rate`` (for the laser ``ν2``: Q = a†a + S2). See the module docstring
    for when it is exact."""
    return ChargeFilter(model, rate)


def covariance_breaking(model: Model, flt: ChargeFilter) -> list[str]:
    """Hamiltonian terms of ``model`` that change the filter's charge (plain text).

    Empty: the Hamiltonian commutes with Q. Jumps are covariant if each jump
    operator has a definite charge (D[J] is invariant under J -> e^{iθ}J); those
    that are not are listed too.
    """
    out = []
    for term in model.hamiltonian.terms:
        labels = {ix: k + 1 for k, ix in enumerate(term.indices)}
        for mono in term.op.terms:
            m = flt.charge(mono.relabel(labels))
            if m != 0:
                out.append(f"{mono.text()} (charge {m})")
    for jump in model.jumps:
        charges = set()
        for term in jump.op.terms:
            for mono in term.op.terms:
                labels = {ix: k + 1 for k, ix in enumerate(term.indices)}
                charges.add(flt.charge(mono.relabel(labels)))
        if len(charges) > 1:
            out.append(f"jump {jump.text()} (charges {sorted(charges)})")
    return out


__all__ = ["ChargeFilter", "covariance_breaking", "phase_invariant"]
