"""The ``certconv`` command: options in, one library call, output.

Every command turns :class:`certconv.CertconvError` into ``error: <message>`` on
stderr and exit code 1; typer/click make usage errors exit 2.
"""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

import dataclasses
import errno
import os
import sys
import typing
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypedDict, TypeVar

import typer

import certconv
from certconv import (
    AzureTarget,
    CertconvError,
    Form,
    Format,
    PasswordRequiredError,
    PfxProfile,
    Purpose,
    Source,
    TrustStore,
    UsageError,
    VerifyPolicy,
    values,
)
from certconv.console import emit, json_text, prepare_stream, printable, stream_encoding

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

T = TypeVar("T")

# How the command line spells each option a library hint names (certconv.Hint): every
# certconv.Option member has a row (tests/test_cli_errors.py checks it).
FLAGS: dict[certconv.Option, str] = {
    certconv.Option.PASSWORD: "--password-file, --password-env or --password",
    certconv.Option.NEW_PASSWORD: "--new-password-file, --new-password-env or --new-password",
    certconv.Option.FORCE: "--force",
    certconv.Option.MAX_INPUT_SIZE: "--max-input-size",
    certconv.Option.FORMAT: "--format",
    certconv.Option.TARGET: "--target",
    certconv.Option.EMIT: "--emit",
    certconv.Option.TO: "--to",
    certconv.Option.INCLUDE_KEY: "--include-key",
    certconv.Option.INCLUDE_ROOT: "--include-root",
    certconv.Option.INCLUDE_LEAF: "--include-leaf",
    certconv.Option.LEGACY: "--legacy",
    certconv.Option.PROFILE: "--profile",
    certconv.Option.ONLY: "--only",
    certconv.Option.SHA1: "--sha1",
    certconv.Option.OUT: "--out",
    certconv.Option.CA: "--ca",
    certconv.Option.HOST: "--host",
    certconv.Option.PEER: "--peer",
    certconv.Option.POLICY: "--policy",
    certconv.Option.PURPOSE: "--purpose",
    certconv.Option.AT: "--at",
    certconv.Option.TIMEOUT: "--timeout",
    certconv.Option.COMPLETE: "--complete",
    certconv.Option.SNI: "--sni",
    # The command reads the proxy from the environment (see _proxy_config), never from a flag.
    certconv.Option.PROXY: "HTTPS_PROXY or HTTP_PROXY",
}


def flag(option: certconv.Option) -> str:
    """The flag(s) that set ``option``: how an error's hint reads on the command line."""
    return FLAGS[option]


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
    typer.Argument(
        metavar="INPUT...",
        help="Bundle files in any format (PFX/P12, PEM, P7B, DER, JKS/JCEKS); - reads stdin until it ends.",
    ),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="PKCS#12 or keystore password (visible to other users; prefer the two below)."),
]
PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Read the password from the first line of this file (UTF-8 or a legacy code page; UTF-16 "
        "or UTF-8 with a byte-order mark, as PowerShell and Notepad write it).",
    ),
]
PasswordEnvOpt = Annotated[
    str | None, typer.Option("--password-env", metavar="NAME", help="Read the password from this variable.")
]
MaxSizeOpt = Annotated[
    int,
    typer.Option("--max-input-size", metavar="BYTES", help="Refuse inputs larger than this.", min=1),
]
CompleteOpt = Annotated[
    bool,
    typer.Option(
        "--complete",
        help="Download missing issuers from the certificates' AIA caIssuers URLs (http/https). "
        "Off by default: without it certconv makes no network connection.",
    ),
]

FailWithinOpt = Annotated[
    float | None,
    typer.Option(
        "--fail-within",
        metavar="DAYS",
        min=0,
        help="Exit 3 when a certificate expires within DAYS days or already has; one line each on stderr.",
    ),
]


def _timeout(value: float) -> float:
    # The library's own check, so --timeout inf/nan/1e300/0 is a usage error (exit 2) like in a script.
    try:
        return certconv.check_timeout(value)
    except UsageError as exc:
        raise typer.BadParameter(exc.message(flag)) from None


TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        callback=_timeout,
        help="With --complete: seconds per AIA download; all downloads of the run share 3 x this (max 3600).",
    ),
]
FetchTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        callback=_timeout,
        help="Seconds for name lookup, connect and TLS handshake together, whatever the server sends (max 3600). "
        "With --complete also per AIA download, and all downloads share 3 x this more.",
    ),
]


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON instead of the summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
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
        results = _run(lambda pw: certconv.split_each(sources, out, password=pw, **options), secret, may_prompt=False)
        raise typer.Exit(_report_each(results, out, as_json=as_json, quiet=quiet))
    manifest = _run(
        lambda pw: certconv.split(sources, out, password=pw, **options), secret, may_prompt="-" not in inputs
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
    if as_json:
        import json

        document = json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False) + "\n"
        _say(json_text(document, _encoding()), newline=False)
    elif not quiet:
        for result in results:
            _say(printable(result.summary))
        _say(f"{len(results) - len(failed)} of {len(results)} inputs written to {printable(str(out))}")
    elif failed:
        for result in failed:
            _say(printable(result.summary), err=True)
    return 1 if failed else 0


def _languages(option: str | None) -> list[str]:
    """``--emit bicep,arm`` as the list of languages the library takes."""
    return [lang.strip() for lang in (option or "").split(",") if lang.strip()]


def _notes(notes: tuple[str, ...]) -> None:
    """What a write says beside its result (cleanup after an interrupted run), on stderr: JSON stays clean."""
    for note in notes:
        _say(f"note: {printable(note)}", err=True)


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
        typer.Option(
            "--out", "-o", help="File to write; - writes to standard output (messages go to standard error)."
        ),
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
) -> None:
    """Convert bundles into one file: .cer, .p7b, .pfx, fullchain/chain PEM, Java truststore, Key Vault PEM."""
    secret = _password(password, password_file, password_env, quiet=quiet)
    new_secret = _new_password(new_password, new_password_file, new_password_env, quiet=quiet)
    to_stdout = str(out) == "-"
    if to_stdout and _binary(to, fmt) and sys.stdout.isatty():
        raise typer.BadParameter(
            f"--to {to} is binary and standard output is a terminal: redirect it (> file) or pipe it",
            param_hint="--out",
        )
    sources = _sources(inputs, max_input_size)
    may_prompt = "-" not in inputs
    if to is Form.TRUSTSTORE and new_secret is None and may_prompt and _stdin_is_terminal():
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
            if new_secret is not None or not may_prompt or not _stdin_is_terminal():
                raise
            return attempt(_ask_new_password())

    conversion = _run(call, secret, may_prompt=may_prompt)
    if to_stdout:
        # Bytes, not text: a DER or PFX must reach the pipe unchanged, whatever stdout's encoding.
        sys.stdout.flush()
        try:
            sys.stdout.buffer.write(conversion.data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            pass
        conversion = dataclasses.replace(conversion, out="standard output")
    if not quiet:
        stream = sys.stderr if to_stdout else sys.stdout
        _say(certconv.render_conversion(conversion, encoding=_encoding(stream)), err=to_stdout)


def _binary(to: Form, fmt: Format | None) -> bool:
    """Whether ``--to`` writes bytes, not text (refused to a terminal with --out -)."""
    return to in (Form.DER, Form.PFX) or (to is Form.P7B and fmt is not Format.PEM)


def _new_password(value: str | None, file: Path | None, env: str | None, *, quiet: bool) -> str | bytes | None:
    return _secret(value, file, env, option="--new-password", quiet=quiet)


def _ask_new_password(prompt: str = "New PFX password: ") -> str:
    import getpass

    first = getpass.getpass(prompt)
    if first != getpass.getpass("Repeat it: "):
        _say("error: the two passwords differ; nothing was written", err=True)
        raise typer.Exit(1)
    return first


def _sources(inputs: list[str], max_input_size: int = certconv.DEFAULT_MAX_INPUT_SIZE) -> list[str | Source]:
    if inputs.count("-") > 1:
        raise typer.BadParameter("standard input (-) can be given only once")
    # Read one byte past the limit, never more: the library refuses what is over it.
    return [Source("<stdin>", sys.stdin.buffer.read(max_input_size + 1)) if item == "-" else item for item in inputs]


def _password(
    password: str | None, password_file: Path | None, password_env: str | None, *, quiet: bool
) -> str | bytes | None:
    return _secret(password, password_file, password_env, option="--password", quiet=quiet)


def _secret(value: str | None, file: Path | None, env: str | None, *, option: str, quiet: bool) -> str | bytes | None:
    """The secret from ``OPTION``, ``OPTION-file`` or ``OPTION-env`` (at most one of them).

    A file's first line is read as :func:`certconv._password.read_password_file`
    reads it: UTF-8/UTF-16/UTF-32 with a byte-order mark are decoded, other bytes
    kept, so a password in a legacy encoding (Latin-1 exports from old Windows)
    reaches PKCS#12 unchanged; arguments and environment values keep their
    original bytes too (the library encodes with ``surrogateescape``).
    """
    given = [
        opt for opt, v in ((option, value), (f"{option}-file", file), (f"{option}-env", env)) if v is not None
    ]
    if len(given) > 1:
        raise typer.BadParameter(f"give only one of {', '.join(given)}")
    if value is not None:
        if not quiet:
            typer.echo(
                f"note: {option} is visible to other local users (process list, shell history); "
                f"prefer {option}-file, {option}-env or the prompt",
                err=True,
            )
        return value
    if file is not None:
        try:
            return certconv.read_password_file(file)
        except CertconvError as exc:
            raise typer.BadParameter(f"{option}-file {exc.message(flag)}") from None
    if env is not None:
        secret = os.environ.get(env)
        if secret is None:
            raise typer.BadParameter(f"environment variable {env} is not set")
        return secret
    return None


@app.command()
def inspect(
    inputs: Inputs,
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Show thumbprints whole.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON document (see docs/inspect.md).")] = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
    complete: CompleteOpt = False,
    timeout: TimeoutOpt = certconv.DEFAULT_TIMEOUT,
    fail_within: FailWithinOpt = None,
) -> None:
    """Show every certificate of the inputs as a tree, root at the top, with problems found.

    Exit 0; with --fail-within, 3 when a certificate expires within DAYS days (or has).
    """
    secret = _password(password, password_file, password_env, quiet=as_json)
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
    )
    if as_json:
        _say(json_text(result.to_json(), _encoding()), newline=False)
    else:
        color = _color()
        _say(result.render(full=full, color=color, encoding=_encoding()), ansi=color)
    if fail_within is not None:
        _fail_within(result.bundle.certificates, fail_within, result.at)


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
    policy: Annotated[
        VerifyPolicy,
        typer.Option(
            "--policy",
            help="apim: what APIM (Windows) accepts for a private CA; strict: RFC 5280 and the CA/Browser Forum's "
            "rules for a public web server.",
        ),
    ] = VerifyPolicy.APIM,
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
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON document (see docs/verify.md).")] = False,
    max_input_size: MaxSizeOpt = certconv.DEFAULT_MAX_INPUT_SIZE,
    complete: CompleteOpt = False,
    timeout: TimeoutOpt = certconv.DEFAULT_TIMEOUT,
    fail_within: FailWithinOpt = None,
) -> None:
    """Will APIM trust the backend? Verify each chain; exit 0 all verify, 3 some do not, 1 bad input, 2 usage.

    With --fail-within, also 3 when a certificate of the input or of --ca expires within DAYS days (or has).
    """
    secret = _password(password, password_file, password_env, quiet=as_json)
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
    )
    if as_json:
        _say(json_text(result.to_json(), _encoding()), newline=False)
    else:
        _say(result.render(encoding=_encoding()))
    if fail_within is not None:
        uploaded = result.ca_bundle.certificates if result.ca_bundle is not None else ()
        _fail_within([*result.bundle.certificates, *uploaded], fail_within, result.at, ok=result.ok)
    # The exit code covers the certificates asked about: --peer, or the input's own (see docs/verify.md).
    raise typer.Exit(0 if result.ok else 3)


def _fail_within(
    certificates: "Sequence[certconv.Certificate]", days: float, at: datetime, *, ok: bool = True
) -> None:
    """--fail-within: one line per certificate expiring within ``days`` on stderr, then exit 3 if any."""
    try:
        found = certconv.expiring(certificates, within_days=days, at=at)
    except CertconvError as exc:
        _say(f"error: {printable(exc.message(flag))}", err=True)
        raise typer.Exit(2) from None
    _expiry_lines(found)
    if found or not ok:
        raise typer.Exit(3)


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
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON document (see docs/fetch.md).")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing; the exit code says it (and errors on stderr).")
    ] = False,
    probe: Annotated[
        bool,
        typer.Option(
            "--probe/--no-probe",
            help="Probe TLS 1.0-1.3 and APIM's cipher suites (up to 6 more handshakes, within one more --timeout).",
        ),
    ] = True,
    fail_within: FailWithinOpt = None,
    complete: CompleteOpt = False,
    password: PasswordOpt = None,
    password_file: PasswordFileOpt = None,
    password_env: PasswordEnvOpt = None,
) -> None:
    """Get the chain a TLS server sends, check it and its TLS as APIM would; with --ca, APIM's verdict.

    Exit 0: fetched (with --ca: APIM would trust the backend); 3: APIM would not (or --fail-within);
    1: the backend cannot be reached or read; 2: usage.
    """
    if out is not None and str(out) == "-":
        raise typer.BadParameter(
            "fetch --out takes a folder; --out - (standard output) is for convert", param_hint="--out"
        )
    secret = _password(password, password_file, password_env, quiet=quiet or as_json)
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
        ),
        secret,
        may_prompt=True,
    )
    if report.manifest is not None:
        _notes(report.manifest.notes)
    if not quiet:
        if as_json:
            _say(json_text(report.to_json(), _encoding()), newline=False)
        else:
            color = _color()
            _say(report.render(color=color, encoding=_encoding()), ansi=color)
        _expiry_lines(report.expiring)
    raise typer.Exit(3 if report.failed else 0)


def _expiry_lines(found: "tuple[certconv.Expiry, ...]") -> None:
    """One line per certificate on stderr: stdout keeps the document a pipeline reads."""
    for item in found:
        _say(printable(item.message), err=True)


def _proxy_config() -> "certconv.ProxyConfig":
    """HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lowercase first): the CLI reads them, the library never does."""
    try:
        return certconv.ProxyConfig.from_environ(os.environ)
    except UsageError as exc:
        typer.echo(f"error: {exc.message(flag)}", err=True)
        raise typer.Exit(2) from None


def _say(text: str, *, err: bool = False, newline: bool = True, ansi: bool = False) -> None:
    """Write one piece of output through certconv._text: any encoding, a closed pipe, never a traceback."""
    failed = emit(text, sys.stderr if err else sys.stdout, newline=newline, ansi=ansi)
    # A reader that went away (`| head`) wanted no more; any other failure (a full disk) is worth a line.
    if failed is not None and failed.errno != errno.EPIPE and not err:
        emit(f"warning: the output could not be written ({failed.strerror or failed})", sys.stderr)


def _encoding(stream: "typing.IO[str] | None" = None) -> str | None:
    """The encoding of stdout (or ``stream``) when it lacks characters (a Windows code page), else ``None``."""
    return stream_encoding(sys.stdout if stream is None else stream)


def _color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _stdin_is_terminal() -> bool:
    """Whether a person can answer a prompt (not a pipe, not CI)."""
    return sys.stdin.isatty()


def _run(call: Callable[[str | bytes | None], T], password: str | bytes | None, *, may_prompt: bool) -> T:
    """Make the library call; ask for a PKCS#12 password once if one is needed and we can ask."""
    try:
        try:
            return call(password)
        except PasswordRequiredError:
            if password is not None or not may_prompt or not _stdin_is_terminal():
                raise
            import getpass

            return call(getpass.getpass("PKCS#12 password: "))
    except CertconvError as exc:
        _notes(tuple(getattr(exc, "__notes__", ())))  # e.g. an interrupted run undone before this refusal
        # Messages quote file names, names from certificates, URLs and OpenSSL's words: one printable line.
        _say(f"error: {printable(exc.message(flag))}", err=True)
        raise typer.Exit(2 if isinstance(exc, UsageError) else 1) from None
    except KeyboardInterrupt:
        _say("error: interrupted; nothing was written", err=True)
        raise typer.Exit(130) from None


def main() -> None:
    """Entry point of the ``certconv`` command."""
    # One short run whose objects live until it ends and form almost no reference
    # cycles: the cyclic collector's passes over tens of thousands of certificate
    # objects cost a quarter of a 10,000-certificate split and free next to nothing
    # (docs/performance.md). Only the command does this; the library leaves gc alone.
    import gc

    gc.disable()
    # Redirected on Windows, stdout and stderr use the ANSI code page (cp1252, cp936…): what it
    # lacks is written as ASCII or escapes, also by typer/click's own help and usage errors.
    prepare_stream(sys.stdout)
    prepare_stream(sys.stderr)
    app()
