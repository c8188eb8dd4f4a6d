"""Extension (beyond the paper): lasing with the Doppler-broadened atoms of Sec. IV.

The paper computes lasing for atoms at rest (Figs. 5-7) and, separately, shows that
the pumped atoms move (Fig. 8). This figure puts the two together with atom groups
(:mod:`vlaser.laser.ensemble`, Gauss-Hermite velocity classes along the cavity axis):

* the Doppler width W on the narrow line at the temperature the motion module reaches
  at Fig. 8's lasing point (k_BT along k3 at ν = Γ2, late-time average of a
  :func:`vlaser.motion.simulate` run with Fig. 8's statistics, converted by eq. 16 with
  :func:`vlaser.motion.doppler.doppler_fwhm`): computed here, not typed in;
* photon number and FWHM of the cavity line against N at ν2 = ν3 = 10Γ2 (Fig. 7's
  pump linewidth, a stable fixed point) for W = 0, that W, 120Γ2 (the paper's Sec. IV
  estimate) and 600Γ2 (about the single-atom gain width);
* the threshold atom number (:func:`vlaser.laser.threshold.threshold`) against W.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from vlaser.params import DEFAULT_GAMMA2, LaserParams
from vlaser.report import Claim

TITLE = "Extension (beyond the paper): lasing with Doppler-broadened (moving) atoms"

G2 = DEFAULT_GAMMA2
NU = 10.0  # ν2 = ν3 in units of Γ2 (Fig. 7)
#: Widths besides the thermal one (Γ2): the paper's Sec. IV estimate, the gain width.
EXTRA_WIDTHS = (120.0, 600.0)


def _params(atoms: Any, width: float) -> LaserParams:
    return LaserParams.paper(atoms=atoms, nu2=NU * G2, nu3=NU * G2, doppler_width=width)


def thermal_width(quick: bool = True) -> tuple[float, float]:
    """k_BT3 (ħΓ3) at Fig. 8's lasing point (ν = Γ2) and its narrow-line Doppler FWHM (Γ3)."""
    from vlaser.figures import fig8
    from vlaser.motion import simulate
    from vlaser.motion.doppler import doppler_fwhm

    cfg = fig8._config(quick)
    p = fig8._params(fig8.LASING, fig8.NUS[0])
    r = simulate(
        p,
        trajectories=cfg["trajectories"],
        t_max=cfg["t_max"],
        seed=fig8.SEED,
        samples=cfg["samples"],
        p0=fig8.P0,
    )
    kbt, _ = r.late_kbt((1 - fig8.LATE) * cfg["t_max"])
    kbt3 = max(float(np.asarray(kbt)[1]), 0.0)
    return kbt3, doppler_fwhm(kbt3, "sr88", level=2)


def compute(quick: bool = True) -> xr.Dataset:
    """Photons, FWHM and line position against N, and the threshold against W."""
    from vlaser.errors import ConvergenceError
    from vlaser.laser import cavity_spectrum, steady_state
    from vlaser.laser.ensemble import counts
    from vlaser.laser.threshold import threshold

    kbt3, w_thermal = thermal_width(quick)
    widths = np.array([0.0, w_thermal, *(w * G2 for w in EXTRA_WIDTHS)])
    atoms = np.linspace(1000.0, 50000.0, 25 if quick else 100).round()
    spec_atoms = np.array(
        [20000.0, 50000.0] if quick else [8000.0, 10000, 15000, 20000, 30000, 50000]
    )
    photons = np.full((widths.size, atoms.size), np.nan)
    physical = np.zeros((widths.size, atoms.size), bool)
    fwhm = np.full((widths.size, spec_atoms.size), np.nan)
    position = np.full((widths.size, spec_atoms.size), np.nan)
    classes = np.zeros(widths.size, int)
    for i, w in enumerate(widths):
        classes[i] = counts(_params(50000.0, w))[0]
        res = steady_state(_params(atoms, w), dynamics=False)
        photons[i] = res.photons
        physical[i] = res.physical & res.converged
        for k, n_at in enumerate(spec_atoms):
            try:
                line = cavity_spectrum(_params(float(n_at), w)).peaks[0]
            except (ConvergenceError, IndexError):
                continue
            fwhm[i, k], position[i, k] = line.fwhm, line.position
    th_widths = np.linspace(0.0, 800.0, 5 if quick else 17) * G2
    th = np.full(th_widths.size, np.nan)
    for i, w in enumerate(th_widths):
        r = threshold(_params(50000.0, w), max_atoms=20000, points=25 if quick else 101)
        th[i] = np.nan if r.threshold_atoms is None else r.threshold_atoms
    return xr.Dataset(
        {
            "photons": (("width", "atoms"), photons),
            "physical": (("width", "atoms"), physical),
            "fwhm": (("width", "spec_atoms"), fwhm, {"units": "Gamma3"}),
            "line_position": (("width", "spec_atoms"), position, {"units": "Gamma3 from ω2"}),
            "classes": ("width", classes),
            "threshold_atoms": ("threshold_width", th),
        },
        coords={
            "width": ("width", widths, {"units": "Gamma3", "long_name": "Doppler FWHM"}),
            "atoms": atoms,
            "spec_atoms": spec_atoms,
            "threshold_width": ("threshold_width", th_widths, {"units": "Gamma3"}),
        },
        attrs={"kbt3": kbt3, "thermal_width": w_thermal, "gamma2": G2, "nu": NU * G2},
    )


def plot(ds: xr.Dataset) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 3.8))
    ax = fig.subplots(1, 3)
    labels = _labels(ds)
    for i, lab in enumerate(labels):
        n = ds.photons.values[i]
        ax[0].plot(ds.atoms, n, label=lab)
        bad = ~ds.physical.values[i]
        if bad.any():
            ax[0].plot(ds.atoms.values[bad], n[bad], "o", mfc="none", color="k")
        ax[1].plot(ds.spec_atoms, ds.fwhm.values[i] / G2, "o-", label=lab)
    ax[0].set(xlabel="N", ylabel="photons n", title="ν = 10Γ2")
    ax[0].legend(fontsize=7)
    ax[1].set(xlabel="N", ylabel="FWHM (Γ2)", yscale="log")
    ax[2].plot(ds.threshold_width / G2, ds.threshold_atoms, "s-")
    ax[2].axvline(ds.attrs["thermal_width"] / G2, ls=":", color="gray")
    ax[2].set(xlabel="Doppler FWHM W (Γ2)", ylabel="threshold N")
    fig.suptitle(TITLE, fontsize=9)
    fig.tight_layout()
    return fig


def _labels(ds: xr.Dataset) -> list[str]:
    out = []
    for i, w in enumerate(ds.width.values):
        tag = " (Fig. 8 k_BT)" if i == 1 else ""
        out.append(f"W = {w / G2:.0f} Γ2{tag}, K = {int(ds.classes.values[i])}")
    return out


def claims(ds: xr.Dataset) -> list[Claim]:
    """Report lines: the thermal width, photons/FWHM/position per width, threshold vs W."""
    out = [
        Claim(
            "extension: Doppler width",
            "Doppler FWHM on the narrow line at the temperature of Fig. 8's lasing point",
            "",
            f"k_BT3 = {ds.attrs['kbt3']:.3g} ħΓ3 -> W = {ds.attrs['thermal_width'] / G2:.0f} Γ2 "
            "(eq. 16, 88Sr)",
            None,
            "motion.simulate at Δ2 = 5, Δ3 = −1, Ω = 0.5, ν = Γ2 with Fig. 8's statistics",
        )
    ]
    i50 = int(np.argmin(np.abs(ds.atoms.values - 50000)))
    k50 = int(np.argmin(np.abs(ds.spec_atoms.values - 50000)))
    rows = []
    for i, w in enumerate(ds.width.values):
        rows.append(
            f"W = {w / G2:.0f} Γ2 (K = {int(ds.classes.values[i])}): n = "
            f"{ds.photons.values[i, i50]:.1f}, FWHM = {ds.fwhm.values[i, k50] / G2:.4f} Γ2, "
            f"δp = {ds.line_position.values[i, k50] / G2:.2f} Γ2"
        )
    n0, n_th = ds.photons.values[0, i50], ds.photons.values[1, i50]
    out.append(
        Claim(
            "extension: lasing of a thermal cloud",
            "the laser still lases at N = 50000 with the Doppler width its own pumping "
            "produces, with n within 5 % of the atoms-at-rest value",
            "",
            "; ".join(rows),
            bool(n_th > 0 and abs(n_th / n0 - 1) < 0.05),
            "ν2 = ν3 = 10Γ2, Δc = Δ2, g = 2Γ2, κ = 50Γ2; spectrum of the K-group model",
        )
    )
    th = ds.threshold_atoms.values
    out.append(
        Claim(
            "extension: threshold",
            "threshold atom number against the Doppler width",
            "",
            ", ".join(
                f"W = {w / G2:.0f} Γ2: {t:.0f}"
                for w, t in zip(ds.threshold_width.values, th, strict=True)
            ),
            None,
            "linear extrapolation of n(N) to 0 (vlaser.laser.threshold)",
        )
    )
    return out
