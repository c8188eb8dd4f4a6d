"""Single-atom emission spectrum of the narrow line (paper Fig. 4, eq. 11).

Per ``shared/conventions.md``, with A = σ12 (the lowering operator of |1>-|2>):

    S(ω) = 2 Re ∫_0^∞ dτ ⟨A†(τ) A(0)⟩ e^{−iωτ},

ω measured from the pump-2 frequency in the rotating frame. By the quantum regression
theorem ⟨A†(τ) A(0)⟩ = Tr[A† e^{Lτ}(A ρ_ss)], so S(ω) = 2 Re c·(iω − L)⁻¹ x0 with
x0 = vec(A ρ_ss) and c·y = Tr[A† y] (:mod:`vlaser.spectral`).

Sign check: a free atom has σ21(τ) = σ21 e^{iω2 τ}, so ⟨A†(τ)A⟩ ∝ e^{+iω2τ} and the
line sits at ω = +ω2 (lab frame); in the pump-2 frame the bare line is at ω = −Δ2.
Line positions are therefore reported as δ = ω + Δ2, relative to the bare atomic
frequency ω2; the pump-2 frequency is at δ = Δ2.

Elastic part: ⟨A⟩ ≠ 0 in the steady state gives a δ-function |⟨A⟩|² 2π δ(ω) at the
pump frequency. It is removed by using fluctuations, x0 = vec((A − ⟨A⟩)ρ_ss) and
c·y = Tr[(A† − ⟨A†⟩) y]; the spectrum returned is the incoherent one and
``coherent_weight`` = |⟨σ12⟩|² / ⟨σ22⟩ is the fraction of the emitted power
(∫ S_total dω/2π = ⟨A†A⟩ = ⟨σ22⟩) that is elastic. The zero eigenvalue of L is moved
to −1 (L' = L − ρ_ss ⊗ Tr): on the traceless vectors reached from x0 L' = L, and
(iω − L') is invertible at ω = 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlaser.atom.liouvillian import liouvillian, sigma, vec
from vlaser.atom.steady import steady_state
from vlaser.errors import ParameterError
from vlaser.params import AtomParams
from vlaser.spectral import Peak, adaptive_grid, find_peaks, resolvent_spectrum


def _trace_row(op: np.ndarray) -> np.ndarray:
    """Row vector c with c · vec(y) = Tr[op y] (column stacking)."""
    return vec(op.T)


@dataclass(frozen=True)
class EmissionSpectrum:
    """Incoherent emission spectrum of the |2> → |1> line for one parameter point.

    Attributes:
        params: The (scalar) parameters.
        omega: Frequencies from the pump-2 frequency, sorted 1-D (units of Γ3).
        values: Incoherent S(ω) on ``omega`` (units of 1/Γ3; ∫ S dω/2π = ⟨σ22⟩ − |⟨σ12⟩|²).
        peaks: Lines of the incoherent spectrum, highest first, positions as δ = ω + Δ2.
        coherent_power: |⟨σ12⟩|², the weight of the elastic δ line at δ = Δ2.
        total_power: ⟨σ22⟩ = ⟨A†A⟩.
        poles: Eigenvalues of L without its zero mode (units of Γ3).
    """

    params: AtomParams
    omega: np.ndarray
    values: np.ndarray
    peaks: list[Peak]
    coherent_power: float
    total_power: float
    poles: np.ndarray
    _system: tuple[np.ndarray, np.ndarray, np.ndarray] = field(repr=False, default=None)

    @property
    def delta(self) -> np.ndarray:
        """Frequencies relative to the bare atomic line, δ = ω + Δ2 (units of Γ3)."""
        return self.omega + float(self.params.delta2)

    @property
    def coherent_weight(self) -> float:
        """Elastic fraction of the emitted power, |⟨σ12⟩|² / ⟨σ22⟩."""
        return self.coherent_power / self.total_power

    def evaluate(self, omega: np.ndarray | float) -> np.ndarray:
        """Exact incoherent S at frequencies ω (from the pump-2 frequency)."""
        return resolvent_spectrum(*self._system, omega)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly summary (peaks relative to ω2, Γ3 units)."""
        return {
            "peaks": [pk.to_dict() for pk in self.peaks],
            "coherent_weight": self.coherent_weight,
            "coherent_power": self.coherent_power,
            "total_power": self.total_power,
            "pump_position": float(self.params.delta2),
        }


def emission_spectrum(
    p: AtomParams, omega: np.ndarray | None = None, background: int = 2001
) -> EmissionSpectrum:
    """Incoherent single-atom emission spectrum of A = σ12 (paper Fig. 4).

    Args:
        p: Scalar atom parameters (one point).
        omega: Frequencies from the pump-2 frequency (units of Γ3); default: an
            adaptive grid from the poles of L (:func:`vlaser.spectral.adaptive_grid`).
        background: Background points of the default grid.

    Returns:
        :class:`EmissionSpectrum`; peak positions as δ = ω + Δ2, widths in Γ3 units.

    Raises:
        ParameterError: If ``p`` is not a single point or its steady state is not unique.
    """
    if p.shape != ():
        raise ParameterError("params", p.shape, "a single parameter point (scalar fields)")
    ss = steady_state(p)
    if bool(ss.singular):
        raise ParameterError("params", p.to_dict(), "parameters with a unique steady state")
    rho = ss.rho
    L = liouvillian(p)
    a = sigma(1, 2)
    mean_a = complex(np.trace(a @ rho))
    x0 = vec((a - mean_a * np.eye(3)) @ rho)
    c = _trace_row(a.conj().T - np.conj(mean_a) * np.eye(3))
    Lp = L - np.outer(vec(rho), _trace_row(np.eye(3)))
    lam = np.linalg.eigvals(L)
    poles = np.delete(lam, int(np.argmin(np.abs(lam))))
    w = adaptive_grid(poles, background=background) if omega is None else np.sort(omega)
    values = resolvent_spectrum(Lp, x0, c, w)
    shift = float(p.delta2)
    raw = find_peaks(w, values, func=lambda x: float(resolvent_spectrum(Lp, x0, c, x)))
    peaks = [Peak(pk.position + shift, pk.fwhm, pk.height) for pk in raw]
    return EmissionSpectrum(
        params=p,
        omega=w,
        values=values,
        peaks=peaks,
        coherent_power=abs(mean_a) ** 2,
        total_power=float(ss.populations[1]),
        poles=poles,
        _system=(Lp, x0, c),
    )


__all__ = ["EmissionSpectrum", "emission_spectrum"]
