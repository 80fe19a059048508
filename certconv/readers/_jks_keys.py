"""Java keystore passwords and private-key protection: Sun's JKS keystream and JCEKS PBEWithMD5AndTripleDES."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from ..base._console import printable
from ..pki import _der

__all__ = ["MAX_KEY_ITERATIONS", "Budget", "KeyNotRead", "decrypt_key", "password_text"]

MAX_KEY_ITERATIONS = 5_000_000
"""Most MD5 rounds spent decrypting one JCEKS keystore's keys, all keys together.

Java itself refuses a key asking for more than 5,000,000 (``KeyProtector``); keytool
writes 200,000 per key, so 12 keys fit (each derivation hashes both salt halves).
MD5 runs in a Python loop here (0.5-0.6 µs a round on a shared 2-core VM): the
bound keeps a crafted store to about 3 s. Keys past it are not read (a warning).
"""

_HASH_SIZE = 20
_OID_JKS_KEY = "1.3.6.1.4.1.42.2.17.1.1"
_OID_JCEKS_KEY = "1.3.6.1.4.1.42.2.19.1"
_MAX_PROTECTED_KEY = 1 << 20  # a PKCS#8 RSA-16384 key is under 10 KiB


def password_text(password: bytes) -> str:
    """The password as Java sees it (characters): UTF-8, or Latin-1 bytes that are not UTF-8."""
    try:
        return password.decode("utf-8")
    except UnicodeDecodeError:
        return password.decode("latin-1")



class Budget:
    """JCEKS key-derivation rounds left for this keystore."""

    def __init__(self) -> None:
        self.left = MAX_KEY_ITERATIONS


class KeyNotRead(Exception):
    """Why a protected key was not decrypted (the message says it to the user)."""


def decrypt_key(protected: bytes, password: str, budget: Budget | None = None) -> bytes:
    """The PKCS#8 ``PrivateKeyInfo`` inside a keystore's protected key.

    Raises:
        KeyNotRead: the password does not decrypt it, its algorithm is unknown,
            or it asks for more work than the budget has left.
    """
    budget = budget or Budget()
    if len(protected) > _MAX_PROTECTED_KEY:
        raise KeyNotRead(f"it is {len(protected):,} bytes, larger than any real key")
    try:
        outer = _der.read_tlv(protected)
        algorithm, encrypted = _der.children(protected, outer, limit=2)
        fields = _der.children(protected, algorithm, limit=2)
        oid = _der.decode_oid(fields[0].value(protected))
        ciphertext = encrypted.value(protected)
        if oid == _OID_JKS_KEY:
            return _jks_decrypt(ciphertext, password)
        if oid == _OID_JCEKS_KEY and len(fields) > 1:
            salt_tlv, count_tlv = _der.children(protected, fields[1], limit=2)
            iterations = _der.decode_small_int(count_tlv.value(protected))
            return _jceks_decrypt(ciphertext, password, salt_tlv.value(protected), iterations, budget)
    except (_der.DerError, ValueError, IndexError):
        raise KeyNotRead("its protection is damaged") from None
    raise KeyNotRead(f"it is protected with algorithm {printable(oid)}, which certconv does not read")


def _jks_decrypt(data: bytes, password: str) -> bytes:
    """Sun's key protector (``sun.security.provider.KeyProtector``).

    ``data`` = salt (20) | key XOR keystream | SHA-1(password | key) (20), where the
    keystream is SHA-1(password | salt), SHA-1(password | previous), ... and the
    password is its characters as UTF-16BE.
    """
    if len(data) < 2 * _HASH_SIZE:
        raise KeyNotRead("its protection is damaged")
    secret = password.encode("utf-16-be")
    salt, body, check = data[:_HASH_SIZE], data[_HASH_SIZE:-_HASH_SIZE], data[-_HASH_SIZE:]
    blocks = []
    digest = salt
    for _ in range(-(-len(body) // _HASH_SIZE)):
        digest = hashlib.sha1(secret + digest).digest()  # noqa: S324 - the format's
        blocks.append(digest)
    stream = b"".join(blocks)[: len(body)]
    plain = (int.from_bytes(body, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(body), "big")
    if not hmac.compare_digest(hashlib.sha1(secret + plain).digest(), check):  # noqa: S324
        raise KeyNotRead("its password is not the one given")
    return plain


def _jceks_decrypt(data: bytes, password: str, salt: bytes, iterations: int, budget: Budget) -> bytes:
    """Sun's PBEWithMD5AndTripleDES (``com.sun.crypto.provider.PBES1Core``).

    PKCS#5 PBES1 with MD5 and 3DES-CBC, except that the 8-byte salt is split in
    halves, each hashed ``iterations`` times as MD5(previous | password): the first
    16 bytes plus 8 of the second digest are the key, the last 8 the IV. When the
    halves are equal, the first is rearranged ``[a,b,c,d] -> [d,a,b,d]`` (a
    long-standing typo in Sun's code for "reversed"). The password must be
    printable ASCII (``com.sun.crypto.provider.PBEKey``).
    """
    if len(salt) != 8 or iterations < 1 or not data or len(data) % 8:
        raise KeyNotRead("its protection is damaged")
    if not all(0x20 <= ord(c) <= 0x7E for c in password):
        raise KeyNotRead("JCEKS key passwords are printable ASCII and the one given is not")
    if 2 * iterations > budget.left:
        raise KeyNotRead(
            f"its key derivation asks for {iterations:,} rounds, and certconv spends at most "
            f"{MAX_KEY_ITERATIONS:,} on one keystore's keys"
        )
    budget.left -= 2 * iterations
    secret = password.encode("ascii")
    halves = [salt[:4], salt[4:]]
    if halves[0] == halves[1]:
        a, b, _c, d = halves[0]
        halves[0] = bytes([d, a, b, d])
    derived = b""
    md5 = hashlib.md5
    for half in halves:
        digest = half
        for _ in range(iterations):
            digest = md5(digest + secret).digest()
        derived += digest
    decryptor = Cipher(TripleDES(derived[:24]), modes.CBC(derived[24:])).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= 8 or padded[-pad:] != bytes([pad]) * pad:
        raise KeyNotRead("its password is not the one given")
    plain = padded[:-pad]
    try:
        if _der.read_tlv(plain).end != len(plain):
            raise KeyNotRead("its password is not the one given")
    except _der.DerError:
        raise KeyNotRead("its password is not the one given") from None
    return plain
