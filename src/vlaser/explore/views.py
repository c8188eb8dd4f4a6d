"""What the explorer shows, computed with the public API (no web imports).

**Controls** (:data:`CONTROLS`, :data:`SETTINGS`): Δ2, Δ3, Ω2, Ω3 in units of Γ3;
ν (= ν2 = ν3), g, κ and the cavity offset Δc − Δ2 = ω2 − ωc in units of Γ2 (of the
species preset where one is chosen, else Γ2 = Γ3/4266, as the CLI's ``g2`` suffix);
N; the species; the map's extent and resolution; the N range of the laser curve.
:func:`parse_point` turns the page's texts into an :class:`ExplorePoint` and validates
it by building the API's parameter objects, so an invalid value raises the package's
own :class:`~vlaser.errors.ParameterError` (its message is what the page shows).

**Views**, each a function of the point (cached, so moving N does not recompute the
map):

* :func:`atom_map` — Fig. 2(a): the single-atom inversion ⟨σ22⟩ − ⟨σ11⟩ over
  (Δ2, Δ3) at the chosen Ω2, Ω3, ν (:func:`vlaser.atom.steady_state`, one batched
  call), and the inversion at the point;
* :func:`atom_spectrum` — Fig. 4: :func:`vlaser.atom.emission_spectrum` at the point,
  its lines (positions δ from ω2, FWHM);
* :func:`laser_curve` — Fig. 5: photons and inversion against N from 1 to N_max
  (:func:`vlaser.laser.steady_state` by continuation, ``dynamics=False``), the unstable
  points and the threshold of :mod:`vlaser.laser.threshold` — the same atom numbers
  and solve as :func:`vlaser.laser.threshold.threshold` with ``points`` points;
* :func:`laser_point` — the laser at the chosen N and Fig. 7(a): the cavity output
  spectrum (:func:`vlaser.laser.cavity_spectrum`) with FWHM and line position δp. At an
  unstable fixed point the API refuses the spectrum (``ConvergenceError``); the view
  then shows that message and the formal spectrum (``allow_unstable=True``), flagged;
* :func:`laser_dynamics` — where the fixed point is unstable, what the equations do in
  time (:class:`vlaser.laser.steady.Dynamics`; about 0.5 s, so a stage of its own).

**Readout** (:class:`Row`): model units (Γ3, and Γ2 where marked) and, with a species
preset, SI. With Γ3 in rad/s from the preset (``Species.gamma3_si``) and κ the cavity
FIELD decay rate (photons leave the cavity at 2κ):

* photon output rate Φ = 2κ·n  [1/s], with κ[rad/s] = κ·Γ3_si;
* output power P = ħω2·Φ = ħω2·2κ·n  [W], ω2 = 2πc/λ2 the narrow-line frequency;
* linewidth FWHM/2π = FWHM·Γ3_si/(2π)  [Hz]; line position δp/2π likewise (from ω2);
* rates κ/2π, g/2π, Γ2/2π, Γ3/2π in Hz.

**Exports**: :func:`cli_commands` (the equivalent ``vlaser`` commands, exact: every
number is written so that the CLI parses the very same floats), :func:`export_json`
and :func:`export_netcdf`.
"""

from __future__ import annotations

import math
import shlex
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from vlaser.errors import ConvergenceError, ParameterError
from vlaser.params import DEFAULT_GAMMA2, AtomParams, LaserParams
from vlaser.species import HBAR, SPECIES, Species, get_species

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Control:
    """One numeric control of the page (slider + text field).

    Attributes:
        name: Key in requests, exports and element ids (``ctl-NAME``).
        label: What the page calls it.
        unit: ``"Γ3"``, ``"Γ2"`` or ``""`` (a count).
        default: Initial value (the paper's Fig. 7(a) point).
        low, high, step: Slider range (the text field accepts any value).
        help: One line of explanation (tooltip).
    """

    name: str
    label: str
    unit: str
    default: float
    low: float
    high: float
    step: float
    help: str


#: The physics controls, in page order. Defaults: the paper's Fig. 7(a) point.
CONTROLS: tuple[Control, ...] = (
    Control("delta2", "Δ2", "Γ3", 5.0, -10.0, 10.0, 0.05, "pump-2 detuning Δ2 = ω_l2 − ω2"),
    Control("delta3", "Δ3", "Γ3", -1.0, -10.0, 10.0, 0.05, "pump-3 detuning Δ3 = ω_l3 − ω3"),
    Control("omega2", "Ω2", "Γ3", 0.5, 0.0, 5.0, 0.01, "Rabi coefficient on |1>-|2>"),
    Control("omega3", "Ω3", "Γ3", 0.5, 0.0, 5.0, 0.01, "Rabi coefficient on |1>-|3>"),
    Control("nu", "ν2 = ν3", "Γ2", 10.0, 0.0, 50.0, 0.5, "pump linewidths (FWHM), ν2 = ν3"),
    Control("atoms", "N", "", 50000.0, 100.0, 100000.0, 100.0, "number of atoms"),
    Control("g", "g", "Γ2", 2.0, 0.0, 10.0, 0.05, "atom-cavity coupling on |1>-|2>"),
    Control("kappa", "κ", "Γ2", 50.0, 1.0, 500.0, 1.0, "cavity FIELD decay rate (photons: 2κ)"),
    Control(
        "cavity_offset",
        "Δc − Δ2",
        "Γ2",
        0.0,
        -100.0,
        100.0,
        1.0,
        "cavity offset Δc − Δ2 = ω2 − ωc (0: cavity on the atomic line)",
    ),
)

#: View settings: name -> (default, lowest, highest) (whole numbers except map_span).
SETTINGS: dict[str, tuple[float, float, float]] = {
    "map_points": (101, 11, 401),
    "map_span": (10.0, 0.1, 1000.0),
    "curve_max_atoms": (50000, 10, 1e7),
    "curve_points": (100, 8, 1000),
}

_BY_NAME = {c.name: c for c in CONTROLS}

#: Which control a parameter named in an API error message belongs to.
PARAM_TO_CONTROL = {
    "nu2": "nu",
    "nu3": "nu",
    "delta_c": "cavity_offset",
    **{c.name: c.name for c in CONTROLS},
    **{s: s for s in SETTINGS},
    "species": "species",
}


def _number(name: str, value: Any) -> float:
    """A finite float from a page field (text or number), else ParameterError."""
    if isinstance(value, bool):
        raise ParameterError(name, value, "a number")
    if isinstance(value, int | float):
        out = float(value)
    else:
        text = str(value).strip()
        try:
            out = float(text)
        except ValueError:
            raise ParameterError(name, text, "a number") from None
    if not math.isfinite(out):
        raise ParameterError(name, value, "a finite number")
    return out


@dataclass(frozen=True)
class ExplorePoint:
    """One state of the page: the chosen parameter point and the view settings.

    Units as on the page: Δ2, Δ3, Ω2, Ω3 in Γ3; ``nu``, ``g``, ``kappa``,
    ``cavity_offset`` in Γ2 (of the species, see :attr:`gamma2`).
    """

    delta2: float = 5.0
    delta3: float = -1.0
    omega2: float = 0.5
    omega3: float = 0.5
    nu: float = 10.0
    atoms: float = 50000.0
    g: float = 2.0
    kappa: float = 50.0
    cavity_offset: float = 0.0
    species: str = ""
    map_points: int = 101
    map_span: float = 10.0
    curve_max_atoms: float = 50000.0
    curve_points: int = 100

    @property
    def preset(self) -> Species | None:
        """The species preset, or None (model units, Γ3/Γ2 = 4266)."""
        return get_species(self.species) if self.species else None

    @property
    def gamma2(self) -> float:
        """Γ2 in units of Γ3: the preset's, else the paper's 1/4266."""
        sp = self.preset
        return sp.gamma2 if sp is not None else DEFAULT_GAMMA2

    def laser_params(self) -> LaserParams:
        """The API's parameters of the point (validated; Γ3 units)."""
        g2 = self.gamma2
        return LaserParams(
            delta2=self.delta2,
            delta3=self.delta3,
            omega2=self.omega2,
            omega3=self.omega3,
            gamma2=g2,
            nu2=self.nu * g2,
            nu3=self.nu * g2,
            atoms=self.atoms,
            g=self.g * g2,
            kappa=self.kappa * g2,
            delta_c=self.delta2 + self.cavity_offset * g2,
        )

    def atom_params(self) -> AtomParams:
        """The single-atom part of :meth:`laser_params`."""
        return self.laser_params().atom()

    def to_dict(self) -> dict[str, Any]:
        """The controls and settings as the page holds them (page units)."""
        return asdict(self)


def parse_point(values: Mapping[str, Any]) -> ExplorePoint:
    """Validate the page's values (texts or numbers; missing keys: defaults).

    Raises:
        ParameterError: The package's own message: for text that is no number, an
            unknown species or key, a setting out of range, or any value the API's
            :class:`~vlaser.params.LaserParams` refuses (e.g. ``invalid kappa=...``).
    """
    known = [c.name for c in CONTROLS] + ["species", *SETTINGS]
    for key in values:
        if key not in known:
            raise ParameterError("control", key, f"one of {', '.join(known)}")
    nums = {c.name: _number(c.name, values.get(c.name, c.default)) for c in CONTROLS}
    species = str(values.get("species") or "").strip()
    if species:
        species = get_species(species).name
    settings: dict[str, Any] = {}
    for name, (default, low, high) in SETTINGS.items():
        v = _number(name, values.get(name, default))
        whole = name != "map_span"
        if not (low <= v <= high) or (whole and v != round(v)):
            kind = "a whole number" if whole else "a number"
            raise ParameterError(name, v, f"{kind} from {low:g} to {high:g}")
        settings[name] = int(v) if name in ("map_points", "curve_points") else v
    point = ExplorePoint(**nums, species=species, **settings)
    point.laser_params()  # the API validates: its messages reach the page unchanged
    return point


# ---------------------------------------------------------------------------
# Readout rows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One readout line.

    Attributes:
        id: Element id suffix (``ro-ID``), stable for tests.
        label: What it is.
        value: The number (full precision), a flag, a text, or None (not available).
        unit: Unit text.
        group: ``"atom"``, ``"laser"`` or ``"si"``.
        note: Formula or remark (shown as a tooltip and in the exports).
    """

    id: str
    label: str
    value: float | int | bool | str | None
    unit: str = ""
    group: str = "laser"
    note: str = ""

    @property
    def text(self) -> str:
        """The value as displayed: 6 significant digits, yes/no, or a dash."""
        v = self.value
        if v is None:
            return "—"
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float):
            return "—" if not math.isfinite(v) else f"{v:.6g}"
        return str(v)

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        return {
            "id": self.id,
            "label": self.label,
            "value": v,
            "text": self.text,
            "unit": self.unit,
            "group": self.group,
            "note": self.note,
        }


def _f(x: Any) -> float | None:
    """A finite Python float or None."""
    if x is None:
        return None
    v = float(np.asarray(x))
    return v if math.isfinite(v) else None


# ---------------------------------------------------------------------------
# Cache (views depend on a subset of the controls; shared across pages)
# ---------------------------------------------------------------------------


class _Cache:
    """A small thread-safe LRU map; values are computed outside the lock."""

    def __init__(self, size: int = 8) -> None:
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_MAPS = _Cache(4)
_EMISSION = _Cache(8)
_CURVES = _Cache(8)
_POINTS = _Cache(16)
_DYNAMICS = _Cache(8)


def clear_caches() -> None:
    """Forget every cached view (benchmarks time cold computations)."""
    for c in (_MAPS, _EMISSION, _CURVES, _POINTS, _DYNAMICS):
        c.clear()


def _atom_key(p: ExplorePoint) -> tuple[float, ...]:
    return (p.omega2, p.omega3, p.nu, p.gamma2)


def _laser_key(p: ExplorePoint) -> tuple[float, ...]:
    return (p.delta2, p.delta3, *_atom_key(p), p.g, p.kappa, p.cavity_offset)


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


@dataclass
class View:
    """One computed view: data for the plot (JSON-ready) and readout rows.

    Attributes:
        name: ``atom_map``, ``atom_spectrum``, ``laser_curve``, ``laser_point``,
            ``laser_dynamics``.
        data: Plot data (lists, floats, None for missing values).
        rows: Readout rows this view provides.
        arrays: Full-precision arrays for the exports (not sent to the page).
        message: A notice for the page (e.g. the API's refusal at an unstable point).
        key: Identifies what is shown: equal keys, equal views (the page need not
            redraw; :class:`vlaser.explore.session.Session` sends "unchanged").
    """

    name: str
    data: dict[str, Any]
    rows: list[Row]
    arrays: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    key: str = ""

    def to_message(self) -> dict[str, Any]:
        return {
            "type": "view",
            "view": self.name,
            "key": self.key,
            "data": jsonable(self.data),
            "rows": [r.to_dict() for r in self.rows],
            "message": self.message,
        }


def jsonable(obj: Any) -> Any:
    """numpy -> plain Python, non-finite floats -> None (recursively)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and not np.all(np.isfinite(obj)):
            return np.where(np.isfinite(obj), obj, None).tolist()  # NaN, inf -> null
        return obj.tolist()
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def map_axis(p: ExplorePoint) -> np.ndarray:
    """The Δ2 and Δ3 grid of the map (Γ3): ``map_points`` values over ±``map_span``."""
    return np.linspace(-p.map_span, p.map_span, p.map_points)


def atom_map(p: ExplorePoint) -> View:
    """Fig. 2(a): inversion over (Δ2, Δ3) at the point's Ω2, Ω3, ν; and at the point."""
    from vlaser.atom import steady_state

    def make() -> np.ndarray:
        axis = map_axis(p)
        ap = p.atom_params().replace(delta2=axis[None, :], delta3=axis[:, None])
        return steady_state(ap).inversion  # rows: Δ3, columns: Δ2

    inv = _MAPS.get((*_atom_key(p), p.map_points, p.map_span), make)
    ss = steady_state(p.atom_params())
    pops = ss.populations
    axis = map_axis(p)
    rows = [
        Row("atom-inversion", "single atom ⟨σ22⟩ − ⟨σ11⟩", _f(ss.inversion), "", "atom"),
        Row("atom-p2", "single atom ⟨σ22⟩", _f(pops[1]), "", "atom"),
        Row("atom-p3", "single atom ⟨σ33⟩", _f(pops[2]), "", "atom"),
    ]
    data = {
        "delta2": axis,
        "delta3": axis,
        # 5 decimals are plenty for the colours and halve the message.
        "inversion": np.round(inv, 5),
        "point": [p.delta2, p.delta3],
        "point_inversion": _f(ss.inversion),
    }
    key = repr((*_atom_key(p), p.map_points, p.map_span, p.delta2, p.delta3))
    return View("atom_map", data, rows, arrays={"axis": axis, "inversion": inv}, key=key)


def atom_spectrum(p: ExplorePoint) -> View:
    """Fig. 4: single-atom emission spectrum at the point, with its lines."""
    from vlaser.atom import emission_spectrum

    sp = _EMISSION.get(
        (p.delta2, p.delta3, *_atom_key(p)), lambda: emission_spectrum(p.atom_params())
    )
    g2 = p.gamma2
    top = max([float(np.max(sp.values))] + [pk.height for pk in sp.peaks])
    rows: list[Row] = []
    for k, pk in enumerate(sp.peaks[:3], start=1):
        rows.append(
            Row(f"emission-line{k}-position", f"emission line {k}: δ − ω2", _f(pk.position),
                "Γ3", "atom")
        )  # fmt: skip
        rows.append(
            Row(f"emission-line{k}-fwhm", f"emission line {k}: FWHM", _f(pk.fwhm / g2), "Γ2",
                "atom")
        )  # fmt: skip
    rows.append(
        Row("emission-coherent-weight", "elastic fraction |⟨σ12⟩|²/⟨σ22⟩",
            _f(sp.coherent_weight), "", "atom", "δ line at the pump frequency, not plotted")
    )  # fmt: skip
    data = {
        "delta": sp.delta,
        "values": sp.values / top,
        "peaks": [
            {"position": pk.position, "fwhm_gamma2": pk.fwhm / g2, "height": pk.height / top}
            for pk in sp.peaks
        ],
        "pump": p.delta2,
    }
    arrays = {"delta": sp.delta, "values": sp.values}
    key = repr((p.delta2, p.delta3, *_atom_key(p)))
    return View("atom_spectrum", data, rows, arrays=arrays, key=key)


def curve_atoms(p: ExplorePoint) -> np.ndarray:
    """The N grid of the curve, as :func:`vlaser.laser.threshold.threshold` builds it."""
    return np.unique(np.round(np.linspace(1.0, float(p.curve_max_atoms), int(p.curve_points))))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges [i, j] of the True runs of a 1-D mask."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if not m and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(mask) - 1))
    return out


def laser_curve(p: ExplorePoint, progress: Progress | None = None) -> View:
    """Fig. 5: photons and inversion against N, threshold and unstable region.

    ``progress(done, total)`` is called after each N (it may raise to cancel).
    """
    from vlaser.laser import steady_state
    from vlaser.laser.threshold import DEFINITION, threshold_from_curve

    atoms = curve_atoms(p)

    def make() -> Any:
        lp = p.laser_params()
        return steady_state(lp.replace(atoms=atoms), dynamics=False, progress=progress)

    res = _CURVES.get((*_laser_key(p), p.curve_max_atoms, p.curve_points), make)
    nth, kink, slope = threshold_from_curve(atoms, res.photons)
    conv = np.asarray(res.converged, bool)
    unstable = conv & ~np.asarray(res.stable, bool)
    spans = [[float(atoms[i]), float(atoms[j])] for i, j in _runs(unstable)]
    if spans:
        text = ", ".join(f"{a:.0f}–{b:.0f}" for a, b in spans)
    else:
        text = "none"
    rows = [
        Row("threshold", "threshold N_th", _f(nth), "atoms", "laser", DEFINITION),
        Row("kink", "onset N_kink (largest curvature)", _f(kink), "atoms", "laser"),
        Row("unstable-range", "unstable fixed points at N", text, "", "laser",
            "max growth rate > 0: the equations do not settle there"),
        Row("unconverged", "curve points without a fixed point", int(np.sum(~conv)), "",
            "laser"),
    ]  # fmt: skip
    data = {
        "atoms": atoms,
        "photons": res.photons,
        "inversion": res.inversion,
        "stable": np.asarray(res.stable, bool),
        "converged": conv,
        "physical": np.asarray(res.physical, bool),
        "unstable_spans": spans,
        "threshold": _f(nth),
        "kink": _f(kink),
        "slope": _f(slope),
        "atoms_now": p.atoms,
    }
    arrays = {
        k: data[k] for k in ("atoms", "photons", "inversion", "stable", "converged", "physical")
    }
    key = repr((*_laser_key(p), p.curve_max_atoms, p.curve_points, p.atoms))
    return View("laser_curve", data, rows, arrays=arrays, key=key)


@dataclass
class _PointResult:
    steady: Any
    spectrum: Any
    message: str


def _solve_point(p: ExplorePoint) -> _PointResult:
    from vlaser.laser import cavity_spectrum, steady_state

    lp = p.laser_params()
    ss = steady_state(lp, dynamics=False)
    try:
        return _PointResult(ss, cavity_spectrum(lp, steady=ss), "")
    except ConvergenceError as exc:
        message = str(exc)
    if not bool(ss.converged):
        return _PointResult(ss, None, message)
    try:
        formal = cavity_spectrum(lp, steady=ss, allow_unstable=True)
        _ = formal.line  # no line on the grid: no spectrum to show
    except ConvergenceError as exc:
        return _PointResult(ss, None, f"{message}; {exc}")
    return _PointResult(ss, formal, message)


def _si_rows(
    p: ExplorePoint, photons: float | None, fwhm: float | None, peak: float | None
) -> list[Row]:
    sp = p.preset
    if sp is None:
        return []
    g3 = sp.gamma3_si
    kappa_si = p.kappa * p.gamma2 * g3
    w2 = sp.omega_transition(2)
    flux = None if photons is None else 2.0 * kappa_si * photons
    power = None if flux is None else HBAR * w2 * flux
    hz = g3 / (2.0 * math.pi)
    return [
        Row("si-gamma3", "Γ3/2π", hz, "Hz", "si", f"{sp.label} {sp.term3} line"),
        Row("si-gamma2", "Γ2/2π", p.gamma2 * hz, "Hz", "si", f"{sp.label} {sp.term2} line"),
        Row("si-wavelength2", "λ2 (lasing line)", sp.wavelength2_nm, "nm", "si"),
        Row("si-kappa", "κ/2π (field decay)", p.kappa * p.gamma2 * hz, "Hz", "si"),
        Row("si-g", "g/2π", p.g * p.gamma2 * hz, "Hz", "si"),
        Row("si-photon-rate", "photon output rate Φ = 2κ·n", flux, "1/s", "si",
            "Φ = 2κ n, κ the cavity field decay rate in rad/s (photons leave at 2κ)"),
        Row("si-power", "output power P = ħω2·2κ·n", power, "W", "si",
            "P = ħ ω2 · 2κ · n, ω2 = 2πc/λ2"),
        Row("si-linewidth", "linewidth FWHM/2π", None if fwhm is None else fwhm * hz, "Hz",
            "si", "FWHM · Γ3/2π"),
        Row("si-line-position", "line position δp/2π from ω2",
            None if peak is None else peak * hz, "Hz", "si", "δp · Γ3/2π"),
    ]  # fmt: skip


def laser_point(p: ExplorePoint) -> View:
    """The laser at the chosen N and its cavity output spectrum (Fig. 7(a))."""
    res: _PointResult = _POINTS.get((*_laser_key(p), p.atoms), lambda: _solve_point(p))
    ss, cs = res.steady, res.spectrum
    g2 = p.gamma2
    conv = bool(ss.converged)
    stable = bool(ss.stable) if conv else None
    photons = _f(ss.photons) if conv else None
    line = cs.line if cs is not None else None
    fwhm = line.fwhm if line is not None else None
    peak = line.position if line is not None else None
    formal = cs is not None and not cs.stable
    rows = [
        Row("photons", "photons n", photons, "", "laser"),
        Row("coherent-photons", "coherent |⟨a⟩|²", _f(ss.coherent_photons) if conv else None),
        Row("laser-inversion", "inversion per atom", _f(ss.inversion) if conv else None),
        Row("converged", "fixed point found", conv, "", "laser", str(ss.reason.item() or "")),
        Row("stable", "stable (all growth rates < 0)", stable),
        Row("growth-rate", "max growth rate", _f(ss.max_growth_rate) if conv else None, "Γ3"),
        Row("physical", "physical state", bool(ss.physical), "", "laser",
            str(ss.violation.item() or "")),
        Row("fwhm", "line FWHM", None if fwhm is None else _f(fwhm / g2), "Γ2", "laser",
            "formal (unstable)" if formal else ""),
        Row("fwhm-gamma3", "line FWHM", _f(fwhm), "Γ3"),
        Row("peak", "line position δp from ω2", None if peak is None else _f(peak / g2), "Γ2",
            "laser", "formal (unstable)" if formal else ""),
        Row("cavity-position", "cavity ωc − ω2", 0.0 - p.cavity_offset, "Γ2"),
    ]  # fmt: skip
    rows += _si_rows(p, photons, _f(fwhm), _f(peak))
    data: dict[str, Any] = {"atoms": p.atoms, "stable": stable, "formal": formal, "line": None}
    arrays: dict[str, Any] = {}
    if line is not None and math.isfinite(line.fwhm) and line.fwhm > 0:
        d = np.linspace(peak - 8 * fwhm, peak + 8 * fwhm, 801)
        s = cs.evaluate_delta(d) / line.height
        data.update(
            x=d / g2,
            y=s,
            line={"peak": peak / g2, "fwhm": fwhm / g2},
            cavity=0.0 - p.cavity_offset,
        )
        arrays = {"delta": d, "spectrum": s}
    key = repr((*_laser_key(p), p.atoms, p.species))
    return View("laser_point", data, rows, arrays=arrays, message=res.message, key=key)


def laser_dynamics(p: ExplorePoint) -> View | None:
    """Where the fixed point at N is unstable: what the equations do in time."""
    from vlaser.laser import steady_state

    res: _PointResult = _POINTS.get((*_laser_key(p), p.atoms), lambda: _solve_point(p))
    if not bool(res.steady.converged) or bool(res.steady.stable):
        return None

    def make() -> Any:
        return steady_state(p.laser_params(), dynamics=True).dynamics.item()

    dyn = _DYNAMICS.get((*_laser_key(p), p.atoms), make)
    if dyn is None:
        return None
    rows = [
        Row("dynamics", "in time (unstable fixed point)", dyn.note),
        Row("dynamics-photons-mean", "n averaged in time", _f(dyn.photons_mean)),
    ]
    arrays = {"dynamics": dyn.to_dict()}
    key = repr((*_laser_key(p), p.atoms))
    return View("laser_dynamics", {"note": dyn.note}, rows, arrays=arrays, key=key)


#: The stages of one request, in order.
STAGES: tuple[str, ...] = (
    "atom_map",
    "atom_spectrum",
    "laser_curve",
    "laser_point",
    "laser_dynamics",
)


def compute_all(p: ExplorePoint) -> dict[str, View]:
    """Every view of a point (for the exports); a view the API refuses is left out
    and its message kept under ``"errors"`` of :func:`export_json`."""
    views: dict[str, View] = {}
    for name, fn in (
        ("atom_map", atom_map),
        ("atom_spectrum", atom_spectrum),
        ("laser_point", laser_point),
        ("laser_curve", laser_curve),
        ("laser_dynamics", laser_dynamics),
    ):
        try:
            v = fn(p)
        except ParameterError as exc:
            views[name] = View(name, {}, [], message=str(exc))
            continue
        if v is not None:
            views[name] = v
    return views


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


def _num(v: float) -> str:
    """The shortest text the CLI parses back to the same float."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _atom_options(p: ExplorePoint, skip: tuple[str, ...] = ()) -> list[str]:
    opts: list[str] = []
    for name in ("delta2", "delta3", "omega2", "omega3"):
        if name not in skip:
            opts += [f"--{name}", _num(getattr(p, name))]
    opts += ["--nu2", f"{_num(p.nu)}g2", "--nu3", f"{_num(p.nu)}g2"]
    if p.species:
        opts += ["--species", p.species]
    return opts


def _laser_options(p: ExplorePoint, atoms: bool = True) -> list[str]:
    opts = _atom_options(p)
    if atoms:
        opts += ["--atoms", _num(p.atoms)]
    opts += ["--g", f"{_num(p.g)}g2", "--kappa", f"{_num(p.kappa)}g2"]
    if p.cavity_offset != 0:
        opts += ["--delta-c", _num(p.laser_params().delta_c)]
    return opts


def cli_commands(p: ExplorePoint) -> dict[str, str]:
    """The ``vlaser`` commands that compute what each view shows (rates in Γ3, suffix
    g2 in Γ2 of the species; Δc as the absolute Δc = Δ2 + offset)."""

    def cmd(*words: str) -> str:
        return " ".join(shlex.quote(w) for w in ("vlaser", *words))

    span, n = _num(p.map_span), str(p.map_points)
    return {
        "laser spectrum": cmd("laser", "spectrum", *_laser_options(p), "--json"),
        "laser threshold": cmd(
            "laser", "threshold", *_laser_options(p, atoms=False),
            "--max-atoms", _num(p.curve_max_atoms), "--points", str(p.curve_points), "--json",
        ),
        "laser steady": cmd("laser", "steady", *_laser_options(p), "--json"),
        "atom map": cmd(
            "atom", "map", "--x", f"delta2=-{span}:{span}:{n}", "--y", f"delta3=-{span}:{span}:{n}",
            *_atom_options(p, skip=("delta2", "delta3")), "--out", "map.nc",
        ),
        "atom spectrum": cmd("atom", "spectrum", *_atom_options(p), "--json"),
    }  # fmt: skip


def cli_command(p: ExplorePoint) -> str:
    """The main equivalent command: ``vlaser laser spectrum`` at the point."""
    return cli_commands(p)["laser spectrum"]


def cli_script(p: ExplorePoint) -> str:
    """A shell script with every equivalent command, one per view."""
    lines = [
        "#!/bin/sh",
        "# The point shown by `vlaser explore`, as vlaser commands.",
        "# Rates: units of Γ3; suffix g2: units of Γ2"
        + (f" ({get_species(p.species).label})." if p.species else " (Γ3/4266)."),
        "# --kappa is the cavity FIELD decay rate (photons decay at 2κ).",
    ]
    for what, c in cli_commands(p).items():
        lines += [f"# {what}", c]
    return "\n".join(lines) + "\n"


def _readout(views: Mapping[str, View]) -> list[Row]:
    return [r for v in views.values() for r in v.rows]


def export_json(p: ExplorePoint, views: Mapping[str, View] | None = None) -> dict[str, Any]:
    """The point as one JSON-ready object: controls, API parameters (Γ3), readout,
    the equivalent commands, every view's data, provenance."""
    from vlaser.io import provenance

    views = compute_all(p) if views is None else views
    rows = _readout(views)
    return jsonable(
        {
            "format": "vlaser-explore-point/1",
            "controls": p.to_dict(),
            "control_units": {c.name: c.unit or "1" for c in CONTROLS},
            "params": p.laser_params().to_dict(),
            "units": "params and results in units of Gamma3 unless a row's unit says "
            "otherwise; positions relative to omega2",
            "command": cli_command(p),
            "commands": cli_commands(p),
            "results": {r.id: r.to_dict()["value"] for r in rows},
            "readout": [r.to_dict() for r in rows],
            "views": {name: v.data for name, v in views.items() if v.data},
            "messages": {name: v.message for name, v in views.items() if v.message},
            "provenance": provenance(tool="vlaser explore"),
        }
    )


def export_dataset(p: ExplorePoint, views: Mapping[str, View] | None = None) -> Any:
    """The point as an ``xarray.Dataset``: map, emission spectrum, N curve, cavity
    spectrum on their own dimensions; parameters and readout as attributes."""
    import json

    import xarray as xr

    from vlaser.io import provenance

    views = compute_all(p) if views is None else views
    g3 = {"units": "Gamma3"}
    dvars: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    if "atom_map" in views and views["atom_map"].arrays:
        a = views["atom_map"].arrays
        coords["map_delta2"] = ("map_delta2", a["axis"], g3)
        coords["map_delta3"] = ("map_delta3", a["axis"], g3)
        dvars["atom_inversion"] = (("map_delta3", "map_delta2"), a["inversion"], {"units": "1"})
    if "atom_spectrum" in views and views["atom_spectrum"].arrays:
        a = views["atom_spectrum"].arrays
        coords["emission_delta"] = ("emission_delta", a["delta"], {**g3, "long_name": "ω − ω2"})
        dvars["emission_spectrum"] = ("emission_delta", a["values"], {"units": "1/Gamma3"})
    if "laser_curve" in views and views["laser_curve"].arrays:
        a = views["laser_curve"].arrays
        coords["curve_atoms"] = ("curve_atoms", a["atoms"], {"units": "1"})
        for k in ("photons", "inversion", "stable", "converged", "physical"):
            dvars[f"curve_{k}"] = ("curve_atoms", np.asarray(a[k]), {"units": "1"})
    if "laser_point" in views and views["laser_point"].arrays:
        a = views["laser_point"].arrays
        coords["cavity_delta"] = ("cavity_delta", a["delta"], {**g3, "long_name": "ω − ω2"})
        dvars["cavity_spectrum"] = ("cavity_delta", a["spectrum"], {"units": "1 (normalized)"})
    rows = _readout(views)
    attrs = provenance(
        tool="vlaser explore",
        controls=p.to_dict(),
        params=p.laser_params().to_dict(),
        command=cli_command(p),
        readout=[r.to_dict() for r in rows],
        messages={name: v.message for name, v in views.items() if v.message},
    )
    for r in rows:
        v = r.to_dict()["value"]
        if isinstance(v, bool):
            v = int(v)
        if isinstance(v, int | float):
            attrs[f"result_{r.id.replace('-', '_')}"] = v
    attrs["readout"] = json.dumps([r.to_dict() for r in rows])
    return xr.Dataset(dvars, coords=coords, attrs=attrs)


def export_netcdf(p: ExplorePoint, views: Mapping[str, View] | None = None) -> bytes:
    """:func:`export_dataset` as NetCDF-4 bytes."""
    import os
    import tempfile

    from vlaser.io import write_netcdf

    ds = export_dataset(p, views)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "point.nc")
        write_netcdf(ds, path)
        with open(path, "rb") as fh:
            return fh.read()


def page_config() -> dict[str, Any]:
    """What the page needs to build its controls (sent with the page)."""
    return {
        "controls": [asdict(c) for c in CONTROLS],
        "settings": {k: v[0] for k, v in SETTINGS.items()},
        "species": [{"name": s.name, "label": s.label} for s in SPECIES.values()],
        "param_to_control": PARAM_TO_CONTROL,
        "stages": list(STAGES),
    }


__all__ = [
    "CONTROLS",
    "SETTINGS",
    "STAGES",
    "Control",
    "ExplorePoint",
    "Row",
    "View",
    "atom_map",
    "atom_spectrum",
    "cli_command",
    "cli_commands",
    "cli_script",
    "clear_caches",
    "compute_all",
    "export_dataset",
    "export_json",
    "export_netcdf",
    "laser_curve",
    "laser_dynamics",
    "laser_point",
    "page_config",
    "parse_point",
]
