"""Small decoders the reader works with: PEM payloads, bare Base-64, one DER element, one-line reasons.

Each turns damaged input into one :class:`~certconv.CorruptInputError` line (or ``None``),
never an exception from :mod:`base64` or :mod:`cryptography`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import warnings

from cryptography import x509

from ..base._errors import CorruptInputError
from ..pki import _der

__all__ = ["NOT_UTF8_HINT", "bare_base64", "first_element", "not_a_certificate", "pem_payload", "thumbprint"]

NOT_UTF8_HINT = (
    "; the password is not UTF-8, which certconv can use only for legacy (RC2/3DES) files, where it is read as Latin-1"
)


def bare_base64(data: bytes) -> bytes | None:
    """Base-64 without PEM armour, as some tools paste a ``.p7b`` or ``.cer``."""
    compact = b"".join(data.split())
    if len(compact) < 16 or not re.fullmatch(rb"[A-Za-z0-9+/]+={0,2}", compact):
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except binascii.Error:
        return None


def thumbprint(der: bytes) -> str:
    """The SHA-1 thumbprint of ``der`` in uppercase hex, as Windows and APIM show it."""
    return hashlib.sha1(der).hexdigest().upper()  # noqa: S324 - a thumbprint, not security


def pem_payload(body: bytes, name: str, where: str) -> bytes:
    """Base-64 payload of a PEM block, skipping RFC 1421 headers (``Proc-Type:`` …)."""
    lines = body.strip(b"\n").split(b"\n")
    if lines and b":" in lines[0]:
        while lines and lines[0].strip():
            lines.pop(0)  # header lines, up to the blank line that ends them
    compact = b"".join(b"".join(lines).split())
    try:
        payload = base64.b64decode(compact, validate=True)
    except binascii.Error:
        if compact.isascii() and b"\0" not in compact:
            raise CorruptInputError(f"{where}broken Base-64", path=name) from None
        raise CorruptInputError(
            f"{where}broken Base-64: it holds non-ASCII or NUL bytes (saved in another encoding?); "
            "save the file as UTF-8 or ASCII",
            path=name,
        ) from None
    if not payload:
        raise CorruptInputError(f"{where}empty block", path=name)
    return payload


def first_element(data: bytes, name: str, where: str) -> bytes:
    try:
        tlv = _der.read_tlv(data)
    except _der.DerError as exc:
        raise CorruptInputError(f"{where}damaged ASN.1 ({exc})", path=name) from None
    if tlv.end is None:
        raise CorruptInputError(f"{where}indefinite length in a certificate", path=name)
    return data[: tlv.end]


def not_a_certificate(der: bytes) -> str | None:
    """Name what a SEQUENCE that is not a certificate is (a CRL, a CSR); ``None`` when it is neither."""
    probes = (
        (x509.load_der_x509_crl, "a certificate revocation list (CRL), not a certificate"),
        (x509.load_der_x509_csr, "a certificate signing request (CSR), not a certificate"),
    )
    for loader, what in probes:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loader(der)
            return what
        except (ValueError, x509.InvalidVersion):
            continue
    return None
