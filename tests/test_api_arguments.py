"""Bad arguments to the library are CertconvErrors too (UsageError, also a ValueError), never bare exceptions."""

from __future__ import annotations

import base64
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
