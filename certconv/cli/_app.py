"""The typer app, its callback (``--version``) and the ``certconv`` entry point."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

from typing import Annotated

import typer

import certconv

# -h as well as --help, on the app and (inherited through click's context) every command.
HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="certconv",
    help="Take certificate bundles apart (PFX, PEM, P7B, DER) and write what Azure needs.",
    no_args_is_help=True,
    context_settings=HELP,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"certconv {certconv.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Take certificate bundles apart (PFX, PEM, P7B, DER) and write what Azure needs."""
