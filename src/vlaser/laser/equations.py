"""The closed cumulant equations of the laser model, derived, compiled and cached.

:func:`laser_equations` runs the cumulant engine on :func:`~vlaser.laser.model.laser_model`
(starting from ⟨a†a⟩) and wraps the result with the laser's observables.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from vlaser.cumulants.admissible import Admissibility
from vlaser.cumulants.algebra import Create, Destroy, Transition
from vlaser.cumulants.compile import CompiledSystem, cache_dir, compile_system, derive_system
from vlaser.cumulants.complete import System
from vlaser.errors import ParameterError
from vlaser.laser.model import CAVITY, PARAMETER_NAMES, laser_model
from vlaser.params import LaserParams

#: Highest cumulant order offered. Order 3 (153 equations with symbolic N) derives in
#: seconds; order 4 (524 equations) takes over half a minute to derive and a
#: ~1000-variable Newton per point, beyond the time budget of a steady state.
MAX_ORDER = 3


@dataclass
class LaserSystem:
    """Closed equations of the laser plus where its observables live.

    Attributes:
        order: Cumulant order.
        n_atoms: ``None`` for symbolic N (a parameter), else the explicit int.
        system: The symbolic :class:`~vlaser.cumulants.complete.System`.
        compiled: Its :class:`~vlaser.cumulants.compile.CompiledSystem`.
        param_fields: The :class:`LaserParams` field of each entry of a ``p`` array.
    """

    order: int
    n_atoms: int | None
    system: System
    compiled: CompiledSystem
    param_fields: tuple[str, ...]

    def __post_init__(self) -> None:
        a, ad = Destroy(CAVITY), Create(CAVITY)
        space = self.system.model.atom_space
        self.i_photons = self._index(ad * a)
        self.i_field = self._index(a)
        self.i_s22 = self._index(Transition(space, 2, 2, 1))
        self.i_s33 = self._index(Transition(space, 3, 3, 1))
        self.i_g = self.param_fields.index("g")
        self.i_atoms = self.param_fields.index("atoms") if "atoms" in self.param_fields else None

    def _index(self, op) -> int | None:
        try:
            return self.system.index(op)[0]
        except ValueError:
            return None

    @functools.cached_property
    def admissibility(self) -> Admissibility:
        """The necessary conditions on a physical state (built on first use)."""
        return Admissibility(self.system)

    @property
    def count(self) -> int:
        """Number of equations (complex averages counted once)."""
        return self.system.count

    def param_array(self, params: LaserParams) -> np.ndarray:
        """``params.shape + (n_params,)`` float array in compiled order."""
        b = params.broadcast()
        cols = [b[f] for f in self.param_fields]
        return np.stack(cols, axis=-1)

    def observables(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Photon number, coherent photons, populations and inversion from real variables.

        Args:
            x: ``(..., n_real)``.

        Returns:
            Dict of arrays of shape ``x.shape[:-1]``: ``photons`` = ⟨a†a⟩,
            ``coherent_photons`` = |⟨a⟩|², ``field`` = ⟨a⟩ (complex), ``p1``, ``p2``,
            ``p3`` (populations per atom), ``inversion`` = ⟨σ22⟩ − ⟨σ11⟩.
        """
        u = self.compiled.unpack(x)
        zero = np.zeros(u.shape[:-1])
        n = u[..., self.i_photons].real if self.i_photons is not None else zero
        a = u[..., self.i_field] if self.i_field is not None else zero + 0j
        if self.i_photons is None:  # mean field: <a†a> = |<a>|^2
            n = np.abs(a) ** 2
        p2 = u[..., self.i_s22].real
        p3 = u[..., self.i_s33].real
        p1 = 1.0 - p2 - p3
        return {
            "photons": n,
            "coherent_photons": np.abs(a) ** 2,
            "field": a,
            "p1": p1,
            "p2": p2,
            "p3": p3,
            "inversion": p2 - p1,
        }


def _fields_of(params: tuple[sp.Symbol, ...]) -> tuple[str, ...]:
    by_symbol = {v: k for k, v in PARAMETER_NAMES.items()}
    return tuple(by_symbol[p] for p in params)


@functools.lru_cache(maxsize=16)
def _cached(order: int, n_atoms: int | None, cache: bool) -> LaserSystem:
    model = laser_model(n_atoms)
    ops = [Create(CAVITY) * Destroy(CAVITY)]
    system = derive_system(model, ops, order=order, cache=cache)
    compiled = compile_system(system, cache=cache)
    return LaserSystem(order, n_atoms, system, compiled, _fields_of(compiled.params))


def check_order(order: object) -> None:
    """Refuse a cumulant order outside ``1..MAX_ORDER`` (before any derivation).

    Raises:
        ParameterError: Naming the order and the allowed range.
    """
    if isinstance(order, bool) or not isinstance(order, int | np.integer):
        raise ParameterError("order", order, f"a whole number from 1 to {MAX_ORDER}")
    if not 1 <= order <= MAX_ORDER:
        raise ParameterError("order", order, f"a whole number from 1 to {MAX_ORDER}")


def laser_equations(order: int = 2, n_atoms: int | None = None, cache: bool = True) -> LaserSystem:
    """Derive (or load) and compile the closed laser equations.

    Args:
        order: Cumulant order k >= 1 (1 = mean field, 2 = the paper's).
        n_atoms: ``None`` (default): N is a symbolic parameter (identical atoms);
            an int: N explicit in the equations.
        cache: Use the on-disk cache (``VLASER_CACHE_DIR``; ``off`` disables it). Within
            a process the result is always memoized.

    Raises:
        ParameterError: For an order outside 1..MAX_ORDER or a bad atom number.
    """
    check_order(order)
    if n_atoms is not None and (
        isinstance(n_atoms, bool) or not isinstance(n_atoms, int | np.integer) or n_atoms < 1
    ):
        raise ParameterError("atoms", n_atoms, "a whole number >= 1")
    n = None if n_atoms is None else int(n_atoms)
    return _cached(int(order), n, bool(cache) and cache_dir() is not None)


__all__ = ["MAX_ORDER", "LaserSystem", "check_order", "laser_equations"]
