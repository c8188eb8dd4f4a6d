"""Solver adapters: the one interface through which every solver is scanned.

An adapter is a small frozen dataclass (a module-level class, so it pickles for
process pools and Dask workers) that declares

* ``name``: registry name, e.g. ``"atom.steady"``;
* ``param_names``: the parameters that may be scanned or fixed, with ``defaults``
  (value used for a parameter neither scanned nor fixed) and ``param_units``;
* ``outputs``: output name -> :class:`OutputSpec` (trailing dims, their sizes, dtype,
  units);
* ``options``: solver settings (JSON-able values), validated against
  ``default_options`` and stored as attributes of the result;

and implements ``solve(params) -> outputs`` for a batch of n points: every parameter
comes as a float array of shape (n,), every output must have shape (n, *spec.shape).

Adapters are registered by name with :func:`register_solver` (other packages add
theirs the same way) and looked up with :func:`get_solver`, which also accepts an
import path ``"package.module:ClassName"``. The atom steady-state adapter
``atom.steady`` is built in; it imports :mod:`vlaser.atom` only when it solves.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from vlaser.errors import ParameterError

#: Units attribute of dimensionless quantities.
DIMENSIONLESS = "1"
#: Units attribute of rates and frequencies (angular, units of Γ3).
RATE_UNITS = "Gamma3"


@dataclass(frozen=True)
class OutputSpec:
    """One output of a solver.

    Attributes:
        dims: Names of the output's own trailing dimensions (after the grid dims).
        shape: Their sizes (same length as ``dims``).
        dtype: numpy dtype name of the stored values.
        units: Units attribute (``"1"`` for dimensionless).
        long_name: Human-readable description.
    """

    dims: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    dtype: str = "float64"
    units: str = DIMENSIONLESS
    long_name: str = ""

    def __post_init__(self) -> None:
        if len(self.dims) != len(self.shape):
            raise ParameterError("output dims", self.dims, f"one size per dim, got {self.shape}")
        np.dtype(self.dtype)  # raises TypeError for an unknown dtype


@dataclass(frozen=True)
class SolverAdapter:
    """Base class of solver adapters (see module docstring).

    Subclasses set the class attributes and implement :meth:`solve`; they stay frozen
    dataclasses so that they pickle and compare by value.

    Attributes:
        options: Solver settings; unknown keys raise :class:`ParameterError`, missing
            ones take ``default_options``.
    """

    name: ClassVar[str] = ""
    param_names: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[Mapping[str, float]] = {}
    param_units: ClassVar[Mapping[str, str]] = {}
    outputs: ClassVar[Mapping[str, OutputSpec]] = {}
    #: Coordinates of the outputs' trailing dims: dim -> (values, units).
    dim_coords: ClassVar[Mapping[str, tuple[tuple[Any, ...], str]]] = {}
    default_options: ClassVar[Mapping[str, Any]] = {}
    #: Points per chunk when the caller gives none (None: the scan layer's default).
    #: Solvers whose points are expensive or large (trajectories, spectra) set less.
    default_chunk_size: ClassVar[int | None] = None

    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.options) - set(self.default_options))
        if unknown:
            allowed = ", ".join(self.default_options) or "none"
            raise ParameterError(f"{self.name} option", unknown[0], f"one of: {allowed}")
        merged = {**self.default_options, **self.options}
        try:
            json.dumps(merged, sort_keys=True)
        except TypeError:
            raise ParameterError(
                f"{self.name} options", merged, "JSON-serialisable values"
            ) from None
        object.__setattr__(self, "options", merged)

    def check(self, values: Mapping[str, np.ndarray | float]) -> None:
        """Validate parameter values before anything is computed or written.

        Args:
            values: Every axis (1-D array of its values) and every fixed parameter
                (float). The default accepts anything; adapters override it to raise
                :class:`ParameterError` early.
        """

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Solve a batch of n points.

        Args:
            params: Every name of :attr:`param_names` -> float array of shape (n,).

        Returns:
            Every name of :attr:`outputs` -> array of shape (n, *spec.shape).
        """
        raise NotImplementedError

    def extra_attrs(self) -> dict[str, Any]:
        """Global attributes the solver adds to its results (JSON-able values)."""
        return {}

    def with_options(self, **options: Any) -> SolverAdapter:
        """A copy with some options changed."""
        return dataclasses.replace(self, options={**self.options, **options})


_REGISTRY: dict[str, SolverAdapter] = {}
#: Modules that register the other built-in adapters (``atom.spectrum``,
#: ``laser.spectrum``, ``motion.trajectories``); imported on the first lookup.
_BUILTIN_MODULES = ("vlaser.scan.spectra", "vlaser.scan.motion")


def _register_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def register_solver(adapter: SolverAdapter, replace: bool = False) -> SolverAdapter:
    """Make ``adapter`` available under ``adapter.name``.

    Args:
        adapter: The adapter instance (its options are the registered defaults).
        replace: Allow replacing an adapter of the same name.

    Raises:
        ParameterError: For an empty name or a name already taken.
    """
    if not isinstance(adapter, SolverAdapter) or not adapter.name:
        raise ParameterError("solver", adapter, "a SolverAdapter with a non-empty name")
    if adapter.name in _REGISTRY and not replace and _REGISTRY[adapter.name] != adapter:
        raise ParameterError("solver", adapter.name, "a name not registered yet")
    _REGISTRY[adapter.name] = adapter
    return adapter


def available_solvers() -> dict[str, SolverAdapter]:
    """The registered adapters, by name."""
    _register_builtins()
    return dict(sorted(_REGISTRY.items()))


def get_solver(spec: str | SolverAdapter, **options: Any) -> SolverAdapter:
    """Look up an adapter by registry name or import path and apply options.

    Args:
        spec: A registered name (``"atom.steady"``), an import path
            ``"package.module:Name"`` naming an adapter class or instance, or an
            adapter (returned as is when no options are given).
        options: Options overriding the adapter's.

    Raises:
        ParameterError: For an unknown name or an object that is not an adapter.
    """
    if isinstance(spec, str) and spec not in _REGISTRY:
        _register_builtins()
    if isinstance(spec, SolverAdapter):
        adapter = spec
    elif spec in _REGISTRY:
        adapter = _REGISTRY[spec]
    elif isinstance(spec, str) and ":" in spec:
        adapter = _import_adapter(spec)
    else:
        known = ", ".join(_REGISTRY) or "none"
        raise ParameterError("solver", spec, f"one of {known} or package.module:ClassName")
    return adapter.with_options(**options) if options else adapter


def _import_adapter(spec: str) -> SolverAdapter:
    module_name, _, attr = spec.partition(":")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ParameterError("solver", spec, f"an importable adapter ({exc})") from None
    if isinstance(obj, type) and issubclass(obj, SolverAdapter):
        obj = obj()
    if not isinstance(obj, SolverAdapter):
        raise ParameterError("solver", spec, "a SolverAdapter class or instance")
    return obj


# ---------------------------------------------------------------------------
# Built-in adapter: exact single-atom steady state.
# ---------------------------------------------------------------------------


def _atom_defaults() -> dict[str, float]:
    from vlaser.params import AtomParams

    return {k: float(v) for k, v in AtomParams().values().items()}


@dataclass(frozen=True)
class AtomSteadyAdapter(SolverAdapter):
    """Exact steady state of one V atom (:func:`vlaser.atom.steady_state`).

    Parameters: the fields of :class:`vlaser.params.AtomParams` (units of Γ3).
    Outputs: ``inversion`` (<σ22> − <σ11>), ``populations`` (level 1..3), real and
    imaginary parts of <σ12>, <σ13>, <σ23>, the residual max|L ρ| (units of Γ3) and a
    ``singular`` flag (1 where the steady state is not unique; values NaN there).
    Option ``check`` (default True): raise :class:`vlaser.errors.ConvergenceError`
    on an inaccurate point instead of storing it.
    """

    name: ClassVar[str] = "atom.steady"
    param_names: ClassVar[tuple[str, ...]] = (
        "delta2",
        "delta3",
        "omega2",
        "omega3",
        "gamma2",
        "gamma3",
        "nu2",
        "nu3",
        "gamma23",
    )
    defaults: ClassVar[Mapping[str, float]] = _atom_defaults()
    param_units: ClassVar[Mapping[str, str]] = dict.fromkeys(param_names, RATE_UNITS)
    outputs: ClassVar[Mapping[str, OutputSpec]] = {
        "inversion": OutputSpec(long_name="<σ22> − <σ11>"),
        "populations": OutputSpec(("level",), (3,), long_name="<σii>, i = level"),
        **{
            f"{c}_{part}": OutputSpec(long_name=f"{label} <σ{c[1:]}>")
            for c in ("s12", "s13", "s23")
            for part, label in (("re", "Re"), ("im", "Im"))
        },
        "residual": OutputSpec(units=RATE_UNITS, long_name="max |L rho|"),
        "singular": OutputSpec(dtype="int8", long_name="1 where the steady state is not unique"),
    }
    dim_coords: ClassVar[Mapping[str, tuple[tuple[Any, ...], str]]] = {
        "level": ((1, 2, 3), DIMENSIONLESS)
    }
    default_options: ClassVar[Mapping[str, Any]] = {"check": True}

    def check(self, values: Mapping[str, np.ndarray | float]) -> None:
        """Validate the values with :class:`AtomParams`' constraints (per field)."""
        from vlaser.params import AtomParams

        AtomParams(**values)

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Batched exact steady state; see the class docstring for the outputs."""
        from vlaser.atom import steady_state
        from vlaser.params import AtomParams

        ss = steady_state(AtomParams(**params), check=bool(self.options["check"]))
        out = {"inversion": ss.inversion, "populations": ss.populations}
        for c, value in ss.coherences.items():
            out[f"{c}_re"] = value.real
            out[f"{c}_im"] = value.imag
        out["residual"] = ss.residual
        out["singular"] = ss.singular
        return out


def _laser_defaults() -> dict[str, float]:
    from vlaser.params import LaserParams

    out = {k: float(v) for k, v in LaserParams.paper().values().items() if k != "delta_c"}
    out["delta_c"] = float("nan")  # NaN: Δc = Δ2 (cavity on the bare atomic line)
    out["nu"] = float("nan")  # NaN: unused (ν2 and ν3 apply)
    out["cavity_offset"] = float("nan")  # NaN: unused (Δc applies)
    return out


def _given(value: np.ndarray | float) -> bool:
    """True where a virtual parameter (NaN default = unused) has a value."""
    return bool(np.any(np.isfinite(np.asarray(value, dtype=float))))


@dataclass(frozen=True)
class LaserSteadyAdapter(SolverAdapter):
    """Second-order (or any order) cumulant steady state of the N-atom laser
    (:func:`vlaser.laser.steady.steady_state`).

    Parameters: the fields of :class:`vlaser.params.LaserParams` (rates in units of Γ3;
    ``kappa`` is the cavity field decay rate; ``delta_c`` NaN or unset means Δc = Δ2, so
    the cavity follows a scanned Δ2) and two derived ones, NaN (unused) by default:

    * ``nu``: a common pump linewidth ν2 = ν3 = ν (then ``nu2``/``nu3`` stay unset);
    * ``cavity_offset``: ω2 − ωc = Δc − Δ2, i.e. Δc = Δ2 + offset (then ``delta_c``
      stays unset).

    Ensemble (:mod:`vlaser.laser.ensemble`): ``doppler_width`` W (Doppler FWHM on the
    narrow line, Γ3), ``pump3_width`` (broad line along pump 3, Γ3) and ``classes`` K
    (one value over the whole scan; 0: the default for the largest width of the
    chunk, so a scan over W should fix it); default 0, atoms at rest.

    ``atoms`` must be whole numbers >= 1. Defaults are the paper's laser point
    (N = 50000, g = 2Γ2, κ = 50Γ2). Each chunk is solved by continuation along its
    points (first point from g = 0), so the result depends only on the chunk layout,
    never on the executor.

    Outputs: ``photons`` n = <a†a>, ``coherent_photons`` |<a>|², ``inversion`` per atom,
    ``populations``, ``converged`` (0/1), ``residual`` max|f|, ``max_growth_rate``
    (largest real part of the Jacobian's eigenvalues, Γ3), ``stable`` (0/1),
    ``physical`` (0/1: the averages pass the admissibility conditions of
    :mod:`vlaser.cumulants.admissible`) and ``violation`` (the most violated condition:
    its index in the JSON list of the global attribute ``violation_conditions``, −1
    where physical, −2 where no fixed point was found). Option ``order`` (default 2).
    """

    name: ClassVar[str] = "laser.steady"
    param_names: ClassVar[tuple[str, ...]] = (
        *AtomSteadyAdapter.param_names,
        "atoms",
        "g",
        "kappa",
        "delta_c",
        "nu",
        "cavity_offset",
        "doppler_width",
        "pump3_width",
        "classes",
    )
    defaults: ClassVar[Mapping[str, float]] = _laser_defaults()
    param_units: ClassVar[Mapping[str, str]] = {
        **dict.fromkeys(param_names, RATE_UNITS),
        "atoms": DIMENSIONLESS,
        "classes": DIMENSIONLESS,
    }
    outputs: ClassVar[Mapping[str, OutputSpec]] = {
        "photons": OutputSpec(long_name="photon number <a†a>"),
        "coherent_photons": OutputSpec(long_name="|<a>|²"),
        "inversion": OutputSpec(long_name="<σ22> − <σ11> per atom"),
        "populations": OutputSpec(("level",), (3,), long_name="<σii> per atom, i = level"),
        "converged": OutputSpec(dtype="int8", long_name="1 where Newton converged"),
        "residual": OutputSpec(units=RATE_UNITS, long_name="max |f| at the solution"),
        "max_growth_rate": OutputSpec(units=RATE_UNITS, long_name="max Re eig(Jacobian)"),
        "stable": OutputSpec(dtype="int8", long_name="1 where the fixed point is stable"),
        "physical": OutputSpec(dtype="int8", long_name="1 where the averages are admissible"),
        "violation": OutputSpec(
            dtype="int16",
            long_name="most violated condition: index into attribute violation_conditions "
            "(-1 none, -2 no fixed point)",
        ),
    }
    dim_coords: ClassVar[Mapping[str, tuple[tuple[Any, ...], str]]] = {
        "level": ((1, 2, 3), DIMENSIONLESS)
    }
    default_options: ClassVar[Mapping[str, Any]] = {"order": 2}

    def extra_attrs(self) -> dict[str, Any]:
        """``violation_conditions``: the admissibility conditions, as a JSON list."""
        from vlaser.laser.equations import laser_equations

        ls = laser_equations(int(self.options["order"]))
        return {"violation_conditions": json.dumps([c.text for c in ls.admissibility.conditions])}

    @staticmethod
    def _params(values: Mapping[str, np.ndarray | float]):
        """:class:`LaserParams` from the adapter's values (derived ones resolved).

        Raises:
            ParameterError: For ``nu`` together with ``nu2``/``nu3``, or
                ``cavity_offset`` together with ``delta_c``.
        """
        from vlaser.params import LaserParams

        vals = dict(values)
        nu = vals.pop("nu", np.nan)
        offset = vals.pop("cavity_offset", np.nan)
        d2 = np.asarray(vals.get("delta2", 0.0), dtype=float)
        dc = np.asarray(vals.get("delta_c", np.nan), dtype=float)
        if _given(nu):
            for name in ("nu2", "nu3"):
                if np.any(np.asarray(vals.get(name, 0.0)) != 0):
                    raise ParameterError(name, vals[name], "unset (0) when nu = ν2 = ν3 is given")
            vals["nu2"] = vals["nu3"] = nu
        if _given(offset):
            if _given(dc):
                raise ParameterError(
                    "delta_c", vals["delta_c"], "unset when cavity_offset = Δc − Δ2 is given"
                )
            dc = d2 + np.asarray(offset, dtype=float)
        dc = np.where(np.isnan(dc), d2, dc)
        vals["delta_c"] = dc if dc.ndim else float(dc)
        if "classes" in vals:  # a structure field: one count for the whole grid
            k = np.unique(np.asarray(vals["classes"], dtype=float))
            if k.size != 1:
                raise ParameterError("classes", vals["classes"], "one value over the scan")
            vals["classes"] = float(k[0])
        return LaserParams(**vals)

    def check(self, values: Mapping[str, np.ndarray | float]) -> None:
        """Validate with :class:`LaserParams`' constraints and the cumulant order."""
        order = self.options["order"]
        if not isinstance(order, int) or order < 1:
            raise ParameterError("order", order, "a whole number >= 1")
        self._params(values)

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Batched laser steady state; see the class docstring for the outputs."""
        from vlaser.laser.steady import steady_state

        ss = steady_state(self._params(params), order=int(self.options["order"]), dynamics=False)
        return {
            "photons": ss.photons,
            "coherent_photons": ss.coherent_photons,
            "inversion": ss.inversion,
            "populations": np.stack([ss.p1, ss.p2, ss.p3], axis=-1),
            "converged": ss.converged.astype(np.int8),
            "residual": ss.residual,
            "max_growth_rate": ss.max_growth_rate,
            "stable": ss.stable.astype(np.int8),
            "physical": ss.physical.astype(np.int8),
            "violation": ss.violated.astype(np.int16),
        }


register_solver(AtomSteadyAdapter())
register_solver(LaserSteadyAdapter())


__all__ = [
    "DIMENSIONLESS",
    "RATE_UNITS",
    "AtomSteadyAdapter",
    "LaserSteadyAdapter",
    "OutputSpec",
    "SolverAdapter",
    "available_solvers",
    "get_solver",
    "register_solver",
]
