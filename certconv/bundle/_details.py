"""What ``inspect`` shows about each certificate of a bundle, as data: details, status and the issuer tree.

:func:`describe` reads the extensions of one certificate into a
:class:`CertificateDetails`; :func:`forest` arranges a bundle's certificates under
the issuers certconv chose; :func:`status` judges one at a moment. The whole
:class:`certconv.Inspection` (and its JSON) is built from these by :func:`certconv.inspect`;
the tree people read is :mod:`certconv.text._inspect`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.x509.oid import AuthorityInformationAccessOID

from ..base._enums import Validity
from ..base._face import publish
from ..pki._model import Bundle, Certificate
from ..pki._names import EKU_NAMES, KEY_USAGE_NAMES
from ..pki._x509 import access_urls, read_extension, validity

__all__ = ["SOON_DAYS", "CertificateDetails", "Node", "describe", "forest", "status"]

SOON_DAYS = 30
"""Certificates expiring within this many days are highlighted."""

_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
_WEAK_HASHES = ("md5", "sha1", "md2", "md4")


@dataclass(frozen=True, slots=True)
class CertificateDetails:
    """The details ``inspect`` shows about one certificate, read from its extensions.

    Attributes:
        certificate: The certificate described.
        file: The name :func:`certconv.split` gives its ``.cer`` file.
        key_type: ``RSA``, ``EC``, ``Ed25519``, ``Ed448``, ``DSA`` or the key algorithm's OID.
        key_size: Key size in bits (RSA, DSA, EC), ``None`` when it has none.
        curve: EC curve (``P-256``…), ``None`` for other keys.
        signature_algorithm: e.g. ``sha256WithRSAEncryption``, ``ecdsa-with-SHA256``.
        signature_hash: ``sha256``, ``sha1``, ``md5``…; ``None`` for Ed25519/Ed448 or unknown.
        weak_signature: Signed with MD5/SHA-1 (or older) and not self-signed: clients
            reject such certificates (a root's own signature is never checked, so roots are exempt).
        san: Subject alternative names as ``DNS:…``, ``IP:…``, ``email:…``, ``URI:…``.
        key_usage: Key usage names, ``None`` when the extension is absent.
        extended_key_usage: Extended key usage names, ``None`` when absent.
        basic_constraints_ca: basicConstraints CA flag, ``None`` when absent.
        path_length: basicConstraints pathLenConstraint, ``None`` when absent or unlimited.
        ca_issuers: AIA caIssuers URLs (where the issuer can be downloaded).
        ocsp: AIA OCSP responder URLs.
        crl_distribution_points: CRL distribution point URLs.
    """

    certificate: Certificate
    file: str
    key_type: str
    key_size: int | None
    curve: str | None
    signature_algorithm: str
    signature_hash: str | None
    weak_signature: bool
    san: tuple[str, ...]
    key_usage: tuple[str, ...] | None
    extended_key_usage: tuple[str, ...] | None
    basic_constraints_ca: bool | None
    path_length: int | None
    ca_issuers: tuple[str, ...]
    ocsp: tuple[str, ...]
    crl_distribution_points: tuple[str, ...]

    @property
    def key_description(self) -> str:
        """``RSA 2048``, ``EC P-256``, ``Ed25519``."""
        if self.curve:
            return f"{self.key_type} {self.curve}"
        return f"{self.key_type} {self.key_size}" if self.key_size else self.key_type

    def days_left(self, at: datetime) -> int:
        """Whole days from ``at`` to the end of validity (negative once expired)."""
        return (self.certificate.not_after - at).days


def describe(cert: Certificate, *, file: str) -> CertificateDetails:
    """Read the details of ``cert``; ``file`` is the name ``split`` gives it."""
    x = cert.x509
    key_type, key_size, curve = _key_info(x)
    try:
        hash_algorithm = x.signature_hash_algorithm
        signature_hash = hash_algorithm.name if hash_algorithm is not None else None
    except UnsupportedAlgorithm:
        signature_hash = None
    sig_name = _oid_name(x.signature_algorithm_oid)
    weak = not cert.self_signed and (
        signature_hash in _WEAK_HASHES or any(h in sig_name.lower() for h in ("md2", "md4", "md5"))
    )
    bc = read_extension(x, x509.BasicConstraints)
    ku = read_extension(x, x509.KeyUsage)
    eku = read_extension(x, x509.ExtendedKeyUsage)
    cdp = read_extension(x, x509.CRLDistributionPoints)
    return CertificateDetails(
        certificate=cert,
        file=file,
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        signature_algorithm=sig_name,
        signature_hash=signature_hash,
        weak_signature=weak,
        san=_san(x),
        key_usage=_key_usage(ku) if ku is not None else None,
        extended_key_usage=tuple(EKU_NAMES.get(o, o.dotted_string) for o in eku) if eku is not None else None,
        basic_constraints_ca=bc.ca if bc is not None else None,
        path_length=bc.path_length if bc is not None else None,
        ca_issuers=access_urls(x, AuthorityInformationAccessOID.CA_ISSUERS),
        ocsp=access_urls(x, AuthorityInformationAccessOID.OCSP),
        crl_distribution_points=tuple(
            name.value
            for point in (cdp or ())
            for name in (point.full_name or ())
            if isinstance(name, x509.UniformResourceIdentifier)
        ),
    )


# -- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """One certificate of :meth:`Inspection.forest` and those it issued."""

    cert: Certificate
    children: tuple[Node, ...]


def forest(bundle: Bundle) -> list[Node]:
    """Certificates as trees: each under the issuer certconv chose, tops first.

    Tops are roots and certificates whose issuer is missing. A cycle (possible only
    with CA certificates cross-signing each other and no root) is cut so every
    certificate appears exactly once.
    """
    by_sha1 = {c.sha1: c for c in bundle.certificates}
    parent: dict[str, str | None] = {}
    for cert in bundle.certificates:
        parent[cert.sha1] = cert.issuer_sha1 if cert.issuer_sha1 in by_sha1 else None
    for cert in bundle.certificates:
        seen = {cert.sha1}
        up = parent[cert.sha1]
        while up is not None:
            if up in seen:
                parent[cert.sha1] = None
                break
            seen.add(up)
            up = parent[up]
    children: dict[str | None, list[Certificate]] = {}
    for cert in bundle.certificates:  # bundle order: roots, intermediates, leaves; each sorted by name
        children.setdefault(parent[cert.sha1], []).append(cert)

    def build(cert: Certificate) -> Node:
        return Node(cert, tuple(build(child) for child in children.get(cert.sha1, ())))

    return [build(top) for top in children.get(None, ())]


def status(cert: Certificate, at: datetime) -> str:
    """``valid``, ``expiring-soon`` (within :data:`SOON_DAYS`), ``expired`` or ``not-yet-valid`` at ``at``."""
    state = validity(cert.x509, at)
    if state is Validity.VALID and (cert.not_after - at).days < SOON_DAYS:
        return "expiring-soon"
    return state.value



# -- helpers ----------------------------------------------------------------------------


def _key_info(cert: x509.Certificate) -> tuple[str, int | None, str | None]:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return _oid_name(cert.public_key_algorithm_oid), None, None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.key_size, _CURVES.get(key.curve.name, key.curve.name)
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", None, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", None, None
    if isinstance(key, x25519.X25519PublicKey):
        return "X25519", None, None
    if isinstance(key, x448.X448PublicKey):
        return "X448", None, None
    return _oid_name(cert.public_key_algorithm_oid), None, None


def _oid_name(oid: x509.ObjectIdentifier) -> str:
    name = oid._name  # cryptography's own table of names (public in its type stubs)
    return oid.dotted_string if not name or name == "Unknown OID" else name


_SAN_PREFIXES: tuple[tuple[type[x509.GeneralName], str], ...] = (
    (x509.DNSName, "DNS"),
    (x509.IPAddress, "IP"),
    (x509.RFC822Name, "email"),
    (x509.UniformResourceIdentifier, "URI"),
)
"""SAN entries written ``PREFIX:value``, as OpenSSL prints them."""


def _san(cert: x509.Certificate) -> tuple[str, ...]:
    san = read_extension(cert, x509.SubjectAlternativeName)
    return () if san is None else tuple(_general_name(general) for general in san)


def _general_name(general: x509.GeneralName) -> str:
    for kind, prefix in _SAN_PREFIXES:
        if isinstance(general, kind):
            return f"{prefix}:{general.value}"
    if isinstance(general, x509.DirectoryName):
        return f"DirName:{general.value.rfc4514_string()}"
    if isinstance(general, x509.RegisteredID):
        return f"RID:{general.value.dotted_string}"
    if isinstance(general, x509.OtherName):
        return f"othername:{general.type_id.dotted_string}"
    return type(general).__name__


def _key_usage(ku: x509.KeyUsage) -> tuple[str, ...]:
    names = [label for attr, label in KEY_USAGE_NAMES.items() if getattr(ku, attr)]
    if ku.key_agreement:
        # encipher_only / decipher_only are defined (and readable) only with keyAgreement.
        if ku.encipher_only:
            names.append("encipherOnly")
        if ku.decipher_only:
            names.append("decipherOnly")
    return tuple(names)


publish(globals())
