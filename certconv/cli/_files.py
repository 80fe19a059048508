"""``certconv split`` and ``certconv convert``: the commands that write files."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, TypedDict

import typer

import certconv
from certconv import AzureTarget, Form, Format, PfxProfile
from certconv.console import json_text, printable

from . import _io  # _io._stdin_is_terminal looked up at each call: tests stand in a terminal
from ._app import app
from ._io import (
    _ask_new_password,
    _encoding,
    _languages,
    _new_password,
    _notes,
    _password,
    _proxy_config,
    _run,
    _say,
    _sources,
)
from ._options import (
    CompleteOpt,
    Inputs,
    JsonOpt,
    MaxSizeOpt,
    PasswordEnvOpt,
    PasswordFileOpt,
    PasswordOpt,
    QuietOpt,
    TimeoutOpt,
    flag,
)


@app.command()
def split(
    inputs: Inputs,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into (created if missing).")],
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="der: DER .cer (APIM portal); pem: Base-64 .cer (App Gateway). Default: what --target uploads.",
        ),
    ] = None,
    target: Annotated[
        AzureTarget,
        typer.Option(
            "--target",
            help="Where the files go: apim (CA certificates), apim-v2 (backend TLS thumbprints), apim-selfhosted "
            "(certificate-only PFX), appgw-v2 (root, Base-64), appgw-v1 (leaf, Base-64), or all.",
        ),
    ] = AzureTarget.APIM,
    emit: Annotated[
        str | None,
        typer.Option(
            "--emit",
            metavar="LANG,...",
            help="Also write snippets that set APIM's CA certificates: bicep,arm,terraform,powershell,azcli,rest.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
    complete: CompleteOpt = False,
    timeout: TimeoutOpt = certconv.DEFAULT_TIMEOUT,
    each: Annotated[
        bool,
        typer.Option(
            "--each",
            help="Each input is its own bundle, written to OUT/<input name>/; one line per input; "
            "exit 1 if any failed (the others are still written).",
        ),
    ] = False,
) -> None:
    """Split bundles into one .cer per certificate, with manifest.json, UPLOAD.md and Azure instructions."""
    if str(out) == "-":
        raise typer.BadParameter(
            "split --out takes a folder; --out - (standard output) is for convert", param_hint="--out"
        )
    secret = _password(password, password_file, password_env, quiet=quiet)
    sources = _sources(inputs, max_input_size)
    options = _SplitArgs(
        format=fmt,
        force=force,
        max_input_size=max_input_size,
        complete=complete,
        proxy=_proxy_config() if complete else None,
        timeout=timeout,
        target=target,
        emit=_languages(emit),
    )
    if each:
        # One password for all, given up front: no prompt in the middle of a batch.
        results = _run(
            lambda pw: certconv.split_each(sources, out, password=pw, **options),
            secret,
            may_prompt=False,
            progress=not (quiet or as_json),
        )
        raise typer.Exit(_report_each(results, out, as_json=as_json, quiet=quiet))
    manifest = _run(
        lambda pw: certconv.split(sources, out, password=pw, **options),
        secret,
        may_prompt="-" not in inputs,
        progress=not (quiet or as_json),
    )
    if quiet:
        return
    _notes(manifest.notes)
    if as_json:
        _say(json_text(certconv.manifest_json(manifest), _encoding()), newline=False)
    else:
        _say(certconv.render_split(manifest, encoding=_encoding()))


class _SplitArgs(TypedDict):
    """The options ``certconv split`` passes on as they are, to ``split`` or ``split_each``."""

    format: Format | None
    force: bool
    max_input_size: int
    complete: bool
    proxy: "certconv.ProxyConfig | None"
    timeout: float
    target: AzureTarget
    emit: list[str]


def _report_each(results: "tuple[certconv.EachResult, ...]", out: Path, *, as_json: bool, quiet: bool) -> int:
    """Print what ``split --each`` did, one line per input; the exit code: 1 if any input failed."""
    failed = [r for r in results if not r.ok]
    if quiet:
        for result in failed:
            _say(printable(result.line(flag)), err=True)
    elif as_json:
        _say(json_text(certconv.each_json(results, out), _encoding()), newline=False)
    else:
        for result in results:
            _say(printable(result.line(flag)))
        _say(f"{len(results) - len(failed)} of {len(results)} inputs written to {printable(str(out))}")
    return 1 if failed else 0


@app.command()
def convert(
    inputs: Inputs,
    to: Annotated[
        Form,
        typer.Option(
            "--to",
            help="der/pem: one certificate; p7b: all in one PKCS#7; pfx: certificate + key + chain; "
            "fullchain: leaf + intermediates (PEM); chain: intermediates only (PEM); truststore: CA "
            "certificates as a PKCS#12 Java trusts; keyvault: key + leaf + intermediates, the PEM Key Vault imports.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="File to write; - writes to standard output (messages go to standard error)."),
    ],
    fmt: Annotated[
        Format | None, typer.Option("--format", help="For --to p7b: der (default, as Windows writes it) or pem.")
    ] = None,
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
    new_password: Annotated[
        str | None,
        typer.Option("--new-password", help="Password of the new PFX or key (visible to other users; prefer below)."),
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
    legacy: Annotated[
        bool, typer.Option("--legacy", help="PFX with 3DES and a SHA-1 MAC for old Windows Server (default AES-256).")
    ] = False,
    include_key: Annotated[
        bool, typer.Option("--include-key", help="Append the private key to --to pem/fullchain output (mode 0600).")
    ] = False,
    include_root: Annotated[
        bool,
        typer.Option("--include-root", help="Put the root at the end of the chain (fullchain, chain, pfx, keyvault)."),
    ] = False,
    include_leaf: Annotated[
        bool, typer.Option("--include-leaf", help="For --to truststore: trust the end-entity certificates too.")
    ] = False,
    profile: Annotated[
        PfxProfile | None,
        typer.Option(
            "--profile",
            help="For --to pfx: appservice writes what Azure App Service requires (3DES, whole chain with root).",
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only", metavar="ROLE,...", help="Use only certificates of these roles: root,intermediate,leaf."
        ),
    ] = None,
    sha1: Annotated[
        list[str] | None,
        typer.Option("--sha1", metavar="HEX", help="Use only the certificate with this SHA-1 thumbprint; repeatable."),
    ] = None,
    emit: Annotated[
        str | None,
        typer.Option(
            "--emit",
            metavar="LANG,...",
            help="Also write the Azure import script beside --out: azcli,powershell (keyvault, pfx).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
) -> None:
    """Convert bundles into one file: .cer, .p7b, .pfx, fullchain/chain PEM, Java truststore, Key Vault PEM."""
    secret = _password(password, password_file, password_env, quiet=quiet)
    new_secret = _new_password(new_password, new_password_file, new_password_env, quiet=quiet)
    to_stdout = str(out) == "-"
    if to_stdout and as_json and not quiet:
        raise typer.BadParameter(
            "--json describes the file written; with --out - standard output carries the file itself",
            param_hint="--json",
        )
    if to_stdout and _binary(to, fmt) and sys.stdout is not None and sys.stdout.isatty():
        raise typer.BadParameter(
            f"--to {to} is binary and standard output is a terminal: redirect it (> file) or pipe it",
            param_hint="--out",
        )
    if to_stdout and to is Form.KEYVAULT and sys.stdout is not None and sys.stdout.isatty():
        # Key Vault's PEM holds the private key unencrypted: never onto a screen (scrollback, recordings).
        raise typer.BadParameter(
            "--to keyvault writes the private key unencrypted and standard output is a terminal: "
            "redirect it (> file) or pipe it, or give a file name",
            param_hint="--out",
        )
    sources = _sources(inputs, max_input_size)
    may_prompt = "-" not in inputs
    if to is Form.TRUSTSTORE and new_secret is None and may_prompt and _io._stdin_is_terminal():
        # A truststore may have the empty password; at a terminal, ask (Enter twice for none).
        new_secret = _ask_new_password("New truststore password (Enter for none): ")

    def call(pw: str | bytes | None) -> certconv.Conversion:
        def attempt(new: str | bytes | None) -> certconv.Conversion:
            return certconv.convert(
                sources,
                None if to_stdout else out,
                to=to,
                password=pw,
                new_password=new,
                format=fmt,
                legacy=legacy,
                include_key=include_key,
                include_root=include_root,
                include_leaf=include_leaf,
                profile=profile,
                only=only,
                sha1=sha1 or (),
                emit=_languages(emit),
                force=force,
                max_input_size=max_input_size,
            )

        try:
            return attempt(new_secret)
        except certconv.NewPasswordRequiredError:
            if new_secret is not None or not may_prompt or not _io._stdin_is_terminal():
                raise
            return attempt(_ask_new_password())

    conversion = _run(call, secret, may_prompt=may_prompt)
    if to_stdout:
        # Bytes, not text: a DER or PFX must reach the pipe unchanged, whatever stdout's encoding.
        _io._write_bytes(conversion.data)
        conversion = dataclasses.replace(conversion, out="standard output")
    if quiet:
        return
    if as_json:
        _say(json_text(conversion.to_json(), _encoding()), newline=False)
    else:
        stream = sys.stderr if to_stdout else sys.stdout
        _say(certconv.render_conversion(conversion, encoding=_encoding(stream)), err=to_stdout)


def _binary(to: Form, fmt: Format | None) -> bool:
    """Whether ``--to`` writes bytes, not text (refused to a terminal with --out -)."""
    return to in (Form.DER, Form.PFX) or (to is Form.P7B and fmt is not Format.PEM)
