"""Certificate primitives, one copy of each: extensions, signatures, keys, validity, dates.

Everything here takes ``cryptography`` objects and returns plain values; nothing
knows about bundles, roles or files. Where two modules need one of these, both
import it from here: drifted copies are how one date came to be written two ways.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import AuthorityInformationAccessOID, SignatureAlgorithmOID

from ..base._enums import Validity
from ..base._face import publish
from ._names import name_key

__all__ = [
    "WORK",
    "WorkCounts",
    "access_urls",
    "ca_issuers_urls",
    "check_signature",
    "checked_key",
    "issued_by",
    "key_spki",
    "public_key_spki",
    "read_extension",
    "signature_unsupported",
    "signed_by",
    "validity",
]

# -- extensions -------------------------------------------------------------------------

# A damaged or duplicated extension makes ``cert.extensions`` raise one of these.
_UNREADABLE_EXTENSIONS = (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType)
ExtensionT = TypeVar("ExtensionT", bound=x509.ExtensionType)


def read_extension(cert: x509.Certificate, kind: type[ExtensionT]) -> ExtensionT | None:
    """The extension of type ``kind``; ``None`` when absent or when the extensions are unreadable."""
    try:
        with warnings.catch_warnings():
            # Unreadable extensions are parsed again on every access, and cryptography warns
            # again each time (e.g. a negative serial in the AKI); the reader recorded it once.
            warnings.simplefilter("ignore")
            return cert.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, *_UNREADABLE_EXTENSIONS):
        return None


def access_urls(cert: x509.Certificate, method: x509.ObjectIdentifier) -> tuple[str, ...]:
    """The URLs of ``cert``'s Authority Information Access entries for ``method`` (caIssuers, OCSP)."""
    aia = read_extension(cert, x509.AuthorityInformationAccess)
    return tuple(
        d.access_location.value
        for d in (aia or ())
        if d.access_method == method and isinstance(d.access_location, x509.UniformResourceIdentifier)
    )


def ca_issuers_urls(cert: x509.Certificate) -> list[str]:
    """The AIA caIssuers URLs of ``cert`` (where its issuer's certificate can be fetched)."""
    return list(access_urls(cert, AuthorityInformationAccessOID.CA_ISSUERS))


# -- signatures -------------------------------------------------------------------------


@dataclass(slots=True)
class WorkCounts:
    """Costly steps chaining has taken in this process, so tests can bound work by counting it.

    A machine's speed changes how long the work takes, never these numbers: a test
    that reads them before and after a call proves a budget holds on any machine.
    Incrementing an attribute costs nanoseconds beside the steps it counts (a
    signature verification is tens of microseconds).
    """

    signature_checks: int = 0
    """Signatures verified with a public key (skipped checks, e.g. giant RSA exponents, not counted)."""
    search_steps: int = 0
    """Steps of the issuer-path search (at most 10,000 per certificate and 200,000 per bundle)."""


WORK = WorkCounts()


def signed_by(child: x509.Certificate, issuer: x509.Certificate, *, tbs: bytes | None = None) -> bool:
    """True when ``issuer``'s public key verifies ``child``'s signature.

    Works for every key type cryptography verifies: RSA (PKCS#1 v1.5 and PSS), ECDSA,
    DSA with any hash OpenSSL offers (SHA-1 and MD5 included), Ed25519, Ed448 and
    ML-DSA. Names are not compared. ``tbs``: the signed bytes when ``child`` was parsed
    from a normalised copy (:mod:`certconv.readers._tolerant`), whose own TBS bytes were not signed.
    """
    return check_signature(child, issuer, tbs=tbs) is True


def issued_by(child: x509.Certificate, issuer: x509.Certificate, *, tbs: bytes | None = None) -> bool:
    """``issuer`` issued ``child``: names match as chaining matches them, and the signature verifies."""
    return name_key(child.issuer) == name_key(issuer.subject) and signed_by(child, issuer, tbs=tbs)


def check_signature(child: x509.Certificate, issuer: x509.Certificate, *, tbs: bytes | None = None) -> bool | None:
    """Like :func:`signed_by`, but ``None`` when it *could not be checked*: the algorithm (MD2, GOST…)
    or the key type is one cryptography cannot verify, or the key is too costly to use.

    ``None`` is never the same as ``False``: a caller decides what an unchecked signature means
    (chaining treats an unchecked self-issued certificate as a root, with a warning).
    """
    signature = child.signature
    data = child.tbs_certificate_bytes if tbs is None else tbs
    try:
        key = issuer.public_key()  # raises for key types cryptography does not know (GOST, ...)
        if isinstance(key, rsa.RSAPublicKey):
            if key.public_numbers().e.bit_length() > 32:
                # A crafted exponent as long as the modulus makes each check cost ~10 ms (OpenSSL
                # allows it up to 3072-bit moduli); real keys use 65537, Go refuses above 2**31-1.
                return None
            hash_algorithm = child.signature_hash_algorithm  # raises UnsupportedAlgorithm for MD2
            if hash_algorithm is None:
                return False
            pad: padding.AsymmetricPadding
            if child.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS:
                params = child.signature_algorithm_parameters
                if not isinstance(params, padding.PSS):
                    return False
                pad = params
            else:
                pad = padding.PKCS1v15()
            WORK.signature_checks += 1
            key.verify(signature, data, pad, hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            hash_algorithm = child.signature_hash_algorithm
            if hash_algorithm is None:
                return False
            WORK.signature_checks += 1
            key.verify(signature, data, ec.ECDSA(hash_algorithm))
        elif isinstance(key, dsa.DSAPublicKey):
            hash_algorithm = child.signature_hash_algorithm
            if hash_algorithm is None:
                return False
            WORK.signature_checks += 1
            key.verify(signature, data, hash_algorithm)
        elif isinstance(key, _MESSAGE_KEYS):
            # Keys that sign the message itself, no separate hash: Ed25519, Ed448, ML-DSA.
            WORK.signature_checks += 1
            key.verify(signature, data)  # type: ignore[union-attr]  # _MESSAGE_KEYS all verify messages
        else:
            return None  # a key cryptography reads but cannot verify certificates with (X25519, DH…)
    except UnsupportedAlgorithm:
        return None
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def signature_unsupported(cert: x509.Certificate) -> bool:
    """True when cryptography cannot verify ``cert``'s signature with its own key at all: an algorithm
    it does not offer (MD2, GOST…) or a key it cannot verify with. Not for a key too costly to use."""
    try:
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | dsa.DSAPublicKey):
            cert.signature_hash_algorithm  # noqa: B018 - raises for MD2 and unknown algorithms
            return False
        return not isinstance(key, _MESSAGE_KEYS)
    except UnsupportedAlgorithm:
        return True
    except ValueError:
        return False


def _message_keys() -> tuple[type, ...]:
    """Ed25519, Ed448, and ML-DSA when this cryptography has it (50 and later)."""
    kinds: list[type] = [ed25519.Ed25519PublicKey, ed448.Ed448PublicKey]
    try:
        from cryptography.hazmat.primitives.asymmetric import mldsa  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - older cryptography
        return tuple(kinds)
    kinds += [getattr(mldsa, name) for name in dir(mldsa) if name.endswith("PublicKey")]
    return tuple(kinds)


_MESSAGE_KEYS = _message_keys()


# -- keys -------------------------------------------------------------------------------


def public_key_spki(cert: x509.Certificate) -> bytes | None:
    """``cert``'s public key as DER SubjectPublicKeyInfo; ``None`` when cryptography cannot read it.

    Two keys are the same key when these bytes are equal: compare them with :func:`key_spki`.
    """
    try:
        key = cert.public_key()
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (UnsupportedAlgorithm, ValueError):
        return None  # a key type cryptography does not know cannot match a private key it read


def key_spki(key: PrivateKeyTypes) -> bytes:
    """The public half of ``key`` as DER SubjectPublicKeyInfo, to compare with :func:`public_key_spki`."""
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def checked_key(key: PrivateKeyTypes) -> bool:
    """Whether ``key`` passes ``cryptography``'s full consistency check (RSA; other types always do).

    Keys are read without it (``unsafe_skip_rsa_key_validation``) where they are only
    matched to a certificate by :func:`key_spki`; before a key is written out its RSA
    values must be consistent, or the file written would hold a key that cannot sign.
    """
    if not isinstance(key, rsa.RSAPrivateKey):
        return True
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        serialization.load_der_private_key(der, None)
    except ValueError:
        return False
    return True


# -- time -------------------------------------------------------------------------------


def validity(cert: x509.Certificate, at: datetime) -> Validity:
    """Whether ``at`` (timezone-aware) lies before, within or after ``cert``'s validity period.

    Not-yet-valid is checked first, as OpenSSL does, so a certificate whose period
    is inverted reads the same here as in OpenSSL's verdict.
    """
    if cert.not_valid_before_utc > at:
        return Validity.NOT_YET_VALID
    if cert.not_valid_after_utc < at:
        return Validity.EXPIRED
    return Validity.VALID


publish(globals())
