"""Names: the key certconv matches issuers by, the label people read, and the safe file names of a split.

File names come from certificate subjects, which strangers choose, so each name is
reduced to letters, digits, ``.``, ``_`` and ``-`` behind a role prefix: it can
hold no separator, control or bidi character, cannot start with ``.`` or ``-``,
and cannot be a Windows device name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ._text import printable

if TYPE_CHECKING:
    from ._model import Certificate

__all__ = ["EKU_NAMES", "KEY_USAGE_NAMES", "display_name", "file_names", "label", "name_key", "printable", "slug"]

_MAX_SLUG = 60
_MAX_SLUG_BYTES = 120

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
    such character is shown as an escape (``\\x1b``, ``\\u202e``, see :func:`certconv._text.printable`).
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


def file_names(certificates: Sequence[Certificate]) -> dict[Certificate, str]:
    """A safe, unique, deterministic ``.cer`` name for every certificate.

    ``root-My_Self_Root_CA.cer``; when two names would be equal (ignoring case,
    as Windows and macOS do), each of them gets its short thumbprint appended.
    """
    # From the name as it is, not as it is shown: an escape's spelling must not become a file name.
    wanted = {cert: f"{cert.role.value}-{slug(label(cert.x509.subject))}" for cert in certificates}
    names: dict[Certificate, str] = {}
    # Subjects are chosen by strangers, so a crafted one can equal another name plus a short
    # thumbprint, or two can share 8 thumbprint digits: lengthen until no two names are equal.
    for level in range(4):
        taken = {name.casefold() for name in names.values()}
        groups: dict[str, list[Certificate]] = defaultdict(list)
        for cert, stem in wanted.items():
            if cert not in names:
                groups[f"{stem}{_suffix(cert, level)}.cer".casefold()].append(cert)
        for key, certs in groups.items():
            if len(certs) == 1 and key not in taken:
                names[certs[0]] = f"{wanted[certs[0]]}{_suffix(certs[0], level)}.cer"
    return {cert: names[cert] for cert in wanted}


def _suffix(cert: Certificate, level: int) -> str:
    return ("", f"-{cert.sha1[:8]}", f"-{cert.sha1}", f"-{cert.sha256}")[level]


def slug(text: str) -> str:
    """``text`` as a safe piece of a file name: word characters, ``.``, ``_`` and ``-``; never empty."""
    text = unicodedata.normalize("NFKC", text).replace("*", "wildcard")
    kept = "".join(ch if ch in "._-" or _is_word_char(ch) else "_" for ch in text)
    kept = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", kept))[:_MAX_SLUG]
    while len(kept.encode("utf-8")) > _MAX_SLUG_BYTES:  # file systems count bytes (255), not characters
        kept = kept[:-1]
    kept = kept.strip("._- ") or "unnamed"
    base, dot, rest = kept.partition(".")
    if base.upper() in WINDOWS_DEVICE_NAMES:
        # Windows opens the device for `CON`, `nul.txt` or `prn.tar.gz` in any folder: never a file or folder name.
        kept = f"{base}_{dot}{rest}"
    return kept


WINDOWS_DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in range(10)]
)
"""Names Windows reserves for devices, whatever follows the first dot (NFKC has made ``COM¹`` ``COM1`` by then)."""


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks of any script (Devanagari and Thai need marks);
    # never controls, format characters (bidi overrides), symbols or separators.
    return unicodedata.category(ch)[0] in "LNM"
