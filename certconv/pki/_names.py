"""Names: the key certconv matches issuers by, and the label people read.

The safe file names a split writes are :mod:`certconv.output._file_names`'.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..base._console import printable

__all__ = ["EKU_NAMES", "KEY_USAGE_NAMES", "display_name", "label", "name_key"]

NameKey = tuple[tuple[tuple[str, str | bytes], ...], ...]


def name_key(name: x509.Name) -> NameKey:
    """A comparable key for ``name`` that ignores what RFC 5280 §7.1 ignores.

    Like OpenSSL's canonical encoding: string values compare case-insensitively
    with runs of white space folded, and the string type (PrintableString vs
    UTF8String) does not matter, so a child's issuer matches its CA's subject
    even when the two were encoded by different software.
    """
    return tuple(tuple(sorted((attr.oid.dotted_string, _fold(attr.value)) for attr in rdn)) for rdn in name.rdns)


def _fold(value: str | bytes) -> str | bytes:
    if isinstance(value, bytes):
        return value
    return " ".join(value.split()).casefold()


_LABEL_PREFERENCE = (
    NameOID.COMMON_NAME,
    NameOID.ORGANIZATIONAL_UNIT_NAME,
    NameOID.ORGANIZATION_NAME,
    NameOID.EMAIL_ADDRESS,
)


def display_name(name: x509.Name) -> str:
    """The part of ``name`` a person recognises (:func:`label`), made printable.

    Names are chosen by whoever made the certificate, and a line break, terminal
    escape or bidi override in one must not forge or reorder lines of a report: each
    such character is shown as an escape (``\\x1b``, ``\\u202e``, see :func:`certconv.console.printable`).
    """
    return printable(label(name))


def label(name: x509.Name) -> str:
    """The part of ``name`` a person recognises: CN, else OU, O, e-mail, else all of it; as it is.

    Not for showing (use :func:`display_name`): for what is derived from the name itself,
    such as safe file names, which must not depend on how an escape is spelled.
    """
    for oid in _LABEL_PREFERENCE:
        for attr in name.get_attributes_for_oid(oid):
            if isinstance(attr.value, str) and attr.value.strip():
                return attr.value.strip()
    return name.rfc4514_string()


EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
}
"""Extended key usages by the names OpenSSL prints."""

KEY_USAGE_NAMES = {
    "digital_signature": "digitalSignature",
    "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "cRLSign",
}
"""``x509.KeyUsage`` attributes and the names RFC 5280 gives them."""
