"""Physical (SI) units for the laser: cavity, coupling, pump intensities, output.

The model works in units of Γ3 (angular frequencies, ``shared/conventions.md``). This
module converts between the model's numbers and what an experimentalist measures, for a
species preset (:mod:`vlaser.species`: Γ2, Γ3, wavelengths). All formulas:

**Cavity** (length L, finesse F, free spectral range FSR, all in SI):

* FSR = c / (2L)  (Hz; linear cavity),
* empty-cavity FWHM  Δν_c = FSR / F  (Hz),
* κ is the cavity **field** decay rate (eq. 6, L = 2κ D[a]): the empty cavity's
  intensity FWHM in angular frequency is 2κ, so  κ = 2π Δν_c / 2 = π Δν_c  (rad/s) and
  κ/2π = Δν_c / 2 (Hz). The photon number decays at κ_photon = 2κ.

**Coupling** g (H term g(a†σ12 + aσ21); vacuum Rabi frequency 2g) of an atom at an
antinode of a TEM00 standing-wave mode with waist w0, on a closed two-level line with the
measured Γ2 (Clebsch–Gordan factor 1, polarization matched):

* mode volume V = π w0² L / 4,
* dipole d from Γ2 = ω2³ d² / (3π ε0 ħ c³),
* g = d √(ω2 / (2 ħ ε0 V))  ⇒  g² = 3 c λ2² Γ2 / (8π V) = 3 c λ2² Γ2 / (2π² w0² L).

**Single-atom cooperativity** (definition used throughout vlaser)::

    C = 4 g² / (κ_photon Γ2) = 2 g² / (κ Γ2),      κ_photon = 2κ,

i.e. the usual η = (2g)²/(κ_photon Γ) with the vacuum Rabi frequency 2g, the photon
(energy) decay rate and the population decay rate Γ2. With the formulas above it is
C = 24 F / (π k2² w0²) (k2 = 2π/λ2), the standard antinode value. The paper's cavity
(g = 2Γ2, κ = 50Γ2) has C = 0.16.

**Pump intensity** of the |1>–|i> line (i = 2, 3) from Ω_i, the coefficient of
(σi1 + σ1i) in H: the resonant Rabi frequency is Ω_R = 2Ω_i, and with the two-level
saturation intensity I_sat,i = π h c Γ_i / (3 λ_i³) (defined by I/I_sat = 2Ω_R²/Γ_i²)

    I_i = 2 I_sat,i (2Ω_i)² / Γ_i² = 8 I_sat,i (Ω_i/Γ_i)².

**Output** through the mirrors: photons leave at 2κ n per second (the photon decay
rate times the intracavity number n), and P = ħ ω_L · 2κ n with ω_L = ω2 + δp (the line
position; |δp| ≪ ω2 is kept for completeness).

**Line**: FWHM and positions in Hz are the model's angular values times Γ3/2π.

**Density**: n_atoms = N / V (atoms per m³, printed per cm³), needs w0 and L.

Functions raise :class:`~vlaser.errors.ParameterError` (one-line CLI error, exit 2)
for bad inputs and for a species that lacks the data a conversion needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from vlaser.errors import ParameterError
from vlaser.species import C_LIGHT, HBAR, Species, get_species

#: Planck constant h in J s (exact, SI 2019).
PLANCK = 2.0 * math.pi * HBAR
#: Vacuum permittivity ε0 in F/m (CODATA 2018).
EPSILON0 = 8.8541878128e-12


def _species(species: str | Species | None, what: str) -> Species:
    if species is None:
        raise ParameterError("species", None, f"a species preset (sr88, yb174, ca40) for {what}")
    return get_species(species)


def _data(sp: Species, attr: str, what: str) -> float:
    """A species datum needed by a conversion (finite and > 0) or a one-line error."""
    value = getattr(sp, attr, None)
    if value is None or not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ParameterError(
            "species", sp.name, f"a species with {attr} data for {what} ({sp.name} has {value!r})"
        )
    return float(value)


def _positive(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a finite number > 0") from None
    if not (math.isfinite(v) and v > 0):
        raise ParameterError(name, value, "a finite number > 0")
    return v


def gamma_si(species: str | Species, level: int) -> float:
    """Γ_level in rad/s (population decay rate of |level>)."""
    sp = get_species(species)
    if level not in (2, 3):
        raise ParameterError("level", level, "2 (narrow line) or 3 (broad line)")
    hz = _data(sp, f"linewidth{level}_hz", f"Γ{level}")
    return 2.0 * math.pi * hz


def wavelength_m(species: str | Species, level: int) -> float:
    """Vacuum wavelength of the |1>–|level> line in m."""
    sp = get_species(species)
    if level not in (2, 3):
        raise ParameterError("level", level, "2 (narrow line) or 3 (broad line)")
    return _data(sp, f"wavelength{level}_nm", f"the |1>-|{level}> wavelength") * 1e-9


def gamma3_si(species: str | Species) -> float:
    """Γ3 in rad/s: the model's unit of rate."""
    return gamma_si(species, 3)


def to_model(species: str | Species, rate_si: float) -> float:
    """An angular rate in rad/s -> model units (Γ3 = 1)."""
    return float(rate_si) / gamma3_si(species)


def to_si(species: str | Species, rate: float) -> float:
    """A model rate (Γ3 units) -> rad/s."""
    return float(rate) * gamma3_si(species)


def to_hz(species: str | Species, rate: float) -> float:
    """A model rate (Γ3 units) -> rate/2π in Hz."""
    return to_si(species, rate) / (2.0 * math.pi)


def from_hz(species: str | Species, hz: float) -> float:
    """rate/2π in Hz -> model rate (Γ3 units)."""
    return to_model(species, 2.0 * math.pi * float(hz))


# ---------------------------------------------------------------------------
# Cavity
# ---------------------------------------------------------------------------


def fsr_hz(length_m: float) -> float:
    """Free spectral range c/(2L) in Hz of a linear cavity of length ``length_m`` (m)."""
    return C_LIGHT / (2.0 * _positive("length", length_m))


def kappa_from_finesse(finesse: float, *, length_m: float | None = None,
                       fsr: float | None = None) -> float:  # fmt: skip
    """Field decay rate κ (rad/s) from the finesse and the length or the FSR.

    κ = π · FSR / F (empty-cavity FWHM FSR/F in Hz; the FWHM in rad/s is 2κ).

    Args:
        finesse: F > 0.
        length_m: Cavity length L in m (FSR = c/2L), or
        fsr: the free spectral range in Hz.
    """
    f = _positive("finesse", finesse)
    if (length_m is None) == (fsr is None):
        raise ParameterError("length", length_m, "exactly one of length and fsr with finesse")
    free = fsr_hz(length_m) if fsr is None else _positive("fsr", fsr)
    return math.pi * free / f


def mode_volume(waist_m: float, length_m: float) -> float:
    """TEM00 standing-wave mode volume V = π w0² L / 4 (m³)."""
    w = _positive("waist", waist_m)
    return math.pi * w * w * _positive("length", length_m) / 4.0


def coupling_from_waist(species: str | Species, waist_m: float, length_m: float) -> float:
    """g (rad/s) at an antinode: g² = 3 c λ2² Γ2 / (8π V), V = π w0² L/4 (module docstring)."""
    lam = wavelength_m(species, 2)
    g2 = gamma_si(species, 2)
    return math.sqrt(3.0 * C_LIGHT * lam**2 * g2 / (8.0 * math.pi * mode_volume(waist_m, length_m)))


def cooperativity(g: float, kappa: float, gamma2: float) -> float:
    """C = 4g²/(κ_photon Γ2) = 2g²/(κ Γ2) (any consistent units; κ = field decay)."""
    return 2.0 * g * g / (_positive("kappa", kappa) * _positive("gamma2", gamma2))


def coupling_from_cooperativity(c: float, kappa: float, gamma2: float) -> float:
    """g = √(C κ Γ2 / 2) (units of κ and Γ2), inverse of :func:`cooperativity`."""
    return math.sqrt(_positive("cooperativity", c) * kappa * gamma2 / 2.0)


@dataclass(frozen=True)
class Cavity:
    """A cavity for a species, in SI and model units.

    Attributes:
        species: The species preset key.
        kappa_si: κ, field decay rate (rad/s); photons decay at 2κ.
        g_si: Coupling g (rad/s).
        length_m: Length L (m) where known.
        waist_m: Mode waist w0 (m) where known.
        finesse: F where known.
    """

    species: str
    kappa_si: float
    g_si: float
    length_m: float | None = None
    waist_m: float | None = None
    finesse: float | None = None

    @property
    def kappa(self) -> float:
        """κ in units of Γ3 (the ``kappa`` of :class:`~vlaser.params.LaserParams`)."""
        return to_model(self.species, self.kappa_si)

    @property
    def g(self) -> float:
        """g in units of Γ3."""
        return to_model(self.species, self.g_si)

    @property
    def kappa_hz(self) -> float:
        """κ/2π in Hz."""
        return self.kappa_si / (2.0 * math.pi)

    @property
    def linewidth_hz(self) -> float:
        """Empty-cavity FWHM 2κ/2π in Hz."""
        return 2.0 * self.kappa_hz

    @property
    def cooperativity(self) -> float:
        """C = 4g²/(2κ Γ2)."""
        return cooperativity(self.g_si, self.kappa_si, gamma_si(self.species, 2))

    @property
    def volume_m3(self) -> float | None:
        """Mode volume π w0² L/4 (m³) where w0 and L are known."""
        if self.waist_m is None or self.length_m is None:
            return None
        return mode_volume(self.waist_m, self.length_m)

    def to_dict(self) -> dict[str, Any]:
        return {
            "species": self.species,
            "kappa_si": self.kappa_si,
            "kappa_hz": self.kappa_hz,
            "cavity_linewidth_hz": self.linewidth_hz,
            "photon_decay_si": 2.0 * self.kappa_si,
            "g_si": self.g_si,
            "g_hz": self.g_si / (2.0 * math.pi),
            "kappa": self.kappa,
            "g": self.g,
            "cooperativity": self.cooperativity,
            "length_m": self.length_m,
            "waist_m": self.waist_m,
            "finesse": self.finesse,
            "mode_volume_m3": self.volume_m3,
        }


def cavity(
    species: str | Species,
    *,
    kappa_hz: float | None = None,
    finesse: float | None = None,
    length_m: float | None = None,
    fsr: float | None = None,
    waist_m: float | None = None,
    cooperativity_value: float | None = None,
    g_hz: float | None = None,
) -> Cavity:
    """A :class:`Cavity` from the inputs experimentalists have.

    κ: ``kappa_hz`` (κ/2π in Hz, the HALF width of the cavity line), or ``finesse`` with
    ``length_m`` or ``fsr``; default the paper's κ = 50 Γ2. g: ``g_hz`` (g/2π), or
    ``waist_m`` (needs ``length_m``), or ``cooperativity_value`` (C = 4g²/(2κΓ2));
    default the paper's g = 2 Γ2.

    Raises:
        ParameterError: Conflicting or incomplete inputs, non-positive values.
    """
    sp = get_species(species)
    gamma2 = gamma_si(sp, 2)
    if kappa_hz is not None:
        if finesse is not None or fsr is not None:
            raise ParameterError("kappa_hz", kappa_hz, "not together with finesse/fsr")
        kappa = 2.0 * math.pi * _positive("kappa_hz", kappa_hz)
    elif finesse is not None:
        kappa = kappa_from_finesse(finesse, length_m=None if fsr is not None else length_m,
                                   fsr=fsr)  # fmt: skip
    else:
        if fsr is not None:
            raise ParameterError("fsr", fsr, "given together with finesse")
        kappa = 50.0 * gamma2
    ways = {"g_hz": g_hz, "waist": waist_m, "cooperativity": cooperativity_value}
    given = [k for k, v in ways.items() if v is not None]
    if len(given) > 1:
        raise ParameterError(
            given[1], ways[given[1]], f"not together with {given[0]} (one way to give g)"
        )
    if g_hz is not None:
        g = 2.0 * math.pi * _positive("g_hz", g_hz)
    elif waist_m is not None:
        if length_m is None:
            raise ParameterError("length", None, "the cavity length (m) with the waist")
        g = coupling_from_waist(sp, waist_m, length_m)
    elif cooperativity_value is not None:
        g = coupling_from_cooperativity(cooperativity_value, kappa, gamma2)
    else:
        g = 2.0 * gamma2
    return Cavity(sp.name, kappa, g, length_m, waist_m, finesse)


# ---------------------------------------------------------------------------
# Pumps
# ---------------------------------------------------------------------------


def saturation_intensity(species: str | Species, level: int) -> float:
    """I_sat = π h c Γ / (3 λ³) of the |1>–|level> line, W/m²."""
    lam = wavelength_m(species, level)
    return math.pi * PLANCK * C_LIGHT * gamma_si(species, level) / (3.0 * lam**3)


def pump_intensity(species: str | Species, level: int, omega: float) -> float:
    """Intensity (W/m²) of pump ``level`` with model Rabi coefficient Ω (Γ3 units).

    I = 8 I_sat (Ω/Γ_level)² (Ω_R = 2Ω the resonant Rabi frequency; module docstring).
    """
    sp = get_species(species)
    gam = gamma_si(sp, level) / gamma3_si(sp)
    return 8.0 * saturation_intensity(sp, level) * (float(omega) / gam) ** 2


def rabi_from_intensity(species: str | Species, level: int, intensity: float) -> float:
    """Model Ω (Γ3 units, ≥ 0) of a pump of ``intensity`` W/m² (inverse of
    :func:`pump_intensity`)."""
    sp = get_species(species)
    i = float(intensity)
    if not (math.isfinite(i) and i >= 0):
        raise ParameterError("intensity", intensity, "a finite intensity >= 0 (W/m²)")
    gam = gamma_si(sp, level) / gamma3_si(sp)
    return gam * math.sqrt(i / (8.0 * saturation_intensity(sp, level)))


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def photon_flux(species: str | Species, kappa: float, photons: float) -> float:
    """Output photons per second 2κ n (κ in Γ3 units, the field decay rate)."""
    return 2.0 * to_si(species, kappa) * float(photons)


def output_power(
    species: str | Species, kappa: float, photons: float, line_position: float = 0.0
) -> float:
    """Output power P = ħ ω_L · 2κ n in W, ω_L = ω2 + δp (δp in Γ3 units)."""
    sp = get_species(species)
    omega_l = 2.0 * math.pi * C_LIGHT / wavelength_m(sp, 2) + to_si(sp, line_position)
    return HBAR * omega_l * photon_flux(sp, kappa, photons)


def si_readout(
    params: Any,
    species: str | Species | None,
    *,
    photons: float,
    fwhm: float | None = None,
    peak: float | None = None,
    cavity: Cavity | None = None,
) -> dict[str, Any]:
    """Model units and SI side by side for one laser point.

    Args:
        params: A scalar :class:`~vlaser.params.LaserParams` (model units).
        species: The species preset the model units refer to (required for SI).
        photons: Intracavity photon number n.
        fwhm: Line FWHM (Γ3), optional.
        peak: Line position δp from ω2 (Γ3), optional.
        cavity: A :class:`Cavity` with length and waist for the atom density (optional).

    Returns:
        ``{"model": {...}, "si": {...}}``: rates in Γ3 and Γ2 units; SI in Hz (values
        over 2π), W, photons/s, W/cm², atoms/cm³ (density only with a cavity of known
        waist and length).

    Raises:
        ParameterError: Without a species, or for a species lacking the data.
    """
    sp = _species(species, "SI units")
    v = params.values()
    g2 = float(v["gamma2"])
    kappa = float(v["kappa"])
    n = float(photons)
    model: dict[str, Any] = {
        "photons": n,
        "photon_decay_rate": 2.0 * kappa,
        "kappa": kappa,
        "kappa_gamma2": kappa / g2,
        "g": float(v["g"]),
        "g_gamma2": float(v["g"]) / g2,
        "cooperativity": cooperativity(float(v["g"]), kappa, g2),
        "atoms": float(v["atoms"]),
    }
    si: dict[str, Any] = {
        "species": sp.name,
        "gamma3_hz": sp.linewidth3_hz,
        "gamma2_hz": sp.linewidth2_hz,
        "photons_per_s": photon_flux(sp, kappa, n),
        "power_w": output_power(sp, kappa, n, 0.0 if peak is None else float(peak)),
        "kappa_hz": to_hz(sp, kappa),
        "cavity_linewidth_hz": to_hz(sp, 2.0 * kappa),
        "g_hz": to_hz(sp, float(v["g"])),
    }
    for name in ("delta2", "delta3", "omega2", "omega3", "nu2", "nu3"):
        model[name] = float(v[name])
        si[f"{name}_hz"] = to_hz(sp, float(v[name]))
    dc = v.get("delta_c")
    dc = float(v["delta2"]) if dc is None else float(dc)
    model["delta_c"] = dc
    si["delta_c_hz"] = to_hz(sp, dc)
    for level in (2, 3):
        i = pump_intensity(sp, level, float(v[f"omega{level}"]))
        si[f"pump{level}_intensity_w_cm2"] = i * 1e-4
        si[f"pump{level}_saturation_w_cm2"] = saturation_intensity(sp, level) * 1e-4
    if fwhm is not None:
        model["fwhm"] = float(fwhm)
        model["fwhm_gamma2"] = float(fwhm) / g2
        si["fwhm_hz"] = to_hz(sp, float(fwhm))
    if peak is not None:
        model["peak"] = float(peak)
        model["peak_gamma2"] = float(peak) / g2
        si["peak_hz"] = to_hz(sp, float(peak))
    if cavity is not None and cavity.volume_m3 is not None:
        si["mode_volume_cm3"] = cavity.volume_m3 * 1e6
        si["atom_density_cm3"] = float(v["atoms"]) / (cavity.volume_m3 * 1e6)
    return {"model": model, "si": si}


__all__ = [
    "EPSILON0",
    "PLANCK",
    "Cavity",
    "cavity",
    "coupling_from_cooperativity",
    "coupling_from_waist",
    "cooperativity",
    "from_hz",
    "fsr_hz",
    "gamma3_si",
    "gamma_si",
    "kappa_from_finesse",
    "mode_volume",
    "output_power",
    "photon_flux",
    "pump_intensity",
    "rabi_from_intensity",
    "saturation_intensity",
    "si_readout",
    "to_hz",
    "to_model",
    "to_si",
    "wavelength_m",
]
