"""Private keys: matched to certificates without cryptography's RSA consistency check, checked in full when written.

``split``, ``inspect`` and ``verify`` only ask which certificate a key belongs to,
which its public half answers; OpenSSL's RSA check (about 37 ms for RSA-2048,
most of what opening a small PFX cost) runs only where a key is written out:
``convert`` to pfx, keyvault, appservice or a PEM key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pki import Issued, make_chain, make_key, to_pfx
from typer.testing import CliRunner
from work import counted

import certconv
from certconv.cli import app

PASSWORD = "changeit"


def _inconsistent(key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    """``key`` with a wrong CRT coefficient: the same public half, private values that fail OpenSSL's check."""
    numbers = key.private_numbers()
    broken = rsa.RSAPrivateNumbers(
        numbers.p,
        numbers.q,
        numbers.d,
        numbers.dmp1,
        numbers.dmq1,
        (numbers.iqmp + 1) % numbers.p,
        numbers.public_numbers,
    )
    return broken.private_key(unsafe_skip_rsa_key_validation=True)


@pytest.fixture(scope="module")
def broken_pfx() -> bytes:
    """A PFX (as ``openssl pkcs12 -export`` writes: PBES2, AES-256) whose RSA key fails the consistency check."""
    pki = make_chain("Broken", key_kind="rsa")
    leaf = Issued(pki.leaf.cert, _inconsistent(pki.leaf.key))  # type: ignore[arg-type]
    data = to_pfx(leaf, [pki.intermediate, pki.root], password=PASSWORD.encode())
    with pytest.raises(ValueError):  # the oracle: cryptography's own reading runs the check
        pkcs12.load_pkcs12(data, PASSWORD.encode())
    return data


@pytest.mark.parametrize("command", ["split", "inspect", "verify"])
def test_commands_that_only_match_the_key_read_it_without_the_rsa_check(
    broken_pfx: bytes, tmp_path: Path, command: str
) -> None:
    source = tmp_path / "broken.pfx"
    source.write_bytes(broken_pfx)
    extra = ["--out", str(tmp_path / "out")] if command == "split" else []
    result = CliRunner().invoke(app, [command, str(source), "--password", PASSWORD, *extra])
    assert result.exit_code == 0, result.output
    bundle = certconv.load(source, password=PASSWORD)
    assert [c.common_name for c in bundle.certificates if c.has_private_key] == ["*.backend.example"]


@pytest.mark.parametrize(
    ("to", "extra"),
    [
        ("pfx", ["--new-password", "n3w"]),
        ("keyvault", []),
        ("pfx", ["--profile", "appservice", "--new-password", "n3w"]),
        ("pem", ["--include-key", "--sha1"]),
    ],
)
def test_writing_the_key_out_runs_the_full_check(broken_pfx: bytes, tmp_path: Path, to: str, extra: list[str]) -> None:
    source = tmp_path / "broken.pfx"
    source.write_bytes(broken_pfx)
    if "--sha1" in extra:
        extra = [*extra, certconv.load(source, password=PASSWORD).chains[0].leaf.sha1]
    out = tmp_path / "out.bin"
    result = CliRunner().invoke(
        app, ["convert", str(source), "--password", PASSWORD, "--to", to, "--out", str(out), *extra]
    )
    assert result.exit_code == 1, result.output
    assert "private key of '*.backend.example' is damaged" in result.stderr
    assert not out.exists()


def test_a_consistent_key_is_still_written(tmp_path: Path) -> None:
    pki = make_chain("Good", key_kind="rsa")
    source = tmp_path / "good.pfx"
    source.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=PASSWORD.encode()))
    out = tmp_path / "again.pfx"
    certconv.convert(source, out, to="pfx", password=PASSWORD, new_password="n3w")
    loaded = pkcs12.load_pkcs12(out.read_bytes(), b"n3w")  # with the check: the key written is whole
    assert loaded.key is not None and loaded.cert is not None
    assert loaded.key.public_key() == pki.leaf.key.public_key()


def test_a_key_that_belongs_to_another_certificate_is_still_found() -> None:
    pki = make_chain("Mismatch", key_kind="rsa")
    stranger = make_key("rsa")
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        stranger,
        None,
        [pki.leaf.cert, pki.intermediate.cert],  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    bundle = certconv.load(data, password=PASSWORD)
    assert not any(c.has_private_key for c in bundle.certificates)
    assert "unmatched-key" in [w.code for w in bundle.warnings]


@pytest.mark.parametrize("legacy", [False, True])
def test_pfx_contents_read_by_certconv_equal_cryptographys(legacy: bool) -> None:
    pki = make_chain("Same", key_kind="rsa")
    data = to_pfx(pki.leaf, [pki.intermediate, pki.root], password=PASSWORD.encode(), legacy=legacy)
    reference = pkcs12.load_pkcs12(data, PASSWORD.encode())
    with counted(lines=False) as work:
        bundle = certconv.load(data, password=PASSWORD)
    expected = {
        c.certificate.public_bytes(serialization.Encoding.DER) for c in [reference.cert, *reference.additional_certs]
    }
    assert {c.der for c in bundle.certificates} == expected
    assert [c.friendly_name for c in bundle.certificates if c.has_private_key] == ["backend"]
    assert bundle.private_keys[0].public_key() == reference.key.public_key()  # type: ignore[union-attr]
    # Modern files are read by certconv's own code (no load_pkcs12); legacy PBES1 ones by cryptography.
    assert [name for name, _ in work.derivations].count("PKCS#12") == (1 if legacy else 0)


def test_a_pfx_with_a_wrong_password_is_not_read_by_certconvs_reader() -> None:
    pki = make_chain("Wrong", key_kind="ec")
    data = to_pfx(pki.leaf, [pki.root], password=PASSWORD.encode())
    with pytest.raises(certconv.WrongPasswordError):
        certconv.load(data, password="not it")
