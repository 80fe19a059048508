"""certconv verify: verdicts compared with ``openssl verify`` on the same files, APIM-worded failures, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from pki import DAY, FORMATS, NOW, Issued, Pki, issue, make_chain, make_key, name, serialize, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv import Source
from certconv.cli import app

# --- the oracle ------------------------------------------------------------------------


@dataclass
class Case:
    """What the backend sends (``sent``), what is uploaded (``uploaded``), and how it is checked."""

    leaf: Issued
    sent: list[Issued] = field(default_factory=list)
    uploaded: list[Issued] | None = None
    host: str | None = None
    at: dt.datetime | None = None
    purpose: str = "server"


def openssl_verifies(case: Case, tmp_path: Path) -> bool:
    """``openssl verify`` on the same certificates: trusted roots as -CAfile, the rest as -untrusted."""
    if case.uploaded is None:  # no --ca: the roots in the input are trusted
        pool = [case.leaf, *case.sent]
        trusted = [i for i in pool if _self_signed(i)]
        others = [i for i in case.sent if not _self_signed(i)]
    else:
        trusted = [i for i in case.uploaded if _self_signed(i)]
        others = case.sent + [i for i in case.uploaded if not _self_signed(i)]
    leaf = tmp_path / "oracle-leaf.pem"
    leaf.write_bytes(case.leaf.pem)
    args = ["openssl", "verify", "-no-CApath", "-no-CAstore"]
    if trusted:
        (tmp_path / "oracle-root.pem").write_bytes(to_pem(trusted))
        args += ["-CAfile", str(tmp_path / "oracle-root.pem")]
    else:
        args += ["-no-CAfile"]
    if others:
        (tmp_path / "oracle-int.pem").write_bytes(to_pem(others))
        args += ["-untrusted", str(tmp_path / "oracle-int.pem")]
    if case.at is not None:
        args += ["-attime", str(int(case.at.timestamp()))]
    if case.host is not None:
        args += ["-verify_hostname", case.host]
    args += ["-purpose", {"server": "sslserver", "client": "sslclient"}[case.purpose], str(leaf)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    return done.returncode == 0


def certconv_verifies(case: Case) -> certconv.Verification:
    inputs = Source("sent.pem", to_pem([case.leaf, *case.sent]))
    ca = [Source("uploaded.pem", to_pem(case.uploaded))] if case.uploaded else []
    if case.uploaded == []:
        raise AssertionError("an empty --ca cannot be given; use uploaded=None")
    return certconv.verify(inputs, ca=ca, host=case.host, at=case.at, purpose=case.purpose)


def check(case: Case, tmp_path: Path) -> certconv.Verification:
    """certconv's verdict must be openssl's; return it for the wording checks."""
    result = certconv_verifies(case)
    assert result.ok == openssl_verifies(case, tmp_path), result.render()
    assert len(result.chains) == 1
    return result


def codes(result: certconv.Verification) -> list[str]:
    return [f.code for chain in result.chains for f in chain.failures]


def _self_signed(item: Issued) -> bool:
    return item.cert.subject == item.cert.issuer


def issue_with(
    subject: str,
    issuer: Issued | None,
    *,
    extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    """A certificate with exactly the extensions given (plus key identifiers), EC P-256."""
    key = make_key()
    signer = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(issuer.cert.subject if issuer else name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    return Issued(builder.sign(signer, hashes.SHA256()), key)  # type: ignore[arg-type]


def ku(**flags: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{n: flags.get(n, False) for n in names})


def ca_ext(path_length: int | None = None) -> tuple[x509.ExtensionType, bool]:
    return x509.BasicConstraints(ca=True, path_length=path_length), True


LEAF_BC = (x509.BasicConstraints(ca=False, path_length=None), True)


# --- chains ----------------------------------------------------------------------------


def test_valid_chain_verifies(pki: Pki, tmp_path: Path) -> None:
    result = check(Case(pki.leaf, [pki.intermediate, pki.root]), tmp_path)
    assert result.ok
    assert result.trust == "input"
    assert [s.certificate.sha1 for s in result.chains[0].path] == [
        certconv.load(Source("x", i.pem)).certificates[0].sha1 for i in pki.chain
    ]
    assert result.chains[0].path[-1].trust_anchor


def test_valid_chain_with_root_uploaded_verifies(pki: Pki, tmp_path: Path) -> None:
    result = check(Case(pki.leaf, [pki.intermediate], uploaded=[pki.root]), tmp_path)
    assert result.ok
    assert result.trust == "ca"
    assert [s.origin for s in result.chains[0].path] == ["input", "input", "ca"]


def test_intermediate_uploaded_instead_of_sent_verifies(pki: Pki, tmp_path: Path) -> None:
    # APIM uses both what the server sends and what was uploaded to store CertificateAuthority.
    result = check(Case(pki.leaf, [], uploaded=[pki.intermediate, pki.root]), tmp_path)
    assert result.ok
    assert [s.origin for s in result.chains[0].path] == ["input", "ca", "ca"]


def test_missing_intermediate_names_the_file_to_upload(pki: Pki, tmp_path: Path) -> None:
    result = check(Case(pki.leaf, [], uploaded=[pki.root]), tmp_path)
    assert codes(result) == ["missing-issuer"]
    message = result.chains[0].failures[0].message
    assert "`Test Intermediate CA`" in message
    assert "neither sent by the server nor uploaded" in message
    assert "`intermediate-Test_Intermediate_CA.cer`" in message
    assert "store CertificateAuthority" in message


def test_missing_intermediate_points_at_its_aia_url(pki: Pki, tmp_path: Path) -> None:
    leaf = issue("aia.example", pki.intermediate, san=["aia.example"], aia_ca_issuers=["http://pki.example/int.cer"])
    result = check(Case(leaf, [pki.root]), tmp_path)
    assert codes(result) == ["missing-issuer"]
    assert "http://pki.example/int.cer" in result.chains[0].failures[0].message


def test_issuer_with_the_right_name_but_another_key(pki: Pki, tmp_path: Path) -> None:
    # The CA was re-keyed: the certificate uploaded has the name, not the key, that signed the leaf.
    rekeyed = issue("Test Intermediate CA", pki.root, ca=True, path_length=0)
    leaf = issue("leaf.example", rekeyed, key_ids=False)
    result = check(Case(leaf, [pki.intermediate, pki.root]), tmp_path)
    assert codes(result) == ["missing-issuer"]
    assert "has the name of the issuer of `leaf.example` but did not sign it" in result.chains[0].failures[0].message


def test_root_not_given_fails(pki: Pki, tmp_path: Path) -> None:
    result = check(Case(pki.leaf, [pki.intermediate]), tmp_path)
    assert codes(result) == ["missing-issuer"]
    assert result.anchors == ()
    message = result.chains[0].failures[0].message
    assert "root `Test Root CA`" in message and "`root-Test_Root_CA.cer`" in message and "store Root" in message
    assert "nothing is trusted" in result.render()


def test_root_sent_but_not_uploaded_fails(pki: Pki, tmp_path: Path) -> None:
    other = make_chain("Other")
    result = check(Case(pki.leaf, [pki.intermediate, pki.root], uploaded=[other.root]), tmp_path)
    assert codes(result) == ["untrusted-root"]
    names = certconv.file_names(certconv_verifies(Case(pki.leaf, [pki.intermediate, pki.root])).bundle.certificates)
    root_file = next(n for c, n in names.items() if c.role is certconv.Role.ROOT)
    message = result.chains[0].failures[0].message
    assert f"`{root_file}`" in message and "sent by the server but not uploaded" in message
    assert "store Root" in message


def test_only_intermediate_uploaded_is_not_trust(pki: Pki, tmp_path: Path) -> None:
    # CertificateAuthority is not a trust store: without the root uploaded, nothing anchors the chain.
    result = check(Case(pki.leaf, [pki.intermediate, pki.root], uploaded=[pki.intermediate]), tmp_path)
    assert codes(result) == ["untrusted-root"]


def test_self_signed_backend_is_trusted_only_when_uploaded(tmp_path: Path) -> None:
    backend = issue("selfsigned.example", san=["selfsigned.example"], ca=False)
    assert check(Case(backend), tmp_path).ok
    other = make_chain("Other")
    result = check(Case(backend, uploaded=[other.root]), tmp_path)
    assert codes(result) == ["untrusted-root"]
    assert "self-signed certificate `selfsigned.example`" in result.chains[0].failures[0].message


def test_expired_leaf(pki: Pki, tmp_path: Path) -> None:
    leaf = issue("old.example", pki.intermediate, not_before=NOW - 400 * DAY, not_after=NOW - 2 * DAY)
    result = check(Case(leaf, [pki.intermediate, pki.root]), tmp_path)
    assert codes(result) == ["expired"]
    assert "renew it" in result.chains[0].failures[0].message


def test_expired_intermediate(pki: Pki, tmp_path: Path) -> None:
    old = issue("Old Intermediate CA", pki.root, ca=True, not_before=NOW - 400 * DAY, not_after=NOW - DAY)
    leaf = issue("leaf.example", old, not_before=NOW - 10 * DAY, not_after=NOW + 10 * DAY)
    result = check(Case(leaf, [old, pki.root]), tmp_path)
    assert codes(result) == ["expired"]
    message = result.chains[0].failures[0].message
    assert "intermediate `Old Intermediate CA` expired" in message and "store CertificateAuthority" in message


def test_not_yet_valid_leaf(pki: Pki, tmp_path: Path) -> None:
    leaf = issue("future.example", pki.intermediate, not_before=NOW + 5 * DAY, not_after=NOW + 50 * DAY)
    result = check(Case(leaf, [pki.intermediate, pki.root]), tmp_path)
    assert codes(result) == ["not-yet-valid"]


def test_at_in_the_past_before_the_chain_existed(pki: Pki, tmp_path: Path) -> None:
    result = check(Case(pki.leaf, [pki.intermediate, pki.root], at=NOW - 30 * DAY), tmp_path)
    assert set(codes(result)) == {"not-yet-valid"}
    assert result.at == NOW - 30 * DAY


def test_at_in_the_future_after_the_leaf_expired(pki: Pki, tmp_path: Path) -> None:
    # The leaf and the intermediate both end after a year; the root lives ten.
    result = check(Case(pki.leaf, [pki.intermediate, pki.root], at=NOW + 400 * DAY), tmp_path)
    assert codes(result) == ["expired", "expired"]
    expired = [f.sha1 for f in result.chains[0].failures]
    assert expired == [s.certificate.sha1 for s in result.chains[0].path[:2]]


def test_at_within_validity_verifies(pki: Pki, tmp_path: Path) -> None:
    assert check(Case(pki.leaf, [pki.intermediate, pki.root], at=NOW + 100 * DAY), tmp_path).ok


def test_at_with_an_offset_is_the_same_moment_in_utc() -> None:
    # 01:00+02:00 is 23:00 UTC the day before; the leaf starts between the two readings.
    start = dt.datetime(2030, 6, 1, 0, 0, tzinfo=dt.UTC)
    root = issue("TZ Root CA", ca=True, not_after=start + 100 * DAY)
    intermediate = issue("TZ Intermediate CA", root, ca=True, not_after=start + 100 * DAY)
    leaf = issue("tz.example", intermediate, not_before=start, not_after=start + 30 * DAY)
    inputs = Source("sent.pem", to_pem([leaf, intermediate, root]))
    local = dt.datetime(2030, 6, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert codes(certconv.verify(inputs, at=local)) == ["not-yet-valid"]
    assert certconv.verify(inputs, at=dt.datetime(2030, 6, 1, 1, 0)).ok  # naive: UTC


def test_ca_false_issuer(pki: Pki, tmp_path: Path) -> None:
    not_ca = issue("Not A CA", pki.root, ca=False)
    leaf = issue("leaf.example", not_ca)
    result = check(Case(leaf, [not_ca, pki.root]), tmp_path)
    assert "not-a-ca" in codes(result)
    assert "CA:FALSE" in next(f.message for f in result.chains[0].failures if f.code == "not-a-ca")


def test_issuer_without_basic_constraints(pki: Pki, tmp_path: Path) -> None:
    no_bc = issue("No Constraints CA", pki.root, ca=None)
    leaf = issue("leaf.example", no_bc)
    result = check(Case(leaf, [no_bc, pki.root]), tmp_path)
    assert "not-a-ca" in codes(result)


def test_path_length_violation(pki: Pki, tmp_path: Path) -> None:
    # pki.intermediate has pathlen:0, so no CA may sit below it.
    sub = issue("Sub CA", pki.intermediate, ca=True)
    leaf = issue("leaf.example", sub)
    result = check(Case(leaf, [sub, pki.intermediate, pki.root]), tmp_path)
    assert codes(result) == ["path-length"]
    assert "pathlen:0" in result.chains[0].failures[0].message


def test_path_length_respected(pki: Pki, tmp_path: Path) -> None:
    top = issue("Top CA", pki.root, ca=True, path_length=1)
    sub = issue("Sub CA", top, ca=True, path_length=0)
    leaf = issue("leaf.example", sub)
    assert check(Case(leaf, [sub, top, pki.root]), tmp_path).ok


def test_ca_without_keycertsign(pki: Pki, tmp_path: Path) -> None:
    bad = issue_with("Bad KU CA", pki.root, extensions=[ca_ext(), (ku(digital_signature=True), True)])
    leaf = issue("leaf.example", bad)
    result = check(Case(leaf, [bad, pki.root]), tmp_path)
    assert codes(result) == ["key-usage"]
    assert "keyCertSign" in result.chains[0].failures[0].message


def test_name_constraints_are_checked_as_openssl_checks_them(pki: Pki, tmp_path: Path) -> None:
    # Once OpenSSL's alone (code `openssl`); now certconv's own rule, worded for APIM, agreeing with openssl verify.
    constrained = issue_with(
        "Corp Only CA",
        pki.root,
        extensions=[ca_ext(0), (x509.NameConstraints([x509.DNSName("corp.example")], None), True)],
    )
    leaf = issue("api.other.example", constrained, san=["api.other.example"])
    result = check(Case(leaf, [constrained, pki.root]), tmp_path)
    assert codes(result) == ["name-constraints"]
    message = result.chains[0].failures[0].message
    assert "`Corp Only CA` may only certify names within its name constraints" in message
    assert "`api.other.example` outside the permitted names" in message


# --- purpose ---------------------------------------------------------------------------


def test_client_only_certificate_fails_as_server(pki: Pki, tmp_path: Path) -> None:
    leaf = issue_with(
        "client.example",
        pki.intermediate,
        extensions=[LEAF_BC, (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)],
    )
    result = check(Case(leaf, [pki.intermediate, pki.root]), tmp_path)
    assert codes(result) == ["extended-key-usage"]
    assert "serverAuth" in result.chains[0].failures[0].message
    assert check(Case(leaf, [pki.intermediate, pki.root], purpose="client"), tmp_path).ok


def test_server_only_certificate_fails_as_client(pki: Pki, tmp_path: Path) -> None:
    result = check(Case(pki.leaf, [pki.intermediate, pki.root], purpose="client"), tmp_path)
    assert codes(result) == ["extended-key-usage"]


def test_leaf_key_usage_without_signature(pki: Pki, tmp_path: Path) -> None:
    leaf = issue_with("ku.example", pki.intermediate, extensions=[LEAF_BC, (ku(crl_sign=True), True)])
    result = check(Case(leaf, [pki.intermediate, pki.root]), tmp_path)
    assert codes(result) == ["key-usage"]


def test_intermediate_restricted_to_client_auth_fails_for_server(pki: Pki, tmp_path: Path) -> None:
    restricted = issue_with(
        "Client Only CA",
        pki.root,
        extensions=[ca_ext(0), (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)],
    )
    leaf = issue("leaf.example", restricted, server_auth=True)
    result = check(Case(leaf, [restricted, pki.root]), tmp_path)
    assert codes(result) == ["extended-key-usage"]


# --- host names ------------------------------------------------------------------------

WILDCARD_CASES = [
    ("x.a.com", True),
    ("X.A.COM", True),
    ("a.com", False),
    ("y.x.a.com", False),
    ("xa.com", False),
    ("b.com", False),
]


@pytest.mark.parametrize(("host", "matches"), WILDCARD_CASES)
def test_wildcard_matches_exactly_one_label(host: str, matches: bool, pki: Pki, tmp_path: Path) -> None:
    leaf = issue("*.a.com", pki.intermediate, san=["*.a.com"])
    result = check(Case(leaf, [pki.intermediate, pki.root], host=host), tmp_path)
    assert result.ok is matches
    assert codes(result) == ([] if matches else ["hostname-mismatch"])


def test_hostname_exact_match_and_mismatch(pki: Pki, tmp_path: Path) -> None:
    leaf = issue("api.example", pki.intermediate, san=["api.example", "www.example"])
    assert check(Case(leaf, [pki.intermediate, pki.root], host="www.example"), tmp_path).ok
    result = check(Case(leaf, [pki.intermediate, pki.root], host="other.example"), tmp_path)
    assert codes(result) == ["hostname-mismatch"]
    message = result.chains[0].failures[0].message
    assert "`other.example`" in message and "api.example, www.example" in message


def test_cn_is_used_only_without_dns_san(pki: Pki, tmp_path: Path) -> None:
    cn_only = issue("cn.example", pki.intermediate)
    assert check(Case(cn_only, [pki.intermediate, pki.root], host="cn.example"), tmp_path).ok
    with_san = issue("cn.example", pki.intermediate, san=["san.example"])
    assert not check(Case(with_san, [pki.intermediate, pki.root], host="cn.example"), tmp_path).ok


def test_ip_address_matches_ip_san_only(pki: Pki, tmp_path: Path) -> None:
    import ipaddress

    leaf = issue_with(
        "10.0.0.5",
        pki.intermediate,
        extensions=[LEAF_BC, (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("10.0.0.5"))]), False)],
    )
    chain = [pki.intermediate, pki.root]
    assert check(Case(leaf, chain, host="10.0.0.5"), tmp_path).ok
    assert not check(Case(leaf, chain, host="10.0.0.6"), tmp_path).ok
    # An IP address in the CN is no IP SAN. The oracle's -verify_hostname compares it as a name, so none here.
    cn_ip = issue("10.0.0.7", pki.intermediate)
    assert not certconv_verifies(Case(cn_ip, chain, host="10.0.0.7")).ok


# --- --ca folders and split's output ---------------------------------------------------


def test_chain_verifies_from_the_folder_split_wrote(pki: Pki, tmp_path: Path) -> None:
    manifest = certconv.split(to_pfx(pki.leaf, [pki.intermediate, pki.root]), tmp_path / "out", password="changeit")
    assert "manifest.json" in {p.name for p in (tmp_path / "out").iterdir()}
    result = certconv.verify(Source("leaf.pem", pki.leaf.pem), ca=[tmp_path / "out"])
    assert result.ok, result.render()
    assert result.trust == "ca"
    assert [s.file for s in result.chains[0].path] == [manifest.file_for(s.certificate) for s in result.chains[0].path]
    # The same files, converted to PEM, through openssl.
    trusted = tmp_path / "root.pem"
    trusted.write_bytes(_as_pem(tmp_path / "out" / "root-Test_Root_CA.cer"))
    untrusted = tmp_path / "int.pem"
    untrusted.write_bytes(_as_pem(tmp_path / "out" / "intermediate-Test_Intermediate_CA.cer"))
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(pki.leaf.pem)
    done = subprocess.run(
        ["openssl", "verify", "-no-CApath", "-no-CAstore", "-CAfile", trusted, "-untrusted", untrusted, leaf],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0


def test_folder_without_the_intermediate_fails(pki: Pki, tmp_path: Path) -> None:
    certconv.split(to_pem([pki.root]), tmp_path / "out")
    result = certconv.verify(Source("leaf.pem", pki.leaf.pem), ca=[tmp_path / "out"])
    assert codes(result) == ["missing-issuer"]


def test_empty_ca_folder_is_an_input_error(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(certconv.InputError, match="holds no certificate file"):
        certconv.verify(Source("leaf.pem", pki.leaf.pem), ca=[tmp_path / "empty"])


def test_input_without_end_entity_is_an_input_error(pki: Pki) -> None:
    with pytest.raises(certconv.NoEndEntityError, match="no end-entity certificate"):
        certconv.verify(Source("cas.pem", to_pem([pki.intermediate, pki.root])))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_input_kind_verifies(fmt: str, pki: Pki) -> None:
    result = certconv.verify(Source(f"bundle.{fmt}", serialize(pki, fmt)), password="changeit")
    assert result.ok, result.render()
    assert [s.certificate.role.value for s in result.chains[0].path] == ["leaf", "intermediate", "root"]


def test_ca_may_be_a_pfx(pki: Pki) -> None:
    uploaded = Source("cas.pfx", to_pfx(None, [pki.intermediate, pki.root]))
    result = certconv.verify(Source("leaf.cer", pki.leaf.der), ca=[uploaded], password="changeit")
    assert result.ok, result.render()


def test_a_root_downloaded_over_aia_is_not_called_sent_by_the_server(pki: Pki) -> None:
    from loopback import HttpServer, Response

    server = HttpServer("127.0.0.1")
    try:
        server.routes["/root.cer"] = Response(pki.root.der)
        intermediate = issue(
            "Test Intermediate CA",
            pki.root,
            key=pki.intermediate.key,
            ca=True,
            aia_ca_issuers=[server.url("/root.cer")],
        )
        server.routes["/int.cer"] = Response(intermediate.der)
        leaf = issue("aia.example", intermediate, san=["aia.example"], aia_ca_issuers=[server.url("/int.cer")])
        result = certconv.verify(Source("leaf.cer", leaf.der), complete=True, timeout=5)
    finally:
        server.close()
    assert codes(result) == ["untrusted-root"]
    message = result.chains[0].failures[0].message
    assert "downloaded from an AIA URL" in message and "sent by the server" not in message
    assert "`root-Test_Root_CA.cer`" in message


def test_every_leaf_gets_a_verdict(pki: Pki) -> None:
    other = issue("other.example", make_chain("Stranger").intermediate)
    result = certconv.verify(Source("two.pem", to_pem([pki.leaf, other, pki.intermediate, pki.root])))
    verdicts = {c.leaf.common_name: c.ok for c in result.chains}
    assert verdicts == {"*.backend.example": True, "other.example": False}
    assert not result.ok


# --- output ----------------------------------------------------------------------------


def test_render_says_what_apim_would_say(pki: Pki) -> None:
    text = certconv.verify(Source("leaf.pem", pki.leaf.pem), ca=[Source("r.pem", pki.root.pem)]).render()
    assert "FAIL  *.backend.example" in text
    assert 'APIM would fail with "Could not establish trust relationship for the SSL/TLS secure channel"' in text
    assert "0 of 1 chain verified." in text


def test_render_without_ca_says_the_input_roots_are_trusted(pki: Pki) -> None:
    text = certconv.verify(Source("chain.pem", to_pem(pki.chain))).render()
    assert text.startswith("No --ca given: trusting the root in the input itself (`Test Root CA`)")
    assert "OK    *.backend.example" in text


def test_json_document(pki: Pki) -> None:
    result = certconv.verify(Source("leaf.pem", pki.leaf.pem), ca=[Source("r.pem", pki.root.pem)], host="x.example")
    doc = json.loads(result.to_json())
    assert doc["schema"] == 2 and doc["ok"] is False and doc["trust"] == "ca" and doc["host"] == "x.example"
    assert doc["ca"] == ["r.pem"] and doc["inputs"] == ["leaf.pem"] and doc["policy"] == "apim"
    (chain,) = doc["chains"]
    assert "openssl" not in chain and chain["leniencies"] == [] and chain["notes"] == []
    assert [f["code"] for f in chain["failures"]] == ["missing-issuer", "hostname-mismatch"]
    assert chain["path"][0]["origin"] == "input" and chain["path"][0]["file"] == "leaf-wildcard.backend.example.cer"


def test_import_certconv_does_not_load_pyopenssl() -> None:
    code = "import certconv, sys; print(sorted(m for m in ('OpenSSL', 'certconv._verify') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_verify_result_types_are_exported_lazily() -> None:
    code = "import certconv, sys; print('certconv._verify' in sys.modules, certconv.Verification.__module__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "certconv"]  # the type loads without the verify call's code
    with pytest.raises(AttributeError):
        certconv.NoSuchName  # noqa: B018


# --- CLI -------------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def files(pki: Pki, tmp_path: Path) -> dict[str, Path]:
    paths = {"chain": to_pem(pki.chain), "leaf": pki.leaf.pem, "root": pki.root.pem, "other": make_chain("O").root.pem}
    out = {}
    for key, data in paths.items():
        out[key] = tmp_path / f"{key}.pem"
        out[key].write_bytes(data)
    return out


def test_cli_exit_0_when_every_chain_verifies(runner: CliRunner, files: dict[str, Path]) -> None:
    result = runner.invoke(
        app, ["verify", str(files["chain"]), "--ca", str(files["root"]), "--host", "a.backend.example"]
    )
    assert result.exit_code == 0, result.output
    assert "OK    *.backend.example" in result.stdout


def test_cli_exit_3_when_a_chain_fails(runner: CliRunner, files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["verify", str(files["chain"]), "--ca", str(files["other"])])
    assert result.exit_code == 3
    assert "untrusted-root" in result.stdout


def test_cli_exit_3_on_hostname_mismatch_with_json(runner: CliRunner, files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["verify", str(files["chain"]), "--host", "backend.example.org", "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["chains"][0]["failures"][0]["code"] == "hostname-mismatch"


def test_cli_at_option(runner: CliRunner, files: dict[str, Path]) -> None:
    future = (NOW + 3 * 365 * DAY).date().isoformat()
    result = runner.invoke(app, ["verify", str(files["chain"]), "--at", future, "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["at"] == f"{future}T00:00:00Z"


def test_cli_exit_1_when_input_cannot_be_read(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path / "missing.pem")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "no such file" in result.stderr


def test_cli_exit_1_when_ca_cannot_be_read(runner: CliRunner, files: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "junk.cer").write_bytes(b"not a certificate")
    result = runner.invoke(app, ["verify", str(files["chain"]), "--ca", str(tmp_path / "junk.cer")])
    assert result.exit_code == 1
    assert "junk.cer" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--at", "yesterday"], ["--purpose", "email"], []],
    ids=["bad-date", "bad-purpose", "no-input"],
)
def test_cli_exit_2_on_usage_errors(runner: CliRunner, files: dict[str, Path], args: list[str]) -> None:
    inputs = [str(files["chain"])] if args else []
    result = runner.invoke(app, ["verify", *inputs, *args])
    assert result.exit_code == 2


def test_cli_reads_stdin(runner: CliRunner, pki: Pki) -> None:
    result = runner.invoke(app, ["verify", "-"], input=to_pem(pki.chain))
    assert result.exit_code == 0, result.output


def _as_pem(der_file: Path) -> bytes:
    return x509.load_der_x509_certificate(der_file.read_bytes()).public_bytes(serialization.Encoding.PEM)
