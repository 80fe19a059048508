"""The ``certconv`` command: options in, one library call, output.

Every command turns :class:`certconv.CertconvError` into ``error: <message>`` on
stderr and exit code 1; typer/click make usage errors exit 2.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

import certconv
from certconv import CertconvError, PasswordRequiredError, Source

app = typer.Typer(
    name="certconv",
    help="Take certificate bundles apart (PFX, PEM, P7B, DER) and write what Azure needs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

T = TypeVar("T")


class Format(enum.StrEnum):
    """Encoding of the written .cer files."""

    der = "der"
    pem = "pem"


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


Inputs = Annotated[
    list[str],
    typer.Argument(metavar="INPUT...", help="Bundle files in any format (PFX/P12, PEM, P7B, DER); - for stdin."),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="PKCS#12 password (visible to other users; prefer the two below)."),
]
PasswordFileOpt = Annotated[
    Path | None, typer.Option("--password-file", help="Read the password from the first line of this file.")
]
PasswordEnvOpt = Annotated[
    str | None, typer.Option("--password-env", metavar="NAME", help="Read the password from this variable.")
]
MaxSizeOpt = Annotated[
    int,
    typer.Option("--max-input-size", metavar="BYTES", help="Refuse inputs larger than this.", min=1),
]


@app.command()
def split(
    inputs: Inputs,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into (created if missing).")],
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="der: DER .cer (APIM portal); pem: Base-64 .cer (App Gateway).")
    ] = Format.der,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON instead of the summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
) -> None:
    """Split bundles into one .cer per certificate, with manifest.json and APIM instructions."""
    from certconv._report import split_summary

    secret = _password(password, password_file, password_env, quiet=quiet)
    sources = _sources(inputs)
    manifest = _run(
        lambda pw: certconv.split(
            sources, out, password=pw, format=fmt.value, force=force, max_input_size=max_input_size
        ),
        secret,
        may_prompt="-" not in inputs,
    )
    if quiet:
        return
    typer.echo(certconv.manifest_json(manifest) if as_json else split_summary(manifest), nl=not as_json)


def _sources(inputs: list[str]) -> list[str | Source]:
    if inputs.count("-") > 1:
        raise typer.BadParameter("standard input (-) can be given only once")
    return [Source("<stdin>", sys.stdin.buffer.read()) if item == "-" else item for item in inputs]


def _password(password: str | None, password_file: Path | None, password_env: str | None, *, quiet: bool) -> str | None:
    given = [
        opt
        for opt, value in (
            ("--password", password),
            ("--password-file", password_file),
            ("--password-env", password_env),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise typer.BadParameter(f"give only one of {', '.join(given)}")
    if password is not None:
        if not quiet:
            typer.echo(
                "note: --password is visible to other local users (process list, shell history); "
                "prefer --password-file, --password-env or the prompt",
                err=True,
            )
        return password
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read password file {password_file} ({type(exc).__name__})") from None
        return text.splitlines()[0] if text else ""
    if password_env is not None:
        value = os.environ.get(password_env)
        if value is None:
            raise typer.BadParameter(f"environment variable {password_env} is not set")
        return value
    return None


def _run(call: Callable[[str | None], T], password: str | None, *, may_prompt: bool) -> T:
    """Make the library call; ask for a PKCS#12 password once if one is needed and we can ask."""
    try:
        try:
            return call(password)
        except PasswordRequiredError:
            if password is not None or not may_prompt or not sys.stdin.isatty():
                raise
            import getpass

            return call(getpass.getpass("PKCS#12 password: "))
    except CertconvError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("error: interrupted; nothing was written", err=True)
        raise typer.Exit(130) from None


def main() -> None:
    """Entry point of the ``certconv`` command."""
    app()
