"""``certconv create``: a new private chain for a backend, written like a split, with the backend's files."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

from pathlib import Path
from typing import Annotated

import typer

import certconv
from certconv import KeyProfile
from certconv.console import json_text

from . import _io  # _io._stdin_is_terminal looked up at each call: tests stand in a terminal
from ._app import app
from ._io import _ask_new_password, _encoding, _new_password, _notes, _run, _say
from ._options import JsonOpt, QuietOpt


@app.command()
def create(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into (created if missing).")],
    hosts: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[HOST]...",
            help="The backend's DNS names (a wildcard only as the whole left-most label: *.api.example.com).",
            show_default=False,
        ),
    ] = None,
    ip: Annotated[
        list[str] | None, typer.Option("--ip", metavar="ADDR", help="An IP address for the SAN; repeatable.")
    ] = None,
    client: Annotated[
        str | None,
        typer.Option(
            "--client",
            metavar="NAME",
            help="Make a client-authentication certificate named NAME instead (what APIM presents to a backend "
            "that asks for one); takes no HOST.",
        ),
    ] = None,
    key: Annotated[KeyProfile, typer.Option("--key", help="Key type of the root, intermediate and leaf.")] = (
        KeyProfile.EC_P256
    ),
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            metavar="DAYS",
            help="Days the leaf is valid: 1 to 825, default 397 (root 10 years, intermediate 5).",
        ),
    ] = None,
    new_password: Annotated[
        str | None,
        typer.Option(
            "--new-password", help="Password of the PFX and keys (visible to other users; prefer the two below)."
        ),
    ] = None,
    new_password_file: Annotated[
        Path | None,
        typer.Option(
            "--new-password-file", help="Read the new password from the first line of this file (as --password-file)."
        ),
    ] = None,
    new_password_env: Annotated[
        str | None, typer.Option("--new-password-env", metavar="NAME", help="Read the new password from this variable.")
    ] = None,
    no_password: Annotated[
        bool,
        typer.Option("--no-password", help="Write the PFX and the keys without a password (Java skips such keys)."),
    ] = False,
    keep_ca_keys: Annotated[
        bool,
        typer.Option(
            "--keep-ca-keys", help="Also write the root's and intermediate's keys (encrypted), to issue more later."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Make a private root CA, intermediate CA and backend certificate: the .cer files APIM takes, and the PFX."""
    if str(out) == "-":
        raise typer.BadParameter("create --out takes a folder", param_hint="--out")
    secret = _new_password(new_password, new_password_file, new_password_env, quiet=quiet)

    def attempt(password: str | bytes | None) -> certconv.ChainPlan:
        return certconv.create_chain(
            hosts or [],
            out,
            ips=ip or [],
            client=client,
            key=key,
            days=days,
            new_password=password,
            no_password=no_password,
            keep_ca_keys=keep_ca_keys,
            force=force,
        )

    def call(_unused: str | bytes | None) -> certconv.ChainPlan:
        try:
            return attempt(secret)
        except certconv.NewPasswordRequiredError:
            # Every other option was checked first: ask only when the password is all that is missing.
            if secret is not None or no_password or not _io._stdin_is_terminal():
                raise
            return attempt(_ask_new_password("New password (PFX and keys): "))

    plan = _run(call, None, may_prompt=False)
    if quiet:
        return
    _notes(plan.notes)
    if as_json:
        import json

        document = json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n"
        _say(json_text(document, _encoding()), newline=False)
    else:
        _say(certconv.render_chain(plan, encoding=_encoding()))

