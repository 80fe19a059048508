"""Java keystores in: JKS and JCEKS made by the real keytool, read and compared with ``keytool -list -v``.

keytool makes the stores once per run (session fixture): trusted entries for a
root and an intermediate, a key entry imported from a PKCS#12 (EC key, full
chain), a key entry keytool generated and then replaced by a CA-signed reply
(RSA), and in the JCEKS store a secret key. Crafted shapes keytool cannot make
(version 1, 100,000 declared entries, hostile serialization) come from
tests/keystores.py, whose output keytool reads too.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from keystores import KeyEntry, Secret, Trusted, sealed_object, to_keystore
from pki import DAY, NOW, Issued, Pki, make_chain, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app
from certconv.readers import _java_serial, _jks, _jks_keys

STOREPASS = "st0re-Pass"
KINDS = ("JKS", "JCEKS")
pytestmark = pytest.mark.skipif(shutil.which("keytool") is None, reason="keytool (a JRE) is the oracle here")


def keytool(*args: str | Path) -> str:
    done = subprocess.run(["keytool", *map(str, args)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass(frozen=True)
class Stores:
    """Keystores made by keytool, by type: ``single`` (two trusted CAs + one key entry) and ``full``."""

    pki: Pki
    app_leaf: x509.Certificate
    single: dict[str, Path]
    full: dict[str, Path]
    keypass: dict[str, Path]  # one key entry whose key password is not the store password


def _sign_request(csr_pem: bytes, issuer: Issued) -> x509.Certificate:
    csr = x509.load_pem_x509_csr(csr_pem)
    return (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(issuer.cert.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 90 * DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("app.example")]), critical=False)
        .sign(issuer.key, hashes.SHA256())  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    pki = make_chain("Java")
    work = tmp_path_factory.mktemp("keystores")
    (work / "root.cer").write_bytes(pki.root.der)
    (work / "intermediate.cer").write_bytes(pki.intermediate.der)
    (work / "backend.p12").write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=b"p12-pass"))
    single, full, keypass = {}, {}, {}
    app_leaf = None
    for kind in KINDS:
        store = work / f"single.{kind.lower()}"
        common = ("-storetype", kind, "-keystore", store, "-storepass", STOREPASS, "-noprompt")
        keytool("-importcert", "-alias", "root", "-file", work / "root.cer", *common)
        keytool("-importcert", "-alias", "intermediate", "-file", work / "intermediate.cer", *common)
        keytool(
            "-importkeystore", "-srckeystore", work / "backend.p12", "-srcstoretype", "PKCS12",
            "-srcstorepass", "p12-pass", "-srcalias", "backend", "-destalias", "backend",
            "-destkeystore", store, "-deststoretype", kind, "-deststorepass", STOREPASS, "-destkeypass", STOREPASS,
            "-noprompt",
        )  # fmt: skip
        single[kind] = store
        full[kind] = work / f"full.{kind.lower()}"
        shutil.copy(store, full[kind])
        common = ("-storetype", kind, "-keystore", full[kind], "-storepass", STOREPASS, "-noprompt")
        keytool("-genkeypair", "-alias", "app", "-keyalg", "RSA", "-dname", "CN=app.example", *common)
        keytool("-certreq", "-alias", "app", "-file", work / f"app-{kind}.csr", *common)
        app_leaf = _sign_request((work / f"app-{kind}.csr").read_bytes(), pki.intermediate)
        reply = work / f"app-{kind}.pem"
        reply.write_bytes(app_leaf.public_bytes(serialization.Encoding.PEM) + pki.intermediate.pem + pki.root.pem)
        keytool("-importcert", "-alias", "app", "-file", reply, "-trustcacerts", *common)
        if kind == "JCEKS":
            keytool("-genseckey", "-alias", "secret", "-keyalg", "AES", "-keysize", "128", *common)
        keypass[kind] = work / f"keypass.{kind.lower()}"
        keytool(
            "-genkeypair", "-alias", "solo", "-keyalg", "EC", "-dname", "CN=solo.example", "-keypass", "other-pass",
            "-storetype", kind, "-keystore", keypass[kind], "-storepass", STOREPASS,
        )  # fmt: skip
    assert app_leaf is not None
    return Stores(pki, app_leaf, single, full, keypass)


def keytool_listing(path: Path, kind: str) -> dict[str, tuple[str, list[str]]]:
    """alias -> (entry type, SHA-256 fingerprints of its certificates), from ``keytool -list -v``."""
    text = keytool("-list", "-v", "-storetype", kind, "-keystore", path, "-storepass", STOREPASS)
    found = {}
    for block in text.split("Alias name: ")[1:]:
        alias = block.splitlines()[0].strip()
        entry_type = re.search(r"^Entry type: (\S+)", block, re.MULTILINE)
        prints = re.findall(r"^\s*SHA256: ([0-9A-F:]+)$", block, re.MULTILINE)
        assert entry_type is not None
        found[alias] = (entry_type.group(1), [p.replace(":", "") for p in prints])
    return found


def load(path: Path | bytes, password: str | None = STOREPASS) -> certconv.Bundle:
    return certconv.load(path, password=password)


def codes(bundle: certconv.Bundle) -> set[str]:
    return {w.code for w in bundle.warnings}


# -- what keytool made, read -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_certificate_keytool_lists_is_read_with_its_entry_type(stores: Stores, kind: str) -> None:
    listing = keytool_listing(stores.full[kind], kind)
    assert set(listing) == {"root", "intermediate", "backend", "app"} | ({"secret"} if kind == "JCEKS" else set())
    bundle = load(stores.full[kind])
    assert bundle.formats == (kind,)
    listed = {fp for _, prints in listing.values() for fp in prints}
    assert {c.sha256 for c in bundle.certificates} == listed
    for alias, (entry_type, prints) in listing.items():
        if entry_type == "SecretKeyEntry":
            assert not prints
            continue
        own = bundle.by_sha1(next(c.sha1 for c in bundle.certificates if c.sha256 == prints[0]))
        assert own.friendly_name == alias
        assert own.has_private_key is (entry_type == "PrivateKeyEntry")


@pytest.mark.parametrize("kind", KINDS)
def test_roles_follow_the_chains_in_the_keystore(stores: Stores, kind: str) -> None:
    bundle = load(stores.full[kind])
    assert [(c.role.value, c.common_name) for c in bundle.certificates] == [
        ("root", "Java Root CA"),
        ("intermediate", "Java Intermediate CA"),
        ("leaf", "*.backend.example"),
        ("leaf", "app.example"),
    ]
    assert all(chain.complete and len(chain.certificates) == 3 for chain in bundle.chains)


@pytest.mark.parametrize("kind", KINDS)
def test_both_private_keys_are_read_and_match_their_leaves(stores: Stores, kind: str) -> None:
    bundle = load(stores.full[kind])
    assert len(bundle.private_keys) == 2
    assert {c.common_name for c in bundle.certificates if c.has_private_key} == {"*.backend.example", "app.example"}
    assert not codes(bundle) & {"unmatched-key", "unreadable-key", "encrypted-key", "keystore-integrity-unchecked"}


def test_secret_key_entry_is_skipped_with_a_warning(stores: Stores) -> None:
    bundle = load(stores.full["JCEKS"])
    skipped = [w.message for w in bundle.warnings if w.code == "keystore-entry-skipped"]
    expected = "JCEKS entry 'secret': secret-key entry skipped (certconv reads certificates)"
    assert skipped == [f"{stores.full['JCEKS']}: {expected}"]


@pytest.mark.parametrize("kind", KINDS)
def test_inspect_says_the_key_matches_the_leaf(stores: Stores, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORE_PASSWORD", STOREPASS)
    result = CliRunner().invoke(app, ["inspect", str(stores.single[kind]), "--password-env", "STORE_PASSWORD"])
    assert result.exit_code == 0, result.output
    assert f"{stores.single[kind]}  {kind} · 3 certificates · 1 private key" in result.stdout
    leaf_line = next(line for line in result.stdout.splitlines() if "*.backend.example" in line and "leaf" in line)
    assert "private key matches" in leaf_line


@pytest.mark.parametrize("kind", KINDS)
def test_convert_to_pfx_carries_the_key_openssl_shows(stores: Stores, kind: str, tmp_path: Path) -> None:
    out = tmp_path / "backend.pfx"
    certconv.convert(stores.single[kind], out, to="pfx", password=STOREPASS, new_password="n3w-Secret")
    done = subprocess.run(
        ["openssl", "pkcs12", "-in", str(out), "-info", "-nodes", "-passin", "pass:n3w-Secret"],
        capture_output=True,
        text=True,
        check=True,
    )
    key_pem = re.search(r"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----\n", done.stdout, re.DOTALL)
    assert key_pem is not None
    key = serialization.load_pem_private_key(key_pem.group(0).encode(), None)
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert key.public_key().public_bytes(*spki) == stores.pki.leaf.cert.public_key().public_bytes(*spki)
    assert "friendlyName: backend" in done.stdout  # the alias, carried on


# -- passwords -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_store_password_is_refused(stores: Stores, kind: str) -> None:
    with pytest.raises(certconv.WrongPasswordError, match=f"wrong password for the {kind} keystore"):
        load(stores.full[kind], "not-the-password")


@pytest.mark.parametrize("kind", KINDS)
def test_without_a_password_certificates_are_read_and_the_unchecked_integrity_said(stores: Stores, kind: str) -> None:
    bundle = load(stores.full[kind], None)
    assert len(bundle.certificates) == 4 and not bundle.private_keys
    unchecked = [w.message for w in bundle.warnings if w.code == "keystore-integrity-unchecked"]
    assert len(unchecked) == 1 and "integrity was not checked" in unchecked[0]
    assert [w.code for w in bundle.warnings].count("encrypted-key") == 2  # one per key entry


@pytest.mark.parametrize("kind", KINDS)
def test_a_key_with_its_own_password_is_not_read_but_its_certificate_is(stores: Stores, kind: str) -> None:
    bundle = load(stores.keypass[kind])
    assert [c.common_name for c in bundle.certificates] == ["solo.example"] and not bundle.private_keys
    [warning] = [w.message for w in bundle.warnings if w.code == "unreadable-key"]
    assert "entry 'solo': private key not read: its password is not the one given" in warning


@pytest.mark.parametrize("kind", KINDS)
def test_right_password_on_a_damaged_store_is_called_damage(stores: Stores, kind: str) -> None:
    data = bytearray(stores.single[kind].read_bytes())
    data[-30] ^= 1  # inside the last certificate's signature: the hash fails, the key still decrypts
    with pytest.raises(certconv.CorruptInputError, match=r"password is right .* but the keystore is damaged"):
        load(bytes(data))


def test_cli_wrong_password_is_one_line_and_exit_1(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORE_PASSWORD", "wrong")
    path = stores.full["JKS"]
    result = CliRunner().invoke(app, ["inspect", str(path), "--password-env", "STORE_PASSWORD"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: wrong password for the JKS keystore") and result.stderr.count(
        "\n"
    ) == 1


# -- crafted stores (tests/keystores.py, which keytool reads too) --------------------------


@pytest.fixture(scope="module")
def crafted() -> Pki:
    return make_chain("Crafted")


@pytest.mark.parametrize("kind", KINDS)
def test_keytool_reads_the_crafted_stores(crafted: Pki, kind: str, tmp_path: Path) -> None:
    path = tmp_path / "crafted"
    entries = [Trusted("root", crafted.root.der), KeyEntry("leaf", crafted.leaf, [crafted.leaf.der], iterations=10)]
    path.write_bytes(to_keystore(entries, STOREPASS, kind=kind))
    listing = keytool_listing(path, kind)
    assert {alias: t for alias, (t, _) in listing.items()} == {"root": "trustedCertEntry", "leaf": "PrivateKeyEntry"}
    keytool(  # the key decrypts in Java too
        "-exportcert", "-rfc", "-alias", "leaf", "-storetype", kind, "-keystore", path, "-storepass", STOREPASS,
    )  # fmt: skip
    assert len(load(path).private_keys) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_version_1_stores_without_certificate_types_are_read(crafted: Pki, kind: str) -> None:
    entries = [Trusted("root", crafted.root.der), KeyEntry("leaf", crafted.leaf, [crafted.leaf.der], iterations=10)]
    bundle = load(to_keystore(entries, STOREPASS, kind=kind, version=1))
    assert [c.friendly_name for c in bundle.certificates] == ["root", "leaf"] and len(bundle.private_keys) == 1


def test_hundred_thousand_declared_entries_are_refused_before_any_is_read(
    crafted: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = []
    real = x509.load_der_x509_certificate

    def counting(data: bytes) -> x509.Certificate:
        parsed.append(1)
        return real(data)

    monkeypatch.setattr(x509, "load_der_x509_certificate", counting)
    entry = struct.pack(">I", 2) + struct.pack(">H", 1) + b"a" + bytes(8) + b"\x00\x05X.509"
    entry += struct.pack(">I", len(crafted.root.der)) + crafted.root.der
    data = b"\xfe\xed\xfe\xed" + struct.pack(">II", 2, 100_000) + entry * 100_000 + bytes(20)
    with pytest.raises(certconv.UnsafeInputError) as caught:
        load(data)
    message = str(caught.value)
    assert "declares 100,000 entries" in message and "\n" not in message
    assert parsed == []


def _store(crafted: Pki, kind: str = "JKS") -> bytes:
    return to_keystore(
        [
            Trusted("root", crafted.root.der),
            KeyEntry("leaf", crafted.leaf, [crafted.leaf.der, crafted.intermediate.der], iterations=10),
        ],
        STOREPASS,
        kind=kind,
    )


def _offsets(data: bytes) -> dict[str, int]:
    """Cut points inside each field of ``_store``'s layout."""
    root_entry = 12
    alias_end = root_entry + 4 + 2 + 4
    root_len = int.from_bytes(data[alias_end + 8 + 7 : alias_end + 8 + 11], "big")
    key_entry = alias_end + 8 + 11 + root_len
    return {
        "header": 7,
        "alias": root_entry + 4 + 3,
        "timestamp": alias_end + 3,
        "certificate": alias_end + 8 + 11 + 50,
        "protected private key": key_entry + 4 + 2 + 4 + 8 + 4 + 30,
        "hash": len(data) - 5,
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("cut", "named"),
    [
        ("header", "its header: the version"),
        ("alias", "entry 1 of 2: the alias"),
        ("timestamp", "entry 1 ('root'): the timestamp"),
        ("certificate", "entry 1 ('root'): the certificate needs"),
        ("protected private key", "entry 2 ('leaf'): the protected private key"),
        ("hash", "its integrity hash: the SHA-1 hash"),
    ],
)
def test_truncated_store_names_what_was_cut(crafted: Pki, kind: str, cut: str, named: str) -> None:
    data = _store(crafted, kind)
    with pytest.raises(certconv.CorruptInputError) as caught:
        load(data[: _offsets(data)[cut]])
    assert f"{kind} keystore is truncated in {named}" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_every_truncation_is_one_certconv_error(crafted: Pki) -> None:
    data = _store(crafted, "JCEKS")
    for end in range(0, len(data), 7):
        with pytest.raises(certconv.CertconvError) as caught:
            load(data[:end])
        assert "\n" not in str(caught.value)


def test_data_after_the_hash_is_refused(crafted: Pki) -> None:
    with pytest.raises(certconv.CorruptInputError, match="bytes after its integrity hash"):
        load(_store(crafted) + b"\0")


def test_unknown_version_is_named(crafted: Pki) -> None:
    data = b"\xfe\xed\xfe\xed\x00\x00\x00\x07" + _store(crafted)[8:]
    with pytest.raises(certconv.UnsupportedFormatError, match="JKS keystore of version 7"):
        load(data)


def test_absurd_chain_length_is_refused(crafted: Pki) -> None:
    entries = [KeyEntry("leaf", crafted.leaf, [crafted.leaf.der] * (_jks.MAX_CHAIN + 1))]
    with pytest.raises(certconv.UnsafeInputError, match=f"chain of {_jks.MAX_CHAIN + 1} certificates"):
        load(to_keystore(entries, STOREPASS))


def test_jceks_key_work_is_bounded_and_the_certificate_still_read(
    crafted: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds = _jks_keys.MAX_KEY_ITERATIONS // 2 + 1  # two halves each: just over the budget
    entry = KeyEntry("leaf", crafted.leaf, [crafted.leaf.der], iterations=1, declared_iterations=rounds)
    data = to_keystore([entry], STOREPASS, kind="JCEKS")
    md5_calls = []
    real_md5 = _jks_keys.hashlib.md5
    monkeypatch.setattr(_jks_keys.hashlib, "md5", lambda data=b"": md5_calls.append(1) or real_md5(data))
    bundle = load(data)
    assert [c.common_name for c in bundle.certificates] == ["*.backend.example"] and not bundle.private_keys
    assert md5_calls == []  # refused by count before the first round
    assert any("asks for 2,500,001 rounds" in w.message for w in bundle.warnings if w.code == "unreadable-key")


def test_secret_entry_that_cannot_be_stepped_over_is_a_clear_error(crafted: Pki) -> None:
    stream = b"\xac\xed\x00\x05\x7b"  # TC_EXCEPTION: nothing a sealed key holds
    data = to_keystore([Trusted("root", crafted.root.der), Secret("odd", stream)], STOREPASS, kind="JCEKS")
    with pytest.raises(certconv.UnsupportedFormatError) as caught:
        load(data)
    assert "secret-key entries are not supported" in str(caught.value) and "\n" not in str(caught.value)


def test_hand_built_secret_entries_are_skipped(crafted: Pki) -> None:
    entries = [Secret("a"), Trusted("root", crafted.root.der), Secret("b", sealed_object(b"x" * 5000))]
    bundle = load(to_keystore(entries, STOREPASS, kind="JCEKS"))
    assert [c.friendly_name for c in bundle.certificates] == ["root"]
    assert [w.code for w in bundle.warnings].count("keystore-entry-skipped") == 2


def test_secret_entry_in_a_jks_store_is_damage(crafted: Pki) -> None:
    with pytest.raises(certconv.CorruptInputError, match="unknown type 3"):
        load(to_keystore([Secret("a"), Trusted("root", crafted.root.der)], STOREPASS, kind="JKS"))


def test_alias_with_control_characters_is_printable_in_messages(crafted: Pki) -> None:
    nasty = "evil\x1b[31m\nalias"
    data = to_keystore([KeyEntry(nasty, crafted.leaf, [crafted.leaf.der], password="other")], STOREPASS)
    bundle = load(data)
    [warning] = [w.message for w in bundle.warnings if w.code == "unreadable-key"]
    assert "entry 'evil\\x1b[31m\\nalias'" in warning
    assert bundle.certificates[0].friendly_name == nasty  # kept as stored, as PKCS#12 friendly names are


def test_modified_utf8_alias_is_decoded() -> None:
    # Java writes NUL as C0 80 and U+1F512 as a surrogate pair, each half three bytes (CESU-8).
    raw = b"a\xc0\x80b" + "\U0001f512".encode("utf-16-be").decode("utf-16-be", "surrogatepass").encode(
        "utf-8", "surrogatepass"
    )
    assert _java_serial.java_utf(raw) == "a\0b\U0001f512"
    assert _java_serial.java_utf(b"\xed\xa0\x80") == "\ufffd"  # a lone surrogate cannot be written out again
    assert _java_serial.java_utf(b"a\x8bb") == "a\ufffdb"  # not even modified UTF-8


@pytest.mark.parametrize("kind", KINDS)
def test_a_key_that_decrypts_to_no_key_is_a_warning(crafted: Pki, kind: str) -> None:
    entry = KeyEntry("odd", crafted.leaf, [crafted.leaf.der], iterations=10, plaintext=b"\x30\x03\x02\x01\x07")
    bundle = load(to_keystore([entry], STOREPASS, kind=kind))
    assert len(bundle.certificates) == 1 and not bundle.private_keys
    [warning] = [w.message for w in bundle.warnings if w.code == "unreadable-key"]
    assert "private key not read: damaged or of an unsupported type" in warning


def test_empty_keystore_holds_no_certificate() -> None:
    with pytest.raises(certconv.NoCertificateError, match="JKS input holds no certificate"):
        load(to_keystore([], STOREPASS))


def test_import_certconv_does_not_load_the_keystore_reader() -> None:
    code = "import sys, certconv; certconv.load; print('certconv.readers._jks' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

