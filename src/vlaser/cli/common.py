"""Shared pieces of the command-line faces: option parsing, JSON output, errors.

Conventions of every command:

* rates and frequencies are plain numbers in units of Γ3 or numbers with suffix ``g2``
  (units of Γ2), e.g. ``--nu2 10g2``;
* ``--json`` prints exactly one JSON object on stdout and nothing else (progress and
  messages go to stderr); values are in units of Γ3 unless a key says otherwise;
* invalid input prints one line ``error: ...`` on stderr and exits with status 2.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

import typer

from vlaser.io import to_jsonable
from vlaser.params import DEFAULT_GAMMA2, AtomParams, parse_rate

#: Help text shared by all rate options.
RATE_HELP = "units of Γ3, or suffix g2 for units of Γ2 (e.g. 10g2)"


def rate(text: str | None, name: str, gamma2: float = DEFAULT_GAMMA2) -> float | None:
    """Parse an optional rate option (``None`` stays ``None``)."""
    if text is None:
        return None
    return parse_rate(text, name, gamma2)


def resolve_gamma2(gamma2: str | None) -> float:
    """Γ2 first: the ``g2`` suffix of every other option refers to it."""
    if gamma2 is None:
        return DEFAULT_GAMMA2
    # "g2" inside --gamma2 itself refers to the default Γ2.
    return parse_rate(gamma2, "gamma2", DEFAULT_GAMMA2)


def atom_kwargs(
    *,
    delta2: str,
    delta3: str,
    omega2: str,
    omega3: str,
    gamma2: str | None,
    gamma3: str | None,
    nu2: str | None,
    nu3: str | None,
    gamma23: str | None,
) -> dict[str, float]:
    """Parse the single-atom options into keyword arguments of :class:`AtomParams`."""
    g2 = resolve_gamma2(gamma2)
    out: dict[str, float] = {"gamma2": g2}
    for name, text in (
        ("delta2", delta2),
        ("delta3", delta3),
        ("omega2", omega2),
        ("omega3", omega3),
        ("gamma3", gamma3),
        ("nu2", nu2),
        ("nu3", nu3),
        ("gamma23", gamma23),
    ):
        value = rate(text, name, g2)
        if value is not None:
            out[name] = value
    return out


def atom_params(**options: Any) -> AtomParams:
    """Build validated :class:`AtomParams` from CLI option strings."""
    return AtomParams(**atom_kwargs(**options))


def emit_json(obj: Any) -> None:
    """Print one JSON object on stdout (numpy types converted, NaN as null)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), allow_nan=False) + "\n")
    sys.stdout.flush()


def fail(message: str) -> None:
    """Exit with status 2 after printing one error line on stderr."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def bundled_options(
    param: str,
    options: Mapping[str, tuple[Any, Any]],
    build: Callable[[dict[str, Any]], Any],
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorator giving a typer command a group of options, passed bundled.

    Typer sees each option through the wrapper's signature; the command receives
    ``param=build({name: value})`` instead. An option the command declares itself
    (same name) stays the command's own and is left out of the group.

    Args:
        param: Name of the command's parameter that receives the bundle.
        options: Option name -> (``typing.Annotated`` type, default).
        build: Turns the option values into the bundle.
    """

    def deco(func: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(func, eval_str=True)
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for p in sig.parameters.values()
            if p.name != param
        ]
        names = [n for n in options if n not in {p.name for p in own}]
        extra = [
            inspect.Parameter(
                n, inspect.Parameter.KEYWORD_ONLY, default=options[n][1], annotation=options[n][0]
            )
            for n in names
        ]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> None:
            func(**{param: build({n: kwargs.pop(n) for n in names})}, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=own + extra)  # type: ignore[attr-defined]
        return wrapper

    return deco


def si_block(
    params: Any,
    species: str | None,
    photons: float,
    fwhm: float | None = None,
    peak: float | None = None,
) -> dict[str, Any] | None:
    """``{"model": ..., "si": ...}`` of :func:`vlaser.laser.units.si_readout` for one
    point, or None without a species (model units only)."""
    if species is None:
        return None
    from vlaser.laser.units import si_readout

    return si_readout(params, species, photons=float(photons), fwhm=fwhm, peak=peak)


def si_line(block: Mapping[str, Any]) -> str:
    """One human-readable line of the SI readout (power, photon flux, line in Hz)."""
    si = block["si"]
    line = f"SI ({si['species']}): P = {si['power_w']:.4g} W ({si['photons_per_s']:.4g} photons/s)"
    if "fwhm_hz" in si:
        line += f", FWHM {si['fwhm_hz']:.4g} Hz, δp {si['peak_hz']:.4g} Hz"
    return line
