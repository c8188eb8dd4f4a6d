"""Paper figures: each module computes its data with the public API, plots it and
lists the paper's claims next to the computed values.

Every figure module ``vlaser.figures.figN`` provides::

    TITLE: str                                   # e.g. "Fig. 2: steady-state inversion"
    def compute(quick: bool = True) -> xarray.Dataset   # numbers, from first principles
    def plot(ds: xarray.Dataset) -> matplotlib.figure.Figure   # panels laid out as in the paper
    def claims(ds: xarray.Dataset) -> list[vlaser.report.Claim]

``quick=True`` uses reduced resolution (minutes on 2 cores for all figures together);
``quick=False`` the paper's resolution. matplotlib is imported inside ``plot`` only.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Figure keys in paper order. Modules that do not exist yet are skipped.
FIGURE_KEYS = (
    "fig2",
    "fig3",
    "fig4",
    "fig5",
    "fig6",
    "fig7",
    "fig8",
    "order3",
    "ensemble",
    "design",
)


def available() -> dict[str, ModuleType]:
    """Import every figure module that exists, in paper order."""
    out: dict[str, ModuleType] = {}
    for key in FIGURE_KEYS:
        try:
            out[key] = importlib.import_module(f"vlaser.figures.{key}")
        except ModuleNotFoundError as exc:
            if exc.name != f"vlaser.figures.{key}":
                raise
    return out
