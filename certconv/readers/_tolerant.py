"""The tolerant path: certificates ``cryptography`` refuses but OpenSSL and Windows read.

Real tools write certificates that are not strict DER (old Java ``keytool``'s
``ecdsa-with-SHA256`` with NULL parameters, ``critical FALSE`` written out, BER
booleans, unsorted RDN sets, X.509 v2, …). ``cryptography`` refuses them whole.
:func:`normalise` re-encodes a *copy* of such a certificate, fixing only the
quirks it knows, so ``cryptography`` can parse the copy; the original bytes stay
what certconv keeps, writes and fingerprints, and signatures are checked over the
original TBS bytes (:func:`original_tbs`), because the copy's are not signed.

Why a re-encoder rather than pyOpenSSL: pyOpenSSL's ``X509`` accessors are
deprecated and return OpenSSL's objects, not ``cryptography``'s; every rule of
chaining, classification and verification reads ``cryptography`` objects, so a
second parsing model would duplicate them all. ``X509.to_cryptography()`` does not
help: OpenSSL re-emits the cached original encoding, which ``cryptography`` refuses
again. The re-encoder is about 200 lines, walks only the fixed shape of a
certificate (no recursion on input), and is bounded like every reader.

:func:`describe` turns ``cryptography``'s parse errors into plain words for the
messages about certificates that even the copy cannot save.
"""

from __future__ import annotations

import re
from typing import Protocol

from ..base._console import printable
from ..base._enums import Quirk
from ..pki import _der

__all__ = ["MAX_CERTIFICATE_SIZE", "describe", "normalise", "original_tbs", "signed_part", "subject_hint"]

MAX_CERTIFICATE_SIZE = 1 << 20
"""Largest certificate the tolerant path re-encodes (real ones are under 64 KiB)."""

_MAX_HEADERS = 50_000  # element headers one certificate may have before the walk stops

_BOOLEAN = 0x01
_NULL = b"\x05\x00"
_SET = 0x31
_PRINTABLE = 0x13
_T61 = 0x14  # every octet is valid in a T61String: cryptography reads it as Latin-1
_GENERALIZED_TIME = 0x18
_EXTENSIONS = 0xA3
_VERSION = 0xA0
_UNIQUE_IDS = frozenset({0x81, 0x82, 0xA1, 0xA2})
_BASIC_CONSTRAINTS = "2.5.29.19"
_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
_RSA_PKCS1 = frozenset(f"1.2.840.113549.1.1.{n}" for n in (2, 3, 4, 5, 11, 12, 13, 14, 15, 16))
_NO_PARAMETERS = frozenset(
    {
        "1.2.840.10045.4.1",  # ecdsa-with-SHA1
        "1.2.840.10045.4.3.1",
        "1.2.840.10045.4.3.2",
        "1.2.840.10045.4.3.3",
        "1.2.840.10045.4.3.4",
        "1.3.101.112",  # Ed25519
        "1.3.101.113",  # Ed448
    }
)
_PRINTABLE_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


class _Copy:
    """One certificate's walk: the quirks found while re-encoding its copy."""

    def __init__(self, der: bytes) -> None:
        self.w = _der.Walker(der, max_depth=12, max_headers=_MAX_HEADERS)
        self.der = der
        self.quirks: set[Quirk] = set()

    def raw(self, tlv: _der.Tlv) -> bytes:
        if tlv.end is None:
            raise _der.DerError("indefinite length in a certificate")
        return self.der[tlv.start : tlv.end]

    def kids(self, tlv: _der.Tlv, depth: int) -> list[_der.Tlv]:
        return self.w.children(tlv, depth)

    def certificate(self) -> bytes:
        top = self.w.tlv(0)
        parts = self.kids(top, 0)
        if len(parts) != 3 or parts[0].tag != _der.SEQUENCE or parts[1].tag != _der.SEQUENCE:
            raise _der.DerError("not a certificate")
        return _tlv(_der.SEQUENCE, self.tbs(parts[0]) + self.algorithm(parts[1], 1) + self.raw(parts[2]))

    def tbs(self, tbs: _der.Tlv) -> bytes:
        fields = self.kids(tbs, 1)
        version, at = b"", 0
        number = 0
        if fields and fields[0].tag == _VERSION:
            inner = self.kids(fields[0], 2)
            if len(inner) != 1 or inner[0].tag != _der.INTEGER:
                raise _der.DerError("bad version")
            number = _der.decode_small_int(inner[0].value(self.der))
            version, at = self.raw(fields[0]), 1
        if len(fields) < at + 6:
            raise _der.DerError("too few fields")
        serial, signature, issuer, validity, subject, spki = fields[at : at + 6]
        rest = fields[at + 6 :]
        extensions = [f for f in rest if f.tag == _EXTENSIONS]
        if any(f.tag not in _UNIQUE_IDS and f.tag != _EXTENSIONS for f in rest) or len(extensions) > 1:
            raise _der.DerError("unexpected field")
        if number == 0 and version:
            self.quirks.add(Quirk.EXPLICIT_V1)
            version = b""
        elif number == 1:
            # cryptography knows v1 and v3 only; a v2 certificate without extensions reads as the v1 it
            # is in practice (unique identifiers are dropped from the copy: nothing reads them).
            self.quirks.add(Quirk.X509_V2)
            version = _tlv(_VERSION, b"\x02\x01\x02") if extensions else b""
        out = [version, self.raw(serial), self.algorithm(signature, 2), self.name(issuer), self.validity(validity)]
        out += [self.name(subject), self.spki(spki)]
        if extensions:
            out.append(self.extensions(extensions[0]))
        return _tlv(_der.SEQUENCE, b"".join(out))

    def algorithm(self, tlv: _der.Tlv, depth: int, *, key: bool = False) -> bytes:
        fields = self.kids(tlv, depth)
        if not fields or fields[0].tag != _der.OID:
            raise _der.DerError("bad algorithm identifier")
        oid = _der.decode_oid(fields[0].value(self.der))
        params = b"".join(self.raw(f) for f in fields[1:])
        if oid in _NO_PARAMETERS and params and not key:
            self.quirks.add(Quirk.ECDSA_PARAMETERS)
            return _tlv(_der.SEQUENCE, self.raw(fields[0]))
        if (oid in _RSA_PKCS1 or oid == _RSA_ENCRYPTION) and params and params != _NULL:
            self.quirks.add(Quirk.RSA_PARAMETERS)
            return _tlv(_der.SEQUENCE, self.raw(fields[0]) + _NULL)
        return self.raw(tlv)

    def spki(self, tlv: _der.Tlv) -> bytes:
        fields = self.kids(tlv, 2)
        if len(fields) != 2:
            raise _der.DerError("bad public key")
        return _tlv(_der.SEQUENCE, self.algorithm(fields[0], 3, key=True) + self.raw(fields[1]))

    def name(self, tlv: _der.Tlv) -> bytes:
        rdns = []
        for rdn in self.kids(tlv, 2):
            if rdn.tag != _SET:
                raise _der.DerError("bad name")
            members = self.kids(rdn, 3)
            originals = [self.raw(m) for m in members]
            if originals != sorted(originals):
                self.quirks.add(Quirk.UNSORTED_SET)
            atvs = sorted(self.attribute(m) for m in members)
            rdns.append(_tlv(_SET, b"".join(atvs)))
        return _tlv(_der.SEQUENCE, b"".join(rdns))

    def attribute(self, tlv: _der.Tlv) -> bytes:
        fields = self.kids(tlv, 4)
        if len(fields) != 2:
            raise _der.DerError("bad name attribute")
        value = fields[1]
        if value.tag == _PRINTABLE and not set(value.value(self.der)) <= _PRINTABLE_ALPHABET:
            self.quirks.add(Quirk.PRINTABLE_STRING)
            return _tlv(_der.SEQUENCE, self.raw(fields[0]) + _tlv(_T61, value.value(self.der)))
        return self.raw(tlv)

    def validity(self, tlv: _der.Tlv) -> bytes:
        out = []
        for moment in self.kids(tlv, 2):
            value = moment.value(self.der)
            if moment.tag == _GENERALIZED_TIME and value[:4] == b"0000":
                self.quirks.add(Quirk.YEAR_ZERO)
                out.append(_tlv(_GENERALIZED_TIME, b"0001" + value[4:]))
            else:
                out.append(self.raw(moment))
        return _tlv(_der.SEQUENCE, b"".join(out))

    def extensions(self, tlv: _der.Tlv) -> bytes:
        inner = self.kids(tlv, 2)
        if len(inner) != 1:
            raise _der.DerError("bad extensions")
        out = []
        for extension in self.kids(inner[0], 3):
            fields = self.kids(extension, 4)
            if not 2 <= len(fields) <= 3 or fields[0].tag != _der.OID:
                raise _der.DerError("bad extension")
            oid = _der.decode_oid(fields[0].value(self.der))
            critical = self.boolean(fields[1]) if len(fields) == 3 else b""
            value = fields[-1]
            if value.tag != _der.OCTET_STRING:
                raise _der.DerError("bad extension value")
            payload = self.raw(value)
            if oid == _BASIC_CONSTRAINTS:
                payload = _tlv(_der.OCTET_STRING, self.basic_constraints(value.value(self.der)))
            out.append(_tlv(_der.SEQUENCE, self.raw(fields[0]) + critical + payload))
        return _tlv(_EXTENSIONS, _tlv(_der.SEQUENCE, b"".join(out)))

    def boolean(self, tlv: _der.Tlv, *, der: bytes | None = None) -> bytes:
        """A DEFAULT FALSE BOOLEAN as DER writes it: omitted when FALSE, ``0xFF`` when TRUE."""
        value = tlv.value(der if der is not None else self.der)
        if tlv.tag != _BOOLEAN or len(value) != 1:
            raise _der.DerError("bad BOOLEAN")
        if value == b"\x00":
            self.quirks.add(Quirk.DEFAULT_WRITTEN)
            return b""
        if value != b"\xff":
            self.quirks.add(Quirk.BER_BOOLEAN)
        return b"\x01\x01\xff"

    def basic_constraints(self, value: bytes) -> bytes:
        walker = _der.Walker(value, max_depth=4, max_headers=8)
        top = walker.tlv(0)
        if top.tag != _der.SEQUENCE or top.end != len(value):
            return value  # cryptography reports it as unreadable extensions
        fields = walker.children(top)
        out = b""
        for field in fields:
            out += self.boolean(field, der=value) if field.tag == _BOOLEAN else value[field.start : field.end or 0]
        return _tlv(_der.SEQUENCE, out)


def normalise(der: bytes) -> tuple[bytes, tuple[Quirk, ...]]:
    """A copy of ``der`` re-encoded as strict DER where it has known quirks, and those quirks.

    The copy is for parsing only: its TBS bytes are not what was signed.

    Raises:
        certconv._der.DerError: the bytes do not have a certificate's shape, or have more
            elements or size than a certificate (:data:`MAX_CERTIFICATE_SIZE`).
    """
    if len(der) > MAX_CERTIFICATE_SIZE:
        raise _der.DerError("larger than any certificate")
    copy = _Copy(der)
    out = copy.certificate()
    return out, tuple(q for q in Quirk if q in copy.quirks)


def original_tbs(der: bytes) -> bytes:
    """The signed part (TBSCertificate) of ``der``, exactly as it was encoded."""
    top = _der.read_tlv(der)
    tbs = _der.children(der, top, limit=1)[0]
    if tbs.end is None:
        raise _der.DerError("indefinite length in a certificate")
    return der[tbs.start : tbs.end]


class _Quirky(Protocol):
    @property
    def der(self) -> bytes: ...
    @property
    def quirks(self) -> tuple[Quirk, ...]: ...


def signed_part(cert: _Quirky) -> bytes | None:
    """The original TBS bytes of a certificate read through the tolerant path; ``None`` for strict DER
    ones (their parsed object's own TBS bytes are the signed ones)."""
    return original_tbs(cert.der) if cert.quirks else None


def subject_hint(der: bytes) -> str | None:
    """The subject's common name (or last attribute) of a certificate nothing else can parse, when found.

    Reads only the headers on the way to the subject, so a certificate damaged after it still gets its name.
    """
    try:
        tbs = _der.children(der, _der.read_tlv(der), limit=1)[0]
        fields = _der.children(der, tbs, limit=7)
        at = 1 if fields and fields[0].tag == _VERSION else 0
        found = None
        for rdn in _der.children(der, fields[at + 4], limit=32):
            for atv in _der.children(der, rdn, limit=8):
                oid, value = _der.children(der, atv, limit=2)[:2]
                if found is None or _der.decode_oid(oid.value(der)) == "2.5.4.3":
                    found = value.value(der)
        if found is None:
            return None
        text = found.decode("utf-16-be" if found[:1] == b"\0" else "utf-8", "replace")
        return printable(text)[:80] or None
    except (_der.DerError, IndexError, ValueError):
        return None


_KINDS = {
    "ShortData": "ends too early (truncated)",
    "ExtraData": "has unexpected extra data",
    "InvalidValue": "has an invalid value",
    "UnexpectedTag": "has an element of an unexpected type",
    "InvalidSetOrdering": "has a set that is not in DER order",
    "EncodedDefault": "writes out a default value DER leaves out",
    "InvalidLength": "has an invalid length",
    "IntegerOverflow": "has a number too large",
    "InvalidTag": "has an invalid element type",
    "OidTooLong": "has an object identifier too long",
    "UnknownDefinedBy": "has an unknown algorithm",
}
_FIELDS = (
    ("TbsCertificate::signature_alg", "in its signature algorithm"),
    ("Certificate::signature_alg", "in its outer signature algorithm"),
    ("TbsCertificate::version", "in its version"),
    ("TbsCertificate::serial", "in its serial number"),
    ("TbsCertificate::issuer", "in its issuer name"),
    ("TbsCertificate::subject", "in its subject name"),
    ("TbsCertificate::validity", "in its validity dates"),
    ("TbsCertificate::spki", "in its public key"),
    ("raw_extensions", "in its extensions"),
    ("Extension", "in its extensions"),
    ("BasicConstraints", "in its basic constraints"),
    ("AttributeValue", "in a name"),
    ("Certificate::signature", "in its signature"),
)
_KIND = re.compile(r"kind: (\w+)")


def describe(error: Exception) -> str:
    """``cryptography``'s complaint about a certificate, in plain words (never its parser's vocabulary)."""
    text = str(error)
    if "is not a valid X509 version" in text:
        number = text.split(" ", 1)[0]
        return f"has X.509 version number {printable(number)[:12]}, which is not 1, 2 or 3"
    if "year 0 is out of range" in text or ("year" in text and "out of range" in text):
        return "has a date no calendar can hold (year 0)"
    kind = _KIND.search(text)
    if kind is None:
        return "is not a valid certificate"
    what = _KINDS.get(kind.group(1), "is not valid DER")
    where = next((place for key, place in _FIELDS if key in text), "")
    return f"{what} {where}".strip()
