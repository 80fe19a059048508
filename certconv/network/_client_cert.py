"""The client certificate the doctor presents to a backend, as APIM would (``fetch --client-cert``).

A backend that requires a client certificate refuses APIM's call unless APIM
presents one the backend trusts. :func:`client_identity` takes the loaded file APIM's
certificate came in (a PFX, or PEM with its key, read by :func:`certconv.load` like
any input) and checks what would make any backend refuse it before a connection is
made: no private key, a key of another certificate, a validity period that does
not cover the moment, an extended key usage without clientAuth.
:func:`certconv.network._handshake.session_of` presents the :class:`ClientIdentity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ..base._dates import iso_utc
from ..base._errors import InputError, KeyMismatchError, Option, hint
from ..output._encodings import path_from
from ..pki._x509 import key_spki, public_key_spki

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

    from ..pki._model import Bundle, Certificate

__all__ = ["ClientIdentity", "client_identity"]


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """A client certificate with its private key and the intermediates sent with it.

    Attributes:
        certificate: The client certificate, as certconv classified it.
        key: Its private key (never shown: see ``__repr__``).
        chain: The intermediates sent after it, in order (no root).
    """

    certificate: Certificate
    key: PrivateKeyTypes = field(repr=False)
    chain: tuple[x509.Certificate, ...] = field(repr=False, default=())


def client_identity(bundle: Bundle, *, at: datetime) -> ClientIdentity:
    """The client certificate to present from ``bundle`` (its file, loaded), checked to be presentable at ``at``.

    Raises:
        InputError: the file holds no private key, or its certificate has
            expired, is not yet valid, or is not for TLS client authentication
            (an extended key usage without clientAuth).
        KeyMismatchError: the private key belongs to no certificate of the file.
    """
    name = bundle.inputs[0] if bundle.inputs else "client certificate"
    if not bundle.private_keys:
        raise InputError(
            "the client certificate file holds no private key: a client certificate is presented with its key "
            "(give the PFX, or a PEM holding the certificate and its key)",
            path=name,
            hint=hint("check {}", Option.CLIENT_CERTIFICATE),
        )
    keyed = [c for c in bundle.certificates if c.has_private_key]
    if not keyed:
        raise KeyMismatchError(
            "the private key belongs to no certificate of the client certificate file; give the key that was "
            "made with the client certificate's request",
            path=name,
        )
    cert = next((c for c in keyed if not c.ca), keyed[0])
    wanted = public_key_spki(cert.x509)
    key = next(k for k in bundle.private_keys if key_spki(k) == wanted)
    _check_usable(cert, at, name)
    chain = tuple(c.x509 for c in path_from(bundle, cert)[1:] if not c.self_signed)
    return ClientIdentity(cert, key, chain)


def _check_usable(cert: Certificate, at: datetime, name: str) -> None:
    """Refuse what every backend refuses: outside its validity, or not for client authentication."""
    who = f"the client certificate '{cert.common_name}'"
    after = cert.x509.not_valid_after_utc
    before = cert.x509.not_valid_before_utc
    if after < at:
        raise InputError(
            f"{who} expired on {iso_utc(after)}: backends refuse it (bad_certificate or certificate_expired); "
            "APIM must present a renewed certificate",
            path=name,
        )
    if before > at:
        raise InputError(f"{who} is not valid before {iso_utc(before)}: backends refuse it until then", path=name)
    try:
        usages = cert.x509.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return  # no EKU: any use, client authentication included (RFC 5280 §4.2.1.12)
    except ValueError as exc:
        raise InputError(f"{who} has an extended key usage certconv cannot read ({exc})", path=name) from exc
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usages and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in usages:
        raise InputError(
            f"{who} is not for TLS client authentication (its extended key usage lacks clientAuth): backends "
            "refuse it (unsupported_certificate or bad_certificate); issue one with clientAuth for APIM to present",
            path=name,
        )
