"""``vlaser laser``: the N-atom V-level laser (second-order cumulant equations).

Commands: ``equations``, ``steady``, ``threshold``, ``scan``. Rate options take a
number in units of Γ3 or a number with suffix ``g2`` (units of Γ2); defaults are the
paper's laser point Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5, g = 2Γ2, κ = 50Γ2, Δc = Δ2,
N = 50000, Γ3/Γ2 = 4266. ``--kappa`` is the cavity FIELD decay rate: the photon number
decays at 2κ.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from vlaser.cli import scanopts as so
from vlaser.cli.atom import ATOM_OPTIONS, atom_values, with_species
from vlaser.cli.common import (
    RATE_HELP,
    bundled_options,
    emit_json,
    rate,
    resolve_gamma2,
    si_block,
    si_line,
)
from vlaser.errors import ParameterError
from vlaser.params import LaserParams


def _opt(name: str, what: str) -> Any:
    return typer.Option(f"--{name}", help=f"{what} ({RATE_HELP}).")


Atoms = Annotated[str, typer.Option("--atoms", help="N, number of atoms (whole number >= 1).")]
Coupling = Annotated[str, _opt("g", "g, atom-cavity coupling on |1>-|2>")]
Kappa = Annotated[
    str,
    _opt("kappa", "κ, cavity FIELD decay rate (L = 2κ D[a]; photons decay at 2κ)"),
]
DeltaC = Annotated[str | None, _opt("delta-c", "Δc = ω_l2 − ωc, cavity detuning; default Δc = Δ2")]
Order = Annotated[int, typer.Option("--order", help="Cumulant order (1 = mean field, 2 = paper).")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
PhaseInvariant = Annotated[
    bool,
    typer.Option(
        "--phase-invariant",
        help="Keep only averages of zero charge under a†a + S2 (QuantumCumulants' filter; "
        "not exact with the coherent pump Ω2, see README).",
    ),
]


DopplerWidth = Annotated[
    str | None,
    _opt(
        "doppler-width",
        "W, Doppler FWHM kc·vc on the narrow line: an inhomogeneous ensemble in velocity "
        "classes (0: identical atoms at rest)",
    ),
]
Temperature = Annotated[
    str | None,
    typer.Option(
        "--temperature",
        help="k_B T in units of ħΓ3 of --species: Doppler widths of both lines by eq. 16 "
        "(narrow line along the cavity, broad line along pump 3, k2 ⟂ k3).",
    ),
]
Classes = Annotated[
    str | None,
    typer.Option(
        "--classes",
        help="Velocity classes K along the cavity (Gauss-Hermite; 1..25; default: the "
        "count that converges n to 1e-3 for the width, see README).",
    ),
]

#: Ensemble options (not offered by ``laser dynamics``).
ENSEMBLE_OPTIONS = ("doppler_width", "temperature", "classes")


def _ensemble(kw: dict[str, Any], species: str | None, texts: dict[str, str | None]) -> None:
    """Put the ensemble options ``texts`` into the LaserParams keywords ``kw``."""
    import math

    width, kbt, classes = (texts.get(k) for k in ENSEMBLE_OPTIONS)
    if width is not None and kbt is not None:
        raise ParameterError(
            "temperature", kbt, "unset when --doppler-width is given (one or the other)"
        )
    if width is not None:
        w = rate(width, "doppler-width", kw["gamma2"])
        if not (math.isfinite(w) and w >= 0):
            raise ParameterError("doppler-width", width, "a finite width >= 0")
        kw["doppler_width"] = w
    if kbt is not None:
        if species is None:
            raise ParameterError("temperature", kbt, "given together with --species")
        try:
            t = float(kbt)
        except ValueError:
            raise ParameterError("temperature", kbt, "a finite k_B T >= 0 (ħΓ3)") from None
        if not (math.isfinite(t) and t >= 0):
            raise ParameterError("temperature", kbt, "a finite k_B T >= 0 (ħΓ3)")
        from vlaser.motion.doppler import doppler_fwhm

        kw["doppler_width"] = doppler_fwhm(t, species, level=2)
        kw["pump3_width"] = doppler_fwhm(t, species, level=3)
    if classes is not None:
        from vlaser.laser.ensemble import MAX_GROUPS

        allowed = f"a whole number from 1 to {MAX_GROUPS} (equations grow as K²)"
        try:
            k = int(classes)
        except ValueError:
            raise ParameterError("classes", classes, allowed) from None
        if not 1 <= k <= MAX_GROUPS:
            raise ParameterError("classes", classes, allowed)
        kw["classes"] = k


def laser_params(**texts: str | None) -> LaserParams:
    """Validated :class:`LaserParams` from the option texts of :func:`laser_command`.

    ``texts`` holds the atom options (unset: the paper's values), ``species`` (sets Γ2
    from the preset), ``atoms``, ``g``, ``kappa`` and ``delta_c`` (``None``: default).
    """
    texts = dict(texts)
    species = texts.pop("species", None)
    laser = {k: texts.pop(k, None) for k in ("atoms", "g", "kappa", "delta_c")}
    ens = {k: texts.pop(k, None) for k in ENSEMBLE_OPTIONS}
    kw: dict[str, Any] = atom_values(species, texts)
    _ensemble(kw, species, ens)
    for name in ("g", "kappa", "delta_c"):
        if laser[name] is not None:
            kw[name] = rate(laser[name], name, kw["gamma2"])
    if laser["atoms"] is not None:
        try:
            kw["atoms"] = float(laser["atoms"])  # type: ignore[arg-type]
        except ValueError:
            raise ParameterError("atoms", laser["atoms"], "a whole number >= 1") from None
    return LaserParams(**kw)


#: The parameter options of ``steady``/``threshold``/``scan``: name -> (type, default).
_OPTIONS: dict[str, tuple[Any, Any]] = {
    **{name: (ann, None) for name, ann in ATOM_OPTIONS.items()},  # unset: the paper's
    "atoms": (Atoms, "50000"),
    "g": (Coupling, "2g2"),
    "kappa": (Kappa, "50g2"),
    "delta_c": (DeltaC, None),
    "doppler_width": (DopplerWidth, None),
    "temperature": (Temperature, None),
    "classes": (Classes, None),
}


def laser_command(
    without: tuple[str, ...] = (),
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the laser parameter options; it receives ``texts`` (name -> text)."""
    options = {n: v for n, v in _OPTIONS.items() if n not in without}
    return bundled_options("texts", options, dict)


def _check_order(order: int) -> None:
    from vlaser.laser.equations import check_order

    check_order(order)


def warn_unphysical(res: Any) -> None:
    """One stderr line where a steady state is not converged or not physical."""
    import numpy as np

    for reason, violation, ok, phys in zip(
        np.ravel(res.reason),
        np.ravel(res.violation),
        np.ravel(res.converged),
        np.ravel(res.physical),
        strict=True,
    ):
        if not ok:
            typer.echo(f"warning: {reason}", err=True)
        elif not phys:
            typer.echo(f"warning: the fixed point is not a physical state: {violation}", err=True)


#: Help text of the scan axes.
AXES = (
    "NAME is a laser parameter (delta2, atoms, g, kappa, delta_c, nu2, ...), nu (ν2 = ν3) "
    "or cavity_offset (Δc − Δ2)."
)


def scan_grid(specs: list[str], gamma2_text: str | None) -> Any:
    """The :class:`vlaser.scan.Grid` of ``specs`` for ``laser.steady``; atom numbers
    are rounded to integers and clamped to >= 1 (a grid may start at 0)."""
    from vlaser.laser.scan import clean_atoms
    from vlaser.scan import Axis, Grid, get_solver, parse_axis

    names = get_solver("laser.steady").param_names
    g2 = resolve_gamma2(gamma2_text)
    axes = []
    for spec in specs:
        a = parse_axis(spec, names, g2)
        axes.append(Axis(a.name, clean_atoms(a.values), a.kind) if a.name == "atoms" else a)
    return Grid(tuple(axes))


def scan_fixed(texts: dict[str, str | None], scanned: tuple[str, ...]) -> dict[str, str]:
    """The options given (or defaulted) as fixed values of a scan, minus the scanned
    names (a scanned ``nu`` replaces nu2/nu3, a scanned ``cavity_offset`` delta_c).

    Raises:
        ParameterError: For a scanned name also given as an option.
    """
    covers = {"nu": ("nu2", "nu3"), "cavity_offset": ("delta_c",)}
    fixed = {k: v for k, v in texts.items() if v is not None and k not in scanned}
    for name in scanned:
        for option in covers.get(name, ()):
            if option in fixed:
                raise ParameterError(
                    option.replace("_", "-"), fixed[option], f"unset while {name} is scanned"
                )
    return fixed


def _scan_ensemble(
    fixed: dict[str, Any],
    ens: dict[str, str | None],
    species: str | None,
    grid: Any,
    texts: dict[str, str | None],
) -> int:
    """Resolve the ensemble options of ``laser scan`` into fixed numbers (widths in Γ3,
    K fixed for the whole scan: given, or the default for the largest width on the
    grid) and return the number of atom groups."""
    import numpy as np

    from vlaser.laser import ensemble

    kw: dict[str, Any] = {"gamma2": resolve_gamma2(texts.get("gamma2"))}
    _ensemble(kw, species, ens)
    for name in ("doppler_width", "pump3_width"):
        if name in kw:
            if name in grid.names:
                raise ParameterError(name.replace("_", "-"), kw[name], "unset while scanned")
            fixed[name] = float(kw[name])
    if "classes" in grid.names:
        raise ParameterError("classes", "scanned", "fixed for a scan (--classes K)")
    widths = {}
    for name in ("doppler_width", "pump3_width"):
        axis = next((a for a in grid.axes if a.name == name), None)
        widths[name] = float(np.max(axis.values)) if axis is not None else fixed.get(name, 0.0)
    probe = laser_params(**{k: v for k, v in texts.items() if k in _OPTIONS or k == "gamma2"})
    probe = probe.replace(classes=kw.get("classes", 0), **widths)
    if not probe.inhomogeneous:
        if "classes" in kw:
            fixed["classes"] = float(kw["classes"])
        return 1
    k, k3, positions = ensemble.counts(probe)
    fixed["classes"] = float(k)
    return k * k3 * max(positions, 1)


def register(app: typer.Typer) -> None:
    """Add the ``laser`` sub-app."""
    sub = typer.Typer(
        name="laser",
        help="N-atom V-level laser: cumulant equations, steady state, threshold, scans.",
        no_args_is_help=True,
    )

    @sub.command("equations")
    def equations_cmd(
        order: Order = 2,
        atoms: Annotated[
            str | None,
            typer.Option("--atoms", help="Explicit N (default: N symbolic, identical atoms)."),
        ] = None,
        phase_invariant: PhaseInvariant = False,
        latex: Annotated[bool, typer.Option("--latex", help="Print LaTeX.")] = False,
        json: Json = False,
    ) -> None:
        """Derive and print the closed cumulant equations (37 at order 2, 153 at order 3).

        --json also gives the count with the phase-invariance filter (averages of zero
        charge under a†a + S2 only; not exact here: it drops the coherent pump's source
        terms, see vlaser.laser.equations).
        """
        from vlaser.laser import laser_equations

        _check_order(order)
        n = None
        if atoms is not None:
            try:
                n = int(atoms)
            except ValueError:
                raise ParameterError("atoms", atoms, "a whole number >= 1") from None
        ls = laser_equations(order, n, phase_invariant=phase_invariant)
        text = ls.system.latex() if latex else ls.system.text()
        if json:
            full = ls if not phase_invariant else laser_equations(order, n)
            filt = ls if phase_invariant else laser_equations(order, n, phase_invariant=True)
            emit_json(
                {
                    "count": ls.count,
                    "order": order,
                    "real_variables": ls.compiled.n_real,
                    "n_atoms": "N" if n is None else n,
                    "phase_invariant": phase_invariant,
                    "counts": {
                        "unfiltered": {"averages": full.count, "real": full.compiled.n_real},
                        "phase_invariant": {
                            "averages": filt.count,
                            "real": filt.compiled.n_real,
                        },
                    },
                    "filter_note": (
                        "phase_invariant keeps the averages of zero charge under a†a + S2; "
                        "the coherent pump Ω2 carries charge ±1, so it is exact only for "
                        "Ω2 = 0 (it drops <σ12>, <a> and the pump's source terms)"
                    ),
                    "averages": ls.names,
                    "equations": text.split("\\\\\n" if latex else "\n"),
                    "kappa_note": "kappa is the field decay rate: d<a†a>/dt contains -2κ<a†a>",
                }
            )
        else:
            typer.echo(text)
            typer.echo(f"# {ls.count} equations (order {order})", err=True)

    @sub.command("steady")
    @laser_command()
    def steady_cmd(
        texts: dict[str, str | None],
        order: Order = 2,
        no_dynamics: Annotated[
            bool,
            typer.Option(
                "--no-dynamics", help="Do not integrate in time at an unstable fixed point."
            ),
        ] = False,
        json: Json = False,
    ) -> None:
        """Steady state at one point (Newton + continuation, linear stability)."""
        from vlaser.laser import steady_state

        _check_order(order)
        species = texts.get("species")
        p = laser_params(**texts)
        res = steady_state(p, order=order, dynamics=not no_dynamics)
        warn_unphysical(res)
        out = res.to_dict()
        out["params"] = p.to_dict()
        si = si_block(p, species, float(res.photons))
        if si is not None:
            out["si"] = si
        if json:
            emit_json(out)
            return
        conv = "converged" if res.converged else "NOT converged"
        typer.echo(f"photons n          = {float(res.photons):.6g}   ({conv}, {res.method.item()})")
        typer.echo(f"coherent |<a>|^2   = {float(res.coherent_photons):.6g}")
        typer.echo(f"inversion          = {float(res.inversion):.6g}")
        typer.echo(f"residual           = {float(res.residual):.3g}")
        stab = "stable" if res.stable else "UNSTABLE"
        typer.echo(f"max growth rate    = {float(res.max_growth_rate):.4g} Γ3 ({stab})")
        phys = "yes" if res.physical else f"NO: {res.violation.item()}"
        typer.echo(f"physical           = {phys}")
        typer.echo(f"equations          = {res.equations} (order {order})")
        dyn = res.dynamics.item()
        if dyn is not None:
            typer.echo(f"dynamics           : {dyn.note}")
        if si is not None:
            typer.echo(si_line(si))

    @sub.command("dynamics")
    @laser_command(without=ENSEMBLE_OPTIONS)
    def dynamics_cmd(
        texts: dict[str, str | None],
        time: Annotated[
            str,
            typer.Option(
                "--time",
                help="Time span: T or T0:T1 in 1/Γ3, or with suffix /g2 in 1/Γ2 "
                "(10/g2 = 42660/Γ3 at the paper's Γ2).",
            ),
        ] = "10/g2",
        order: Order = 2,
        initial: Annotated[
            str,
            typer.Option(
                "--initial",
                help="fixed-point (perturbed along its least stable mode), uncoupled "
                "(g = 0 fixed point), ground (atoms in |1>, vacuum), or a .json/.nc/.zarr "
                "file of averages (checked to be a physical state).",
            ),
        ] = "fixed-point",
        samples: Annotated[
            int, typer.Option("--samples", help="Stored samples including both ends.")
        ] = 2001,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Write the traces to .nc or .zarr (atomic)."),
        ] = None,
        rtol: Annotated[float, typer.Option("--rtol", help="Relative tolerance per step.")] = 1e-6,
        method: Annotated[
            str, typer.Option("--method", help="Runge-Kutta pair: dp5 or dop853.")
        ] = "dp5",
        frame: Annotated[
            str,
            typer.Option(
                "--frame",
                help="Integration frame: cavity (rotating at Δc per unit charge), pump, "
                "or ω in Γ3.",
            ),
        ] = "cavity",
        phase_invariant: PhaseInvariant = False,
        projective: Annotated[
            bool,
            typer.Option(
                "--projective",
                help="Stroboscopic projective integration: exact windows of a few "
                "periods, jumps over whole periods in between (linearised "
                "stroboscopic map on a settled oscillation); for long runs of a fast "
                "oscillation with a slow envelope. Samples inside a jump are "
                "reconstructed from the next window.",
            ),
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
        json: Json = False,
    ) -> None:
        """Integrate the cumulant equations in time; report the long-time behaviour.

        Classes (last half of the run, 8 blocks): fixed-point, limit-cycle (period,
        amplitude, time-averaged n), drift, irregular, diverged; the criterion is in
        vlaser.laser.dynamics and in --json.
        """
        from vlaser.cumulants.projective import Projective
        from vlaser.laser.dynamics import evolve, parse_time
        from vlaser.laser.equations import laser_equations

        _check_order(order)
        p = laser_params(**texts)
        span = parse_time(time, float(p.values()["gamma2"]))
        if out is not None and out.suffix.lower() not in (".nc", ".zarr"):
            raise ParameterError("out", str(out), "a path ending in .nc or .zarr")
        try:
            frame_arg: str | float = frame if frame in ("cavity", "pump") else float(frame)
        except ValueError:
            raise ParameterError("frame", frame, "cavity, pump or ω in Γ3") from None
        system = laser_equations(order, phase_invariant=phase_invariant)
        bar = None
        if not (quiet or json):
            from vlaser.cli.scanopts import ProgressBar

            bar = ProgressBar(f"laser dynamics (order {order})", unit="1/Γ3")
        try:
            res = evolve(
                p,
                order,
                span,
                initial=initial,
                samples=samples,
                system=system,
                rtol=rtol,
                method=method,
                frame=frame_arg,
                progress=None if bar is None else (lambda d, t: bar(int(d), int(round(t)))),
                projective=Projective() if projective else None,
            )
        finally:
            if bar is not None:
                bar.stop()
        summary = res.to_dict()
        summary["params"] = p.to_dict()
        if out is not None:
            res.save(out)
            summary["out"] = str(out)
        lt = res.long_time
        if lt.kind in ("diverged", "incomplete"):
            typer.echo(f"warning: {lt.detail}", err=True)
        if json:
            emit_json(summary)
            return
        typer.echo(f"initial            : {res.initial}")
        typer.echo(f"integrated         : t = {res.t[0]:.6g} .. {res.t[-1]:.6g} /Γ3 ({res.status}, "
                   f"{res.steps} steps, {res.wall_time:.2f} s)")  # fmt: skip
        pj = res.settings.get("projective")
        if pj is not None:
            share = pj["jumped_time"] / max(res.t[-1] - res.t[0], 1e-300)
            typer.echo(f"projective         : {pj['jumps']} jumps over {100 * share:.1f} % of the "
                       f"span, period {pj['period']:.7g} /Γ3")  # fmt: skip
        typer.echo(f"long-time class    : {lt.kind}")
        typer.echo(f"time-averaged n    = {lt.mean_photons:.6g}")
        typer.echo(f"time-averaged |<a>|^2 = {lt.mean_coherent:.6g}")
        typer.echo(f"amplitude of n     = {lt.amplitude:.4g}")
        per = "none" if lt.period is None else f"{lt.period:.4g} /Γ3"
        typer.echo(f"period             : {per}")
        typer.echo(f"detail             : {lt.detail}")
        if out is not None:
            typer.echo(f"wrote {out}", err=True)

    @sub.command("threshold")
    @laser_command(without=("atoms",))
    def threshold_cmd(
        texts: dict[str, str | None],
        max_atoms: Annotated[
            str, typer.Option("--max-atoms", help="Upper end of the N scan.")
        ] = "50000",
        points: Annotated[int, typer.Option("--points", help="Scan points in N.")] = 101,
        order: Order = 2,
        json: Json = False,
    ) -> None:
        """Threshold atom number (linear extrapolation of n(N); see --json definition)."""
        from vlaser.laser.threshold import threshold

        _check_order(order)
        p = laser_params(**texts)
        try:
            nmax = float(max_atoms)
        except ValueError:
            raise ParameterError("max_atoms", max_atoms, "a number >= 10") from None
        res = threshold(p, max_atoms=nmax, points=points, order=order)
        if json:
            emit_json(res.to_dict())
            return
        nth = "none in range" if res.threshold_atoms is None else f"{res.threshold_atoms:.6g}"
        typer.echo(f"threshold atoms = {nth}")
        typer.echo(f"kink atoms      = {res.kink_atoms}")
        typer.echo(f"definition      : {res.definition}")

    @sub.command("scan")
    @laser_command()
    @so.scan_command()
    def scan_cmd(
        scan: so.ScanRun,
        texts: dict[str, str | None],
        x: Annotated[
            str,
            typer.Option(
                "--x", help="Fast axis NAME=START:STOP:COUNT (e.g. atoms=0:50000:51); " + AXES
            ),
        ],
        y: Annotated[str | None, typer.Option("--y", help="Second (slow) axis.")] = None,
        order: Order = 2,
        json: Json = False,
    ) -> None:
        """Scan the steady state over one or two parameters into --out (.nc or .zarr).

        Runs on the shared scan layer (solver laser.steady): chunked, resumable, on local
        processes or Dask. Points of a chunk are solved by continuation along --x (the
        fast axis); each stores its converged flag, residual, stable flag and max growth
        rate. Atom numbers are rounded and clamped to >= 1. A PNG is written beside --out.

        --doppler-width/--temperature/--classes scan a thermal cloud (velocity classes);
        K is fixed for the whole scan (default: the count for the largest width).
        """
        from vlaser.io import save_figure

        _check_order(order)
        out = scan.require_out()
        species = texts.get("species")
        ens = {k: texts.pop(k, None) for k in ENSEMBLE_OPTIONS}
        texts = with_species(texts.pop("species"), texts)
        grid = scan_grid([s for s in (y, x) if s is not None], texts.get("gamma2"))
        fixed: dict[str, Any] = scan_fixed(texts, grid.names)
        groups = _scan_ensemble(fixed, ens, species, grid, texts)
        ds = scan.run(
            "laser.steady",
            grid,
            fixed,
            options={"order": order},
            description="laser scan",
            quiet=json,
        )
        png = Path(out).with_suffix(".png")
        save_figure(plot_scan(ds), png)
        summary = {
            "out": str(out),
            "png": str(png),
            "shape": list(ds.photons.shape),
            "dims": list(ds.photons.dims),
            "converged": int(ds.converged.sum()),
            "unstable": int((ds.stable.values == 0).sum()),
            "unphysical": int(((ds.physical.values == 0) & (ds.converged.values == 1)).sum()),
            "points": int(ds.photons.size),
            "fingerprint": ds.attrs["scan_fingerprint"],
            "classes": groups,
        }
        ds.close()
        bad = summary["points"] - summary["converged"]
        if bad or summary["unphysical"]:
            typer.echo(
                f"warning: {bad} points without a fixed point, {summary['unphysical']} "
                "fixed points that are not physical states (see the variables converged, "
                "physical, violation)",
                err=True,
            )
        if json:
            emit_json(summary)
        elif not scan.quiet:
            typer.echo(
                f"wrote {out} and {png}: {summary['points']} points, "
                f"{summary['converged']} converged, {summary['unstable']} unstable",
                err=True,
            )

    app.add_typer(sub, name="laser")


def plot_scan(ds: Any) -> Any:
    """Photon number (and inversion) of a scan; unstable points marked."""
    import numpy as np
    from matplotlib.figure import Figure

    dims = list(ds.photons.dims)
    fig = Figure(figsize=(9, 4))
    if len(dims) == 1:
        xname = dims[0]
        xv = ds[xname].values
        ax1, ax2 = fig.subplots(1, 2)
        for ax, var, label in ((ax1, "photons", "n"), (ax2, "inversion", "inversion")):
            yv = ds[var].values
            ax.plot(xv, yv, "-", color="C0")
            bad = ds.stable.values == 0
            if bad.any():
                ax.plot(xv[bad], yv[bad], "x", color="C3", label="unstable fixed point")
            odd = (ds.physical.values == 0) & (ds.converged.values == 1)
            if odd.any():
                ax.plot(xv[odd], yv[odd], "o", mfc="none", color="k", label="not a physical state")
            if bad.any() or odd.any():
                ax.legend()
            ax.set_xlabel(xname)
            ax.set_ylabel(label)
    else:
        yname, xname = dims
        ax = fig.subplots(1, 1)
        mesh = ax.pcolormesh(ds[xname].values, ds[yname].values, ds.photons.values, shading="auto")
        fig.colorbar(mesh, ax=ax, label="n")
        bad = ds.stable.values == 0
        if bad.any():
            yy, xx = np.nonzero(bad)
            ax.plot(ds[xname].values[xx], ds[yname].values[yy], "x", color="w", ms=3)
        odd = (ds.physical.values == 0) & (ds.converged.values == 1)
        if odd.any():
            yy, xx = np.nonzero(odd)
            ax.plot(ds[xname].values[xx], ds[yname].values[yy], "o", mfc="none", color="k", ms=4)
        ax.set_xlabel(xname)
        ax.set_ylabel(yname)
    fig.tight_layout()
    return fig
