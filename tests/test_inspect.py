"""certconv inspect: the tree, every detail (checked against openssl x509), problems, colour, JSON, CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID
from pki import DAY, FORMATS, NOW, Pki, issue, make_chain, make_key, name, serialize, to_p7b, to_pem, to_pfx
from test_verify import issue_with, ku
from typer.testing import CliRunner
from work import counted

import certconv
from certconv import Source
from certconv.cli import app

SAMPLES = Path(__file__).parent.parent / "samples"
DOCS = Path(__file__).parent.parent / "docs"
SAMPLE_PASSWORD = (SAMPLES / "password.txt").read_text().splitlines()[0]
ESC = "\033["


def tree_rows(text: str) -> list[tuple[int, str, str]]:
    """(depth, role, name) of each certificate row of a rendered tree."""
    rows = []
    for line in text.splitlines():
        match = re.match(r"^((?:│   |    )*)(?:├── |└── )(root|intermediate|leaf)\s+(.+?)\s{2,}", line)
        if match:
            rows.append((len(match.group(1)) // 4, match.group(2), match.group(3)))
    return rows


def openssl_x509(pem: bytes, *args: str) -> str:
    done = subprocess.run(["openssl", "x509", "-noout", *args], input=pem, capture_output=True, check=True)
    return done.stdout.decode()


# --- the tree --------------------------------------------------------------------------


def test_sample_tree_has_the_root_at_the_top_and_the_leaf_at_the_bottom() -> None:
    text = certconv.inspect(SAMPLES / "bundle.pfx", password=SAMPLE_PASSWORD).render()
    assert text.splitlines()[0] == f"{SAMPLES / 'bundle.pfx'}  PKCS#12 · 3 certificates · 1 private key"
    assert tree_rows(text) == [
        (0, "root", "Contoso Sample Root CA"),
        (1, "intermediate", "Contoso Sample Intermediate CA"),
        (2, "leaf", "*.backend.example"),
    ]


def test_every_child_in_the_tree_was_issued_by_its_parent_says_openssl(tmp_path: Path) -> None:
    pem = subprocess.run(
        ["openssl", "pkcs12", "-in", SAMPLES / "bundle.pfx", "-nokeys", "-passin", f"pass:{SAMPLE_PASSWORD}"],
        capture_output=True,
        check=True,
    ).stdout
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", pem, re.S)
    assert len(blocks) == 3
    issuer_of = {}
    for block in blocks:
        fingerprint = openssl_x509(block, "-fingerprint", "-sha1").strip().split("=", 1)[1].replace(":", "")
        issuer_of[fingerprint] = openssl_x509(block, "-issuer", "-nameopt", "RFC2253").strip().removeprefix("issuer=")
    doc = certconv.inspect(SAMPLES / "bundle.pfx", password=SAMPLE_PASSWORD).to_dict()
    subjects = {c["sha1"]: c["subject"] for c in doc["certificates"]}

    def walk(node: dict[str, object], parent: str | None) -> int:
        sha1 = str(node["sha1"])
        expected = subjects[sha1] if parent is None else subjects[parent]
        assert issuer_of[sha1] == expected  # a top is self-signed: its own issuer
        children = node["children"]
        assert isinstance(children, list)
        return 1 + sum(walk(child, sha1) for child in children)

    assert sum(walk(top, None) for top in doc["tree"]) == 3


def test_two_leaves_of_one_intermediate_share_its_branch(pki: Pki) -> None:
    other = issue("api.example", pki.intermediate, san=["api.example"])
    text = certconv.inspect(to_pem([pki.leaf, other, pki.intermediate, pki.root])).render()
    assert tree_rows(text) == [
        (0, "root", "Test Root CA"),
        (1, "intermediate", "Test Intermediate CA"),
        (2, "leaf", "*.backend.example"),
        (2, "leaf", "api.example"),
    ]
    assert "        ├── leaf" in text and "        └── leaf" in text


def test_ca_certificates_outside_every_chain_are_shown(pki: Pki) -> None:
    stranger = make_chain("Stranger")
    text = certconv.inspect(to_pem([*pki.chain, stranger.root, stranger.intermediate])).render()
    rows = tree_rows(text)
    assert (0, "root", "Stranger Root CA") in rows
    assert (1, "intermediate", "Stranger Intermediate CA") in rows
    assert len(rows) == 5
    assert "├── root" in text  # two trees: the first is not the last


def test_a_leaf_without_its_issuer_is_a_top_that_names_the_issuer(pki: Pki) -> None:
    inspection = certconv.inspect(pki.leaf.pem)
    text = inspection.render()
    assert tree_rows(text) == [(0, "leaf", "*.backend.example")]
    assert "issuer: CN=Test Intermediate CA,O=certconv tests (not in the input)" in text
    assert "Problems:" in text and "  missing-issuer: the issuer of '*.backend.example'" in text


def test_the_issuer_is_not_repeated_when_the_tree_shows_it(pki: Pki) -> None:
    text = certconv.inspect(to_pem(pki.chain)).render()
    assert "issuer:" not in text


# --- details ---------------------------------------------------------------------------


def test_details_of_the_sample_match_openssl() -> None:
    inspection = certconv.inspect(SAMPLES / "fullchain.pem")
    text = inspection.render(full=True)
    for details in inspection.details:
        cert = details.certificate
        pem = to_pem_bytes(cert.der)
        assert f"SHA-1 {cert.sha1}" in text and f"SHA-256 {cert.sha256}" in text
        assert openssl_x509(pem, "-fingerprint", "-sha1").strip().endswith(_colons(cert.sha1))
        assert openssl_x509(pem, "-fingerprint", "-sha256").strip().endswith(_colons(cert.sha256))
        assert int(openssl_x509(pem, "-serial").strip().removeprefix("serial="), 16) == int(cert.serial, 16)
        text_out = openssl_x509(pem, "-text")
        assert f"Signature Algorithm: {details.signature_algorithm}" in text_out
        assert "Public-Key: (2048 bit)" in text_out and details.key_description == "RSA 2048"
        if details.san:
            assert ", ".join(details.san) in text_out
    leaf = inspection.bundle.leaves[0]
    leaf_details = inspection.details_for(leaf)
    assert leaf_details.key_usage == ("digitalSignature", "keyEncipherment")
    assert leaf_details.extended_key_usage == ("serverAuth",)
    intermediate = inspection.details_for(inspection.bundle.intermediates[0])
    assert (intermediate.basic_constraints_ca, intermediate.path_length) == (True, 0)
    assert "CA:TRUE, pathlen:0" in text and "CA:FALSE" in text
    assert "SAN: DNS:*.backend.example, DNS:backend.example" in text
    assert "key usage: digitalSignature, keyEncipherment · EKU: serverAuth" in text


def test_access_urls_crl_and_key_types(pki: Pki) -> None:
    aia = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://pki.example/int.cer")
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.example")
            ),
        ]
    )
    crl = x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier("http://pki.example/int.crl")], None, None, None)]
    )
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])
    leaf = issue_with(
        "urls.example",
        pki.intermediate,
        extensions=[(aia, False), (crl, False), (eku, False), (ku(digital_signature=True), True)],
    )
    inspection = certconv.inspect(to_pem([leaf, pki.intermediate, pki.root]))
    text = inspection.render()
    assert (
        "AIA caIssuers: http://pki.example/int.cer · OCSP: http://ocsp.example · CRL: http://pki.example/int.crl"
        in text
    )
    assert "EKU: serverAuth, clientAuth" in text
    doc = inspection.to_dict()
    entry = next(c for c in doc["certificates"] if c["common_name"] == "urls.example")
    assert entry["ca_issuers"] == ["http://pki.example/int.cer"]
    assert entry["ocsp"] == ["http://ocsp.example"]
    assert entry["crl_distribution_points"] == ["http://pki.example/int.crl"]
    assert entry["key"] == {"type": "EC", "size": 256, "curve": "P-256"}
    assert entry["key_usage"] == ["digitalSignature"]
    assert entry["basic_constraints"] is None
    assert "no basicConstraints" in text


@pytest.mark.parametrize(("kind", "described"), [("ed25519", "Ed25519"), ("ed448", "Ed448")])
def test_edwards_keys(kind: str, described: str) -> None:
    root = issue("Edwards Root", ca=True, key_kind=kind)
    details = certconv.inspect(root.pem).details[0]
    assert details.key_description == described
    assert details.signature_hash is None


def test_sha1_signature_is_flagged_on_an_intermediate_not_on_a_root(tmp_path: Path) -> None:
    root, intermediate = openssl_sha1_chain(tmp_path)
    inspection = certconv.inspect(intermediate + root)
    by_role = {d.certificate.role.value: d for d in inspection.details}
    assert by_role["root"].signature_hash == "sha1" and not by_role["root"].weak_signature
    assert by_role["intermediate"].signature_hash == "sha1" and by_role["intermediate"].weak_signature
    text = inspection.render()
    assert text.count("(weak: sha1 signatures are rejected by clients)") == 1
    assert "signature: ecdsa-with-SHA1 (weak" in text


def test_thumbprints_are_short_unless_full(pki: Pki) -> None:
    cert = certconv.load(pki.root.pem).certificates[0]
    inspection = certconv.inspect(pki.root.pem)
    assert f"SHA-1 {cert.sha1[:8]}… · SHA-256 {cert.sha256[:8]}…" in inspection.render()
    assert f"SHA-1 {cert.sha1} · SHA-256 {cert.sha256}" in inspection.render(full=True)
    assert cert.sha1 not in inspection.render()


def test_private_key_is_shown_only_where_it_matches(pki: Pki) -> None:
    with_key = certconv.inspect(to_pfx(pki.leaf, [pki.intermediate, pki.root]), password="changeit").render()
    assert with_key.splitlines()[0].endswith("3 certificates · 1 private key")
    keyed = [line for line in with_key.splitlines() if "🔑" in line]
    assert len(keyed) == 1 and "leaf" in keyed[0]
    without = certconv.inspect(to_p7b(pki.chain)).render()
    assert without.splitlines()[0].endswith("3 certificates · no private key")
    assert "🔑" not in without


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_input_kind(fmt: str, pki: Pki) -> None:
    inspection = certconv.inspect(Source(f"bundle.{fmt}", serialize(pki, fmt)), password="changeit")
    rows = tree_rows(inspection.render())
    assert [role for _, role, _ in rows] == ["root", "intermediate", "leaf"]
    holds_key = fmt in ("pem", "pfx", "pfx-legacy", "pfx-nopass")
    assert inspection.bundle.leaves[0].has_private_key is holds_key


def test_header_names_each_input_and_its_format(pki: Pki) -> None:
    inspection = certconv.inspect(
        [Source("leaf.cer", pki.leaf.der), Source("cas.p7b", to_p7b([pki.intermediate, pki.root]))]
    )
    assert inspection.render().splitlines()[0] == "leaf.cer  DER + cas.p7b  PKCS#7 · 3 certificates · no private key"


# --- validity and colour ---------------------------------------------------------------


def test_validity_wording_and_highlighting(pki: Pki) -> None:
    soon = issue("soon.example", pki.intermediate, not_after=NOW + 10 * DAY)
    old = issue("old.example", pki.intermediate, not_before=NOW - 100 * DAY, not_after=NOW - 3 * DAY)
    future = issue("future.example", pki.intermediate, not_before=NOW + 2 * DAY)
    inspection = certconv.inspect(to_pem([soon, old, future, pki.intermediate, pki.root]), at=NOW)
    plain = inspection.render()
    assert f"expires in 10 days ({(NOW + 10 * DAY):%Y-%m-%d})" in plain
    assert f"EXPIRED 3 days ago ({(NOW - 3 * DAY):%Y-%m-%d})" in plain
    assert f"NOT YET VALID until {(NOW + 2 * DAY):%Y-%m-%d}" in plain
    assert f"valid until {(NOW + 3650 * DAY):%Y-%m-%d} (3650 days)" in plain
    assert ESC not in plain
    colored = inspection.render(color=True)
    assert "\033[33mexpires in 10 days" in colored
    assert "\033[31mEXPIRED 3 days ago" in colored
    assert "\033[31mNOT YET VALID" in colored
    assert re.sub(r"\033\[[0-9;]*m", "", colored) == plain
    statuses = {c["common_name"]: c["status"] for c in inspection.to_dict()["certificates"]}
    assert statuses["soon.example"] == "expiring-soon"
    assert statuses["old.example"] == "expired"
    assert statuses["future.example"] == "not-yet-valid"
    assert statuses["Test Root CA"] == "valid"


# --- problems --------------------------------------------------------------------------


def test_problems_are_listed_with_the_manifest_codes(pki: Pki) -> None:
    old = issue("old.example", pki.intermediate, not_before=NOW - 100 * DAY, not_after=NOW - DAY)
    not_ca = issue("Not A CA", pki.root, ca=False)
    child = issue("child.example", not_ca)
    many_roots = [issue(f"Extra Root {n}", ca=True) for n in range(10)]
    data = to_pem([pki.leaf, pki.leaf, old, not_ca, child, *pki.chain[1:], *many_roots])
    inspection = certconv.inspect(data)
    problems = inspection.render().split("Problems:\n", 1)[1].splitlines()
    found = {line.split(":", 1)[0].strip() for line in problems}
    assert {"duplicate", "expired", "ca-false-issuer", "apim-ca-limit"} <= found
    assert found == {w.code for w in inspection.bundle.warnings}


# --- JSON ------------------------------------------------------------------------------


def test_json_certificates_carry_the_manifest_fields(pki: Pki, tmp_path: Path) -> None:
    data = to_pfx(pki.leaf, [pki.intermediate, pki.root])
    manifest = json.loads(certconv.manifest_json(certconv.split(data, tmp_path / "out", password="changeit")))
    doc = certconv.inspect(data, password="changeit").to_dict()
    assert doc["schema"] == 1
    assert len(doc["certificates"]) == len(manifest["certificates"])
    for entry, written in zip(doc["certificates"], manifest["certificates"], strict=True):
        # form and destinations say how split wrote a file; inspect writes nothing.
        del written["form"], written["destinations"]
        assert {k: entry[k] for k in written} == written
    assert doc["chains"] == manifest["chains"]
    assert doc["warnings"] == manifest["warnings"]


def test_json_keys_are_all_documented(pki: Pki) -> None:
    doc = certconv.inspect(to_pfx(pki.leaf, [pki.intermediate, pki.root]), password="changeit").to_dict()
    documented = set(re.findall(r"`([a-z_0-9]+)`", (DOCS / "inspect.md").read_text()))
    keys = set(doc) | set(doc["certificates"][0]) | set(doc["inputs"][0]) | set(doc["certificates"][0]["key"])
    keys |= set(doc["tree"][0]) | set(doc["certificates"][0]["basic_constraints"])
    assert keys - documented == set()


def test_json_at_and_days_left(pki: Pki) -> None:
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    root = issue("Day Root", ca=True, not_before=at - 10 * DAY, not_after=at + 45 * DAY)
    doc = certconv.inspect(root.pem, at=at).to_dict()
    assert doc["at"] == "2030-01-01T00:00:00Z"
    assert doc["certificates"][0]["days_left"] == 45


# --- CLI -------------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_inspect_sample(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["inspect", str(SAMPLES / "bundle.pfx"), "--password-file", str(SAMPLES / "password.txt")]
    )
    assert result.exit_code == 0, result.output
    assert [row[1] for row in tree_rows(result.stdout)] == ["root", "intermediate", "leaf"]
    assert ESC not in result.stdout  # not a terminal: no colour


def test_cli_inspect_full_and_json(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    path = tmp_path / "chain.pem"
    path.write_bytes(to_pem(pki.chain))
    sha256 = certconv.load(path).certificates[0].sha256
    full = runner.invoke(app, ["inspect", str(path), "--full"])
    assert full.exit_code == 0 and sha256 in full.stdout
    as_json = runner.invoke(app, ["inspect", str(path), "--json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["certificates"][0]["sha256"] == sha256


def test_cli_inspect_reads_stdin(runner: CliRunner, pki: Pki) -> None:
    result = runner.invoke(app, ["inspect", "-"], input=to_p7b(pki.chain))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<stdin>  PKCS#7 · 3 certificates")


def test_cli_inspect_wrong_password_is_exit_1(runner: CliRunner, pki: Pki, tmp_path: Path) -> None:
    path = tmp_path / "b.pfx"
    path.write_bytes(to_pfx(pki.leaf, [pki.intermediate]))
    result = runner.invoke(app, ["inspect", str(path), "--password", "nope"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("error: ") and "wrong password" in result.stderr
    assert "nope" not in result.output


# --- helpers ---------------------------------------------------------------------------


def to_pem_bytes(der: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


def _colons(hex_digits: str) -> str:
    return ":".join(hex_digits[i : i + 2] for i in range(0, len(hex_digits), 2))


def openssl_sha1_chain(tmp_path: Path) -> tuple[bytes, bytes]:
    """A SHA-1 root and a SHA-1 intermediate made by the OpenSSL CLI (cryptography refuses to sign with SHA-1)."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    root, root_key = tmp_path / "root.pem", tmp_path / "root.key"
    root_args = ["-subj", "/CN=SHA1 Root", "-addext", "basicConstraints=critical,CA:TRUE"]
    subprocess.run(
        ["openssl", "req", "-x509", *ec, "-keyout", root_key, "-out", root, "-days", "30", "-sha1", *root_args],
        check=True,
        capture_output=True,
    )
    csr, int_key, intermediate = tmp_path / "int.csr", tmp_path / "int.key", tmp_path / "int.pem"
    subprocess.run(
        ["openssl", "req", "-new", *ec, "-keyout", int_key, "-out", csr, "-subj", "/CN=SHA1 Intermediate"],
        check=True,
        capture_output=True,
    )
    ext = tmp_path / "ext.cnf"
    ext.write_text("basicConstraints=critical,CA:TRUE\n")
    sign_args = ["-days", "30", "-sha1", "-extfile", ext, "-out", intermediate]
    subprocess.run(
        ["openssl", "x509", "-req", "-in", csr, "-CA", root, "-CAkey", root_key, "-CAcreateserial", *sign_args],
        check=True,
        capture_output=True,
    )
    return root.read_bytes(), intermediate.read_bytes()


def test_inspect_takes_a_key_file_beside_its_certificate(pki: Pki, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "leaf.pem").write_bytes(pki.leaf.pem)
    (tmp_path / "leaf.key").write_bytes(
        pki.leaf.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    result = certconv.inspect([tmp_path / "leaf.pem", tmp_path / "leaf.key"])
    (entry,) = result.to_dict()["certificates"]
    assert entry["has_private_key"] is True
    with pytest.raises(certconv.NoCertificateError):
        certconv.inspect([tmp_path / "leaf.key"])


def _many_issued(count: int) -> bytes:
    """``count`` certificates of one CA (not included), as in a large inventory."""
    key, ca = make_key(), name("Inventory CA")
    return b"".join(
        x509.CertificateBuilder()
        .subject_name(name(f"host{i}.example"))
        .issuer_name(ca)
        .public_key(key.public_key())
        .serial_number(i + 1)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 100 * DAY)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        for i in range(count)
    )


def test_inspect_output_is_linear_in_the_number_of_certificates() -> None:
    # Issue 19.3: each certificate's details were found by scanning all of them (20,000 took 31 s,
    # 40,000 167 s). Four times the certificates must cost about four times the work, not sixteen:
    # measured 4.0 (before: 8.9 from 300 to 1,200, and growing with the count).
    lines = []
    for count in (300, 1_200):
        inspection = certconv.inspect(Source("inventory.pem", _many_issued(count)))
        with counted() as work:
            inspection.render()
            inspection.to_dict()
        lines.append(work.lines)
    assert lines[1] / lines[0] < 5, lines
    assert lines[1] < 1_500 * 1_200, lines  # measured about 1,080 lines per certificate (before: 4,080)
