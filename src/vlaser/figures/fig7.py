"""Fig. 7: spectral properties of the cavity output (paper Sec. III.B).

(a) Normalized incoherent cavity spectrum at N = 50000, ν2 = ν3 = 10Γ2 (paper point,
    Δc = Δ2) against δ = ω − ω2 in units of Γ2, with FWHM and peak δp marked.
(b) FWHM and (c) δp against the photon number n for ν ∈ {0, Γ2, 10Γ2}, by scanning N.

Everything comes from :func:`vlaser.laser.spectrum.cavity_spectrum` (second-order
cumulant steady state, regression system in the coherent frame, exact resolvent).
Where the second-order fixed point is unstable (ν = 0 and Γ2 at large N), the spectrum
is the formal one around the fixed point (``stable = 0`` in the data) and the
equations' actual time evolution is summarized in the attributes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from vlaser.atom import emission_spectrum
from vlaser.figures.marks import admissibility_claim, mark_unphysical
from vlaser.laser.spectrum import cavity_spectrum, correlation_for, pulling
from vlaser.laser.steady import steady_state
from vlaser.params import DEFAULT_GAMMA2, LaserParams
from vlaser.report import Claim

TITLE = "Fig. 7: cavity output spectrum, linewidth and line shift"

G2 = DEFAULT_GAMMA2
#: Pump linewidths ν2 = ν3 of panels (b), (c), in units of Γ2.
NUS = (0.0, 1.0, 10.0)
#: Relative tolerance for the paper's two-digit values.
APPROX = 0.05
#: Photon numbers above which the line is "above threshold" for the 1/n fit.
N_PHOTONS_FIT = 80.0


def _atoms(quick: bool) -> np.ndarray:
    if quick:
        return np.array([2000, 6000, 10000, 13000, 16000, 20000, 30000, 40000, 50000.0])
    return np.unique(np.concatenate([np.linspace(1000, 20000, 39), np.linspace(20000, 50000, 31)]))


def compute(quick: bool = True) -> xr.Dataset:
    """Panel data plus the analysed numbers (Γ3 units unless a name says Γ2)."""
    ls = correlation_for(2, "coherent")[0]
    atoms = _atoms(quick)
    shape = (len(NUS), atoms.size)
    out = {k: np.full(shape, np.nan) for k in ("photons", "coherent", "fwhm", "peak", "growth")}
    stable = np.zeros(shape, dtype=np.int8)
    physical = np.zeros(shape, dtype=np.int8)
    converged = np.zeros(shape, dtype=np.int8)
    for i, nu in enumerate(NUS):
        p = LaserParams.paper(nu2=nu * G2, nu3=nu * G2, atoms=atoms)
        grid = steady_state(p, system=ls, dynamics=False)
        for j in range(atoms.size):
            if not bool(grid.converged[j]):
                continue
            pj = p.point(j)
            st = steady_state(pj, system=ls, guess=grid.x[j], dynamics=False)
            sp = cavity_spectrum(pj, steady=st, allow_unstable=True)
            out["photons"][i, j] = sp.photons
            out["coherent"][i, j] = sp.coherent_photons
            out["fwhm"][i, j] = sp.fwhm
            out["peak"][i, j] = sp.peak
            out["growth"][i, j] = sp.max_growth_rate
            stable[i, j] = int(sp.stable)
            physical[i, j] = int(sp.physical)
            converged[i, j] = 1
    # Panel (a): the paper point.
    pa = LaserParams.paper(nu2=10 * G2, nu3=10 * G2)
    sa = cavity_spectrum(pa)
    half = 6.0 * sa.fwhm
    delta = np.linspace(sa.peak - half, sa.peak + half, 601 if quick else 2401)
    s_a = sa.evaluate_delta(delta)
    pl = pulling(pa)
    cold = cavity_spectrum(LaserParams.paper(nu2=10 * G2, nu3=10 * G2, atoms=1.0))
    gain = emission_spectrum(pa.atom()).peaks[0].fwhm
    # The ν = 0 anomaly: what the second-order equations do at the largest N.
    p0 = LaserParams.paper(nu2=0.0, nu3=0.0, atoms=float(atoms[-1]))
    st0 = steady_state(p0, system=ls, dynamics=True)
    dyn = st0.dynamics.item()
    unit = {"units": "Gamma3"}
    return xr.Dataset(
        {
            "spectrum_a": ("delta", s_a / sa.line.height, {"units": "1", "long_name": "S/max S"}),
            "photons": (("nu", "atoms"), out["photons"], {"units": "1"}),
            "coherent_photons": (("nu", "atoms"), out["coherent"], {"units": "1"}),
            "fwhm": (("nu", "atoms"), out["fwhm"], unit),
            "peak": (("nu", "atoms"), out["peak"], {**unit, "long_name": "δp = ω_peak − ω2"}),
            "max_growth_rate": (("nu", "atoms"), out["growth"], unit),
            "stable": (("nu", "atoms"), stable, {"long_name": "steady state stable (1/0)"}),
            "physical": (("nu", "atoms"), physical, {"long_name": "fixed point admissible (1/0)"}),
            "converged": (("nu", "atoms"), converged, {"long_name": "fixed point found (1/0)"}),
        },
        coords={
            "delta": ("delta", delta, {**unit, "long_name": "ω − ω2"}),
            "nu": ("nu", np.array(NUS) * G2, {**unit, "long_name": "ν2 = ν3"}),
            "atoms": ("atoms", atoms),
        },
        attrs={
            "gamma2": G2,
            "kappa": float(pa.kappa),
            "fwhm_a": sa.fwhm,
            "peak_a": sa.peak,
            "photons_a": sa.photons,
            "coherent_photons_a": sa.coherent_photons,
            "pulling": pl.pulling,
            "pulling_cavity": pl.pulling_cavity,
            "pulling_step": pl.step,
            "fwhm_cold": cold.fwhm,
            "photons_cold": cold.photons,
            "gain_fwhm": gain,
            "nu0_growth_rate": float(st0.max_growth_rate),
            "nu0_atoms": float(atoms[-1]),
            "nu0_dynamics": dyn.note if dyn is not None else "stable",
            "nu0_coherent_max": float(dyn.coherent_max) if dyn is not None else np.nan,
            "params": "paper point: delta2=5, delta3=-1, omega2=omega3=0.5, Delta_c=Delta2, "
            "g=2 Gamma2, kappa=50 Gamma2 (field decay), gamma2=1/4266; coherent frame",
        },
    )


def plot(ds: xr.Dataset) -> Any:
    """Panels (a) spectrum, (b) FWHM(n), (c) δp(n); unstable fixed points hollow."""
    from matplotlib.figure import Figure

    g2 = float(ds.attrs["gamma2"])
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax_a, ax_b, ax_c = fig.subplots(1, 3)
    ax_a.plot(ds.delta / g2, ds.spectrum_a, color="k", lw=1)
    pk, fw = float(ds.attrs["peak_a"]) / g2, float(ds.attrs["fwhm_a"]) / g2
    ax_a.axvline(pk, color="r", ls="--", lw=0.8, label=rf"$\delta_p$ = {pk:.1f} $\Gamma_2$")
    ax_a.annotate(
        "", xy=(pk - fw / 2, 0.5), xytext=(pk + fw / 2, 0.5), arrowprops={"arrowstyle": "<->"}
    )
    ax_a.text(pk + fw / 2, 0.52, f" FWHM {fw:.2f} $\\Gamma_2$", fontsize=8)
    ax_a.set(
        xlabel=r"$(\omega-\omega_2)/\Gamma_2$", ylabel=r"$S(\omega)$ (normalized)", title="(a)"
    )
    ax_a.legend(fontsize=8)
    colors = ("C0", "C1", "C2")
    for i, nu in enumerate(ds.nu.values):
        n = ds.photons.values[i]
        ok = ds.stable.values[i].astype(bool)
        lab = rf"$\nu$ = {nu / g2:g} $\Gamma_2$"
        for ax, var in ((ax_b, "fwhm"), (ax_c, "peak")):
            y = ds[var].values[i] / g2
            ax.plot(n, y, color=colors[i], lw=1)
            ax.plot(n[ok], y[ok], "o", color=colors[i], ms=3, label=lab)
            ax.plot(n[~ok], y[~ok], "o", mfc="none", color=colors[i], ms=4)
            mark_unphysical(ax, n, y, ds.physical.values[i])
    ax_b.set(xscale="log", yscale="log", xlabel="n", ylabel=r"FWHM/$\Gamma_2$", title="(b)")
    ax_c.set(xlabel="n", ylabel=r"$\delta_p/\Gamma_2$", title="(c)")
    ax_b.axhline(2 * float(ds.attrs["kappa"]) / g2, color="gray", ls=":", lw=0.8)
    ax_b.legend(fontsize=8, title="hollow: unstable", title_fontsize=7)
    return fig


def _fit_exponent(ds: xr.Dataset, i: int) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """log-log slope of FWHM(n) above threshold, and the fit FWHM = a + b/n."""
    n = ds.photons.values[i]
    w = ds.fwhm.values[i]
    sel = np.isfinite(n) & np.isfinite(w) & (n > N_PHOTONS_FIT)
    n, w = n[sel], w[sel]
    k = float(np.polyfit(np.log(n), np.log(w), 1)[0])
    a, b = np.linalg.lstsq(np.vstack([np.ones_like(n), 1 / n]).T, w, rcond=None)[0]
    return k, float(a), float(b), n, w


def claims(ds: xr.Dataset) -> list[Claim]:
    """Fig. 7 / Sec. III.B statements next to the computed values."""
    g2 = float(ds.attrs["gamma2"])
    at = ds.attrs
    fw, pk = float(at["fwhm_a"]) / g2, float(at["peak_a"]) / g2
    i10 = int(np.argmin(np.abs(ds.nu.values - 10 * g2)))
    k, a, b, n, w = _fit_exponent(ds, i10)
    local = np.diff(np.log(w)) / np.diff(np.log(n))
    two_kappa = 2 * float(at["kappa"])
    cold = float(at["fwhm_cold"])
    pc = float(at["pulling_cavity"])
    gain = float(at["gain_fwhm"])
    est = gain / (gain + two_kappa)
    # (c): linearity of δp(n) at large n.
    sel = np.isfinite(ds.photons.values[i10]) & (ds.photons.values[i10] > 3 * N_PHOTONS_FIT)
    nn, pp = ds.photons.values[i10][sel], ds.peak.values[i10][sel]
    slope, icpt = np.polyfit(nn, pp, 1)
    dev = float(np.max(np.abs(pp - (slope * nn + icpt))) / np.ptp(pp)) if pp.size > 2 else np.nan
    unstable = {}
    for i, nu in enumerate(ds.nu.values):
        bad = ds.atoms.values[ds.stable.values[i] == 0]
        unstable[nu / g2] = float(bad.min()) if bad.size else None
    others_unstable = [f"{v:g}" for v, nmin in unstable.items() if v > 0 and nmin is not None]
    u0 = unstable.get(0.0)
    return [
        Claim(
            "III.B / Fig. 7(a)",
            "above threshold (N = 50000, ν = 10Γ2) the line has FWHM 0.35Γ2",
            "0.35 Γ2",
            f"{fw:.3f} Γ2 (n = {float(at['photons_a']):.0f})",
            bool(abs(fw / 0.35 - 1) < APPROX),
            f"coherent frame, order 2; within {100 * APPROX:g}% counts as agreement",
        ),
        Claim(
            "III.B / Fig. 7(a)",
            "the peak sits at δp = 22.9Γ2 from the atomic transition frequency",
            "22.9 Γ2",
            f"{pk:.2f} Γ2",
            bool(abs(pk / 22.9 - 1) < 0.01),
            "δ = ω − ω2; within 1%",
        ),
        Claim(
            "III.B / Fig. 7(b)",
            "above threshold the FWHM decreases as FWHM(n) ∼ 1/n",
            "∝ 1/n",
            f"log-log slope {k:.2f} for ν = 10Γ2, n = {n.min():.0f}..{n.max():.0f} "
            f"(local {local[0]:.2f} → {local[-1]:.2f}); FWHM ≈ {a / g2:.3f}Γ2 + {b / g2:.0f}Γ2/n",
            bool(abs(k + 1) < 0.1),
            "1/n only just above threshold: at large n the width tends to an n-independent "
            "floor (a in a + b/n); 'holds' = fitted exponent within ±0.1 of −1",
        ),
        Claim(
            "III.B / Fig. 7(b)",
            "for small photon numbers the FWHM is about the cavity linewidth 2κ",
            f"≈ 2κ = {two_kappa / g2:.0f} Γ2",
            f"{cold / g2:.1f} Γ2 at N = 1 (n = {float(at['photons_cold']):.1e})",
            bool(abs(cold / two_kappa - 1) < APPROX),
            "κ is the field decay rate (conventions); the empty-cavity FWHM is 2κ",
        ),
        Claim(
            "III.B",
            "above threshold the cavity pulling coefficient dδp(Δc)/dΔc ≈ 1",
            "≈ 1",
            f"dδp/dΔc = {float(at['pulling']):.3f} (step {float(at['pulling_step']) / g2:g} Γ2)",
            bool(abs(abs(pc) - 1) < 0.15),
            f"sign: Δc = ω_l2 − ωc, so the line follows the cavity by {pc:.3f} of its shift; "
            f"good-cavity estimate Γg/(Γg + 2κ) = {est:.3f} with the single-atom gain FWHM "
            f"Γg = {gain / g2:.0f} Γ2; '≈ 1' taken as within 15%",
        ),
        Claim(
            "III.B / Fig. 7(c)",
            "at large photon numbers δp depends almost linearly on n (ac-Stark shift)",
            "almost linear",
            f"slope {slope / g2 * 1000:.2f} Γ2 per 1000 photons; max deviation from a line "
            f"{100 * dev:.1f}% of the shift range (ν = 10Γ2, n > {3 * N_PHOTONS_FIT:g})",
            bool(dev < 0.05),
            "'almost linear' taken as deviations below 5% of the range",
        ),
        Claim(
            "III.B / Fig. 7(b)",
            "the FWHM behaves unexpectedly for ν = 0 at high photon numbers, "
            "and only for ν = 0 (limits of the second-order expansion)",
            "anomaly at ν = 0 only",
            (
                f"ν = 0: second-order fixed point unstable from N = {u0:.0f} on "
                if u0 is not None
                else "ν = 0: fixed point stable on the grid; "
            )
            + f"at N = {float(at['nu0_atoms']):.0f} growth rate "
            f"{float(at['nu0_growth_rate']) / g2:.2f} Γ2, time evolution: {at['nu0_dynamics']}; "
            f"unstable also for ν/Γ2 = {', '.join(others_unstable) or 'none'}",
            bool(u0 is not None and not others_unstable),
            "the formal spectrum around the unstable fixed point stays smooth; the anomaly is "
            "that the second-order equations have no stable steady state (a growing coherent "
            "field ⟨a⟩, i.e. a mean-field phase-locked mode), which pump dephasing suppresses",
        ),
        admissibility_claim("Fig. 7 (admissibility)", ds.physical.values, ds.converged.values),
    ]


__all__ = ["TITLE", "claims", "compute", "plot"]
