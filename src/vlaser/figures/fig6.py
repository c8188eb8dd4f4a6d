"""Fig. 6: stimulated emission — n and |<a>|² vs Δ2 (a), n vs cavity offset (b).

(a) N = 50000, Δc = Δ2 (cavity on the bare atomic line), Δ2 from 10 down to 0.5 Γ3,
continued along Δ2. (b) n vs ω2 − ωc = Δc − Δ2 for (N, Δ2) ∈ {(20000, 5), (50000, 5),
(50000, 3)}; the optimum offset is located by a parabola through the three highest
grid points. The other parameters are Fig. 5's (Δ3 = −1, Ω2 = Ω3 = 0.5, g = 2Γ2,
κ = 50Γ2 field decay rate). The paper does not state ν for Fig. 6; vlaser uses
ν2 = ν3 = 10Γ2, the linewidth of its Fig. 7(a) point, where the second-order fixed
points are stable (at ν ≤ Γ2 and large photon numbers they are not, see Fig. 5).
Unstable points are marked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from vlaser.figures.marks import admissibility_claim, mark_unphysical
from vlaser.laser.scan import scan
from vlaser.params import DEFAULT_GAMMA2, LaserParams
from vlaser.report import Claim

TITLE = "Fig. 6: photon number vs pump detuning and vs cavity detuning"

G2 = DEFAULT_GAMMA2
NU = 10.0 * G2
SETS_B = ((20000, 5.0), (50000, 5.0), (50000, 3.0))


def _peak(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Vertex of the parabola through the maximum and its two neighbours."""
    k = int(np.argmax(y))
    if k == 0 or k == y.size - 1:
        return float(x[k]), float(y[k])
    c = np.polyfit(x[k - 1 : k + 2], y[k - 1 : k + 2], 2)
    xv = -c[1] / (2 * c[0])
    return float(xv), float(np.polyval(c, xv))


def compute(quick: bool = True) -> xr.Dataset:
    """Panel (a) Δ2 scan and panel (b) cavity-offset scans."""
    na = 77 if quick else 381
    nb = 81 if quick else 321
    d2 = np.linspace(10.0, 0.5, na)
    a = scan(LaserParams.paper(nu2=NU, nu3=NU), {"delta2": d2})
    off = np.linspace(-1000.0, 600.0, nb) * G2
    rows = []
    for n_atoms, delta2 in SETS_B:
        lp = LaserParams.paper(atoms=n_atoms, delta2=delta2, nu2=NU, nu3=NU)
        rows.append(scan(lp, {"cavity_offset": off}))
    peaks = np.array([_peak(off, r.photons.values) for r in rows])
    ds = xr.Dataset(
        {
            "photons_a": ("delta2", a.photons.values),
            "coherent_a": ("delta2", a.coherent_photons.values),
            "stable_a": ("delta2", a.stable.values),
            "converged_a": ("delta2", a.converged.values),
            "physical_a": ("delta2", a.physical.values),
            "photons_b": (("set", "offset"), np.stack([r.photons.values for r in rows])),
            "stable_b": (("set", "offset"), np.stack([r.stable.values for r in rows])),
            "converged_b": (("set", "offset"), np.stack([r.converged.values for r in rows])),
            "physical_b": (("set", "offset"), np.stack([r.physical.values for r in rows])),
            "set_atoms": ("set", np.array([s[0] for s in SETS_B], float)),
            "set_delta2": ("set", np.array([s[1] for s in SETS_B])),
            "peak_offset": (
                "set",
                peaks[:, 0],
                {"units": "Gamma3", "long_name": "ω2 − ωc at max n"},
            ),
            "peak_photons": ("set", peaks[:, 1]),
        },
        coords={"delta2": d2, "offset": off, "set": np.arange(len(SETS_B))},
    )
    ds.attrs.update(gamma2=G2, nu=NU)
    return ds


def plot(ds: xr.Dataset) -> Any:
    """(a) n and |<a>|² vs Δ2 (log scale); (b) n vs (ω2 − ωc)/Γ2 per (N, Δ2)."""
    from matplotlib.figure import Figure

    g2 = float(ds.attrs["gamma2"])
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_a, ax_b = fig.subplots(1, 2)
    d2 = ds.delta2.values
    ax_a.semilogy(d2, ds.photons_a, "-", label="n")
    ax_a.semilogy(d2, ds.coherent_a, "--", label=r"$|\langle a\rangle|^2$")
    bad = ~ds.stable_a.values
    if bad.any():
        ax_a.semilogy(d2[bad], ds.photons_a.values[bad], "rx", ms=4, label="unstable")
    mark_unphysical(ax_a, d2, ds.photons_a.values, ds.physical_a.values)
    ax_a.set(xlabel=r"$\Delta_2/\Gamma_3$ ($\Delta_c=\Delta_2$)", ylabel="photons", title="(a)")
    ax_a.legend(fontsize=7)
    x = ds.offset.values / g2
    for i in ds.set.values:
        y = ds.photons_b.values[i]
        lab = f"N={ds.set_atoms.values[i]:.0f}, Δ2={ds.set_delta2.values[i]:g}Γ3"
        ax_b.plot(x, y, "-", color=f"C{i}", label=lab)
        bad = ~ds.stable_b.values[i]
        if bad.any():
            ax_b.plot(x[bad], y[bad], "x", color=f"C{i}", ms=4)
        mark_unphysical(ax_b, x, y, ds.physical_b.values[i])
        ax_b.axvline(ds.peak_offset.values[i] / g2, color=f"C{i}", lw=0.5, ls=":")
    ax_b.set(xlabel=r"$(\omega_2-\omega_c)/\Gamma_2$", ylabel="n", title="(b)")
    ax_b.legend(fontsize=7)
    return fig


def claims(ds: xr.Dataset) -> list[Claim]:
    """Sec. III.A statements on Fig. 6 next to the computed values."""
    g2 = float(ds.attrs["gamma2"])
    d2 = ds.delta2.values
    n = ds.photons_a.values
    coh = ds.coherent_a.values
    k5 = int(np.argmin(np.abs(d2 - 5.0)))
    k2 = int(np.argmin(np.abs(d2 - 2.0)))
    ratio = n[k2] / n[k5]
    kmax = int(np.argmax(n))
    small = d2 <= 1.0
    peaks = ds.peak_offset.values / g2
    atoms = ds.set_atoms.values
    dl = ds.set_delta2.values
    # Sets: 0 (20000, 5), 1 (50000, 5), 2 (50000, 3).
    toward_n = abs(peaks[1]) < abs(peaks[0])
    toward_d = abs(peaks[2]) < abs(peaks[1])
    txt = ", ".join(
        f"N={a:.0f}, Δ2={d:g}: {p:+.0f}Γ2" for a, d, p in zip(atoms, dl, peaks, strict=True)
    )
    return [
        Claim(
            "III.A / Fig. 6(a)",
            "changing Δ2 from 5Γ3 to 2Γ3 increases the photon number by almost an order of magnitude",
            "≈ ×10",
            f"n = {n[k5]:.0f} (Δ2=5) → {n[k2]:.0f} (Δ2=2): ×{ratio:.1f}",
            bool(ratio >= 7),
            "'almost an order of magnitude' taken as ≥ ×7; the maximum of n(Δ2) is "
            f"n = {n[kmax]:.0f} at Δ2 = {d2[kmax]:.2f}Γ3 (×{n[kmax] / n[k5]:.1f}; ν = 10Γ2)",
        ),
        Claim(
            "III.A / Fig. 6(a)",
            "at Δ2 = 2Γ3 the coherently scattered photon number stays small",
            "sufficiently low",
            f"|<a>|² = {coh[k2]:.3g} of n = {n[k2]:.0f} ({100 * coh[k2] / n[k2]:.2g}%)",
            bool(coh[k2] < 0.01 * n[k2]),
            "'small' taken as < 1% of n",
        ),
        Claim(
            "III.A / Fig. 6(a)",
            "for small Δ2 a considerable part of the photons is coherently scattered pump light",
            "",
            "|<a>|²/n = "
            + ", ".join(
                f"{coh[k] / n[k]:.2f} (Δ2={d2[k]:.2f})"
                for k in (int(np.argmin(np.abs(d2 - v))) for v in (1.5, 1.0, 0.5))
            ),
            bool(np.max(coh[small] / n[small]) > 0.1),
            "Δ2 ≤ 1Γ3; 'considerable' taken as > 10% of n",
        ),
        Claim(
            "III.A / Fig. 6(b)",
            "maximum photon number for a blue-detuned cavity (ωc > ω2, i.e. ω2 − ωc < 0)",
            "ωc > ω2",
            "optimum ω2 − ωc: " + txt,
            bool(np.all(peaks < 0)),
            "parabola through the three highest grid points",
        ),
        Claim(
            "III.A / Fig. 6(b)",
            "larger N and smaller Δ2 shift the optimal cavity frequency toward ω2",
            "shift toward ω2",
            txt,
            bool(toward_n and toward_d),
            "compares |ω2 − ωc| at the optimum: N 20000 → 50000 at Δ2 = 5, and Δ2 5 → 3 at N = 50000",
        ),
        admissibility_claim(
            "Fig. 6 (admissibility)",
            np.concatenate([ds.physical_a.values, ds.physical_b.values.ravel()]),
            np.concatenate([ds.converged_a.values, ds.converged_b.values.ravel()]),
        ),
    ]
