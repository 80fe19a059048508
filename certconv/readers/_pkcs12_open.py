"""Opening a PKCS#12 file with a password, bounded, and telling a wrong password from a damaged file.

:class:`Opening` runs :func:`certconv.readers._pkcs12.check_work` on what is in the clear,
then decrypts the PBES2 ``encryptedData`` contents with each password before
``cryptography`` gets it, and bounds the key bags hidden inside them too.
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

from ..base._errors import UnsafeInputError
from ..pki import _der
from ._pkcs12 import (
    DATA,
    ENCRYPTED_DATA,
    MAX_ITERATIONS,
    PBES2,
    PBKDF2,
    SHROUDED_KEY_BAG,
    Counts,
    check_work,
    content_info,
    explicit_octets,
    integer_of,
    oid_of,
    walk_safe_contents,
)

__all__ = ["Opening", "mac_verdict", "utf8_password"]


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
        counts = Counts(self.name, self.visible)
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


def _hidden_bags(plain: bytes, counts: Counts) -> None:
    """Count the key bags in decrypted SafeContents; damage there is for OpenSSL to report."""
    walker = _der.Walker(plain)
    try:
        walk_safe_contents(walker, walker.tlv(0), _Hidden(counts), 0)
    except _der.NestingError as exc:
        raise UnsafeInputError(f"PKCS#12 encrypted contents refused: {exc}", path=counts.name) from None
    except (_der.DerError, IndexError):
        pass


class _Hidden(Counts):
    """Counts that name where they were found: inside the encrypted contents."""

    def __init__(self, outer: Counts) -> None:
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
    content_type, content = content_info(w, pfx[1], 1)
    if content_type != DATA or content is None:
        return found
    inner = _der.Walker(w.octets(explicit_octets(w, content, 2), 3))
    for info in inner.children(inner.tlv(0)):
        content_type, content = content_info(inner, info, 1)
        if content is None:
            continue
        if content_type == DATA:
            bags = _der.Walker(inner.octets(explicit_octets(inner, content, 2), 3))
            for bag in bags.children(bags.tlv(0), 1):
                fields = bags.children(bag, 2)
                if oid_of(bags, fields[0]) == SHROUDED_KEY_BAG:
                    algorithm, encrypted = bags.children(bags.children(fields[1], 3)[0], 4)[:2]
                    if oid_of(bags, bags.children(algorithm, 5)[0]) == PBES2:
                        found.append((bags, algorithm, bags.octets(encrypted, 5), False))
        elif content_type == ENCRYPTED_DATA:
            info_fields = inner.children(inner.children(inner.children(content, 2)[0], 3)[1], 4)
            if len(info_fields) > 2 and oid_of(inner, inner.children(info_fields[1], 5)[0]) == PBES2:
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
    if oid_of(w, kdf_oid) != PBKDF2:
        return None
    params = w.children(kdf_params, 4)
    salt, iterations = params[0].value(w.data), integer_of(w, params[1])
    prf: type[hashes.HashAlgorithm] = hashes.SHA1
    for extra in params[2:]:
        if extra.tag == _der.SEQUENCE:
            prf_class = _PRFS.get(oid_of(w, w.children(extra, 5)[0]))
            if prf_class is None:
                return None
            prf = prf_class
    scheme_oid, iv = w.children(scheme, 3)[:2]
    cipher = _CIPHERS.get(oid_of(w, scheme_oid))
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
        if _der.decode_oid(content_type.value(data)) != DATA:
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
