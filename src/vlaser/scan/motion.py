"""Trajectories on the scan layer: the ``motion.trajectories`` adapter.

A grid point is one semiclassical quantum-jump trajectory (:mod:`vlaser.motion`): the
axis ``trajectory`` numbers them (0, 1, …, M − 1) and may be combined with axes of the
pump parameters. Trajectory j always uses the j-th child of
``numpy.random.SeedSequence(seed)`` (:func:`vlaser.motion.trajectories.trajectory_seeds`),
so a trajectory's result depends only on its number, the parameters and the options,
never on the chunk, the executor or the order; trajectory j at two parameter points
shares its random numbers (common random numbers make differences less noisy).

Stored per trajectory (units of Γ3, ħk_i, ħΓ3): ``populations`` and
``interval_populations`` (time, level), ``momentum`` P_i = p_i/ħk_i and ``phase``
k_i r_i (time, axis), the coherences <σ12>, <σ13> (``coherence_re``/``coherence_im``,
(time, transition)), ``jumps`` per channel, ``force_impulse``, ``kick_impulse``, the
kinetic-energy ``work`` of force and kicks (axis, source) and ``alive``. A store is
turned back into a :class:`vlaser.motion.MotionResult` (kinetic energies,
temperatures, inversion, summaries) by :func:`motion_result`.

Example::

    from vlaser.scan import run_scan
    from vlaser.scan.motion import motion_result

    ds = run_scan("motion.trajectories", ["trajectory=0:99:100"], {"nu2": "10g2"},
                  store="traj.zarr", chunk_size=10, options={"t_max": 2e4})
    motion_result(ds).summary()["kbt"]
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from vlaser.errors import ParameterError
from vlaser.scan.solvers import (
    DIMENSIONLESS,
    RATE_UNITS,
    AtomSteadyAdapter,
    OutputSpec,
    SolverAdapter,
    register_solver,
)

#: Units of energies (kinetic energy, work).
ENERGY_UNITS = "hbar*Gamma3"
#: The pump parameters of a trajectory (fields of AtomParams).
PUMP_NAMES = AtomSteadyAdapter.param_names


#: Outputs stored as the MotionResult fields of the same name.
_FIELDS = (
    "populations",
    "interval_populations",
    "momentum",
    "phase",
    "jumps",
    "force_impulse",
    "kick_impulse",
    "work",
)


def _defaults() -> dict[str, float]:
    from vlaser.params import AtomParams

    out = {k: float(v) for k, v in AtomParams.paper().values().items()}
    out.update({"p0": 100.0, "phase0": 0.0})
    return out


@dataclass(frozen=True)
class MotionTrajectoriesAdapter(SolverAdapter):
    """Semiclassical trajectories of a moving V atom (:func:`vlaser.motion.simulate`).

    Parameters: ``trajectory`` (the trajectory number, whole numbers >= 0; no default,
    scan it), the fields of :class:`vlaser.params.AtomParams` (default: the paper's
    lasing point Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5, units of Γ3), ``p0`` (initial momentum
    per axis, units of ħk_i, default 100) and ``phase0`` (initial k_i r_i, rad, default
    0: an antinode).

    Options (see :func:`vlaser.motion.make_setup`): ``t_max`` (1/Γ3), ``samples``,
    ``seed``, ``dt`` (null: 1.2/‖H_eff‖), ``species``, ``recoil`` (null or a pair),
    ``k_ratio``, ``initial_level``, ``p_max``, ``dynamic``. The output's time axis has
    ``samples`` points from 0 to ``t_max``.
    """

    name: ClassVar[str] = "motion.trajectories"
    param_names: ClassVar[tuple[str, ...]] = ("trajectory", *PUMP_NAMES, "p0", "phase0")
    defaults: ClassVar[Mapping[str, float]] = _defaults()
    param_units: ClassVar[Mapping[str, str]] = {
        **dict.fromkeys(PUMP_NAMES, RATE_UNITS),
        "trajectory": DIMENSIONLESS,
        "p0": "hbar*k_i",
        "phase0": "rad",
    }
    #: Trajectories per chunk: the unit of resumption and of parallel work.
    default_chunk_size: ClassVar[int | None] = 10
    default_options: ClassVar[Mapping[str, Any]] = {
        "t_max": 20000.0,
        "samples": 201,
        "seed": 1,
        "dt": None,
        "species": "sr88",
        "recoil": None,
        "k_ratio": None,
        "initial_level": 1,
        "p_max": 1e4,
        "dynamic": True,
    }

    @property
    def outputs(self) -> dict[str, OutputSpec]:  # type: ignore[override]
        """Per-trajectory outputs; the ``time`` dim has ``options["samples"]`` points."""
        from vlaser.motion import kernel

        nt = int(self.options["samples"])
        nch = len(kernel.CHANNELS)
        return {
            "populations": OutputSpec(("time", "level"), (nt, 3), long_name="<σii>"),
            "interval_populations": OutputSpec(
                ("time", "level"), (nt, 3), long_name="<σii> averaged over the sample interval"
            ),
            "momentum": OutputSpec(
                ("time", "axis"), (nt, 2), units="hbar*k_i", long_name="P_i = p_i/ħk_i"
            ),
            "phase": OutputSpec(
                ("time", "axis"), (nt, 2), units="rad", long_name="k_i r_i in [−π, π)"
            ),
            "coherence_re": OutputSpec(("time", "transition"), (nt, 2), long_name="Re <σ1i>"),
            "coherence_im": OutputSpec(("time", "transition"), (nt, 2), long_name="Im <σ1i>"),
            "jumps": OutputSpec(("channel",), (nch,), dtype="int64", long_name="jump counts"),
            "force_impulse": OutputSpec(("axis",), (2,), units="hbar*k_i", long_name="∫ F_i dt"),
            "kick_impulse": OutputSpec(("axis",), (2,), units="hbar*k_i", long_name="Σ kicks"),
            "work": OutputSpec(
                ("axis", "source"),
                (2, 2),
                units=ENERGY_UNITS,
                long_name="kinetic-energy change by the force and by the recoil kicks",
            ),
            "alive": OutputSpec(dtype="int8", long_name="0 for a trajectory stopped at p_max"),
        }

    @property
    def dim_coords(self) -> dict[str, tuple[tuple[Any, ...], str]]:  # type: ignore[override]
        """Coordinates of the trailing dims (sample times in 1/Γ3)."""
        from vlaser.motion import kernel

        t = np.linspace(0.0, float(self.options["t_max"]), int(self.options["samples"]))
        return {
            "time": (tuple(t.tolist()), "1/Gamma3"),
            "level": ((1, 2, 3), DIMENSIONLESS),
            "axis": (("k2", "k3"), DIMENSIONLESS),
            "transition": (("s12", "s13"), DIMENSIONLESS),
            "channel": (tuple(kernel.CHANNELS), DIMENSIONLESS),
            "source": (("force", "kicks"), DIMENSIONLESS),
        }

    def setup(self, point: Mapping[str, float], trajectories: int = 1) -> Any:
        """The validated :class:`vlaser.motion.MotionSetup` of one parameter point."""
        from vlaser.motion import make_setup
        from vlaser.params import AtomParams

        o = self.options
        return make_setup(
            AtomParams(**{k: float(point[k]) for k in PUMP_NAMES}),
            trajectories=trajectories,
            t_max=o["t_max"],
            seed=o["seed"],
            samples=o["samples"],
            dt=o["dt"],
            species=o["species"],
            recoil=o["recoil"],
            k_ratio=o["k_ratio"],
            p0=float(point["p0"]),
            phase0=float(point["phase0"]),
            initial_level=o["initial_level"],
            p_max=o["p_max"],
            dynamic=o["dynamic"],
        )

    def check(self, values: Mapping[str, np.ndarray | float]) -> None:
        """Trajectory numbers, the parameter ranges and the options (every point's step)."""
        traj = np.asarray(values["trajectory"], dtype=float)
        if np.any(traj < 0) or np.any(traj != np.round(traj)):
            raise ParameterError("trajectory", values["trajectory"], "whole numbers >= 0")
        if isinstance(self.options["samples"], bool) or not isinstance(
            self.options["samples"], int
        ):
            raise ParameterError("samples", self.options["samples"], "a whole number >= 2")
        names = [k for k in self.param_names if k != "trajectory"]
        # Each distinct parameter point once: the outer product of the axes' values
        # (fixed parameters are one value), which is small next to the trajectories.
        distinct = [np.unique(np.asarray(values[k], dtype=float)) for k in names]
        for row in itertools.product(*distinct):
            self.setup(dict(zip(names, row, strict=True)))

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run the chunk's trajectories, grouped by parameter point."""
        from vlaser.motion.trajectories import _run_chunk, result_from_kernel, trajectory_seeds

        if multiprocessing.parent_process() is not None:
            import numba

            numba.set_num_threads(1)  # one thread per worker process: no oversubscription
        names = [n for n in self.param_names if n != "trajectory"]
        n = params["trajectory"].shape[0]
        out = {
            name: np.zeros((n, *spec.shape), dtype=spec.dtype)
            for name, spec in self.outputs.items()
        }
        rows = np.stack([params[name] for name in names], axis=1)
        _, group = np.unique(rows, axis=0, return_inverse=True)
        for g in np.unique(group):
            sel = np.flatnonzero(group.reshape(-1) == g)
            setup = self.setup(dict(zip(names, rows[sel[0]], strict=True)), len(sel))
            r = result_from_kernel(
                setup, _run_chunk(setup, trajectory_seeds(setup.seed, params["trajectory"][sel]))
            )
            for name in _FIELDS:
                out[name][sel] = getattr(r, name)
            out["coherence_re"][sel] = r.coherences.real
            out["coherence_im"][sel] = r.coherences.imag
            out["alive"][sel] = r.alive
        return out


def motion_result(ds: Any) -> Any:
    """A :class:`vlaser.motion.MotionResult` from a ``motion.trajectories`` dataset.

    Args:
        ds: The dataset of :func:`vlaser.scan.run_scan` (or a store opened with
            xarray) whose only scanned dim left is ``trajectory`` (select one point of
            any other axis first, e.g. ``ds.sel(delta2=5.0)``).

    Returns:
        The result of those trajectories, as :func:`vlaser.motion.simulate` returns it
        for the same trajectory numbers.

    Raises:
        ParameterError: For a dataset of another solver or with other scanned dims.
    """
    from vlaser.motion.trajectories import MotionResult

    if ds.attrs.get("solver") != MotionTrajectoriesAdapter.name:
        raise ParameterError("dataset", ds.attrs.get("solver"), "a motion.trajectories scan")
    extra = [d for d in ds["alive"].dims if d != "trajectory"]
    if extra or "trajectory" not in ds["alive"].dims:
        raise ParameterError("dataset dims", extra, "only 'trajectory' (select the others)")
    options = ds.attrs["solver_options"]
    adapter = MotionTrajectoriesAdapter(
        json.loads(options) if isinstance(options, str) else dict(options)
    )
    point = {k: float(ds[k].values) for k in adapter.param_names if k != "trajectory"}
    setup = adapter.setup(point, int(ds.sizes["trajectory"]))
    return MotionResult(
        setup=setup,
        **{name: np.asarray(ds[name].values) for name in _FIELDS},
        coherences=np.asarray(ds["coherence_re"].values) + 1j * ds["coherence_im"].values,
        alive=np.asarray(ds["alive"].values).astype(bool),
        meta={"trajectory": np.asarray(ds["trajectory"].values)},
    )


def trajectory_grid(trajectories: int) -> Any:
    """The grid of trajectories 0 … M − 1 (one axis ``trajectory``).

    Raises:
        ParameterError: Unless ``trajectories`` is a whole number >= 1.
    """
    from vlaser.scan.grid import Axis, Grid

    if isinstance(trajectories, bool) or not isinstance(trajectories, int) or trajectories < 1:
        raise ParameterError("trajectories", trajectories, "a whole number >= 1")
    return Grid((Axis("trajectory", np.arange(trajectories, dtype=float), "linear"),))


def simulate_stored(
    params: Any,
    store: str | os.PathLike[str],
    *,
    trajectories: int,
    p0: float = 100.0,
    phase0: float = 0.0,
    chunk_size: int | None = None,
    executor: Any = None,
    on_chunk_done: Any = None,
    **options: Any,
) -> Any:
    """:func:`vlaser.motion.simulate` through the scan layer, checkpointed in ``store``.

    The trajectories are solved chunk by chunk into ``store`` (``*.zarr`` or ``*.nc``);
    a run that was interrupted continues where it stopped, and a store left by other
    settings (another scan) is replaced. The result equals ``simulate(params, ...)``
    with the same settings bit for bit.

    Args:
        params: Scalar :class:`vlaser.params.AtomParams`.
        store: Checkpoint path.
        trajectories: Number M of trajectories (numbers 0 … M − 1).
        p0: Initial momentum per axis (ħk_i).
        phase0: Initial k_i r_i (rad).
        chunk_size: Trajectories per chunk (the unit of resumption; default 10).
        executor: Executor of :func:`vlaser.scan.run_scan` (default: in this process).
        on_chunk_done: Progress callback ``(done, total)``.
        **options: The options of :class:`MotionTrajectoriesAdapter` (``t_max``,
            ``samples``, ``seed``, ``dt``, ...).

    Returns:
        :class:`vlaser.motion.MotionResult`.
    """
    from vlaser.errors import StoreMismatchError
    from vlaser.params import AtomParams
    from vlaser.scan.run import run_scan

    if not isinstance(params, AtomParams) or params.shape != ():
        raise ParameterError("params", params, "a scalar AtomParams")
    grid = trajectory_grid(trajectories)
    fixed = {**{k: float(v) for k, v in params.values().items()}, "p0": p0, "phase0": phase0}
    kwargs = dict(
        store=store,
        executor=executor,
        chunk_size=chunk_size,
        options=options,
        on_chunk_done=on_chunk_done,
    )
    try:
        ds = run_scan(MotionTrajectoriesAdapter.name, grid, fixed, resume=True, **kwargs)
    except StoreMismatchError:
        ds = run_scan(MotionTrajectoriesAdapter.name, grid, fixed, overwrite=True, **kwargs)
    try:
        return motion_result(ds)
    finally:
        ds.close()


register_solver(MotionTrajectoriesAdapter())

__all__ = ["MotionTrajectoriesAdapter", "motion_result", "simulate_stored", "trajectory_grid"]
