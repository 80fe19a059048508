"""Option declarations more than one command takes (declared once), and the flags hints name."""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at each start, and as strings it must eval() them all (~15% of a small split).

from pathlib import Path
from typing import Annotated

import typer

import certconv
from certconv import UsageError

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
    certconv.Option.CLIENT_CERTIFICATE: "--client-cert",
    # The command reads the proxy from the environment (see _proxy_config), never from a flag.
    certconv.Option.PROXY: "HTTPS_PROXY or HTTP_PROXY",
    certconv.Option.NO_PASSWORD: "--no-password",
    certconv.Option.IPS: "--ip",
    certconv.Option.DAYS: "--days",
    certconv.Option.KEEP_CA_KEYS: "--keep-ca-keys",
}


def flag(option: certconv.Option) -> str:
    """The flag(s) that set ``option``: how an error's hint reads on the command line."""
    return FLAGS[option]


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

# The two options every command takes, declared once so they read the same everywhere (docs/json.md).
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print nothing on standard output, not even --json; the exit code says how it went "
        "(errors still go to standard error).",
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print one JSON object with schema and tool instead of the text; its JSON Schema is in the package "
        "(certconv.json_schema, docs/json.md).",
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
PolicyOpt = Annotated[
    certconv.VerifyPolicy,
    typer.Option(
        "--policy",
        help="apim: what APIM (Windows) accepts for a private CA; strict: RFC 5280 and the CA/Browser Forum's "
        "rules for a public web server.",
    ),
]
