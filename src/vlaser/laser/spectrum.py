"""Cavity output spectrum of the laser (paper Sec. III.B, eq. 11, Fig. 7, App. B, C.2).

S(ω) = 2 Re ∫_0^∞ dτ ⟨a†(τ) a(0)⟩ e^{−iωτ} = 2 Re c·(iω − M)⁻¹ x(0),

with the regression system for ⟨P(τ) a(0)⟩ derived by the cumulant engine from the laser
model (:mod:`vlaser.cumulants.correlate`, B = a, readout P = a†, the same cumulant
order as the steady state) and evaluated at the steady state of
:func:`vlaser.laser.steady.steady_state`. ω is measured from the pump-2 frequency in
the rotating frame; lines are reported as δ = ω + Δ2, relative to the bare atomic
frequency ω2 (the pump is at δ = Δ2, the empty cavity at δ = Δ2 − Δc = ωc − ω2).

**Frame** (conventions): the steady state is solved in the instantaneous pump frame;
the spectrum is taken in the coherent frame (``frame="coherent"``, default), where the
pump-2 linewidth damps ⟨P(τ)a(0)⟩ by −(ν2/2)(m(P) − 1)². ``frame="instantaneous"``
gives the spectrum relative to the fluctuating pump phase (for comparison).

**Elastic part.** ``coherent_photons`` = |⟨a⟩|² is the coherently scattered pump light.
At ν2 = 0 it is a δ-line 2π|⟨a⟩|² δ(ω) at the pump frequency and is removed from S; at
ν2 > 0 (coherent frame) it is a Lorentzian of FWHM ν2 at δ = Δ2, returned separately
in ``coherent_values`` (see :func:`vlaser.cumulants.correlate.split_elastic`). The
incoherent S (``values``) then obeys ∫ S dω/2π = n − |⟨a⟩|².

**Grid and lines.** The line is ~0.1–1 Γ2 wide while the poles of M span Γ2 to Γ3:
the default frequency grid is :func:`vlaser.spectral.adaptive_grid` over the poles;
peaks, heights and FWHM are refined on the exact resolvent (:func:`find_peaks`).

Units: rates and frequencies in Γ3 (``*_gamma2`` keys in Γ2), S in 1/Γ3.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlaser.cumulants.algebra import Create, Destroy
from vlaser.cumulants.correlate import (
    FRAMES,
    CompiledCorrelation,
    CorrelationSystem,
    RegressionSpectrum,
    correlation_system,
    split_elastic,
)
from vlaser.errors import ConvergenceError, ParameterError
from vlaser.laser import ensemble
from vlaser.laser.equations import LaserSystem, check_order, group_equations, laser_equations
from vlaser.laser.model import CAVITY
from vlaser.laser.steady import LaserSteadyState, steady_state
from vlaser.params import LaserParams
from vlaser.spectral import Peak, adaptive_grid, find_peaks

#: A correlation pole with growth rate above this (relative to the largest |pole|)
#: makes the spectrum meaningless (the fixed point is not an attractor).
POLE_TOL = 1e-9


def correlation_for(
    order: int, frame: str, groups: int = 1
) -> tuple[LaserSystem, CorrelationSystem, Any]:
    """The laser's steady system, the ⟨P(τ)a(0)⟩ system and its compiled form (cached).

    Args:
        order: Cumulant order.
        frame: ``"coherent"`` or ``"instantaneous"``.
        groups: Atom groups (velocity classes); 1 for atoms at rest.
    """
    return _correlation_for(int(order), frame, int(groups))


@functools.lru_cache(maxsize=16)
def _correlation_for(order: int, frame: str, groups: int) -> tuple[LaserSystem, Any, Any]:
    if groups == 1:
        ls, family = laser_equations(order), None
    else:
        from vlaser.laser.model import laser_family

        ls, family = group_equations(groups, order), laser_family()
    cs = correlation_system(
        ls.system, Destroy(CAVITY), [Create(CAVITY)], frame=frame, family=family
    )
    return ls, cs, CompiledCorrelation(cs)


@dataclass
class CavitySpectrum:
    """The cavity output spectrum at one parameter point.

    Attributes:
        params: The (scalar) parameters.
        frame: ``"coherent"`` or ``"instantaneous"``.
        order: Cumulant order.
        omega: Frequencies from the pump-2 frequency, sorted (nw,), Γ3.
        values: Incoherent S(ω) on ``omega`` (1/Γ3), ∫ S dω/2π = n − |⟨a⟩|².
        coherent_values: Elastic Lorentzian on ``omega`` (zeros at ν2 = 0: δ-line).
        peaks: Lines of the incoherent S, highest first; positions as δ = ω + Δ2 (Γ3).
        photons: n = ⟨a†a⟩.
        coherent_photons: |⟨a⟩|² (weight of the elastic line).
        coherent_fwhm: FWHM of the elastic line (Γ3; 0 for a δ-line).
        stable: The steady state is stable and every correlation pole decays.
        max_growth_rate: Of the steady state's Jacobian (Γ3).
        poles: Eigenvalues of the incoherent generator (Γ3).
        steady: The :class:`LaserSteadyState` used.
    """

    params: LaserParams
    frame: str
    order: int
    omega: np.ndarray
    values: np.ndarray
    coherent_values: np.ndarray
    peaks: list[Peak]
    photons: float
    coherent_photons: float
    coherent_fwhm: float
    stable: bool
    max_growth_rate: float
    poles: np.ndarray
    steady: LaserSteadyState = field(repr=False)
    regression: RegressionSpectrum = field(repr=False)

    @property
    def delta(self) -> np.ndarray:
        """Grid relative to the bare atomic line, δ = ω + Δ2 (Γ3)."""
        return self.omega + float(self.params.delta2)

    @property
    def normalized(self) -> np.ndarray:
        """Incoherent S divided by its largest value on the grid."""
        return self.values / np.max(self.values)

    @property
    def line(self) -> Peak:
        """The highest incoherent line (the lasing line above threshold)."""
        if not self.peaks:
            raise ConvergenceError("the spectrum has no line on the grid")
        return self.peaks[0]

    @property
    def fwhm(self) -> float:
        """FWHM of :attr:`line` (Γ3)."""
        return self.line.fwhm

    @property
    def peak(self) -> float:
        """Position δp of :attr:`line` relative to ω2 (Γ3)."""
        return self.line.position

    def evaluate(self, omega: np.ndarray | float) -> np.ndarray:
        """Exact incoherent S at frequencies ω from the pump (Γ3)."""
        return self.regression.incoherent(omega)

    def evaluate_delta(self, delta: np.ndarray | float) -> np.ndarray:
        """Exact incoherent S at δ = ω + Δ2 (Γ3)."""
        return self.evaluate(np.asarray(delta, dtype=float) - float(self.params.delta2))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (Γ3 units; ``*_gamma2`` keys in units of Γ2)."""
        g2 = float(self.params.gamma2)
        ln = self.peaks[0] if self.peaks else Peak(float("nan"), float("nan"), float("nan"))
        return {
            "fwhm": ln.fwhm,
            "peak": ln.position,
            "height": ln.height,
            "fwhm_gamma2": ln.fwhm / g2,
            "peak_gamma2": ln.position / g2,
            "photons": self.photons,
            "coherent_photons": self.coherent_photons,
            "coherent_fwhm": self.coherent_fwhm,
            "pump_position": float(self.params.delta2),
            "cavity_position": float(self.params.delta2) - float(self.params.delta_c),
            "frame": self.frame,
            "order": self.order,
            "stable": self.stable,
            "max_growth_rate": self.max_growth_rate,
            "physical": bool(self.steady.physical),
            "violation": self.steady.violation.item(),
            "peaks": [pk.to_dict() for pk in self.peaks],
        }

    @property
    def physical(self) -> bool:
        """The steady state passes the admissibility conditions (see
        :mod:`vlaser.cumulants.admissible`)."""
        return bool(self.steady.physical)


def _check_point(params: LaserParams) -> None:
    if not isinstance(params, LaserParams):
        raise ParameterError("params", type(params).__name__, "a LaserParams")
    if params.shape != ():
        raise ParameterError("params", params.shape, "a single parameter point (scalar fields)")


def _check_grid(omega: Any) -> np.ndarray:
    try:
        w = np.asarray(omega, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("omega", omega, "a 1-D array of finite frequencies") from None
    if w.ndim != 1 or w.size < 3 or not np.all(np.isfinite(w)):
        raise ParameterError("omega", omega, "a 1-D array of at least 3 finite frequencies (Γ3)")
    return np.unique(w)


def cavity_spectrum(
    params: LaserParams,
    omega: np.ndarray | None = None,
    frame: str = "coherent",
    order: int = 2,
    steady: LaserSteadyState | None = None,
    allow_unstable: bool = False,
    background: int = 2001,
) -> CavitySpectrum:
    """The cavity output spectrum S(ω) at one parameter point.

    Args:
        params: One laser parameter point (scalar fields).
        omega: Frequencies from the pump-2 frequency (Γ3), 1-D, finite, >= 3 points;
            default: adaptive grid from the poles of the regression system.
        frame: ``"coherent"`` (default, stable reference) or ``"instantaneous"``.
        order: Cumulant order of steady state and correlations (default 2).
        steady: A converged single-point :class:`LaserSteadyState` of ``params``
            (default: solved here).
        allow_unstable: Compute the formal spectrum around an unstable fixed point
            (flagged ``stable=False``) instead of raising.
        background: Background points of the default grid.

    Returns:
        :class:`CavitySpectrum`.

    Raises:
        ParameterError: Bad params, frame, order or frequency grid.
        ConvergenceError: The steady state did not converge, or (unless
            ``allow_unstable``) it is unstable / a correlation pole grows.
    """
    _check_point(params)
    if frame not in FRAMES:
        raise ParameterError("frame", frame, f"one of {', '.join(FRAMES)}")
    check_order(order)
    if order < 2:
        raise ParameterError("order", order, ">= 2 (mean field has no photon fluctuations)")
    w_user = None if omega is None else _check_grid(omega)
    ls, cs, cc = correlation_for(int(order), frame, ensemble.group_count(params))
    if steady is None:
        steady = steady_state(params, order=int(order), system=ls, dynamics=False)
    else:
        if steady.shape != ():
            raise ParameterError("steady", steady.shape, "a single-point LaserSteadyState")
        if steady.order != order:
            raise ParameterError("steady", f"order {steady.order}", f"order {order}")
    if not bool(steady.converged):
        raise ConvergenceError(
            f"steady state did not converge ({steady.reason.item()}); no spectrum"
        )
    growth = float(steady.max_growth_rate)
    stable = bool(steady.stable)
    if not stable and not allow_unstable:
        raise ConvergenceError(
            f"steady state is unstable (max growth rate {growth:.3g} Γ3 > 0): the "
            "equations do not settle there, so the regression spectrum is meaningless"
        )
    p = ls.param_array(params)
    u = ls.compiled.unpack(np.asarray(steady.x, dtype=float))
    m, x0, xs, b = cc.evaluate(u, p)
    rs = split_elastic(m, x0, xs, complex(b), cs.readout(Create(CAVITY)), cs.identity_index)
    lam = rs.poles
    if np.any(lam.real > POLE_TOL * (1.0 + np.max(np.abs(lam)))):
        stable = False
        if not allow_unstable:
            raise ConvergenceError(
                f"a correlation pole grows (Re λ = {np.max(lam.real):.3g} Γ3): no spectrum"
            )
    w = adaptive_grid(lam, background=background) if w_user is None else w_user
    values = rs.incoherent(w)
    shift = float(params.delta2)
    raw = find_peaks(w, values, func=lambda x: float(rs.incoherent(x)))
    peaks = [Peak(pk.position + shift, pk.fwhm, pk.height) for pk in raw]
    n = float(np.real(u[ls.i_photons]))
    coh = float(np.abs(u[ls.i_field]) ** 2)
    return CavitySpectrum(
        params=params,
        frame=frame,
        order=int(order),
        omega=w,
        values=values,
        coherent_values=rs.coherent(w),
        peaks=peaks,
        photons=n,
        coherent_photons=coh,
        coherent_fwhm=2.0 * rs.coherent_rate,
        stable=stable,
        max_growth_rate=growth,
        poles=lam,
        steady=steady,
        regression=rs,
    )


@dataclass(frozen=True)
class Pulling:
    """Cavity pulling at one point.

    Attributes:
        pulling: dδp/dΔc (central difference; Δc = ω_l2 − ωc, so a cavity frequency
            increase is a decrease of Δc).
        pulling_cavity: dδp/d(ωc − ω2) = −dδp/dΔc: the fraction of a cavity shift the
            line follows (1: follows the cavity, 0: stays on the atoms).
        step: The finite-difference step in Δc (Γ3).
        delta_c: The three Δc values (Γ3).
        peaks: δp at those points (Γ3).
        fwhm: FWHM at those points (Γ3).
        photons: n at those points.
    """

    pulling: float
    pulling_cavity: float
    step: float
    delta_c: tuple[float, float, float]
    peaks: tuple[float, float, float]
    fwhm: tuple[float, float, float]
    photons: tuple[float, float, float]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def pulling(
    params: LaserParams,
    step: float | None = None,
    frame: str = "coherent",
    order: int = 2,
) -> Pulling:
    """Cavity pulling coefficient dδp/dΔc by a central difference.

    Each of the three points (Δc − h, Δc, Δc + h) is a full steady state (the outer
    two by Newton from the centre's state) and spectrum.

    Args:
        params: One laser parameter point.
        step: h in Γ3 (default Γ2: far below the ~600 Γ2 gain width and the 2κ cavity
            width, large against the peak-position round-off ~1e-9 Γ2).
        frame: Spectrum frame.
        order: Cumulant order.

    Returns:
        :class:`Pulling`.
    """
    _check_point(params)
    h = float(params.gamma2) if step is None else step
    if not isinstance(h, int | float | np.floating) or not np.isfinite(h) or h <= 0:
        raise ParameterError("step", step, "a finite step > 0 (Γ3)")
    h = float(h)
    dc0 = float(params.delta_c)
    centre = cavity_spectrum(params, frame=frame, order=order)
    results = {}
    for sgn in (-1, 1):
        pp = params.replace(delta_c=dc0 + sgn * h)
        ls = correlation_for(int(order), frame, ensemble.group_count(params))[0]
        st = steady_state(pp, order=int(order), system=ls, guess=centre.steady.x, dynamics=False)
        results[sgn] = cavity_spectrum(pp, frame=frame, order=order, steady=st)
    lo, hi = results[-1], results[1]
    slope = (hi.peak - lo.peak) / (2.0 * h)
    trio = (lo, centre, hi)
    return Pulling(
        pulling=slope,
        pulling_cavity=-slope,
        step=h,
        delta_c=(dc0 - h, dc0, dc0 + h),
        peaks=tuple(s.peak for s in trio),
        fwhm=tuple(s.fwhm for s in trio),
        photons=tuple(s.photons for s in trio),
    )


__all__ = ["CavitySpectrum", "Pulling", "cavity_spectrum", "correlation_for", "pulling"]
