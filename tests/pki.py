"""Test-time PKI: make keys, certificates and chains, and serialize them into every format.

Fixtures are generated, never stored, so each test states the shape it needs
(``make_chain()``, ``issue(...)``) and gets fresh, valid material. EC P-256 keys
are the default because they are fast to make; RSA is used where a test is
about RSA (PSS, legacy PFX interop).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)

Key = CertificateIssuerPrivateKeyTypes


def make_key(kind: str = "ec") -> Key:
    """A fresh private key: ``ec`` (P-256), ``rsa`` (2048), ``ed25519``, ``ed448``, ``dsa``."""
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    raise ValueError(kind)


@dataclass(frozen=True)
class Issued:
    """A certificate and the private key of its subject."""

    cert: x509.Certificate
    key: Key

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def name(cn: str, org: str | None = "certconv tests") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org is not None:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def issue(
    subject: str | x509.Name,
    issuer: Issued | None = None,
    *,
    key: Key | None = None,
    key_kind: str = "ec",
    ca: bool | None = False,
    path_length: int | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    san: Sequence[str] = (),
    hash_algorithm: hashes.HashAlgorithm | None = None,
    rsa_padding: padding.AsymmetricPadding | None = None,
    key_ids: bool = True,
    issuer_name: x509.Name | None = None,
    server_auth: bool | None = None,
    client_auth: bool | None = None,
    aia_ca_issuers: Sequence[str] = (),
    serial: int | None = None,
) -> Issued:
    """Issue one certificate; ``issuer=None`` makes it self-signed.

    ``ca=None`` leaves basicConstraints out. ``issuer_name`` overrides the issuer
    DN (to make self-issued or mismatched certificates). ``server_auth``/``client_auth``
    add an extended key usage naming serverAuth/clientAuth.
    """
    key = key or make_key(key_kind)
    subject_name = name(subject) if isinstance(subject, str) else subject
    signer_key = issuer.key if issuer else key
    signer_name = issuer_name or (issuer.cert.subject if issuer else subject_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before or NOW - DAY)
        .not_valid_after(not_after or NOW + 365 * DAY)
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    if key_ids:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        signer_public = signer_key.public_key()
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_public),  # type: ignore[arg-type]
            critical=False,
        )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    usages = [ExtendedKeyUsageOID.SERVER_AUTH] if server_auth else []
    usages += [ExtendedKeyUsageOID.CLIENT_AUTH] if client_auth else []
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if aia_ca_issuers:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u)
                    )
                    for u in aia_ca_issuers
                ]
            ),
            critical=False,
        )
    if isinstance(signer_key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        cert = builder.sign(signer_key, None)
    elif rsa_padding is not None:
        cert = builder.sign(signer_key, hash_algorithm or hashes.SHA256(), rsa_padding=rsa_padding)
    else:
        cert = builder.sign(signer_key, hash_algorithm or hashes.SHA256())
    return Issued(cert, key)


@dataclass(frozen=True)
class Pki:
    """root → intermediate → leaf, the shape of the APIM scenario."""

    root: Issued
    intermediate: Issued
    leaf: Issued

    @property
    def chain(self) -> list[Issued]:
        """Leaf first."""
        return [self.leaf, self.intermediate, self.root]


def make_chain(prefix: str = "Test", *, key_kind: str = "ec", leaf_name: str = "*.backend.example") -> Pki:
    root = issue(f"{prefix} Root CA", ca=True, key_kind=key_kind, not_after=NOW + 3650 * DAY)
    intermediate = issue(f"{prefix} Intermediate CA", root, ca=True, path_length=0, key_kind=key_kind)
    leaf = issue(
        leaf_name,
        intermediate,
        key_kind=key_kind,
        san=[leaf_name, leaf_name.removeprefix("*.")],
        server_auth=True,
    )
    return Pki(root, intermediate, leaf)


# -- serializations ---------------------------------------------------------------------


def to_pem(items: Iterable[Issued], *, with_key: Issued | None = None) -> bytes:
    out = b"".join(i.pem for i in items)
    if with_key is not None:
        out += with_key.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    return out


def to_p7b(items: Iterable[Issued], *, pem: bool = False) -> bytes:
    encoding = serialization.Encoding.PEM if pem else serialization.Encoding.DER
    return pkcs7.serialize_certificates([i.cert for i in items], encoding)


def to_pfx(
    leaf: Issued | None,
    cas: Iterable[Issued] = (),
    *,
    password: bytes | None = b"changeit",
    legacy: bool = False,
    friendly_name: bytes | None = b"backend",
) -> bytes:
    """PKCS#12 with ``leaf``'s key and certificate (if given) and ``cas`` as extra certificates."""
    if password is None:
        encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    elif legacy:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(password)
        )
    else:
        encryption = serialization.BestAvailableEncryption(password)
    return pkcs12.serialize_key_and_certificates(
        friendly_name,
        leaf.key if leaf else None,  # type: ignore[arg-type]
        leaf.cert if leaf else None,
        [i.cert for i in cas],
        encryption,
    )


FORMATS = ("pem", "der-p7b", "pem-p7b", "pfx", "pfx-legacy", "pfx-nopass")


def serialize(pki: Pki, fmt: str) -> bytes:
    """The whole chain (with the leaf's key where the format holds one) in ``fmt``."""
    if fmt == "pem":
        return to_pem(pki.chain, with_key=pki.leaf)
    if fmt == "der-p7b":
        return to_p7b(pki.chain)
    if fmt == "pem-p7b":
        return to_p7b(pki.chain, pem=True)
    if fmt == "pfx":
        return to_pfx(pki.leaf, [pki.intermediate, pki.root])
    if fmt == "pfx-legacy":
        return to_pfx(pki.leaf, [pki.intermediate, pki.root], legacy=True)
    if fmt == "pfx-nopass":
        return to_pfx(pki.leaf, [pki.intermediate, pki.root], password=None)
    raise ValueError(fmt)
