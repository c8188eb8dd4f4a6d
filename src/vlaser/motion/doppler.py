"""Doppler broadening (paper eq. 16) and the Doppler-cooling limit of the motion model.

Units: temperatures k_B T and rates in units of ħΓ3 and Γ3 of the species preset.

Eq. (16): the Doppler FWHM of the narrow line of a gas at temperature T,
Δω_D = (ω2/c) √(8 k_B T ln 2 / m). With ω2/c = k2 and ω_r2 = ħk2²/2m this is, in
units of Γ3, Δω_D = 4 √(ln 2 · k_B T · ω_r2): only the recoil frequency of the species
enters.

Doppler limit of *this* model (the semiclassical trajectories of
:mod:`vlaser.motion.trajectories`) for a two-level atom (one transition, linewidth Γ,
detuning Δ = ω_l − ω) in a standing wave H = −Δ σee + Ω cos(kx)(σeg + σge), at low
saturation and slow motion (kv ≪ Γ). Linear response of ψ = |g> + β|e> to the moving
atom, β = −iΩ[c/L − ċ/L²] with L = Γ/2 − iΔ and c = cos kx(t), gives the force
dP/dt = Ω sin(kx) 2Re β = (dipole force) + 2 Ω² Γ Δ sin²(kx) (kv)/|L|⁴; averaged over
position (sin² → 1/2): dP/dt = −α kv with α = Ω² Γ (−Δ)/|L|⁴ (the textbook two-beam
friction with running-wave Rabi frequency Ω). The emission rate averages to
R = Γ Ω²/(2|L|²). Each decay kicks P by the projection s_i of an isotropic unit vector,
<s_i²> = 1/3. The force is the expectation value in the trajectory's state, so the
absorption (momentum-fluctuation) diffusion of the full quantum theory is absent; the
trajectory-force fluctuations caused by the jumps add a diffusion of relative order
Ω²/|L|² (saturation), negligible in this limit. With kv = 2ω_r P,
d<P²>/dt = −4 ω_r α <P²> + R/3, so k_B T = 2ω_r<P²> = R/(6α) = |L|²/(12|Δ|), with the
minimum Γ/12 at Δ = −Γ/2 — one sixth of the textbook 1D limit |L|²/(2|Δ|) (Γ/2 at
Δ = −Γ/2), which counts absorption diffusion and 1D emission.
"""

from __future__ import annotations

import math

from vlaser.errors import ParameterError
from vlaser.species import ATOMIC_MASS_UNIT, C_LIGHT, HBAR, Species, get_species


def doppler_fwhm(
    kbt: float, species: str | Species = "sr88", mass_u: float | None = None, level: int = 2
) -> float:
    """Doppler FWHM of eq. (16) on the |1>-|level> line, in units of Γ3.

    Args:
        kbt: Temperature k_B T in units of ħΓ3 (Γ3 of the species), >= 0.
        species: Species preset (wavelengths, Γ3, mass).
        mass_u: Mass in u overriding the preset (the paper's eq. 16 uses 87 u).
        level: 2 for the narrow line (eq. 16), 3 for the broad one.

    Returns:
        Δω_D / Γ3 = (ω_level/c) √(8 k_B T ln2 / m) / Γ3.

    Raises:
        ParameterError: For negative or non-finite ``kbt`` or a bad mass.
    """
    kbt = float(kbt)
    if not math.isfinite(kbt) or kbt < 0:
        raise ParameterError("kbt", kbt, "a finite temperature >= 0 (units of ħΓ3)")
    sp = get_species(species)
    if mass_u is None:
        mass = sp.mass_kg
    else:
        if not math.isfinite(mass_u) or mass_u <= 0:
            raise ParameterError("mass_u", mass_u, "a mass > 0 in u")
        mass = mass_u * ATOMIC_MASS_UNIT
    omega = C_LIGHT * sp.k(level)  # rad/s
    kbt_joule = kbt * HBAR * sp.gamma3_si
    width = omega / C_LIGHT * math.sqrt(8.0 * kbt_joule * math.log(2.0) / mass)
    return width / sp.gamma3_si


def friction_standing_wave(delta: float, omega: float, gamma: float = 1.0) -> float:
    """Position-averaged low-intensity friction α of the model: dP/dt = −α·(kv).

    α = Ω² Γ (−Δ)/|L|⁴, |L|² = Γ²/4 + Δ² (positive: cooling, for Δ < 0). P = p/ħk and
    kv in units of Γ3; see the module docstring for the derivation.
    """
    l2 = gamma**2 / 4.0 + delta**2
    return omega**2 * gamma * (-delta) / l2**2


def emission_rate_standing_wave(delta: float, omega: float, gamma: float = 1.0) -> float:
    """Position-averaged low-intensity photon emission rate R = Γ Ω²/(2|L|²) (Γ3)."""
    return gamma * omega**2 / (2.0 * (gamma**2 / 4.0 + delta**2))


def doppler_kbt_model(delta: float, gamma: float = 1.0, projection: float = 1.0 / 3.0) -> float:
    """Low-intensity Doppler temperature of the model, k_B T = R<s²>/(2α) (ħΓ3).

    With isotropic emission projected on the axis (<s²> = 1/3) this is |L|²/(12|Δ|).

    Raises:
        ParameterError: Unless Δ < 0 (no cooling otherwise).
    """
    if not delta < 0:
        raise ParameterError("delta", delta, "a red detuning < 0 (cooling)")
    l2 = gamma**2 / 4.0 + delta**2
    return l2 * projection / (4.0 * abs(delta))


def doppler_kbt_textbook(delta: float, gamma: float = 1.0) -> float:
    """Textbook 1D Doppler temperature (absorption + 1D emission), |L|²/(2|Δ|) (ħΓ3).

    Its minimum is ħΓ/2 at Δ = −Γ/2: the "Doppler temperature" the paper compares with.
    """
    if not delta < 0:
        raise ParameterError("delta", delta, "a red detuning < 0 (cooling)")
    return (gamma**2 / 4.0 + delta**2) / (2.0 * abs(delta))


__all__ = [
    "doppler_fwhm",
    "doppler_kbt_model",
    "doppler_kbt_textbook",
    "emission_rate_standing_wave",
    "friction_standing_wave",
]
