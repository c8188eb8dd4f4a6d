"""What the laser figures share: how fixed points that are not physical states are
drawn and reported (see :mod:`vlaser.cumulants.admissible`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from vlaser.report import Claim

#: Marker of a fixed point whose averages fail an admissibility condition.
UNPHYSICAL = {"marker": "s", "mfc": "none", "color": "k", "ms": 6, "ls": "none"}
UNPHYSICAL_LABEL = "not a physical state"


def mark_unphysical(ax: Any, x: np.ndarray, y: np.ndarray, physical: np.ndarray) -> bool:
    """Draw open black squares on the points where ``physical`` is false (NaN-safe).

    Returns:
        Whether any point was marked.
    """
    bad = ~np.asarray(physical, dtype=bool) & np.isfinite(y)
    if bad.any():
        ax.plot(np.asarray(x)[bad], np.asarray(y)[bad], **UNPHYSICAL)
    return bool(bad.any())


def admissibility_claim(section: str, physical: np.ndarray, converged: np.ndarray) -> Claim:
    """One report line: how many plotted fixed points are physical states."""
    conv = np.asarray(converged, dtype=bool)
    bad = int((~np.asarray(physical, dtype=bool) & conv).sum())
    total = int(conv.sum())
    return Claim(
        section,
        "the plotted fixed points are moments of physical states",
        "(implicit)",
        f"{total - bad} of {total} pass every admissibility condition",
        bad == 0,
        "populations in [0, 1], |<a>|² ≤ <a†a>, Cauchy–Schwarz on the held moments, "
        "collective variances ≥ 0 (vlaser.cumulants.admissible); failures are drawn as "
        "open squares",
    )


__all__ = ["UNPHYSICAL", "UNPHYSICAL_LABEL", "admissibility_claim", "mark_unphysical"]
