"""Bad arguments to the library are CertconvErrors too (UsageError, also a ValueError), never bare exceptions."""

from __future__ import annotations

import base64
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
