"""The ``vlaser`` command line: a thin face over the Python API.

Subcommand groups live in one module each (``atom``, ``laser``, ``motion``,
``reproduce``, ``explore``); they register themselves on :data:`app` here.
"""

from __future__ import annotations

import sys

import typer

from vlaser.errors import VlaserError

app = typer.Typer(
    name="vlaser",
    help="Continuous narrowband lasing with coherently driven V-level atoms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the vlaser version and exit."),
) -> None:
    """Continuous narrowband lasing with coherently driven V-level atoms.

    Rates and frequencies are in units of Γ3 (suffix g2: units of Γ2).
    """
    if version:
        import vlaser

        typer.echo(vlaser.__version__)
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()


def _register() -> None:
    import importlib

    for name in (
        "atom",
        "laser",
        "laser_spectrum",
        "design",
        "motion",
        "reproduce",
        "scanopts",
        "explore",
    ):
        try:
            module = importlib.import_module(f"vlaser.cli.{name}")
        except ModuleNotFoundError as exc:  # a face not built yet
            if exc.name == f"vlaser.cli.{name}":
                continue
            raise
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, print vlaser errors without traceback."""
    try:
        app(args=argv, standalone_mode=True)
    except VlaserError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
