"""Atomic data for real species and conversion to/from the model's Γ3 units.

Levels follow ``shared/conventions.md``: |1> ground state, |2> the narrow excited
state (lasing transition), |3> the broad excited state. Linewidths are given as
Γ/2π in Hz (natural linewidth, i.e. population decay rate Γ divided by 2π).

Sources of the measured values (lifetimes τ, Γ = 1/τ):

* 88Sr 5s² ¹S0 – 5s5p ¹P1 (461 nm): τ = 5.263 ns (Yasuda et al., PRA 73, 011403 (2006)),
  Γ/2π = 30.24 MHz. 5s² ¹S0 – 5s5p ³P1 (689 nm): τ = 21.28 µs (Zelevinsky et al.,
  PRL 96, 203201 (2006)), Γ/2π = 7.48 kHz.
* 174Yb 6s² ¹S0 – 6s6p ¹P1 (399 nm): τ = 5.464 ns (Takasu et al., PRL 93, 123202
  (2004)), Γ/2π = 29.13 MHz. ¹S0 – ³P1 (556 nm): τ = 872 ns (Blagoev & Komarovskii,
  ADNDT 56, 1 (1994)), Γ/2π = 182.5 kHz.
* 40Ca 4s² ¹S0 – 4s4p ¹P1 (423 nm): τ = 4.59 ns, Γ/2π = 34.7 MHz. ¹S0 – ³P1 (657 nm):
  τ = 0.42 ms (Degenhardt et al., PRA 72, 062111 (2005)), Γ/2π = 0.37 kHz.

Atomic masses from the AME2020 evaluation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vlaser.errors import ParameterError

#: Atomic mass unit in kg (CODATA 2018).
ATOMIC_MASS_UNIT = 1.66053906660e-27
#: Reduced Planck constant in J s (exact, SI 2019).
HBAR = 1.054571817e-34
#: Boltzmann constant in J/K (exact, SI 2019).
K_B = 1.380649e-23
#: Speed of light in m/s (exact).
C_LIGHT = 299792458.0

#: Default Γ2/Γ3 of the model: the paper's 88Sr ratio Γ3/Γ2 = 4266 (conventions.md).
PAPER_GAMMA_RATIO = 4266.0


@dataclass(frozen=True)
class Species:
    """Measured data of a V-level species.

    Attributes:
        name: Preset key, e.g. ``"sr88"``.
        label: Display name, e.g. ``"88Sr"``.
        linewidth2_hz: Γ2/2π of the narrow |1>-|2> line, Hz.
        linewidth3_hz: Γ3/2π of the broad |1>-|3> line, Hz.
        wavelength2_nm: Vacuum wavelength of the narrow line, nm.
        wavelength3_nm: Vacuum wavelength of the broad line, nm.
        mass_u: Atomic mass, u.
        term2: Term symbol of |2>.
        term3: Term symbol of |3>.
    """

    name: str
    label: str
    linewidth2_hz: float
    linewidth3_hz: float
    wavelength2_nm: float
    wavelength3_nm: float
    mass_u: float
    term2: str = "3P1"
    term3: str = "1P1"

    @property
    def gamma3_si(self) -> float:
        """Γ3 in rad/s (the unit of all model rates and frequencies)."""
        return 2.0 * math.pi * self.linewidth3_hz

    @property
    def gamma2(self) -> float:
        """Γ2 in units of Γ3 (dimensionless model parameter)."""
        return self.linewidth2_hz / self.linewidth3_hz

    @property
    def mass_kg(self) -> float:
        """Mass in kg."""
        return self.mass_u * ATOMIC_MASS_UNIT

    def k(self, level: int) -> float:
        """Wave number 2π/λ of the |1>-|level> transition in 1/m (level 2 or 3)."""
        lam = {2: self.wavelength2_nm, 3: self.wavelength3_nm}.get(level)
        if lam is None:
            raise ParameterError("level", level, "2 (narrow line) or 3 (broad line)")
        return 2.0 * math.pi / (lam * 1e-9)

    def omega_transition(self, level: int) -> float:
        """Angular transition frequency ω_level = c k in rad/s."""
        return C_LIGHT * self.k(level)

    def recoil_energy(self, level: int) -> float:
        """Recoil energy ħ²k²/2m of the line, in units of ħΓ3."""
        k = self.k(level)
        return HBAR * k**2 / (2.0 * self.mass_kg) / self.gamma3_si

    def to_model_rate(self, hz: float) -> float:
        """Convert a rate given as f = rate/2π in Hz to model units (Γ3 = 1)."""
        return 2.0 * math.pi * hz / self.gamma3_si

    def to_hz(self, rate: float) -> float:
        """Convert a model rate (units of Γ3) to rate/2π in Hz."""
        return rate * self.gamma3_si / (2.0 * math.pi)

    def kbt_to_kelvin(self, kbt: float) -> float:
        """Convert k_B T in units of ħΓ3 to kelvin."""
        return kbt * HBAR * self.gamma3_si / K_B


SPECIES: dict[str, Species] = {
    "sr88": Species(
        name="sr88",
        label="88Sr",
        linewidth2_hz=1.0 / (2.0 * math.pi * 21.28e-6),
        linewidth3_hz=1.0 / (2.0 * math.pi * 5.263e-9),
        wavelength2_nm=689.449,
        wavelength3_nm=460.862,
        mass_u=87.9056125,
    ),
    "yb174": Species(
        name="yb174",
        label="174Yb",
        linewidth2_hz=1.0 / (2.0 * math.pi * 872e-9),
        linewidth3_hz=1.0 / (2.0 * math.pi * 5.464e-9),
        wavelength2_nm=555.802,
        wavelength3_nm=398.911,
        mass_u=173.9388664,
    ),
    "ca40": Species(
        name="ca40",
        label="40Ca",
        linewidth2_hz=1.0 / (2.0 * math.pi * 0.42e-3),
        linewidth3_hz=1.0 / (2.0 * math.pi * 4.59e-9),
        wavelength2_nm=657.460,
        wavelength3_nm=422.792,
        mass_u=39.962590863,
    ),
}


def get_species(name: str | Species) -> Species:
    """Return the preset for ``name`` (case-insensitive, ``"88Sr"`` and ``"sr88"`` both work).

    Raises:
        ParameterError: If the species is unknown.
    """
    if isinstance(name, Species):
        return name
    key = str(name).strip().lower().replace("-", "")
    for sp in SPECIES.values():
        if key in (sp.name, sp.label.lower()):
            return sp
    raise ParameterError("species", name, f"one of {', '.join(sorted(SPECIES))}")
