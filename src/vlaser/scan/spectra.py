"""Spectrum solvers on the scan layer: ``atom.spectrum`` and ``laser.spectrum``.

Both adapters store, per grid point, the incoherent spectrum on one fixed frequency
grid plus the strongest lines, so spectra can be scanned over any parameter grid with
:func:`vlaser.scan.run_scan` or ``vlaser scan run atom.spectrum|laser.spectrum ...``
on every executor and into the resumable Zarr/NetCDF stores.

**Frequency grid** (options ``delta_min``, ``delta_max``, ``points``): ``points``
equidistant values of δ = ω + Δ2 from ``delta_min`` to ``delta_max`` (units of Γ3),
i.e. frequencies relative to the *bare* atomic line ω2 (``shared/conventions.md``),
not to the pump. The grid is therefore the same for every point even when Δ2 is
scanned, and the pump-2 frequency sits at δ = Δ2. It is the dimension ``delta`` of the
output ``spectrum``, evaluated there with the exact resolvent (no interpolation).

**Lines** (option ``peaks`` = K): ``peak_position`` (δ, Γ3), ``peak_fwhm`` (Γ3) and
``peak_height`` (1/Γ3) of the K highest lines, highest first, along the dimension
``line`` = 0..K−1, NaN where fewer lines exist; ``lines`` counts every line found
(it may exceed K). They come from the solvers' own pole-adapted grids with maxima and
half-maximum crossings root-found on the exact spectrum
(:func:`vlaser.spectral.find_peaks`), never from the fixed grid: a line narrower than
the grid spacing, or outside the window, is still measured exactly.

Memory: a chunk holds chunk_size x ``points`` values of ``spectrum`` (8 bytes each);
both adapters default to chunks of 256 points (4 MB at 2001 frequencies, 10 MB at
5001), and each point takes milliseconds, so the scheduling overhead stays small.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from vlaser.errors import ParameterError
from vlaser.params import DEFAULT_GAMMA2
from vlaser.scan.solvers import (
    DIMENSIONLESS,
    RATE_UNITS,
    AtomSteadyAdapter,
    LaserSteadyAdapter,
    OutputSpec,
    SolverAdapter,
    register_solver,
)

#: Spectra per chunk when the caller gives no chunk size.
SPECTRUM_CHUNK_SIZE = 256

#: Units attribute of spectral densities S(ω) (the spectra are per unit Γ3).
SPECTRUM_UNITS = "1/Gamma3"
#: Largest accepted number of points of the fixed frequency grid.
MAX_POINTS = 200001
#: Largest accepted number of reported lines.
MAX_PEAKS = 1000


def _is_whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True)
class _SpectrumAdapter(SolverAdapter):
    """Shared part of the spectrum adapters: the δ grid, the line outputs, validation."""

    #: What ``spectrum`` is (its long_name), and the per-point outputs besides the lines.
    _what: ClassVar[str] = ""
    _scalar_outputs: ClassVar[Mapping[str, OutputSpec]] = {}

    def __post_init__(self) -> None:
        super().__post_init__()
        self._check_options()  # an adapter never exists with options it cannot use

    def _check_options(self) -> None:
        opts = self.options
        for key in ("delta_min", "delta_max"):
            if not _is_real(opts[key]):
                raise ParameterError(key, opts[key], "a finite number (δ = ω + Δ2, units of Γ3)")
        if not float(opts["delta_min"]) < float(opts["delta_max"]):
            raise ParameterError(
                "delta_max", opts["delta_max"], f"a number > delta_min = {opts['delta_min']}"
            )
        if not _is_whole(opts["points"]) or not 3 <= int(opts["points"]) <= MAX_POINTS:
            raise ParameterError("points", opts["points"], f"a whole number from 3 to {MAX_POINTS}")
        if not _is_whole(opts["peaks"]) or not 1 <= int(opts["peaks"]) <= MAX_PEAKS:
            raise ParameterError("peaks", opts["peaks"], f"a whole number from 1 to {MAX_PEAKS}")

    @property
    def delta(self) -> np.ndarray:
        """The fixed grid δ = ω + Δ2 (units of Γ3), shape (points,)."""
        o = self.options
        return np.linspace(float(o["delta_min"]), float(o["delta_max"]), int(o["points"]))

    def _steady_adapter(self) -> SolverAdapter:
        """The steady-state adapter whose parameters (and their checks) this one shares."""
        raise NotImplementedError

    def check(self, values: Mapping[str, np.ndarray | float]) -> None:
        """Validate the options, then the values as the steady-state adapter does."""
        self._check_options()
        self._steady_adapter().check(values)

    @property
    def outputs(self) -> Mapping[str, OutputSpec]:  # type: ignore[override]
        """Output specs (the ``delta`` and ``line`` sizes follow the options)."""
        k = (int(self.options["peaks"]),)
        return {
            "spectrum": OutputSpec(
                ("delta",),
                (int(self.options["points"]),),
                units=SPECTRUM_UNITS,
                long_name=f"incoherent {self._what} S(δ), δ = ω + Δ2",
            ),
            "peak_position": OutputSpec(
                ("line",), k, units=RATE_UNITS, long_name="line position δ = ω + Δ2"
            ),
            "peak_fwhm": OutputSpec(("line",), k, units=RATE_UNITS, long_name="line FWHM"),
            "peak_height": OutputSpec(
                ("line",), k, units=SPECTRUM_UNITS, long_name="S at the line maximum"
            ),
            "lines": OutputSpec(dtype="int32", long_name="number of lines found"),
            **self._scalar_outputs,
        }

    @property
    def dim_coords(self) -> Mapping[str, tuple[tuple[Any, ...], str]]:  # type: ignore[override]
        """``delta`` (Γ3) and ``line`` (0..K−1) coordinates."""
        return {
            "delta": (tuple(float(v) for v in self.delta), RATE_UNITS),
            "line": (tuple(range(int(self.options["peaks"]))), DIMENSIONLESS),
        }

    def _empty(self, n: int) -> dict[str, np.ndarray]:
        """NaN-filled outputs (0 for integer ones) for n points."""
        return {
            name: np.zeros((n, *spec.shape), dtype=spec.dtype)
            if np.dtype(spec.dtype).kind in "iu"
            else np.full((n, *spec.shape), np.nan)
            for name, spec in self.outputs.items()
        }

    def _store_lines(self, out: dict[str, np.ndarray], i: int, peaks: list) -> None:
        """Write the K highest of ``peaks`` (:class:`vlaser.spectral.Peak`, highest first,
        positions already as δ) into row i."""
        out["lines"][i] = len(peaks)
        for j, pk in enumerate(peaks[: int(self.options["peaks"])]):
            out["peak_position"][i, j] = pk.position
            out["peak_fwhm"][i, j] = pk.fwhm
            out["peak_height"][i, j] = pk.height


#: Default δ window of ``atom.spectrum`` (Γ3): ±0.5 Γ3 ≈ ±2130 Γ2 around the bare line.
ATOM_WINDOW = 0.5


@dataclass(frozen=True)
class AtomSpectrumAdapter(_SpectrumAdapter):
    """Exact single-atom emission spectrum of the narrow line
    (:func:`vlaser.atom.emission_spectrum`, A = σ12) on a parameter grid.

    Parameters: those of ``atom.steady`` (:class:`vlaser.params.AtomParams`, Γ3).

    Options (JSON-able):

    * ``delta_min``, ``delta_max``, ``points``: the fixed grid of δ = ω + Δ2 (Γ3),
      default −0.5 … 0.5 with 2001 points. Why: the line a cavity on ω2 sees is the
      power-broadened gain line near the bare transition (at the paper's working point
      Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5 vlaser computes it at δ ≈ 0.087 Γ3 ≈ 370 Γ2 with
      FWHM ≈ 0.144 Γ3 ≈ 614 Γ2), so ±0.5 Γ3 (≈ ±2130 Γ2) shows it with its wings at
      a spacing of 5e-4 Γ3 ≈ 2 Γ2 (~290 points per FWHM; a pump-frequency line of
      ~15 Γ2 is resolved too when |Δ2| < 0.5). The pump line at δ = Δ2 and the broad
      dressed-state lines (δ ≈ −1, 10 there) lie outside this window; they are in
      ``peak_*``, which do not depend on the window.
    * ``peaks``: K, lines reported (default 3: gain line, pump line, dressed-state
      line at the paper's point).

    Outputs: ``spectrum`` (delta: incoherent S, 1/Γ3, ∫ S dω/2π = ⟨σ22⟩ − |⟨σ12⟩|²),
    ``peak_position``/``peak_fwhm``/``peak_height`` (line), ``lines``,
    ``coherent_power`` |⟨σ12⟩|² (weight of the elastic δ line at δ = Δ2),
    ``total_power`` ⟨σ22⟩ and ``singular`` (1 where the steady state is not unique:
    every other output NaN / 0 there, the scan goes on). Any other failure raises.
    """

    name: ClassVar[str] = "atom.spectrum"
    param_names: ClassVar[tuple[str, ...]] = AtomSteadyAdapter.param_names
    defaults: ClassVar[Mapping[str, float]] = AtomSteadyAdapter.defaults
    param_units: ClassVar[Mapping[str, str]] = AtomSteadyAdapter.param_units
    default_chunk_size: ClassVar[int | None] = SPECTRUM_CHUNK_SIZE
    default_options: ClassVar[Mapping[str, Any]] = {
        "delta_min": -ATOM_WINDOW,
        "delta_max": ATOM_WINDOW,
        "points": 2001,
        "peaks": 3,
    }

    _what: ClassVar[str] = "emission spectrum of σ12"
    _scalar_outputs: ClassVar[Mapping[str, OutputSpec]] = {
        "coherent_power": OutputSpec(long_name="|<σ12>|² (elastic line weight)"),
        "total_power": OutputSpec(long_name="<σ22> = <σ21 σ12>"),
        "singular": OutputSpec(dtype="int8", long_name="1 where the steady state is not unique"),
    }

    def _steady_adapter(self) -> AtomSteadyAdapter:
        return AtomSteadyAdapter()

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Spectrum and lines per point; see the class docstring for the outputs."""
        from vlaser.atom import emission_spectrum, steady_state
        from vlaser.params import AtomParams

        n = len(params["delta2"])
        out = self._empty(n)
        # Batched 9x9 solves (cheap) only to flag non-unique steady states up front.
        singular = steady_state(AtomParams(**params), check=False).singular
        out["singular"][:] = singular
        delta = self.delta
        for i in range(n):
            if singular[i]:
                continue
            p = AtomParams(**{k: float(v[i]) for k, v in params.items()})
            es = emission_spectrum(p)
            out["spectrum"][i] = es.evaluate(delta - float(p.delta2))
            self._store_lines(out, i, es.peaks)
            out["coherent_power"][i] = es.coherent_power
            out["total_power"][i] = es.total_power
        return out


#: Default δ window of ``laser.spectrum`` in units of the paper's Γ2 (stored in Γ3).
LASER_WINDOW_GAMMA2 = (-100.0, 150.0)


@dataclass(frozen=True)
class LaserSpectrumAdapter(_SpectrumAdapter):
    """Cavity output spectrum S(ω) of ⟨a†(τ)a(0)⟩
    (:func:`vlaser.laser.spectrum.cavity_spectrum`) on a parameter grid.

    Parameters: those of ``laser.steady`` (:class:`LaserSteadyAdapter`, including its
    derived ``nu`` and ``cavity_offset``, converted by its own ``_params``).

    Options (JSON-able):

    * ``order`` (2, >= 2) cumulant order; ``frame`` (``"coherent"``, or
      ``"instantaneous"``), see :mod:`vlaser.laser.spectrum`.
    * ``delta_min``, ``delta_max``, ``points``: fixed δ grid (Γ3), default
      −100 Γ2 … +150 Γ2 (Γ2 = Γ3/4266, i.e. −0.02344 … 0.03516 Γ3) with 5001 points,
      spacing 0.05 Γ2. Why: with the cavity on the bare line (Δc = Δ2) and the paper's
      κ = 50Γ2, vlaser finds the line below threshold at δ ≈ 4 Γ2 with FWHM ≈ 2κ =
      100 Γ2, near threshold at δ ≈ 35-41 Γ2, and at N = 50000, ν = 10Γ2 at
      δ ≈ 22.9 Γ2 with FWHM ≈ 0.34 Γ2 (~7 grid points per FWHM); the window holds all
      of them. The incoherent remnant of the pump line at δ = Δ2 lies outside; it is
      in ``peak_*`` when strong enough.
    * ``peaks``: K lines reported (default 2).
    * ``unstable``: ``"nan"`` (default) stores NaN spectrum and lines where the fixed
      point is unstable or a correlation pole grows (the equations do not settle
      there); ``"formal"`` stores the formal regression spectrum around it instead.
      Either way ``stable`` = 0 marks those points and ``photons`` are the fixed
      point's.

    Each chunk's steady states are solved by continuation along its points
    (:func:`vlaser.laser.steady.steady_state` on the chunk, ``dynamics=False``); each
    point is then re-polished alone by Newton from that root and its spectrum taken on
    the poles' adaptive grid (lines) and on the fixed grid (``spectrum``).

    Outputs: ``spectrum`` (delta: incoherent S, 1/Γ3), ``peak_position``/
    ``peak_fwhm``/``peak_height`` (line), ``lines``, ``photons`` n, ``coherent_photons``
    |⟨a⟩|² (elastic pump light, not in S), ``stable`` and ``converged`` (0/1; where the
    steady state did not converge every float output is NaN). Any other failure raises.
    """

    name: ClassVar[str] = "laser.spectrum"
    param_names: ClassVar[tuple[str, ...]] = LaserSteadyAdapter.param_names
    defaults: ClassVar[Mapping[str, float]] = LaserSteadyAdapter.defaults
    param_units: ClassVar[Mapping[str, str]] = LaserSteadyAdapter.param_units
    default_chunk_size: ClassVar[int | None] = SPECTRUM_CHUNK_SIZE
    default_options: ClassVar[Mapping[str, Any]] = {
        "order": 2,
        "frame": "coherent",
        "delta_min": LASER_WINDOW_GAMMA2[0] * DEFAULT_GAMMA2,
        "delta_max": LASER_WINDOW_GAMMA2[1] * DEFAULT_GAMMA2,
        "points": 5001,
        "peaks": 2,
        "unstable": "nan",
    }

    def _check_options(self) -> None:
        super()._check_options()
        order = self.options["order"]
        if not _is_whole(order) or int(order) < 2:
            raise ParameterError("order", order, "a whole number >= 2")
        if self.options["unstable"] not in ("nan", "formal"):
            raise ParameterError("unstable", self.options["unstable"], "one of nan, formal")

    def check(self, values: Mapping[str, np.ndarray | float]) -> None:
        """Validate the options (the frame too), then the values as ``laser.steady`` does."""
        # Imported here, not at registration: vlaser.cumulants loads sympy (~0.5 s).
        from vlaser.cumulants.correlate import FRAMES

        if self.options["frame"] not in FRAMES:
            raise ParameterError("frame", self.options["frame"], f"one of {', '.join(FRAMES)}")
        super().check(values)

    _what: ClassVar[str] = "cavity spectrum of <a†(τ)a(0)>"
    _scalar_outputs: ClassVar[Mapping[str, OutputSpec]] = {
        "photons": OutputSpec(long_name="photon number <a†a>"),
        "coherent_photons": OutputSpec(long_name="|<a>|² (elastic pump light)"),
        "stable": OutputSpec(
            dtype="int8", long_name="1 where the fixed point and every correlation pole decay"
        ),
        "converged": OutputSpec(dtype="int8", long_name="1 where Newton converged"),
    }

    def _steady_adapter(self) -> LaserSteadyAdapter:
        return LaserSteadyAdapter(options={"order": int(self.options["order"])})

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Spectrum and lines per point; see the class docstring for the outputs."""
        from vlaser.laser.spectrum import cavity_spectrum, correlation_for
        from vlaser.laser.steady import steady_state

        order = int(self.options["order"])
        frame = str(self.options["frame"])
        formal = self.options["unstable"] == "formal"
        lp = self._steady_adapter()._params(params)
        ls = correlation_for(order, frame)[0]
        chunk = steady_state(lp, order=order, system=ls, dynamics=False)
        n = len(params["delta2"])
        out = self._empty(n)
        delta = self.delta
        for i in range(n):
            if not bool(chunk.converged[i]):
                continue
            p = lp.point(i)
            # Newton from the chunk's root: converges at once to the same root and
            # gives the single-point state cavity_spectrum takes.
            st = steady_state(p, order=order, system=ls, guess=chunk.x[i], dynamics=False)
            if not bool(st.converged):  # pragma: no cover - the guess is a root
                continue
            out["converged"][i] = 1
            cs = cavity_spectrum(p, frame=frame, order=order, steady=st, allow_unstable=True)
            out["photons"][i] = cs.photons
            out["coherent_photons"][i] = cs.coherent_photons
            out["stable"][i] = int(cs.stable)
            if cs.stable or formal:
                out["spectrum"][i] = cs.evaluate_delta(delta)
                self._store_lines(out, i, cs.peaks)
        return out


register_solver(AtomSpectrumAdapter())
register_solver(LaserSpectrumAdapter())


__all__ = [
    "ATOM_WINDOW",
    "LASER_WINDOW_GAMMA2",
    "MAX_PEAKS",
    "MAX_POINTS",
    "SPECTRUM_UNITS",
    "AtomSpectrumAdapter",
    "LaserSpectrumAdapter",
]
