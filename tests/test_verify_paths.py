"""verify's path building, its two policies and their named leniencies, fail-closed extensions, the peer.

Certificates are generated here; where a real tool can judge, ``openssl verify``
is the oracle (see tests/test_verify.py for the APIM scenarios).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID
from hypothesis import given
from hypothesis import strategies as st
from pki import DAY, NOW, Issued, Pki, issue, make_key, name, to_pem, to_pfx
from typer.testing import CliRunner
from work import counted

import certconv
from certconv import Leniency, Source
from certconv.cli import app
from certconv.trust._hostname import hostname_matches


def _cert(
    subject: str,
    issuer: Issued | None,
    *,
    key: object = None,
    extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    key_ids: bool = True,
    not_after: dt.datetime | None = None,
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> Issued:
    """A certificate with exactly these extensions (plus key identifiers unless ``key_ids`` is false)."""
    own = key or make_key()
    signer = issuer.key if issuer else own
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(issuer.cert.subject if issuer else name(subject))
        .public_key(own.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
    )
    if key_ids:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(own.public_key()),  # type: ignore[attr-defined]
            critical=False,
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),  # type: ignore[attr-defined]
            critical=False,
        )
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    return Issued(builder.sign(signer, hash_algorithm or hashes.SHA256()), own)  # type: ignore[arg-type]


def _der_len(n: int) -> bytes:
    return (
        bytes([n])
        if n < 128
        else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    )


def _sha1_signed(made: Issued, signer: Issued) -> Issued:
    """``made`` (RSA, SHA-256, by ``signer``) signed again with SHA-1, which cryptography's builder refuses."""
    from cryptography.hazmat.primitives.asymmetric import padding

    sha256_rsa, sha1_rsa = bytes.fromhex("2a864886f70d01010b"), bytes.fromhex("2a864886f70d010105")
    tbs = made.cert.tbs_certificate_bytes.replace(sha256_rsa, sha1_rsa)
    signature = signer.key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())  # type: ignore[union-attr, call-arg]
    algorithm = bytes.fromhex("300d06092a864886f70d0101050500")
    bits = b"\x03" + _der_len(len(signature) + 1) + b"\x00" + signature
    body = tbs + algorithm + bits
    return Issued(x509.load_der_x509_certificate(b"\x30" + _der_len(len(body)) + body), made.key)


CA = (x509.BasicConstraints(ca=True, path_length=None), True)
CA_KU = (
    x509.KeyUsage(False, False, False, False, False, True, True, False, False),
    True,
)
LEAF_KU = (x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)
SERVER = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)


def _root(cn: str) -> Issued:
    return _cert(cn, None, extensions=[CA, CA_KU])


def _leaf(
    host: str, issuer: Issued, *, san: bool = True, extra: Sequence[tuple[x509.ExtensionType, bool]] = ()
) -> Issued:
    exts = [(x509.BasicConstraints(ca=False, path_length=None), True), LEAF_KU, SERVER, *extra]
    if san:
        exts.append((x509.SubjectAlternativeName([x509.DNSName(host)]), False))
    return _cert(host, issuer, extensions=exts)


def _verify(leaf: Issued, sent: Sequence[Issued], roots: Sequence[Issued], **kw: object) -> certconv.Verification:
    return certconv.verify(
        Source("sent.pem", to_pem([leaf, *sent])),
        ca=[Source("roots.pem", to_pem(list(roots)))],
        **kw,  # type: ignore[arg-type]
    )


def _codes(result: certconv.Verification) -> list[str]:
    return [f.code for c in result.chains for f in c.failures]


# --- path building through cross-signs -------------------------------------------------------


def _cross_signed(bad: Sequence[tuple[x509.ExtensionType, bool]]) -> tuple[Issued, Issued, Issued, Issued, Issued]:
    """leaf → intermediate I (one key) cross-signed by roots A and B; I-by-A carries ``bad`` and ends later,
    so it is the first candidate, and only I-by-B leads to a valid path."""
    root_a, root_b = _root("Root A"), _root("Root B")
    key = make_key()
    i_by_a = _cert("Issuing CA", root_a, key=key, extensions=[CA, CA_KU, *bad], not_after=NOW + 900 * DAY)
    i_by_b = _cert("Issuing CA", root_b, key=key, extensions=[CA, CA_KU], not_after=NOW + 300 * DAY)
    leaf = _leaf("api.corp.example", i_by_a)  # the signature is I's key: both copies issued it
    return leaf, i_by_a, i_by_b, root_a, root_b


def test_backtracking_finds_the_valid_cross_sign_when_the_first_candidate_fails() -> None:
    client_only = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
    leaf, i_by_a, i_by_b, root_a, root_b = _cross_signed([client_only])
    with counted(lines=False) as work:
        result = _verify(leaf, [i_by_a, i_by_b], [root_a, root_b], host="api.corp.example")
    assert result.ok, result.render()
    path = [s.certificate.sha1 for s in result.chains[0].path]
    assert path[1] == certconv.load(Source("b", i_by_b.pem)).certificates[0].sha1  # through B, not A
    assert path[2] == certconv.load(Source("r", root_b.pem)).certificates[0].sha1
    assert work.search_steps <= 20  # a handful of steps (both chain choice and verify), not an enumeration


def test_name_constraints_of_one_cross_sign_send_the_search_to_the_other() -> None:
    outside = (x509.NameConstraints([x509.DNSName("other.example")], None), True)
    leaf, i_by_a, i_by_b, root_a, root_b = _cross_signed([outside])
    result = _verify(leaf, [i_by_a, i_by_b], [root_a, root_b])
    assert result.ok, result.render()
    assert result.chains[0].path[-1].certificate.common_name == "Root B"


def test_with_only_the_failing_cross_sign_the_failure_of_the_furthest_path_is_reported() -> None:
    client_only = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
    leaf, i_by_a, _, root_a, root_b = _cross_signed([client_only])
    result = _verify(leaf, [i_by_a], [root_a, root_b])
    assert _codes(result) == ["extended-key-usage"]  # it reached Root A: not "missing issuer"
    assert "`Issuing CA`" in result.chains[0].failures[0].message


def test_split_chooses_the_chain_verify_accepts() -> None:
    client_only = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
    leaf, i_by_a, i_by_b, root_a, root_b = _cross_signed([client_only])
    bundle = certconv.load(Source("all.pem", to_pem([leaf, i_by_a, i_by_b, root_a, root_b])))
    (chain,) = bundle.chains
    assert [c.common_name for c in chain.certificates] == ["api.corp.example", "Issuing CA", "Root B"]
    chosen = {c.sha1 for c in chain.certificates}
    assert certconv.load(Source("b", i_by_b.pem)).certificates[0].sha1 in chosen


def _rsa_root(cn: str) -> Issued:
    return _cert(cn, None, key=make_key("rsa"), extensions=[CA, CA_KU])


def test_a_sha256_cross_sign_is_preferred_to_a_sha1_one_even_when_longer() -> None:
    root = _rsa_root("Root")
    mid_key, issuing_key = make_key(), make_key()
    mid_key = make_key("rsa")
    mid = _cert("Mid CA", root, key=mid_key, extensions=[CA, CA_KU])
    sha1 = _sha1_signed(_cert("Issuing CA", root, key=issuing_key, extensions=[CA, CA_KU]), root)
    sha256 = _cert("Issuing CA", mid, key=issuing_key, extensions=[CA, CA_KU])
    leaf = _leaf("api.corp.example", sha256)
    result = _verify(leaf, [sha1, sha256, mid], [root])
    assert result.ok and not result.chains[0].leniencies, result.render()
    assert [s.certificate.common_name for s in result.chains[0].path] == [
        "api.corp.example",
        "Issuing CA",
        "Mid CA",
        "Root",
    ]


# --- the leniencies of policy apim, each refused by strict --------------------------------


def _both(
    leaf: Issued, sent: Sequence[Issued], roots: Sequence[Issued], **kw: object
) -> tuple[certconv.Verification, certconv.Verification]:
    return _verify(leaf, sent, roots, policy="apim", **kw), _verify(leaf, sent, roots, policy="strict", **kw)


def test_cn_as_host_under_apim_with_a_line_for_browsers() -> None:
    root = _root("Root")
    leaf = _leaf("api.corp.example", root, san=False)
    apim, strict = _both(leaf, [], [root], host="api.corp.example")
    assert apim.ok and apim.chains[0].leniencies == (Leniency.CN_AS_HOST,), apim.render()
    assert "browsers (Chrome, Edge, Firefox, Safari) reject" in apim.render()
    assert not strict.ok and set(_codes(strict)) == {"profile", "hostname-mismatch"}


def test_dns_name_constraints_apply_to_the_cn_used_as_host() -> None:
    # Without it a CA constrained to corp.example could certify any host through a CN (issue 12: 65 cases).
    root = _root("Root")
    constrained = _cert(
        "Corp CA", root, extensions=[CA, CA_KU, (x509.NameConstraints([x509.DNSName("corp.example")], None), True)]
    )
    inside, outside = _leaf("api.corp.example", constrained, san=False), _leaf("evil.example", constrained, san=False)
    assert _verify(inside, [constrained], [root], host="api.corp.example").ok
    result = _verify(outside, [constrained], [root], host="evil.example")
    assert _codes(result) == ["name-constraints"], result.render()


def test_sha1_signatures_under_a_private_root_with_a_line_for_browsers() -> None:
    root = _rsa_root("Root")
    issuing = _sha1_signed(_cert("Issuing CA", root, extensions=[CA, CA_KU]), root)
    leaf = _leaf("api.corp.example", issuing)
    apim, strict = _both(leaf, [issuing], [root])
    assert apim.ok and apim.chains[0].leniencies == (Leniency.SHA1_PRIVATE,), apim.render()
    assert "browsers and curl (OpenSSL 3) reject SHA-1 signatures" in apim.render()
    assert _codes(strict) == ["signature-algorithm"]


def test_sha1_is_not_excused_under_a_public_store_root() -> None:
    from certconv.trust._path import search
    from certconv.trust._policy import APIM
    from certconv.trust._rules import Settings

    root = _rsa_root("Public Root")
    issuing = _sha1_signed(_cert("Issuing CA", root, extensions=[CA, CA_KU]), root)
    leaf = _leaf("api.corp.example", issuing)
    nodes = {
        n.sha256: n
        for n in certconv.trust._graph.graph(
            certconv.readers._read.read_source(Source("x", to_pem([leaf, issuing, root]))).certificates
        )
    }
    anchor = next(sha for sha, n in nodes.items() if n.self_signed)
    peer = next(n for n in nodes.values() if n.facts.name == "api.corp.example")
    private = search(peer, {anchor}, Settings(APIM, NOW, "server"), budget=100)
    public = search(peer, {anchor}, Settings(APIM, NOW, "server", public=frozenset({anchor})), budget=100)
    assert private.valid and [p.code for p in public.problems] == ["signature-algorithm"]


def test_missing_key_identifiers() -> None:
    root = _root("Root")
    issuing = _cert("Issuing CA", root, extensions=[CA, CA_KU], key_ids=False)
    leaf = _cert(
        "api.corp.example",
        issuing,
        key_ids=False,
        extensions=[LEAF_KU, SERVER, (x509.SubjectAlternativeName([x509.DNSName("api.corp.example")]), False)],
    )
    apim, strict = _both(leaf, [issuing], [root])
    assert apim.ok and apim.chains[0].leniencies == (Leniency.KEY_IDENTIFIERS,), apim.render()
    assert not apim.chains[0].notes  # browsers and curl accept these too
    assert set(_codes(strict)) == {"profile"} and len(_codes(strict)) == 3  # leaf AKI, CA SKI and AKI


def test_issuance_rules_such_as_a_critical_eku() -> None:
    root = _root("Root")
    leaf = _cert(
        "api.corp.example",
        root,
        extensions=[
            LEAF_KU,
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), True),
            (x509.SubjectAlternativeName([x509.DNSName("api.corp.example")]), False),
        ],
    )
    apim, strict = _both(leaf, [], [root])
    assert apim.ok and apim.chains[0].leniencies == (Leniency.ISSUANCE_RULES,)
    assert _codes(strict) == ["profile"] and "critical extended key usage" in strict.chains[0].failures[0].message


def test_a_ca_certificate_as_the_servers_certificate() -> None:
    root = _root("Root")
    issuing = _cert("Issuing CA", root, extensions=[CA, CA_KU])
    apim = certconv.verify([], peer=Source("i.pem", issuing.pem), ca=[Source("r.pem", root.pem)])
    strict = certconv.verify([], peer=Source("i.pem", issuing.pem), ca=[Source("r.pem", root.pem)], policy="strict")
    assert apim.ok and apim.chains[0].leniencies == (Leniency.CA_AS_PEER,)
    assert [c.leaf.common_name for c in apim.chains] == ["Issuing CA"]
    assert _codes(strict) == ["profile"]


def test_a_legacy_root_without_basic_constraints() -> None:
    root = _cert("Old Root", None, extensions=[CA_KU])  # keyCertSign, no basicConstraints
    leaf = _leaf("api.corp.example", root)
    apim, strict = _both(leaf, [], [root])
    assert apim.ok and apim.chains[0].leniencies == (Leniency.LEGACY_ROOT,), apim.render()
    assert _codes(strict) == ["not-a-ca"]


def test_a_dns_name_constraint_with_a_leading_period() -> None:
    root = _root("Root")
    dotted = (x509.NameConstraints([x509.DNSName(".corp.example")], None), True)
    issuing = _cert("Corp CA", root, extensions=[CA, CA_KU, dotted])
    leaf = _leaf("api.corp.example", issuing)
    apim, strict = _both(leaf, [issuing], [root])
    assert apim.ok and apim.chains[0].leniencies == (Leniency.NC_LEADING_PERIOD,), apim.render()
    assert _codes(strict) == ["name-constraints"]
    # Under the leniency it means names *below* corp.example: another domain still fails.
    other = _leaf("api.other.example", issuing)
    assert _codes(_verify(other, [issuing], [root])) == ["name-constraints"]


def test_strict_is_apim_without_leniencies_on_a_clean_chain() -> None:
    root = _root("Root")
    issuing = _cert("Issuing CA", root, extensions=[CA, CA_KU])
    leaf = _leaf("api.corp.example", issuing)
    apim, strict = _both(leaf, [issuing], [root], host="api.corp.example")
    assert apim.ok and strict.ok and not apim.chains[0].leniencies, strict.render()


# --- fail closed ----------------------------------------------------------------------------


def _raw(oid: x509.ObjectIdentifier, value: bytes, critical: bool = False) -> tuple[x509.ExtensionType, bool]:
    return x509.UnrecognizedExtension(oid, value), critical


@pytest.mark.parametrize(
    ("what", "extension"),
    [
        ("empty EKU", _raw(ExtensionOID.EXTENDED_KEY_USAGE, b"\x30\x00")),
        ("malformed basicConstraints", _raw(ExtensionOID.BASIC_CONSTRAINTS, b"\x30\x03\x02\x01", True)),
        ("malformed SAN", _raw(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, b"\x30\x05\x82\x09abc")),
    ],
)
def test_an_extension_that_cannot_be_parsed_fails_the_certificate(
    what: str, extension: tuple[x509.ExtensionType, bool]
) -> None:
    # Before: read_extension turned cryptography's parse error into "absent", and the chain passed.
    root = _root("Root")
    leaf = _cert("api.corp.example", root, extensions=[LEAF_KU, extension])
    result = _verify(leaf, [], [root])
    assert _codes(result) == ["unreadable"], (what, result.render())
    assert "has extensions that cannot be read (" in result.chains[0].failures[0].message


def test_an_unknown_critical_extension_fails() -> None:
    root = _root("Root")
    leaf = _leaf(
        "api.corp.example", root, extra=[_raw(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00", True)]
    )
    assert _codes(_verify(leaf, [], [root])) == ["critical-extension"]


# --- the certificates under test, the moment, the arguments ---------------------------------


def test_a_stray_end_entity_certificate_beside_a_pfx_does_not_decide_the_exit_code(pki: Pki, tmp_path: Path) -> None:
    stray = issue("stray.example", make_key_ca := issue("Stray CA", ca=True))  # noqa: F841
    pfx = tmp_path / "backend.pfx"
    pfx.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root, stray]))
    result = certconv.verify(pfx, password="changeit")
    assert [c.leaf.common_name for c in result.chains] == ["*.backend.example"] and result.ok
    cli = CliRunner().invoke(app, ["verify", str(pfx), "--password", "changeit"])
    assert cli.exit_code == 0, cli.output


def test_peer_decides_which_certificate_is_verified_and_the_exit_code(pki: Pki, tmp_path: Path) -> None:
    other = issue("other.example", issue("Other CA", ca=True))
    (tmp_path / "all.pem").write_bytes(to_pem([*pki.chain, other]))
    (tmp_path / "peer.pem").write_bytes(pki.leaf.pem)
    runner = CliRunner()
    assert runner.invoke(app, ["verify", str(tmp_path / "all.pem")]).exit_code == 3  # other.example fails
    done = runner.invoke(app, ["verify", str(tmp_path / "all.pem"), "--peer", str(tmp_path / "peer.pem")])
    assert done.exit_code == 0, done.output
    (tmp_path / "int.pem").write_bytes(pki.intermediate.pem)
    ca_peer = runner.invoke(app, ["verify", str(tmp_path / "all.pem"), "--peer", str(tmp_path / "int.pem")])
    assert ca_peer.exit_code == 0 and "ca-as-peer" in ca_peer.output, ca_peer.output


def test_at_is_compared_at_whole_seconds_as_the_cli_takes_it() -> None:
    root = _root("Root")
    end = (NOW + 30 * DAY).replace(microsecond=0)
    leaf = _cert(
        "api.corp.example",
        root,
        not_after=end,
        extensions=[LEAF_KU, SERVER, (x509.SubjectAlternativeName([x509.DNSName("api.corp.example")]), False)],
    )
    five_ms_later = end + dt.timedelta(milliseconds=5)
    assert _verify(leaf, [], [root], at=five_ms_later).ok  # the same second as notAfter
    assert _codes(_verify(leaf, [], [root], at=end + dt.timedelta(seconds=1))) == ["expired"]
    assert _verify(leaf, [], [root], at=five_ms_later).at == end


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"policy": "lenient"}, "policy"),
        ({"trust_store": "windows"}, "trust_store"),
        ({"max_depth": -1}, "max_depth"),
        ({"max_depth": True}, "max_depth"),
    ],
)
def test_bad_arguments_are_usage_errors(pki: Pki, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(certconv.UsageError, match=match):
        certconv.verify(Source("c.pem", to_pem(pki.chain)), **kwargs)  # type: ignore[arg-type]


def test_cli_refuses_an_unknown_policy_with_exit_2(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "c.pem").write_bytes(to_pem(pki.chain))
    assert CliRunner().invoke(app, ["verify", str(tmp_path / "c.pem"), "--policy", "lenient"]).exit_code == 2


def test_max_depth_counts_intermediates_but_not_self_issued_ones(pki: Pki) -> None:
    chain = Source("c.pem", to_pem(pki.chain))
    assert certconv.verify(chain, max_depth=1).ok
    assert _codes(certconv.verify(chain, max_depth=0)) == ["path-length"]


def test_each_input_is_read_once_and_a_pfx_decrypted_once(pki: Pki, tmp_path: Path) -> None:
    pfx = tmp_path / "backend.pfx"
    pfx.write_bytes(to_pfx(pki.leaf, [pki.intermediate]))
    ca = tmp_path / "ca.pfx"
    ca.write_bytes(to_pfx(None, [pki.root]))
    with counted(lines=False) as work:
        result = certconv.verify(pfx, ca=[ca], password="changeit")
    assert result.ok, result.render()
    # One MAC key derivation and one decryption per PKCS#12 file: 4 (before: 8, each file read twice).
    assert sorted(what for what, _ in work.derivations) == ["PBKDF2", "PBKDF2", "PKCS#12", "PKCS#12"]


# --- public roots -----------------------------------------------------------------------------


def test_ca_public_trusts_mozillas_roots() -> None:
    import certifi

    first = certifi.contents().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    result = certconv.verify([], peer=Source("root.pem", first.encode()), trust_store="public")
    assert result.trust_store == "public" and result.store_anchors > 100
    assert result.ok and result.trust == "store" and result.chains[0].path[-1].trust_anchor
    assert "Mozilla's public roots (certifi" in result.render()


def test_ca_public_without_certifi_says_what_to_install(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "certifi", None)
    with pytest.raises(certconv.InputError, match=r"pip install 'certconv\[public\]'"):
        certconv.verify(Source("c.pem", to_pem(pki.chain)), trust_store="public")


def test_ca_system_reads_the_machines_bundle(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from certconv.trust import _ca_stores as _stores

    bundle = tmp_path / "ca-certificates.crt"
    bundle.write_bytes(pki.root.pem)
    monkeypatch.setattr(_stores, "_BUNDLES", (str(bundle),))
    monkeypatch.setattr(_stores.ssl, "get_default_verify_paths", lambda: _Paths(str(tmp_path / "none.pem")))
    result = certconv.verify(Source("c.pem", to_pem([pki.leaf, pki.intermediate])), trust_store="system")
    assert result.ok and f"this machine's store ({bundle})" in result.render()
    monkeypatch.setattr(_stores, "_BUNDLES", ())
    with pytest.raises(certconv.InputError, match="no certificate store certconv can read"):
        certconv.verify(Source("c.pem", to_pem(pki.chain)), trust_store="system")


class _Paths:
    def __init__(self, cafile: str) -> None:
        self.openssl_cafile = cafile


def test_cli_ca_public_and_system_are_store_names(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "c.pem").write_bytes(to_pem(pki.chain[:2]))
    done = CliRunner().invoke(app, ["verify", str(tmp_path / "c.pem"), "--ca", "public", "--json"])
    assert done.exit_code == 3 and '"trust_store": "public"' in done.output  # a private chain: not trusted


# --- bounded work -------------------------------------------------------------------------------


def test_a_cross_signing_mesh_above_the_leaf_is_searched_within_its_budget() -> None:
    from certconv.readers import _read
    from certconv.trust import _graph
    from certconv.trust._path import search
    from certconv.trust._policy import APIM
    from certconv.trust._rules import Settings

    root = _root("Root")
    keys = [make_key() for _ in range(6)]
    mesh = [_cert(f"Mesh {i}", None, key=keys[i], extensions=[CA, CA_KU]) for i in range(6)]
    certs = [  # every mesh CA signed by every other, all with one name: 30 cross-signs, none to the root
        _cert("Mesh", mesh[j], key=keys[i], extensions=[CA, CA_KU]) for i in range(6) for j in range(6) if i != j
    ]
    bottom = _cert("Mesh", root, key=keys[0], extensions=[CA, CA_KU], not_after=NOW + 10 * DAY)
    leaf = _leaf("api.corp.example", Issued(certs[0].cert, keys[0]))
    raws = _read.read_source(Source("x", to_pem([leaf, *certs, bottom, root]))).certificates
    nodes = {n.sha256: n for n in _graph.graph(raws)}
    anchor = {sha for sha, n in nodes.items() if n.facts.name == "Root"}
    peer = next(n for n in nodes.values() if n.facts.name == "api.corp.example")
    found = search(peer, anchor, Settings(APIM, NOW, "server"), budget=10_000)
    assert found.valid and found.steps <= 10_000
    starved = search(peer, anchor, Settings(APIM, NOW, "server"), budget=1)
    assert starved.cut and starved.steps <= 2


def test_run_as_a_subprocess_gives_an_answer_for_a_peer_only(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "leaf.pem").write_bytes(pki.leaf.pem)
    (tmp_path / "ca.pem").write_bytes(to_pem([pki.intermediate, pki.root]))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "certconv",
            "verify",
            "--peer",
            str(tmp_path / "leaf.pem"),
            "--ca",
            str(tmp_path / "ca.pem"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_trailing_dot_of_an_absolute_host_name_is_ignored(pki: Pki) -> None:
    # A trailing dot only marks the name as absolute. OpenSSL's X509_check_host does not
    # strip it (so `openssl verify -verify_hostname x.a.com.` fails): a documented difference.
    leaf = issue("*.a.com", pki.intermediate, san=["*.a.com", "a.com"])
    assert hostname_matches(leaf.cert, "x.a.com.")
    assert hostname_matches(leaf.cert, "a.com.")


def test_wildcard_needs_two_labels_after_it(pki: Pki) -> None:
    leaf = issue("*.com", pki.intermediate, san=["*.com"])
    assert not hostname_matches(leaf.cert, "a.com")


def test_partial_wildcards_match_nothing(pki: Pki) -> None:
    leaf = issue("w*.a.com", pki.intermediate, san=["w*.a.com"])
    assert not hostname_matches(leaf.cert, "www.a.com")


@given(host=st.text(max_size=80))
def test_any_host_string_gives_an_answer_not_an_exception(host: str, pki: Pki) -> None:
    assert hostname_matches(pki.leaf.cert, host) in (True, False)


@given(label=st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True))
def test_wildcard_matches_any_single_label(label: str, pki: Pki) -> None:
    assert hostname_matches(pki.leaf.cert, f"{label}.backend.example")
    assert not hostname_matches(pki.leaf.cert, f"{label}.x.backend.example")


def test_chaining_bound_counts_only_excess_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    # An ordinary input needs about one signature check per certificate, however large it is;
    # only certificates crowding one name make the work quadratic.
    import certconv.trust._graph as graph_module

    monkeypatch.setattr(graph_module, "_MAX_SIGNATURE_CHECKS", 10)
    root = issue("Root", ca=True)
    cas = [issue(f"CA {i}", root, ca=True) for i in range(5)]
    leaves = [issue(f"leaf{i}.example", cas[i % 5]) for i in range(40)]
    assert len(certconv.load(to_pem([root, *cas, *leaves])).chains) == 40
    crowd_key = make_key()
    crowd = [issue("Crowd", issue("Crowd", ca=True, key=crowd_key), ca=True) for _ in range(12)]
    with pytest.raises(certconv.UnsafeInputError, match="signature checks"):
        certconv.load(to_pem(crowd))
