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
:class:`Opening` decrypts PBES2 contents with each password before ``cryptography``
gets it, and bounds those too. PBES1 contents (RC2, 3DES with the PKCS#12 KDF)
are not decrypted here (see docs/security.md).

When a file does not open, :func:`mac_verdict` and :meth:`Opening.password_decrypts`
tell a wrong password from a damaged file; :func:`utf8_password` is the password
as ``cryptography`` takes it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from . import _der
from ._errors import CorruptInputError, UnsafeInputError

__all__ = [
    "MAX_ITERATIONS",
    "MAX_SCRYPT_WORK",
    "Opening",
    "check_encrypted_key",
    "check_work",
    "mac_verdict",
    "utf8_password",
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

_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
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
    counts = _Counts(name)
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
    counts = _Counts(name)
    walker = _der.Walker(der)
    try:
        _encryption(walker, walker.children(walker.tlv(0))[0], counts, f"{where}encrypted private key", 1)
    except _der.NestingError as exc:
        raise UnsafeInputError(f"{where}encrypted private key refused: {exc}", path=name) from None
    except (_der.DerError, IndexError):
        return


class _Counts:
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


def _pfx(w: _der.Walker, counts: _Counts) -> None:
    """PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData OPTIONAL }."""
    pfx = w.tlv(0)
    parts = w.children(pfx)
    if len(parts) < 2:
        raise _der.DerError("PFX has no authSafe")
    if len(parts) > 2:
        _mac_data(w, parts[2], counts)
    content_type, content = _content_info(w, parts[1], 1)
    if content_type != _DATA or content is None:
        return  # public-key integrity mode (signedData): no password derivation to bound
    inner = _der.Walker(w.octets(_explicit_octets(w, content, 2), 3), max_headers=w.budget)
    auth_safe = inner.tlv(0)
    for info in inner.children(auth_safe):
        _auth_safe_content(inner, info, counts)
    w.budget = inner.budget


def _mac_data(w: _der.Walker, mac_data: _der.Tlv, counts: _Counts) -> None:
    """MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }."""
    fields = w.children(mac_data, 1)
    if len(fields) > 2:
        counts.add("MAC", _integer(w, fields[2]))
    digest_info = w.children(fields[0], 2)
    algorithm = w.children(digest_info[0], 3)
    if _oid(w, algorithm[0]) == _PBMAC1 and len(algorithm) > 1:
        # RFC 9579: PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme ... }
        kdf = w.children(algorithm[1], 4)[0]
        _kdf(w, kdf, counts, "MAC (PBMAC1)", 5)


def _content_info(w: _der.Walker, info: _der.Tlv, depth: int) -> tuple[str, _der.Tlv | None]:
    """ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }."""
    fields = w.children(info, depth)
    return _oid(w, fields[0]), fields[1] if len(fields) > 1 else None


def _explicit_octets(w: _der.Walker, content: _der.Tlv, depth: int) -> _der.Tlv:
    """The OCTET STRING inside ``[0] EXPLICIT``."""
    inner = w.children(content, depth)[0]
    if inner.tag & 0x1F != _der.OCTET_STRING:
        raise _der.DerError("expected an OCTET STRING")
    return inner


def _auth_safe_content(w: _der.Walker, info: _der.Tlv, counts: _Counts) -> None:
    content_type, content = _content_info(w, info, 1)
    if content is None:
        return
    if content_type == _DATA:
        safe_contents = _der.Walker(w.octets(_explicit_octets(w, content, 2), 3), max_headers=w.budget)
        _safe_contents(safe_contents, safe_contents.tlv(0), counts, 0)
        w.budget = safe_contents.budget
    elif content_type == _ENCRYPTED_DATA:
        # EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE { contentType,
        #                   contentEncryptionAlgorithm AlgorithmIdentifier, [0] IMPLICIT encryptedContent } }
        encrypted_data = w.children(content, 2)[0]
        encrypted_content_info = w.children(encrypted_data, 3)[1]
        algorithm = w.children(encrypted_content_info, 4)[1]
        _encryption(w, algorithm, counts, "encrypted contents", 5)


def _safe_contents(w: _der.Walker, safe_contents: _der.Tlv, counts: _Counts, nesting: int) -> None:
    """SafeContents ::= SEQUENCE OF SafeBag { bagId OID, bagValue [0] EXPLICIT, bagAttributes SET OPTIONAL }."""
    if nesting > _MAX_BAG_NESTING:
        raise _der.NestingError(f"safeContentsBags nested deeper than {_MAX_BAG_NESTING} levels")
    for bag in w.children(safe_contents, 1):
        fields = w.children(bag, 2)
        bag_id = _oid(w, fields[0])
        if bag_id == _SHROUDED_KEY_BAG:
            # EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData }
            encrypted_key = w.children(fields[1], 3)[0]
            _encryption(w, w.children(encrypted_key, 4)[0], counts, "shrouded key", 5)
        elif bag_id == _SAFE_CONTENTS_BAG:
            _safe_contents(w, w.children(fields[1], 3)[0], counts, nesting + 1)


def _encryption(w: _der.Walker, algorithm: _der.Tlv, counts: _Counts, where: str, depth: int) -> None:
    """A password-based encryption AlgorithmIdentifier: PBES1 or PBES2 (RFC 8018 §6, RFC 7292 App. C)."""
    fields = w.children(algorithm, depth)
    oid = _oid(w, fields[0])
    if len(fields) < 2:
        return
    if oid in _PBES1:
        # PBEParameter / pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
        counts.add(where, _integer(w, w.children(fields[1], depth + 1)[1]))
    elif oid == _PBES2:
        # PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme ... }
        _kdf(w, w.children(fields[1], depth + 1)[0], counts, where, depth + 2)


def _kdf(w: _der.Walker, kdf: _der.Tlv, counts: _Counts, where: str, depth: int) -> None:
    fields = w.children(kdf, depth)
    oid = _oid(w, fields[0])
    if len(fields) < 2:
        return
    params = w.children(fields[1], depth + 1)
    if oid == _PBKDF2:
        # PBKDF2-params ::= SEQUENCE { salt CHOICE, iterationCount INTEGER, keyLength OPTIONAL, prf DEFAULT }
        counts.add(where, _integer(w, params[1]))
    elif oid == _SCRYPT:
        # scrypt-params ::= SEQUENCE { salt, costParameter N, blockSize r, parallelizationParameter p, ... }
        cost, block_size, parallel = (_integer(w, p) for p in params[1:4])
        if cost * block_size * parallel > MAX_SCRYPT_WORK:
            raise UnsafeInputError(
                f"{_subject(where)} asks for scrypt with N·r·p = {cost * block_size * parallel:,}; certconv refuses "
                f"more than {MAX_SCRYPT_WORK:,}, so the file was not opened",
                path=counts.name,
            )


def _oid(w: _der.Walker, tlv: _der.Tlv) -> str:
    if tlv.tag != _der.OID:
        raise _der.DerError("expected an OBJECT IDENTIFIER")
    return _der.decode_oid(tlv.value(w.data))


def _integer(w: _der.Walker, tlv: _der.Tlv) -> int:
    if tlv.tag != _der.INTEGER:
        raise _der.DerError("expected an INTEGER")
    value = tlv.value(w.data)
    if not value:
        raise _der.DerError("empty INTEGER")
    if len(value) > 16:  # over 2**127 (or under -2**127): no need to know by how much
        return _HUGE if value[0] < 0x80 else -_HUGE
    return int.from_bytes(value, "big", signed=True)


# -- does the password decrypt anything? (tells a damaged MAC from a wrong password) ------

_PRFS: dict[str, type[hashes.HashAlgorithm]] = {
    "1.2.840.113549.2.7": hashes.SHA1,
    "1.2.840.113549.2.8": hashes.SHA224,
    "1.2.840.113549.2.9": hashes.SHA256,
    "1.2.840.113549.2.10": hashes.SHA384,
    "1.2.840.113549.2.11": hashes.SHA512,
}
# encryption scheme OID: (cipher, key size, block size), in bytes
_CIPHERS: dict[str, tuple[Callable[[bytes], BlockCipherAlgorithm], int, int]] = {
    "2.16.840.1.101.3.4.1.2": (algorithms.AES, 16, 16),
    "2.16.840.1.101.3.4.1.22": (algorithms.AES, 24, 16),
    "2.16.840.1.101.3.4.1.42": (algorithms.AES, 32, 16),
    "1.2.840.113549.3.7": (TripleDES, 24, 8),
}


class Opening:
    """One PKCS#12 file on its way to ``cryptography``: every bound checked before each attempt.

    Creating it runs :func:`check_work` (the counts in the clear). Before
    ``cryptography`` opens the file with a password, :meth:`check_password`
    decrypts the PBES2 ``encryptedData`` contents with that password (derivations
    bounded by :func:`check_work`) and bounds the key bags hidden inside them too:
    OpenSSL would otherwise derive their keys at whatever count they name.
    """

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name
        self.visible = check_work(data, name)
        self._checked: set[bytes] = set()
        self._plain: dict[tuple[int, bytes], bytes | None] = {}
        try:
            self._items = _pbes2_items(_der.Walker(data))
        except (_der.DerError, IndexError):
            self._items = []

    def check_password(self, password: bytes | None) -> None:
        """Refuse the file if ``password`` would open contents asking for too many iterations.

        Costs one bounded derivation per PBES2 ``encryptedData`` content, once per password.

        Raises:
            UnsafeInputError: the hidden key bags' counts, with the visible ones, exceed
                :data:`MAX_ITERATIONS`.
        """
        key = _key(password)
        if key in self._checked:
            return
        self._checked.add(key)
        counts = _Counts(self.name, self.visible)
        for index, item in enumerate(self._items):
            if item[3] and (plain := self._decrypt(index, key)):
                _hidden_bags(plain, counts)
        counts.check_total()

    def password_decrypts(self, password: bytes) -> bool | None:
        """Whether ``password`` decrypts a PBES2 key bag or content of the file.

        Decryption with a wrong password gives random bytes, which almost never end
        in valid padding and parse as one DER SEQUENCE. Every shrouded key bag in a
        ``data`` content and every ``encryptedData`` content is tried, so damage to
        one of them does not hide that the password opens another. Only PBES2 with
        PBKDF2 and AES or 3DES in CBC mode is followed (what OpenSSL 3, Windows and
        Java write). ``None`` when there is nothing such, or the structure cannot be
        followed.
        """
        verdicts = []
        for index in range(len(self._items)):
            plain = self._decrypt(index, _key(password))
            if plain:
                return True
            verdicts.append(plain)
        return False if b"" in verdicts else None

    def _decrypt(self, index: int, key: bytes) -> bytes | None:
        if (index, key) not in self._plain:
            walker, algorithm, ciphertext, _ = self._items[index]
            try:
                self._plain[index, key] = _pbes2_decrypt(walker, algorithm, ciphertext, key)
            except (_der.DerError, IndexError, ValueError):
                self._plain[index, key] = None
        return self._plain[index, key]


def _key(password: bytes | None) -> bytes:
    # PBKDF2 derives the same key from no password and from the empty one (OpenSSL passes NULL, 0).
    return password or b""


def _hidden_bags(plain: bytes, counts: _Counts) -> None:
    """Count the key bags in decrypted SafeContents; damage there is for OpenSSL to report."""
    walker = _der.Walker(plain)
    try:
        _safe_contents(walker, walker.tlv(0), _Hidden(counts), 0)
    except _der.NestingError as exc:
        raise UnsafeInputError(f"PKCS#12 encrypted contents refused: {exc}", path=counts.name) from None
    except (_der.DerError, IndexError):
        pass


class _Hidden(_Counts):
    """Counts that name where they were found: inside the encrypted contents."""

    def __init__(self, outer: _Counts) -> None:
        super().__init__(outer.name, outer.total)
        self.outer = outer

    def add(self, where: str, count: int) -> None:
        super().add(f"{where} inside the encrypted contents", count)
        self.outer.total = self.total


def _pbes2_items(w: _der.Walker) -> list[tuple[_der.Walker, _der.Tlv, bytes, bool]]:
    """(walker, PBES2 AlgorithmIdentifier, ciphertext, is encrypted contents) of every key bag and
    encrypted content, in file order."""
    found: list[tuple[_der.Walker, _der.Tlv, bytes, bool]] = []
    pfx = w.children(w.tlv(0))
    content_type, content = _content_info(w, pfx[1], 1)
    if content_type != _DATA or content is None:
        return found
    inner = _der.Walker(w.octets(_explicit_octets(w, content, 2), 3))
    for info in inner.children(inner.tlv(0)):
        content_type, content = _content_info(inner, info, 1)
        if content is None:
            continue
        if content_type == _DATA:
            bags = _der.Walker(inner.octets(_explicit_octets(inner, content, 2), 3))
            for bag in bags.children(bags.tlv(0), 1):
                fields = bags.children(bag, 2)
                if _oid(bags, fields[0]) == _SHROUDED_KEY_BAG:
                    algorithm, encrypted = bags.children(bags.children(fields[1], 3)[0], 4)[:2]
                    if _oid(bags, bags.children(algorithm, 5)[0]) == _PBES2:
                        found.append((bags, algorithm, bags.octets(encrypted, 5), False))
        elif content_type == _ENCRYPTED_DATA:
            info_fields = inner.children(inner.children(inner.children(content, 2)[0], 3)[1], 4)
            if len(info_fields) > 2 and _oid(inner, inner.children(info_fields[1], 5)[0]) == _PBES2:
                encrypted = info_fields[2]  # [0] IMPLICIT OCTET STRING, primitive or constructed
                if encrypted.tag & 0x20:
                    ciphertext = b"".join(inner.octets(p, 6) for p in inner.children(encrypted, 5))
                else:
                    ciphertext = encrypted.value(inner.data)
                found.append((inner, info_fields[1], ciphertext, True))
    return found


def _pbes2_decrypt(w: _der.Walker, algorithm: _der.Tlv, ciphertext: bytes, password: bytes) -> bytes | None:
    """The plaintext; ``b""`` when the password does not decrypt it; ``None`` when not followed."""
    kdf, scheme = w.children(w.children(algorithm, 1)[1], 2)[:2]
    kdf_oid, kdf_params = w.children(kdf, 3)[:2]
    if _oid(w, kdf_oid) != _PBKDF2:
        return None
    params = w.children(kdf_params, 4)
    salt, iterations = params[0].value(w.data), _integer(w, params[1])
    prf: type[hashes.HashAlgorithm] = hashes.SHA1
    for extra in params[2:]:
        if extra.tag == _der.SEQUENCE:
            prf_class = _PRFS.get(_oid(w, w.children(extra, 5)[0]))
            if prf_class is None:
                return None
            prf = prf_class
    scheme_oid, iv = w.children(scheme, 3)[:2]
    cipher = _CIPHERS.get(_oid(w, scheme_oid))
    if cipher is None or not 1 <= iterations <= MAX_ITERATIONS:
        return None
    make_cipher, key_size, block = cipher
    if not ciphertext or len(ciphertext) % block:
        return b""
    key = PBKDF2HMAC(prf(), key_size, salt, iterations).derive(password)
    decryptor = Cipher(make_cipher(key), modes.CBC(iv.value(w.data))).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= block or plain[-pad:] != bytes([pad]) * pad:
        return b""
    body = plain[:-pad]
    try:
        tlv = _der.read_tlv(body)
    except _der.DerError:
        return b""
    return body if tlv.tag == _der.SEQUENCE and tlv.end == len(body) else b""


# -- passwords ---------------------------------------------------------------------------


def utf8_password(password: bytes) -> bytes:
    """The password as ``cryptography`` takes it: UTF-8.

    ``cryptography`` refuses other bytes. Legacy PKCS#12 encryption and the MAC
    turn the password into a BMPString, where OpenSSL reads non-UTF-8 bytes as
    Latin-1, so re-encoding those bytes from Latin-1 opens such files; modern
    PBES2 files use the raw bytes and cannot be opened with them.
    """
    try:
        password.decode("utf-8")
    except UnicodeDecodeError:
        return password.decode("latin-1").encode("utf-8")
    return password


# -- the MAC check: tells "wrong password" from "damaged file" -------------------------

_MAC_HASHES = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
}
_MAX_MAC_CHECK_ITERATIONS = 1_000_000


def mac_verdict(data: bytes, password: bytes) -> bool | None:
    """Whether ``password`` verifies the PFX's MAC (RFC 7292 §4, Appendix B).

    ``None`` when the file has no classic MAC or a layout this check does not
    follow (BER, PBMAC1): the caller then cannot tell the two failures apart.
    """
    try:
        pfx = _der.read_tlv(data)
        parts = _der.children(data, pfx, limit=3)
        if len(parts) < 3 or pfx.end is None:
            return None
        auth_safe, mac_data = parts[1], parts[2]
        content_type, explicit = _der.children(data, auth_safe, limit=2)
        if _der.decode_oid(content_type.value(data)) != _DATA:
            return None
        octets = _der.children(data, explicit, limit=1)[0]
        if octets.tag != _der.OCTET_STRING:
            return None
        content = octets.value(data)
        mac_parts = _der.children(data, mac_data, limit=3)
        digest_info, salt = mac_parts[0], mac_parts[1].value(data)
        iterations = _der.decode_small_int(mac_parts[2].value(data)) if len(mac_parts) > 2 else 1
        algorithm, digest = _der.children(data, digest_info, limit=2)
        hash_oid = _der.decode_oid(_der.children(data, algorithm, limit=1)[0].value(data))
        expected = digest.value(data)
    except (_der.DerError, IndexError, ValueError):
        return None
    hash_name = _MAC_HASHES.get(hash_oid)
    if hash_name is None or not 1 <= iterations <= _MAX_MAC_CHECK_ITERATIONS:
        return None
    bmp = password.decode("utf-8", "replace").encode("utf-16-be") + b"\0\0"
    key = _mac_key(hash_name, bmp, salt, iterations, hashlib.new(hash_name).digest_size)
    return hmac.compare_digest(hmac.new(key, content, hash_name).digest(), expected)


def _mac_key(hash_name: str, password: bytes, salt: bytes, iterations: int, size: int) -> bytes:
    """RFC 7292 Appendix B.2 key derivation with ID 3 (MAC key)."""
    u = hashlib.new(hash_name).digest_size
    v = hashlib.new(hash_name).block_size

    def stretch(value: bytes) -> bytes:
        # Concatenate copies of ``value`` up to the next multiple of v bytes.
        if not value:
            return b""
        n = v * -(-len(value) // v)
        return (value * (n // len(value) + 1))[:n]

    d = bytes([3]) * v
    i = bytearray(stretch(salt) + stretch(password))
    out = b""
    while len(out) < size:
        a = hashlib.new(hash_name, d + bytes(i)).digest()
        for _ in range(iterations - 1):
            a = hashlib.new(hash_name, a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j : j + v], "big") + b + 1) % (1 << (8 * v))
            i[j : j + v] = block.to_bytes(v, "big")
    return out[:size]
