"""Inhomogeneous gain media: velocity classes and standing-wave positions as atom groups.

**Geometry** (``shared/conventions.md``): pump 2 along k2, pump 3 along k3 ⟂ k2 (Sec.
IV), the cavity axis perpendicular to both. An atom with velocity components (v2, v3,
vc) sees Δ2 → Δ2 − k2·v2, Δ3 → Δ3 − k3·v3 and the cavity shifted against its narrow
line by kc·vc.

**What the groups carry.** The cumulant engine holds K groups of identical atoms in one
cavity mode (:func:`vlaser.laser.model.laser_group_model`), each with its own Δ2_k,
Δ3_k, Ω2_k, Ω3_k, g_k and N_k. One shared mode and a static Hamiltonian can give each
class its own level energies, not its own cavity frequency: a class's narrow line can
be moved against the cavity and pump 2 together, not against one of them alone. vlaser
keeps the relation that sets the gain, the narrow line against the cavity, exact:

* cavity axis, FWHM ``doppler_width`` W (Gaussian): class k has Δ2_k = Δ2 + δ_k, δ_k =
  kc·vc, i.e. its line sits δ_k off the common cavity (the conventions' Δc → Δc − kc·vc
  relative to the atom). Pump 2 then sees the class δ_k off as well, while a
  perpendicular pump would not: an error of |δ| ≲ W on a pump detuning |Δ2| (5Γ3 =
  21 330Γ2 at the paper's point against W ~ 120Γ2). :func:`pump2_error` computes what
  it does to the single-atom inversion;
* pump-3 axis, FWHM ``pump3_width`` (the broad line's Doppler shift k3·v3): Δ3_k =
  Δ3 − k3·v3, exact (pump 3 and the cavity share no transition);
* pump-2 axis: its shift k2·v2 cannot be carried together with the cavity relation (it
  would move the line against the cavity); it is left out, and :func:`pump2_error`
  reports its size on the single-atom inversion too;
* standing wave (``positions`` M > 0): the coupling g_k = g cos φ_k over the cavity
  phase φ ∈ [0, π) (midpoint rule, spectrally accurate for smooth periodic
  integrands; both signs of cos φ matter: they scatter the pump into the mode with
  opposite phases). ``positions = 0`` is the running wave, g_k = g.

**Quadrature.** Velocity classes are the nodes of Gauss–Hermite quadrature for the
Gaussian (K nodes integrate polynomials of degree 2K − 1 in the shift exactly); the
weights are the atom fractions, N_k = N·w_k (Σ w_k = 1, N stays the total). Classes on
several axes form the product grid. With W = 0 every class is the homogeneous atom and
the result equals the one-group laser exactly.

**Default K** (``classes = 0``): the number of cavity-axis classes at which the photon
number has converged to 1e-3 relative, from :data:`DEFAULT_CLASSES`, measured by
``benchmarks/bench_ensemble.py`` at the paper's point (N = 50000, ν = 10Γ2) and checked
in ``tests/laser/test_ensemble.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vlaser.errors import ParameterError

#: Upper bound on the number of groups (all axes together): K groups have
#: 3 + 34K + 17K(K − 1) second-order averages (K = 25: 11 053 equations, ~22 000 real
#: variables; a sparse LU step takes about a second there).
MAX_GROUPS = 25

#: Default number of cavity-axis classes by Doppler FWHM in units of the single-atom
#: gain FWHM (the FWHM of :func:`vlaser.atom.emission_spectrum`, Fig. 4, computed at the
#: point): (largest W/Γ_gain, K). Measured
#: convergence to 1e-3 in the photon number (see module docstring).
DEFAULT_CLASSES: tuple[tuple[float, int], ...] = (
    (0.0, 1),
    (0.25, 5),
    (0.5, 7),
    (1.0, 9),
    (2.0, 13),
    (math.inf, 17),
)


def _sigma(fwhm: float) -> float:
    return fwhm / (2.0 * math.sqrt(2.0 * math.log(2.0)))


def gauss_hermite(fwhm: float, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of a Gaussian of FWHM ``fwhm``: Σ w f(x) ≈ E[f(X)].

    Returns:
        ``(shifts, weights)``, each ``(count,)``; weights sum to 1.
    """
    if count == 1:
        return np.zeros(1), np.ones(1)
    x, w = np.polynomial.hermite.hermgauss(count)
    return math.sqrt(2.0) * _sigma(fwhm) * x, w / math.sqrt(math.pi)


def standing_wave(positions: int) -> tuple[np.ndarray, np.ndarray]:
    """cos φ at the midpoints of ``positions`` equal cells of φ ∈ [0, π), equal weights."""
    if positions <= 0:
        return np.ones(1), np.ones(1)
    phi = (np.arange(positions) + 0.5) * math.pi / positions
    return np.cos(phi), np.full(positions, 1.0 / positions)


def default_classes(doppler_width: float, gain_fwhm: float) -> int:
    """Default cavity-axis class count for a Doppler FWHM (see :data:`DEFAULT_CLASSES`)."""
    if doppler_width <= 0.0:
        return 1
    ratio = doppler_width / gain_fwhm
    for bound, k in DEFAULT_CLASSES:
        if ratio <= bound:
            return k
    return DEFAULT_CLASSES[-1][1]  # pragma: no cover - the last bound is inf


@dataclass(frozen=True)
class Classes:
    """The groups of an ensemble point: per group its shifts, coupling factor and weight.

    Attributes:
        delta2_shift: δ_k added to Δ2 (Γ3), ``(K,)``.
        delta3_shift: Added to Δ3 (Γ3), ``(K,)``.
        coupling: g_k / g, ``(K,)``.
        weight: Atom fraction, ``(K,)``, sums to 1.
        axes: Classes per axis ``(cavity, pump 3, positions)``.
    """

    delta2_shift: np.ndarray
    delta3_shift: np.ndarray
    coupling: np.ndarray
    weight: np.ndarray
    axes: tuple[int, int, int]

    @property
    def count(self) -> int:
        return int(self.weight.size)


def check_counts(classes: int, pump3_classes: int, positions: int) -> None:
    """Refuse group counts outside 1..MAX_GROUPS (product over the axes).

    Raises:
        ParameterError: Naming the count and the bound with its reason.
    """
    total = max(classes, 1) * max(pump3_classes, 1) * max(positions, 1)
    if total > MAX_GROUPS:
        raise ParameterError(
            "classes",
            f"{classes} x {pump3_classes} x {positions} = {total} groups",
            f"at most {MAX_GROUPS} groups in all (K groups need 3 + 34K + 17K(K-1) "
            "second-order equations; beyond that one Newton step takes seconds)",
        )


def classes(
    doppler_width: float,
    count: int,
    pump3_width: float = 0.0,
    pump3_count: int = 1,
    positions: int = 0,
) -> Classes:
    """The product grid of cavity-axis classes, pump-3 classes and positions.

    Args:
        doppler_width: FWHM of kc·vc on the narrow line (Γ3).
        count: Cavity-axis classes (>= 1).
        pump3_width: FWHM of k3·v3 on the broad line (Γ3).
        pump3_count: Pump-3-axis classes (>= 1).
        positions: Standing-wave positions (0: running wave).
    """
    check_counts(count, pump3_count, positions)
    dc, wc = gauss_hermite(doppler_width, count)
    d3, w3 = gauss_hermite(pump3_width, pump3_count)
    cg, wg = standing_wave(positions)
    a, b, c = np.meshgrid(np.arange(dc.size), np.arange(d3.size), np.arange(cg.size), indexing="ij")
    a, b, c = a.ravel(), b.ravel(), c.ravel()
    return Classes(
        delta2_shift=dc[a],
        delta3_shift=-d3[b],
        coupling=cg[c],
        weight=wc[a] * w3[b] * wg[c],
        axes=(dc.size, d3.size, cg.size),
    )


def counts(params) -> tuple[int, int, int]:
    """``(cavity-axis classes, pump-3 classes, positions)`` of a
    :class:`~vlaser.params.LaserParams`: the given counts, or the defaults for the
    largest width on its grid (:func:`default_classes`; 3 pump-3 classes with a width).

    Raises:
        ParameterError: For more than :data:`MAX_GROUPS` groups.
    """
    dw = float(np.max(params.doppler_width))
    w3 = float(np.max(params.pump3_width))
    count = int(params.classes)
    if count == 0:
        count = 1
        if dw > 0:
            from vlaser.atom import emission_spectrum

            one = params.point((0,) * len(params.shape)) if params.shape else params
            count = default_classes(dw, emission_spectrum(one.atom()).peaks[0].fwhm)
    count3 = int(params.pump3_classes) or (3 if w3 > 0 else 1)
    positions = int(params.positions)
    check_counts(count, count3, positions)
    return count, count3, positions


def unit_classes(params) -> Classes:
    """The classes of ``params`` for unit widths (FWHM 1 on each axis): a point's
    shifts are these times its own widths."""
    count, count3, positions = counts(params)
    return classes(1.0, count, 1.0, count3, positions)


def group_count(params) -> int:
    """Number of groups a :class:`~vlaser.params.LaserParams` needs (1: homogeneous)."""
    if not params.inhomogeneous:
        return 1
    a, b, c = counts(params)
    return a * b * max(c, 1)


def pump2_error(params, shifts: Classes) -> dict[str, float]:
    """What the class model does to pump 2, on the exact single-atom inversion.

    Returns:
        ``model_inversion``: Σ_k w_k inv(Δ2 + δ_k, Δ3_k) (what the groups carry);
        ``exact_inversion``: Σ_k w_k inv(Δ2, Δ3_k) (pump 2 perpendicular to the cavity:
        no shift from vc); ``relative``: their relative difference. The pump-2 axis's
        own shift k2·v2 (left out) changes the inversion by about as much for a
        comparable width.
    """
    from vlaser.atom import steady_state
    from vlaser.params import AtomParams

    base = params.atom()
    d2 = float(base.delta2) + shifts.delta2_shift
    d3 = float(base.delta3) + shifts.delta3_shift
    model = steady_state(base.__class__(**{**base.to_dict(), "delta2": d2, "delta3": d3}))
    exact = steady_state(AtomParams(**{**base.to_dict(), "delta3": d3}))
    m = float(np.sum(shifts.weight * model.inversion))
    e = float(np.sum(shifts.weight * exact.inversion))
    return {"model_inversion": m, "exact_inversion": e, "relative": (m - e) / abs(e)}


__all__ = [
    "DEFAULT_CLASSES",
    "MAX_GROUPS",
    "Classes",
    "check_counts",
    "classes",
    "default_classes",
    "gauss_hermite",
    "counts",
    "group_count",
    "pump2_error",
    "standing_wave",
    "unit_classes",
]
