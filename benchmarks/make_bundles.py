"""Generate the big benchmark inputs: shuffled PEM bundles of one root, 100 intermediates and leaves.

One PKI is made (an RSA-2048 root, 10 RSA-2048 intermediates under it and 90
more under those, so chains are leaf → intermediate → intermediate → root) and
every bundle is that PKI plus as many leaves as it takes to reach the size
asked for, in a random order. Leaves carry EC P-256 keys (fast to make; the
signatures certconv checks on them are the intermediates' RSA ones).

The files are written to a cache folder, never committed: ``--cache`` or
``$CERTCONV_BENCH_CACHE``, default ``<tmp>/certconv-bench``. A bundle that is
already there is reused.

Usage::

    python benchmarks/make_bundles.py                # 1,000 and 10,000
    python benchmarks/make_bundles.py --sizes 500 --cache /tmp/x
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIZES = (1_000, 10_000)
INTERMEDIATES = 100
TOP_INTERMEDIATES = 10  # issued by the root; the other 90 are issued by these
SEED = 7  # the order of the shuffle (keys are random anyway)

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


def default_cache() -> Path:
    """Where generated bundles live between runs."""
    return Path(os.environ.get("CERTCONV_BENCH_CACHE") or Path(tempfile.gettempdir()) / "certconv-bench")


def bundle_path(cache: Path, size: int) -> Path:
    return cache / f"bundle-{size}.pem"


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certconv benchmark"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _issue(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    issuer_name: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    days: int,
    dns: str | None = None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + days * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    elif dns is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_pki(leaves: int) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """(root + intermediates, leaves): the CA part of the PKI and ``leaves`` leaves under it."""
    root_key = _rsa()
    root_name = _name("Benchmark Root CA")
    cas = [_issue(root_name, root_key.public_key(), root_name, root_key, ca=True, days=7300)]
    issuers: list[tuple[x509.Name, rsa.RSAPrivateKey]] = []
    for i in range(INTERMEDIATES):
        key = _rsa()
        name = _name(f"Benchmark Intermediate CA {i + 1:03d}")
        parent_name, parent_key = (root_name, root_key) if i < TOP_INTERMEDIATES else issuers[i % TOP_INTERMEDIATES]
        cas.append(_issue(name, key.public_key(), parent_name, parent_key, ca=True, days=3650))
        issuers.append((name, key))
    leaf_certs = []
    for i in range(leaves):
        issuer_name, issuer_key = issuers[i % INTERMEDIATES]
        host = f"host{i + 1:05d}.bench.example"
        key = ec.generate_private_key(ec.SECP256R1())
        leaf_certs.append(_issue(_name(host), key.public_key(), issuer_name, issuer_key, ca=False, days=365, dns=host))
    return cas, leaf_certs


EACH_PASSWORD = b"changeit"


def write_pfx_folder(cache: Path, count: int) -> tuple[list[Path], Path]:
    """``count`` PFX files like the sample (leaf + key, intermediate, root; password ``changeit``), cached.

    A migration's folder of backend PFX files: each with its own leaf, all under one
    private root and intermediate, protected as ``openssl pkcs12 -export`` (OpenSSL 3)
    and the sample are: PBES2 AES-256-CBC, PBKDF2 2,048 rounds, SHA-256 MAC.
    Returns the files and the password file.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    folder = cache / f"pfx2048-{count}"
    password = cache / "pfx-password.txt"
    files = [folder / f"backend-{i + 1:04d}.pfx" for i in range(count)]
    if all(f.is_file() for f in files) and password.is_file():
        return files, password
    folder.mkdir(parents=True, exist_ok=True)
    password.write_bytes(EACH_PASSWORD + b"\n")
    root_key = _rsa()
    root_name = _name("Benchmark Root CA")
    root = _issue(root_name, root_key.public_key(), root_name, root_key, ca=True, days=7300)
    mid_key = _rsa()
    mid_name = _name("Benchmark Intermediate CA")
    mid = _issue(mid_name, mid_key.public_key(), root_name, root_key, ca=True, days=3650)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(EACH_PASSWORD)
    )
    for i, path in enumerate(files):
        host = f"backend{i + 1:04d}.bench.example"
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _issue(_name(host), key.public_key(), mid_name, mid_key, ca=False, days=365, dns=host)
        path.write_bytes(pkcs12.serialize_key_and_certificates(host.encode(), key, leaf, [mid, root], encryption))
    return files, password


def write_one_ca(cache: Path, leaves: int = 20_000) -> Path:
    """A CA's inventory: an RSA-2048 root, one RSA-2048 CA under it and ``leaves`` EC leaves it issued, shuffled.

    Every leaf names the same issuer, so an issuer-name bound that counts certificates
    per name refuses it although each leaf needs one signature check. Cached.
    """
    path = cache / f"one-ca-{leaves}.pem"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    print(f"generating {leaves:,} leaves of one CA…", file=sys.stderr, flush=True)
    root_key, ca_key = _rsa(), _rsa()
    root_name, ca_name = _name("Inventory Root CA"), _name("Inventory Issuing CA")
    certs = [
        _issue(root_name, root_key.public_key(), root_name, root_key, ca=True, days=7300),
        _issue(ca_name, ca_key.public_key(), root_name, root_key, ca=True, days=3650),
    ]
    for i in range(leaves):
        host = f"inv{i + 1:06d}.bench.example"
        key = ec.generate_private_key(ec.SECP256R1())
        certs.append(_issue(_name(host), key.public_key(), ca_name, ca_key, ca=False, days=365, dns=host))
    random.Random(SEED).shuffle(certs)  # noqa: S311 - the order of a shuffle, not cryptography
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    tmp.replace(path)
    return path


def write_bundles(cache: Path, sizes: tuple[int, ...] = SIZES, *, log: bool = True) -> dict[int, Path]:
    """Make the bundles missing from ``cache``; return every size's path."""
    paths = {size: bundle_path(cache, size) for size in sizes}
    missing = [size for size, path in paths.items() if not path.exists()]
    if not missing:
        return paths
    cache.mkdir(parents=True, exist_ok=True)
    biggest = max(missing)
    if log:
        print(
            f"generating {biggest - 1 - INTERMEDIATES:,} leaves under 1 root + {INTERMEDIATES} intermediates…",
            file=sys.stderr,
            flush=True,
        )
    cas, leaves = make_pki(biggest - 1 - INTERMEDIATES)
    rng = random.Random(SEED)  # noqa: S311 - the order of a shuffle, not cryptography
    for size in missing:
        certs = cas + leaves[: size - len(cas)]
        rng.shuffle(certs)
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
        tmp = paths[size].with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.replace(paths[size])
        if log:
            print(f"wrote {paths[size]} ({len(certs):,} certificates, {len(pem):,} bytes)", file=sys.stderr)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache(), help="folder for the bundles")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="bundle sizes (certificates)")
    parser.add_argument("--force", action="store_true", help="make them again even if they exist")
    args = parser.parse_args()
    if any(size <= 1 + INTERMEDIATES for size in args.sizes):
        parser.error(f"sizes must be over {1 + INTERMEDIATES} (the root and intermediates)")
    if args.force:
        for size in args.sizes:
            bundle_path(args.cache, size).unlink(missing_ok=True)
    for size, path in write_bundles(args.cache, tuple(args.sizes)).items():
        print(f"{size}\t{path}")


if __name__ == "__main__":
    main()
