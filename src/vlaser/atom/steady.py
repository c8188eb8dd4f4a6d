"""Exact steady state of the driven V atom by one batched linear solve.

The steady state solves L x = 0 with Tr ρ = 1. Because the master equation preserves
the trace, the three population rows of L sum to zero, so the row of dρ11/dt is
redundant; it is replaced by the trace functional (ones at the population indices
0, 4, 8 of the column-stacked vector) and the right-hand side by e0. The resulting
9x9 systems for a whole parameter grid are solved in one ``numpy.linalg.solve``
call (LAPACK getrf/getrs per point).

Points where the steady state is not unique (for example Γ2 = Ω2 = 0, where |2> is
decoupled) give a singular system; their results are NaN and flagged in
:attr:`AtomSteadyState.singular`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlaser.atom.liouvillian import POP_INDEX, POP_INDEX_REAL, liouvillian_real, real_to_rho
from vlaser.errors import ConvergenceError
from vlaser.params import AtomParams

#: Largest accepted residual max|L r| (units of Γ3) of a non-singular point. Double
#: precision leaves ~1e-16 |L| |r|; anything near 1e-8 signals a broken solve.
RESIDUAL_TOL = 1e-8

#: Units attribute used for dimensionless quantities in datasets.
_DIMLESS = "1"


def solve_steady(
    L: np.ndarray, trace_index: tuple[int, ...] = POP_INDEX
) -> tuple[np.ndarray, np.ndarray]:
    """Null vectors of trace-preserving generators, normalized to unit trace.

    The row of the first population (``trace_index[0]``) is replaced by the trace
    functional; works for the complex column-stacked generator (default indices
    0, 4, 8) and for the real one of :func:`liouvillian_real` (indices 0, 1, 2).

    Args:
        L: Generators, shape (..., n, n), real or complex.
        trace_index: Positions of the populations in the state vector.

    Returns:
        ``(x, singular)``: x of shape (..., n) (NaN where singular), and a boolean
        mask of shape (...) marking points whose system is singular.
    """
    L = np.asarray(L)
    n = L.shape[-1]
    batch = L.shape[:-2]
    a = L.reshape(-1, n, n).copy()
    a[:, trace_index[0], :] = 0.0
    a[:, trace_index[0], list(trace_index)] = 1.0
    rhs = np.zeros((a.shape[0], n, 1), dtype=a.dtype)
    rhs[:, trace_index[0], 0] = 1.0
    singular = np.zeros(a.shape[0], dtype=bool)
    try:
        x = np.linalg.solve(a, rhs)[..., 0]
    except np.linalg.LinAlgError:
        # At least one exactly singular point: solve point by point.
        x = np.full((a.shape[0], n), np.nan, dtype=a.dtype)
        for k in range(a.shape[0]):
            try:
                x[k] = np.linalg.solve(a[k], rhs[k, :, 0])
            except np.linalg.LinAlgError:
                singular[k] = True
    singular |= ~np.all(np.isfinite(x), axis=-1)
    x[singular] = np.nan
    return x.reshape(*batch, n), singular.reshape(batch)


@dataclass(frozen=True)
class AtomSteadyState:
    """Steady state of the V atom at every point of a parameter grid.

    Attributes:
        params: The parameters (shape ``params.shape``).
        rho: Density matrices, complex array (*shape, 3, 3); ρ[i-1, j-1] = <i|ρ|j>.
        residual: max |L x| per point (units of Γ3), shape (*shape).
        singular: True where the steady state is not unique (results NaN).
    """

    params: AtomParams
    rho: np.ndarray
    residual: np.ndarray
    singular: np.ndarray = field(default_factory=lambda: np.zeros((), bool))

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape."""
        return self.rho.shape[:-2]

    @property
    def populations(self) -> np.ndarray:
        """[p1, p2, p3] = [<σ11>, <σ22>, <σ33>], real array (*shape, 3)."""
        return np.real(np.diagonal(self.rho, axis1=-2, axis2=-1)).copy()

    @property
    def inversion(self) -> np.ndarray:
        """Inversion <σ22> − <σ11> of the narrow line, shape (*shape)."""
        pops = self.populations
        return pops[..., 1] - pops[..., 0]

    @property
    def min_eigenvalue(self) -> np.ndarray:
        """Smallest eigenvalue of ρ, shape (*shape) (NaN at singular points)."""
        rho = np.nan_to_num(self.rho)
        return np.where(self.singular, np.nan, np.linalg.eigvalsh(rho)[..., 0])

    @property
    def physical(self) -> np.ndarray:
        """ρ is a density matrix: trace 1 (by construction), Hermitian (exactly, by the
        real solve) and positive to round-off (smallest eigenvalue ≥ −1e-12), shape
        (*shape); False at singular points."""
        return ~self.singular & (np.nan_to_num(self.min_eigenvalue, nan=-1.0) >= -1e-12)

    def expect(self, i: int, j: int) -> np.ndarray:
        """<σij> = Tr(σij ρ) = ρ_ji, complex array (*shape)."""
        return self.rho[..., j - 1, i - 1]

    @property
    def coherences(self) -> dict[str, np.ndarray]:
        """Expectation values <σ12>, <σ13>, <σ23> (complex, (*shape)); the others are
        their conjugates (<σji> = <σij>*)."""
        return {"s12": self.expect(1, 2), "s13": self.expect(1, 3), "s23": self.expect(2, 3)}

    def to_dataset(self) -> Any:
        """The results as an ``xarray.Dataset`` with parameter coordinates.

        Dimensions: one per grid axis, named after the parameter that varies along it
        alone (``dim_k`` if none does); array parameters become coordinates, scalar
        ones attributes. Variables: ``inversion``, ``p1``, ``p2``, ``p3``, real and
        imaginary parts of ``s12``, ``s13``, ``s23`` (<σij>), ``residual``,
        ``singular``, ``physical``. Every variable carries a ``units`` attribute.
        """
        import xarray as xr

        return xr.Dataset(
            self._data_vars(), coords=_coords(self.params, self.shape)[1], attrs=_attrs(self.params)
        )

    def _data_vars(self) -> dict[str, Any]:
        dims = _coords(self.params, self.shape)[0]
        pops = self.populations
        out: dict[str, Any] = {
            "inversion": (dims, self.inversion, {"units": _DIMLESS, "long_name": "<σ22> − <σ11>"}),
        }
        for k in range(3):
            out[f"p{k + 1}"] = (
                dims,
                pops[..., k],
                {"units": _DIMLESS, "long_name": f"<σ{k + 1}{k + 1}>"},
            )
        for name, val in self.coherences.items():
            label = f"<σ{name[1:]}>"
            out[f"{name}_re"] = (dims, val.real, {"units": _DIMLESS, "long_name": f"Re {label}"})
            out[f"{name}_im"] = (dims, val.imag, {"units": _DIMLESS, "long_name": f"Im {label}"})
        out["residual"] = (dims, self.residual, {"units": "Gamma3", "long_name": "max |L rho|"})
        out["singular"] = (dims, self.singular.astype(np.int8), {"units": _DIMLESS})
        out["physical"] = (
            dims,
            self.physical.astype(np.int8),
            {"units": _DIMLESS, "long_name": "1 where rho >= 0 (min eigenvalue >= -1e-12)"},
        )
        return out


def _coords(p: AtomParams, shape: tuple[int, ...]) -> tuple[list[str], dict[str, Any]]:
    """Dimension names and coordinates for the array-valued parameters of ``p``."""
    nd = len(shape)
    dims = [f"dim_{k}" for k in range(nd)]
    varying: dict[str, tuple[int, ...]] = {}
    for name, value in p.values().items():
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            continue
        full = arr.reshape((1,) * (nd - arr.ndim) + arr.shape)
        axes = tuple(k for k in range(nd) if full.shape[k] > 1)
        varying[name] = axes
    for name, axes in varying.items():
        if len(axes) == 1 and dims[axes[0]].startswith("dim_"):
            dims[axes[0]] = name
    coords: dict[str, Any] = {}
    b = p.broadcast()
    for name, axes in varying.items():
        attrs = {"units": "Gamma3"}
        if not axes:
            continue
        if len(axes) == 1:
            idx = tuple(slice(None) if k == axes[0] else 0 for k in range(nd))
            coords[name] = (dims[axes[0]], np.asarray(b[name][idx]), attrs)
        else:
            sub = tuple(slice(None) if k in axes else 0 for k in range(nd))
            coords[name] = (tuple(dims[k] for k in axes), np.asarray(b[name][sub]), attrs)
    return dims, coords


def _attrs(p: AtomParams) -> dict[str, Any]:
    """Scalar parameters as dataset attributes (units of Γ3)."""
    attrs: dict[str, Any] = {"units_note": "rates in units of Gamma3; times in 1/Gamma3"}
    for name, value in p.values().items():
        if np.ndim(value) == 0:
            attrs[name] = float(value)
    return attrs


def steady_state(p: AtomParams, check: bool = True) -> AtomSteadyState:
    """Exact steady state of eqs. (1)-(4) (+ optional Γ23 D[σ32]) for every point of ``p``.

    Args:
        p: Atom parameters; array fields broadcast to a grid of shape ``p.shape``.
        check: Raise :class:`ConvergenceError` if a non-singular point has a residual
            or Hermiticity error above :data:`RESIDUAL_TOL`.

    Returns:
        :class:`AtomSteadyState` with ρ of shape (*p.shape, 3, 3), trace 1.

    Example:
        >>> ss = steady_state(AtomParams.paper())
        >>> float(ss.inversion) > 0.5
        True

    The solve runs in the real coordinates r of :func:`liouvillian_real`, so ρ is
    Hermitian exactly; the trace is 1 to round-off.
    """
    # Real coordinates of Hermitian ρ: the solution is Hermitian by construction and
    # the real 9x9 solve is about twice as fast as the complex one.
    L = liouvillian_real(p)
    r, singular = solve_steady(L, POP_INDEX_REAL)
    residual = np.max(np.abs(np.einsum("...ij,...j->...i", L, np.nan_to_num(r))), axis=-1)
    residual = np.where(singular, np.nan, residual)
    if check:
        bad = ~singular & ~(residual <= RESIDUAL_TOL)
        if np.any(bad):
            idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
            raise ConvergenceError(
                f"steady state inaccurate at grid index {idx}: residual {float(residual[idx]):.3g}"
            )
    return AtomSteadyState(params=p, rho=real_to_rho(r), residual=residual, singular=singular)


__all__ = ["RESIDUAL_TOL", "AtomSteadyState", "solve_steady", "steady_state"]
