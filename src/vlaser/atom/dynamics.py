"""Time evolution of the V atom and the time scale t95 (paper Sec. II.B, Fig. 3b).

The real 9x9 generator L_r (see :func:`vlaser.atom.liouvillian.liouvillian_real`) is
diagonalised once per parameter point (batched ``numpy.linalg.eig``), so

    r(t) = V exp(Λ t) V⁻¹ r0

is exact at any time, from t ~ 1/Γ3 to t ~ 1/Γ2 ≈ 4266 and beyond, with no time
stepping. Where the eigenvector matrix is ill-conditioned (near an exceptional point,
cond(V) > :data:`COND_MAX`) the point falls back to ``scipy.linalg.expm(L t)``.
The error of the modal route is about cond(V)·ε·|L|·t ≲ 1e-9 for cond(V) ≤ 1e6,
|L| ~ 10 and t ≤ 1e5.

t95 (``shared/conventions.md``): with the atom in |1> at t = 0, the first time after
which the inversion I(t) stays at or above 0.95 I_ss (I_ss > 0), i.e. the last time
with I(t) < 0.95 I_ss. In modal form

    f(t) = I(t) − 0.95 I_ss = 0.05 I_ss + Σ_k a_k exp(λ_k t)     (k over decaying modes)

The search is certified rather than sampled blindly: B(t) = Σ |a_k| e^{−γ_k t} bounds
|I − I_ss| and D(t) = Σ |a_k λ_k| e^{−γ_k t} bounds |f'| (both decrease with t), so

* after T_end, where B(T_end) ≤ 0.025 I_ss, f > 0 for ever;
* an interval [t_j, t_j + h] with f_j, f_{j+1} > 0 and f_j + f_{j+1} > h D(t_j)
  contains no zero (f cannot reach 0 and come back within h);

intervals that are not certified are subdivided, and the final bracket is refined by
Brent's method on the exact modal f(t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlaser.atom.liouvillian import liouvillian_real, real_to_rho, rho_to_real
from vlaser.atom.steady import steady_state
from vlaser.errors import ParameterError
from vlaser.params import AtomParams

#: Largest accepted condition number of the eigenvector matrix for the modal route.
COND_MAX = 1e6

#: Readout of the inversion ρ22 − ρ11 from the real coordinates r.
_INV = np.array([-1.0, 1.0, 0, 0, 0, 0, 0, 0, 0])
_POPS = np.eye(9)[:3]


def ground_state_real() -> np.ndarray:
    """Real coordinates of |1><1| (shape (9,))."""
    r = np.zeros(9)
    r[0] = 1.0
    return r


@dataclass(frozen=True)
class Modes:
    """Eigen-decomposition of the real generator per parameter point.

    Attributes:
        eigvals: λ_k, complex (*shape, 9).
        vecs: right eigenvectors V (columns), complex (*shape, 9, 9).
        coeffs: V⁻¹ r0, complex (*shape, 9).
        cond: condition number of V, (*shape).
    """

    eigvals: np.ndarray
    vecs: np.ndarray
    coeffs: np.ndarray
    cond: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Points where the modal route is accurate (cond(V) ≤ :data:`COND_MAX`)."""
        return np.isfinite(self.cond) & (self.cond <= COND_MAX)

    def amplitudes(self, readout: np.ndarray) -> np.ndarray:
        """a_k = (c · V_k) (V⁻¹ r0)_k for a readout row vector c (9,): (*shape, 9)."""
        return np.einsum("i,...ik,...k->...k", readout, self.vecs, self.coeffs)


def modes(L: np.ndarray, r0: np.ndarray) -> Modes:
    """Batched eigen-decomposition of real generators L (..., 9, 9) with start r0 (..., 9)."""
    lam, v = np.linalg.eig(L)
    cond = np.linalg.cond(v)
    coeffs = np.full(lam.shape, np.nan, dtype=complex)
    good = np.isfinite(cond) & (cond < 1e14)
    if np.any(good):
        rb = np.broadcast_to(r0, lam.shape)
        coeffs[good] = np.linalg.solve(v[good], rb[good][..., None].astype(complex))[..., 0]
    return Modes(lam, v, coeffs, cond)


@dataclass(frozen=True)
class AtomEvolution:
    """ρ(t) on a time grid for every parameter point.

    Attributes:
        params: The parameters (grid shape ``params.shape``).
        times: Times, 1-D array (nt,), units of 1/Γ3.
        state: Real coordinates r(t), array (*shape, nt, 9).
        modal: True where the eigenbasis route was used, False where expm was.
    """

    params: AtomParams
    times: np.ndarray
    state: np.ndarray
    modal: np.ndarray

    @property
    def rho(self) -> np.ndarray:
        """Density matrices, complex (*shape, nt, 3, 3)."""
        return real_to_rho(self.state)

    @property
    def populations(self) -> np.ndarray:
        """[p1, p2, p3](t), real (*shape, nt, 3)."""
        return self.state[..., :3]

    @property
    def inversion(self) -> np.ndarray:
        """<σ22> − <σ11> (t), real (*shape, nt)."""
        return self.state[..., 1] - self.state[..., 0]

    def to_dataset(self):
        """``xarray.Dataset`` with dims (*grid dims, time); units attributes."""
        import xarray as xr

        from vlaser.atom.steady import _attrs, _coords

        dims, coords = _coords(self.params, self.state.shape[:-2])
        dims = [*dims, "time"]
        coords["time"] = ("time", self.times, {"units": "1/Gamma3"})
        data = {
            "inversion": (dims, self.inversion, {"units": "1", "long_name": "<σ22> − <σ11>"}),
        }
        for k in range(3):
            data[f"p{k + 1}"] = (dims, self.populations[..., k], {"units": "1"})
        return xr.Dataset(data, coords=coords, attrs=_attrs(self.params))


def _initial_real(rho0: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if rho0 is None:
        return np.broadcast_to(ground_state_real(), (*shape, 9))
    rho0 = np.asarray(rho0, dtype=complex)
    if rho0.shape[-2:] != (3, 3):
        raise ParameterError("rho0", rho0.shape, "density matrices of shape (..., 3, 3)")
    if not np.allclose(rho0, np.conj(np.swapaxes(rho0, -1, -2)), atol=1e-12):
        raise ParameterError("rho0", "non-Hermitian", "a Hermitian density matrix")
    if not np.allclose(np.trace(rho0, axis1=-2, axis2=-1), 1.0, atol=1e-10):
        raise ParameterError("rho0", "trace != 1", "a density matrix of unit trace")
    return np.broadcast_to(rho_to_real(rho0), (*shape, 9))


def _check_times(times: np.ndarray) -> np.ndarray:
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ParameterError("times", times, "a non-empty 1-D array of finite times >= 0")
    return t


def evolve(p: AtomParams, times: np.ndarray, rho0: np.ndarray | None = None) -> AtomEvolution:
    """Solve dρ/dt = L ρ exactly on a time grid for every parameter point.

    Args:
        p: Atom parameters (grid shape ``p.shape``).
        times: 1-D array of times ≥ 0 in units of 1/Γ3 (any order, any spacing).
        rho0: Initial density matrix (3, 3) or (*p.shape, 3, 3); default |1><1|.

    Returns:
        :class:`AtomEvolution` with r(t) of shape (*p.shape, nt, 9).
    """
    t = _check_times(times)
    shape = p.shape
    L = liouvillian_real(p)
    r0 = _initial_real(rho0, shape)
    m = modes(L, r0)
    ok = m.ok
    # Modal route: r(t) = Σ_k V_k c_k e^{λ_k t}.
    phase = np.exp(m.eigvals[..., None, :] * t[:, None])  # (*shape, nt, 9)
    vc = m.vecs * m.coeffs[..., None, :]  # (*shape, 9, 9): columns V_k c_k
    state = np.real(np.einsum("...tk,...ik->...ti", np.where(ok[..., None, None], phase, 0), vc))
    if not np.all(ok):
        from scipy.linalg import expm

        Lf = L.reshape(-1, 9, 9)
        r0f = r0.reshape(-1, 9)
        sf = state.reshape(-1, t.size, 9)
        for n in np.flatnonzero(~ok.reshape(-1)):
            props = expm(Lf[n][None] * t[:, None, None])
            sf[n] = props @ r0f[n]
        state = sf.reshape(state.shape)
    return AtomEvolution(params=p, times=t, state=state, modal=ok)


# ---------------------------------------------------------------------------
# t95
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class T95Result:
    """t95 and the steady inversion for every parameter point.

    Attributes:
        params: The parameters.
        t95: t95 in units of 1/Γ3, (*shape); NaN where the steady inversion ≤ 0.
        steady_inversion: I_ss, (*shape).
        fraction: The threshold fraction (0.95).
    """

    params: AtomParams
    t95: np.ndarray
    steady_inversion: np.ndarray
    fraction: float = 0.95


def _zero_mode(lam: np.ndarray) -> int:
    return int(np.argmax(lam.real))


def _last_crossing_modal(a: np.ndarray, lam: np.ndarray, margin: float) -> float:
    """Last zero of f(t) = margin + Re Σ a_k e^{λ_k t} (f(0) < 0, margin > 0)."""
    keep = np.abs(a) > 0
    a, lam = a[keep], lam[keep]
    gam = -lam.real
    absa = np.abs(a)
    absd = np.abs(a * lam)

    def f(t: np.ndarray | float) -> np.ndarray:
        tt = np.atleast_1d(np.asarray(t, dtype=float))
        out = margin + np.real(np.exp(np.outer(tt, lam)) @ a)
        return out if np.ndim(t) else out[0]

    def bound_b(t: float) -> float:
        return float(absa @ np.exp(-gam * t))

    def bound_d(t: np.ndarray) -> np.ndarray:
        return np.exp(-np.outer(t, gam)) @ absd

    # After t_end, B(t) ≤ margin/2, so f ≥ margin/2 > 0 for ever.
    share = 0.5 * margin / a.size
    t_end = float(np.max(np.maximum(np.log(absa / share), 0.0) / gam))
    bracket: tuple[float, float] | None = None
    t0 = 0.0
    chunk = 20000
    while t0 < t_end:
        bb, dd = bound_b(t0), float(bound_d(np.array([t0]))[0])
        h = 0.2 * bb / dd if dd > 0 else t_end - t0
        h = max(h, 1e-9 * max(t_end, 1.0))
        n = int(min(chunk, np.ceil((t_end - t0) / h)))
        grid = t0 + h * np.arange(n + 1)
        vals = f(grid)
        bracket = _scan(grid, vals, f, bound_d, bracket)
        t0 = float(grid[-1])
    if bracket is None:  # pragma: no cover - f(0) < 0 always gives one
        raise RuntimeError("t95: no crossing found")
    lo, hi = bracket
    if f(lo) > 0:  # touches zero at lo only (degenerate), report lo
        return lo
    from scipy.optimize import brentq

    return float(brentq(f, lo, hi, xtol=1e-12 * max(hi, 1.0), rtol=1e-14, maxiter=200))


def _scan(grid, vals, f, bound_d, bracket, depth: int = 0):
    """Update the last bracket [t_j, t_{j+1}] with f(t_j) ≤ 0 < f(t_{j+1}) on a grid.

    Intervals that cannot be certified zero-free are subdivided (up to 8 levels).
    """
    h = grid[1] - grid[0] if grid.size > 1 else 0.0
    pos = vals > 0
    # Last non-positive sample in this chunk.
    nonpos = np.flatnonzero(~pos)
    start = 0
    if nonpos.size:
        j = int(nonpos[-1])
        if j + 1 < grid.size:
            bracket = (float(grid[j]), float(grid[j + 1]))
        else:
            bracket = (float(grid[j]), float(grid[j]))  # continued by the next chunk
        start = j + 1
    elif bracket is not None and bracket[0] == bracket[1]:
        bracket = (bracket[0], float(grid[0]))
    if start >= grid.size - 1:
        return bracket
    # Uncertified intervals after the last non-positive sample.
    g, v = grid[start:], vals[start:]
    d = bound_d(g[:-1])
    unsure = np.flatnonzero(v[:-1] + v[1:] <= h * d)
    for j in unsure:
        sub = np.linspace(g[j], g[j + 1], 17)
        if depth >= 8:
            # Resolution exhausted: fall back to the samples themselves.
            sv = f(sub)
            neg = np.flatnonzero(sv <= 0)
            if neg.size:
                k = int(neg[-1])
                bracket = (float(sub[k]), float(sub[min(k + 1, 16)]))
            continue
        bracket = _scan(sub, f(sub), f, bound_d, bracket, depth + 1)
    return bracket


def _last_crossing_expm(L: np.ndarray, r0: np.ndarray, thr: float, lam: np.ndarray) -> float:
    """Fallback for ill-conditioned eigenbases: uniform stepping with expm(L h).

    The step is 0.05/max|λ| and the horizon 40/γ_min (γ_min the slowest nonzero
    decay rate): a heuristic, used only near exceptional points.
    """
    from scipy.linalg import expm
    from scipy.optimize import brentq

    lam = np.sort_complex(lam)
    nonzero = lam[np.abs(lam) > 1e-12 * np.abs(lam).max()]
    gmin = float(np.min(-nonzero.real))
    h = 0.05 / float(np.abs(lam).max())
    t_end = 40.0 / gmin
    n = int(np.ceil(t_end / h))
    # Powers step^1..step^m once; then advance m steps per matrix product.
    m = 256
    powers = np.empty((m, 9, 9))
    powers[0] = expm(L * h)
    for k in range(1, m):
        powers[k] = powers[0] @ powers[k - 1]
    readout = _INV @ powers  # (m, 9): inversion after 1..m steps
    r = r0.copy()
    last = 0
    for base in range(0, n, m):
        below = np.flatnonzero(readout @ r < thr)
        if below.size:
            last = base + int(below[-1]) + 1
        r = powers[-1] @ r

    def f(t: float) -> float:
        return float(_INV @ (expm(L * t) @ r0) - thr)

    return float(brentq(f, last * h, (last + 1) * h, xtol=1e-10))


def t95(p: AtomParams, fraction: float = 0.95) -> T95Result:
    """t95 for every parameter point of ``p`` (conventions.md), start in |1>.

    Args:
        p: Atom parameters.
        fraction: Threshold as a fraction of the steady inversion (default 0.95).

    Returns:
        :class:`T95Result`; t95 (units of 1/Γ3) is NaN where the steady inversion is
        not positive (t95 is undefined there).

    Raises:
        ParameterError: If ``fraction`` is not in (0, 1).
    """
    if not 0 < fraction < 1:
        raise ParameterError("fraction", fraction, "a number in (0, 1)")
    shape = p.shape
    L = liouvillian_real(p)
    r0 = np.broadcast_to(ground_state_real(), (*shape, 9))
    m = modes(L, r0)
    iss = steady_state(p, check=False).inversion
    amps = m.amplitudes(_INV)
    out = np.full(shape, np.nan)
    Lf, lamf, ampf = L.reshape(-1, 9, 9), m.eigvals.reshape(-1, 9), amps.reshape(-1, 9)
    okf, issf, outf = m.ok.reshape(-1), np.asarray(iss).reshape(-1), out.reshape(-1)
    for n in range(issf.size):
        if not np.isfinite(issf[n]) or issf[n] <= 0:
            continue
        thr = fraction * issf[n]
        if okf[n]:
            z = _zero_mode(lamf[n])
            rest = np.ones(9, bool)
            rest[z] = False
            # The zero mode's amplitude is I_ss of the modal form; use the direct
            # solve's I_ss (same to ~1e-12) for the margin.
            outf[n] = _last_crossing_modal(ampf[n][rest], lamf[n][rest], (1 - fraction) * issf[n])
        else:
            outf[n] = _last_crossing_expm(Lf[n], r0.reshape(-1, 9)[n], thr, lamf[n])
    return T95Result(params=p, t95=out, steady_inversion=np.asarray(iss), fraction=fraction)


__all__ = [
    "COND_MAX",
    "AtomEvolution",
    "Modes",
    "T95Result",
    "evolve",
    "ground_state_real",
    "modes",
    "t95",
]
