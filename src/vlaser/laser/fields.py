"""Names of the laser's parameters, in compiled order (no sympy: the numeric path of a
cached system reads them; the symbols are in :mod:`vlaser.laser.model`)."""

from __future__ import annotations

#: :class:`vlaser.params.LaserParams` fields that are parameters of the laser model,
#: in the order of :data:`vlaser.laser.model.PARAMETER_NAMES` (``atoms`` is N).
FIELDS = (
    "delta_c",
    "delta2",
    "delta3",
    "omega2",
    "omega3",
    "g",
    "kappa",
    "gamma2",
    "gamma3",
    "gamma23",
    "nu2",
    "nu3",
    "atoms",
)

#: Parameters that may differ between groups of atoms (velocity classes, positions):
#: the detunings and Rabi frequencies each class sees, its coupling and atom number.
#: The others (Δc, κ, Γ2, Γ3, Γ23, ν2, ν3) are one cavity, one species, one pair of lasers.
GROUP_FIELDS = ("delta2", "delta3", "omega2", "omega3", "g", "atoms")
#: The shared fields, in compiled order.
SHARED_FIELDS = tuple(k for k in FIELDS if k not in GROUP_FIELDS)

__all__ = ["FIELDS", "GROUP_FIELDS", "SHARED_FIELDS"]
