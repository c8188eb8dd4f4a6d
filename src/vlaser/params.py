"""Validated, immutable parameter sets of the V-atom models.

Units (``shared/conventions.md``): every rate and frequency is an angular frequency in
units of Γ3 (Γ3 = 1 by default); times are in 1/Γ3. Γ2 defaults to Γ3/4266, the
paper's 88Sr ratio.

Any field may be a scalar or an array; arrays broadcast against each other with
numpy rules, so a single parameter object describes a whole grid of points::

    >>> import numpy as np
    >>> p = AtomParams(delta2=np.linspace(-10, 10, 201)[:, None],
    ...                delta3=np.linspace(-10, 10, 201)[None, :], omega2=0.5, omega3=0.5)
    >>> p.shape
    (201, 201)
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from vlaser.errors import ParameterError
from vlaser.species import PAPER_GAMMA_RATIO, Species, get_species

ArrayLike = float | np.ndarray

DEFAULT_GAMMA2 = 1.0 / PAPER_GAMMA_RATIO

# (name, constraint) for every field; constraint in {"real", "nonneg", "pos"}.
_ATOM_FIELDS: dict[str, str] = {
    "delta2": "real",
    "delta3": "real",
    "omega2": "real",
    "omega3": "real",
    "gamma2": "nonneg",
    "gamma3": "pos",
    "nu2": "nonneg",
    "nu3": "nonneg",
    "gamma23": "nonneg",
}
_LASER_FIELDS: dict[str, str] = {
    **_ATOM_FIELDS,
    "atoms": "count",
    "g": "real",
    "kappa": "pos",
    "delta_c": "real",
    "doppler_width": "nonneg",
    "pump3_width": "nonneg",
    "classes": "count0",
    "pump3_classes": "count0",
    "positions": "count0",
}
#: Ensemble fields that fix the structure of the equations: one value per grid.
_STRUCTURE_FIELDS = ("classes", "pump3_classes", "positions")
_ALLOWED = {
    "real": "a finite real number",
    "nonneg": "a finite number >= 0",
    "pos": "a finite number > 0",
    "count": "a whole number >= 1",
    "count0": "a whole number >= 0",
}


def validate_value(name: str, value: Any, constraint: str) -> ArrayLike:
    """Check one parameter value (scalar or array) against its constraint.

    Returns:
        A Python float for scalars, a read-only float64 array otherwise.

    Raises:
        ParameterError: Naming ``name``, the first offending value and what is allowed.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, value, _ALLOWED[constraint]) from None
    if np.iscomplexobj(arr):  # pragma: no cover - asarray(float) refuses complex
        raise ParameterError(name, value, _ALLOWED[constraint])
    bad = ~np.isfinite(arr)
    if constraint == "nonneg":
        bad |= arr < 0
    elif constraint == "pos":
        bad |= arr <= 0
    elif constraint == "count":
        bad |= (arr < 1) | (np.round(arr) != arr)
    elif constraint == "count0":
        bad |= (arr < 0) | (np.round(arr) != arr)
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else arr.item()
        shown = value if arr.ndim == 0 else float(first)
        raise ParameterError(name, shown, _ALLOWED[constraint])
    if arr.ndim == 0:
        return float(arr)
    arr = arr.copy()
    arr.setflags(write=False)
    return arr


class _ParamsBase:
    """Shared behaviour of the parameter dataclasses (validation, broadcasting)."""

    _fields: dict[str, str] = {}

    def __post_init__(self) -> None:
        for name, constraint in self._fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            object.__setattr__(self, name, validate_value(name, value, constraint))

    @property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of all array-valued fields (``()`` for a single point)."""
        arrays = [np.asarray(v) for v in self.values().values()]
        try:
            return np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:
            shapes = {k: np.shape(v) for k, v in self.values().items() if np.ndim(v)}
            raise ParameterError("shape", shapes, "array parameters must broadcast") from None

    def values(self) -> dict[str, ArrayLike]:
        """All fields as a dict (resolved defaults)."""
        return {name: getattr(self, name) for name in self._fields}

    def broadcast(self) -> dict[str, np.ndarray]:
        """All fields as float arrays broadcast to :attr:`shape`."""
        shape = self.shape
        return {k: np.broadcast_to(np.asarray(v, float), shape) for k, v in self.values().items()}

    def replace(self, **changes: Any):
        """Return a copy with some fields changed (validated again)."""
        unknown = set(changes) - set(self._fields)
        if unknown:
            name = sorted(unknown)[0]
            raise ParameterError("parameter", name, f"one of {', '.join(self._fields)}")
        return dataclasses.replace(self, **changes)

    def point(self, index: tuple[int, ...] | int) -> _ParamsBase:
        """The scalar parameter set at one grid index."""
        b = self.broadcast()
        return dataclasses.replace(self, **{k: float(v[index]) for k, v in b.items()})

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (scalars as floats, arrays as lists)."""
        out: dict[str, Any] = {}
        for k, v in self.values().items():
            out[k] = v.tolist() if isinstance(v, np.ndarray) else v
        return out


@dataclass(frozen=True)
class AtomParams(_ParamsBase):
    """Parameters of one coherently driven V atom (paper eqs. 2-4).

    All values are angular frequencies in units of Γ3; any may be an array.

    Attributes:
        delta2: Δ2 = ω_l2 − ω2, detuning of pump 2 from the narrow line.
        delta3: Δ3 = ω_l3 − ω3, detuning of pump 3 from the broad line.
        omega2: Ω2, coefficient of (σ21 + σ12) in H.
        omega3: Ω3, coefficient of (σ31 + σ13) in H.
        gamma2: Γ2, population decay rate of |2> (default Γ3/4266).
        gamma3: Γ3, population decay rate of |3> (default 1: the unit).
        nu2: ν2, FWHM linewidth of pump 2 (dephasing ν2 D[σ22]).
        nu3: ν3, FWHM linewidth of pump 3 (dephasing ν3 D[σ33]).
        gamma23: Γ23, optional incoherent |2>→|3> rate (Γ23 D[σ32]).
    """

    delta2: ArrayLike = 0.0
    delta3: ArrayLike = 0.0
    omega2: ArrayLike = 0.0
    omega3: ArrayLike = 0.0
    gamma2: ArrayLike = DEFAULT_GAMMA2
    gamma3: ArrayLike = 1.0
    nu2: ArrayLike = 0.0
    nu3: ArrayLike = 0.0
    gamma23: ArrayLike = 0.0

    _fields = _ATOM_FIELDS

    @classmethod
    def paper(cls, **changes: Any) -> AtomParams:
        """The paper's working point Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5 (Figs. 2-8), Γ3/Γ2 = 4266."""
        base = {"delta2": 5.0, "delta3": -1.0, "omega2": 0.5, "omega3": 0.5}
        base.update(changes)
        return cls(**base)

    @classmethod
    def for_species(cls, species: str | Species, **changes: Any) -> AtomParams:
        """Parameters with Γ2/Γ3 taken from a species preset's measured linewidths."""
        sp = get_species(species)
        changes.setdefault("gamma2", sp.gamma2)
        return cls(**changes)


@dataclass(frozen=True)
class LaserParams(_ParamsBase):
    """Parameters of N identical V atoms in a single-mode cavity (paper eqs. 5-10).

    All rates in units of Γ3; any may be an array.

    Attributes:
        delta2, delta3, omega2, omega3, gamma2, gamma3, nu2, nu3, gamma23: as in
            :class:`AtomParams`.
        atoms: N, the number of atoms (whole number >= 1).
        g: Atom-cavity coupling g on the narrow line (H term g(a†σ12 + aσ21)).
        kappa: κ, the cavity **field** decay rate of eq. (6): L = 2κ D[a]. The photon
            number decays at 2κ and the empty-cavity FWHM is 2κ.
        delta_c: Δc = ω_l2 − ωc; ``None`` (default) means Δc = Δ2, the cavity on the
            bare atomic line.
        doppler_width: FWHM of the Doppler shift kc·vc of the narrow line along the
            cavity axis (Γ3): the inhomogeneous width of the lasing line the cavity sees
            (Gaussian velocity distribution; pumps perpendicular). 0: atoms at rest.
        pump3_width: FWHM of the broad line's Doppler shift k3·v3 along pump 3 (Γ3).
        classes: Velocity classes along the cavity axis (Gauss–Hermite nodes); 0 picks
            the default for the width (:func:`vlaser.laser.ensemble.default_classes`).
        pump3_classes: Classes along pump 3 (0: 1 without width, else 3).
        positions: Standing-wave positions (g_k = g cos φ_k); 0: running wave.

        See :mod:`vlaser.laser.ensemble` for how classes become atom groups. The three
        counts fix the equations, so they take one value per grid.
    """

    delta2: ArrayLike = 0.0
    delta3: ArrayLike = 0.0
    omega2: ArrayLike = 0.0
    omega3: ArrayLike = 0.0
    gamma2: ArrayLike = DEFAULT_GAMMA2
    gamma3: ArrayLike = 1.0
    nu2: ArrayLike = 0.0
    nu3: ArrayLike = 0.0
    gamma23: ArrayLike = 0.0
    atoms: ArrayLike = 1.0
    g: ArrayLike = 2.0 * DEFAULT_GAMMA2
    kappa: ArrayLike = 50.0 * DEFAULT_GAMMA2
    delta_c: ArrayLike | None = None
    doppler_width: ArrayLike = 0.0
    pump3_width: ArrayLike = 0.0
    classes: ArrayLike = 0.0
    pump3_classes: ArrayLike = 0.0
    positions: ArrayLike = 0.0

    _fields = _LASER_FIELDS

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.delta_c is None:
            object.__setattr__(self, "delta_c", self.delta2)
        for name in _STRUCTURE_FIELDS:
            value = getattr(self, name)
            if np.ndim(value) and np.unique(value).size > 1:
                raise ParameterError(name, value, "one whole number for the whole grid")
            object.__setattr__(self, name, float(np.asarray(value).flat[0]))

    @property
    def inhomogeneous(self) -> bool:
        """Any velocity spread or standing-wave position grid (the ensemble is groups)."""
        widths = np.any(np.asarray(self.doppler_width) > 0) or np.any(
            np.asarray(self.pump3_width) > 0
        )
        return bool(widths or self.positions > 0 or self.classes > 1 or self.pump3_classes > 1)

    @classmethod
    def paper(cls, **changes: Any) -> LaserParams:
        """The paper's laser point (Figs. 5-7): Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5, Δc = Δ2,
        g = 2Γ2, κ = 50Γ2, N = 50000, with Γ2 = Γ3/4266 unless given."""
        gamma2 = changes.get("gamma2", DEFAULT_GAMMA2)
        base = {
            "delta2": 5.0,
            "delta3": -1.0,
            "omega2": 0.5,
            "omega3": 0.5,
            "g": 2.0 * gamma2,
            "kappa": 50.0 * gamma2,
            "atoms": 50000.0,
        }
        base.update(changes)
        return cls(**base)

    def atom(self) -> AtomParams:
        """The single-atom part (drop N, g, κ, Δc)."""
        return AtomParams(**{k: getattr(self, k) for k in _ATOM_FIELDS})


# ---------------------------------------------------------------------------
# Text input: numbers with units, as used by the CLI and grid specs.
# ---------------------------------------------------------------------------

_RATE_RE = re.compile(
    r"^\s*(?P<num>[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*(?P<unit>[a-zA-Z0-9]*)\s*$"
)
_HZ_UNITS = {"hz": 1.0, "khz": 1e3, "mhz": 1e6, "ghz": 1e9}


def parse_rate(
    text: str | float,
    name: str = "value",
    gamma2: float = DEFAULT_GAMMA2,
    species: Species | str | None = None,
) -> float:
    """Parse a rate or frequency given on the command line or in a grid spec.

    Accepted forms: a plain number in units of Γ3 (``"0.5"``), a number with suffix
    ``g2`` meaning units of Γ2 (``"10g2"``), ``g3`` (units of Γ3), or, when a species
    is given, a frequency f = ω/2π in ``Hz``, ``kHz``, ``MHz`` or ``GHz``.

    Args:
        text: The text (or a number, returned as float).
        name: Parameter name used in error messages.
        gamma2: Γ2 in units of Γ3, the meaning of the ``g2`` suffix.
        species: Species whose Γ3 converts Hz values.

    Raises:
        ParameterError: For malformed text or an unknown unit.
    """
    if isinstance(text, int | float | np.floating | np.integer):
        value = float(text)
    else:
        m = _RATE_RE.match(str(text))
        allowed = "a number in units of Γ3, optionally with suffix g2 (units of Γ2)"
        if species is not None:
            allowed += " or Hz/kHz/MHz/GHz"
        if not m:
            raise ParameterError(name, text, allowed)
        num = float(m.group("num"))
        unit = m.group("unit").lower()
        if unit in ("", "g3"):
            value = num
        elif unit == "g2":
            value = num * gamma2
        elif unit in _HZ_UNITS and species is not None:
            value = get_species(species).to_model_rate(num * _HZ_UNITS[unit])
        else:
            raise ParameterError(name, text, allowed)
    if not math.isfinite(value):
        raise ParameterError(name, text, "a finite number")
    return value


def params_from_mapping(
    cls: type[_ParamsBase], values: Mapping[str, Any], **defaults: Any
) -> _ParamsBase:
    """Build ``cls`` from a mapping, naming unknown keys in the error."""
    allowed = cls._fields
    for key in values:
        if key not in allowed:
            raise ParameterError("parameter", key, f"one of {', '.join(allowed)}")
    merged = {**defaults, **values}
    return cls(**merged)


__all__ = [
    "DEFAULT_GAMMA2",
    "AtomParams",
    "LaserParams",
    "parse_rate",
    "params_from_mapping",
    "validate_value",
]
