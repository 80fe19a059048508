"""The leaves of reading: certificates, private keys and warnings as one input yields them.

:class:`Collector` is what every container reader (:mod:`certconv.readers._read`, its PKCS#12 part,
:mod:`certconv.readers._jks`) fills: each certificate is checked against the certificate bound,
its lazily parsed fields read once so ``cryptography``'s warnings are recorded, and one it refuses
goes through the tolerant copy (:mod:`certconv.readers._tolerant`) or is refused with its name.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ..base import _limits
from ..base._enums import Quirk, WarningCode
from ..base._errors import CorruptInputError, UnsafeInputError, UnsupportedFormatError
from ..pki import _der
from ..pki._model import BundleWarning
from ..pki._names import display_name
from . import _pkcs12, _tolerant
from ._decode import not_a_certificate, pem_payload, thumbprint

__all__ = ["Collector", "RawCertificate", "strict_der"]


@dataclass(frozen=True, slots=True)
class RawCertificate:
    """A certificate as read, before certconv decides its role."""

    x509: x509.Certificate
    der: bytes
    source: str
    friendly_name: str | None = None
    quirks: tuple[Quirk, ...] = ()
    """What makes it not strict DER (:mod:`certconv.readers._tolerant`); ``x509`` is then parsed from a
    normalised copy."""


class Collector:
    """What one input holds so far: its certificates, private keys and warnings (each warning once)."""

    def __init__(self, name: str, password: bytes | None) -> None:
        self.name = name
        self.password = password
        self.certificates: list[RawCertificate] = []
        self.keys: list[PrivateKeyTypes] = []
        self.warnings: list[BundleWarning] = []
        self._seen: set[BundleWarning] = set()

    def certificate(self, der: bytes, where: str = "", friendly_name: str | None = None) -> None:
        try:
            with self._capture(where, der):
                cert = x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as exc:
            if (what := not_a_certificate(der)) is not None:
                raise CorruptInputError(f"{where}{what}", path=self.name) from None
            self._tolerate(der, where, friendly_name, exc)
            return
        self.add(cert, der, where, friendly_name)

    def private_key_der(self, data: bytes, where: str) -> None:
        try:
            key = serialization.load_der_private_key(data, None, unsafe_skip_rsa_key_validation=True)
        except (ValueError, TypeError):
            raise UnsupportedFormatError(
                f"{where}is ASN.1 but not a certificate, PKCS#7 or PKCS#12", path=self.name
            ) from None
        self.keys.append(key)

    def private_key_pem(self, label: str, body: bytes, where: str) -> None:
        # Rebuild the block so cryptography sees RFC 1421 headers of encrypted keys.
        pem = b"-----BEGIN %s-----%s-----END %s-----\n" % (label.encode(), body, label.encode())
        encrypted = label.startswith("ENCRYPTED") or b"ENCRYPTED" in body[:200]
        if label == "ENCRYPTED PRIVATE KEY" and self.password is not None:
            # PKCS#8 PBES2/PBES1 carries its iteration count: bound it before OpenSSL derives.
            with suppress(CorruptInputError):  # broken Base-64 gets the warning below
                _pkcs12.check_encrypted_key(pem_payload(body, self.name, where), self.name, where)
        try:
            key = serialization.load_pem_private_key(
                pem, self.password if encrypted else None, unsafe_skip_rsa_key_validation=True
            )
        except TypeError:
            self.warn(WarningCode.ENCRYPTED_KEY, f"{where}encrypted private key not read (no password given)")
            return
        except ValueError:
            self.warn(WarningCode.UNREADABLE_KEY, f"{where}private key could not be read (wrong password or damaged)")
            return
        except UnsupportedAlgorithm:  # a key type cryptography does not know must not stop certificate reading
            self.warn(WarningCode.UNREADABLE_KEY, f"{where}private key of an unsupported type ignored")
            return
        self.keys.append(key)

    def add(self, cert: x509.Certificate, der: bytes, where: str, friendly_name: str | None = None) -> None:
        self._check_count(len(self.certificates) + 1)
        try:
            with self._capture(where, der):
                extensions_read = _touch(cert)
        # TypeError: a name attribute of an impossible type; KeyError: cryptography 47 on some
        # damaged name attribute types (tests/test_hostile_inputs.py flips every bit to find them).
        except (ValueError, TypeError, KeyError) as exc:
            self._tolerate(der, where, friendly_name, exc)
            return
        if not extensions_read and self._tolerate(der, where, friendly_name, None):
            return  # e.g. a BER boolean in basicConstraints: the copy reads them
        self.certificates.append(RawCertificate(cert, der, self.name, friendly_name))

    def _tolerate(self, der: bytes, where: str, friendly_name: str | None, exc: Exception | None) -> bool:
        """Read ``der`` through a normalised copy (:mod:`certconv.readers._tolerant`), keeping its bytes.

        ``exc`` is what cryptography said of the original; ``None`` when only its extensions
        failed, and then nothing is raised: False means the copy did not help.
        """
        try:
            copy, quirks = _tolerant.normalise(der)
            if not quirks:
                raise _der.DerError("no known quirk")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the original's warnings were recorded; the copy's repeat them
                cert = x509.load_der_x509_certificate(copy)
                if not _touch(cert):
                    raise _der.DerError("extensions unreadable in the copy too")
        except (_der.DerError, ValueError, TypeError, KeyError, x509.InvalidVersion):
            if exc is None:
                return False
            raise CorruptInputError(
                f"{where}damaged {_certificate_label(der)}: it {_tolerant.describe(exc)}", path=self.name
            ) from None
        self._check_count(len(self.certificates) + 1)
        label = _certificate_label(der, cert)
        problems = "; ".join(q.text for q in quirks)
        self.warn(
            WarningCode.TOLERATED_ENCODING,
            f"{where}{label} is not strict DER: {problems}. certconv read it as OpenSSL and Windows do and keeps "
            "its bytes unchanged, but strict parsers (browsers, cryptography, Go) will refuse it",
            thumbprint(der),
        )
        self.certificates.append(RawCertificate(cert, der, self.name, friendly_name, quirks))
        return True

    def _check_count(self, count: int) -> None:
        if count > _limits.MAX_CERTIFICATES:
            raise UnsafeInputError(
                f"holds more than {_limits.MAX_CERTIFICATES:,} certificates; no real bundle does, so it was refused",
                path=self.name,
            )

    def warn(self, code: WarningCode, message: str, sha1: str | None = None) -> None:
        warning = BundleWarning(code, f"{self.name}: {message}", sha1)
        if warning not in self._seen:  # cryptography repeats some warnings per field access
            self._seen.add(warning)  # a set: a list lookup made 200,000 PEM blocks take hours
            self.warnings.append(warning)

    @contextmanager
    def _capture(self, where: str, der: bytes | None = None) -> Iterator[None]:
        """Turn ``cryptography``'s warnings into certconv warnings instead of stderr noise."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for item in caught:
            text = str(item.message).split(". ")[0]
            code = WarningCode.BER_ENCODING if "BER" in text else WarningCode.NONCONFORMANT
            self.warn(code, f"{where}{text}", thumbprint(der) if der is not None else None)


def strict_der(der: bytes) -> bool:
    """cryptography reads ``der`` as a certificate, its lazily parsed fields included."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _touch(x509.load_der_x509_certificate(der))
    except (ValueError, TypeError, KeyError, x509.InvalidVersion):
        return False


def _touch(cert: x509.Certificate) -> bool:
    """Parse the fields cryptography reads lazily; False when the extensions are unreadable.

    They may be damaged, and cryptography warns about some (negative serials, bad
    encodings) only on first use: the caller records those warnings.
    """
    cert.serial_number  # noqa: B018
    cert.issuer  # noqa: B018
    cert.subject  # noqa: B018
    cert.not_valid_before_utc  # noqa: B018
    cert.not_valid_after_utc  # noqa: B018
    try:
        cert.extensions  # noqa: B018 - parsed once here (~10 µs) so its warnings are recorded
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        return False  # damaged ones read as absent, unless the tolerant copy reads them
    return True


def _certificate_label(der: bytes, cert: x509.Certificate | None = None) -> str:
    """``certificate 'Subject CN'`` when the subject can be found, else ``certificate``."""
    subject = display_name(cert.subject) if cert is not None else _tolerant.subject_hint(der)
    return f"certificate '{subject[:80]}'" if subject else "certificate"
