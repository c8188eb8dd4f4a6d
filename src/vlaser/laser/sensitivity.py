"""Sensitivities of the laser's steady state: derivatives with respect to every parameter.

**State derivatives (implicit differentiation).** At a fixed point f(x, θ) = 0 of the
closed cumulant equations,

    J dx/dθ = −∂f/∂θ,        J = ∂f/∂x (the compiled analytic Jacobian),

one LU factorization of J for all parameters. ∂f/∂θ is exact: the compiled right-hand
side is f = Σ_t c_t(θ) m_t(x), linear in the coefficient vector c (monomials m_t of the
averages, :mod:`vlaser.cumulants.compile`), and each coefficient c_t is a polynomial of
degree ≤ 1 in each laser parameter (products such as g·N, −i Δ2, ν/2 ...; the test
suite checks degree ≤ 2 at random points). A central difference of c(θ) alone is
therefore exact up to round-off for any step (we use h = max(|θ|, 1)), and ∂f/∂θ is the
right-hand side evaluated with ∂c/∂θ in place of c. No finite difference of the
solution is involved. From dx/dθ follow, exactly,

* dn/dθ (n = ⟨a†a⟩),
* d(inversion)/dθ (⟨σ22⟩ − ⟨σ11⟩ = 2⟨σ22⟩ + ⟨σ33⟩ − 1),
* d(coherent fraction)/dθ with the coherent (pump-photon) fraction |⟨a⟩|²/n: the share
  of the intracavity light that is coherently scattered pump-2 light.

**Line derivatives (implicit functions of the spectrum).** The FWHM and the position δp
of the lasing line are defined by the incoherent spectrum S(ω) = 2 Re c·(iω − A)⁻¹ z0 of
the regression system (:mod:`vlaser.laser.spectrum`): the maximum ω_p solves S_ω = 0,
the half-maximum points ω± solve S(ω±) = S(ω_p)/2. Their derivatives follow from the
implicit-function theorem (:func:`vlaser.spectral.line_derivatives`), with dA/dθ and
dz0/dθ exact: the generated code of the regression system is run in forward mode on
(x, dx/dθ) and (θ, e_θ) (:meth:`~vlaser.cumulants.correlate.CompiledCorrelation.
evaluate_tangent`), and the elastic split is differentiated analytically
(:func:`~vlaser.cumulants.correlate.split_elastic_tangent`). No steady state is
re-solved; ``d_peak["delta_c"]`` is the pulling coefficient dδp/dΔc. The points are
polished by Newton on the analytic S_ω before use (:func:`vlaser.spectral.refine_line`):
the bounded maximiser leaves ω_p off by ~1e-4 FWHM on a line 1e-5 of the poles' spread,
which would leak into dFWHM/dθ. Check: ``line_method="difference"`` gives central
differences of re-solved spectra (steps h = Γ2 for the detunings and Rabi frequencies,
1e-3 of the value for g, κ, N, 1e-3 Γ2 forward for a pump linewidth at 0; states at
θ ± h by Newton from x ± h dx/dθ); with Richardson extrapolation they agree with the
implicit route to 3.5e-7 relative at 5 random stable points (tests).

Parameters (names as :class:`~vlaser.params.LaserParams` fields): Δ2, Δ3, Ω2, Ω3, Δc,
g, κ, N (``atoms``), ν2, ν3 — each a *partial* derivative with the others fixed (so
d/dΔ2 keeps Δc; tuning the pump-2 laser with the cavity fixed moves both: add the
``delta2`` and ``delta_c`` entries). Units: rates in Γ3; dn/dΔ2 in 1/Γ3 and so on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlaser.errors import ConvergenceError, ParameterError
from vlaser.laser.equations import LaserSystem, laser_equations
from vlaser.params import LaserParams

#: The parameters differentiated by default (LaserParams field names).
PARAMETERS = (
    "delta2",
    "delta3",
    "omega2",
    "omega3",
    "delta_c",
    "g",
    "kappa",
    "atoms",
    "nu2",
    "nu3",
)

#: How the line's derivatives are computed: exact (implicit functions of the spectrum's
#: linear system) or central differences of re-solved spectra (the check).
LINE_METHODS = ("implicit", "difference")

#: Parameters stepped relative to their value in the line's finite differences.
_RELATIVE = ("g", "kappa", "atoms")


def check_names(names: Any, allowed: tuple[str, ...] = PARAMETERS, what: str = "parameter") -> tuple[str, ...]:  # fmt: skip
    """Validate parameter names (a comma-separated string or a sequence).

    Raises:
        ParameterError: For an empty selection or an unknown name.
    """
    if isinstance(names, str):
        names = [s.strip() for s in names.split(",") if s.strip()]
    out = tuple(str(n) for n in names)
    if not out:
        raise ParameterError(what, names, f"at least one of {', '.join(allowed)}")
    for n in out:
        if n not in allowed:
            raise ParameterError(what, n, f"one of {', '.join(allowed)}")
    if len(set(out)) != len(out):
        raise ParameterError(what, ",".join(out), "each name once")
    return out


class _Parts:
    """Per-system pieces: kernel arrays and where the observables sit in x."""

    def __init__(self, ls: LaserSystem) -> None:
        cs = ls.compiled
        self.ls = ls
        self.fp, self.fi, self.fwr, self.fwi = cs.kernel_arrays[:4]
        self.f_coef = cs.tables.f_coef
        self.f_vars = cs.tables.f_vars
        self.re_of = cs._re_of.astype(np.int64)
        im_of = np.full(cs.count, -1, dtype=np.int64)
        im_of[cs._cplx] = cs._im_of_cplx
        self.im_of = im_of
        self.i_n = int(self.re_of[ls.i_photons])
        self.i_p2 = int(self.re_of[ls.i_s22])
        self.i_p3 = int(self.re_of[ls.i_s33])
        if ls.i_field is not None:
            self.i_are = int(self.re_of[ls.i_field])
            self.i_aim = int(self.im_of[ls.i_field])
        else:
            self.i_are = self.i_aim = -1

    def rhs_with(self, x: np.ndarray, coef: np.ndarray) -> np.ndarray:
        from vlaser.cumulants import _kernels

        return _kernels.rhs_point(
            np.asarray(x, float),
            np.ascontiguousarray(coef[self.f_coef]),
            self.f_vars,
            self.fp,
            self.fi,
            self.fwr,
            self.fwi,
            self.re_of,
            self.im_of,
        )

    def observables(self, x: np.ndarray) -> tuple[float, float, float]:
        """(n, inversion, coherent fraction) of real variables ``x``."""
        n = float(x[self.i_n])
        inv = 2.0 * float(x[self.i_p2]) + float(x[self.i_p3]) - 1.0
        coh = 0.0 if self.i_are < 0 else float(x[self.i_are] ** 2 + x[self.i_aim] ** 2)
        return n, inv, coh / n if n > 0 else float("nan")

    def observable_derivatives(self, x: np.ndarray, dx: np.ndarray) -> dict[str, np.ndarray]:
        """Exact derivatives of (n, inversion, coherent fraction) from ``dx`` (k, n_real)."""
        n = float(x[self.i_n])
        dn = dx[:, self.i_n]
        dinv = 2.0 * dx[:, self.i_p2] + dx[:, self.i_p3]
        if self.i_are < 0:
            dcf = np.zeros(dx.shape[0])
        else:
            ar, ai = float(x[self.i_are]), float(x[self.i_aim])
            dcoh = 2.0 * ar * dx[:, self.i_are] + 2.0 * ai * dx[:, self.i_aim]
            coh = ar * ar + ai * ai
            dcf = dcoh / n - coh * dn / n**2
        return {"photons": dn, "inversion": dinv, "coherent_fraction": dcf}


@functools.lru_cache(maxsize=8)
def _parts(ls: LaserSystem) -> _Parts:
    return _Parts(ls)


def parts(ls: LaserSystem) -> _Parts:
    """The cached :class:`_Parts` of a one-group system."""
    return _parts(ls)


def directions(ls: LaserSystem, names: tuple[str, ...]) -> np.ndarray:
    """Unit directions in parameter space, ``(len(names), n_params)``."""
    d = np.zeros((len(names), len(ls.param_fields)))
    for k, n in enumerate(names):
        d[k, ls.param_fields.index(n)] = 1.0
    return d


def coefficient_derivatives_along(ls: LaserSystem, p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Directional derivatives of the compiled coefficients, ``(len(d), n_coeffs)``.

    Exact up to round-off: along a line the coefficients are polynomials of degree ≤ 2
    (each has degree ≤ 1 per parameter, module docstring), so the central difference
    with step h = max(|θ|, 1) along each direction is exact.
    """
    p = np.asarray(p, float)
    d = np.atleast_2d(np.asarray(d, float))
    h = np.maximum(np.abs(d @ p) / np.maximum(np.linalg.norm(d, axis=1), 1e-300), 1.0)
    h = h / np.maximum(np.max(np.abs(d), axis=1), 1e-300)
    pts = np.empty((2 * len(d), p.size))
    pts[0::2] = p + h[:, None] * d
    pts[1::2] = p - h[:, None] * d
    c = ls.compiled.coefficients(pts)
    return (c[0::2] - c[1::2]) / (2.0 * h[:, None])


def coefficient_derivatives(ls: LaserSystem, p: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """∂c/∂θ of the compiled coefficients, ``(len(names), n_coeffs)`` complex (exact up
    to round-off, see :func:`coefficient_derivatives_along`)."""
    return coefficient_derivatives_along(ls, p, directions(ls, names))


def state_derivatives_along(ls: LaserSystem, p: np.ndarray, x: np.ndarray, d: np.ndarray) -> np.ndarray:  # fmt: skip
    """dx/ds along parameter directions ``d`` (``(k, n_params)``) at a fixed point:
    J dx/ds = −(∂f/∂θ)·d. Returns ``(k, n_real)``.

    Raises:
        ConvergenceError: For a singular or non-finite Jacobian (a fold of the branch).
    """
    pr = parts(ls)
    dc = coefficient_derivatives_along(ls, p, d)
    dfdp = np.stack([pr.rhs_with(x, dc[k]) for k in range(len(dc))], axis=1)
    jac = ls.compiled.point(p).jac(x)
    if not np.all(np.isfinite(jac)):
        raise ConvergenceError("non-finite Jacobian at the fixed point: no derivatives")
    try:
        sol = np.linalg.solve(jac, -dfdp)
    except np.linalg.LinAlgError:
        raise ConvergenceError(
            "singular Jacobian at the fixed point (a fold): no derivatives"
        ) from None
    return sol.T


def state_derivatives(
    ls: LaserSystem, p: np.ndarray, x: np.ndarray, names: tuple[str, ...]
) -> np.ndarray:
    """dx/dθ at a fixed point by J dx/dθ = −∂f/∂θ, ``(len(names), n_real)``.

    Raises:
        ConvergenceError: For a singular Jacobian (a fold of the branch).
    """
    return state_derivatives_along(ls, p, x, directions(ls, names))


def _main_line(cs: Any, m: np.ndarray, x0: np.ndarray, xs: np.ndarray, b: complex) -> tuple:
    """The regression system at one point, elastic part split off, and its highest line:
    ``(rs, peak, left, right)`` (:func:`vlaser.spectral.find_lines`; ω from the pump)."""
    from vlaser.cumulants.algebra import Create
    from vlaser.cumulants.correlate import split_elastic
    from vlaser.laser.model import CAVITY
    from vlaser.spectral import adaptive_grid, find_lines

    rs = split_elastic(m, x0, xs, complex(b), cs.readout(Create(CAVITY)), cs.identity_index)
    w = adaptive_grid(rs.poles, background=2001)
    lines = find_lines(w, rs.incoherent(w), func=lambda q: float(rs.incoherent(q)))
    if not lines:
        raise ConvergenceError("the spectrum has no line on the grid")
    return (rs, *lines[0])


def _line(ls: LaserSystem, p: np.ndarray, x: np.ndarray, frame: str = "coherent") -> tuple[float, float]:  # fmt: skip
    """(δp, FWHM) of the incoherent line at the fixed point ``x`` of ``p`` (Γ3), with
    the points polished by :func:`vlaser.spectral.refine_line` (the difference route's
    values; free of the maximiser's round-off)."""
    from vlaser.laser.spectrum import correlation_for
    from vlaser.spectral import refine_line

    _ls, cs, cc = correlation_for(ls.order, frame, 1)
    m, x0, xs, b = cc.evaluate(ls.compiled.unpack(np.asarray(x, float)), p)
    rs, peak, left, right = _main_line(cs, m, x0, xs, b)
    pos, left, right, _h = refine_line(rs.A, rs.z0, rs.c, peak.position, left, right)
    d2 = float(p[ls.param_fields.index("delta2")])
    return pos + d2, right - left


def line_implicit_along(
    ls: LaserSystem, p: np.ndarray, x: np.ndarray, dx: np.ndarray, d: np.ndarray,
    frame: str = "coherent",
) -> tuple[tuple[float, float], np.ndarray, np.ndarray]:  # fmt: skip
    """Exact derivatives of (δp, FWHM) along parameter directions ``d`` (``(k, n_params)``).

    The regression generator M, x(0), ⟨a†⟩ and ⟨a⟩ are differentiated in forward mode
    along (dx, d) (:meth:`~vlaser.cumulants.correlate.CompiledCorrelation.evaluate_tangent`),
    the elastic part is split off with its tangent
    (:func:`~vlaser.cumulants.correlate.split_elastic_tangent`), and the maximum and the
    half-maximum points of S(ω) are differentiated as implicit functions
    (:func:`vlaser.spectral.line_derivatives`). ``dx``: dx/ds along ``d`` (``(k, n_real)``,
    :func:`state_derivatives_along`).

    Returns:
        ``((peak, fwhm), d_peak (k,), d_fwhm (k,))`` (Γ3 and Γ3 per unit of θ).
    """
    from vlaser.cumulants.algebra import Create
    from vlaser.cumulants.correlate import split_elastic_tangent
    from vlaser.laser.model import CAVITY
    from vlaser.laser.spectrum import correlation_for
    from vlaser.spectral import line_derivatives

    _ls, cs, cc = correlation_for(ls.order, frame, 1)
    d = np.atleast_2d(np.asarray(d, float))
    u = ls.compiled.unpack(np.asarray(x, float))
    du = ls.compiled.unpack(np.atleast_2d(np.asarray(dx, float)))
    (m, x0, xs, b), (dm, dx0, dxs, db) = cc.evaluate_tangent(u, du, p, d)
    _rs, peak, left, right = _main_line(cs, m, x0, xs, b)
    if not np.isfinite(peak.fwhm):
        raise ConvergenceError("the line does not fall to half height: no FWHM derivative")
    a, z0, ca, da, dz0 = split_elastic_tangent(
        m, x0, xs, complex(b), dm, dx0, dxs, db, cs.readout(Create(CAVITY)), cs.identity_index
    )
    der = line_derivatives(a, z0, ca, da, dz0, peak.position, left, right)
    i2 = ls.param_fields.index("delta2")
    d2 = float(p[i2])
    return (peak.position + d2, peak.fwhm), der["position"] + d[:, i2], der["fwhm"]


@dataclass
class Sensitivity:
    """Derivatives of the laser's steady state at one point.

    Attributes:
        params: The point.
        order: Cumulant order.
        names: Parameters differentiated (LaserParams field names, ``atoms`` = N).
        photons, inversion, coherent_fraction: Values at the point.
        derivatives: ``{"photons": {name: d/dθ}, "inversion": ..., "coherent_fraction":
            ...}``, plus ``"fwhm"`` and ``"peak"`` with ``spectrum=True``.
        fwhm, peak: Line FWHM and position δp from ω2 (Γ3; with ``spectrum=True``).
        pulling: dδp/dΔc (= :func:`~vlaser.laser.spectrum.pulling`), with the spectrum.
        steps: Finite-difference steps of the line (Γ3 or counts) with
            ``line_method="difference"``; None for the implicit route.
        stable, max_growth_rate: Of the fixed point.
        dx: dx/dθ, ``(len(names), n_real)``.
        method: How each group of derivatives was computed.
    """

    params: LaserParams
    order: int
    names: tuple[str, ...]
    photons: float
    inversion: float
    coherent_fraction: float
    derivatives: dict[str, dict[str, float]]
    stable: bool
    max_growth_rate: float
    dx: np.ndarray = field(repr=False)
    fwhm: float | None = None
    peak: float | None = None
    pulling: float | None = None
    steps: dict[str, float] | None = None
    method: dict[str, str] = field(default_factory=dict)

    def logarithmic(self, quantity: str = "photons") -> dict[str, float]:
        """θ/q ∂q/∂θ: relative change of ``quantity`` per relative change of θ."""
        q = float(getattr(self, quantity))
        v = self.params.values()
        return {k: float(v[k]) / q * d for k, d in self.derivatives[quantity].items()}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "order": self.order,
            "parameters": list(self.names),
            "photons": self.photons,
            "inversion": self.inversion,
            "coherent_fraction": self.coherent_fraction,
            "stable": self.stable,
            "max_growth_rate": self.max_growth_rate,
            "derivatives": self.derivatives,
            "method": self.method,
            "units": "Gamma3 (derivative of q w.r.t. a rate: q per Gamma3; atoms: per atom)",
        }
        if self.fwhm is not None:
            out.update(
                fwhm=self.fwhm,
                peak=self.peak,
                pulling=self.pulling,
                pulling_cavity=None if self.pulling is None else -self.pulling,
                steps=self.steps,
            )
        return out


def _line_step(name: str, value: float, gamma2: float) -> float:
    if name in _RELATIVE:
        return 1e-3 * abs(value)
    if name in ("nu2", "nu3"):
        return 1e-3 * max(abs(value), gamma2)
    return gamma2


def line_derivatives_along(
    ls: LaserSystem,
    p: np.ndarray,
    x: np.ndarray,
    dx: np.ndarray,
    d: np.ndarray,
    h: np.ndarray | None = None,
    forward: np.ndarray | None = None,
    frame: str = "coherent",
    method: str = "implicit",
) -> tuple[tuple[float, float], np.ndarray, np.ndarray, int]:
    """Derivatives of (δp, FWHM) along directions ``d``.

    ``method="implicit"`` (default): exact, :func:`line_implicit_along` (``h`` and
    ``forward`` unused). ``method="difference"``: central differences with steps ``h``,
    or second-order forward ones where ``forward[k]``; the states at p ± h d come from
    Newton started at x ± h dx (the independent check of the implicit route).

    Returns:
        ``((peak, fwhm), d_peak (k,), d_fwhm (k,), fixed points solved)``.
    """
    if method not in LINE_METHODS:
        raise ParameterError("method", method, f"one of {', '.join(LINE_METHODS)}")
    if method == "implicit":
        centre, d_peak, d_fwhm = line_implicit_along(ls, p, x, dx, d, frame)
        return centre, d_peak, d_fwhm, 0
    if h is None:
        raise ParameterError("h", h, "finite-difference steps for method='difference'")
    centre = _line(ls, p, x, frame)
    k_dirs = len(d)
    d_peak = np.zeros(k_dirs)
    d_fwhm = np.zeros(k_dirs)
    solved = 0
    for k in range(k_dirs):
        fwd = bool(forward[k]) if forward is not None else False
        offsets = (1.0, 2.0) if fwd else (-1.0, 1.0)
        vals = []
        for s in offsets:
            pp = np.asarray(p, float) + s * h[k] * d[k]
            xs, ok, _r, _it = ls.compiled.point(pp).newton(x + s * h[k] * dx[k], tol=1e-12,
                                                          maxiter=30)  # fmt: skip
            solved += 1
            if not ok:
                raise ConvergenceError("no fixed point near the point for a line derivative")
            vals.append(_line(ls, pp, xs, frame))
        if fwd:
            (a1, w1), (a2, w2) = vals
            a0, w0 = centre
            d_peak[k] = (-3 * a0 + 4 * a1 - a2) / (2 * h[k])
            d_fwhm[k] = (-3 * w0 + 4 * w1 - w2) / (2 * h[k])
        else:
            (am, wm), (ap, wp) = vals
            d_peak[k] = (ap - am) / (2 * h[k])
            d_fwhm[k] = (wp - wm) / (2 * h[k])
    return centre, d_peak, d_fwhm, solved


def line_derivatives(
    ls: LaserSystem,
    p: np.ndarray,
    x: np.ndarray,
    dx: np.ndarray,
    names: tuple[str, ...],
    frame: str = "coherent",
    steps: dict[str, float] | None = None,
    method: str = "implicit",
) -> tuple[tuple[float, float], dict[str, float], dict[str, float], dict[str, float] | None]:
    """Derivatives of (δp, FWHM) by parameter: ``((peak, fwhm), d_peak, d_fwhm, steps)``.

    ``method="implicit"``: exact (``steps`` is None). ``method="difference"``: central
    differences with the steps of the module docstring unless given (a parameter that
    must stay ≥ 0 and sits within h of 0 gets the second-order forward difference)."""
    as_dict = functools.partial(lambda v: dict(zip(names, map(float, v), strict=True)))
    if method == "implicit":
        centre, dpk, dfw, _ = line_derivatives_along(ls, p, x, dx, directions(ls, names),
                                                     frame=frame)  # fmt: skip
        return centre, as_dict(dpk), as_dict(dfw), None
    g2 = float(p[ls.param_fields.index("gamma2")])
    h = np.array([
        (steps or {}).get(n) or _line_step(n, float(p[ls.param_fields.index(n)]), g2)
        for n in names
    ])  # fmt: skip
    fwd = np.array([
        n in ("nu2", "nu3", "kappa", "atoms", "g") and p[ls.param_fields.index(n)] - hk < 0
        for n, hk in zip(names, h, strict=True)
    ])  # fmt: skip
    centre, dpk, dfw, _ = line_derivatives_along(ls, p, x, dx, directions(ls, names), h, fwd,
                                                 frame, method)  # fmt: skip
    return centre, as_dict(dpk), as_dict(dfw), dict(zip(names, map(float, h), strict=True))


def sensitivity(
    params: LaserParams,
    order: int = 2,
    *,
    names: Any = PARAMETERS,
    spectrum: bool = False,
    steady: Any = None,
    frame: str = "coherent",
    steps: dict[str, float] | None = None,
    line_method: str = "implicit",
) -> Sensitivity:
    """Derivatives of n, inversion, coherent fraction (and the line) at a steady state.

    Args:
        params: One laser parameter point (atoms at rest: one group).
        order: Cumulant order (default 2).
        names: Parameters to differentiate (default :data:`PARAMETERS`).
        spectrum: Also FWHM and δp and their derivatives (module docstring), and
            with them the pulling coefficient.
        steady: A converged :class:`~vlaser.laser.steady.LaserSteadyState` of ``params``
            (default: solved here).
        frame: Spectrum frame.
        steps: Override the line's finite-difference steps ({name: h}; only with
            ``line_method="difference"``).
        line_method: ``"implicit"`` (exact, default) or ``"difference"`` (central
            differences of re-solved spectra).

    Returns:
        :class:`Sensitivity`.

    Raises:
        ParameterError: Bad point, names or an ensemble.
        ConvergenceError: No fixed point, or a singular Jacobian; with ``spectrum``, an
            unstable fixed point.
    """
    from vlaser.laser import ensemble
    from vlaser.laser.spectrum import _check_point
    from vlaser.laser.steady import growth_rate, steady_state

    _check_point(params)
    names = check_names(names)
    if ensemble.group_count(params) != 1:
        raise ParameterError("classes", "ensemble", "atoms at rest (no Doppler width) here")
    ls = laser_equations(order)
    if steady is None:
        steady = steady_state(params, order=order, system=ls, dynamics=False)
    if not bool(steady.converged):
        raise ConvergenceError(f"steady state did not converge ({steady.reason.item()})")
    p = ls.param_array(params)
    x = np.asarray(steady.x, float)
    dx = state_derivatives(ls, p, x, names)
    pr = parts(ls)
    n, inv, cf = pr.observables(x)
    obs = pr.observable_derivatives(x, dx)
    growth, _ = growth_rate(ls, p, x)
    derivs = {q: dict(zip(names, map(float, v), strict=True)) for q, v in obs.items()}
    method = {
        "photons, inversion, coherent_fraction": "implicit differentiation J dx/dθ = −∂f/∂θ "
        "(analytic Jacobian; ∂f/∂θ exact from the polynomial coefficients)"
    }
    out = Sensitivity(params, order, names, n, inv, cf, derivs, bool(growth < 0), growth, dx)
    out.method = method
    if spectrum:
        if not growth < 0:
            raise ConvergenceError(
                f"steady state is unstable (max growth rate {growth:.3g} Γ3): no line"
            )
        (pk, fw), dpk, dfw, used = line_derivatives(ls, p, x, dx, names, frame, steps,
                                                    line_method)  # fmt: skip
        out.fwhm, out.peak = fw, pk
        derivs["fwhm"], derivs["peak"] = dfw, dpk
        out.pulling = dpk.get("delta_c")
        out.steps = used
        method["fwhm, peak"] = (
            "implicit differentiation of the spectrum's maximum and half-maximum points "
            "(S_ω = 0, S = h/2) with exact forward-mode derivatives of the regression "
            "system along dx/dθ"
            if line_method == "implicit"
            else "central differences of the refined spectrum; states at θ±h by Newton "
            "from the implicit-derivative prediction"
        )
    return out


__all__ = [
    "LINE_METHODS",
    "PARAMETERS",
    "Sensitivity",
    "check_names",
    "coefficient_derivatives",
    "coefficient_derivatives_along",
    "directions",
    "line_derivatives",
    "line_derivatives_along",
    "line_implicit_along",
    "parts",
    "sensitivity",
    "state_derivatives",
    "state_derivatives_along",
]
