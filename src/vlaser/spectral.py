"""Spectra of linear (Markovian) systems by resolvent solves: model independent.

For a generator M (n x n, complex; dx/dτ = M x), an initial vector x0 and a readout
row vector c, the one-sided Laplace transform of the correlation c · e^{Mτ} x0 gives

    S(ω) = 2 Re ∫_0^∞ dτ c · e^{Mτ} x0 e^{−iωτ} = 2 Re c · (iω − M)⁻¹ x0,

evaluated here by batched linear solves at every frequency (no FFT, no time grid), so
it is exact at any ω up to round-off. With the quantum regression theorem this is the
power spectrum of a stationary correlation ⟨A†(τ) A(0)⟩ (x0 = A ρ_ss, c = Tr[A† ·]).

Each pole λ = −γ + iΩ of M is a Lorentzian-like feature centred at ω = Ω with half
width γ. :func:`adaptive_grid` puts a dense patch around every pole (points uniform in
the Lorentzian phase θ = arctan((ω − Ω)/γ), so the spacing near the centre is ≈ γ/40)
plus a uniform background grid, so a feature a few Γ2 wide next to one thousands of
Γ2 wide is resolved without being told where it is. :func:`find_peaks` locates local
maxima on the grid and refines position, height (bounded Brent maximisation) and
full width at half maximum (Brent root finding of S − h/2 on both sides) on the exact
S(ω): the results are not limited by the grid spacing.

Units: whatever units M carries (vlaser: Γ3); ω and FWHM share them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

#: Frequencies per batched solve chunk (bounds memory: chunk · n² complex numbers).
_CHUNK = 4096


@dataclass(frozen=True)
class Peak:
    """One spectral line.

    Attributes:
        position: Frequency of the maximum (units of the generator).
        fwhm: Full width at half maximum; NaN if S does not fall to half the height
            on both sides within the searched range.
        height: S at the maximum.
    """

    position: float
    fwhm: float
    height: float

    def to_dict(self) -> dict[str, float]:
        """Plain dict (JSON-friendly)."""
        return asdict(self)


def resolvent_spectrum(
    M: np.ndarray, x0: np.ndarray, c: np.ndarray, omega: np.ndarray | float
) -> np.ndarray:
    """S(ω) = 2 Re c · (iω − M)⁻¹ x0 for an array of frequencies.

    Args:
        M: Generator(s), complex, shape (..., n, n).
        x0: Initial vector(s), shape (..., n) (broadcast against M's batch).
        c: Readout row vector(s), shape (..., n); the product is c · y (no conjugate).
        omega: Frequencies, scalar or 1-D array (nw,).

    Returns:
        Real array of shape (..., nw) (or (...) for scalar ``omega``).
    """
    M = np.asarray(M, dtype=complex)
    n = M.shape[-1]
    w = np.atleast_1d(np.asarray(omega, dtype=float))
    batch = np.broadcast_shapes(M.shape[:-2], np.shape(x0)[:-1], np.shape(c)[:-1])
    Mb = np.broadcast_to(M, (*batch, n, n))
    xb = np.broadcast_to(np.asarray(x0, dtype=complex), (*batch, n))
    cb = np.broadcast_to(np.asarray(c, dtype=complex), (*batch, n))
    out = np.empty((*batch, w.size))
    eye = np.eye(n)
    for start in range(0, w.size, _CHUNK):
        ws = w[start : start + _CHUNK]
        a = 1j * ws[:, None, None] * eye - Mb[..., None, :, :]  # (..., nw, n, n)
        rhs = np.broadcast_to(xb[..., None, :, None], (*a.shape[:-1], 1))
        y = np.linalg.solve(a, rhs)[..., 0]  # (..., nw, n)
        out[..., start : start + ws.size] = 2.0 * np.real(np.einsum("...i,...wi->...w", cb, y))
    return out if np.ndim(omega) else out[..., 0]


@dataclass(frozen=True)
class PoleResidue:
    """S(ω) = 2 Re Σ_i r_i / (iω − λ_i) of one generator: the resolvent in its
    eigenbasis, O(n) per frequency instead of an O(n³) solve.

    Built by :func:`pole_residue`, which checks it against direct solves.

    Attributes:
        poles: Eigenvalues λ_i of M.
        residues: r_i = (c·v_i)(V⁻¹x0)_i.
    """

    poles: np.ndarray
    residues: np.ndarray

    def __call__(self, omega: np.ndarray | float) -> np.ndarray:
        w = np.atleast_1d(np.asarray(omega, dtype=float))
        out = np.empty(w.size)
        for start in range(0, w.size, _CHUNK):
            ws = w[start : start + _CHUNK]
            z = self.residues / (1j * ws[:, None] - self.poles)
            out[start : start + ws.size] = 2.0 * np.real(z.sum(axis=-1))
        return out if np.ndim(omega) else out[0]


#: Relative agreement with direct solves a pole–residue form must reach to be used.
POLE_RESIDUE_TOL = 1e-9


def pole_residue(M: np.ndarray, x0: np.ndarray, c: np.ndarray) -> PoleResidue | None:
    """The pole–residue form of S(ω) = 2 Re c·(iω − M)⁻¹x0, or ``None`` where the
    eigenbasis is too ill-conditioned: it must reproduce direct solves at the poles'
    frequencies (where S is largest and most sensitive) and at ω = 0 to
    :data:`POLE_RESIDUE_TOL` relative to max |S| there.
    """
    M = np.asarray(M, dtype=complex)
    lam, vec = np.linalg.eig(M)
    try:
        coef = np.linalg.solve(vec, np.asarray(x0, dtype=complex))
    except np.linalg.LinAlgError:
        return None
    form = PoleResidue(lam, (np.asarray(c, dtype=complex) @ vec) * coef)
    probe = np.unique(np.concatenate([[0.0], -lam.imag]))
    direct = resolvent_spectrum(M, x0, c, probe)
    fast = form(probe)
    scale = float(np.max(np.abs(direct))) or 1.0
    if not np.all(np.isfinite(fast)) or np.max(np.abs(fast - direct)) > POLE_RESIDUE_TOL * scale:
        return None
    return form


def spectrum_function(M: np.ndarray, x0: np.ndarray, c: np.ndarray) -> Callable[[float], float]:
    """The exact S(ω) of one unbatched system as a scalar function (for root finding)."""
    M = np.asarray(M, dtype=complex)
    if M.ndim != 2:
        raise ValueError("spectrum_function needs a single (n, n) generator")

    def s(omega: float) -> float:
        return float(resolvent_spectrum(M, x0, c, float(omega)))

    return s


def adaptive_grid(
    poles: np.ndarray,
    lo: float | None = None,
    hi: float | None = None,
    background: int = 2001,
    patch_points: int = 241,
    patch_halfwidths: float = 12.0,
    margin_halfwidths: float = 20.0,
) -> np.ndarray:
    """Frequency grid resolving every pole of a generator.

    Args:
        poles: Eigenvalues λ = −γ + iΩ (complex, any shape); poles with γ ≤ 0 or
            non-finite values are ignored.
        lo, hi: Range of the background grid; default: all pole centres
            ± ``margin_halfwidths`` of the broadest pole.
        background: Number of uniform background points over [lo, hi].
        patch_points: Points per pole patch.
        patch_halfwidths: Half extent of a patch in units of that pole's γ.
        margin_halfwidths: Margin of the default range, in units of the largest γ.

    Returns:
        Sorted 1-D array of frequencies, no two closer than 1e-4 of the narrowest
        pole's γ. Within a patch, points are uniform
        in θ = arctan((ω − Ω)/γ), so the spacing at the centre is
        ≈ 2 arctan(patch_halfwidths) γ / patch_points (≈ γ/80 by default).
    """
    lam = np.asarray(poles, dtype=complex).ravel()
    lam = lam[np.isfinite(lam) & (-lam.real > 0)]
    if lam.size == 0 and (lo is None or hi is None):
        raise ValueError("adaptive_grid needs decaying poles or an explicit range")
    gam, cen = -lam.real, lam.imag
    if lo is None:
        lo = float(np.min(cen) - margin_halfwidths * np.max(gam))
    if hi is None:
        hi = float(np.max(cen) + margin_halfwidths * np.max(gam))
    parts = [np.linspace(lo, hi, background)]
    theta_max = np.arctan(patch_halfwidths)
    u = np.tan(np.linspace(-theta_max, theta_max, patch_points))
    for g, om in zip(gam, cen, strict=True):
        patch = om + g * u
        parts.append(patch[(patch >= lo) & (patch <= hi)])
    w = np.unique(np.concatenate(parts))
    if gam.size:
        # Patches of poles with (nearly) equal centres interleave; points closer than
        # 1e-4 of the narrowest pole's width resolve nothing, and a cluster of them
        # ~1e-13 apart makes round-off ripples look like extra maxima. Keep the first.
        keep = np.concatenate([[True], np.diff(w) > 1e-4 * float(np.min(gam))])
        w = w[keep]
    return w


def find_peaks(
    omega: np.ndarray,
    values: np.ndarray,
    func: Callable[[float], float] | None = None,
    min_rel_height: float = 1e-6,
) -> list[Peak]:
    """Peaks of a sampled spectrum, refined on the exact function, sorted by height.

    Args:
        omega: Sorted 1-D frequency grid (nw,).
        values: S on the grid (nw,).
        func: Exact S(ω) (scalar function). Without it, position and height are the
            grid values and the FWHM is interpolated linearly.
        min_rel_height: Maxima lower than this fraction of the largest are dropped
            (round-off ripples on flat backgrounds).

    Returns:
        List of :class:`Peak`, highest first.
    """
    return [pk for pk, _l, _r in find_lines(omega, values, func, min_rel_height)]


def find_lines(
    omega: np.ndarray,
    values: np.ndarray,
    func: Callable[[float], float] | None = None,
    min_rel_height: float = 1e-6,
) -> list[tuple[Peak, float, float]]:
    """:func:`find_peaks` with the half-maximum crossings: ``[(peak, left, right)]``,
    FWHM = right − left (NaN where S does not fall to half height)."""
    w = np.asarray(omega, dtype=float)
    s = np.asarray(values, dtype=float)
    if w.ndim != 1 or w.shape != s.shape or w.size < 3:
        raise ValueError("find_peaks needs 1-D omega and values of equal length >= 3")
    smax = float(np.max(s))
    idx = np.flatnonzero((s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:])) + 1
    idx = idx[s[idx] >= min_rel_height * smax]
    peaks = []
    for i in idx:
        pos, height = float(w[i]), float(s[i])
        if func is not None:
            from scipy.optimize import minimize_scalar

            res = minimize_scalar(
                lambda x: -func(x),
                bounds=(w[i - 1], w[i + 1]),
                method="bounded",
                options={"xatol": 1e-12 * max(1.0, abs(w[i])) + 1e-14},
            )
            if -res.fun >= height:
                pos, height = float(res.x), float(-res.fun)
        left = _half_crossing(w, s, i, height, -1, func)
        right = _half_crossing(w, s, i, height, +1, func)
        peaks.append((Peak(pos, right - left, height), left, right))
    peaks.sort(key=lambda pk: pk[0].height, reverse=True)
    return peaks


def _resolvent_vectors(
    A: np.ndarray, z0: np.ndarray, c: np.ndarray, w: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(iω − A, q = R z0, l = c R)`` with R = (iω − A)⁻¹ at one frequency."""
    a = 1j * w * np.eye(A.shape[0]) - A
    return a, np.linalg.solve(a, z0), np.linalg.solve(a.T, c)


def refine_line(
    A: np.ndarray, z0: np.ndarray, c: np.ndarray, position: float, left: float, right: float
) -> tuple[float, float, float, float]:
    """Polish a line's maximum and half-maximum points by Newton with analytic slopes.

    A bounded maximiser of S stops where S is flat to its round-off: for a line much
    narrower than the spread of the poles the maximum moves by ~1e-4 of the FWHM before
    S changes in its last digits. Newton on S_ω = 0 (S_ω = 2 Re[−i c R² z0], S_ωω =
    2 Re[−2 c R³ z0], R = (iω − A)⁻¹) fixes it, then Newton on S(ω±) = S(ω_p)/2. A step
    longer than a quarter of the FWHM is refused (the start is kept).

    Args:
        A, z0, c: As :func:`resolvent_spectrum` (one system).
        position, left, right: Start: maximum and half-maximum crossings
            (:func:`find_lines`).

    Returns:
        ``(position, left, right, height)``.
    """
    A = np.asarray(A, dtype=complex)
    limit = 0.25 * abs(right - left) if np.isfinite(right - left) else np.inf

    def s_derivs(w: float) -> tuple[float, float, float]:
        a, q, lv = _resolvent_vectors(A, z0, c, w)
        rq = np.linalg.solve(a, q)
        return (2.0 * float(np.real(c @ q)), 2.0 * float(np.real(-1j * (lv @ q))),
                2.0 * float(np.real(-2.0 * (lv @ rq))))  # fmt: skip

    def newton(w: float, target: float | None) -> float:
        for _ in range(6):
            s0, s1, s2 = s_derivs(w)
            if target is None:
                step = -s1 / s2 if s2 < 0 else 0.0
            else:
                step = -(s0 - target) / s1 if s1 != 0 else 0.0
            if not abs(step) <= limit or step == 0.0:
                break
            w += step
            if abs(step) <= 1e-15 * max(1.0, abs(w)):
                break
        return w

    w_p = newton(float(position), None)
    height = s_derivs(w_p)[0]
    out = [w_p]
    for w in (left, right):
        out.append(newton(float(w), 0.5 * height) if np.isfinite(w) else float(w))
    return out[0], out[1], out[2], height


def line_derivatives(
    A: np.ndarray,
    z0: np.ndarray,
    c: np.ndarray,
    dA: np.ndarray,
    dz0: np.ndarray,
    position: float,
    left: float,
    right: float,
) -> dict[str, np.ndarray]:
    """Exact derivatives of a line of S(ω) = 2 Re c·(iω − A)⁻¹ z0 (implicit functions).

    With R(ω) = (iω − A)⁻¹, l = c R and q = R z0, the derivative of S along a
    direction in which A and z0 change by dA, dz0 (c fixed) is, at fixed ω,

        S_θ = 2 Re [l dA q + l dz0],      S_ω = 2 Re [−i l q],     S_ωω = 2 Re [−2 l R q],
        S_θω = 2 Re [−i (l R dA q + l dA R q + l R dz0)].

    The maximum ω_p (S_ω = 0), the height h = S(ω_p) and the half-maximum points ω±
    (S(ω±) = h/2) are implicit functions of θ:

        dω_p/dθ = −S_θω/S_ωω (at ω_p),   dh/dθ = S_θ(ω_p),
        dω±/dθ = −(S_θ(ω±) − ½ S_θ(ω_p)) / S_ω(ω±),   dFWHM/dθ = dω+/dθ − dω−/dθ.

    Every quantity is a handful of dense solves with iω − A (no finite difference).
    The points are first polished by :func:`refine_line`.

    Args:
        A: Generator (m, m). z0: initial vector (m,). c: readout row (m,).
        dA: ``(k, m, m)``; dz0: ``(k, m)`` (derivatives along k directions).
        position, left, right: ω_p and the half-maximum crossings ω−, ω+ of the line
            (:func:`find_lines`), in the generator's frequency units.

    Returns:
        ``{"position", "fwhm", "height"}``: arrays ``(k,)`` of derivatives.
    """
    A = np.asarray(A, dtype=complex)

    def parts(w: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        a, q, lv = _resolvent_vectors(A, z0, c, w)
        return a, q, lv, np.einsum("i,kij,j->k", lv, dA, q) + dz0 @ lv

    w_p, left, right, _h = refine_line(A, z0, c, position, left, right)
    a_p, q_p, l_p, core_p = parts(w_p)
    s_theta_p = 2.0 * np.real(core_p)
    rq = np.linalg.solve(a_p, q_p)
    lr = np.linalg.solve(a_p.T, l_p)
    s_ww = 2.0 * np.real(-2.0 * (l_p @ rq))
    s_tw = 2.0 * np.real(
        -1j * (np.einsum("i,kij,j->k", lr, dA, q_p) + np.einsum("i,kij,j->k", l_p, dA, rq)
               + dz0 @ lr)
    )  # fmt: skip
    d_pos = -s_tw / s_ww
    d_half = []
    for w in (left, right):
        _a, q, lv, core = parts(w)
        s_w = 2.0 * np.real(-1j * (lv @ q))
        d_half.append(-(2.0 * np.real(core) - 0.5 * s_theta_p) / s_w)
    return {"position": d_pos, "fwhm": d_half[1] - d_half[0], "height": s_theta_p}


def _half_crossing(
    w: np.ndarray, s: np.ndarray, i: int, height: float, step: int, func: Callable | None
) -> float:
    """Frequency where S first falls below height/2 walking from index i (NaN if never)."""
    half = 0.5 * height
    j = i
    while 0 <= j + step < w.size and s[j + step] > half:
        j += step
    k = j + step
    if not 0 <= k < w.size:
        return float("nan")
    a, b = (w[k], w[j]) if step < 0 else (w[j], w[k])
    if func is None:
        sa, sb = (s[k], s[j]) if step < 0 else (s[j], s[k])
        return float(a + (half - sa) * (b - a) / (sb - sa))
    g = lambda x: func(x) - half  # noqa: E731
    if g(a) * g(b) > 0:  # the exact function disagrees with the samples: use them
        return float(w[k])
    from scipy.optimize import brentq

    return float(brentq(g, a, b, xtol=1e-13 * max(1.0, abs(a)), rtol=1e-14))


__all__ = [
    "POLE_RESIDUE_TOL",
    "Peak",
    "PoleResidue",
    "adaptive_grid",
    "find_lines",
    "find_peaks",
    "line_derivatives",
    "refine_line",
    "pole_residue",
    "resolvent_spectrum",
    "spectrum_function",
]
