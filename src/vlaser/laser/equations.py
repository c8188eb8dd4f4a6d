"""The closed cumulant equations of the laser model, derived, compiled and cached.

:func:`laser_equations` runs the cumulant engine on :func:`~vlaser.laser.model.laser_model`
(starting from ⟨a†a⟩) and wraps the result with the laser's observables.

**Cache.** Besides the engine's own caches (the symbolic system and its compiled
tables, :mod:`vlaser.cumulants.compile`), the numeric face of each laser system is
stored free of sympy and scipy objects (``laser-*.pkl`` in the cumulant cache folder,
keyed by the order, N, the filter, the vlaser and engine versions and a hash of the
engine's and the model's source files). A process that finds it loads neither sympy
nor numba: ``laser_equations(3)`` then takes milliseconds, and the symbolic system is
loaded (unpickled, or derived) only when something asks for it
(:attr:`LaserSystem.system`: printing the equations, admissibility, spectra).

**Phase-invariance filter** (``phase_invariant=True``; :mod:`vlaser.cumulants.filters`):
keeps only the averages of zero excitation charge under Q = a†a + S2, the generator
of the pump-2 phase that ν2 D[Q] diffuses (QuantumCumulants.jl's ``filter_func``).
The laser's coherent pump Ω2(σ21 + σ12) carries charge ±1, so the model is not
phase covariant and the filter is NOT exact here: it drops ⟨σ12⟩ and with it the
pump's source terms (−iΩ2⟨σ12⟩ + c.c. in d⟨σ22⟩/dt), i.e. the coherent pumping of
|2>, and ⟨a⟩, i.e. the coherent field whose growth makes the second-order fixed point
unstable. It is exact (same fixed points, smaller system) for Ω2 = 0, where |2> is
filled incoherently through |3> and Γ23 (tests/laser/test_order3.py checks both).
Counts with N symbolic: order 2: 37 -> 9 averages, order 3: 153 -> 37.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import vlaser
from vlaser.cumulants.compile import (
    ENGINE_VERSION,
    CompiledSystem,
    _atomic_write_bytes,
    cache_dir,
    from_numeric_state,
    numeric_state,
)
from vlaser.errors import ParameterError
from vlaser.laser import ensemble
from vlaser.laser.fields import GROUP_FIELDS, SHARED_FIELDS
from vlaser.params import LaserParams

if TYPE_CHECKING:
    from vlaser.cumulants.admissible import Admissibility
    from vlaser.cumulants.complete import System

#: Highest cumulant order offered. Order 3 (153 equations with symbolic N) derives in
#: about a second; order 4 (524 equations) takes over half a minute to derive and a
#: ~1000-variable Newton per point, beyond the time budget of a steady state.
MAX_ORDER = 3

#: Where the laser's observables live in a system: name -> the operator (built lazily).
_OBSERVABLES = ("photons", "field", "s22", "s33")


def _charges(system: System) -> np.ndarray:
    """Excitation charge of each average under Q = a†a + S2 (the pump-2 phase)."""
    from vlaser.cumulants.filters import ChargeFilter
    from vlaser.laser.model import NU2

    flt = ChargeFilter(system.model, NU2)
    return np.array([int(flt.charge(m)) for m in system.averages], dtype=np.int64)


def _observable_indices(system: System) -> dict[str, int | None]:
    """Indices of ⟨a†a⟩, ⟨a⟩, ⟨σ22⟩, ⟨σ33⟩ in a one-group laser system (None: absent)."""
    from vlaser.cumulants.algebra import Create, Destroy, Transition
    from vlaser.laser.model import CAVITY

    a, ad = Destroy(CAVITY), Create(CAVITY)
    space = system.model.atom_space
    ops = {
        "photons": ad * a,
        "field": a,
        "s22": Transition(space, 2, 2, 1),
        "s33": Transition(space, 3, 3, 1),
    }
    out: dict[str, int | None] = {}
    for name, op in ops.items():
        try:
            out[name] = system.index(op)[0]
        except ValueError:
            out[name] = None
    return out


class LaserSystem:
    """Closed equations of the laser plus where its observables live.

    Attributes:
        order: Cumulant order.
        n_atoms: ``None`` for symbolic N (a parameter), else the explicit int.
        system: The symbolic :class:`~vlaser.cumulants.complete.System` (loaded on
            first access when the system came from the numeric cache).
        compiled: Its :class:`~vlaser.cumulants.compile.CompiledSystem`.
        param_fields: The :class:`LaserParams` field of each entry of a ``p`` array.
        phase_invariant: Completed with the phase-invariance filter (module docstring).
        i_photons, i_field, i_s22, i_s33: Indices of ⟨a†a⟩, ⟨a⟩, ⟨σ22⟩, ⟨σ33⟩ among the
            averages (``None`` where the system has no such average).
        charges: See :attr:`charges`.
    """

    def __init__(
        self,
        order: int,
        n_atoms: int | None,
        system: System | None,
        compiled: CompiledSystem,
        param_fields: tuple[str, ...],
        indices: dict[str, int | None] | None = None,
        phase_invariant: bool = False,
        charges: np.ndarray | None = None,
    ) -> None:
        self.order = order
        self.n_atoms = n_atoms
        self._system = system
        self.compiled = compiled
        self.param_fields = tuple(param_fields)
        self.phase_invariant = phase_invariant
        self._indices = indices
        self._charges = None if charges is None else np.asarray(charges, dtype=np.int64)
        self.__post_init__()

    @property
    def charges(self) -> np.ndarray:
        """Excitation charge m of each average under Q = a†a + S2 (ints; −1 for ⟨a⟩,
        ⟨σ12⟩; 0 for ⟨a†a⟩, ⟨σ22⟩, ⟨aσ21⟩): the rotation e^{−imωt} of the average in a
        frame turning at ω per unit charge."""
        if self._charges is None:
            self._charges = _charges(self.system)
        return self._charges

    @property
    def system(self) -> System:
        """The symbolic system (see the class docstring)."""
        if self._system is None:
            self._system = self.compiled.system
        return self._system

    def __post_init__(self) -> None:
        idx = self._indices if self._indices is not None else _observable_indices(self.system)
        self.i_photons = idx["photons"]
        self.i_field = idx["field"]
        self.i_s22 = idx["s22"]
        self.i_s33 = idx["s33"]
        self.i_g = self.param_fields.index("g")
        self.i_atoms = self.param_fields.index("atoms") if "atoms" in self.param_fields else None

    def __repr__(self) -> str:
        filt = ", phase-invariant" if self.phase_invariant else ""
        n = "N" if self.n_atoms is None else self.n_atoms
        return f"LaserSystem(order={self.order}, N={n}, {self.count} averages{filt})"

    def atom_counts(self, p: np.ndarray) -> Any:
        """N of parameter vectors ``p`` as the admissibility check takes it."""
        if self.i_atoms is not None:
            return np.asarray(p)[..., self.i_atoms]
        return float(self.n_atoms)

    def total_atoms(self, p: np.ndarray) -> float:
        """Total atom number of one parameter vector."""
        return (
            float(np.sum(np.asarray(p)[self.i_atoms]))
            if self.i_atoms is not None
            else float(self.n_atoms)
        )

    def _index(self, op) -> int | None:
        try:
            return self.system.index(op)[0]
        except ValueError:
            return None

    @functools.cached_property
    def admissibility(self) -> Admissibility:
        """The necessary conditions on a physical state (built on first use)."""
        from vlaser.cumulants.admissible import Admissibility

        return Admissibility(self.system)

    @property
    def count(self) -> int:
        """Number of equations (complex averages counted once)."""
        return self.compiled.count

    @property
    def names(self) -> list[str]:
        """Plain-text names of the averages (``⟨a†a⟩``, ...), without sympy."""
        return self.compiled.names

    def param_array(self, params: LaserParams) -> np.ndarray:
        """``params.shape + (n_params,)`` float array in compiled order."""
        b = params.broadcast()
        cols = [b[f] for f in self.param_fields]
        return np.stack(cols, axis=-1)

    def observables(self, x: np.ndarray, p: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Photon number, coherent photons, populations and inversion from real variables.

        Args:
            x: ``(..., n_real)``.
            p: Parameters (used by the group systems for their weights).

        Returns:
            Dict of arrays of shape ``x.shape[:-1]``: ``photons`` = ⟨a†a⟩,
            ``coherent_photons`` = |⟨a⟩|², ``field`` = ⟨a⟩ (complex; 0 where the system
            has no ⟨a⟩, e.g. phase-invariant), ``p1``, ``p2``, ``p3`` (populations per
            atom), ``inversion`` = ⟨σ22⟩ − ⟨σ11⟩.
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


class GroupLaserSystem(LaserSystem):
    """The laser with K groups of atoms (velocity classes, positions): closed
    equations instantiated from the group template (:mod:`vlaser.cumulants.groups`).

    The parameter vector is the shared fields, then per group ``delta2, delta3,
    omega2, omega3, g, atoms`` (:data:`vlaser.laser.model.GROUP_FIELDS`), built from a
    :class:`LaserParams` with an ensemble by :meth:`param_array`.

    Attributes:
        groups: K.
        counts: Explicit atoms per group (derived directly, N_k not parameters), or
            ``None`` (symbolic N_k, from the template).
        i_g, i_atoms: Positions of every g_k and N_k in a parameter vector (arrays;
            ``i_atoms`` is ``None`` with explicit counts).
    """

    groups: int

    def __init__(
        self,
        order: int,
        system: Any,
        compiled: CompiledSystem,
        groups: int,
        counts: tuple[int, ...] | None = None,
    ) -> None:
        self.groups = groups
        self.counts = counts
        fields = list(SHARED_FIELDS)
        for k in range(1, groups + 1):
            fields += [f"{f}_{k}" for f in self._fields()]
        n_total = None if counts is None else int(sum(counts))
        super().__init__(order, n_total, system, compiled, tuple(fields))

    def _fields(self) -> tuple[str, ...]:
        """Per-group fields of the parameter vector (no N_k with explicit counts)."""
        if self.counts is None:
            return GROUP_FIELDS
        return tuple(f for f in GROUP_FIELDS if f != "atoms")

    def one_group(self) -> LaserSystem:
        """The one-group system the homogeneous start is solved with."""
        return laser_equations(self.order, self.n_atoms)

    def __post_init__(self) -> None:
        from vlaser.cumulants.algebra import Create, Destroy, Transition
        from vlaser.laser.model import CAVITY, group_space

        a, ad = Destroy(CAVITY), Create(CAVITY)
        self.i_photons = self._index(ad * a)
        self.i_field = self._index(a)
        spaces = [group_space(k) for k in range(1, self.groups + 1)]
        self.i_s22 = np.array([self._index(Transition(s, 2, 2, 1)) for s in spaces])
        self.i_s33 = np.array([self._index(Transition(s, 3, 3, 1)) for s in spaces])
        f = self.param_fields
        self.i_g = np.array([f.index(f"g_{k}") for k in range(1, self.groups + 1)])
        self.i_atoms = (
            None
            if self.counts is not None
            else np.array([f.index(f"atoms_{k}") for k in range(1, self.groups + 1)])
        )
        self._spaces = spaces

    def classes(self, params: LaserParams) -> ensemble.Classes:
        """The groups of ``params`` at unit widths (their count must be :attr:`groups`)."""
        shifts = ensemble.unit_classes(params)
        if shifts.count != self.groups:
            raise ParameterError(
                "classes", shifts.axes, f"classes multiplying to this system's {self.groups}"
            )
        return shifts

    def param_array(self, params: LaserParams) -> np.ndarray:
        """``params.shape + (n_params,)``: shared fields, then each group's fields."""
        b = params.broadcast()
        shape = params.shape
        widths = {
            "doppler_width": np.asarray(b["doppler_width"]),
            "pump3_width": np.asarray(b["pump3_width"]),
        }
        cols = [b[f] for f in SHARED_FIELDS]
        unit = self.classes(params)
        if self.counts is not None and np.any(b["atoms"] != sum(self.counts)):
            raise ParameterError("atoms", params.atoms, f"{sum(self.counts)} (the explicit counts)")
        per = []
        for k in range(self.groups):
            value = {
                "delta2": b["delta2"] + widths["doppler_width"] * unit.delta2_shift[k],
                "delta3": b["delta3"] + widths["pump3_width"] * unit.delta3_shift[k],
                "omega2": b["omega2"],
                "omega3": b["omega3"],
                "g": b["g"] * unit.coupling[k],
                "atoms": b["atoms"] * unit.weight[k],
            }
            per += [value[f] for f in self._fields()]
        return np.stack([np.broadcast_to(c, shape) for c in cols + per], axis=-1)

    def homogeneous(self, p: np.ndarray) -> np.ndarray:
        """The same point with every group given the weighted-mean detunings and the
        rms coupling (identical groups, same weights): the start of the continuation
        in the inhomogeneous spread."""
        p = np.array(p, dtype=float)
        fields = self._fields()
        n_sh, n_f = len(SHARED_FIELDS), len(fields)
        per = p[..., n_sh:].reshape(p.shape[:-1] + (self.groups, n_f))
        w = self._weights(p)
        for name in ("delta2", "delta3", "omega2", "omega3"):
            i = fields.index(name)
            per[..., i] = (w * per[..., i]).sum(axis=-1, keepdims=True)
        i = fields.index("g")
        per[..., i] = np.sqrt((w * per[..., i] ** 2).sum(axis=-1, keepdims=True))
        return p

    def _weights(self, p: np.ndarray) -> np.ndarray:
        """Atom fractions N_k/N, ``(..., K)``."""
        if self.counts is not None:
            w = np.broadcast_to(np.asarray(self.counts, float), np.shape(p)[:-1] + (self.groups,))
        else:
            w = np.asarray(p, float)[..., self.i_atoms]
        return w / w.sum(axis=-1, keepdims=True)

    def single_params(self, p: np.ndarray) -> np.ndarray:
        """The one-group parameter vector of a homogeneous point (:meth:`homogeneous`)."""
        fields = self._fields()
        n_sh, n_f = len(SHARED_FIELDS), len(fields)
        per = p[n_sh:].reshape(self.groups, n_f)
        vals = dict(zip(SHARED_FIELDS, p[:n_sh], strict=True))
        for name in fields:
            vals[name] = per[0, fields.index(name)]
        vals["atoms"] = self.total_atoms(p)
        return np.array([vals[f] for f in self.one_group().param_fields])

    @functools.cached_property
    def replication(self) -> tuple[np.ndarray, np.ndarray]:
        """``(index, conjugate)``: where each average of identical groups sits in the
        one-group system (the groups' atoms renamed to distinct atoms of one group)."""
        from vlaser.cumulants.algebra import Monomial
        from vlaser.cumulants.expand import representative

        one = self.one_group()
        atom = one.system.model.atom_space
        idx, conj = [], []
        for mono in self.system.averages:
            atoms = [(atom, k + 1, i, j) for k, (_s, _l, i, j) in enumerate(mono.atoms)]
            rep, c, _ = representative(Monomial.build(mono.fock, atoms))
            idx.append(one.system.averages.index(rep))
            conj.append(c)
        return np.array(idx), np.array(conj)

    def replicate(self, x_one: np.ndarray) -> np.ndarray:
        """Real variables of identical groups from the one-group solution ``x_one``."""
        one = self.one_group()
        u1 = one.compiled.unpack(x_one)
        idx, conj = self.replication
        u = np.where(conj, np.conj(u1[..., idx]), u1[..., idx])
        return self.compiled.pack(u)

    def atom_counts(self, p: np.ndarray) -> dict:
        """``group space -> N_k`` of parameter vectors ``p`` (for admissibility)."""
        if self.counts is not None:
            return dict(zip(self._spaces, map(float, self.counts), strict=True))
        return {s: p[..., i] for s, i in zip(self._spaces, self.i_atoms, strict=True)}

    def total_atoms(self, p: np.ndarray) -> float:
        if self.counts is not None:
            return float(sum(self.counts))
        return float(np.sum(np.asarray(p)[self.i_atoms]))

    def observables(self, x: np.ndarray, p: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """As :meth:`LaserSystem.observables`; populations and inversion are averages
        over the groups weighted by N_k from ``p`` (without ``p``: plain means), and
        ``p2_groups``, ``p3_groups`` give them per group (``(..., K)``)."""
        if p is None:
            p = np.zeros(len(self.param_fields))
            if self.i_atoms is not None:
                p[self.i_atoms] = 1.0
        u = self.compiled.unpack(x)
        n = u[..., self.i_photons].real
        a = u[..., self.i_field]
        p2g = u[..., self.i_s22].real
        p3g = u[..., self.i_s33].real
        w = self._weights(p)
        p2 = (w * p2g).sum(axis=-1)
        p3 = (w * p3g).sum(axis=-1)
        p1 = 1.0 - p2 - p3
        return {
            "photons": n,
            "coherent_photons": np.abs(a) ** 2,
            "field": a,
            "p1": p1,
            "p2": p2,
            "p3": p3,
            "inversion": p2 - p1,
            "p2_groups": p2g,
            "p3_groups": p3g,
        }


def _source_hash() -> str:
    """Hash of the source files a laser system is derived from (the numeric cache's
    key: an edited engine or model never reads a stale system)."""
    return _source_hash_cached()


@functools.lru_cache(maxsize=1)
def _source_hash_cached() -> str:
    root = Path(__file__).resolve().parent.parent
    files = [
        "cumulants/algebra.py",
        "cumulants/model.py",
        "cumulants/derive.py",
        "cumulants/expand.py",
        "cumulants/complete.py",
        "cumulants/compile.py",
        "cumulants/filters.py",
        "cumulants/correlate.py",
        "laser/model.py",
        "laser/fields.py",
        "laser/equations.py",
    ]
    h = hashlib.sha256()
    for name in files:
        h.update(name.encode())
        h.update((root / name).read_bytes())
    return h.hexdigest()[:24]


def _numeric_path(order: int, n_atoms: int | None, phase_invariant: bool) -> Path | None:
    d = cache_dir()
    if d is None:
        return None
    text = "\n".join(
        [
            "vlaser-laser-numeric",
            f"order={order}",
            f"n_atoms={n_atoms}",
            f"phase_invariant={phase_invariant}",
            f"vlaser={vlaser.__version__}",
            f"engine={ENGINE_VERSION}",
            f"sources={_source_hash()}",
        ]
    )
    return d / f"laser-{hashlib.sha256(text.encode()).hexdigest()[:24]}.pkl"


def _symbolic(order: int, n_atoms: int | None, cache: bool, phase_invariant: bool) -> System:
    """Derive (or load from the engine's cache) the symbolic laser system."""
    from vlaser.cumulants.algebra import Create, Destroy
    from vlaser.cumulants.compile import derive_system
    from vlaser.laser.model import CAVITY, NU2, laser_model

    model = laser_model(n_atoms)
    flt = None
    if phase_invariant:
        from vlaser.cumulants.filters import phase_invariant as charge0

        flt = charge0(model, NU2)
    ops = [Create(CAVITY) * Destroy(CAVITY)]
    return derive_system(model, ops, order=order, cache=cache, filter_func=flt)


@functools.lru_cache(maxsize=16)
def _cached(order: int, n_atoms: int | None, cache: bool, phase_invariant: bool) -> LaserSystem:
    path = _numeric_path(order, n_atoms, phase_invariant) if cache else None

    def loader() -> System:
        return _symbolic(order, n_atoms, cache, phase_invariant)

    if path is not None and path.exists():
        try:
            state = pickle.loads(path.read_bytes())
            compiled = from_numeric_state(state["compiled"], loader, f"vlaser_laser_{path.stem}")
            return LaserSystem(
                order,
                n_atoms,
                None,
                compiled,
                state["param_fields"],
                state["indices"],
                phase_invariant,
                state["charges"],
            )
        except Exception:  # corrupt or incompatible entry: derive again
            pass
    from vlaser.cumulants.compile import compile_system
    from vlaser.laser.model import PARAMETER_NAMES

    system = loader()
    compiled = compile_system(system, cache=cache)
    by_symbol = {v: k for k, v in PARAMETER_NAMES.items()}
    fields = tuple(by_symbol[p] for p in compiled.params)
    indices = _observable_indices(system)
    charges = _charges(system)
    if path is not None:
        state = {
            "compiled": numeric_state(compiled),
            "param_fields": fields,
            "indices": indices,
            "charges": charges,
        }
        try:
            _atomic_write_bytes(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass
    return LaserSystem(order, n_atoms, system, compiled, fields, indices, phase_invariant, charges)


@functools.lru_cache(maxsize=8)
def _cached_groups(
    order: int, groups: int, cache: bool, counts: tuple[int, ...] | None
) -> GroupLaserSystem:
    from vlaser.cumulants.algebra import Create, Destroy
    from vlaser.cumulants.compile import compile_system, derive_system
    from vlaser.laser.model import CAVITY, laser_group_model

    ops = [Create(CAVITY) * Destroy(CAVITY)]
    if counts is not None:  # explicit atoms: derived directly (small systems)
        system = derive_system(laser_group_model(groups, counts), ops, order, cache=cache)
        return GroupLaserSystem(order, system, compile_system(system, cache=cache), groups, counts)
    from vlaser.cumulants.groups import compile_groups
    from vlaser.laser.model import laser_family

    compiled = compile_groups(laser_family(), ops, groups, order, cache=cache)
    return GroupLaserSystem(order, compiled.system, compiled, groups)


def group_equations(
    groups: int, order: int = 2, cache: bool = True, counts: tuple[int, ...] | None = None
) -> GroupLaserSystem:
    """The closed laser equations with ``groups`` groups of atoms (memoized).

    Args:
        groups: K.
        order: Cumulant order.
        cache: Use the on-disk cache.
        counts: Explicit atoms per group (direct derivation; for comparisons with the
            exact master equation), default symbolic N_k from the group template.

    Raises:
        ParameterError: For an order outside 1..MAX_ORDER or ``groups`` outside
            1..MAX_GROUPS.
    """
    check_order(order)
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer):
        raise ParameterError("groups", groups, f"a whole number from 1 to {ensemble.MAX_GROUPS}")
    if not 1 <= groups <= ensemble.MAX_GROUPS:
        raise ParameterError("groups", groups, f"a whole number from 1 to {ensemble.MAX_GROUPS}")
    if counts is not None:
        counts = tuple(int(c) for c in counts)
        if len(counts) != groups or min(counts) < 1:
            raise ParameterError("counts", counts, f"{groups} whole numbers >= 1")
    return _cached_groups(int(order), int(groups), bool(cache) and cache_dir() is not None, counts)


def check_order(order: object) -> None:
    """Refuse a cumulant order outside ``1..MAX_ORDER`` (before any derivation).

    Raises:
        ParameterError: Naming the order and the allowed range.
    """
    if isinstance(order, bool) or not isinstance(order, int | np.integer):
        raise ParameterError("order", order, f"a whole number from 1 to {MAX_ORDER}")
    if not 1 <= order <= MAX_ORDER:
        raise ParameterError("order", order, f"a whole number from 1 to {MAX_ORDER}")


def laser_equations(
    order: int = 2,
    n_atoms: int | None = None,
    cache: bool = True,
    *,
    phase_invariant: bool = False,
) -> LaserSystem:
    """Derive (or load) and compile the closed laser equations.

    Args:
        order: Cumulant order k >= 1 (1 = mean field, 2 = the paper's).
        n_atoms: ``None`` (default): N is a symbolic parameter (identical atoms);
            an int: N explicit in the equations.
        cache: Use the on-disk cache (``VLASER_CACHE_DIR``; ``off`` disables it). Within
            a process the result is always memoized.
        phase_invariant: Keep only the averages of zero charge under a†a + S2 (see the
            module docstring: not exact for Ω2 ≠ 0; default off).

    Raises:
        ParameterError: For an order outside 1..MAX_ORDER or a bad atom number.
    """
    check_order(order)
    if n_atoms is not None and (
        isinstance(n_atoms, bool) or not isinstance(n_atoms, int | np.integer) or n_atoms < 1
    ):
        raise ParameterError("atoms", n_atoms, "a whole number >= 1")
    n = None if n_atoms is None else int(n_atoms)
    return _cached(int(order), n, bool(cache) and cache_dir() is not None, bool(phase_invariant))


__all__ = [
    "MAX_ORDER",
    "GroupLaserSystem",
    "LaserSystem",
    "check_order",
    "group_equations",
    "laser_equations",
]
