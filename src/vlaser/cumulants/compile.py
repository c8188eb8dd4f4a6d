"""Compile a closed :class:`~vlaser.cumulants.complete.System` to fast numeric code.

**Variables.** Complex averages are packed as real variables: a real (self-conjugate)
average is one real variable, any other average u is two, (Re u, Im u).

**Polynomial form.** Every right-hand side is a polynomial in the averages u and their
conjugates ū (treated as independent symbols) with parameter-dependent coefficients:

    f_k(u, ū; p) = Σ_t c_t(p) · v_{i1(t)} v_{i2(t)} … ,    v = (1, u_0.., ū_0..).

Compilation extracts the monomial tables (index arrays) and generates Python/numpy
source for the distinct coefficients c(p) with common subexpressions eliminated by
``sympy.cse``. Evaluating f is then a gather–multiply–reduce over the terms, vectorized
over any leading batch axis of parameter points, with no per-system compile step.

**Jacobian.** Differentiating the tables gives ∂f/∂u and ∂f/∂ū exactly; the real
Jacobian follows by the Wirtinger rules

    ∂f/∂(Re u) = ∂f/∂u + ∂f/∂ū,        ∂f/∂(Im u) = i (∂f/∂u − ∂f/∂ū),

taking real and imaginary parts for the rows.

**Cache.** Derived systems and generated sources are cached on disk under
``cumulants/`` in vlaser's cache folder (:mod:`vlaser.cache`: ``$VLASER_CACHE_DIR``,
default ``$XDG_CACHE_HOME/vlaser`` or ``~/.cache/vlaser``), keyed by a hash of the model
definition, the order, the vlaser version and :data:`ENGINE_VERSION`; files are written
atomically (temporary name, then rename). ``cache=False`` or ``VLASER_CACHE_DIR=off``
bypasses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

import vlaser
from vlaser.cache import cache_root

if TYPE_CHECKING:  # sympy and the symbolic engine are imported where they are used
    import sympy as sp

    from vlaser.cumulants.algebra import Monomial, Operator
    from vlaser.cumulants.complete import System
    from vlaser.cumulants.model import Model

#: Systems with more real variables than this are solved with sparse LU (a 600 x 600
#: dense LU costs ~10 ms; the laser with K velocity classes has 3 + 34K + 17K(K-1)
#: complex averages).
DENSE_LIMIT = 600

#: Bump when the derivation or code generation changes (invalidates caches).
ENGINE_VERSION = "7"


# ---------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------


def cache_dir() -> Path | None:
    """The cache directory, or ``None`` if caching is disabled (``VLASER_CACHE_DIR=off``).

    ``cumulants/`` in vlaser's cache folder (:func:`vlaser.cache.cache_root`).
    """
    root = cache_root()
    return None if root is None else root / "cumulants"


def _hash(*parts: str) -> str:
    import sympy as sp

    text = "\n".join(
        [
            *parts,
            f"vlaser={vlaser.__version__}",
            f"engine={ENGINE_VERSION}",
            f"sympy={sp.__version__}",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def system_key(
    model: Model, order: int, operators: Sequence[str], symmetric: bool, filter_key: str = ""
) -> str:
    """Hash of everything a derived system depends on (``filter_key``: the
    completion's filter, see :func:`vlaser.cumulants.complete.filter_key`)."""
    parts = [model.text(), f"order={order}", f"symmetric={symmetric}", ";".join(operators)]
    if filter_key:
        parts.append(f"filter={filter_key}")
    return _hash(*parts)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _reregister(system: System) -> None:
    """Restore the average-symbol registry after unpickling."""
    from vlaser.cumulants.expand import _symbol

    for m, real in zip(system.averages, system.real, strict=True):
        _symbol(m, False, real)
        _symbol(m, True, real)


def _read_cache(path: Path | None) -> Any:
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # corrupt or incompatible cache entry: recompute
        return None


def _write_cache(path: Path | None, obj: Any) -> None:
    if path is None:
        return
    try:
        _atomic_write_bytes(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def derive_system(
    model: Model,
    operators: Sequence[Monomial | Operator],
    order: int = 2,
    symmetric: bool = True,
    cache: bool = True,
    filter_func: Callable[[Monomial], bool] | None = None,
) -> System:
    """:func:`~vlaser.cumulants.complete.complete`, with the on-disk cache.

    Args:
        model: The model.
        operators: Starting operators.
        order: Cumulant order.
        symmetric: Identical-atom symmetry.
        cache: Read/write the cache (see module docstring).
        filter_func: Completion filter (see :func:`~vlaser.cumulants.complete.complete`);
            its ``key`` attribute (or name) enters the cache key.
    """
    from vlaser.cumulants.complete import System, complete, filter_key

    seed = [o.text() for o in operators]
    fkey = "" if filter_func is None else filter_key(filter_func)
    key = system_key(model, order, seed, symmetric, fkey)
    d = cache_dir() if cache else None
    path = d / f"system-{key}.pkl" if d else None
    system = _read_cache(path)
    if isinstance(system, System):
        _reregister(system)
        system.key = key  # also for entries written before systems had keys
        return system
    system = complete(model, list(operators), order, symmetric, filter_func=filter_func)
    system.key = key
    _write_cache(path, system)
    return system


# ---------------------------------------------------------------------------
# Polynomial tables and coefficient code
# ---------------------------------------------------------------------------


def _printer() -> Any:
    """Plain Python arithmetic: ``1j`` for i, floats for rationals (sympy printer)."""
    from sympy.printing.pycode import PythonCodePrinter

    class _Printer(PythonCodePrinter):
        def _print_ImaginaryUnit(self, expr: Any) -> str:  # noqa: N802
            return "1j"

        def _print_Rational(self, expr: Any) -> str:  # noqa: N802
            return repr(float(expr.p) / float(expr.q))

        def _print_Half(self, expr: Any) -> str:  # noqa: N802
            return "0.5"

        def _print_Pow(self, expr: Any, rational: bool = False) -> str:  # noqa: N802
            base, e = expr.args
            if e.is_Integer and 1 < int(e) <= 4:
                return "*".join([self.parenthesize(base, 100)] * int(e))
            return super()._print_Pow(expr, rational)

    return _Printer()


@dataclass
class Layout:
    """How averages map to real variables.

    Attributes:
        slots: Per average, ``(i_re, i_im)``; ``i_im`` is ``-1`` for real averages.
        n_real: Number of real variables.
    """

    slots: list[tuple[int, int]]
    n_real: int

    @staticmethod
    def of(system: System) -> Layout:
        slots, k = [], 0
        for real in system.real:
            if real:
                slots.append((k, -1))
                k += 1
            else:
                slots.append((k, k + 1))
                k += 2
        return Layout(slots, k)


@dataclass
class Tables:
    """Index tables of the right-hand sides and of their derivatives.

    ``v`` is the extended variable vector ``(1, u_0..u_{n-1}, ū_0..ū_{n-1})`` (length
    ``2n + 1``; for a real average ū_k refers to u_k's slot).

    Attributes:
        n: Number of averages.
        f_coef, f_vars: Term t of the RHS is ``c[f_coef[t]] · Π v[f_vars[t, :]]``
            (factors padded with 0, the constant 1).
        f_re, f_im: Sparse ``(T, n_real)`` maps: the real RHS is
            ``Re(term) @ f_re + Im(term) @ f_im``.
        d_coef, d_vars, d_re, d_im: The same for the terms of the real Jacobian
            (flattened to ``n_real**2``); the Wirtinger rules are folded into the maps.
    """

    n: int
    f_coef: np.ndarray
    f_vars: np.ndarray
    f_re: Any
    f_im: Any
    d_coef: np.ndarray
    d_vars: np.ndarray
    d_re: Any
    d_im: Any

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """CSR form ``(ptr, idx, w_re, w_im)`` of the f and Jacobian maps (numba kernels)."""
        cached = self.__dict__.get("_csr")
        if cached is not None:
            return cached
        out: list[np.ndarray] = []
        for re, im in ((self.f_re, self.f_im), (self.d_re, self.d_im)):
            w = (re + 1j * im).tocsr()
            w.sort_indices()
            out += [
                w.indptr.astype(np.int64),
                w.indices.astype(np.int64),
                np.ascontiguousarray(w.data.real),
                np.ascontiguousarray(w.data.imag),
            ]
        self.__dict__["_csr"] = tuple(out)
        return self.__dict__["_csr"]

    # Pickled without scipy objects: the CSR arrays of :meth:`kernel_arrays` and the
    # shapes; the scipy matrices are rebuilt on first use (a cached system then loads
    # without importing scipy, see :func:`vlaser.laser.equations.laser_equations`).
    _SPARSE = ("f_re", "f_im", "d_re", "d_im")

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in self._SPARSE}
        state["_csr"] = self.kernel_arrays()
        state["_nt"] = (int(self.f_coef.size), int(self.d_coef.size))
        state.setdefault("_n_real", int(self.f_re.shape[1]))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        if name not in Tables._SPARSE or "_csr" not in self.__dict__:
            raise AttributeError(name)
        import scipy.sparse as sps

        fp, fi, fwr, fwi, dp, di, dwr, dwi = self.__dict__["_csr"]
        nf, nd = self.__dict__["_nt"]
        nr = int(self.__dict__["_n_real"])
        for key, (ptr, idx, wr, wi, rows, cols) in {
            "f": (fp, fi, fwr, fwi, nf, nr),
            "d": (dp, di, dwr, dwi, nd, nr * nr),
        }.items():
            self.__dict__[f"{key}_re"] = sps.csr_matrix((wr, idx, ptr), shape=(rows, cols))
            self.__dict__[f"{key}_im"] = sps.csr_matrix((wi, idx, ptr), shape=(rows, cols))
        return self.__dict__[name]


def _sparse(rows: list[int], cols: list[int], vals: list[float], shape: tuple[int, int]) -> Any:
    import scipy.sparse as sps

    return sps.csr_matrix(
        (np.asarray(vals, float), (np.asarray(rows, np.intp), np.asarray(cols, np.intp))),
        shape=shape,
    )


def _split_terms(expr: sp.Expr, slot: dict[sp.Symbol, int]) -> dict[tuple[int, ...], sp.Expr]:
    """An expanded polynomial as ``{sorted slot indices of its averages: coefficient}``."""
    import sympy as sp

    out: dict[tuple[int, ...], list[sp.Expr]] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        vars_: list[int] = []
        coef: list[sp.Expr] = []
        for f in sp.Mul.make_args(term):
            base, e = f.as_base_exp()
            if base in slot and e.is_Integer and e > 0:
                vars_ += [slot[base]] * int(e)
            else:
                coef.append(f)
        out.setdefault(tuple(sorted(vars_)), []).append(sp.Mul(*coef))
    res = {}
    for k, cs in out.items():
        c = sp.expand(sp.Add(*cs))
        if c != 0:
            res[k] = c
    return res


def _tables_and_coefficients(
    system: System, params: tuple[sp.Symbol, ...]
) -> tuple[Tables, list[sp.Expr]]:
    n = len(system.averages)
    layout = Layout.of(system)
    slot: dict[sp.Symbol, int] = {}
    for k in range(n):
        slot[system.symbols[k]] = 1 + k
        if not system.real[k]:
            slot[system.conj_symbols[k]] = 1 + n + k
    coef_index: dict[sp.Expr, int] = {}
    coeffs: list[sp.Expr] = []
    f_terms: list[tuple[int, int, tuple[int, ...]]] = []
    for k, expr in enumerate(system.rhs):
        if expr == 0:
            continue
        for monom_vars, c in _split_terms(expr, slot).items():
            vars_ = monom_vars
            free = c.free_symbols - set(params)
            if free:
                raise ValueError(f"coefficient has unknown symbols {sorted(map(str, free))}")
            ci = coef_index.setdefault(c, len(coeffs))
            if ci == len(coeffs):
                coeffs.append(c)
            f_terms.append((k, ci, vars_))
    return tables_from_terms(f_terms, layout), coeffs


def tables_from_terms(
    f_terms: Sequence[tuple[int, int, tuple[int, ...]]], layout: Layout
) -> Tables:
    """Index tables of the RHS and of its real Jacobian from a list of terms.

    Args:
        f_terms: ``(equation k, coefficient index, sorted v-slots)`` per term, where a
            v-slot is ``1 + average index`` (u) or ``1 + n + average index`` (ū).
        layout: The average -> real-variable map.
    """
    n = len(layout.slots)
    nr = layout.n_real
    deg = max((len(v) for _, _, v in f_terms), default=1) or 1

    def rows_of(k: int) -> list[tuple[int, str]]:
        re, im = layout.slots[k]
        return [(re, "re")] + ([(im, "im")] if im >= 0 else [])

    # RHS maps: row k real -> Re(term) at re_k; complex -> Re at re_k, Im at im_k.
    f_coef = np.array([t[1] for t in f_terms], dtype=np.intp)
    f_vars = np.zeros((len(f_terms), deg), dtype=np.intp)
    fr: tuple[list[int], list[int], list[float]] = ([], [], [])
    fi: tuple[list[int], list[int], list[float]] = ([], [], [])
    for t, (k, _, v) in enumerate(f_terms):
        f_vars[t, : len(v)] = v
        for row, part in rows_of(k):
            m = fr if part == "re" else fi
            m[0].append(t)
            m[1].append(row)
            m[2].append(1.0)

    # Jacobian terms: d/dv_j of c·Π v. For z = ∂f_k/∂u_l: column Re u_l gets z and,
    # for complex u_l, column Im u_l gets i·z; for z = ∂f_k/∂ū_l: Re gets z, Im gets −i·z.
    # Row parts: Re(w) -> re_k, Im(w) -> im_k, with w = phase·z = phase·(zr + i zi).
    d_terms: dict[tuple[int, int, int, tuple[int, ...]], int] = {}
    for k, ci, v in f_terms:
        for pos, j in enumerate(v):
            rest = tuple(sorted(v[:pos] + v[pos + 1 :]))
            key = (k, j, ci, rest)
            d_terms[key] = d_terms.get(key, 0) + 1
    items = list(d_terms.items())
    dd = max(deg - 1, 1)
    d_coef = np.array([key[2] for key, _ in items], dtype=np.intp)
    d_vars = np.zeros((len(items), dd), dtype=np.intp)
    dr: tuple[list[int], list[int], list[float]] = ([], [], [])
    di: tuple[list[int], list[int], list[float]] = ([], [], [])
    # (Re w, Im w) in terms of (zr, zi) for phase 1, i, -i.
    phase_maps = {
        1: ((1.0, 0.0), (0.0, 1.0)),
        1j: ((0.0, -1.0), (1.0, 0.0)),
        -1j: ((0.0, 1.0), (-1.0, 0.0)),
    }
    for t, ((k, j, _ci, rest), mult) in enumerate(items):
        d_vars[t, : len(rest)] = rest
        conj = j > n
        l = (j - 1 - n) if conj else (j - 1)
        lre, lim = layout.slots[l]
        cols = [(lre, 1)]
        if lim >= 0:
            cols.append((lim, -1j if conj else 1j))
        for col, phase in cols:
            (re_r, re_i), (im_r, im_i) = phase_maps[phase]
            for row, part in rows_of(k):
                cr, cim = (re_r, re_i) if part == "re" else (im_r, im_i)
                flat = row * nr + col
                if cr:
                    dr[0].append(t)
                    dr[1].append(flat)
                    dr[2].append(cr * mult)
                if cim:
                    di[0].append(t)
                    di[1].append(flat)
                    di[2].append(cim * mult)
    nt, ntd = len(f_terms), len(items)
    tables = Tables(
        n,
        f_coef,
        f_vars,
        _sparse(*fr, (nt, nr)),
        _sparse(*fi, (nt, nr)),
        d_coef,
        d_vars,
        _sparse(*dr, (ntd, nr * nr)),
        _sparse(*di, (ntd, nr * nr)),
    )
    tables.__dict__["_n_real"] = nr
    return tables


def _coefficient_source(coeffs: list[sp.Expr], params: tuple[sp.Symbol, ...]) -> str:
    import sympy as sp

    psym = [sp.Symbol(f"p{k}") for k in range(len(params))]
    repl = dict(zip(params, psym, strict=True))
    exprs = [sp.expand(c.xreplace(repl)) for c in coeffs]
    temps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"), optimizations="basic")
    pr = _printer()
    lines = [
        "# Generated by vlaser.cumulants.compile: coefficients c(p) of the polynomial RHS.",
        "import numpy as np",
        "",
        f"N_COEFFS = {len(coeffs)}",
        f"N_PARAMS = {len(params)}",
        "",
        "",
        "def coefficients(p):",
        '    """p: float array (..., N_PARAMS) -> complex array (..., N_COEFFS)."""',
        "    out = np.empty(p.shape[:-1] + (N_COEFFS,), dtype=np.complex128)",
    ]
    lines += [f"    p{k} = p[..., {k}]" for k in range(len(params))]
    lines += [f"    {t} = {pr.doprint(e)}" for t, e in temps]
    lines += [f"    out[..., {k}] = {pr.doprint(e)}" for k, e in enumerate(reduced)]
    lines += ["    return out", "", ""]
    lines += [
        "def coefficients1(p):",
        '    """One point, plain Python arithmetic: p sequence (N_PARAMS,) -> list."""',
    ]
    lines += [f"    p{k} = float(p[{k}])" for k in range(len(params))]
    lines += [f"    {t} = {pr.doprint(e)}" for t, e in temps]
    lines += ["    return ["] + [f"        {pr.doprint(e)}," for e in reduced] + ["    ]", ""]
    return "\n".join(lines)


def _load_source(src: str, name: str) -> ModuleType:
    module = ModuleType(name)
    exec(compile(src, f"<{name}>", "exec"), module.__dict__)  # noqa: S102
    return module


# ---------------------------------------------------------------------------
# Compiled system
# ---------------------------------------------------------------------------


class Evaluator:
    """f(x) and its Jacobian at fixed parameter points (coefficients precomputed).

    Args:
        cs: The compiled system.
        p: Parameters, float array ``(..., n_params)``; the leading axes are the batch.
    """

    def __init__(self, cs: CompiledSystem, p: np.ndarray) -> None:
        self.cs = cs
        p = np.asarray(p, dtype=float)
        self.batch_shape = p.shape[:-1]
        self.coef = cs.coefficients(p.reshape(-1, p.shape[-1]))  # (B, K)
        t = cs.tables
        self._fc = self.coef[:, t.f_coef]  # (B, T)
        self._dc = self.coef[:, t.d_coef]  # (B, Td)

    def _v(self, x: np.ndarray) -> np.ndarray:
        cs = self.cs
        n = cs.tables.n
        v = np.empty((x.shape[0], 2 * n + 1), dtype=np.complex128)
        v[:, 0] = 1.0
        u = v[:, 1 : n + 1]
        u.real = x[:, cs._re_of]
        u.imag = 0.0
        u.imag[:, cs._cplx] = x[:, cs._im_of_cplx]
        np.conjugate(u, out=v[:, n + 1 :])
        return v

    @staticmethod
    def _terms(coef: np.ndarray, v: np.ndarray, vars_: np.ndarray) -> np.ndarray:
        out = coef * v[:, vars_[:, 0]]
        for d in range(1, vars_.shape[1]):
            out *= v[:, vars_[:, d]]
        return out

    def rhs(self, x: np.ndarray) -> np.ndarray:
        """Real RHS; ``x`` has shape ``batch + (n_real,)``, so has the result."""
        t = self.cs.tables
        x2 = np.asarray(x, dtype=float).reshape(-1, self.cs.n_real)
        c = self._terms(self._fc, self._v(x2), t.f_vars)
        out = np.asarray(t.f_re.T @ c.real.T + t.f_im.T @ c.imag.T).T
        return out.reshape(np.shape(x))

    def jac(self, x: np.ndarray) -> np.ndarray:
        """Real Jacobian, shape ``batch + (n_real, n_real)``."""
        t = self.cs.tables
        nr = self.cs.n_real
        x2 = np.asarray(x, dtype=float).reshape(-1, nr)
        c = self._terms(self._dc, self._v(x2), t.d_vars)
        out = np.asarray(t.d_re.T @ c.real.T + t.d_im.T @ c.imag.T).T
        return out.reshape(np.shape(x) + (nr,))


class CompiledSystem:
    """Numeric face of a closed system.

    Attributes:
        system: The symbolic system (a system loaded from the numeric cache, see
            :func:`numeric_state`, derives or unpickles it on first access).
        params: Parameter symbols in the order of the ``p`` arrays (same).
        param_names: Their names (available without sympy).
        layout: Average -> real-variable map.
        tables: The polynomial index tables.
        coefficients: Generated ``coefficients(p)`` (batched).
        source: The generated coefficient source.
        names: Plain-text names of the averages (``⟨a†a⟩``), without sympy.
    """

    def __init__(
        self,
        system: System | None,
        params: Sequence[sp.Symbol] | None,
        layout: Layout,
        tables: Tables,
        coefficients: Callable[[np.ndarray], np.ndarray],
        coefficients1: Callable[[Sequence[float]], list[complex]],
        source: str,
        *,
        param_names: Sequence[str] | None = None,
        names: Sequence[str] | None = None,
        loader: Callable[[], System] | None = None,
    ) -> None:
        if system is None and loader is None:
            raise ValueError("a CompiledSystem needs its system or a loader for it")
        self._system = system
        self._params = None if params is None else tuple(params)
        self._loader = loader
        self.layout = layout
        self.tables = tables
        self.coefficients = coefficients
        self.coefficients1 = coefficients1
        self.source = source
        self.param_names = (
            tuple(param_names) if param_names is not None else tuple(p.name for p in params)
        )
        self._names = None if names is None else list(names)
        self.__post_init__()

    @property
    def system(self) -> System:
        """The symbolic system (loaded on first access for a cached numeric system)."""
        if self._system is None:
            system = self._loader()  # type: ignore[misc]
            if system.count != self.count or system.names() != self.names:
                raise RuntimeError("the symbolic system does not match its numeric cache")
            self._system = system
        return self._system

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """Parameter symbols (from the symbolic system's model, matched by name)."""
        if self._params is None:
            by_name = {p.name: p for p in self.system.model.parameters}
            self._params = tuple(by_name[n] for n in self.param_names)
        return self._params

    @property
    def names(self) -> list[str]:
        """Plain-text names of the averages, e.g. ``⟨a†a⟩``."""
        if self._names is None:
            self._names = self.system.names()
        return self._names

    def __post_init__(self) -> None:
        slots = self.layout.slots
        self._re_of = np.array([s[0] for s in slots], dtype=np.intp)
        self._cplx = np.array([k for k, s in enumerate(slots) if s[1] >= 0], dtype=np.intp)
        self._im_of_cplx = np.array([s[1] for s in slots if s[1] >= 0], dtype=np.intp)

    @property
    def n_real(self) -> int:
        return self.layout.n_real

    @property
    def count(self) -> int:
        return len(self.layout.slots)

    @property
    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """CSR maps for the numba kernels (computed once)."""
        cached = getattr(self, "_kernel_cache", None)
        if cached is None:
            cached = self.tables.kernel_arrays()
            self._kernel_cache = cached
        return cached

    @property
    def sparse(self) -> bool:
        """Solve with sparse LU (more than :data:`DENSE_LIMIT` real variables)."""
        return self.n_real > DENSE_LIMIT

    @property
    def sparse_arrays(self) -> tuple[np.ndarray, ...]:
        """``(rows, cols, dp, positions, dwr, dwi)``: the Jacobian's sparsity pattern
        and its CSR term map onto the pattern's positions (computed once)."""
        cached = getattr(self, "_sparse_cache", None)
        if cached is None:
            _fp, _fi, _fwr, _fwi, dp, di, dwr, dwi = self.kernel_arrays
            nr = self.n_real
            pattern, pos = np.unique(di, return_inverse=True)
            cached = (pattern // nr, pattern % nr, dp, pos.astype(np.int64), dwr, dwi)
            self._sparse_cache = cached
        return cached

    @property
    def lu_orders(self) -> dict:
        """Store of the fill-reducing LU column order of this system's Jacobian (see
        :func:`ordered_lu`): found at the first sparse factorization, then reused by
        every Newton step and stability check of the system (the pattern is fixed)."""
        store = getattr(self, "_lu_orders", None)
        if store is None:
            store = self._lu_orders = {}
        return store

    def point(self, p: np.ndarray) -> PointKernel:
        """numba kernels bound to one parameter point ``(n_params,)``."""
        return PointKernel(self, p)

    def evaluator(self, p: np.ndarray) -> Evaluator:
        """Bind parameter points (``(..., n_params)``) for repeated evaluation."""
        return Evaluator(self, p)

    def rhs(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Real RHS, batched: ``x`` ``(..., n_real)``, ``p`` ``(..., n_params)``."""
        return Evaluator(self, p).rhs(x)

    def jac(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Real Jacobian ``(..., n_real, n_real)``."""
        return Evaluator(self, p).jac(x)

    def pack(self, u: np.ndarray) -> np.ndarray:
        """Complex averages ``(..., n_avg)`` -> real variables ``(..., n_real)``."""
        u = np.asarray(u, dtype=complex)
        x = np.empty(u.shape[:-1] + (self.n_real,))
        x[..., self._re_of] = u.real
        x[..., self._im_of_cplx] = u[..., self._cplx].imag
        return x

    def unpack(self, x: np.ndarray) -> np.ndarray:
        """Real variables ``(..., n_real)`` -> complex averages ``(..., n_avg)``."""
        x = np.asarray(x, dtype=float)
        u = x[..., self._re_of] + 0j
        u[..., self._cplx] += 1j * x[..., self._im_of_cplx]
        return u

    def param_array(self, values: dict[str, Any], shape: tuple[int, ...] = ()) -> np.ndarray:
        """Stack parameter values (keyed by symbol name) to ``shape + (n_params,)``."""
        cols = []
        for s in self.params:
            if s.name not in values:
                raise KeyError(f"missing parameter {s.name}")
            cols.append(np.broadcast_to(np.asarray(values[s.name], float), shape))
        return np.stack(cols, axis=-1) if cols else np.zeros(shape + (0,))


def compile_system(
    system: System, params: Sequence[sp.Symbol] | None = None, cache: bool = True
) -> CompiledSystem:
    """Build (or load from the cache) the numeric evaluator of a closed system.

    Args:
        system: The closed system.
        params: Parameter order of the ``p`` arrays (default ``system.model.parameters``).
        cache: Use the on-disk cache for tables and generated source.
    """
    params = tuple(system.model.parameters if params is None else params)
    # A derived system is identified by its derivation key; hashing its text costs
    # ~0.1 s (sympy printing of every equation).
    what = f"system={system.key}" if system.key else system.text()
    key = _hash(what, ",".join(p.name for p in params))
    d = cache_dir() if cache else None
    path = d / f"compiled-{key}.pkl" if d else None
    hit = _read_cache(path)
    if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], Tables):
        tables, src = hit
    else:
        tables, coeffs = _tables_and_coefficients(system, params)
        src = _coefficient_source(coeffs, params)
        _write_cache(path, (tables, src))
    module = _load_source(src, f"vlaser_gen_{key}")
    return CompiledSystem(
        system, params, Layout.of(system), tables, module.coefficients, module.coefficients1, src
    )


def numeric_state(cs: CompiledSystem) -> dict[str, Any]:
    """What the numeric path needs of a compiled system, free of sympy and scipy
    objects (plain Python, numpy arrays and the generated source): pickled, it loads
    in milliseconds. :func:`from_numeric_state` rebuilds the :class:`CompiledSystem`."""
    return {
        "layout": cs.layout,
        "tables": cs.tables,
        "source": cs.source,
        "param_names": cs.param_names,
        "names": cs.names,
    }


def from_numeric_state(
    state: dict[str, Any], loader: Callable[[], System], name: str = "vlaser_gen_numeric"
) -> CompiledSystem:
    """A :class:`CompiledSystem` from :func:`numeric_state`; ``loader()`` returns the
    symbolic system when it is first needed (checked against the stored names)."""
    module = _load_source(state["source"], name)
    return CompiledSystem(
        None,
        None,
        state["layout"],
        state["tables"],
        module.coefficients,
        module.coefficients1,
        state["source"],
        param_names=state["param_names"],
        names=state["names"],
        loader=loader,
    )


def ordered_lu(a: Any, sigma: complex = 0.0, store: dict | None = None) -> Callable:
    """Sparse LU of ``a − σ`` with diagonal pivots, as ``solve(b) = (a − σ)⁻¹ b``.

    The fill-reducing column order (SuperLU's minimum degree on aᵀ + a, with
    ``diag_pivot_thresh=0`` and ``SymmetricMode``) costs about half of one
    factorization of a K = 9 group Jacobian; a system's Jacobian has the same pattern
    at every point (up to entries that vanish), so ``store`` (a dict: a compiled
    system's :attr:`CompiledSystem.lu_orders`) keeps the first order, and the next
    factorizations apply it and factor in the natural order: the same fill, about
    10 ms instead of 20 (real) at K = 9 on the sandbox. Where that hits a zero pivot
    or fills in more than twice, the order is found again (and stored if its pivots
    were diagonal).

    Raises:
        RuntimeError: From SuperLU, for an exactly singular ``a − σ``.
    """
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla

    n = a.shape[0]
    shifted = sps.csc_matrix(a - sigma * sps.identity(n, format="csc")) if sigma else a
    shifted = sps.csc_matrix(shifted)
    opts = {"diag_pivot_thresh": 0.0, "options": {"SymmetricMode": True}}
    order = None if store is None else store.get(n)
    if order is not None:
        q, inv, fill = order
        try:
            lu = spla.splu(sps.csc_matrix(shifted[inv][:, inv]), permc_spec="NATURAL", **opts)
        except RuntimeError:  # a zero pivot in that order
            lu = None
        if lu is not None and lu.nnz <= 2 * fill:  # (lu.L, lu.U would copy: ~2.4 ms)

            def solve_ordered(b: np.ndarray, lu: Any = lu, q: np.ndarray = q) -> np.ndarray:
                return lu.solve(np.asarray(b, shifted.dtype)[inv])[q]

            return solve_ordered
    lu = spla.splu(shifted, permc_spec="MMD_AT_PLUS_A", **opts)
    if store is not None and np.array_equal(lu.perm_r, lu.perm_c):  # diagonal pivots
        q = np.asarray(lu.perm_c)
        inv = np.empty_like(q)
        inv[q] = np.arange(q.size)
        store[n] = (q, inv, lu.nnz)
    return lambda b, lu=lu: lu.solve(np.asarray(b, shifted.dtype))


class Factorization:
    """A sparse LU carried between Newton solves at nearby points (see
    :meth:`PointKernel.newton`): ``solve(b) ≈ J⁻¹ b`` or ``None``. Only a chord: a
    step from it is kept only if it shrinks the residual at least 4-fold."""

    __slots__ = ("solve",)

    def __init__(self) -> None:
        self.solve: Callable[[np.ndarray], np.ndarray] | None = None


class PointKernel:
    """numba-compiled RHS, Jacobian and Newton solver at one parameter point.

    Args:
        cs: The compiled system.
        p: One parameter point, float array ``(n_params,)``.
    """

    def __init__(self, cs: CompiledSystem, p: np.ndarray) -> None:
        from vlaser.cumulants import _kernels

        self._k = _kernels
        t = cs.tables
        coef = np.array(cs.coefficients1(np.asarray(p, dtype=float).ravel()), dtype=complex)
        fp, fi, fwr, fwi, dp, di, dwr, dwi = cs.kernel_arrays
        self._f = (np.ascontiguousarray(coef[t.f_coef]), t.f_vars, fp, fi, fwr, fwi)
        self._d = (np.ascontiguousarray(coef[t.d_coef]), t.d_vars, dp, di, dwr, dwi)
        self._re_of = cs._re_of.astype(np.int64)
        im_of = np.full(cs.count, -1, dtype=np.int64)
        im_of[cs._cplx] = cs._im_of_cplx
        self._im_of = im_of
        self.sparse = cs.sparse
        if self.sparse:
            rows, cols, sdp, spos, sdwr, sdwi = cs.sparse_arrays
            self._rows, self._cols = rows, cols
            self._ds = (self._d[0], self._d[1], sdp, spos, sdwr, sdwi)
            self._orders = cs.lu_orders

    def rhs(self, x: np.ndarray) -> np.ndarray:
        """Real RHS ``(n_real,)``."""
        return self._k.rhs_point(np.asarray(x, float), *self._f, self._re_of, self._im_of)

    def jac(self, x: np.ndarray) -> np.ndarray:
        """Real Jacobian ``(n_real, n_real)`` (dense)."""
        if self.sparse:
            return self.jac_sparse(x).toarray()
        return self._k.jac_point(np.asarray(x, float), *self._d, self._re_of, self._im_of)

    def jac_sparse(self, x: np.ndarray) -> Any:
        """Real Jacobian as a ``scipy.sparse.csc_matrix``."""
        import scipy.sparse as sps

        if not self.sparse:
            return sps.csc_matrix(self.jac(x))
        vals = self._k.jac_values(
            np.asarray(x, float), *self._ds, self._re_of, self._im_of, self._rows.size
        )
        nr = self._re_of.size + int((self._im_of >= 0).sum())
        return sps.csc_matrix((vals, (self._rows, self._cols)), shape=(nr, nr))

    def factor(self, x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """Sparse LU of the Jacobian at ``x``; returns ``solve(b) = J⁻¹ b``.

        In the system's stored fill-reducing order with diagonal pivots
        (:func:`ordered_lu`, the order shared with the stability check); a zero pivot
        falls back to COLAMD with partial pivoting.

        Raises:
            RuntimeError: For an exactly singular Jacobian.
        """
        import scipy.sparse as sps
        import scipy.sparse.linalg as spla

        xx = np.asarray(x, float)
        vals = self._k.jac_values(xx, *self._ds, self._re_of, self._im_of, self._rows.size)
        nr = xx.size
        a = sps.csc_matrix((vals, (self._rows, self._cols)), shape=(nr, nr))
        try:
            return ordered_lu(a, 0.0, self._orders)
        except RuntimeError:  # a zero pivot on the diagonal
            return spla.splu(a).solve

    def _converged(self, x: np.ndarray, f: np.ndarray, res: float, tol: float) -> bool:
        if res <= tol * (1.0 + float(np.max(np.abs(x)))):
            return True
        s = self._k.term_scale(x, *self._f, self._re_of, self._im_of)
        return bool(np.all(np.abs(f) <= tol * s))

    def _newton_sparse(
        self, x0: np.ndarray, tol: float, maxiter: int, reuse: Factorization | None = None
    ) -> tuple[np.ndarray, bool, float, int]:
        """Damped Newton as the numba kernel (same acceptance, tests and polishing),
        with the linear solves by sparse LU (:meth:`factor`). A factorization is reused
        (chord steps) while each step shrinks the residual at least 4-fold; otherwise
        the Jacobian is refactored at the current point. ``reuse`` carries a
        factorization between calls (a neighbouring point of a scan: its LU starts as
        the chord) and receives every new one. ``iterations`` counts steps.
        """
        x = x0.copy()
        f = self.rhs(x)
        res = float(np.max(np.abs(f)))
        polish = 0
        solve = None if reuse is None else reuse.solve
        fresh = False
        for it in range(maxiter):
            if self._converged(x, f, res, tol):
                if polish >= 2 or res == 0.0:
                    return x, True, res, it
                polish += 1
                try:
                    if solve is None:
                        solve = self.factor(x)
                        if reuse is not None:
                            reuse.solve = solve
                except RuntimeError:
                    return x, True, res, it
                xt = x + solve(-f)
                ft = self.rhs(xt)
                rt = float(np.max(np.abs(ft)))
                if rt <= 0.5 * res:
                    x, f, res = xt, ft, rt
                    continue
                return x, True, res, it
            if solve is None:
                try:
                    solve = self.factor(x)
                except RuntimeError:  # exactly singular
                    return x, False, res, it
                fresh = True
                if reuse is not None:
                    reuse.solve = solve
            step = solve(-f)
            ft = self.rhs(x + step)
            rt = float(np.max(np.abs(ft)))
            if not fresh and not (np.isfinite(rt) and rt <= 0.25 * res):
                solve = None  # the old factorization no longer contracts: refactor here
                continue
            lam = 1.0
            for _ in range(30):
                if np.isfinite(rt) and rt < res * (1.0 - 1e-4 * lam) + 1e-300:
                    break
                lam *= 0.5
                ft = self.rhs(x + lam * step)
                rt = float(np.max(np.abs(ft)))
            else:
                return x, False, res, it
            scale = 1.0 + float(np.max(np.abs(x)))
            x, f, res = x + lam * step, ft, rt
            fresh = False
            if lam < 1.0:
                solve = None
            if float(np.max(np.abs(lam * step))) <= 1e-15 * scale:
                return x, self._converged(x, f, res, tol), res, it + 1
        return x, self._converged(x, f, res, tol), res, maxiter

    def newton(
        self,
        x0: np.ndarray,
        tol: float = 1e-11,
        maxiter: int = 50,
        reuse: Factorization | None = None,
    ) -> tuple[np.ndarray, bool, float, int]:
        """Damped Newton from ``x0``: ``(x, converged, max|f|, iterations)``.

        Converged means ``max|f| <= tol · (1 + max|x|)`` or every equation balanced to
        ``tol`` of its terms (see :func:`vlaser.cumulants._kernels.newton`). A singular
        Jacobian counts as not converged. Systems above :data:`DENSE_LIMIT` real
        variables use sparse LU for the steps; ``reuse`` (a :class:`Factorization`)
        then lets consecutive calls share one LU as long as it contracts (chord steps;
        the convergence test is the same).
        """
        x0 = np.ascontiguousarray(x0, dtype=float)
        if self.sparse:
            return self._newton_sparse(x0, float(tol), int(maxiter), reuse)
        try:
            x, ok, res, it = self._k.newton(
                x0, *self._f, *self._d, self._re_of, self._im_of, float(tol), int(maxiter)
            )
        except Exception:  # LinAlgError from a singular Jacobian inside numba
            return x0, False, float("inf"), 0
        return x, bool(ok), float(res), int(it)


__all__ = [
    "DENSE_LIMIT",
    "ENGINE_VERSION",
    "CompiledSystem",
    "Evaluator",
    "Factorization",
    "PointKernel",
    "Layout",
    "Tables",
    "cache_dir",
    "compile_system",
    "ordered_lu",
    "derive_system",
    "from_numeric_state",
    "numeric_state",
    "system_key",
]
