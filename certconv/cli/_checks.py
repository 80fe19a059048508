"""``certconv inspect``, ``verify`` and ``fetch``: the commands that look and tell."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

import certconv
from certconv import Format, Purpose, TrustStore, UsageError, VerifyPolicy, values
from certconv.console import json_text

from ._app import app
from ._io import (
    _color,
    _encoding,
    _expiry_lines,
    _fail_within,
    _notes,
    _password,
    _proxy_config,
    _run,
    _say,
    _sources,
)
from ._options import (
    CompleteOpt,
    FailWithinOpt,
    FetchTimeoutOpt,
    Inputs,
    JsonOpt,
    MaxSizeOpt,
    PasswordEnvOpt,
    PasswordFileOpt,
    PasswordOpt,
    PolicyOpt,
    QuietOpt,
    TimeoutOpt,
    flag,
)


@app.command()
def inspect(
    inputs: Inputs,
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Show thumbprints whole.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
    complete: CompleteOpt = False,
    timeout: TimeoutOpt = certconv.DEFAULT_TIMEOUT,
    fail_within: FailWithinOpt = None,
) -> None:
    """Show every certificate of the inputs as a tree, root at the top, with problems found.

    Exit 0; with --fail-within, 3 when a certificate expires within DAYS days (or has).
    """
    secret = _password(password, password_file, password_env, quiet=quiet)
    sources = _sources(inputs, max_input_size)
    result = _run(
        lambda pw: certconv.inspect(
            sources,
            password=pw,
            max_input_size=max_input_size,
            complete=complete,
            timeout=timeout,
            proxy=_proxy_config() if complete else None,
        ),
        secret,
        may_prompt="-" not in inputs,
        progress=not as_json,
    )
    if quiet:
        pass
    elif as_json:
        _say(json_text(result.to_json(), _encoding()), newline=False)
    else:
        color = _color()
        _say(result.render(full=full, color=color, encoding=_encoding()), ansi=color)
    if fail_within is not None:
        _fail_within(result.bundle.certificates, fail_within, result.at, quiet=quiet)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO-8601 date or time (e.g. 2030-01-31 or 2030-01-31T12:00Z)"
        ) from None
    try:
        return certconv.check_moment(moment)
    except UsageError as exc:  # a date whose UTC form is outside years 1 to 9999
        raise typer.BadParameter(exc.message(flag)) from None


@app.command()
def verify(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUT...",
            help="What the backend sends: its PFX, full-chain PEM, leaf .cer...; - reads stdin until it ends.",
            show_default=False,
        ),
    ] = None,
    ca: Annotated[
        list[str] | None,
        typer.Option(
            "--ca",
            metavar="FILE_OR_DIR|public|system",
            help="CA certificates uploaded to APIM (files in any format, or split's --out folder); repeatable. "
            "'public': Mozilla's roots (certifi) standing in for the Windows store; 'system': this machine's "
            "store (a file named so: ./public). Without --ca the roots in the input are trusted.",
        ),
    ] = None,
    peer: Annotated[
        str | None,
        typer.Option(
            "--peer",
            metavar="FILE",
            help="The certificate to verify (a CA certificate too); default every end-entity certificate of "
            "INPUT (those with their private key when it holds any).",
        ),
    ] = None,
    policy: PolicyOpt = VerifyPolicy.APIM,
    host: Annotated[
        str | None, typer.Option("--host", metavar="NAME", help="Host name APIM calls the backend by.")
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            metavar="ISO-DATE",
            parser=_moment,
            help="Verify as of this moment (e.g. 2030-01-31, 2030-01-31T12:00Z); default now, UTC if no offset.",
        ),
    ] = None,
    purpose: Annotated[
        Purpose, typer.Option("--purpose", help="server: a backend's certificate; client: a client certificate.")
    ] = Purpose.SERVER,
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
    complete: CompleteOpt = False,
    timeout: TimeoutOpt = certconv.DEFAULT_TIMEOUT,
    fail_within: FailWithinOpt = None,
) -> None:
    """Will APIM trust the backend? Verify each chain; exit 0 all verify, 3 some do not, 1 bad input, 2 usage.

    With --fail-within, also 3 when a certificate of the input or of --ca expires within DAYS days (or has).
    """
    secret = _password(password, password_file, password_env, quiet=quiet)
    inputs = inputs or []
    if not inputs and peer is None:
        raise typer.BadParameter("give INPUT (what the backend sends) or --peer FILE", param_hint="INPUT")
    sources = _sources(inputs, max_input_size)
    stores = [c for c in ca or [] if c in values(TrustStore)]
    if len(stores) > 1:
        raise typer.BadParameter("give one store: --ca public or --ca system", param_hint="--ca")
    files = [c for c in ca or [] if c not in stores]
    result = _run(
        lambda pw: certconv.verify(
            sources,
            peer=peer,
            ca=files,
            trust_store=stores[0] if stores else None,
            policy=policy,
            host=host,
            at=at,
            purpose=purpose,
            password=pw,
            max_input_size=max_input_size,
            complete=complete,
            proxy=_proxy_config() if complete else None,
            timeout=timeout,
        ),
        secret,
        may_prompt="-" not in inputs,
        progress=not as_json,
    )
    if quiet:
        pass
    elif as_json:
        _say(json_text(result.to_json(), _encoding()), newline=False)
    else:
        _say(result.render(encoding=_encoding()))
    if fail_within is not None:
        uploaded = result.ca_bundle.certificates if result.ca_bundle is not None else ()
        _fail_within([*result.bundle.certificates, *uploaded], fail_within, result.at, ok=result.ok, quiet=quiet)
    # The exit code covers the certificates asked about: --peer, or the input's own (see docs/verify.md).
    raise typer.Exit(0 if result.ok else 3)


@app.command()
def fetch(
    target: Annotated[
        str,
        typer.Argument(
            metavar="HOST[:PORT]",
            help="The backend: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/...; port 443 by default.",
        ),
    ],
    ca: Annotated[
        list[str] | None,
        typer.Option(
            "--ca",
            metavar="FILE_OR_DIR",
            help="CA certificates uploaded to APIM (files, or split's --out folder); repeatable. Gives APIM's "
            "verdict: exit 0 trusted, 3 not.",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option("--host", metavar="NAME", help="With --ca: host name APIM calls the backend by (default: SNI)."),
    ] = None,
    sni: Annotated[
        str | None,
        typer.Option(
            "--sni", metavar="NAME", help='Server name to send (default: the host; none for IP addresses; "" none).'
        ),
    ] = None,
    timeout: FetchTimeoutOpt = certconv.DEFAULT_TIMEOUT,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the certificates and manifest.json here, as split does."),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="With --out: der (APIM portal) or pem (Base-64, App Gateway).")
    ] = Format.DER,
    force: Annotated[bool, typer.Option("--force", help="With --out: overwrite files that exist.")] = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    probe: Annotated[
        bool,
        typer.Option(
            "--probe/--no-probe",
            help="Probe TLS 1.0-1.3 and APIM's cipher suites (up to 6 more handshakes, within one more --timeout).",
        ),
    ] = True,
    policy: PolicyOpt = certconv.VerifyPolicy.APIM,
    fail_within: FailWithinOpt = None,
    complete: CompleteOpt = False,
    client_cert: Annotated[
        str | None,
        typer.Option(
            "--client-cert",
            metavar="FILE",
            help="The client certificate APIM presents to the backend (PFX, or PEM with its key; its password "
            "through the password options): presented in every handshake; exit 3 when the backend refuses it.",
        ),
    ] = None,
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
) -> None:
    """Get the chain a TLS server sends, check it and its TLS as APIM would; with --ca, APIM's verdict.

    Exit 0: fetched (with --ca: APIM would trust the backend); 3: APIM would not (or --fail-within, or
    the backend requires a client certificate and none was given, or refuses --client-cert);
    1: the backend cannot be reached or read; 2: usage.
    """
    if out is not None and str(out) == "-":
        raise typer.BadParameter(
            "fetch --out takes a folder; --out - (standard output) is for convert", param_hint="--out"
        )
    secret = _password(password, password_file, password_env, quiet=quiet)
    proxy = _proxy_config()
    report = _run(
        lambda pw: certconv.diagnose_backend(
            target,
            ca=ca or [],
            host=host,
            sni=sni,
            timeout=timeout,
            complete=complete,
            proxy=proxy,
            probe=probe,
            fail_within=fail_within,
            out=out,
            format=fmt,
            force=force,
            password=pw,
            policy=policy,
            client_certificate=client_cert,
        ),
        secret,
        may_prompt=True,
    )
    if report.manifest is not None and not quiet:
        _notes(report.manifest.notes)
    if not quiet:
        if as_json:
            _say(json_text(report.to_json(), _encoding()), newline=False)
        else:
            color = _color()
            _say(report.render(color=color, encoding=_encoding()), ansi=color)
        _expiry_lines(report.expiring)
    raise typer.Exit(3 if report.failed else 0)
