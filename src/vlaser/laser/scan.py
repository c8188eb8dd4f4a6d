"""Parameter scans of the laser steady state as an ``xarray.Dataset``.

Grid points are solved in C order by continuation from their neighbour (the last axis
is the fastest, so a 1-D scan in N follows the branch from below threshold upward).
Every point stores its ``converged`` flag, ``residual``, ``stable`` flag and
``max_growth_rate``; unstable fixed points are kept (marked) but never presented as
the state the system settles in.

Atom numbers must be whole numbers >= 1: scanned ``atoms`` values are rounded to the
nearest integer and values below 1 (e.g. a grid starting at 0) are clamped to 1; the
dataset's ``atoms`` coordinate holds the values actually used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from vlaser.errors import ParameterError
from vlaser.io import provenance
from vlaser.laser.steady import steady_state
from vlaser.params import LaserParams

#: Parameters that may be scanned: the LaserParams fields plus ``nu`` (ν2 = ν3) and
#: ``cavity_offset`` (ω2 − ωc = Δc − Δ2).
SCANNABLE = (*LaserParams._fields, "nu", "cavity_offset")

_UNITS = {
    "atoms": "1",
    "photons": "1",
    "coherent_photons": "1",
    "inversion": "1",
    "p1": "1",
    "p2": "1",
    "p3": "1",
    "residual": "Gamma3 (times averages)",
    "max_growth_rate": "Gamma3",
}


def clean_atoms(values: np.ndarray) -> np.ndarray:
    """Round atom numbers to integers and clamp them to >= 1 (see module docstring)."""
    return np.maximum(1.0, np.round(np.asarray(values, float)))


def _with(base: LaserParams, name: str, values: np.ndarray) -> dict[str, Any]:
    """Field changes for one scanned name (``nu`` sets ν2 = ν3; ``cavity_offset`` is
    ω2 − ωc = Δc − Δ2, so Δc = Δ2 + offset)."""
    if name == "nu":
        return {"nu2": values, "nu3": values}
    if name == "cavity_offset":
        return {"delta_c": np.asarray(base.delta2) + values}
    if name == "atoms":
        return {"atoms": clean_atoms(values)}
    return {name: values}


def scan(
    base: LaserParams,
    axes: Mapping[str, Sequence[float] | np.ndarray],
    order: int = 2,
    dynamics: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Steady states on the outer product of ``axes``.

    Args:
        base: Fixed parameters (scalars).
        axes: ``{name: values}`` in dimension order (last = fastest, continued along);
            names from :data:`SCANNABLE` (``nu`` = ν2 = ν3, ``cavity_offset`` = Δc − Δ2).
            With ``delta2`` scanned and Δc tied to Δ2 (``base.delta_c == base.delta2``),
            Δc follows Δ2 (the cavity stays on the bare atomic line).
        order: Cumulant order.
        dynamics: Integrate in time at unstable points (slow).
        progress: ``progress(done, total)`` callback.

    Returns:
        ``xarray.Dataset`` with dims = axis names and variables photons,
        coherent_photons, inversion, p1, p2, p3, converged, residual, stable,
        max_growth_rate, method; provenance attributes.
    """
    import xarray as xr

    if base.shape != ():
        raise ParameterError("base", base.shape, "scalar fixed parameters")
    names = list(axes)
    for n in names:
        if n not in SCANNABLE:
            raise ParameterError("scan parameter", n, f"one of {', '.join(SCANNABLE)}")
    if len(set(names)) != len(names):
        raise ParameterError("scan", names, "each parameter once")
    nd = len(names)
    tied = float(np.asarray(base.delta_c)) == float(np.asarray(base.delta2))
    changes: dict[str, Any] = {}
    coords: dict[str, np.ndarray] = {}
    for k, name in enumerate(names):
        vals = np.asarray(axes[name], float)
        if vals.ndim != 1 or vals.size == 0:
            raise ParameterError(name, axes[name], "a non-empty 1-D list of values")
        shape = [1] * nd
        shape[k] = vals.size
        ch = _with(base, name, vals.reshape(shape))
        if name == "delta2" and tied and "cavity_offset" not in names and "delta_c" not in names:
            ch["delta_c"] = vals.reshape(shape)
        changes.update(ch)
        coords[name] = clean_atoms(vals) if name == "atoms" else vals
    if "cavity_offset" in names and "delta2" in names:
        k = names.index("delta2")
        shape = [1] * nd
        shape[k] = coords["delta2"].size
        changes["delta_c"] = (
            coords["delta2"].reshape(shape) + changes["delta_c"] - np.asarray(base.delta2)
        )
    params = base.replace(**changes)
    res = steady_state(params, order=order, dynamics=dynamics, progress=progress)
    full = tuple(coords[n].size for n in names)

    def bc(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a, full).copy()

    data = {
        "photons": res.photons,
        "coherent_photons": res.coherent_photons,
        "inversion": res.inversion,
        "p1": res.p1,
        "p2": res.p2,
        "p3": res.p3,
        "residual": res.residual,
        "max_growth_rate": res.max_growth_rate,
        "converged": res.converged,
        "stable": res.stable,
        "method": res.method.astype(str),
        "physical": res.physical,
        "violation": res.violation.astype(str),
        "reason": res.reason.astype(str),
    }
    ds = xr.Dataset(
        {k: (names, bc(v), {"units": _UNITS.get(k, "1")}) for k, v in data.items()},
        coords={n: (n, coords[n]) for n in names},
    )
    ds.attrs.update(
        provenance(
            model="N-atom V-level laser, eqs. (5)-(10) + Gamma23 D[sigma32]",
            order=order,
            equations=res.equations,
            fixed=base.to_dict(),
            kappa_note="kappa is the cavity FIELD decay rate (photons decay at 2 kappa)",
            atoms_note="atoms rounded to integers and clamped to >= 1",
        )
    )
    return ds


__all__ = ["SCANNABLE", "clean_atoms", "scan"]
