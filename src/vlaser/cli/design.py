"""``vlaser laser sensitivity`` and ``vlaser design``: derivatives and operating-point design.

Parameter options as for every ``vlaser laser`` command (paper defaults Δ2 = 5, Δ3 = −1,
Ω2 = Ω3 = 0.5, N = 50000, g = 2Γ2, κ = 50Γ2 with Γ2 of ``--species``; rates in Γ3 or
with suffix ``g2``; ``--kappa`` is the cavity FIELD decay rate). ``vlaser design`` also
takes the cavity in SI units (``--kappa-hz`` or ``--finesse`` with ``--length`` or
``--fsr``; g from ``--waist`` or ``--cooperativity``; needs ``--species``), see
:mod:`vlaser.laser.units` for the formulas. Invalid input: one line ``error: ...``, exit 2.
An infeasible design prints its result (the closest point) and then exits 2 with one
error line.
"""

from __future__ import annotations

import math
from typing import Annotated

import typer

from vlaser.cli.atom import Json
from vlaser.cli.common import emit_json, fail, rate, si_block, si_line
from vlaser.cli.laser import ENSEMBLE_OPTIONS, laser_command, laser_params, warn_unphysical
from vlaser.errors import ParameterError

Order = Annotated[int, typer.Option("--order", help="Cumulant order (default 2).")]


def _float(name: str, text: str | None, allowed: str = "a finite number > 0") -> float | None:
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        raise ParameterError(name, text, allowed) from None
    if not math.isfinite(v) or v <= 0:
        raise ParameterError(name, text, allowed)
    return v


def _positive_rate(name: str, text: str, gamma2: float) -> float:
    """A rate option (Γ3 or g2 suffix) that must be finite and > 0."""
    v = rate(text, name, gamma2)
    if v is None or not (math.isfinite(v) and v > 0):
        raise ParameterError(name, text, "a finite rate > 0 (Γ3, or suffix g2)")
    return float(v)


def sensitivity_cmd(
    texts: dict[str, str | None],
    spectrum: Annotated[
        bool,
        typer.Option("--spectrum", help="Also FWHM and line position (and pulling) derivatives."),
    ] = False,
    parameters: Annotated[
        str | None,
        typer.Option(
            "--parameters",
            help="Comma-separated subset of delta2,delta3,omega2,omega3,delta_c,g,kappa,"
            "atoms,nu2,nu3 (default all).",
        ),
    ] = None,
    order: Order = 2,
    line_method: Annotated[
        str,
        typer.Option(
            "--line-method",
            help="FWHM/δp derivatives: implicit (exact, default) or difference (central "
            "differences of re-solved spectra, the check).",
        ),
    ] = "implicit",
    as_json: Json = False,
) -> None:
    """Derivatives of n, inversion, coherent fraction (and FWHM, δp) at the steady state,
    by implicit differentiation with the analytic Jacobian (the line: implicit functions
    of the spectrum's linear system)."""
    from vlaser.laser.sensitivity import LINE_METHODS, PARAMETERS, check_names, sensitivity

    if line_method not in LINE_METHODS:
        raise ParameterError("--line-method", line_method, f"one of {', '.join(LINE_METHODS)}")

    species = texts.get("species")
    names = PARAMETERS if parameters is None else check_names(parameters)
    p = laser_params(**texts)
    from vlaser.laser.steady import steady_state

    st = steady_state(p, order=order, dynamics=False)
    warn_unphysical(st)
    s = sensitivity(p, order, names=names, spectrum=spectrum, steady=st,
                    line_method=line_method)  # fmt: skip
    out = s.to_dict() | {"params": p.to_dict()}
    si = si_block(p, species, s.photons, fwhm=s.fwhm, peak=s.peak)
    if si is not None:
        out["si"] = si
    if as_json:
        emit_json(out)
        return
    typer.echo(f"n = {s.photons:.6g}, inversion = {s.inversion:.6g}, "
               f"coherent fraction = {s.coherent_fraction:.3g}")  # fmt: skip
    for q, d in s.derivatives.items():
        typer.echo(f"d{q}/d: " + ", ".join(f"{k} {v:+.4g}" for k, v in d.items()))
    if s.pulling is not None:
        typer.echo(f"pulling dδp/dΔc = {s.pulling:.6g}")
    if si is not None:
        typer.echo(si_line(si))


def _bounds(specs: list[str], gamma2: float) -> dict[str, tuple[float, float]]:
    from vlaser.laser.design import FREE_PARAMETERS

    out: dict[str, tuple[float, float]] = {}
    for spec in specs:
        name, sep, rng = spec.partition("=")
        name = name.strip()
        if not sep or name not in FREE_PARAMETERS:
            raise ParameterError("bound", spec, f"NAME=LO:HI with NAME one of {', '.join(FREE_PARAMETERS)}")  # fmt: skip
        lo_t, sep2, hi_t = rng.partition(":")
        if not sep2:
            raise ParameterError(f"bound {name}", rng, "LO:HI")
        if name == "atoms":
            lo, hi = (_float("bound atoms", t, "a finite atom number >= 1") for t in (lo_t, hi_t))
        else:
            lo, hi = (rate(t, f"bound {name}", gamma2) for t in (lo_t, hi_t))
        if not (math.isfinite(lo) and math.isfinite(hi)):  # type: ignore[arg-type]
            raise ParameterError(f"bound {name}", rng, "two finite numbers LO:HI")
        if not lo < hi:  # type: ignore[operator]
            raise ParameterError(f"bound {name}", rng, "a non-empty interval LO < HI")
        out[name] = (float(lo), float(hi))  # type: ignore[arg-type]
    return out


def design_cmd(
    texts: dict[str, str | None],
    objective: Annotated[
        str,
        typer.Option("--objective", help="power, linewidth (1/FWHM) or clock (P/(FWHM·|p_c|))."),
    ] = "power",
    free: Annotated[
        str,
        typer.Option(
            "--free", help="Free parameters among delta2,delta3,omega2,omega3,delta_c,atoms,g."
        ),
    ] = "delta2,omega2",
    bound: Annotated[
        list[str] | None,
        typer.Option("--bound", help="NAME=LO:HI (repeatable; rates in Γ3 or g2; atoms in atoms)."),
    ] = None,
    coherent_fraction: Annotated[
        str, typer.Option("--max-coherent-fraction", help="Bound on |<a>|²/n ('off' to drop).")
    ] = "1e-3",
    min_inversion: Annotated[
        str | None, typer.Option("--min-inversion", help="Lower bound on the inversion.")
    ] = None,
    max_intensity: Annotated[
        str | None,
        typer.Option("--max-intensity", help="Bound on each pump intensity, W/cm² (species)."),
    ] = None,
    max_temperature: Annotated[
        str | None,
        typer.Option("--max-temperature", help="Bound on the pump-3 Doppler temperature, K."),
    ] = None,
    stability_margin: Annotated[
        str, typer.Option("--stability-margin", help="Required max Re λ ≤ −margin·Γ2.")
    ] = "1e-3",
    max_line_offset: Annotated[
        str | None,
        typer.Option(
            "--max-line-offset",
            help="Bound on |δp|, the line's distance from ω2 (Γ3 or g2): stay on the clock line.",
        ),
    ] = None,
    pareto_points: Annotated[
        int, typer.Option("--pareto", help="Trace power against FWHM with this many points.")
    ] = 0,
    starts: Annotated[int, typer.Option("--starts", help="Multi-start count (seeded).")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random starts.")] = 0,
    maxiter: Annotated[int, typer.Option("--maxiter", help="SLSQP iterations per start.")] = 60,
    kappa_hz: Annotated[
        str | None, typer.Option("--kappa-hz", help="κ/2π in Hz (field decay; species).")
    ] = None,
    finesse: Annotated[str | None, typer.Option("--finesse", help="Cavity finesse F.")] = None,
    length: Annotated[str | None, typer.Option("--length", help="Cavity length L in m.")] = None,
    fsr: Annotated[str | None, typer.Option("--fsr", help="Free spectral range in Hz.")] = None,
    waist: Annotated[str | None, typer.Option("--waist", help="Mode waist w0 in m.")] = None,
    cooperativity: Annotated[
        str | None, typer.Option("--cooperativity", help="C = 4g²/(2κΓ2).")
    ] = None,
    order: Order = 2,
    as_json: Json = False,
) -> None:
    """Design an operating point: maximise power, 1/FWHM or the clock figure of merit
    over --free parameters within bounds, subject to stability, coherent fraction and
    optional inversion, intensity and temperature bounds (SLSQP, exact gradients,
    multi-start). --pareto N traces power against FWHM."""
    from vlaser.laser.design import OBJECTIVES, Constraints, design, pareto
    from vlaser.laser.sensitivity import check_names

    if objective not in OBJECTIVES:
        raise ParameterError("objective", objective, f"one of {', '.join(OBJECTIVES)}")
    from vlaser.laser.design import FREE_PARAMETERS

    names = check_names(free, FREE_PARAMETERS, "free")
    species = texts.get("species")
    cav_inputs = {
        "kappa_hz": _float("kappa-hz", kappa_hz),
        "finesse": _float("finesse", finesse),
        "length_m": _float("length", length),
        "fsr": _float("fsr", fsr),
        "waist_m": _float("waist", waist),
        "cooperativity_value": _float("cooperativity", cooperativity),
    }
    cav = None
    if any(v is not None for v in cav_inputs.values()):
        if species is None:
            raise ParameterError("species", None, "a species preset with SI cavity options")
        if texts.get("kappa") not in (None, "50g2") or texts.get("g") not in (None, "2g2"):
            raise ParameterError("kappa", texts.get("kappa"), "unset with SI cavity options")
        from vlaser.laser.units import cavity

        cav = cavity(species, **cav_inputs)
        texts = dict(texts) | {"kappa": repr(cav.kappa), "g": repr(cav.g)}
    p = laser_params(**texts)
    gamma2 = float(p.gamma2)
    bounds = _bounds(list(bound or []), gamma2)
    for name in bounds:
        if name not in names:
            raise ParameterError("bound", name, f"a free parameter ({', '.join(names)})")
    cf = None if coherent_fraction.strip().lower() == "off" else _float(
        "max-coherent-fraction", coherent_fraction)  # fmt: skip
    inv = None
    if min_inversion is not None:
        try:
            inv = float(min_inversion)
        except ValueError:
            raise ParameterError("min-inversion", min_inversion, "a number in [-1, 1]") from None
    con = Constraints(
        coherent_fraction=cf,
        inversion=inv,
        pump_intensity=_float("max-intensity", max_intensity),
        temperature=_float("max-temperature", max_temperature),
        max_line_offset=None
        if max_line_offset is None
        else _positive_rate("max-line-offset", max_line_offset, gamma2),
        stability_margin=_float("stability-margin", stability_margin, "a finite number >= 0")
        if stability_margin.strip() not in ("0", "0.0")
        else 0.0,
    )
    if pareto_points:
        front = pareto(p, names, bounds, con, points=pareto_points, species=species,
                       starts=starts, seed=seed, maxiter=maxiter, order=order)  # fmt: skip
        out = front.to_dict()
        if as_json:
            emit_json(out)
            return
        for pt, ok in zip(front.points, front.feasible, strict=True):
            typer.echo(f"FWHM {pt.fwhm / gamma2:.4g} Γ2: n = {pt.photons:.5g}"
                       f"{'' if ok else ' (infeasible)'}")  # fmt: skip
        return
    res = design(p, objective, names, bounds, con, species=species, starts=starts, seed=seed,
                 maxiter=maxiter, order=order)  # fmt: skip
    out = res.to_dict()
    if cav is not None:
        out["cavity"] = cav.to_dict()
    if as_json:
        emit_json(out)
    else:
        o = res.optimum
        typer.echo(f"objective {objective}: {o.objective:.6g} "
                   f"({'feasible' if res.feasible else 'INFEASIBLE: closest point'})")  # fmt: skip
        v = o.params.values()
        typer.echo("optimum: " + ", ".join(f"{n} = {float(v[n]):.6g}" for n in names))
        typer.echo(f"n = {o.photons:.6g}, inversion = {o.inversion:.4g}, coherent fraction = "
                   f"{o.coherent_fraction:.3g}, max Re λ = {o.growth:.3g} Γ3")  # fmt: skip
        if o.si is not None:
            si = o.si["si"]
            typer.echo(f"SI: P = {si['power_w']:.4g} W ({si['photons_per_s']:.4g} photons/s), "
                       f"pump intensities {si['pump2_intensity_w_cm2']:.4g}, "
                       f"{si['pump3_intensity_w_cm2']:.4g} W/cm²")  # fmt: skip
        typer.echo(f"active: {', '.join(res.active) or 'none'}; steady states: "
                   f"{res.steady_states}; {res.seconds:.1f} s")  # fmt: skip
    if not res.feasible:
        worst = min(res.optimum.constraints.items(), key=lambda kv: kv[1])
        fail(f"infeasible constraints: closest point violates {worst[0]} (g = {worst[1]:.3g}); "
             "see the result for the closest point")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``laser sensitivity`` and the top-level ``design``."""
    from vlaser.cli.laser_spectrum import _laser_group

    group = _laser_group(app)
    group.command("sensitivity")(laser_command(without=ENSEMBLE_OPTIONS)(sensitivity_cmd))
    app.command("design")(laser_command(without=ENSEMBLE_OPTIONS)(design_cmd))


__all__ = ["register"]
