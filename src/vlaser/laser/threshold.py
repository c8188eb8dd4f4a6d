"""Lasing threshold in the atom number.

**Definition** (:data:`DEFINITION`): n(N) is computed by continuation on a grid of
atom numbers 1..N_max. Well above threshold n grows (nearly) linearly with N; a
straight line is fitted to the points in the upper half of the photon range,
n >= n(N_max)/2, and extrapolated to n = 0:

    N_th = N-intercept of the least-squares line through {(N, n) : n >= n(N_max)/2}.

For an ideal laser (n ∝ N − N_th above threshold) this is exactly N_th. As a second
number the *kink* N_kink, where the spline of n(N) has its largest curvature d²n/dN²
(the onset seen in a plot near threshold), is reported. No threshold is reported
(``None``) if the curvature peaks at an end of the grid or the intercept falls outside
the scanned range (no lasing onset within it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlaser.errors import ParameterError
from vlaser.laser.steady import steady_state
from vlaser.params import LaserParams

DEFINITION = (
    "N_th = N-intercept of the least-squares line through the points of n(N) with "
    "n >= n(N_max)/2 (linear extrapolation from well above threshold); N_kink = N of "
    "largest curvature of the cubic spline of n(N)"
)


@dataclass
class ThresholdResult:
    """Threshold atom number and the scan behind it.

    Attributes:
        threshold_atoms: N_th by linear extrapolation (``None`` if no threshold).
        kink_atoms: N of largest curvature of n(N).
        slope: Slope of the fitted line (photons per atom).
        definition: :data:`DEFINITION`.
        converged: All scan points converged.
        atoms: The scanned N values.
        photons: n at each.
        stable: Linear stability of each fixed point.
    """

    threshold_atoms: float | None
    kink_atoms: float | None
    slope: float
    definition: str
    converged: bool
    atoms: np.ndarray = field(repr=False)
    photons: np.ndarray = field(repr=False)
    stable: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold_atoms": self.threshold_atoms,
            "kink_atoms": self.kink_atoms,
            "slope": self.slope,
            "definition": self.definition,
            "converged": self.converged,
            "max_atoms": float(self.atoms[-1]),
            "photons_at_max_atoms": float(self.photons[-1]),
            "unstable_points": int(np.sum(~self.stable)),
        }


def threshold_from_curve(
    atoms: np.ndarray, photons: np.ndarray
) -> tuple[float | None, float | None, float]:
    """Apply the definition to a curve n(N) (N increasing).

    Returns:
        ``(N_th or None, N_kink or None, slope of the fitted line)``.
    """
    from scipy.interpolate import CubicSpline

    atoms = np.asarray(atoms, float)
    photons = np.asarray(photons, float)
    top = photons[-1]
    upper = photons >= 0.5 * top
    if top <= 0 or upper.sum() < 3:
        return None, None, float("nan")
    slope, icpt = np.polyfit(atoms[upper], photons[upper], 1)
    spline = CubicSpline(atoms, photons)
    fine = np.linspace(atoms[0], atoms[-1], 20 * atoms.size)
    curv = spline(fine, 2)
    k = int(np.argmax(curv))
    kink = float(fine[k]) if 0 < k < fine.size - 1 else None
    nth = -icpt / slope if slope > 0 else None
    # A threshold needs a kink inside the range and a positive intercept below N_max.
    if nth is None or kink is None or not (atoms[0] < nth < atoms[-1]):
        return None, kink, float(slope)
    return float(nth), kink, float(slope)


def threshold(
    params: LaserParams,
    max_atoms: float = 50000,
    points: int = 101,
    order: int = 2,
) -> ThresholdResult:
    """Threshold atom number at fixed other parameters (``params.atoms`` is ignored).

    Args:
        params: Scalar laser parameters.
        max_atoms: Upper end of the scan in N (the lower end is 1).
        points: Scan points (>= 8).
        order: Cumulant order.

    Raises:
        ParameterError: For array parameters, ``max_atoms < 10`` or ``points < 8``.
    """
    if params.shape != ():
        raise ParameterError("params", params.shape, "a single parameter point")
    if not max_atoms >= 10:
        raise ParameterError("max_atoms", max_atoms, "a number >= 10")
    if points < 8:
        raise ParameterError("points", points, "at least 8")
    atoms = np.unique(np.round(np.linspace(1.0, float(max_atoms), int(points))))
    res = steady_state(params.replace(atoms=atoms), order=order, dynamics=False)
    nth, kink, slope = threshold_from_curve(atoms, res.photons)
    return ThresholdResult(
        threshold_atoms=nth,
        kink_atoms=kink,
        slope=slope,
        definition=DEFINITION,
        converged=bool(np.all(res.converged)),
        atoms=atoms,
        photons=res.photons,
        stable=res.stable,
    )


__all__ = ["DEFINITION", "ThresholdResult", "threshold", "threshold_from_curve"]
