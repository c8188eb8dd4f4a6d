"""``vlaser atom``: the exact single V-atom solver on the command line.

Commands: ``steady``, ``map``, ``t95``, ``spectrum``. Every rate option takes a number
in units of Γ3 or a number with suffix ``g2`` (units of Γ2); defaults are the paper's
working point Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5, Γ3/Γ2 = 4266. ``--species NAME`` sets
Γ2/Γ3 from a preset's measured linewidths (then ``g2`` means that Γ2).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from vlaser.cli import scanopts as so
from vlaser.cli.common import RATE_HELP, atom_kwargs, bundled_options, emit_json
from vlaser.errors import ParameterError
from vlaser.params import AtomParams

PAPER = {"delta2": "5", "delta3": "-1", "omega2": "0.5", "omega3": "0.5"}
RATE_NAMES = ("delta2", "delta3", "omega2", "omega3", "gamma2", "gamma3", "nu2", "nu3", "gamma23")


def _opt(name: str, what: str) -> Any:
    return typer.Option(f"--{name}", help=f"{what} ({RATE_HELP}).")


Delta2 = Annotated[str | None, _opt("delta2", "Δ2, pump-2 detuning; default 5")]
Delta3 = Annotated[str | None, _opt("delta3", "Δ3, pump-3 detuning; default −1")]
Omega2 = Annotated[str | None, _opt("omega2", "Ω2, Rabi coefficient on |1>-|2>; default 0.5")]
Omega3 = Annotated[str | None, _opt("omega3", "Ω3, Rabi coefficient on |1>-|3>; default 0.5")]
Gamma2 = Annotated[str | None, _opt("gamma2", "Γ2, decay of |2>; default Γ3/4266")]
Gamma3 = Annotated[str | None, _opt("gamma3", "Γ3, decay of |3>; default 1")]
Nu2 = Annotated[str | None, _opt("nu2", "ν2, pump-2 linewidth (FWHM); default 0")]
Nu3 = Annotated[str | None, _opt("nu3", "ν3, pump-3 linewidth (FWHM); default 0")]
Gamma23 = Annotated[str | None, _opt("gamma23", "Γ23, incoherent |2>→|3> rate; default 0")]
SpeciesOpt = Annotated[
    str | None,
    typer.Option("--species", help="Set Γ2/Γ3 from a preset: sr88, yb174, ca40."),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def with_species(species: str | None, texts: dict[str, str | None]) -> dict[str, str | None]:
    """Option texts with ``gamma2`` set from the species preset (``--species``).

    Raises:
        ParameterError: For an unknown species or ``--gamma2`` given as well.
    """
    texts = dict(texts)
    if species is not None:
        from vlaser.species import get_species

        sp = get_species(species)
        if texts.get("gamma2") is not None:
            raise ParameterError("gamma2", texts["gamma2"], "not together with --species")
        texts["gamma2"] = repr(sp.gamma2)
    return texts


def atom_values(
    species: str | None, given: dict[str, str | None], skip: tuple[str, ...] = ()
) -> dict[str, float]:
    """Validated keyword arguments of :class:`AtomParams` from option strings.

    Unset options take the paper values; ``skip`` names (scanned parameters) are left
    out, and giving one of them as an option too is an error.
    """
    texts = with_species(species, given)
    for name in skip:
        if texts.get(name) is not None:
            raise ParameterError(name, texts[name], "a parameter that is not also scanned")
    for name, value in PAPER.items():
        if texts.get(name) is None:
            texts[name] = value
    kw = atom_kwargs(**texts)
    for name in skip:
        kw.pop(name, None)
    # Validate the fixed values now (negative rates, Γ3 = 0 ...), naming the option.
    AtomParams(**kw)
    return kw


#: What :func:`atom_command` passes as ``atom``: (species or None, {option: text or None}).
AtomOptions = tuple[str | None, dict[str, str | None]] | None

#: The single-atom options (``--delta2`` … ``--gamma23``, ``--species``) by name.
ATOM_OPTIONS: dict[str, Any] = {
    "delta2": Delta2,
    "delta3": Delta3,
    "omega2": Omega2,
    "omega3": Omega3,
    "gamma2": Gamma2,
    "gamma3": Gamma3,
    "nu2": Nu2,
    "nu3": Nu3,
    "gamma23": Gamma23,
    "species": SpeciesOpt,
}


def atom_command(func: Callable[..., None]) -> Callable[..., None]:
    """Give a command the single-atom options (--delta2 ... --gamma23, --species).

    The wrapped function receives them bundled as ``atom = (species, {name: text})``;
    typer sees them as ordinary options through the wrapper's signature.
    """

    def build(values: dict[str, Any]) -> AtomOptions:
        species = values.pop("species")
        return species, values

    options = {name: (ann, None) for name, ann in ATOM_OPTIONS.items()}
    return bundled_options("atom", options, build)(func)


def steady_cmd(
    atom: AtomOptions = None,
    as_json: Json = False,
) -> None:
    """Exact steady state: populations and inversion <σ22> − <σ11>."""
    from vlaser.atom import steady_state

    p = AtomParams(**atom_values(*atom))
    ss = steady_state(p)
    if bool(ss.singular):
        raise ParameterError("parameters", p.to_dict(), "a point with a unique steady state")
    pops = [float(x) for x in ss.populations]
    c = ss.coherences
    out = {
        "inversion": float(ss.inversion),
        "populations": pops,
        "coherences": {k: [float(v.real), float(v.imag)] for k, v in c.items()},
        "physical": bool(ss.physical),
        "params": p.to_dict(),
    }
    if as_json:
        emit_json(out)
        return
    typer.echo(f"inversion <σ22>-<σ11> = {out['inversion']:.6f}")
    typer.echo("populations p1, p2, p3 = " + ", ".join(f"{x:.6f}" for x in pops))


def map_cmd(
    scan: so.ScanRun,
    x: str = typer.Option(..., "--x", help="First axis NAME=START:STOP:COUNT (or log:/list)."),
    y: str | None = typer.Option(None, "--y", help="Second axis, same grammar."),
    atom: AtomOptions = None,
    as_json: Json = False,
) -> None:
    """Steady-state inversion over a 1-D or 2-D grid into NetCDF/Zarr (+ PNG of the map).

    Runs through the shared scan layer: chunked, resumable (``--resume``), on local
    worker processes (``--workers``) or Dask (``--dask``, ``--scheduler``).
    """
    from vlaser.atom.liouvillian import PARAM_ORDER
    from vlaser.io import save_figure
    from vlaser.scan.grid import Grid

    out = scan.require_out()
    species, given = atom
    g2 = atom_values(species, given)["gamma2"]
    specs = [s for s in (x, y) if s is not None]
    grid = Grid.from_specs(specs, allowed=PARAM_ORDER, gamma2=g2)
    fixed = atom_values(species, given, skip=grid.names)
    ds = scan.run("atom.steady", grid, fixed, quiet=as_json)
    fig = _map_figure(ds, grid.names, all(a.kind == "log" for a in grid.axes))
    png = out.with_suffix(".png")
    save_figure(fig, png)
    inv = ds["inversion"].values
    summary = {
        "path": str(out),
        "png": str(png),
        "shape": list(inv.shape),
        "dims": list(grid.names),
        "min_inversion": float(inv.min()) if inv.size else None,
        "max_inversion": float(inv.max()) if inv.size else None,
        "fixed": fixed,
    }
    if as_json:
        emit_json(summary)
        return
    typer.echo(
        f"wrote {out} and {png} ({' x '.join(map(str, inv.shape))}); inversion "
        f"{summary['min_inversion']:.4f} .. {summary['max_inversion']:.4f}"
    )


def _map_figure(ds: Any, names: tuple[str, ...], log: bool) -> Any:
    from matplotlib.figure import Figure

    from vlaser.figures.fig2 import draw_map

    fig = Figure(figsize=(5.5, 4.2), layout="constrained")
    ax = fig.subplots()
    label = {
        "delta2": r"$\Delta_2$",
        "delta3": r"$\Delta_3$",
        "omega2": r"$\Omega_2$",
        "omega3": r"$\Omega_3$",
    }
    inv = ds["inversion"]
    if len(names) == 1:
        ax.plot(ds[names[0]].values, inv.values, color="tab:red")
        ax.set(
            xlabel=label.get(names[0], names[0]) + r" / $\Gamma_3$",
            ylabel="inversion",
            ylim=(-1, 1),
        )
        if log:
            ax.set_xscale("log")
        return fig
    draw_map(fig, ax, ds[names[0]].values, ds[names[1]].values, inv.values, log=log)
    ax.set(
        xlabel=label.get(names[0], names[0]) + r" / $\Gamma_3$",
        ylabel=label.get(names[1], names[1]) + r" / $\Gamma_3$",
    )
    return fig


def t95_cmd(
    atom: AtomOptions = None,
    as_json: Json = False,
) -> None:
    """t95: from |1> at t = 0, the time after which the inversion stays ≥ 0.95 of its
    steady value (null/NaN if the steady inversion is not positive)."""
    from vlaser.atom import t95

    p = AtomParams(**atom_values(*atom))
    res = t95(p)
    t, iss = float(res.t95), float(res.steady_inversion)
    out = {
        "t95": t,
        "t95_gamma2": t * float(p.gamma2),
        "steady_inversion": iss,
        "units": "t95 in 1/Gamma3; t95_gamma2 = t95 * Gamma2",
        "params": p.to_dict(),
    }
    if as_json:
        emit_json(out)
        return
    if t != t:
        typer.echo(f"steady inversion {iss:.6f} <= 0: t95 undefined")
    else:
        typer.echo(f"t95 = {t:.6g} /Γ3 = {out['t95_gamma2']:.6g} /Γ2 (steady inversion {iss:.6f})")


def spectrum_cmd(
    atom: AtomOptions = None,
    out: Path | None = typer.Option(None, "--out", help="Plot the spectrum to this PNG file."),
    as_json: Json = False,
) -> None:
    """Incoherent emission spectrum of the |2>-|1> line: lines (position relative to ω2,
    FWHM, height; Γ3 units, highest first) and the elastic fraction."""
    from vlaser.atom import emission_spectrum

    if out is not None and out.suffix.lower() != ".png":
        raise ParameterError("out", str(out), "a path ending in .png")
    p = AtomParams(**atom_values(*atom))
    sp = emission_spectrum(p)
    if out is not None:
        from vlaser.io import save_figure

        save_figure(_spectrum_figure(sp), out)
    result = sp.to_dict() | {"params": p.to_dict(), "units": "Gamma3; positions relative to omega2"}
    if as_json:
        emit_json(result)
        return
    typer.echo(f"elastic fraction |<σ12>|²/<σ22> = {sp.coherent_weight:.6f}")
    for pk in sp.peaks:
        typer.echo(f"line at δ = {pk.position:+.6f}  FWHM {pk.fwhm:.6g}  height {pk.height:.6g}")


def _spectrum_figure(sp: Any) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(sp.delta, sp.values / sp.values.max(), color="k", lw=1)
    ax.axvline(float(sp.params.delta2), color="r", ls="--", lw=0.8, label="pump 2")
    ax.set(xlabel=r"$(\omega-\omega_2)/\Gamma_3$", ylabel="S (normalized)")
    ax.legend()
    return fig


def register(app: typer.Typer) -> None:
    """Add the ``vlaser atom`` command group."""
    sub = typer.Typer(
        help="Exact single V-atom solver (steady state, maps, t95, spectrum).", no_args_is_help=True
    )
    sub.command("steady")(atom_command(steady_cmd))
    sub.command("map")(atom_command(so.scan_command()(map_cmd)))
    sub.command("t95")(atom_command(t95_cmd))
    sub.command("spectrum")(atom_command(spectrum_cmd))
    app.add_typer(sub, name="atom")
