"""PKCS#12 work bounds, checked before any key derivation (RFC 7292, RFC 8018, RFC 9579).

A PKCS#12 file names how many rounds of key derivation it needs, and a crafted
file can ask for billions: OpenSSL would spend minutes (or hours) before it
even knows whether the password is right. :func:`check_work` reads every
iteration count that is in the clear, without deriving anything, and refuses
the file when one of them, or all of them together, exceeds
:data:`MAX_ITERATIONS`:

* the MAC's ``iterations`` (``macData``), and PBMAC1's PBKDF2 parameters;
* the encryption algorithm of every ``encryptedData`` content (PBES1 or PBES2/PBKDF2,
  or scrypt's cost);
* every ``pkcs8ShroudedKeyBag`` in a plain ``data`` content, and in nested
  ``safeContentsBag``\\ s.

Bags *inside* an ``encryptedData`` content are only visible after decryption:
:class:`certconv.readers._pkcs12_open.Opening` decrypts PBES2 contents with each password before ``cryptography``
gets it, and bounds those too. PBES1 contents (RC2, 3DES with the PKCS#12 KDF)
are not decrypted here (see docs/security.md).

Opening a file with a password, and telling a wrong password from a damaged
file when it does not open, is :mod:`certconv.readers._pkcs12_open`.
"""

from __future__ import annotations

from ..base._errors import CorruptInputError, UnsafeInputError
from ..pki import _der

__all__ = [
    "DATA",
    "ENCRYPTED_DATA",
    "MAX_ITERATIONS",
    "MAX_SCRYPT_WORK",
    "PBES2",
    "PBKDF2",
    "SHROUDED_KEY_BAG",
    "Counts",
    "check_encrypted_key",
    "check_work",
    "content_info",
    "explicit_octets",
    "integer_of",
    "oid_of",
    "walk_safe_contents",
]

MAX_ITERATIONS = 10_000_000
"""Most key-derivation iterations one PKCS#12 file may ask for, per derivation and in total.

Real files use 1 (Java truststores) to 600,000 (OWASP's 2023 figure for
PBKDF2-HMAC-SHA256); OWASP's highest, 1,300,000 for PBKDF2-HMAC-SHA1, is well
inside. 10 million rounds of OpenSSL's PBKDF2-HMAC-SHA256 take about 2.4 s on a
shared 2-core cloud VM, which bounds what one opening attempt can cost.
"""

MAX_SCRYPT_WORK = 1 << 24
"""Largest scrypt ``N·r·p`` accepted (``N=2**20, r=8, p=2``; RFC 7914's largest example is ``N=2**20, r=8, p=1``)."""

DATA = "1.2.840.113549.1.7.1"
ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
PBES2 = "1.2.840.113549.1.5.13"
PBKDF2 = "1.2.840.113549.1.5.12"
_PBMAC1 = "1.2.840.113549.1.5.14"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
# PKCS#5 v1.5 PBES1 (pbeWithMD2AndDES-CBC ... pbeWithSHA1AndRC2-CBC) and PKCS#12 PBE (pbeWithSHAAnd128BitRC4 ...).
_PBES1 = frozenset(
    [f"1.2.840.113549.1.5.{n}" for n in (1, 3, 4, 6, 10, 11)] + [f"1.2.840.113549.1.12.1.{n}" for n in range(1, 7)]
)
_MAX_BAG_NESTING = 8
_HUGE = 1 << 127


def _subject(where: str) -> str:
    # "PKCS#12 MAC", "PKCS#12 shrouded key"; PEM keys name their block: "PEM block 2 (...): encrypted private key"
    return where if "private key" in where else f"PKCS#12 {where}"


def check_work(data: bytes, name: str) -> int:
    """Refuse the PKCS#12 file ``data`` if opening it would cost too much; return the visible total.

    Raises:
        UnsafeInputError: an iteration count (or their sum, or scrypt's cost) is
            over the bound, or the structure is nested absurdly deep.
        CorruptInputError: the PFX structure is damaged (it could not be read
            far enough to find its iteration counts).
    """
    counts = Counts(name)
    walker = _der.Walker(data)
    try:
        _pfx(walker, counts)
    except _der.NestingError as exc:
        raise UnsafeInputError(f"PKCS#12 structure refused: {exc}", path=name) from None
    except (_der.DerError, IndexError) as exc:
        detail = str(exc) if isinstance(exc, _der.DerError) else "an element is missing"
        raise CorruptInputError(f"damaged PKCS#12 structure ({detail})", path=name) from None
    counts.check_total()
    return counts.total


def check_encrypted_key(der: bytes, name: str, where: str = "") -> None:
    """Refuse a PKCS#8 ``EncryptedPrivateKeyInfo`` whose key derivation asks for too much work.

    ``-----BEGIN ENCRYPTED PRIVATE KEY-----`` blocks use the same PBES1/PBES2
    parameters as PKCS#12 key bags. Structures that cannot be followed are left
    to ``cryptography`` to reject.

    Raises:
        UnsafeInputError: the iteration count or scrypt cost is over the bound.
    """
    counts = Counts(name)
    walker = _der.Walker(der)
    try:
        _encryption(walker, walker.children(walker.tlv(0))[0], counts, f"{where}encrypted private key", 1)
    except _der.NestingError as exc:
        raise UnsafeInputError(f"{where}encrypted private key refused: {exc}", path=name) from None
    except (_der.DerError, IndexError):
        return


class Counts:
    """The iteration counts seen so far, refusing as soon as one is over the bound."""

    def __init__(self, name: str, total: int = 0) -> None:
        self.name = name
        self.total = total

    def add(self, where: str, count: int) -> None:
        if count > MAX_ITERATIONS:
            amount = f"{count:,}" if count < _HUGE else "over 2**127"
            raise UnsafeInputError(
                f"{_subject(where)} asks for {amount} key-derivation iterations; certconv refuses more than "
                f"{MAX_ITERATIONS:,} (real files use 1–600,000), so the file was not opened",
                path=self.name,
            )
        self.total += max(count, 1)

    def check_total(self) -> None:
        if self.total > MAX_ITERATIONS:
            raise UnsafeInputError(
                f"PKCS#12 file asks for {self.total:,} key-derivation iterations in total; certconv refuses more "
                f"than {MAX_ITERATIONS:,}, so the file was not opened",
                path=self.name,
            )


def _pfx(w: _der.Walker, counts: Counts) -> None:
    """PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData OPTIONAL }."""
    pfx = w.tlv(0)
    parts = w.children(pfx)
    if len(parts) < 2:
        raise _der.DerError("PFX has no authSafe")
    if len(parts) > 2:
        _mac_data(w, parts[2], counts)
    content_type, content = content_info(w, parts[1], 1)
    if content_type != DATA or content is None:
        return  # public-key integrity mode (signedData): no password derivation to bound
    inner = _der.Walker(w.octets(explicit_octets(w, content, 2), 3), max_headers=w.budget)
    auth_safe = inner.tlv(0)
    for info in inner.children(auth_safe):
        _auth_safe_content(inner, info, counts)
    w.budget = inner.budget


def _mac_data(w: _der.Walker, mac_data: _der.Tlv, counts: Counts) -> None:
    """MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }."""
    fields = w.children(mac_data, 1)
    if len(fields) > 2:
        counts.add("MAC", integer_of(w, fields[2]))
    digest_info = w.children(fields[0], 2)
    algorithm = w.children(digest_info[0], 3)
    if oid_of(w, algorithm[0]) == _PBMAC1 and len(algorithm) > 1:
        # RFC 9579: PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme ... }
        kdf = w.children(algorithm[1], 4)[0]
        _kdf(w, kdf, counts, "MAC (PBMAC1)", 5)


def content_info(w: _der.Walker, info: _der.Tlv, depth: int) -> tuple[str, _der.Tlv | None]:
    """ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }."""
    fields = w.children(info, depth)
    return oid_of(w, fields[0]), fields[1] if len(fields) > 1 else None


def explicit_octets(w: _der.Walker, content: _der.Tlv, depth: int) -> _der.Tlv:
    """The OCTET STRING inside ``[0] EXPLICIT``."""
    inner = w.children(content, depth)[0]
    if inner.tag & 0x1F != _der.OCTET_STRING:
        raise _der.DerError("expected an OCTET STRING")
    return inner


def _auth_safe_content(w: _der.Walker, info: _der.Tlv, counts: Counts) -> None:
    content_type, content = content_info(w, info, 1)
    if content is None:
        return
    if content_type == DATA:
        inner = _der.Walker(w.octets(explicit_octets(w, content, 2), 3), max_headers=w.budget)
        walk_safe_contents(inner, inner.tlv(0), counts, 0)
        w.budget = inner.budget
    elif content_type == ENCRYPTED_DATA:
        # EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE { contentType,
        #                   contentEncryptionAlgorithm AlgorithmIdentifier, [0] IMPLICIT encryptedContent } }
        encrypted_data = w.children(content, 2)[0]
        encrypted_content_info = w.children(encrypted_data, 3)[1]
        algorithm = w.children(encrypted_content_info, 4)[1]
        _encryption(w, algorithm, counts, "encrypted contents", 5)


def walk_safe_contents(w: _der.Walker, safe_contents: _der.Tlv, counts: Counts, nesting: int) -> None:
    """SafeContents ::= SEQUENCE OF SafeBag { bagId OID, bagValue [0] EXPLICIT, bagAttributes SET OPTIONAL }."""
    if nesting > _MAX_BAG_NESTING:
        raise _der.NestingError(f"safeContentsBags nested deeper than {_MAX_BAG_NESTING} levels")
    for bag in w.children(safe_contents, 1):
        fields = w.children(bag, 2)
        bag_id = oid_of(w, fields[0])
        if bag_id == SHROUDED_KEY_BAG:
            # EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData }
            encrypted_key = w.children(fields[1], 3)[0]
            _encryption(w, w.children(encrypted_key, 4)[0], counts, "shrouded key", 5)
        elif bag_id == _SAFE_CONTENTS_BAG:
            walk_safe_contents(w, w.children(fields[1], 3)[0], counts, nesting + 1)


def _encryption(w: _der.Walker, algorithm: _der.Tlv, counts: Counts, where: str, depth: int) -> None:
    """A password-based encryption AlgorithmIdentifier: PBES1 or PBES2 (RFC 8018 §6, RFC 7292 App. C)."""
    fields = w.children(algorithm, depth)
    oid = oid_of(w, fields[0])
    if len(fields) < 2:
        return
    if oid in _PBES1:
        # PBEParameter / pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
        counts.add(where, integer_of(w, w.children(fields[1], depth + 1)[1]))
    elif oid == PBES2:
        # PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme ... }
        _kdf(w, w.children(fields[1], depth + 1)[0], counts, where, depth + 2)


def _kdf(w: _der.Walker, kdf: _der.Tlv, counts: Counts, where: str, depth: int) -> None:
    fields = w.children(kdf, depth)
    oid = oid_of(w, fields[0])
    if len(fields) < 2:
        return
    params = w.children(fields[1], depth + 1)
    if oid == PBKDF2:
        # PBKDF2-params ::= SEQUENCE { salt CHOICE, iterationCount INTEGER, keyLength OPTIONAL, prf DEFAULT }
        counts.add(where, integer_of(w, params[1]))
    elif oid == _SCRYPT:
        # scrypt-params ::= SEQUENCE { salt, costParameter N, blockSize r, parallelizationParameter p, ... }
        cost, block_size, parallel = (integer_of(w, p) for p in params[1:4])
        if cost * block_size * parallel > MAX_SCRYPT_WORK:
            raise UnsafeInputError(
                f"{_subject(where)} asks for scrypt with N·r·p = {cost * block_size * parallel:,}; certconv refuses "
                f"more than {MAX_SCRYPT_WORK:,}, so the file was not opened",
                path=counts.name,
            )


def oid_of(w: _der.Walker, tlv: _der.Tlv) -> str:
    if tlv.tag != _der.OID:
        raise _der.DerError("expected an OBJECT IDENTIFIER")
    return _der.decode_oid(tlv.value(w.data))


def integer_of(w: _der.Walker, tlv: _der.Tlv) -> int:
    if tlv.tag != _der.INTEGER:
        raise _der.DerError("expected an INTEGER")
    value = tlv.value(w.data)
    if not value:
        raise _der.DerError("empty INTEGER")
    if len(value) > 16:  # over 2**127 (or under -2**127): no need to know by how much
        return _HUGE if value[0] < 0x80 else -_HUGE
    return int.from_bytes(value, "big", signed=True)
