"""What ``certconv inspect`` shows: every detail of every certificate, as a tree or as JSON.

Data, not text: :func:`describe` reads the extensions of one certificate into a
:class:`CertificateDetails`, :class:`Inspection` holds them for a whole bundle
with the tree (:meth:`Inspection.forest`) and gives the JSON-ready dict
(:meth:`Inspection.to_dict`). The tree people read is the output layer's
(:mod:`certconv._text._inspect`; :meth:`Inspection.render` hands over to it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.x509.oid import AuthorityInformationAccessOID

from ._api import InputLike, load
from ._args import DEFAULT_TIMEOUT, check_moment
from ._enums import Validity
from ._manifest import certificate_json
from ._model import Bundle, Certificate
from ._names import EKU_NAMES, KEY_USAGE_NAMES, file_names
from ._read import DEFAULT_MAX_INPUT_SIZE
from ._text import json_text
from ._version import __version__
from ._x509 import access_urls, iso_utc, read_extension, validity

if TYPE_CHECKING:
    from ._proxy import ProxyConfig

__all__ = ["INSPECT_SCHEMA", "SOON_DAYS", "CertificateDetails", "Inspection", "Node", "describe", "inspect"]

INSPECT_SCHEMA = 1
"""Version of the ``certconv inspect --json`` document; raised only on incompatible changes."""

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


@dataclass(frozen=True, slots=True)
class Inspection:
    """A bundle with the details of each certificate, judged at one moment.

    Attributes:
        bundle: What was loaded.
        details: One :class:`CertificateDetails` per certificate, in bundle order.
        at: The moment validity and days left are judged at (UTC).
    """

    bundle: Bundle
    details: tuple[CertificateDetails, ...]
    at: datetime

    def details_for(self, cert: Certificate) -> CertificateDetails:
        """The details of one certificate of the bundle."""
        for item in self.details:
            if item.certificate == cert:
                return item
        raise KeyError(cert.sha1)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``certconv inspect --json`` (see docs/inspect.md)."""

        bundle = self.bundle
        return {
            "schema": INSPECT_SCHEMA,
            "tool": f"certconv {__version__}",
            "at": iso_utc(self.at),
            "inputs": [{"name": n, "format": f} for n, f in zip(bundle.inputs, bundle.formats, strict=True)],
            "private_keys": len(bundle.private_keys),
            "certificates": [self._certificate_dict(d) for d in self.details],
            "chains": [list(chain.sha1s) for chain in bundle.chains],
            "tree": [self._tree_dict(node) for node in _forest(bundle)],
            "warnings": [w.to_dict() for w in bundle.warnings],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text ending in a newline."""
        return json_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"

    def _certificate_dict(self, d: CertificateDetails) -> dict[str, Any]:
        c = d.certificate
        return {
            # The fields of a manifest.json entry, then what only inspect shows.
            "file": d.file,
            **certificate_json(c),
            "common_name": c.common_name,
            "friendly_name": c.friendly_name,
            "source": c.source,
            "status": _status(c, self.at),
            "days_left": d.days_left(self.at),
            "key": {"type": d.key_type, "size": d.key_size, "curve": d.curve},
            "signature_algorithm": d.signature_algorithm,
            "signature_hash": d.signature_hash,
            "weak_signature": d.weak_signature,
            "san": list(d.san),
            "key_usage": list(d.key_usage) if d.key_usage is not None else None,
            "extended_key_usage": list(d.extended_key_usage) if d.extended_key_usage is not None else None,
            "basic_constraints": (
                {"ca": d.basic_constraints_ca, "path_length": d.path_length}
                if d.basic_constraints_ca is not None
                else None
            ),
            "ca_issuers": list(d.ca_issuers),
            "ocsp": list(d.ocsp),
            "crl_distribution_points": list(d.crl_distribution_points),
        }

    def _tree_dict(self, node: Node) -> dict[str, Any]:
        return {"sha1": node.cert.sha1, "children": [self._tree_dict(child) for child in node.children]}

    def forest(self) -> list[Node]:
        """The certificates as trees, each under the issuer certconv chose, tops first (see :class:`Node`)."""
        return _forest(self.bundle)

    def status(self, cert: Certificate) -> str:
        """``valid``, ``expiring-soon`` (within :data:`SOON_DAYS`), ``expired`` or ``not-yet-valid`` at :attr:`at`."""
        return _status(cert, self.at)

    def render(self, *, full: bool = False, color: bool = False, encoding: str | None = None) -> str:
        """The tree ``certconv inspect`` prints: one per root, problems underneath.

        Names, SANs, URLs and input names are shown printable (controls and bidi
        characters as escapes, see :func:`certconv._text.printable`).

        Args:
            full: Show thumbprints whole instead of their first 8 digits.
            color: Highlight expired / soon-expiring certificates and problems with
                ANSI colours (the CLI passes ``True`` only on a terminal without ``NO_COLOR``).
            encoding: The encoding the text will be written in (the CLI passes its
                stdout's); characters it lacks are ASCII symbols or escapes, and the
                tree stays aligned. ``None``: any character.
        """
        # The text is the output layer's (certconv._text._inspect), loaded when first asked for.
        from ._text._inspect import render_inspection

        return render_inspection(self, full=full, color=color, encoding=encoding)


def inspect(
    inputs: InputLike | Sequence[InputLike],
    *,
    password: str | bytes | None = None,
    at: datetime | None = None,
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE,
    complete: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    proxy: ProxyConfig | None = None,
) -> Inspection:
    """Load ``inputs`` and describe every certificate in them.

    Args:
        inputs: As for :func:`certconv.load`.
        password: As for :func:`certconv.load`.
        at: When validity and days left are judged (default now).
        max_input_size: As for :func:`certconv.load`.
        complete: Download missing issuers over AIA first, as for :func:`certconv.load`.
        timeout: Seconds per AIA download (with ``complete``).
        proxy: Proxies for the AIA downloads, as for :func:`certconv.load`.

    Returns:
        The :class:`Inspection`; ``render()`` gives the tree, ``to_dict()`` the JSON document.

    Raises:
        CertconvError: a subclass saying what is wrong with which input.
    """
    at = check_moment(at) or datetime.now(UTC)
    # A key file may come beside its certificate: inspect says whether they match.
    bundle = load(
        inputs,
        password=password,
        at=at,
        max_input_size=max_input_size,
        complete=complete,
        timeout=timeout,
        keys_alone=True,
        proxy=proxy,
    )
    return inspect_bundle(bundle, at=at)


def inspect_bundle(bundle: Bundle, *, at: datetime | None = None) -> Inspection:
    """Describe every certificate of an already loaded ``bundle``."""
    names = file_names(bundle.certificates)
    return Inspection(
        bundle=bundle,
        details=tuple(describe(c, file=names[c]) for c in bundle.certificates),
        at=check_moment(at) or datetime.now(UTC),
    )


# -- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """One certificate of :meth:`Inspection.forest` and those it issued."""

    cert: Certificate
    children: tuple[Node, ...]


def _forest(bundle: Bundle) -> list[Node]:
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


# -- helpers ----------------------------------------------------------------------------


def _status(cert: Certificate, at: datetime) -> str:
    state = validity(cert.x509, at)
    if state is Validity.VALID and (cert.not_after - at).days < SOON_DAYS:
        return "expiring-soon"
    return state.value


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
