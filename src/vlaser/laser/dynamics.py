"""Time evolution of the laser's cumulant equations, at any order, and what they settle to.

:func:`evolve` integrates the closed equations of :func:`~vlaser.laser.equations.laser_equations`
from a stated initial state over a time span (adaptive explicit Runge–Kutta in numba,
:mod:`vlaser.cumulants.integrate`) and returns the traces n(t) = ⟨a†a⟩, |⟨a⟩|²(t) and the
inversion, with exact time averages and extremes per sample interval, and the
long-time behaviour (:func:`classify`).

**Initial states** (``initial``):

* ``"fixed-point"``: the fixed point of the same equations (:func:`~vlaser.laser.steady.steady_state`),
  displaced by ``perturbation · (1 + max|x|)`` along its least stable eigenvector
  (real part, scaled to max 1; plus 1e-3 of seeded noise), so an unstable fixed point
  is left along its unstable mode and a stable one relaxes back;
* ``"uncoupled"``: the g = 0 fixed point (atoms driven by the pumps, empty cavity);
* ``"ground"``: every atom in |1> and the cavity in vacuum (all averages zero);
* a file: JSON ``{"averages": {"⟨a†a⟩": 1.0, "⟨a⟩": [re, im], ...}}`` naming every
  average of the system (as ``vlaser laser equations --json`` lists them) or every
  average of a lower order (then lifted, :mod:`vlaser.laser.hierarchy`), or a NetCDF/
  Zarr store written by ``vlaser laser dynamics`` (its final state). A given state must
  pass the admissibility checks (:mod:`vlaser.cumulants.admissible`: populations in
  [0, 1], |⟨a⟩|² ≤ ⟨a†a⟩, Cauchy–Schwarz, collective variances).

**Frame.** The equations are integrated in a frame rotating at ω per unit of the
excitation charge Q = a†a + S2 (y = x·e^{imωt}, exact; the traces are returned in the
pump frame). ``frame="cavity"`` (default) takes ω = Δc, in which a field at the
cavity frequency, the laser's large moments ⟨a⟩, ⟨a†a²⟩, ⟨a³⟩, stands still; the
fastest Jacobian rotations drop from 12.5 (order 2) / 18.8 (order 3) Γ3 to 3.7 / 5.5 Γ3
at the paper's point, and the steps grow about fivefold. ``"pump"`` is ω = 0.

**Long-time behaviour** (:func:`classify`, criterion :data:`CRITERION`): from the last
half of the run, cut into 8 blocks, each with its time-averaged n (m_b) and the range
of n inside it (e_b = max − min), E the range over the window, n̄ its mean:

* ``fixed-point``: E ≤ 1e-4·|n̄| (no motion left at that level);
* ``limit-cycle``: every block sees the same oscillation: (max e_b − min e_b) ≤ 0.1·ē
  and (max m_b − min m_b) ≤ 0.1·ē (ē the mean of e_b): a steady periodic motion whose
  period is below the block length T/16 (T the length of the run);
* ``drift``: the block ranges or means change monotonically (|Pearson r| ≥ 0.9 against
  the block number) by more than 25 % (ranges) or 0.1·ē (means): a decaying or
  growing oscillation, or a slow trend, not settled within the run;
* ``irregular``: bounded motion that is none of these (bursts, quasi-periodic or
  chaotic motion, or a cycle longer than T/16);
* ``diverged``: the integration blew up (non-finite, or max|x| above 1e6 of its start).

The ``period`` is the dominant period of n over the last accepted steps (up to 8192,
resampled uniformly, largest Fourier peak), ``amplitude`` half the range of n over the
window, ``mean_photons`` and ``mean_coherent`` time averages over the window.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vlaser.errors import ParameterError
from vlaser.laser.equations import LaserSystem, laser_equations
from vlaser.params import LaserParams

if TYPE_CHECKING:
    from vlaser.cumulants.projective import Projective

#: Initial states by name (a path to a file is the other option).
INITIAL_STATES = ("fixed-point", "uncoupled", "ground")
#: Long-time classes.
CLASSES = ("fixed-point", "limit-cycle", "drift", "irregular", "diverged", "incomplete")
#: Frames of the integration (or a number: ω in Γ3).
FRAMES = ("cavity", "pump")

#: The classification criterion, as stored with every result.
CRITERION = (
    "window = last half of the run, 8 blocks; m_b = time-averaged n per block, e_b = range "
    "(max - min) of n per block, E = range over the window, n_mean its time average. "
    "fixed-point: E <= 1e-4 |n_mean|; limit-cycle: spread of e_b <= 0.1 mean(e_b) and "
    "spread of m_b <= 0.1 mean(e_b); drift: e_b or m_b monotone in the block number "
    "(|Pearson r| >= 0.9) and changing by > 25 % (e_b) or > 0.1 mean(e_b) (m_b); "
    "irregular: otherwise; diverged: the integration blew up"
)
FP_TOL = 1e-4
CYCLE_TOL = 0.1
BLOCKS = 8


@dataclass
class LongTime:
    """What a trajectory settles to (see :data:`CRITERION`).

    Attributes:
        kind: One of :data:`CLASSES`.
        mean_photons: Time-averaged n over the window.
        mean_coherent: Time-averaged |⟨a⟩|² over the window.
        coherent_fraction: ``mean_coherent / mean_photons``.
        amplitude: Half the range of n over the window.
        period: Dominant period of n at the end of the run (1/Γ3), ``None`` if none.
        window: ``(start, end)`` of the analysed window (1/Γ3).
        detail: One plain-language line with the numbers behind the verdict.
    """

    kind: str
    mean_photons: float
    mean_coherent: float
    coherent_fraction: float
    amplitude: float
    period: float | None
    window: tuple[float, float]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["window"] = list(self.window)
        out["criterion"] = CRITERION
        return out


@dataclass
class LaserDynamics:
    """Result of :func:`evolve`.

    Attributes:
        params: The parameters (one point).
        order: Cumulant order.
        equations: Number of equations.
        initial: Description of the initial state.
        t: Sample times (1/Γ3).
        photons, coherent_photons, inversion: n, |⟨a⟩|², ⟨σ22⟩ − ⟨σ11⟩ at the samples.
        field: ⟨a⟩ at the samples (pump frame; 0 where the system has no ⟨a⟩).
        interval: Per interval ending at each sample: ``photons_mean``, ``photons_min``,
            ``photons_max``, ``coherent_mean``, ``coherent_min``, ``coherent_max``.
        x_final: The real variables at the last sample reached.
        long_time: :class:`LongTime`.
        status: ``"done"`` or why the integration stopped.
        steps, evaluations: Runge–Kutta steps and right-hand-side evaluations.
        wall_time: Seconds spent integrating.
        settings: Integrator settings (method, rtol, frame ω, perturbation, seed; with
            projective integration its settings, jumps, time covered by jumps and the
            stroboscopic period).
        fixed_point: For ``initial="fixed-point"``: its photons, max growth rate,
            stability, method; else ``None``.
    """

    params: LaserParams
    order: int
    equations: int
    initial: str
    t: np.ndarray
    photons: np.ndarray
    coherent_photons: np.ndarray
    inversion: np.ndarray
    field: np.ndarray
    interval: dict[str, np.ndarray]
    x_final: np.ndarray
    long_time: LongTime
    status: str
    steps: int
    evaluations: int
    wall_time: float
    settings: dict[str, Any]
    fixed_point: dict[str, Any] | None = None
    names: list[str] = field(default_factory=list, repr=False)
    real: list[bool] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (no traces)."""
        return {
            "order": self.order,
            "equations": self.equations,
            "initial": self.initial,
            "t_start": float(self.t[0]),
            "t_end": float(self.t[-1]),
            "samples": int(self.t.size),
            "status": self.status,
            "steps": self.steps,
            "evaluations": self.evaluations,
            "wall_time_s": self.wall_time,
            "settings": self.settings,
            "fixed_point": self.fixed_point,
            "long_time": self.long_time.to_dict(),
            "final": {
                "photons": float(self.photons[-1]),
                "coherent_photons": float(self.coherent_photons[-1]),
                "inversion": float(self.inversion[-1]),
            },
        }

    def to_dataset(self) -> Any:
        """An ``xarray.Dataset`` of the traces, the final state and the verdict."""
        import xarray as xr

        from vlaser.io import provenance

        data = {
            "photons": ("time", self.photons, {"long_name": "n = <a†a>"}),
            "coherent_photons": ("time", self.coherent_photons, {"long_name": "|<a>|^2"}),
            "inversion": ("time", self.inversion, {"long_name": "<σ22> - <σ11> per atom"}),
            "field_re": ("time", self.field.real, {"long_name": "Re <a> (pump frame)"}),
            "field_im": ("time", self.field.imag, {"long_name": "Im <a> (pump frame)"}),
            "x_final": ("real_variable", self.x_final, {"long_name": "final state"}),
        }
        for key, arr in self.interval.items():
            data[f"interval_{key}"] = (
                "time",
                arr,
                {"long_name": f"{key} over the interval ending at each sample"},
            )
        attrs = provenance(
            kind="vlaser.laser.dynamics",
            params=self.params.to_dict(),
            summary=self.to_dict(),
            averages=self.names,
            real=self.real,
        )
        attrs.update(
            {
                "order": self.order,
                "long_time_class": self.long_time.kind,
                "mean_photons": self.long_time.mean_photons,
                "criterion": CRITERION,
                "initial": self.initial,
                "status": self.status,
            }
        )
        return xr.Dataset(
            data,
            coords={"time": ("time", self.t, {"units": "1/Gamma3"})},
            attrs=attrs,
        )

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_dataset` to ``path`` (``.nc`` or ``.zarr``), atomically."""
        from vlaser.io import write_dataset

        return write_dataset(self.to_dataset(), path)


# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------


def check_span(t_span: float | tuple[float, float] | list[float]) -> tuple[float, float]:
    """``(t0, t1)`` from ``T`` (start 0) or a pair; finite and t1 > t0.

    Raises:
        ParameterError: For a span that is not finite or not positive.
    """
    allowed = "a finite time span > 0 (T, or T0:T1 with T1 > T0), in 1/Γ3"
    try:
        if isinstance(t_span, tuple | list):
            t0, t1 = (float(v) for v in t_span)
        else:
            t0, t1 = 0.0, float(t_span)
    except (TypeError, ValueError):
        raise ParameterError("time", t_span, allowed) from None
    if not (math.isfinite(t0) and math.isfinite(t1)) or not t1 > t0:
        raise ParameterError("time", t_span, allowed)
    return t0, t1


def parse_time(text: str, gamma2: float) -> tuple[float, float]:
    """A time option: ``T`` or ``T0:T1`` in 1/Γ3, each optionally ``X/g2`` (X/Γ2).

    Raises:
        ParameterError: For malformed text or a span that is not finite or not > 0.
    """
    allowed = "T or T0:T1 in 1/Γ3 (or X/g2: X in 1/Γ2), finite, T1 > T0"

    def one(s: str) -> float:
        s = s.strip()
        scale = 1.0
        if s.lower().endswith("/g2"):
            s, scale = s[:-3], 1.0 / gamma2
        try:
            return float(s) * scale
        except ValueError:
            raise ParameterError("time", text, allowed) from None

    parts = str(text).split(":")
    if len(parts) not in (1, 2):
        raise ParameterError("time", text, allowed)
    try:
        return check_span(one(parts[0]) if len(parts) == 1 else tuple(map(one, parts)))
    except ParameterError:
        raise ParameterError("time", text, allowed) from None


def _frame_omega(frame: str | float, params: LaserParams) -> float:
    if isinstance(frame, int | float) and not isinstance(frame, bool):
        if not math.isfinite(float(frame)):
            raise ParameterError("frame", frame, "cavity, pump or a finite ω")
        return float(frame)
    if frame == "cavity":
        return float(params.values()["delta_c"])
    if frame == "pump":
        return 0.0
    raise ParameterError("frame", frame, "cavity, pump or a finite ω (Γ3)")


# ---------------------------------------------------------------------------
# Initial states
# ---------------------------------------------------------------------------


def _check_physical(ls: LaserSystem, p: np.ndarray, x: np.ndarray, what: str) -> None:
    """Refuse a state that fails the admissibility checks."""
    if not np.all(np.isfinite(x)):
        raise ParameterError("initial", what, "a state with finite averages")
    verdict = ls.admissibility.check(ls.compiled.unpack(x), ls.atom_counts(p))
    if not bool(verdict.physical):
        raise ParameterError(
            "initial", what, f"a physical state (violates {np.asarray(verdict.violation).item()})"
        )


def _from_averages(ls: LaserSystem, values: dict[str, Any], what: str) -> np.ndarray:
    """Real variables from ``{name: value}`` (complex as [re, im]); every average of
    ``ls`` or of a lower order (lifted)."""

    def number(v: Any) -> complex:
        if isinstance(v, list | tuple) and len(v) == 2:
            return complex(float(v[0]), float(v[1]))
        if isinstance(v, dict) and {"re", "im"} <= set(v):
            return complex(float(v["re"]), float(v["im"]))
        return complex(float(v))

    try:
        given = {str(k): number(v) for k, v in values.items()}
    except (TypeError, ValueError):
        raise ParameterError("initial", what, "averages as numbers or [re, im] pairs") from None
    for order in range(ls.order, 0, -1):
        sys_k = (
            ls
            if order == ls.order
            else laser_equations(order, ls.n_atoms, phase_invariant=ls.phase_invariant)
        )
        names = sys_k.names
        if set(names) <= set(given):
            u = np.array([given[n] for n in names])
            for k, real in enumerate(sys_k.compiled.layout.slots):
                if real[1] < 0 and abs(u[k].imag) > 1e-12 * (1 + abs(u[k])):
                    raise ParameterError("initial", what, f"a real value for {names[k]}")
            x = sys_k.compiled.pack(u)
            if order == ls.order:
                return x
            from vlaser.laser.hierarchy import lift

            return lift(sys_k, ls, x)
    missing = [n for n in ls.names if n not in given][:5]
    raise ParameterError(
        "initial",
        what,
        f"every average of an order <= {ls.order} system (missing e.g. {', '.join(missing)})",
    )


def load_state(ls: LaserSystem, path: str | Path) -> np.ndarray:
    """Real variables of ``ls`` from a JSON file or a ``laser dynamics`` store.

    Raises:
        ParameterError: For a missing or unreadable file, or averages that do not match.
    """
    path = Path(path)
    what = str(path)
    if not path.exists():
        raise ParameterError("initial", what, f"one of {', '.join(INITIAL_STATES)} or a file")
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ParameterError("initial", what, "a readable JSON file") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("averages"), dict):
            raise ParameterError("initial", what, 'a JSON object {"averages": {name: value}}')
        return _from_averages(ls, doc["averages"], what)
    if path.suffix.lower() in (".nc", ".zarr"):
        import xarray as xr

        try:
            ds = xr.open_zarr(path) if path.suffix.lower() == ".zarr" else xr.open_dataset(path)
            with ds:
                names = json.loads(ds.attrs["averages"])
                real = json.loads(ds.attrs["real"])
                xf = np.asarray(ds["x_final"].values, float)
        except Exception:
            raise ParameterError("initial", what, "a store written by laser dynamics") from None
        u, k = [], 0
        for is_real in real:
            if is_real:
                u.append(complex(xf[k]))
                k += 1
            else:
                u.append(complex(xf[k], xf[k + 1]))
                k += 2
        return _from_averages(
            ls, {n: [v.real, v.imag] for n, v in zip(names, u, strict=True)}, what
        )
    raise ParameterError("initial", what, "a .json, .nc or .zarr file")


def initial_state(
    ls: LaserSystem,
    params: LaserParams,
    p: np.ndarray,
    initial: str | Path,
    perturbation: float = 1e-4,
    seed: int = 0,
) -> tuple[np.ndarray, str, dict[str, Any] | None]:
    """``(x0, description, fixed-point info)`` for ``initial`` (module docstring)."""
    from vlaser.laser.steady import steady_state, uncoupled_state

    if isinstance(initial, str) and initial in INITIAL_STATES:
        if initial == "ground":
            return np.zeros(ls.compiled.n_real), "ground (all atoms in |1>, cavity vacuum)", None
        if initial == "uncoupled":
            x = uncoupled_state(ls, p)
            return x, "uncoupled (g = 0 fixed point: driven atoms, empty cavity)", None
        ss = steady_state(params, ls.order, system=ls, dynamics=False)
        if not bool(ss.converged):
            raise ParameterError(
                "initial", initial, f"a state that exists here (no fixed point: {ss.reason.item()})"
            )
        x = np.asarray(ss.x, float)
        jac = ls.compiled.point(p).jac(x)
        w, vecs = np.linalg.eig(jac)
        k = int(np.argmax(w.real))
        d = np.real(vecs[:, k])
        d = d + 1e-3 * np.random.default_rng(seed).normal(size=d.size)
        d /= np.max(np.abs(d))
        x0 = x + perturbation * (1.0 + float(np.max(np.abs(x)))) * d
        info = {
            "photons": float(ss.photons),
            "coherent_photons": float(ss.coherent_photons),
            "inversion": float(ss.inversion),
            "max_growth_rate": float(ss.max_growth_rate),
            "mode_frequency": float(abs(w[k].imag)),
            "stable": bool(ss.stable),
            "physical": bool(ss.physical),
            "method": str(ss.method.item()),
        }
        what = (
            f"fixed point (n = {info['photons']:.6g}, max Re λ = {info['max_growth_rate']:.3g}) "
            f"+ {perturbation:g}·(1 + max|x|) along its least stable mode"
        )
        return x0, what, info
    x = load_state(ls, initial)
    _check_physical(ls, p, x, str(initial))
    return x, f"from {initial}", None


# ---------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------


def _period(tail_t: np.ndarray, tail_n: np.ndarray) -> float | None:
    """Dominant period of n(t) over the buffered last steps (largest Fourier peak of
    the trace less its mean, :func:`~vlaser.cumulants.projective.dominant_period`)."""
    from vlaser.cumulants.projective import dominant_period

    return dominant_period(tail_t, tail_n, detrend=False)


def classify(
    t: np.ndarray,
    interval: dict[str, np.ndarray],
    tail_t: np.ndarray,
    tail_n: np.ndarray,
    status: str = "done",
) -> LongTime:
    """The long-time behaviour of a trajectory (criterion: :data:`CRITERION`).

    Args:
        t: Sample times.
        interval: Per-interval ``photons_mean/min/max`` and ``coherent_mean`` (as
            :attr:`LaserDynamics.interval`; entry k covers ``t[k-1]..t[k]``).
        tail_t, tail_n: (t, n) after the last accepted steps (for the period).
        status: The integrator's status.
    """
    nan = float("nan")
    if status != "done":
        kind = "diverged" if status == "blew up" else "incomplete"
        return LongTime(kind, nan, nan, nan, nan, None, (nan, nan), f"integration: {status}")
    t = np.asarray(t, float)
    n_mean = np.asarray(interval["photons_mean"], float)
    n_min = np.asarray(interval["photons_min"], float)
    n_max = np.asarray(interval["photons_max"], float)
    c_mean = np.asarray(interval["coherent_mean"], float)
    dt = np.diff(t, prepend=t[0])
    half = t[0] + 0.5 * (t[-1] - t[0])
    sel = np.nonzero((t > half) & (dt > 0))[0]
    if sel.size < BLOCKS:
        sel = np.nonzero(dt > 0)[0]
    w = dt[sel]
    nbar = float(np.sum(w * n_mean[sel]) / np.sum(w))
    cbar = float(np.sum(w * c_mean[sel]) / np.sum(w))
    lo, hi = float(np.min(n_min[sel])), float(np.max(n_max[sel]))
    rng = hi - lo
    window = (float(t[sel[0]] - dt[sel[0]]), float(t[sel[-1]]))
    period = _period(tail_t, tail_n)
    frac = cbar / nbar if nbar != 0 else nan
    base = dict(
        mean_photons=nbar,
        mean_coherent=cbar,
        coherent_fraction=frac,
        amplitude=0.5 * rng,
        window=window,
    )
    scale = max(abs(nbar), 1e-12)
    if rng <= FP_TOL * scale:
        return LongTime(
            "fixed-point",
            period=None,
            detail=f"n settles at {nbar:.6g} (range {rng:.3g} over the window)",
            **base,
        )
    # up to BLOCKS blocks, never an empty one (few samples: as many as intervals)
    n_blocks = min(BLOCKS, sel.size)
    if n_blocks < 3:
        return LongTime(
            "irregular",
            period=period,
            detail=(
                f"n moves (range {rng:.4g} around {nbar:.6g}) but {sel.size} sample "
                f"interval(s) are too few to tell a cycle from a drift: store more samples"
            ),
            **base,
        )
    blocks = np.array_split(sel, n_blocks)
    m_b = np.array([np.sum(dt[b] * n_mean[b]) / np.sum(dt[b]) for b in blocks])
    e_b = np.array([np.max(n_max[b]) - np.min(n_min[b]) for b in blocks])
    e_bar = float(np.mean(e_b))
    spread_e = float(np.ptp(e_b)) / e_bar
    spread_m = float(np.ptp(m_b)) / e_bar
    nums = (
        f"n_mean = {nbar:.6g}, range {rng:.4g}; per block: ranges {np.min(e_b):.4g}..{np.max(e_b):.4g}, "
        f"means {np.min(m_b):.6g}..{np.max(m_b):.6g}"
    )
    if spread_e <= CYCLE_TOL and spread_m <= CYCLE_TOL:
        per = "" if period is None else f", period {period:.4g}/Γ3"
        return LongTime(
            "limit-cycle", period=period, detail=f"steady oscillation{per}: {nums}", **base
        )
    idx = np.arange(n_blocks, dtype=float)

    def trend(y: np.ndarray) -> float:
        if np.ptp(y) == 0:
            return 0.0
        return float(np.corrcoef(idx, y)[0, 1])

    r_e, r_m = trend(e_b), trend(m_b)
    ratio = e_b[-1] / e_b[0] if e_b[0] > 0 else np.inf
    if abs(r_e) >= 0.9 and not 0.8 <= ratio <= 1.25:
        what = "decaying" if ratio < 1 else "growing"
        return LongTime(
            "drift",
            period=period,
            detail=f"{what} oscillation (ranges x{ratio:.3g}): {nums}",
            **base,
        )
    if abs(r_m) >= 0.9 and abs(m_b[-1] - m_b[0]) > CYCLE_TOL * e_bar:
        return LongTime("drift", period=period, detail=f"drifting mean: {nums}", **base)
    return LongTime("irregular", period=period, detail=f"bounded, not periodic: {nums}", **base)


# ---------------------------------------------------------------------------
# Evolution
# ---------------------------------------------------------------------------


def _projective_record(settings: Projective, res: Any) -> dict[str, Any]:
    """The projective settings and what the run did with them (stored with results)."""
    from dataclasses import asdict

    return {
        **asdict(settings),
        "jumps": int(res.jumps),
        "jumped_time": float(res.jumped_time),
        "period": float(res.period),
        "rejected": int(res.rejected),
    }


def _period_guess(ls: LaserSystem, p: np.ndarray, x0: np.ndarray) -> float:
    """2π/|Im λ| of the rightmost eigenvalue of the Jacobian at ``x0`` (1/Γ3), the
    period of the oscillation that a motion leaving ``x0`` starts with; 1.0 where that
    eigenvalue is real (or the Jacobian is not finite)."""
    jac = ls.compiled.point(p).jac(x0)
    if not np.all(np.isfinite(jac)):
        return 1.0
    w = np.linalg.eigvals(jac)
    lam = w[int(np.argmax(w.real))]
    return float(2.0 * np.pi / abs(lam.imag)) if abs(lam.imag) > 1e-3 else 1.0


def evolve(
    params: LaserParams,
    order: int = 2,
    t_span: float | tuple[float, float] = 42660.0,
    *,
    initial: str | Path = "fixed-point",
    samples: int = 2001,
    system: LaserSystem | None = None,
    rtol: float = 1e-6,
    method: str = "dp5",
    frame: str | float = "cavity",
    perturbation: float = 1e-4,
    seed: int = 0,
    max_steps: int = 50_000_000,
    progress: Any = None,
    projective: Projective | None = None,
) -> LaserDynamics:
    """Integrate the laser's cumulant equations in time from a stated initial state.

    Args:
        params: One parameter point (scalar :class:`LaserParams`).
        order: Cumulant order (1..MAX_ORDER).
        t_span: End time T (start 0) or ``(t0, t1)``, 1/Γ3 (10/Γ2 = 42660/Γ3 at the
            paper's Γ2).
        initial: ``"fixed-point"``, ``"uncoupled"``, ``"ground"`` or a file (module
            docstring).
        samples: Stored samples, including both ends (>= 3).
        system: A :class:`LaserSystem` to use (default ``laser_equations(order)``;
            e.g. an explicit-N or phase-invariant system).
        rtol: Relative tolerance per step (absolute: ``rtol·1e-3·(1 + max|x0|)``).
            At N = 50000 the default 1e-6 puts the time-averaged n of the order-3
            limit cycle (ν = 10Γ2) within 1e-5 of its converged value; the order-2
            motion at ν = 0 is irregular and sensitive to every error (trajectories
            agree with rtol 1e-8 ones only up to the first burst, their time
            averages to 6e-4 and their class holds).
        method: ``"dp5"`` (Dormand–Prince 5(4), default) or ``"dop853"`` (Hairer's
            8(5,3) pair). The steps are set by accuracy, not stability: on the
            order-3 limit cycle at N = 50000, ν = 10Γ2 every average oscillates at
            ≈ Δ2 (n with period 1.26/Γ3 ≈ 2π/Δ2: the pump-frequency and the
            lasing-frequency parts of the atomic coherences beat, and no rotating frame
            removes both), and the mean steps at rtol 1e-6, 0.11/Γ3 (dp5) and 0.31/Γ3
            (dop853), are 1/5 and 1/4 of the linear stability limits along the cycle
            (0.58 and 1.17/Γ3; max|λ| = 5.5Γ3 in the cavity frame). dop853 takes 27 %
            fewer RHS evaluations at the same rtol but is less accurate there (its
            time-averaged |⟨a⟩|²/n is off by 8e-4, dp5's by 6e-5); at equal accuracy
            (dop853 at rtol 1e-7) both take ≈ 2.3·10⁶ evaluations over 10/Γ2
            (``benchmarks/RESULTS.md``).
        frame: ``"cavity"`` (ω = Δc), ``"pump"`` (ω = 0) or ω in Γ3 (module docstring).
        perturbation: Size of the displacement of ``initial="fixed-point"``.
        seed: Seed of its small random part.
        max_steps: Step budget.
        progress: Optional callable ``progress(t_reached, t_end)``.
        projective: Stroboscopic projective integration
            (:class:`~vlaser.cumulants.projective.Projective`): windows of exactly
            integrated periods with jumps of up to ``max_jump`` periods in between,
            for long runs of a fast oscillation with a slow envelope; ``None``
            (default): every step integrated. The period guess is 2π/|Im λ| of the
            rightmost Jacobian eigenvalue at the initial state.

    Returns:
        A :class:`LaserDynamics`.

    Raises:
        ParameterError: For an order outside 1..MAX_ORDER, a span that is not finite
            and positive, too few samples, an unknown initial state or one that is not a
            physical state, a grid of parameters.
    """
    from vlaser.cumulants.integrate import METHODS, integrate
    from vlaser.cumulants.projective import Projective, integrate_projective
    from vlaser.laser.equations import check_order

    if projective is not None and not isinstance(projective, Projective):
        raise ParameterError("projective", projective, "a Projective settings object or None")

    if system is None:
        check_order(order)
    t0, t1 = check_span(t_span)
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 3:
        raise ParameterError("samples", samples, "a whole number >= 3")
    if not (isinstance(rtol, int | float) and math.isfinite(rtol) and 0 < rtol < 1):
        raise ParameterError("rtol", rtol, "a number in (0, 1)")
    if method not in METHODS:
        raise ParameterError("method", method, ", ".join(METHODS))
    if params.shape != ():
        raise ParameterError("params", params.shape, "one parameter point (no grid)")
    ls = system if system is not None else laser_equations(order)
    p = ls.param_array(params)
    omega = _frame_omega(frame, params)
    x0, what, fp = initial_state(ls, params, p, initial, perturbation, seed)
    times = np.linspace(t0, t1, int(samples))
    slots = ls.compiled.layout.slots

    def slot(i: int | None, part: int) -> int:
        return -1 if i is None else int(slots[i][part])

    obs = (
        slot(ls.i_photons, 0),
        slot(ls.i_field, 0),
        slot(ls.i_field, 1),
        slot(ls.i_s22, 0),
        slot(ls.i_s33, 0),
    )
    cb = None if progress is None else (lambda t_now: progress(t_now - t0, t1 - t0))
    start = time.perf_counter()
    common = dict(
        t0=t0,
        rtol=float(rtol),
        max_steps=int(max_steps),
        observables=obs,
        progress=cb,
        charges=ls.charges,
        omega=omega,
        method=method,
    )
    if projective is not None:
        period = _period_guess(ls, p, x0)
        res = integrate_projective(
            ls.compiled, p, x0, times[1:], period=period, settings=projective, **common
        )
    else:
        res = integrate(ls.compiled, p, x0, times[1:], **common)
    wall = time.perf_counter() - start
    xs = np.vstack([x0[None, :], res.x])
    with np.errstate(invalid="ignore", over="ignore"):
        o = ls.observables(xs, p)
    n0, a0 = float(o["photons"][0]), float(o["coherent_photons"][0])
    stats = np.vstack([[n0, n0, n0, a0, a0, a0], res.stats])
    keys = (
        "photons_mean",
        "photons_min",
        "photons_max",
        "coherent_mean",
        "coherent_min",
        "coherent_max",
    )
    interval = {k: stats[:, j] for j, k in enumerate(keys)}
    reached = np.nonzero(np.isfinite(xs[:, 0]))[0]
    x_final = xs[reached[-1]] if reached.size else x0
    lt = classify(times, interval, res.tail_t, res.tail_n, res.status)
    if projective is not None and lt.period is not None and np.isfinite(res.period):
        # the stroboscopic period (phase condition, every window) is sharper than the
        # Fourier peak of the final stretch's steps
        lt.period = float(res.period)
    if projective is not None and res.jumps > 0 and lt.kind in ("irregular", "drift"):
        lt.detail += (
            f" (projective run, {res.jumps} jumps: jumps do not resolve irregular or "
            "drifting motion, so its extremes and averages are approximate; integrate "
            "without projective jumps for this class)"
        )
    if res.status != "done":
        lt.detail += f" at t = {res.t_reached:.6g}/Γ3"
    names = ls.names
    return LaserDynamics(
        params=params,
        order=ls.order,
        equations=ls.count,
        initial=what,
        t=times,
        photons=o["photons"],
        coherent_photons=o["coherent_photons"],
        inversion=o["inversion"],
        field=o["field"],
        interval=interval,
        x_final=x_final,
        long_time=lt,
        status=res.status,
        steps=res.steps,
        evaluations=res.evaluations,
        wall_time=wall,
        settings={
            "method": method,
            "rtol": float(rtol),
            "frame_omega": omega,
            "perturbation": float(perturbation),
            "seed": int(seed),
            "phase_invariant": bool(ls.phase_invariant),
            "projective": None if projective is None else _projective_record(projective, res),
        },
        fixed_point=fp,
        names=names,
        real=[s[1] < 0 for s in slots],
    )


__all__ = [
    "CLASSES",
    "CRITERION",
    "FRAMES",
    "INITIAL_STATES",
    "LaserDynamics",
    "LongTime",
    "check_span",
    "classify",
    "evolve",
    "initial_state",
    "load_state",
    "parse_time",
]
