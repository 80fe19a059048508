"""The bags of a PKCS#12 file that ``cryptography`` refuses because of one certificate inside.

``cryptography`` parses every certificate of a PKCS#12 strictly, so one it refuses
(old keytool's EC certificate with NULL ECDSA parameters) makes the whole file
unreadable, and the failure looks like a wrong password or an unknown cipher. When
the password is known to be right, :func:`bags` walks the file itself: the
``data`` contents in the clear and the ``encryptedData`` contents decrypted with
PBES2 (what OpenSSL 3, Windows and Java write; the decryption is
:mod:`certconv.readers._pkcs12_open`'s, bounded by the same iteration checks that ran
first). Certificates go back to the reader one by one, so each gets the tolerant
path or a message that names it; key bags go to ``cryptography`` as PKCS#8.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..pki import _der
from ._pkcs12 import DATA, ENCRYPTED_DATA, PBES2, SHROUDED_KEY_BAG, content_info, explicit_octets, oid_of
from ._pkcs12_open import _pbes2_decrypt

__all__ = ["Bags", "bags"]

_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
_MAX_NESTING = 4
_EXPLICIT_0 = 0xA0


@dataclass(slots=True)
class Bags:
    """What the bags held: certificates (DER, friendly name), PKCS#8 keys, and what could not be followed."""

    certificates: list[tuple[bytes, str | None]]
    plain_keys: list[bytes]
    shrouded_keys: list[bytes]
    undecrypted: int = 0


def bags(data: bytes, password: bytes) -> Bags:
    """Every certificate and key bag of ``data``, decrypting PBES2 contents with ``password``.

    Raises:
        certconv._der.DerError, IndexError: the structure cannot be followed.
    """
    found = Bags([], [], [])
    w = _der.Walker(data)
    pfx = w.children(w.tlv(0))
    content_type, content = content_info(w, pfx[1], 1)
    if content_type != DATA or content is None or content.tag != _EXPLICIT_0:
        # Stricter than the bound checks that walked it first: only a file cryptography would read
        # but for a certificate is read here (a flipped tag must not turn into a loaded file).
        raise _der.DerError("not password-integrity PKCS#12")
    inner = _der.Walker(w.octets(explicit_octets(w, content, 2), 3))
    for info in inner.children(inner.tlv(0)):
        content_type, content = content_info(inner, info, 1)
        if content is None:
            continue
        if content.tag != _EXPLICIT_0:
            raise _der.DerError("content is not [0] EXPLICIT")
        if content_type == DATA:
            plain = inner.octets(explicit_octets(inner, content, 2), 3)
        elif content_type == ENCRYPTED_DATA:
            fields = inner.children(inner.children(inner.children(content, 2)[0], 3)[1], 4)
            if len(fields) < 3 or oid_of(inner, inner.children(fields[1], 5)[0]) != PBES2:
                found.undecrypted += 1  # legacy RC2/3DES contents: cryptography's to open
                continue
            encrypted = fields[2]
            if encrypted.tag & 0x20:
                ciphertext = b"".join(inner.octets(p, 6) for p in inner.children(encrypted, 5))
            else:
                ciphertext = encrypted.value(inner.data)
            decrypted = _pbes2_decrypt(inner, fields[1], ciphertext, password)
            if not decrypted:
                found.undecrypted += 1
                continue
            plain = decrypted
        else:
            continue
        safe = _der.Walker(plain)
        _safe_contents(safe, safe.tlv(0), found, 0)
    return found


def _safe_contents(w: _der.Walker, contents: _der.Tlv, found: Bags, nesting: int) -> None:
    if nesting > _MAX_NESTING:
        raise _der.NestingError("safeContentsBags nested too deeply")
    for bag in w.children(contents, 1):
        fields = w.children(bag, 2)
        bag_id = oid_of(w, fields[0])
        value = w.children(fields[1], 3)[0]
        if bag_id == _CERT_BAG:
            cert_fields = w.children(value, 4)
            if oid_of(w, cert_fields[0]) == _X509_CERTIFICATE:
                der = w.octets(w.children(cert_fields[1], 5)[0], 6)
                found.certificates.append((der, _friendly_name(w, fields[2:])))
        elif bag_id == _KEY_BAG:
            found.plain_keys.append(w.data[value.start : w.end(value, 4)])
        elif bag_id == SHROUDED_KEY_BAG:
            found.shrouded_keys.append(w.data[value.start : w.end(value, 4)])
        elif bag_id == _SAFE_CONTENTS_BAG:
            _safe_contents(w, value, found, nesting + 1)


def _friendly_name(w: _der.Walker, attributes: list[_der.Tlv]) -> str | None:
    for attribute_set in attributes:
        for attribute in w.children(attribute_set, 3):
            fields = w.children(attribute, 4)
            if oid_of(w, fields[0]) == _FRIENDLY_NAME:
                values = w.children(fields[1], 5)
                if values:
                    return values[0].value(w.data).decode("utf-16-be", "replace")
    return None
