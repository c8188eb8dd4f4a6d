"""``vlaser explore``: the interactive explorer in the browser (:mod:`vlaser.explore`).

The web libraries (the ``explore`` extra: starlette, uvicorn, websockets, plotly) are
imported only when the command runs, so ``vlaser --help`` stays light.
"""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer

from vlaser.errors import VlaserError

#: Modules of the ``explore`` extra the server needs.
WEB_MODULES = ("starlette", "uvicorn", "websockets", "plotly")


def missing_web_modules() -> list[str]:
    """The ``explore`` extra's modules that are not installed."""
    return [m for m in WEB_MODULES if importlib.util.find_spec(m) is None]


def explore_cmd(
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port).")] = 8765,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback unless --allow-remote).")
    ] = "127.0.0.1",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser; just print the URL.")
    ] = False,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a non-loopback --host (no authentication: anyone who reaches it "
            "can run computations).",
        ),
    ] = False,
) -> None:
    """Interactive explorer in the browser: inversion map, emission spectrum, laser
    curve against N, cavity spectrum and a readout (model units, SI with a species),
    updated as the controls move. Prints the URL; Ctrl-C stops it."""
    from vlaser.explore import net

    warning = net.check_host(host, allow_remote)
    missing = missing_web_modules()
    if missing:
        raise VlaserError(
            f"vlaser explore needs the explore extra (missing: {', '.join(missing)}): "
            "pip install 'vlaser[explore]'"
        )
    sock = net.bind(host, port)
    if warning:
        typer.echo(warning, err=True)
    from vlaser.explore.server import serve

    serve(sock, net.url_of(sock, host), open_browser=not no_browser, echo=typer.echo)


def register(app: typer.Typer) -> None:
    """Add ``explore`` to the ``vlaser`` app."""
    app.command("explore")(explore_cmd)


__all__ = ["explore_cmd", "missing_web_modules", "register"]
