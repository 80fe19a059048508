"""Reading: every input kind the core issue lists, detected by content, with its quirks."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from pki import FORMATS, Pki, make_chain, serialize, to_p7b, to_pem

import certconv
from certconv import Role, Source

VECTORS = Path(cryptography_vectors.__file__).parent
SAMPLES = Path(__file__).parent.parent / "samples"


def roles(bundle: certconv.Bundle) -> list[tuple[str, str]]:
    return [(c.role.value, c.common_name) for c in bundle.certificates]


def expected_roles(p: Pki) -> list[tuple[str, str]]:
    return [
        ("root", p.root.cert.subject.rfc4514_string().split(",")[0].removeprefix("CN=")),
        ("intermediate", p.intermediate.cert.subject.rfc4514_string().split(",")[0].removeprefix("CN=")),
        ("leaf", "*.backend.example"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_yields_the_three_roles_and_one_chain(pki: Pki, fmt: str) -> None:
    bundle = certconv.load(serialize(pki, fmt), password="changeit")
    assert roles(bundle) == expected_roles(pki)
    assert [list(ch.sha1s) for ch in bundle.chains] == [
        [bundle.leaves[0].sha1, bundle.intermediates[0].sha1, bundle.roots[0].sha1]
    ]


@pytest.mark.parametrize("fmt", ["pem", "pfx", "pfx-legacy", "pfx-nopass"])
def test_private_key_marks_the_leaf_only(pki: Pki, fmt: str) -> None:
    bundle = certconv.load(serialize(pki, fmt), password="changeit")
    assert [c.has_private_key for c in bundle.certificates] == [False, False, True]
    assert len(bundle.private_keys) == 1


def test_single_der_certificate(pki: Pki) -> None:
    bundle = certconv.load(pki.leaf.der)
    assert roles(bundle) == [("leaf", "*.backend.example")]
    assert bundle.formats == ("DER",)


def test_format_is_detected_by_content_not_extension(pki: Pki, tmp_path: Path) -> None:
    misnamed = tmp_path / "really-a-pfx.pem"
    misnamed.write_bytes(serialize(pki, "pfx"))
    assert certconv.load(misnamed, password="changeit").formats == ("PKCS#12",)


def test_pem_quirks_bom_crlf_bag_attributes_garbage_and_headers(pki: Pki) -> None:
    text = (
        b"\xef\xbb\xbfBag Attributes\n    localKeyID: 01 02 03\n    friendlyName: backend\n"
        b"subject=/CN=whatever\nissuer=/CN=whatever\n"
        + pki.leaf.pem.replace(b"BEGIN CERTIFICATE", b"BEGIN X509 CERTIFICATE").replace(
            b"END CERTIFICATE", b"END X509 CERTIFICATE"
        )
        + b"some stray text between blocks \x00\xff\n"
        + pki.intermediate.pem.replace(b"-----\n", b"-----\nComment: RFC 1421 header\n\n", 1)
        + pki.root.pem
    ).replace(b"\n", b"\r\n")
    bundle = certconv.load(text)
    assert roles(bundle) == expected_roles(pki)
    assert not [w for w in bundle.warnings if w.code != "ignored-block"]


def test_trusted_certificate_header_drops_openssl_trust_settings(pki: Pki, tmp_path: Path) -> None:
    src = tmp_path / "root.pem"
    src.write_bytes(pki.root.pem)
    trusted = subprocess.run(
        ["openssl", "x509", "-in", str(src), "-trustout", "-addtrust", "serverAuth"],
        check=True,
        capture_output=True,
    ).stdout
    assert b"BEGIN TRUSTED CERTIFICATE" in trusted
    bundle = certconv.load(trusted)
    assert bundle.certificates[0].der == pki.root.der


def test_openssl_crl2pkcs7_output_is_accepted(rsa_pki: Pki, tmp_path: Path) -> None:
    chain = tmp_path / "chain.pem"
    chain.write_bytes(to_pem(rsa_pki.chain))
    p7b = tmp_path / "chain.p7b"
    subprocess.run(
        ["openssl", "crl2pkcs7", "-nocrl", "-certfile", str(chain), "-outform", "DER", "-out", str(p7b)],
        check=True,
    )
    bundle = certconv.load(p7b)
    assert sorted(c.der for c in bundle.certificates) == sorted(i.der for i in rsa_pki.chain)
    assert bundle.formats == ("PKCS#7",)
    # Whether the unsorted SET is non-DER depends on the certificates' bytes.
    assert {w.code for w in bundle.warnings} <= {"ber-encoding"}


def test_sample_crl2pkcs7_file_is_ber_and_says_so() -> None:
    bundle = certconv.load(SAMPLES / "bundle.p7b")
    assert [r for r, _ in roles(bundle)] == ["root", "intermediate", "leaf"]
    assert [w.code for w in bundle.warnings] == ["ber-encoding"]


def test_ber_pkcs7_from_real_world_vector_becomes_a_warning_not_noise() -> None:
    bundle = certconv.load(VECTORS / "pkcs7" / "amazon-roots.p7b")
    assert [r for r, _ in roles(bundle)] == ["root", "root"]
    assert [w.code for w in bundle.warnings] == ["ber-encoding"]


def test_pem_pkcs7_block(pki: Pki) -> None:
    bundle = certconv.load(to_p7b(pki.chain, pem=True))
    assert roles(bundle) == expected_roles(pki)


def test_base64_without_pem_armour(pki: Pki) -> None:
    import base64

    bundle = certconv.load(base64.encodebytes(to_p7b(pki.chain)))
    assert roles(bundle) == expected_roles(pki)


def test_several_inputs_are_merged(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "leaf.cer").write_bytes(pki.leaf.der)
    (tmp_path / "cas.p7b").write_bytes(to_p7b([pki.intermediate, pki.root]))
    bundle = certconv.load([tmp_path / "leaf.cer", tmp_path / "cas.p7b"])
    assert roles(bundle) == expected_roles(pki)
    assert bundle.formats == ("DER", "PKCS#7")
    assert bundle.inputs == (str(tmp_path / "leaf.cer"), str(tmp_path / "cas.p7b"))


def test_named_source_keeps_its_name_in_errors() -> None:
    with pytest.raises(certconv.UnsupportedFormatError) as info:
        certconv.load(Source("<stdin>", b"hello, world"))
    assert str(info.value).startswith("<stdin>: ")


# -- PKCS#12 specifics -------------------------------------------------------------------


def test_empty_password_pfx_opens_without_a_password(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "in.pem").write_bytes(to_pem([pki.leaf, pki.intermediate], with_key=pki.leaf))
    out = tmp_path / "empty.pfx"
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-in", str(tmp_path / "in.pem"), "-passout", "pass:", "-out", str(out)],
        check=True,
    )
    assert len(certconv.load(out).certificates) == 2


def test_missing_password_is_its_own_error(pki: Pki) -> None:
    with pytest.raises(certconv.PasswordRequiredError):
        certconv.load(serialize(pki, "pfx"))


@pytest.mark.parametrize("fmt", ["pfx", "pfx-legacy"])
def test_wrong_password_is_told_apart_from_corruption(pki: Pki, fmt: str) -> None:
    data = serialize(pki, fmt)
    with pytest.raises(certconv.WrongPasswordError) as info:
        certconv.load(data, password="not-the-password")
    assert "not-the-password" not in str(info.value)


def test_friendly_names_are_kept() -> None:
    bundle = certconv.load(VECTORS / "pkcs12" / "name-all-pwd.p12", password="password")
    assert {c.friendly_name for c in bundle.certificates} == {"name", "name2", "name3"}


def test_unicode_friendly_names() -> None:
    bundle = certconv.load(VECTORS / "pkcs12" / "name-unicode-pwd.p12", password="password")
    assert {c.friendly_name for c in bundle.certificates} == {"☺", "ä", "ç"}


def test_java_truststore_certificate_only_pfx() -> None:
    bundle = certconv.load(VECTORS / "pkcs12" / "java-truststore.p12", password="changeit")
    assert len(bundle.certificates) == 2
    assert not any(c.has_private_key for c in bundle.certificates)


@pytest.mark.parametrize(
    "vector",
    ["cert-rc2-key-3des.p12", "cert-key-aes256cbc.p12", "cert-none-key-none.p12", "cert-aes256cbc-no-key.p12"],
)
def test_real_world_pkcs12_encryptions(vector: str) -> None:
    bundle = certconv.load(VECTORS / "pkcs12" / vector, password="cryptography")
    assert roles(bundle) == [("root", "cryptography CA")]


def test_keytool_made_truststore(pki: Pki, tmp_path: Path) -> None:
    cert = tmp_path / "root.cer"
    cert.write_bytes(pki.root.der)
    store = tmp_path / "trust.p12"
    subprocess.run(
        [
            "keytool",
            "-importcert",
            "-noprompt",
            "-alias",
            "root",
            "-file",
            str(cert),
            "-keystore",
            str(store),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
        ],
        check=True,
        capture_output=True,
    )
    bundle = certconv.load(store, password="changeit")
    assert [c.der for c in bundle.certificates] == [pki.root.der]


def test_openssl_legacy_export_is_read(rsa_pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "leaf.pem").write_bytes(to_pem([rsa_pki.leaf], with_key=rsa_pki.leaf))
    (tmp_path / "cas.pem").write_bytes(to_pem([rsa_pki.intermediate, rsa_pki.root]))
    out = tmp_path / "legacy.pfx"
    subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-legacy",
            "-in",
            str(tmp_path / "leaf.pem"),
            "-certfile",
            str(tmp_path / "cas.pem"),
            "-passout",
            "pass:old windows",
            "-out",
            str(out),
        ],
        check=True,
    )
    bundle = certconv.load(out, password="old windows")
    assert roles(bundle) == expected_roles(rsa_pki)
    assert bundle.leaves[0].has_private_key


# -- errors ------------------------------------------------------------------------------


def test_unknown_bytes_are_an_unsupported_format() -> None:
    with pytest.raises(certconv.UnsupportedFormatError):
        certconv.load(b"\x89PNG\r\n\x1a\n" + bytes(100))


def test_key_without_certificate_is_no_certificate(pki: Pki) -> None:
    key = pki.leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(certconv.NoCertificateError, match="private key but no certificate"):
        certconv.load(key)


def test_a_private_key_of_an_unknown_algorithm_is_a_warning_and_the_certificates_are_read(pki: Pki) -> None:
    # PKCS#8 naming an algorithm cryptography does not know (1.3.101.120): UnsupportedAlgorithm.
    der = x25519.X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    x25519_oid = bytes.fromhex("06032b656e")  # 1.3.101.110
    assert der.count(x25519_oid) == 1
    unknown = der.replace(x25519_oid, bytes.fromhex("06032b6578"))
    pem = b"-----BEGIN PRIVATE KEY-----\n" + base64.encodebytes(unknown) + b"-----END PRIVATE KEY-----\n"
    bundle = certconv.load(pki.leaf.pem + pem)
    assert [c.der for c in bundle.certificates] == [pki.leaf.der]
    assert bundle.private_keys == ()
    assert [(w.code, w.message) for w in bundle.warnings if w.code == "unreadable-key"] == [
        ("unreadable-key", "<bytes>: PEM block 2 (PRIVATE KEY): private key of an unsupported type ignored")
    ]


def test_broken_base64_names_the_block(pki: Pki) -> None:
    broken = pki.leaf.pem + pki.root.pem.replace(b"\n", b"\n!!", 2)
    with pytest.raises(certconv.CorruptInputError, match=r"PEM block 2 \(CERTIFICATE\)"):
        certconv.load(broken)


def test_truncated_pem_says_so(pki: Pki) -> None:
    with pytest.raises(certconv.CorruptInputError, match="no END line"):
        certconv.load(pki.leaf.pem[:-40])


def test_csr_is_named_as_such(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    csr = subprocess.run(
        [
            "openssl",
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(key),
            "-subj",
            "/CN=x",
            "-outform",
            "DER",
        ],
        check=True,
        capture_output=True,
    ).stdout
    with pytest.raises(certconv.CorruptInputError, match="signing request"):
        certconv.load(csr)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(certconv.InputError, match="no such file"):
        certconv.load(tmp_path / "nope.pfx")


def test_empty_input_list_is_an_error() -> None:
    with pytest.raises(certconv.InputError):
        certconv.load([])


def test_oversized_input_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(certconv.InputTooLargeError):
        certconv.load(big, max_input_size=1024)


def test_negative_serial_number_is_a_warning_not_an_error() -> None:
    # Real CAs issued such certificates; cryptography warns, certconv records it.
    import certifi

    bundle = certconv.load(certifi.where())
    flagged = [w for w in bundle.warnings if w.code == "nonconformant"]
    assert flagged and all(w.sha1 for w in flagged)
    assert {bundle.by_sha1(w.sha1 or "").role for w in flagged} == {Role.ROOT}


def test_chain_of_another_pki_is_not_mixed_up() -> None:
    a, b = make_chain("A"), make_chain("B")
    bundle = certconv.load(to_pem(a.chain + b.chain))
    assert len(bundle.chains) == 2
    for chain in bundle.chains:
        prefix = chain.top.common_name.split()[0]
        assert all(c.common_name.startswith(prefix) or c.role is Role.LEAF for c in chain)
