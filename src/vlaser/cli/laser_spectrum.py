"""``vlaser laser spectrum`` and ``vlaser laser pulling``: the cavity output spectrum.

Added to the ``laser`` command group (created here if that group is not registered).
Parameter options as for every ``vlaser laser`` command (:func:`vlaser.cli.laser.
laser_command`: atom options with paper defaults Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5,
Γ3/Γ2 = 4266 or ``--species``; ``--atoms`` (default 50000), ``--g`` (2g2), ``--kappa``
(50g2, the cavity FIELD decay rate), ``--delta-c`` (default Δ2)). Rates in units of Γ3 or
with suffix ``g2``. Output in Γ3 units; ``*_gamma2`` keys in units of Γ2; line
positions relative to the bare atomic line ω2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from vlaser.cli.atom import Json
from vlaser.cli.common import RATE_HELP, emit_json, rate, si_block, si_line
from vlaser.cli.laser import laser_command, laser_params, warn_unphysical
from vlaser.errors import ParameterError

Frame = Annotated[
    str, typer.Option("--frame", help="coherent (stable reference, default) or instantaneous.")
]
Order = Annotated[int, typer.Option("--order", help="Cumulant order (default 2).")]
AllowUnstable = Annotated[
    bool,
    typer.Option(
        "--allow-unstable", help="Give the formal spectrum around an unstable fixed point."
    ),
]


def spectrum_cmd(
    texts: dict[str, str | None],
    frame: Frame = "coherent",
    order: Order = 2,
    allow_unstable: AllowUnstable = False,
    out: Path | None = typer.Option(
        None, "--out", help="PNG of the normalized spectrum with FWHM and δp marked."
    ),
    as_json: Json = False,
) -> None:
    """Cavity output spectrum: lasing line FWHM and position δp (from ω2), photons,
    coherently scattered photons |<a>|² (elastic line, reported separately)."""
    from vlaser.laser.spectrum import cavity_spectrum

    if out is not None and out.suffix.lower() != ".png":
        raise ParameterError("out", str(out), "a path ending in .png")
    species = texts.get("species")
    p = laser_params(**texts)
    sp = cavity_spectrum(p, frame=frame, order=order, allow_unstable=allow_unstable)
    warn_unphysical(sp.steady)
    if out is not None:
        from vlaser.io import save_figure

        save_figure(_figure(sp), out)
    result = sp.to_dict() | {
        "params": p.to_dict(),
        "units": "Gamma3 (keys *_gamma2: Gamma2); positions relative to omega2",
    }
    si = si_block(p, species, sp.photons, fwhm=sp.fwhm, peak=sp.peak) if sp.peaks else None
    if si is not None:
        result["si"] = si
    if as_json:
        emit_json(result)
        return
    typer.echo(
        f"line at δp = {sp.peak:+.6g} Γ3 ({result['peak_gamma2']:+.4f} Γ2), "
        f"FWHM {sp.fwhm:.6g} Γ3 ({result['fwhm_gamma2']:.4f} Γ2)"
    )
    typer.echo(f"photons n = {sp.photons:.6g}, coherent |<a>|² = {sp.coherent_photons:.4g}")
    if si is not None:
        typer.echo(si_line(si))
    if not sp.stable:
        typer.echo("warning: unstable steady state; formal spectrum", err=True)


def _figure(sp: Any) -> Any:
    import numpy as np
    from matplotlib.figure import Figure

    g2 = float(sp.params.gamma2)
    pk, fw = sp.peak, sp.fwhm
    d = np.linspace(pk - 8 * fw, pk + 8 * fw, 1601)
    s = sp.evaluate_delta(d) / sp.line.height
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(d / g2, s, color="k", lw=1)
    ax.axvline(pk / g2, color="r", ls="--", lw=0.8, label=rf"$\delta_p$ = {pk / g2:.2f} $\Gamma_2$")
    ax.annotate(
        "", xy=((pk - fw / 2) / g2, 0.5), xytext=((pk + fw / 2) / g2, 0.5),
        arrowprops={"arrowstyle": "<->"},
    )  # fmt: skip
    ax.text((pk + fw / 2) / g2, 0.52, f" FWHM {fw / g2:.3g} $\\Gamma_2$", fontsize=8)
    ax.set(xlabel=r"$(\omega-\omega_2)/\Gamma_2$", ylabel=r"$S(\omega)$ (normalized)")
    ax.legend(fontsize=8)
    return fig


def pulling_cmd(
    texts: dict[str, str | None],
    step: Annotated[
        str | None,
        typer.Option("--step", help=f"Finite-difference step in Δc; default 1g2 ({RATE_HELP})."),
    ] = None,
    frame: Frame = "coherent",
    order: Order = 2,
    as_json: Json = False,
) -> None:
    """Cavity pulling coefficient dδp/dΔc (central difference, three full solutions)."""
    from vlaser.laser.spectrum import pulling

    p = laser_params(**texts)
    h = rate(step, "step", float(p.gamma2))
    pl = pulling(p, step=h, frame=frame, order=order)
    result = pl.to_dict() | {"params": p.to_dict(), "units": "Gamma3"}
    if as_json:
        emit_json(result)
        return
    typer.echo(
        f"dδp/dΔc = {pl.pulling:.6g} (line follows the cavity by {pl.pulling_cavity:.4g}; "
        f"step {pl.step:.3g} Γ3)"
    )


def _laser_group(app: typer.Typer) -> typer.Typer:
    for info in app.registered_groups:
        if info.name == "laser" and info.typer_instance is not None:
            return info.typer_instance
    sub = typer.Typer(help="N-atom laser (cumulant expansion).", no_args_is_help=True)
    app.add_typer(sub, name="laser")
    return sub


def register(app: typer.Typer) -> None:
    """Add ``spectrum`` and ``pulling`` to the ``vlaser laser`` group."""
    group = _laser_group(app)
    group.command("spectrum")(laser_command()(spectrum_cmd))
    group.command("pulling")(laser_command()(pulling_cmd))


__all__ = ["register"]
