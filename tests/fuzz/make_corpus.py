"""Write the fuzzers' seed corpus: the samples plus files generated with tests/pki.py.

Usage: ``python tests/fuzz/make_corpus.py [DEST]`` (default ``tests/fuzz/corpus``).
Every encrypted seed uses the password ``changeit``, which the harness tries.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import entry_points  # noqa: E402
from keystores import KeyEntry, Secret, Trusted, to_keystore  # noqa: E402
from pki import Pki, issue, make_chain, serialize, to_p7b, to_pem, to_pfx  # noqa: E402

SAMPLES = HERE.parent.parent / "samples"


def seeds() -> dict[str, dict[str, bytes]]:
    pki = make_chain("Fuzz")
    pem = serialize(pki, "pem")
    key = pki.leaf.key
    csr = (
        x509.CertificateSigningRequestBuilder().subject_name(pki.leaf.cert.subject).sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    now = dt.datetime.now(dt.UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.root.cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=1))
        .sign(pki.root.key, hashes.SHA256())  # type: ignore[arg-type]
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    encrypted_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"changeit"),
    )
    trusted = pem.replace(b"BEGIN CERTIFICATE", b"BEGIN TRUSTED CERTIFICATE").replace(
        b"END CERTIFICATE", b"END TRUSTED CERTIFICATE"
    )
    nasty = issue("..\\/CON\u202e\x07 \u0000-.", ca=True)
    return {
        "pem": {
            "fullchain.pem": (SAMPLES / "fullchain.pem").read_bytes(),
            "chain-key.pem": pem,
            "crlf-bom.pem": b"\xef\xbb\xbf" + pem.replace(b"\n", b"\r\n"),
            "bag-attributes.pem": b"Bag Attributes\n    friendlyName: backend\n" + to_pem([pki.leaf]),
            "trusted.pem": trusted,
            "p7b.pem": to_p7b(pki.chain, pem=True),
            "key-only.pem": key_pem,
            "encrypted-key.pem": to_pem([pki.leaf]) + encrypted_key,
            "csr.pem": csr.public_bytes(serialization.Encoding.PEM),
            "crl.pem": crl.public_bytes(serialization.Encoding.PEM),
            "nasty-subject.pem": nasty.pem,
        },
        "der": {
            "leaf.cer": (SAMPLES / "leaf.cer").read_bytes(),
            "root.cer": pki.root.der,
            "nasty-subject.cer": nasty.der,
            "csr.der": csr.public_bytes(serialization.Encoding.DER),
            "crl.der": crl.public_bytes(serialization.Encoding.DER),
        },
        "pkcs7": {
            "bundle.p7b": (SAMPLES / "bundle.p7b").read_bytes(),
            "chain.p7b": to_p7b(pki.chain),
            "root.p7b": to_p7b([pki.root]),
        },
        "pkcs12": {
            "bundle.pfx": (SAMPLES / "bundle.pfx").read_bytes(),
            "bundle-legacy.pfx": (SAMPLES / "bundle-legacy.pfx").read_bytes(),
            "chain.pfx": to_pfx(pki.leaf, [pki.intermediate, pki.root]),
            "legacy.pfx": to_pfx(pki.leaf, [pki.intermediate], legacy=True),
            "nopass.pfx": to_pfx(pki.leaf, [pki.root], password=None),
            "certs-only.pfx": to_pfx(None, [pki.intermediate, pki.root]),
        },
        "jks": _keystores(pki),
        "tolerant": _quirks(),
    }


def _quirks() -> dict[str, bytes]:
    """One certificate per quirk the tolerant path knows (tests/quirkcerts.py), and one with all it can hold."""
    import quirkcerts

    seeds = {f"{quirk}.cer": quirkcerts.make(quirkcerts.key_for(quirk), quirk=quirk) for quirk in quirkcerts.QUIRKS}
    seeds["v1.cer"] = quirkcerts.make(quirkcerts.key_for(None), v1=True)
    return seeds


def _keystores(pki: Pki) -> dict[str, bytes]:
    """JKS and JCEKS seeds (tests/keystores.py); JCEKS keys with 16 rounds, so one run stays cheap."""
    trusted = [Trusted("root", pki.root.der), Trusted("intermediate", pki.intermediate.der)]
    chain = [pki.leaf.der, pki.intermediate.der, pki.root.der]
    return {
        "trusted.jks": to_keystore(trusted),
        "key.jks": to_keystore([*trusted, KeyEntry("backend", pki.leaf, chain)]),
        "v1.jks": to_keystore([*trusted, KeyEntry("backend", pki.leaf, chain)], version=1),
        "keypass.jks": to_keystore([KeyEntry("backend", pki.leaf, chain, password="other-pass")]),
        "key.jceks": to_keystore([*trusted, KeyEntry("backend", pki.leaf, chain, iterations=16)], kind="JCEKS"),
        "secret.jceks": to_keystore([Secret("secret"), *trusted], kind="JCEKS"),
    }


def _hostile() -> x509.Certificate:
    """A certificate whose SAN, AIA and CRL URLs carry terminal escapes, BEL and a forged line."""
    ep = entry_points
    forged = "a.example\n      OK    trusted.example"
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "\x9b2Jc1\x85.example")]))
        .issuer_name(ep.INTERMEDIATE.subject)
        .public_key(ep.LEAF_KEY.public_key())
        .serial_number(7)
        .not_valid_before(ep.LEAF.not_valid_before_utc)
        .not_valid_after(ep.LEAF.not_valid_after_utc)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(forged),
                    x509.DNSName("\x1b]52;c;aGk=\x07x.example"),
                    x509.UniformResourceIdentifier("http://e.example/\x1b[2J\x7f"),
                    x509.RFC822Name("a\x1b[31m@b.example"),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier("http://ca.example/\x1b[31mi.cer"),
                    ),
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier("http://ocsp.example/\r\x00"),
                    ),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier("http://crl.example/\x1b[5m")], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .sign(ep._INTERMEDIATE_KEY, None)
    )


def command_seeds(loader_seeds: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """Seeds of fuzz_commands.py: the fixed chain of entry_points.py in every form, and what loaders read."""
    ep = entry_points
    der = serialization.Encoding.DER
    key_pem = ep.LEAF_KEY.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pfx = pkcs12.serialize_key_and_certificates(
        b"backend", ep.LEAF_KEY, ep.LEAF, [ep.INTERMEDIATE, ep.ROOT], serialization.BestAvailableEncryption(b"changeit")
    )
    hostile = _hostile()
    fixed = {
        "served.pem": ep.SERVED,
        "fullchain-root.pem": ep.pem(ep.LEAF, ep.INTERMEDIATE, ep.ROOT),
        "chain-key.pem": ep.SERVED + key_pem,
        "leaf.cer": ep.LEAF.public_bytes(der),
        "root.cer": ep.ROOT_DER,
        "intermediate-root.pem": ep.pem(ep.INTERMEDIATE, ep.ROOT),
        "chain.p7b": pkcs7.serialize_certificates([ep.LEAF, ep.INTERMEDIATE, ep.ROOT], der),
        "root.p7b": pkcs7.serialize_certificates([ep.ROOT], der),
        "bundle.pfx": pfx,
        "hostile-names.pem": ep.pem(hostile, ep.INTERMEDIATE, ep.ROOT),
        "hostile-names.cer": hostile.public_bytes(der),
    }
    both = {**fixed, **loader_seeds}
    return {"inspect": both, "verify": both, "convert": both}


def main() -> None:
    dest = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "corpus"
    groups = seeds()
    groups["load"] = {f"{group}-{name}": data for group, files in groups.items() for name, data in files.items()}
    groups.update(command_seeds(groups["load"]))
    for group, files in groups.items():
        folder = dest / group
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    print(f"wrote {sum(len(f) for f in groups.values())} seeds into {dest}")


if __name__ == "__main__":
    main()
