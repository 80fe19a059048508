"""Test-time Java keystores written byte by byte, for shapes keytool does not make.

keytool is the oracle for real keystores (tests/test_jks.py); this writer makes the
crafted ones: version 1, 100,000 declared entries, secret-key entries built by hand,
truncations, and fuzz seeds where no JDK is installed. The format is described in
certconv/readers/_jks.py; the key protection here follows Sun's KeyProtector classes.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from pki import Issued

MAGIC = {"JKS": b"\xfe\xed\xfe\xed", "JCEKS": b"\xce\xce\xce\xce"}
_JKS_KEY_ALGORITHM = bytes.fromhex("300e060a2b060104012a021101010500")  # 1.3.6.1.4.1.42.2.17.1.1, NULL
_JCEKS_OID = bytes.fromhex("06092b060104012a021301")  # 1.3.6.1.4.1.42.2.19.1


@dataclass(frozen=True)
class Trusted:
    alias: str
    cert: bytes


@dataclass(frozen=True)
class KeyEntry:
    alias: str
    key: Issued
    chain: Sequence[bytes]
    password: str | None = None  # the store password when None
    iterations: int = 200_000  # JCEKS only; keytool's default
    declared_iterations: int | None = None  # JCEKS: a different count written in the parameters
    plaintext: bytes | None = None  # protect these bytes instead of the key's PKCS#8


@dataclass(frozen=True)
class Secret:
    alias: str
    stream: bytes = field(default_factory=lambda: sealed_object(os.urandom(144)))


Entry = Trusted | KeyEntry | Secret


def utf(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">H", len(raw)) + raw


def _cert(der: bytes, version: int) -> bytes:
    return (utf("X.509") if version == 2 else b"") + struct.pack(">I", len(der)) + der


def _der(tag: int, body: bytes) -> bytes:
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def protect_jks(pkcs8: bytes, password: str) -> bytes:
    secret = password.encode("utf-16-be")
    salt = os.urandom(20)
    stream, digest = b"", salt
    while len(stream) < len(pkcs8):
        digest = hashlib.sha1(secret + digest).digest()  # noqa: S324 - the format's
        stream += digest
    body = bytes(a ^ b for a, b in zip(pkcs8, stream, strict=False))
    check = hashlib.sha1(secret + pkcs8).digest()  # noqa: S324
    return _der(0x30, _JKS_KEY_ALGORITHM + _der(0x04, salt + body + check))


def protect_jceks(pkcs8: bytes, password: str, iterations: int, declared: int | None = None) -> bytes:
    salt = os.urandom(8)
    secret = password.encode("ascii")
    halves = [salt[:4], salt[4:]]
    if halves[0] == halves[1]:
        a, b, _, d = halves[0]
        halves[0] = bytes([d, a, b, d])
    derived = b""
    for half in halves:
        digest = half
        for _ in range(iterations):
            digest = hashlib.md5(digest + secret).digest()  # noqa: S324
        derived += digest
    pad = 8 - len(pkcs8) % 8
    encryptor = Cipher(TripleDES(derived[:24]), modes.CBC(derived[24:])).encryptor()
    ciphertext = encryptor.update(pkcs8 + bytes([pad]) * pad) + encryptor.finalize()
    declared = declared or iterations
    count = declared.to_bytes((declared.bit_length() + 8) // 8, "big")
    params = _der(0x30, _der(0x04, salt) + _der(0x02, count))
    return _der(0x30, _der(0x30, _JCEKS_OID + params) + _der(0x04, ciphertext))


def sealed_object(content: bytes, params: bytes = bytes.fromhex("300f0408000102030405060702030d40")) -> bytes:
    """What ``keytool -genseckey -storetype JCEKS`` stores: a serialized SealedObjectForKeyProtector."""

    def jstr(text: str) -> bytes:
        return struct.pack(">H", len(text)) + text.encode()

    out = b"\xac\xed\x00\x05"
    out += b"\x73\x72" + jstr("com.sun.crypto.provider.SealedObjectForKeyProtector") + bytes.fromhex("cd57ca59e730bb53")
    out += b"\x02\x00\x00\x78"  # SC_SERIALIZABLE, no fields, TC_ENDBLOCKDATA
    out += b"\x72" + jstr("javax.crypto.SealedObject") + bytes.fromhex("3e363da6c3b75470") + b"\x02\x00\x04"
    out += b"[" + jstr("encodedParams") + b"\x74" + jstr("[B")  # handle 2: "[B"
    out += b"[" + jstr("encryptedContent") + b"\x71\x00\x7e\x00\x02"
    out += b"L" + jstr("paramsAlg") + b"\x74" + jstr("Ljava/lang/String;")  # handle 3
    out += b"L" + jstr("sealAlg") + b"\x71\x00\x7e\x00\x03"
    out += b"\x78\x70"  # end of annotations, no superclass
    # handle 4: the object; handle 5: class [B; then the field values
    out += b"\x75\x72" + jstr("[B") + bytes.fromhex("acf317f8060854e0") + b"\x02\x00\x00\x78\x70"
    out += struct.pack(">I", len(params)) + params
    out += b"\x75\x71\x00\x7e\x00\x05" + struct.pack(">I", len(content)) + content
    out += b"\x74" + jstr("PBEWithMD5AndTripleDES") + b"\x74" + jstr("PBEWithMD5AndTripleDES")
    return out


def pkcs8(key: Issued) -> bytes:
    return key.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def to_keystore(
    entries: Sequence[Entry],
    password: str = "changeit",  # noqa: S107 - the fuzz seeds' password
    *,
    kind: str = "JKS",
    version: int = 2,
) -> bytes:
    """A JKS or JCEKS keystore holding ``entries``, its integrity hash made with ``password``."""
    body = MAGIC[kind] + struct.pack(">II", version, len(entries))
    for entry in entries:
        stamp = struct.pack(">Q", 1_700_000_000_000)
        if isinstance(entry, Trusted):
            body += struct.pack(">I", 2) + utf(entry.alias) + stamp + _cert(entry.cert, version)
        elif isinstance(entry, KeyEntry):
            secret = entry.password if entry.password is not None else password
            plain = entry.plaintext if entry.plaintext is not None else pkcs8(entry.key)
            if kind == "JKS":
                protected = protect_jks(plain, secret)
            else:
                protected = protect_jceks(plain, secret, entry.iterations, entry.declared_iterations)
            body += struct.pack(">I", 1) + utf(entry.alias) + stamp + struct.pack(">I", len(protected)) + protected
            body += struct.pack(">I", len(entry.chain)) + b"".join(_cert(c, version) for c in entry.chain)
        else:
            body += struct.pack(">I", 3) + utf(entry.alias) + stamp + entry.stream
    return body + hashlib.sha1(password.encode("utf-16-be") + b"Mighty Aphrodite" + body).digest()  # noqa: S324
