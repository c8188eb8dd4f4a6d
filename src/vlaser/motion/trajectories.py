"""Semiclassical quantum-jump trajectories of a V atom in two standing-wave pumps.

Model (paper Sec. IV, eqs. 12-15; ``shared/conventions.md``, Motion). The internal
state is a Monte-Carlo wave function under

    H = Σ_{i=2,3} [ −Δ_i σ_ii + Ω_i cos(k_i r_i) (σ_i1 + σ_1i) ],   k2 ⟂ k3,

with the jump operators √Γ2 σ12, √Γ3 σ13, √ν2 σ22, √ν3 σ33 (the pump linewidths
ν_i D[σ_ii]) and √Γ23 σ32. Position and momentum along the two pump axes are classical.
Dimensionless variables: phases φ_i = k_i r_i and momenta P_i = p_i/ħk_i, so

    dφ_i/dt = 2 ω_r,i P_i,                 ω_r,i = ħ k_i²/2m  (units of Γ3),
    dP_i/dt = Ω_i sin φ_i · 2 Re<σ_1i>,     (−<∂H/∂r_i> in units of ħk_i Γ3)

and a spontaneous decay of |j> changes P_i by s_i k_j/k_i (s uniform on the unit
sphere, s_2 and s_3 its components along k2 and k3; eq. 15). Dephasing jumps and the
Γ23 channel (whose photon is not specified by the paper) give no kick. The force
follows from −∂H/∂r_i = k_i Ω_i sin(k_i r_i)(σ_i1 + σ_1i), i.e. the paper's eq. (14).

Observables (units of ħΓ3): kinetic energy per axis E_i = <p_i²>/2m = ω_r,i <P_i²>,
temperature k_B T_i = <p_i²>/m = 2 E_i, the inversion <σ22> − <σ11> of the normalized
state, averaged over trajectories.

Integrator and its accuracy. Each step of length h ≤ ``dt`` solves dψ/dt = −iH_eff ψ
with the position moving at the momentum of the step start; ψ is an exact Taylor
polynomial in time whose remainder is below 1e-14 |ψ| (order from the bound
x^(K+1)/(K+1)! e^x, x = ‖H_eff‖ h; the moving coupling cos(φ_i + 2 ω_r,i P_i τ)
enters through its Taylor series in τ, terms below 1e-17 dropped); the jump time solves
|ψ|² = ξ on that polynomial; force and populations are integrated by Gauss-Legendre
quadrature of the normalized state (6 nodes for x ≤ 1.5, 8 up to x = 3.5; relative
error below 1e-9 for integrands oscillating at up to 2‖H_eff‖). A ``dt`` with x > 3.5
is refused as too coarse (the Taylor series would lose digits to cancellation and the
quadrature its accuracy). Steps are subdivided automatically so that the phase
advance 2 ω_r |P| h stays below 0.1 rad and so that they end on the sample times.

The one approximation beyond round-off is the classical coupling: inside a step H sees
the momentum of the step start (the phase and momentum at the step end include the
exact force integrals). In a closed system (no decay) E_kin + <H> is an invariant of
eqs. (13-14); this splitting makes it grow by ω_r A² ω² h³/12 per unit time for a force
oscillating with amplitude A at frequency ω (derived in ``tests/motion/test_energy.py``,
where the invariant is checked). With the default step x = 1.2 this numerical heating is
3.4e-8 ħΓ3 per 1/Γ3 for the closed 88Sr atom at the lasing point, about 1 % of the
recoil heating there (~3.6e-6 ħΓ3 per 1/Γ3 and axis); it scales as dt³.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from vlaser.errors import ParameterError
from vlaser.motion import kernel as _k
from vlaser.params import AtomParams
from vlaser.species import Species, get_species

#: Largest ‖H_eff‖·dt accepted (Taylor series beyond this lose digits to cancellation).
MAX_STEP_NORM = 3.5
#: Default ‖H_eff‖·dt.
DEFAULT_STEP_NORM = 1.2
#: Largest phase advance 2 ω_r |P| h of one step (rad); steps are subdivided to keep it.
THETA_MAX = 0.1
#: Width (rad) on either side of a node within which an atom counts as "at a node".
NODE_HALF_WIDTH = math.pi / 20.0

ProgressCallback = Callable[[int, int], None]


def heff_norm(params: AtomParams) -> float:
    """Upper bound (Frobenius norm, |cos| ≤ 1) of the spectral norm of H_eff, in Γ3.

    This is the fastest rate of the internal dynamics; it sets the largest step.
    """
    d1 = complex(-params.delta2, -0.5 * (params.gamma2 + params.nu2 + params.gamma23))
    d2 = complex(-params.delta3, -0.5 * (params.gamma3 + params.nu3))
    return math.sqrt(2 * params.omega2**2 + 2 * params.omega3**2 + abs(d1) ** 2 + abs(d2) ** 2)


def max_dt(params: AtomParams) -> float:
    """Largest accepted time step (1/Γ3) for these parameters: 3.5/‖H_eff‖."""
    return MAX_STEP_NORM / heff_norm(params)


def _gauss(x: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes in [0, 1] and weights summing to 1."""
    n = 6 if x <= 1.5 else 8
    xs, ws = np.polynomial.legendre.leggauss(n)
    return 0.5 * (xs + 1.0), 0.5 * ws


def _as_pair(value: float | Sequence[float], name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=float).reshape(-1)
    if arr.size == 1:
        arr = np.repeat(arr, 2)
    if arr.size != 2 or not np.all(np.isfinite(arr)):
        raise ParameterError(name, value, "a finite number or a pair (axis k2, axis k3)")
    return arr


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(name, value, "a whole number >= 1")
    return int(value)


def _positive(value: Any, name: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a finite number > 0") from None
    if not math.isfinite(x) or x <= 0:
        raise ParameterError(name, value, "a finite number > 0")
    return x


@dataclass(frozen=True)
class MotionSetup:
    """Validated inputs of a trajectory run (see :func:`simulate`)."""

    params: AtomParams
    trajectories: int
    t_max: float
    samples: int
    seed: int
    dt: float
    recoil: np.ndarray
    k_ratio: float
    p0: np.ndarray
    phase0: np.ndarray
    initial_level: int
    p_max: float
    dynamic: bool
    species: str

    @property
    def times(self) -> np.ndarray:
        """Sample times, shape (samples,), from 0 to t_max (1/Γ3)."""
        return np.linspace(0.0, self.t_max, self.samples)

    def kernel_params(self) -> np.ndarray:
        """Parameter vector of :func:`vlaser.motion.kernel.run_block`."""
        p = self.params
        par = np.zeros(_k.N_PARAMS)
        par[_k.P_OMEGA2] = p.omega2
        par[_k.P_OMEGA3] = p.omega3
        par[_k.P_DELTA2] = p.delta2
        par[_k.P_DELTA3] = p.delta3
        par[_k.P_GAMMA2] = p.gamma2
        par[_k.P_GAMMA3] = p.gamma3
        par[_k.P_NU2] = p.nu2
        par[_k.P_NU3] = p.nu3
        par[_k.P_GAMMA23] = p.gamma23
        par[_k.P_RECOIL2] = self.recoil[0]
        par[_k.P_RECOIL3] = self.recoil[1]
        par[_k.P_K32] = self.k_ratio
        par[_k.P_HNORM] = heff_norm(p)
        par[_k.P_HMAX] = self.dt
        par[_k.P_THETA_MAX] = THETA_MAX
        par[_k.P_PMAX] = self.p_max
        par[_k.P_DYNAMIC] = 1.0 if self.dynamic else 0.0
        par[_k.P_LEVEL0] = self.initial_level
        par[_k.P_P0 : _k.P_P0 + 2] = self.p0
        par[_k.P_PHI0 : _k.P_PHI0 + 2] = self.phase0
        return par

    def seeds(self) -> np.ndarray:
        """uint64 (trajectories, 4): per-trajectory generator states from the master seed."""
        return trajectory_seeds(self.seed, np.arange(self.trajectories))


def trajectory_seeds(seed: int, indices: Sequence[int] | np.ndarray) -> np.ndarray:
    """Generator states of trajectories ``indices`` of a run with master ``seed``.

    Trajectory j uses the j-th child of ``numpy.random.SeedSequence(seed)`` (the same as
    ``SeedSequence(seed).spawn(n)[j]`` for any n > j), so any subset of trajectories can
    be run anywhere, in any order, with the same result.

    Args:
        seed: Master seed (>= 0).
        indices: Trajectory numbers (whole numbers >= 0), shape (m,).

    Returns:
        uint64 array (m, 4).
    """
    idx = [int(j) for j in np.asarray(indices).reshape(-1)]
    if not idx:
        return np.zeros((0, 4), dtype=np.uint64)
    return np.stack(
        [
            np.random.SeedSequence(int(seed), spawn_key=(j,)).generate_state(4, dtype=np.uint64)
            for j in idx
        ]
    )


def make_setup(
    params: AtomParams,
    *,
    trajectories: int,
    t_max: float,
    seed: int = 0,
    samples: int = 201,
    dt: float | None = None,
    species: str | Species = "sr88",
    recoil: Sequence[float] | None = None,
    k_ratio: float | None = None,
    p0: float | Sequence[float] = 100.0,
    phase0: float | Sequence[float] = 0.0,
    initial_level: int = 1,
    p_max: float = 1e4,
    dynamic: bool = True,
) -> MotionSetup:
    """Validate the settings of a trajectory run and choose the step.

    Args:
        params: Pump and decay parameters (scalars, units of Γ3).
        trajectories: Number M of independent trajectories.
        t_max: Duration (1/Γ3).
        seed: Master seed; trajectory j uses the j-th child of
            ``numpy.random.SeedSequence(seed)``, so results do not depend on how the
            trajectories are split into chunks or processes.
        samples: Number of sample times, evenly spaced from 0 to ``t_max``.
        dt: Largest integration step (1/Γ3); default 1.2/‖H_eff‖; above 3.5/‖H_eff‖ it is
            refused (:func:`max_dt`).
        species: Species preset for the recoil frequencies and k3/k2 (default 88Sr,
            mass 87.906 u from the preset).
        recoil: Override (ω_r2, ω_r3) = ħk_i²/2m in units of Γ3; (0, 0) freezes the
            motion (infinite mass).
        k_ratio: Override k3/k2 (the kick projection ratio).
        p0: Initial momentum P_i = p_i/ħk_i (one number for both axes, or a pair).
        phase0: Initial φ_i = k_i r_i (rad); 0 is a pump antinode.
        initial_level: Initial internal state |1>, |2> or |3>.
        p_max: A trajectory with |P_i| > p_max is stopped (escaped; NaN afterwards).
        dynamic: False holds P fixed (prescribed uniform motion; the force is only
            recorded in ``force_impulse``).

    Returns:
        The validated :class:`MotionSetup`.

    Raises:
        ParameterError: For invalid input, including a too-coarse ``dt``.
    """
    if not isinstance(params, AtomParams):
        raise ParameterError("params", type(params).__name__, "an AtomParams")
    if params.shape != ():
        raise ParameterError("params", params.shape, "a single parameter point (scalars)")
    trajectories = _positive_int(trajectories, "trajectories")
    samples = _positive_int(samples, "samples")
    if samples < 2:
        raise ParameterError("samples", samples, "a whole number >= 2")
    t_max = _positive(t_max, "time")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", seed, "a whole number >= 0")
    sp = get_species(species)
    norm = heff_norm(params)
    limit = MAX_STEP_NORM / norm
    if dt is None:
        dt = DEFAULT_STEP_NORM / norm
    else:
        dt = _positive(dt, "dt")
        if dt > limit * (1 + 1e-12):
            raise ParameterError(
                "dt",
                dt,
                f"at most {limit:.4g} (1/Γ3): the fastest rate of H_eff is {norm:.4g} Γ3 "
                f"and a step may span at most {MAX_STEP_NORM:g} radians of it",
            )
    if recoil is None:
        rec = np.array([sp.recoil_energy(2), sp.recoil_energy(3)])
    else:
        rec = _as_pair(recoil, "recoil")
        if np.any(rec < 0):
            raise ParameterError("recoil", recoil, "recoil frequencies >= 0 (units of Γ3)")
    kr = sp.k(3) / sp.k(2) if k_ratio is None else _positive(k_ratio, "k_ratio")
    if initial_level not in (1, 2, 3):
        raise ParameterError("initial_level", initial_level, "1, 2 or 3")
    return MotionSetup(
        params=params,
        trajectories=trajectories,
        t_max=t_max,
        samples=samples,
        seed=int(seed),
        dt=float(dt),
        recoil=rec,
        k_ratio=float(kr),
        p0=_as_pair(p0, "p0"),
        phase0=_as_pair(phase0, "phase0"),
        initial_level=int(initial_level),
        p_max=_positive(p_max, "p_max"),
        dynamic=bool(dynamic),
        species=sp.name,
    )


def _run_chunk(setup: MotionSetup, seeds: np.ndarray) -> dict[str, np.ndarray]:
    """Run the kernel for the trajectories whose generator states are ``seeds``."""
    m = seeds.shape[0]
    traces = np.empty((m, setup.samples, _k.N_TRACES))
    totals = np.zeros((m, _k.N_TOTALS))
    jumps = np.zeros((m, len(_k.CHANNELS)), dtype=np.int64)
    alive = np.ones(m, dtype=np.bool_)
    nodes, weights = _gauss(heff_norm(setup.params) * setup.dt)
    # numba's threads take one trajectory at a time (escaping trajectories end early)
    with numba.parallel_chunksize(1):
        _k.run_block(
            setup.kernel_params(),
            setup.times,
            nodes,
            weights,
            np.ascontiguousarray(seeds),
            traces,
            totals,
            jumps,
            alive,
        )
    return {"traces": traces, "totals": totals, "jumps": jumps, "alive": alive}


def _worker_chunk(setup: MotionSetup, seeds: np.ndarray) -> dict[str, np.ndarray]:
    numba.set_num_threads(1)
    return _run_chunk(setup, seeds)


def simulate(
    params: AtomParams,
    *,
    processes: int = 1,
    progress: ProgressCallback | None = None,
    **options: Any,
) -> MotionResult:
    """Run many semiclassical quantum-jump trajectories (paper Sec. IV).

    Args:
        params: Pump and decay parameters (scalars, units of Γ3).
        processes: Split the trajectories over this many worker processes (one numba
            thread each). With 1 (default) they run in this process on numba's threads,
            all cores unless limited by ``numba.set_num_threads``. The results are the
            same in every case.
        progress: Called as ``progress(done, total)`` after each chunk.
        **options: The run settings of :func:`make_setup` (``trajectories`` and
            ``t_max`` required; ``seed``, ``samples``, ``dt``, ``species``, ``recoil``,
            ``k_ratio``, ``p0``, ``phase0``, ``initial_level``, ``p_max``, ``dynamic``).

    Returns:
        :class:`MotionResult` with per-trajectory samples.

    Raises:
        ParameterError: For invalid input, including a too-coarse ``dt``.

    Example:
        >>> r = simulate(AtomParams.paper(), trajectories=4, t_max=50.0, seed=1)
        >>> r.kinetic_energy()[0].shape
        (201, 2)
    """
    unknown = sorted(set(options) - set(inspect.signature(make_setup).parameters))
    if unknown:
        raise ParameterError("option", unknown[0], "a keyword of vlaser.motion.make_setup")
    setup = make_setup(params, **options)
    processes = _positive_int(processes, "processes")
    seeds = setup.seeds()
    m = setup.trajectories
    # in this process every chunk is shared by numba's threads: give each thread one
    # trajectory per chunk at least (progress is reported after each chunk)
    per_chunk = numba.get_num_threads() if processes == 1 else 1
    n_chunks = max(1, min(m // per_chunk, 20 if progress is not None else processes))
    bounds = np.linspace(0, m, n_chunks + 1).round().astype(int)
    pieces: list[dict[str, np.ndarray]] = []
    if processes == 1:
        for c in range(n_chunks):
            pieces.append(_run_chunk(setup, seeds[bounds[c] : bounds[c + 1]]))
            if progress is not None:
                progress(int(bounds[c + 1]), m)
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
            futures = [
                pool.submit(_worker_chunk, setup, seeds[bounds[c] : bounds[c + 1]])
                for c in range(n_chunks)
            ]
            for c, fut in enumerate(futures):
                pieces.append(fut.result())
                if progress is not None:
                    progress(int(bounds[c + 1]), m)
    data = {key: np.concatenate([p[key] for p in pieces]) for key in pieces[0]}
    return result_from_kernel(setup, data)


def result_from_kernel(setup: MotionSetup, data: dict[str, np.ndarray]) -> MotionResult:
    """:class:`MotionResult` from the arrays of :func:`_run_chunk` (M trajectories)."""
    tr = data["traces"]
    tot = data["totals"]
    return MotionResult(
        setup=setup,
        populations=tr[..., _k.T_POP : _k.T_POP + 3],
        interval_populations=tr[..., _k.T_IPOP : _k.T_IPOP + 3],
        momentum=tr[..., _k.T_P : _k.T_P + 2],
        phase=np.mod(tr[..., _k.T_PHI : _k.T_PHI + 2] + np.pi, 2 * np.pi) - np.pi,
        coherences=tr[..., _k.T_COH : _k.T_COH + 4 : 2]
        + 1j * tr[..., _k.T_COH + 1 : _k.T_COH + 4 : 2],
        jumps=data["jumps"],
        force_impulse=tot[:, _k.S_FORCE : _k.S_FORCE + 2],
        kick_impulse=tot[:, _k.S_KICK : _k.S_KICK + 2],
        work=np.stack(
            [tot[:, _k.S_WFORCE : _k.S_WFORCE + 2], tot[:, _k.S_WKICK : _k.S_WKICK + 2]], axis=-1
        ),
        alive=data["alive"],
    )


def running_mean(x: np.ndarray, window: int = 50) -> np.ndarray:
    """Trailing running mean over ``window`` samples along the last axis (NaN-free input).

    The first ``window − 1`` entries average the samples available so far.
    """
    x = np.asarray(x, dtype=float)
    c = np.cumsum(x, axis=-1)
    out = c.copy()
    out[..., window:] = c[..., window:] - c[..., :-window]
    n = np.minimum(np.arange(1, x.shape[-1] + 1), window)
    return out / n


@dataclass(frozen=True)
class MotionResult:
    """Samples of M trajectories at ``times`` (units: Γ3, ħk_i, ħΓ3).

    Attributes:
        setup: The validated inputs.
        populations: (M, n_t, 3) normalized populations <σ11>, <σ22>, <σ33> at the samples.
        interval_populations: (M, n_t, 3) their time averages over the preceding sample
            interval (entry 0: the initial populations).
        momentum: (M, n_t, 2) P_i = p_i/ħk_i along k2 and k3.
        phase: (M, n_t, 2) φ_i = k_i r_i wrapped to [−π, π) (0: antinode).
        coherences: (M, n_t, 2) complex <σ12>, <σ13> of the normalized state.
        jumps: (M, 5) counts of the channels ``kernel.CHANNELS``.
        force_impulse: (M, 2) ∫ F_i dt (units ħk_i).
        kick_impulse: (M, 2) Σ recoil kicks (units ħk_i).
        work: (M, 2, 2) kinetic-energy change along axis i (ħΓ3) caused by the force
            ([:, i, 0]) and by the recoil kicks ([:, i, 1]); E_i(T) − E_i(0) is their sum.
        alive: (M,) False for trajectories stopped at |P| > p_max (NaN after that).
    """

    setup: MotionSetup
    populations: np.ndarray
    interval_populations: np.ndarray
    momentum: np.ndarray
    phase: np.ndarray
    coherences: np.ndarray
    jumps: np.ndarray
    force_impulse: np.ndarray
    kick_impulse: np.ndarray
    work: np.ndarray
    alive: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def times(self) -> np.ndarray:
        """Sample times (1/Γ3), shape (n_t,)."""
        return self.setup.times

    @property
    def trajectories(self) -> int:
        """Number of trajectories M."""
        return self.setup.trajectories

    @property
    def escaped_fraction(self) -> float:
        """Fraction of trajectories stopped at |P| > p_max."""
        return float(np.mean(~self.alive))

    def _mean_err(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean over trajectories (axis 0, NaN skipped) and its standard error."""
        n = np.sum(np.isfinite(x), axis=0)
        mean = _safe_nanmean(x)
        sd = np.sqrt(np.nansum((x - mean) ** 2, axis=0) / np.maximum(n - 1, 1))
        return mean, sd / np.sqrt(np.maximum(n, 1))

    def kinetic_energy(self) -> tuple[np.ndarray, np.ndarray]:
        """E_i = <p_i²>/2m = ω_r,i <P_i²> (ħΓ3), shape (n_t, 2), with its standard error."""
        mean, err = self._mean_err(self.momentum**2)
        return mean * self.setup.recoil, err * self.setup.recoil

    def kbt(self) -> tuple[np.ndarray, np.ndarray]:
        """k_B T_i = <p_i²>/m = 2 E_i (ħΓ3), shape (n_t, 2), with its standard error."""
        e, err = self.kinetic_energy()
        return 2 * e, 2 * err

    def inversion(self, interval: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """<σ22> − <σ11> averaged over trajectories, shape (n_t,), with standard error.

        Args:
            interval: Use the averages over each sample interval instead of the
                instantaneous values.
        """
        pops = self.interval_populations if interval else self.populations
        return self._mean_err(pops[..., 1] - pops[..., 0])

    def populations_mean(self, interval: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Trajectory-averaged populations (n_t, 3) and standard errors."""
        pops = self.interval_populations if interval else self.populations
        return self._mean_err(pops)

    def node_fraction(self) -> np.ndarray:
        """Fraction of trajectories within π/20 of a field node (|φ_i| ≈ π/2), (n_t, 2).

        Uniformly spread atoms give 0.1; atoms trapped at nodes give values near 1.
        """
        dist = np.abs(np.abs(self.phase) - np.pi / 2)
        at_node = np.where(np.isfinite(self.phase), dist < NODE_HALF_WIDTH, np.nan)
        return _safe_nanmean(at_node)

    def late_average(self, values: np.ndarray, start: float) -> tuple[float, float]:
        """Mean over trajectories of each trajectory's time average of ``values``
        (M, n_t, ...) over samples with t >= ``start``, and its standard error."""
        sel = self.times >= start
        per_traj = _safe_nanmean(values[:, sel], axis=1)
        mean, err = self._mean_err(per_traj)
        return mean, err

    def late_kbt(self, start: float) -> tuple[np.ndarray, np.ndarray]:
        """Time-averaged k_B T_i (ħΓ3) over t >= start, shape (2,), with standard error."""
        mean, err = self.late_average(self.momentum**2, start)
        return 2 * mean * self.setup.recoil, 2 * err * self.setup.recoil

    def late_inversion(self, start: float) -> tuple[float, float]:
        """Time-averaged inversion over t >= start (interval averages), with error."""
        pops = self.interval_populations
        mean, err = self.late_average(pops[..., 1] - pops[..., 0], start)
        return float(mean), float(err)

    def energy_budget(self) -> dict[str, list[float]]:
        """Mean kinetic-energy change per axis (ħΓ3) over the run, split into the work of
        the force and of the recoil kicks, with standard errors (lists [k2, k3]).

        ``force < 0`` means the pumps cool along that axis; the kick part is the
        recoil heating. Their sum is E_i(T) − E_i(0) per trajectory.
        """
        out: dict[str, list[float]] = {}
        for k, name in enumerate(("force", "kicks")):
            mean, err = self._mean_err(self.work[:, :, k])
            out[name] = mean.tolist()
            out[f"{name}_err"] = err.tolist()
        return out

    def summary(self, window: int = 50) -> dict[str, Any]:
        """Final-time numbers (JSON-friendly; units of Γ3 and ħΓ3).

        ``inversion_mean`` is the trailing ``window``-sample running mean of the
        interval-averaged inversion at the final time (as plotted in Fig. 8).
        """
        e, e_err = self.kinetic_energy()
        inv_i, _ = self.inversion(interval=True)
        inv, inv_err = self.inversion()
        rm = running_mean(np.nan_to_num(inv_i), window)
        s = self.setup
        return {
            "time": s.t_max,
            "trajectories": s.trajectories,
            "seed": s.seed,
            "kinetic_energy": e[-1].tolist(),
            "kinetic_energy_err": e_err[-1].tolist(),
            "kbt": (2 * e[-1]).tolist(),
            "kbt_err": (2 * e_err[-1]).tolist(),
            "kinetic_energy_initial": e[0].tolist(),
            "inversion_mean": float(rm[-1]),
            "inversion_final": float(inv[-1]),
            "inversion_final_err": float(inv_err[-1]),
            "node_fraction": self.node_fraction()[-1].tolist(),
            "energy_change": self.energy_budget(),
            "escaped_fraction": self.escaped_fraction,
            "jumps_per_trajectory": dict(
                zip(_k.CHANNELS, np.mean(self.jumps, axis=0).tolist(), strict=True)
            ),
            "recoil": s.recoil.tolist(),
            "dt": s.dt,
            "species": s.species,
            "params": s.params.to_dict(),
        }

    def to_dataset(self) -> Any:
        """Trajectory-averaged time traces as an ``xarray.Dataset`` with provenance."""
        import xarray as xr

        from vlaser.io import provenance

        e, e_err = self.kinetic_energy()
        inv, inv_err = self.inversion()
        inv_i, _ = self.inversion(interval=True)
        pops, _ = self.populations_mean()
        s = self.setup
        axis = ["k2", "k3"]
        ds = xr.Dataset(
            {
                "kinetic_energy": (("time", "axis"), e, {"units": "hbar*Gamma3"}),
                "kinetic_energy_err": (("time", "axis"), e_err, {"units": "hbar*Gamma3"}),
                "kbt": (("time", "axis"), 2 * e, {"units": "hbar*Gamma3"}),
                "inversion": ("time", inv, {"long_name": "<s22> - <s11> (instantaneous)"}),
                "inversion_err": ("time", inv_err),
                "inversion_interval": ("time", inv_i, {"long_name": "interval average"}),
                "populations": (("time", "level"), pops),
                "node_fraction": (("time", "axis"), self.node_fraction()),
            },
            coords={
                "time": ("time", self.times, {"units": "1/Gamma3"}),
                "axis": axis,
                "level": [1, 2, 3],
            },
            attrs=provenance(
                model="semiclassical MCWF, paper Sec. IV",
                params=s.params.to_dict(),
                trajectories=s.trajectories,
                seed=s.seed,
                dt=s.dt,
                recoil=s.recoil.tolist(),
                k_ratio=s.k_ratio,
                p0=s.p0.tolist(),
                phase0=s.phase0.tolist(),
                species=s.species,
                escaped_fraction=self.escaped_fraction,
            ),
        )
        return ds


def _safe_nanmean(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Mean over ``axis`` ignoring NaN; NaN (no warning) where all values are NaN."""
    n = np.sum(np.isfinite(x), axis=axis)
    total = np.nansum(x, axis=axis)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)
