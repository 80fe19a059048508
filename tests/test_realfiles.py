"""Real files from real tools: certificates cryptography refuses but OpenSSL and Windows read.

Each quirk is made here by hand (tests/quirkcerts.py builds the DER and signs it over
its own TBS bytes); ``openssl x509`` is the oracle that such a file is readable, and
``keytool -list`` the oracle for the keystores. The EC keystore starts as a real
``keytool -genkeypair -keyalg EC`` store; its certificate is re-issued with the NULL
ECDSA parameters old JDKs wrote and packed back by ``openssl pkcs12`` and ``keytool
-importkeystore`` (JDK 17 no longer writes the quirk itself).
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import quirkcerts as q
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pki import issue
from typer.testing import CliRunner

import certconv
from certconv import Quirk, Role
from certconv.cli import app
from certconv.readers import _tolerant

OPENSSL = shutil.which("openssl")
KEYTOOL = shutil.which("keytool")

EXPECTED = {
    "ecdsa-null": Quirk.ECDSA_PARAMETERS,
    "critical-false": Quirk.DEFAULT_WRITTEN,
    "explicit-v1": Quirk.EXPLICIT_V1,
    "ber-boolean": Quirk.BER_BOOLEAN,
    "unsorted-set": Quirk.UNSORTED_SET,
    "unique-ids": Quirk.X509_V2,
    "rsa-params": Quirk.RSA_PARAMETERS,
    "printable": Quirk.PRINTABLE_STRING,
    "year-zero": Quirk.YEAR_ZERO,
}


def _openssl_reads(der: bytes) -> bool:
    assert OPENSSL is not None
    done = subprocess.run([OPENSSL, "x509", "-inform", "DER", "-noout"], input=der, capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.parametrize("quirk", q.QUIRKS)
def test_each_quirk_cryptography_refuses_is_read_with_its_bytes_and_one_warning(quirk: str) -> None:
    der = q.make(q.key_for(quirk), quirk=quirk)
    if OPENSSL:
        assert _openssl_reads(der), "the oracle must read what certconv tolerates"
    bundle = certconv.load(der)
    (cert,) = bundle.certificates
    assert cert.der == der and cert.quirks == (EXPECTED[quirk],)
    # Its signature is checked over the original TBS bytes: a self-signed certificate is a root.
    assert cert.self_signed and cert.role is Role.ROOT
    (warning,) = [w for w in bundle.warnings if w.code == "tolerated-encoding"]
    assert warning.sha1 == cert.sha1 and EXPECTED[quirk].text in warning.message
    assert "strict parsers (browsers, cryptography, Go) will refuse it" in warning.message
    assert "ParseError" not in warning.message


def test_quirky_certificate_issued_by_a_normal_ca_chains_over_its_original_signature() -> None:
    root_key = q.key_for(None)
    root = q.make(root_key, subject="Quirk Root")
    leaf = q.make(q.key_for(None), quirk="ecdsa-null", subject="leaf", issuer="Quirk Root", signer=root_key, ca=False)
    bundle = certconv.load(root + leaf)  # back to back in one file
    assert [c.role for c in bundle.certificates] == [Role.ROOT, Role.LEAF]
    (chain,) = bundle.chains
    assert chain.complete and chain.leaf.der == leaf


def test_concatenated_der_certificates_are_all_read(tmp_path: Path) -> None:
    certs = [q.make(q.key_for(None), subject=f"c{n}") for n in range(3)]
    source = tmp_path / "store.cer"
    source.write_bytes(b"".join(certs))
    bundle = certconv.load(source)
    assert sorted(c.der for c in bundle.certificates) == sorted(certs)
    assert bundle.formats == ("DER",)


def test_concatenated_der_with_a_truncated_tail_names_what_was_read() -> None:
    certs = [q.make(q.key_for(None), subject=f"c{n}") for n in range(2)]
    with pytest.raises(certconv.CorruptInputError, match=r"holds 2 DER certificate\(s\) back to back, then 10 bytes"):
        certconv.load(b"".join(certs) + certs[0][:10])


@pytest.mark.parametrize("quirk", q.QUIRKS)
def test_split_writes_the_original_bytes_of_a_quirky_certificate(tmp_path: Path, quirk: str) -> None:
    der = q.make(q.key_for(quirk), quirk=quirk)
    manifest = certconv.split(der, tmp_path / "out")
    (entry,) = manifest.entries
    assert (tmp_path / "out" / entry.file).read_bytes() == der


def test_convert_writes_the_original_bytes_of_a_quirky_certificate(tmp_path: Path) -> None:
    der = q.make(q.key_for("ecdsa-null"), quirk="ecdsa-null")
    source = tmp_path / "q.cer"
    source.write_bytes(der)
    out = tmp_path / "q.pem"
    result = CliRunner().invoke(app, ["convert", str(source), "--to", "pem", "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = b"".join(out.read_bytes().split(b"\n")[1:-2])
    assert base64.b64decode(body) == der


def test_inspect_shows_the_quirk_warning(tmp_path: Path) -> None:
    source = tmp_path / "q.cer"
    source.write_bytes(q.make(q.key_for("explicit-v1"), quirk="explicit-v1"))
    result = CliRunner().invoke(app, ["inspect", str(source)])
    assert result.exit_code == 0, result.output
    assert "it writes out its version v1, which DER leaves out" in " ".join(result.output.split())


@pytest.mark.parametrize(("quirk", "apim_ok"), [(quirk, quirk != "year-zero") for quirk in q.QUIRKS])
def test_verify_refuses_quirks_under_strict_and_accepts_what_windows_reads_under_apim(
    quirk: str, apim_ok: bool
) -> None:
    der = q.make(q.key_for(quirk), quirk=quirk, subject="backend.example", ca=False)
    # A self-signed X.509 v1 (or v2) certificate counts as a CA (as OpenSSL has it): name it as the peer.
    strict = certconv.verify(der, ca=[der], policy="strict", peer=der)
    apim = certconv.verify(der, ca=[der], policy="apim", peer=der)
    assert not strict.ok and EXPECTED[quirk].text in strict.render()
    assert "is not strict DER" in strict.render()
    assert apim.ok is apim_ok, apim.render()
    if apim_ok:
        assert "lenient-der" in apim.chains[0].leniencies


def test_v1_end_entity_is_accepted_under_apim_and_refused_under_strict() -> None:
    root_key = q.key_for(None)
    root = q.make(root_key, subject="V1 Root")
    leaf = q.make(q.key_for(None), v1=True, subject="v1.example", issuer="V1 Root", signer=root_key)
    assert certconv.load(leaf).certificates[0].quirks == ()  # strict DER: only its version is old
    strict = certconv.verify(leaf, ca=[root], policy="strict")
    apim = certconv.verify(leaf, ca=[root], policy="apim")
    assert not strict.ok and "is an X.509 v1 certificate, not v3" in strict.render()
    # A v1 certificate has no SAN and no key identifiers: those leniencies are used too.
    assert apim.ok and "v1-end-entity" in apim.chains[0].leniencies, apim.render()
    assert "Firefox rejects an X.509 v1 end-entity certificate" in apim.render()


def test_v1_intermediate_is_still_not_a_ca_under_apim() -> None:
    root_key, mid_key = q.key_for(None), q.key_for(None)
    root = q.make(root_key, subject="Root")
    mid = q.make(mid_key, quirk="explicit-v1", subject="Mid", issuer="Root", signer=root_key)
    leaf = q.make(q.key_for(None), subject="leaf.example", issuer="Mid", signer=mid_key, ca=False)
    result = certconv.verify(leaf + mid, ca=[root], policy="apim")
    assert not result.ok and "not-a-ca" in {f.code for c in result.chains for f in c.failures}


def test_messages_about_damaged_certificates_name_it_in_plain_words() -> None:
    der = bytearray(q.make(q.key_for(None), subject="Broken Name"))
    bad = bytes(der[:-5])  # the signature cut short: cryptography would say ParseError { kind: ShortData … }
    bad = bytes([0x30, 0x82]) + (len(bad) - 4).to_bytes(2, "big") + bad[4:]
    with pytest.raises(certconv.CorruptInputError) as caught:
        certconv.load(b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(bad) + b"-----END CERTIFICATE-----\n")
    message = str(caught.value)
    assert "PEM block 1 (CERTIFICATE): damaged certificate 'Broken Name': it" in message
    assert "ParseError" not in message and "kind" not in message


def test_describe_never_shows_the_parser_vocabulary() -> None:
    error = ValueError(
        "error parsing asn1 value: ParseError { kind: ShortData { needed: 5 }, "
        'location: ["Certificate::tbs_cert", "TbsCertificate::validity"] }'
    )
    assert _tolerant.describe(error) == "ends too early (truncated) in its validity dates"


def test_ml_dsa_self_signed_root_is_a_root() -> None:
    mldsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.mldsa")
    key = mldsa.MLDSA65PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ML-DSA Root")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, None)
    )
    bundle = certconv.load(cert.public_bytes(serialization.Encoding.DER))
    (only,) = bundle.certificates
    assert only.role is Role.ROOT and only.self_signed
    assert not [w for w in bundle.warnings if w.code in ("missing-issuer", "unchecked-self-signature")]


def test_unknown_key_type_is_could_not_check_never_a_wrong_verdict() -> None:
    from cryptography.hazmat.primitives.asymmetric import x25519

    from certconv.pki._x509 import check_signature

    ca = issue("Signer", ca=True)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "x25519")]))
        .issuer_name(ca.cert.subject)
        .public_key(x25519.X25519PrivateKey.generate().public_key())
        .serial_number(9)
        .not_valid_before(ca.cert.not_valid_before_utc)
        .not_valid_after(ca.cert.not_valid_after_utc)
        .sign(ca.key, hashes.SHA256())  # type: ignore[arg-type]
    )
    assert check_signature(ca.cert, cert) is None  # an X25519 key verifies nothing: "could not check"
    assert check_signature(cert, ca.cert) is True


@pytest.mark.skipif(KEYTOOL is None or OPENSSL is None, reason="keytool and openssl are the oracles here")
def test_keytool_ec_keystore_with_null_ecdsa_parameters_is_read_as_pkcs12_and_jks(tmp_path: Path) -> None:
    assert KEYTOOL is not None and OPENSSL is not None
    store = tmp_path / "ec.p12"
    subprocess.run(
        [KEYTOOL, "-genkeypair", "-keyalg", "EC", "-alias", "a", "-dname", "CN=ec.example", "-keystore", str(store),
         "-storepass", "changeit", "-storetype", "PKCS12"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    key = pkcs12.load_pkcs12(store.read_bytes(), b"changeit").key
    assert key is not None
    der = q.make(key, quirk="ecdsa-null", subject="ec.example")  # as JDKs before the fix wrote it
    (tmp_path / "q.pem").write_bytes(
        subprocess.run([OPENSSL, "x509", "-inform", "DER"], input=der, capture_output=True, check=True).stdout
    )
    (tmp_path / "q.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    subprocess.run(
        [OPENSSL, "pkcs12", "-export", "-in", "q.pem", "-inkey", "q.key", "-out", "q.p12", "-passout", "pass:changeit",
         "-name", "a"],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    subprocess.run(
        [KEYTOOL, "-importkeystore", "-srckeystore", "q.p12", "-srcstoretype", "PKCS12", "-srcstorepass", "changeit",
         "-destkeystore", "q.jks", "-deststoretype", "JKS", "-deststorepass", "changeit", "-noprompt"],
        check=True, capture_output=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    for name in ("q.p12", "q.jks"):
        listing = subprocess.run(
            [KEYTOOL, "-list", "-keystore", name, "-storepass", "changeit"],
            capture_output=True, text=True, check=True, cwd=tmp_path, timeout=120,
        ).stdout  # fmt: skip
        assert "PrivateKeyEntry" in listing, listing
        bundle = certconv.load(tmp_path / name, password="changeit")
        (cert,) = bundle.certificates
        assert cert.der == der and cert.has_private_key and cert.quirks == (Quirk.ECDSA_PARAMETERS,)
        assert cert.sha256 in listing.replace(":", "")
        assert [w.code for w in bundle.warnings] == ["tolerated-encoding"]
        assert "cipher" not in bundle.warnings[0].message


def test_pkcs12_with_a_certificate_nothing_can_read_names_the_certificate_not_the_cipher(tmp_path: Path) -> None:
    if OPENSSL is None:
        pytest.skip("openssl packs the file")
    key = q.key_for(None)
    # A serial number with a BER long-form length: OpenSSL packs it, cryptography and the tolerant path refuse it.
    der = q.make(key, subject="Bad Cert", raw_serial=b"\x02\x81\x02\x12\x34")
    (tmp_path / "c.der").write_bytes(der)
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    made = subprocess.run(
        [OPENSSL, "pkcs12", "-export", "-nokeys", "-in", "c.der", "-out", "c.p12", "-passout", "pass:pw"],
        capture_output=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.skip("this openssl will not pack the damaged certificate")
    with pytest.raises(certconv.CorruptInputError) as caught:
        certconv.load(tmp_path / "c.p12", password="pw")
    message = str(caught.value)
    assert "PKCS#12 certificate 1 of 1: damaged certificate 'Bad Cert': it" in message, message
    assert "cipher" not in message and "ParseError" not in message


@pytest.mark.parametrize("kind", ["v1", "ca-false"])
def test_split_warns_when_a_non_ca_certificate_is_planned_into_a_ca_store(tmp_path: Path, kind: str) -> None:
    root_key, mid_key = q.key_for(None), q.key_for(None)
    root = q.make(root_key, subject="Root")
    mid = q.make(mid_key, subject="NotCA", issuer="Root", signer=root_key, ca=False, v1=kind == "v1")
    leaf = q.make(q.key_for(None), subject="leaf.example", issuer="NotCA", signer=mid_key, ca=False)
    manifest = certconv.split(root + mid + leaf, tmp_path / "out")
    (entry,) = [e for e in manifest.entries if e.certificate.subject == "CN=NotCA"]
    assert entry.certificate.apim_store == "CertificateAuthority"
    (warning,) = [w for w in manifest.bundle.warnings if w.code == "apim-not-a-ca"]
    assert warning.sha1 == entry.certificate.sha1 and "'NotCA' is planned into APIM store" in warning.message
    assert ("X.509 v1" in warning.message) is (kind == "v1")


class _Served:
    """What tests/loopback.py's TLS server needs of a certificate: its PEM (original bytes) and key."""

    def __init__(self, der: bytes, key: object) -> None:
        body = base64.encodebytes(der)
        self.pem = b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"
        self.key = key


def test_fetch_reads_a_served_certificate_only_the_tolerant_path_reads() -> None:
    from loopback import tls_server

    key = q.key_for(None)
    der = q.make(key, quirk="ecdsa-null", subject="backend.example", ca=False)
    served = _Served(der, key)
    with tls_server("127.0.0.1", [served], served) as server:  # type: ignore[list-item, arg-type]
        result = certconv.fetch(f"127.0.0.1:{server.port}", timeout=10)
    (cert,) = result.served
    assert cert.der == der and cert.quirks == (Quirk.ECDSA_PARAMETERS,)
    assert "tolerated-encoding" in [w.code for w in result.bundle.warnings]


@pytest.mark.skipif(OPENSSL is None, reason="openssl packs the file")
def test_pkcs12_holding_a_quirky_certificate_is_read_only_when_its_mac_verifies(tmp_path: Path) -> None:
    assert OPENSSL is not None
    key = q.key_for(None)
    der = q.make(key, quirk="ecdsa-null", subject="mac.example")
    (tmp_path / "c.der").write_bytes(der)
    subprocess.run(
        [OPENSSL, "pkcs12", "-export", "-nokeys", "-in", "c.der", "-out", "c.p12", "-passout", "pass:pw"],
        capture_output=True, cwd=tmp_path, check=True,
    )  # fmt: skip
    data = (tmp_path / "c.p12").read_bytes()
    (cert,) = certconv.load(data, password="pw").certificates
    assert cert.der == der
    damaged = data[:-30] + bytes([data[-30] ^ 1]) + data[-29:]  # inside the MAC's digest
    with pytest.raises(certconv.CorruptInputError, match="MAC does not match"):
        certconv.load(damaged, password="pw")
    with pytest.raises(certconv.WrongPasswordError):
        certconv.load(data, password="not-it")


def test_keystore_entries_name_the_alias_and_the_certificate_in_plain_words() -> None:
    from keystores import Trusted, to_keystore

    quirky = q.make(q.key_for("unsorted-set"), quirk="unsorted-set", subject="Q In JKS")
    bundle = certconv.load(to_keystore([Trusted("q", quirky)], "changeit"), password="changeit")
    (warning,) = bundle.warnings
    assert "JKS entry 'q': certificate 'Q In JKS' is not strict DER" in warning.message
    bad = q.make(q.key_for(None), subject="Bad In JKS", raw_serial=b"\x02\x81\x02\x12\x34")
    with pytest.raises(certconv.CorruptInputError) as caught:
        certconv.load(to_keystore([Trusted("mybad", bad)], "changeit"), password="changeit")
    assert str(caught.value).endswith(
        "JKS entry 'mybad': damaged certificate 'Bad In JKS': it has an invalid length in its serial number"
    )
