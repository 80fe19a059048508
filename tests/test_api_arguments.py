"""Bad arguments to the library are CertconvErrors too (UsageError, also a ValueError), never bare exceptions."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pki import Pki, to_pem

import certconv

ID_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")


@pytest.fixture
def chain_pem(pki: Pki, tmp_path: Path) -> Path:
    path = tmp_path / "chain.pem"
    path.write_bytes(to_pem(pki.chain))
    return path


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda src, out: certconv.split(src, out, format="xml"), certconv.UsageError),
        (lambda src, out: certconv.split(src, out, target="apim-v3"), certconv.UsageError),
        (lambda src, out: certconv.split(src, out, emit="bicep,yaml"), certconv.UsageError),
        (lambda src, out: certconv.split(src, ""), certconv.UsageError),
        (lambda src, out: certconv.split(src, out / "a\0b"), certconv.UsageError),
        (lambda src, out: certconv.convert(src, out / "x.jks", to="jks"), certconv.UsageError),
        (lambda src, out: certconv.convert(src, out / "a\0b.pem", to="fullchain"), certconv.OutputError),
        (lambda src, out: certconv.verify(src, purpose="email"), certconv.UsageError),
        (lambda src, out: certconv.verify(src, ca=[str(out / "a\0b")]), certconv.InputError),
        (lambda src, out: certconv.load(str(src) + "\0"), certconv.InputError),
        (lambda src, out: certconv.inspect(str(src) + "\0"), certconv.InputError),
    ],
)
def test_bad_arguments_raise_certconv_errors_and_write_nothing(
    call: Callable[[Path, Path], object], error: type[Exception], chain_pem: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with pytest.raises(error):
        call(chain_pem, out)
    assert not out.exists()


def test_usage_error_is_also_a_value_error() -> None:
    assert issubclass(certconv.UsageError, ValueError)
    assert issubclass(certconv.UsageError, certconv.CertconvError)


def test_split_refuses_bad_options_before_reading_the_input(tmp_path: Path) -> None:
    # The input does not exist: the option error must come first (no password prompt for a typo).
    with pytest.raises(certconv.UsageError):
        certconv.split(tmp_path / "missing.pfx", tmp_path / "out", format="xml")


def test_include_key_with_an_unreadable_public_key_is_a_clear_error(pki: Pki, tmp_path: Path) -> None:
    der = pki.leaf.der
    assert der.count(ID_EC_PUBLIC_KEY) == 1
    broken = der.replace(ID_EC_PUBLIC_KEY, ID_EC_PUBLIC_KEY[:-1] + b"\x09")  # an unknown key algorithm
    key = pki.leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    src = tmp_path / "leaf.pem"
    src.write_bytes(
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(broken) + b"-----END CERTIFICATE-----\n" + key
    )
    for to in ("pem", "fullchain"):
        with pytest.raises(certconv.KeyMismatchError, match="cannot read"):
            certconv.convert(src, tmp_path / f"out-{to}.pem", to=to, include_key=True)
    assert not list(tmp_path.glob("out-*"))


@pytest.mark.parametrize("as_type", [str, Path])
def test_verify_takes_one_ca_folder_as_one_path(as_type: type, pki: Pki, chain_pem: Path, tmp_path: Path) -> None:
    # A str is a sequence of characters: each must not be taken for a path of its own.
    certconv.split(chain_pem, tmp_path / "ca")
    result = certconv.verify(pki.leaf.der, ca=as_type(tmp_path / "ca"))
    assert result.ok
    assert result.ca_inputs == tuple(str(p) for p in sorted((tmp_path / "ca").glob("*.cer")))
    from_bytes = certconv.verify(pki.leaf.der, ca=pki.root.der)  # bytes: one input too, not a list of ints
    assert from_bytes.ca_inputs == ("<bytes>",)
    assert [c.subject for c in from_bytes.anchors] == [pki.root.cert.subject.rfc4514_string()]


def test_manifest_repr_is_short_and_does_not_print_the_bundle(chain_pem: Path, tmp_path: Path) -> None:
    manifest = certconv.split(chain_pem, tmp_path / "out", target="all")
    assert len(manifest.files) == 7  # three .cer, two certificate-only .pfx, two Base-64 .cer
    assert repr(manifest) == f"<Manifest {str(tmp_path / 'out')!r} 7 files target=all>"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda src, out: certconv.split(src, out, target="apim-v3"), "target must be one of apim, apim-v2, "),
        (lambda src, out: certconv.split(src, out, format="xml"), "format must be one of der, pem, not 'xml'"),
        (lambda src, out: certconv.convert(src, out, to="jks"), "to must be one of der, pem, p7b, pfx, fullchain"),
        (lambda src, out: certconv.verify(src, purpose="email"), "purpose must be one of server, client, not 'email'"),
    ],
)
def test_an_unknown_value_is_a_usage_error_listing_the_valid_ones(
    call: Callable[[Path, Path], object], message: str, chain_pem: Path, tmp_path: Path
) -> None:
    with pytest.raises(certconv.UsageError, match=re.escape(message)):
        call(chain_pem, tmp_path / "out")


def test_enum_members_and_their_plain_values_are_the_same_option(chain_pem: Path, tmp_path: Path) -> None:
    by_member = certconv.split(
        chain_pem, tmp_path / "a", target=certconv.AzureTarget.APPGW_V1, format=certconv.Format.DER
    )
    by_value = certconv.split(chain_pem, tmp_path / "b", target="appgw-v1", format="der")
    assert by_member.target is by_value.target is certconv.AzureTarget.APPGW_V1
    assert by_member.format is by_value.format is certconv.Format.DER
    assert certconv.manifest_json(by_member) == certconv.manifest_json(by_value)
    assert certconv.convert(chain_pem, tmp_path / "c.p7b", to=certconv.Form.P7B).to is certconv.Form.P7B


def test_public_value_tuples_are_the_enum_values() -> None:
    assert certconv.TARGETS == ("apim", "apim-v2", "apim-selfhosted", "appgw-v2", "appgw-v1", "all")
    for values, kind in [
        (certconv.TARGETS, certconv.AzureTarget),
        (certconv.SNIPPET_LANGUAGES, certconv.SnippetLanguage),
        (certconv.CONVERT_TARGETS, certconv.Form),
        (certconv.PURPOSES, certconv.Purpose),
    ]:
        assert values == tuple(member.value for member in kind)
    assert certconv.PURPOSES == ("server", "client")
    assert all(type(v) is str for v in certconv.TARGETS)  # plain strings, as before


def test_codes_are_members_that_serialize_as_their_text(chain_pem: Path) -> None:
    import json

    bundle = certconv.load(chain_pem.read_bytes() * 2)
    warning = bundle.warnings[0]
    assert warning.code is certconv.WarningCode.DUPLICATE
    assert json.dumps(warning.to_dict())[:22] == '{"code": "duplicate", '
    assert f"{warning.code}" == str(warning.code) == "duplicate"
# -- timeouts and moments: the same UsageError for a script as exit 2 for the command ------

BAD_TIMEOUTS = [0, -1, float("nan"), float("inf"), float("-inf"), 1e300, 3601]
# Their UTC forms fall outside years 1..9999: OverflowError in astimezone() and comparisons.
BAD_MOMENTS = [
    dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14))),
]

TIMED_CALLS: dict[str, Callable[..., object]] = {
    "load": lambda src, **kw: certconv.load(src, complete=True, **kw),
    "split": lambda src, **kw: certconv.split(src, src.parent / "out", complete=True, **kw),
    "inspect": lambda src, **kw: certconv.inspect(src, complete=True, **kw),
    "verify": lambda src, **kw: certconv.verify(src, complete=True, **kw),
    "fetch": lambda src, **kw: certconv.fetch("127.0.0.1:1", **kw),
}
DATED_CALLS: dict[str, Callable[..., object]] = {
    **TIMED_CALLS,
    "convert": lambda src, **kw: certconv.convert(src, src.parent / "x.pem", to="fullchain", **kw),
}


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
@pytest.mark.parametrize("name", TIMED_CALLS)
def test_bad_timeouts_are_usage_errors_in_every_call(chain_pem: Path, name: str, timeout: float) -> None:
    with pytest.raises(certconv.UsageError, match="timeout must be more than 0 and at most 3600 seconds"):
        TIMED_CALLS[name](chain_pem, timeout=timeout)
    assert not (chain_pem.parent / "out").exists()


@pytest.mark.parametrize("at", BAD_MOMENTS, ids=lambda m: m.isoformat())
@pytest.mark.parametrize("name", DATED_CALLS)
def test_moments_outside_what_utc_can_hold_are_usage_errors(chain_pem: Path, name: str, at: dt.datetime) -> None:
    with pytest.raises(certconv.UsageError, match="outside the dates certconv can compare"):
        DATED_CALLS[name](chain_pem, at=at)


def test_the_first_and_last_representable_moments_are_accepted(chain_pem: Path) -> None:
    first, last = dt.datetime(1, 1, 1, tzinfo=dt.UTC), dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert certconv.load(chain_pem, at=first).warnings  # not yet valid
    assert certconv.inspect(chain_pem, at=last).at == last
    assert not certconv.verify(chain_pem, at=last).ok  # expired, and said so


def test_a_naive_moment_is_utc_everywhere(chain_pem: Path) -> None:
    naive = dt.datetime(2030, 1, 31, 12, 0)
    assert certconv.inspect(chain_pem, at=naive).at == naive.replace(tzinfo=dt.UTC)
    assert certconv.verify(chain_pem, at=naive).at == naive.replace(tzinfo=dt.UTC)
    certconv.load(chain_pem, at=naive)  # compared with aware validity dates: no TypeError


@pytest.mark.parametrize("timeout", ["inf", "nan", "1e300", "0", "-1", "3601"])
@pytest.mark.parametrize("command", ["split", "inspect", "verify", "fetch"])
def test_cli_bad_timeout_is_a_usage_error(chain_pem: Path, command: str, timeout: str) -> None:
    from typer.testing import CliRunner

    from certconv.cli import app

    args = {
        "split": ["split", str(chain_pem), "--out", str(chain_pem.parent / "out"), "--complete"],
        "inspect": ["inspect", str(chain_pem), "--complete"],
        "verify": ["verify", str(chain_pem), "--complete"],
        "fetch": ["fetch", "127.0.0.1:1"],
    }[command]
    result = CliRunner().invoke(app, [*args, "--timeout", timeout])
    assert result.exit_code == 2, result.output
    assert "timeout must be more than 0 and at most 3600 seconds" in result.stderr
    assert isinstance(result.exception, SystemExit)  # nothing escaped (OverflowError did)
    assert not (chain_pem.parent / "out").exists()


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "garbage", "2030-13-01"])
def test_cli_at_outside_what_the_platform_represents_is_a_usage_error(chain_pem: Path, at: str) -> None:
    from typer.testing import CliRunner

    from certconv.cli import app

    result = CliRunner().invoke(app, ["verify", str(chain_pem), "--at", at])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--at'" in result.stderr
    assert isinstance(result.exception, SystemExit)
