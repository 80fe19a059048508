"""Classification and chains: exactly the rules of the core issue, on generated and real certificates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID
from pki import DAY, NOW, Issued, Pki, issue, make_chain, make_key, name, to_pem

import certconv
from certconv import Role

PKITS = Path(cryptography_vectors.__file__).parent / "x509" / "PKITS_data" / "certs"


def role_of(bundle: certconv.Bundle, issued: Issued) -> Role:
    return next(c.role for c in bundle.certificates if c.x509 == issued.cert)


def chain_subjects(chain: certconv.Chain) -> list[str]:
    return [c.common_name for c in chain]


@pytest.mark.parametrize("kind", ["ec", "rsa", "ed25519", "ed448", "dsa"])
def test_signatures_of_every_key_type_link_the_chain(kind: str) -> None:
    p = make_chain(kind.upper(), key_kind=kind)
    bundle = certconv.load(to_pem(p.chain))
    assert [c.role for c in bundle.certificates] == [Role.ROOT, Role.INTERMEDIATE, Role.LEAF]
    assert [chain_subjects(ch) for ch in bundle.chains] == [
        ["*.backend.example", f"{kind.upper()} Intermediate CA", f"{kind.upper()} Root CA"]
    ]


def test_rsa_pss_signatures_verify() -> None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    root = issue("PSS Root", ca=True, key_kind="rsa", rsa_padding=pss)
    leaf = issue("pss.example", root, key_kind="ec", rsa_padding=pss)
    bundle = certconv.load(to_pem([leaf, root]))
    assert role_of(bundle, root) is Role.ROOT
    assert bundle.chains[0].complete


def openssl_chain(tmp_path: Path, digest: str) -> tuple[bytes, bytes]:
    """A root and a leaf signed with ``digest`` by the OpenSSL CLI (cryptography refuses SHA-1/MD5 signing)."""
    root_key, root = tmp_path / "root.key", tmp_path / "root.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(root_key),
            "-out",
            str(root),
            "-days",
            "30",
            "-subj",
            f"/CN=Old {digest} Root",
            f"-{digest}",
        ],
        check=True,
        capture_output=True,
    )
    leaf_key, csr, leaf = tmp_path / "leaf.key", tmp_path / "leaf.csr", tmp_path / "leaf.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(leaf_key),
            "-out",
            str(csr),
            "-subj",
            "/CN=old.example",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(root),
            "-CAkey",
            str(root_key),
            "-CAcreateserial",
            "-days",
            "30",
            f"-{digest}",
            "-out",
            str(leaf),
        ],
        check=True,
        capture_output=True,
    )
    return root.read_bytes(), leaf.read_bytes()


@pytest.mark.parametrize("digest", ["sha1", "md5"])
def test_sha1_and_md5_roots_are_roots_and_link(tmp_path: Path, digest: str) -> None:
    root, leaf = openssl_chain(tmp_path, digest)
    bundle = certconv.load(leaf + root)
    assert [(c.role, c.common_name) for c in bundle.certificates] == [
        (Role.ROOT, f"Old {digest} Root"),
        (Role.LEAF, "old.example"),
    ]
    assert bundle.chains[0].complete


def test_real_sha1_roots_of_the_mozilla_bundle_are_roots() -> None:
    import certifi

    bundle = certconv.load(certifi.where())
    sha1_signed = [c for c in bundle.certificates if isinstance(c.x509.signature_hash_algorithm, hashes.SHA1)]
    assert sha1_signed, "the Mozilla bundle no longer has SHA-1 roots; pick another real-world file"
    assert {c.role for c in sha1_signed} == {Role.ROOT}
    assert all(c.self_signed for c in bundle.certificates)


def test_self_issued_rollover_cert_is_intermediate() -> None:
    old_key, new_key = make_key(), make_key()
    root_name = name("Rolling Root CA")
    old_root = issue(root_name, ca=True, key=old_key)
    new_root = issue(root_name, ca=True, key=new_key)
    new_with_old = issue(root_name, old_root, ca=True, key=new_key)  # subject == issuer, signed by the old key
    bundle = certconv.load(to_pem([old_root, new_root, new_with_old]))
    assert role_of(bundle, new_with_old) is Role.INTERMEDIATE
    assert role_of(bundle, old_root) is Role.ROOT
    assert role_of(bundle, new_root) is Role.ROOT
    rollover = next(c for c in bundle.certificates if c.x509 == new_with_old.cert)
    assert not rollover.self_signed
    assert rollover.subject == rollover.issuer


def test_pkits_self_issued_new_key_certificate_is_intermediate() -> None:
    files = [
        "TrustAnchorRootCertificate.crt",
        "BasicSelfIssuedNewKeyCACert.crt",
        "BasicSelfIssuedNewKeyOldWithNewCACert.crt",
        "ValidBasicSelfIssuedOldWithNewTest1EE.crt",
    ]
    bundle = certconv.load([PKITS / f for f in files])
    by_name = {(c.common_name, c.role) for c in bundle.certificates}
    assert ("Trust Anchor", Role.ROOT) in by_name
    self_issued = [c for c in bundle.certificates if c.subject == c.issuer and not c.self_signed]
    assert [c.role for c in self_issued] == [Role.INTERMEDIATE]
    assert [c.role for c in bundle.certificates].count(Role.ROOT) == 1
    (chain,) = bundle.chains
    assert chain.complete and chain.top.common_name == "Trust Anchor"


def test_self_signed_end_entity_is_a_root_and_a_chain_of_one() -> None:
    backend = issue("backend.internal", ca=False, san=["backend.internal"])
    bundle = certconv.load(backend.der)
    (cert,) = bundle.certificates
    assert cert.role is Role.ROOT and cert.apim_store == "Root" and not cert.ca
    assert [list(ch.sha1s) for ch in bundle.chains] == [[cert.sha1]]


def test_ca_false_certificate_that_issued_another_is_intermediate_with_warning() -> None:
    root = issue("Odd Root", ca=True)
    not_a_ca = issue("Not A CA", root, ca=False)
    leaf = issue("leaf.example", not_a_ca)
    bundle = certconv.load(to_pem([root, not_a_ca, leaf]))
    assert role_of(bundle, not_a_ca) is Role.INTERMEDIATE
    # Chaining's warning, then Azure's: it is planned into store CertificateAuthority.
    assert [w.code for w in bundle.warnings] == ["ca-false-issuer", "apim-not-a-ca"]


def test_certificate_without_basic_constraints_that_issued_another_is_intermediate() -> None:
    root = issue("Root", ca=True)
    legacy_ca = issue("Legacy CA", root, ca=None)
    leaf = issue("leaf.example", legacy_ca)
    bundle = certconv.load(to_pem([leaf, legacy_ca, root]))
    assert [role_of(bundle, i) for i in (root, legacy_ca, leaf)] == [Role.ROOT, Role.INTERMEDIATE, Role.LEAF]


def test_lonely_ca_is_intermediate_and_written_but_in_no_chain() -> None:
    p = make_chain()
    bundle = certconv.load(to_pem([p.intermediate]))
    assert [c.role for c in bundle.certificates] == [Role.INTERMEDIATE]
    assert bundle.chains == ()
    assert [w.code for w in bundle.warnings] == ["missing-issuer"]


def test_cross_signed_root_prefers_the_self_signed_one_present() -> None:
    old_root = issue("Old Root CA", ca=True)
    new_key = make_key()
    new_root = issue("New Root CA", ca=True, key=new_key, not_after=NOW + 100 * DAY)
    cross = issue(name("New Root CA"), old_root, ca=True, key=new_key, not_after=NOW + 900 * DAY)
    intermediate = issue("Issuing CA", new_root, ca=True)
    leaf = issue("site.example", intermediate)
    bundle = certconv.load(to_pem([leaf, intermediate, cross, new_root, old_root]))
    assert role_of(bundle, cross) is Role.INTERMEDIATE
    (chain,) = bundle.chains
    assert [c.x509 for c in chain] == [leaf.cert, intermediate.cert, new_root.cert]


def test_chain_ends_at_a_root_rather_than_a_dead_end() -> None:
    # Two issuers with the same name and key: one chains up to a root, the other's issuer is missing.
    root = issue("Top Root", ca=True)
    key = make_key()
    good = issue("Issuing CA", root, ca=True, key=key, not_after=NOW + 100 * DAY)
    orphan_parent = issue("Vanished Root", ca=True)
    dead_end = issue(name("Issuing CA"), orphan_parent, ca=True, key=key, not_after=NOW + 900 * DAY)
    leaf = issue("site.example", good)
    bundle = certconv.load(to_pem([leaf, dead_end, good, root]))
    (chain,) = bundle.chains
    assert chain.complete
    assert [c.x509 for c in chain] == [leaf.cert, good.cert, root.cert]


def test_among_equal_issuers_the_one_valid_longest_wins() -> None:
    root = issue("Root", ca=True)
    key = make_key()
    short = issue("Issuing CA", root, ca=True, key=key, not_after=NOW + 10 * DAY)
    long = issue("Issuing CA", root, ca=True, key=key, not_after=NOW + 1000 * DAY)
    leaf = issue("site.example", short)
    for order in ([leaf, short, long, root], [root, long, short, leaf]):
        bundle = certconv.load(to_pem(order))
        assert bundle.chains[0].certificates[1].x509 == long.cert


def test_issuer_name_matching_ignores_case_and_spacing() -> None:
    root = issue("Root", ca=True)
    ca = issue("Issuing  CA", root, ca=True)
    sloppy_issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CERTCONV TESTS"),
            x509.NameAttribute(NameOID.COMMON_NAME, "issuing ca"),
        ]
    )
    leaf = issue("site.example", ca, issuer_name=sloppy_issuer)
    bundle = certconv.load(to_pem([leaf, ca, root]))
    assert len(bundle.chains[0]) == 3


def test_wrong_authority_key_identifier_does_not_hide_the_real_issuer() -> None:
    root = issue("Root", ca=True)
    decoy = issue("Root", ca=True)  # same name, other key: its SKI is what the leaf's AKI says
    leaf_key = make_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name("site.example"))
        .issuer_name(root.cert.subject)
        .public_key(leaf_key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + DAY)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(decoy.key.public_key()), critical=False)  # type: ignore[arg-type]
    )
    leaf = Issued(builder.sign(root.key, hashes.SHA256()), leaf_key)  # type: ignore[arg-type]
    bundle = certconv.load(to_pem([leaf, decoy, root]))
    chain = next(ch for ch in bundle.chains if ch.leaf.x509 == leaf.cert)
    assert chain.top.x509 == root.cert


def test_forged_issuer_name_without_signature_is_not_linked() -> None:
    p = make_chain()
    impostor = issue("Test Intermediate CA", ca=True)  # same name, not the key that signed the leaf
    bundle = certconv.load(to_pem([p.leaf, impostor]))
    assert bundle.chains[0].certificates == (bundle.leaves[0],)
    assert "missing-issuer" in [w.code for w in bundle.warnings]


def test_missing_issuer_warning_names_it_and_its_aia_url() -> None:
    root = issue("Root", ca=True)
    ca = issue("Issuing CA", root, ca=True)
    leaf = issue("site.example", ca, aia_ca_issuers=["http://pki.example/issuing.cer", "ldap://x/y"])
    bundle = certconv.load(leaf.der)
    (warning,) = bundle.warnings
    assert warning.code == "missing-issuer"
    assert "CN=Issuing CA" in warning.message and "http://pki.example/issuing.cer" in warning.message
    assert warning.sha1 == bundle.leaves[0].sha1


def test_duplicates_are_merged_with_a_warning(pki: Pki) -> None:
    bundle = certconv.load(to_pem([*pki.chain, pki.intermediate, pki.leaf]))
    assert len(bundle.certificates) == 3
    assert sorted(w.code for w in bundle.warnings) == ["duplicate", "duplicate"]


def test_expired_and_not_yet_valid_are_judged_at_the_given_time() -> None:
    root = issue("Root", ca=True, not_before=NOW - 10 * DAY, not_after=NOW + 10 * DAY)
    assert [w.code for w in certconv.load(root.der, at=NOW + 20 * DAY).warnings] == ["expired"]
    assert [w.code for w in certconv.load(root.der, at=NOW - 20 * DAY).warnings] == ["not-yet-valid"]
    assert certconv.load(root.der, at=NOW).warnings == ()


def test_more_than_ten_ca_certificates_warns_apim_limit() -> None:
    cas = [issue(f"CA {i}", ca=True) for i in range(11)]
    assert "apim-ca-limit" in [w.code for w in certconv.load(to_pem(cas)).warnings]
    assert "apim-ca-limit" not in [w.code for w in certconv.load(to_pem(cas[:10])).warnings]


def test_unmatched_private_key_is_reported(pki: Pki) -> None:
    other = make_chain("Other")
    bundle = certconv.load(to_pem([pki.leaf], with_key=other.leaf))
    assert not bundle.leaves[0].has_private_key
    assert "unmatched-key" in [w.code for w in bundle.warnings]


def test_issuer_sha1_points_up_the_chain(pki: Pki) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    leaf, inter, root = bundle.leaves[0], bundle.intermediates[0], bundle.roots[0]
    assert (leaf.issuer_sha1, inter.issuer_sha1, root.issuer_sha1) == (inter.sha1, root.sha1, None)


def test_issuer_loop_terminates() -> None:
    # A signs B's key and B signs A's key: neither is self-signed, the chain must still end.
    key_a, key_b = make_key(), make_key()
    a_stub = Issued(issue("A", ca=True, key=key_a).cert, key_a)
    b = issue("B", a_stub, ca=True, key=key_b)
    a = issue("A", b, ca=True, key=key_a)
    leaf = issue("leaf.example", b)
    bundle = certconv.load(to_pem([leaf, a, b]))
    (chain,) = bundle.chains
    assert len({c.sha1 for c in chain}) == len(chain) <= 3
    assert not chain.complete
    (warning,) = [w for w in bundle.warnings if w.code == "missing-issuer"]
    assert warning.sha1 == chain.top.sha1 and "reaches no self-signed root" in warning.message


def test_md2_self_issued_root_is_a_root_with_one_unchecked_warning() -> None:
    vectors = Path(cryptography_vectors.__file__).parent / "x509"
    bundle = certconv.load(vectors / "verisign_md2_root.pem")
    (cert,) = bundle.certificates
    assert cert.role is Role.ROOT and cert.self_signed
    (warning,) = bundle.warnings
    assert warning.code == "unchecked-self-signature" and warning.sha1 == cert.sha1
    assert "self-signature was not checked" in warning.message and "md2" in warning.message.lower()


@pytest.mark.parametrize(
    "vector",
    ["cryptography.io.with_headers.pem", "cryptography.io.with_garbage.pem", "cryptography.io.old_header.pem"],
)
def test_real_world_pem_oddities_yield_the_certificate(vector: str) -> None:
    vectors = Path(cryptography_vectors.__file__).parent / "x509"
    bundle = certconv.load(vectors / vector)
    assert [c.common_name for c in bundle.certificates] == ["www.cryptography.io"]


def test_self_signed_ca_true_backend_certificate_is_a_chain_of_one() -> None:
    # `openssl req -x509` marks a backend's self-signed certificate CA:TRUE; its SAN gives it away.
    backend = issue("api.backend.example", ca=True, san=["api.backend.example"])
    bundle = certconv.load(backend.der)
    assert [c.role for c in bundle.certificates] == [Role.ROOT]
    assert [list(ch.sha1s) for ch in bundle.chains] == [[bundle.certificates[0].sha1]]


def test_self_signed_root_ca_alone_is_no_chain() -> None:
    assert certconv.load(issue("Lonely Root CA", ca=True).der).chains == ()


def test_friendly_name_kept_does_not_depend_on_input_order(pki: Pki) -> None:
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

    def named(name: bytes) -> bytes:
        cas = [pkcs12.PKCS12Certificate(pki.root.cert, name)]
        return pkcs12.serialize_key_and_certificates(None, None, None, cas, NoEncryption())

    a, b = named(b"Name-Y"), named(b"Name-X")
    names = {certconv.load(order).certificates[0].friendly_name for order in ([a, b], [b, a])}
    assert names == {"Name-X"}


