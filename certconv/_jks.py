"""Java keystores (JKS ``FEEDFEED``, JCEKS ``CECECECE``), read by a small bounded parser of our own.

The format (``sun.security.provider.JavaKeyStore``, ``com.sun.crypto.provider.JceKeyStore``),
all integers big-endian::

    magic u4 | version u4 (1 or 2) | count u4 | entry * count | SHA-1 u1[20]
    entry    = tag u4 | alias UTF | timestamp u8 | body
    tag 1    private key:  u4 length, EncryptedPrivateKeyInfo (DER) | u4 chain length | cert * chain
    tag 2    trusted certificate: cert
    tag 3    secret key (JCEKS only): one Java-serialized ``SealedObject`` stream
    cert     = [version 2: type UTF, "X.509"] u4 length | encoding
    UTF      = u2 length | modified UTF-8 (``DataOutput.writeUTF``)

The trailing SHA-1 is taken over the password (UTF-16BE), the words "Mighty
Aphrodite" and everything before it. Key entries are protected with Sun's
SHA-1 keystream (JKS, OID 1.3.6.1.4.1.42.2.17.1.1) or Sun's PBEWithMD5AndTripleDES
(JCEKS, OID 1.3.6.1.4.1.42.2.19.1). Every length is checked against the bytes
left before anything is taken; counts, chains and key-derivation work are bounded
(docs/security.md). ``pyjks`` does this too, but is unmaintained and heavy.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from . import _der
from ._enums import WarningCode
from ._errors import CorruptInputError, Option, UnsafeInputError, UnsupportedFormatError, WrongPasswordError, hint
from ._limits import MAX_CERTIFICATES
from ._names import printable

__all__ = [
    "MAGICS",
    "MAX_CHAIN",
    "MAX_ENTRIES",
    "MAX_KEY_ITERATIONS",
    "Entry",
    "EntryKind",
    "KeyNotRead",
    "Keystore",
    "decrypt_key",
    "integrity_ok",
    "parse",
    "read",
]

MAGICS = {b"\xfe\xed\xfe\xed": "JKS", b"\xce\xce\xce\xce": "JCEKS"}
"""The first four bytes of each keystore type, and its name."""

MAX_ENTRIES = MAX_CERTIFICATES
"""A keystore declaring this many entries or more is refused before any entry is read."""

MAX_CHAIN = 100
"""Most certificates one private-key entry's chain may declare (real chains have 2 to 5)."""

MAX_KEY_ITERATIONS = 5_000_000
"""Most MD5 rounds spent decrypting one JCEKS keystore's keys, all keys together.

Java itself refuses a key asking for more than 5,000,000 (``KeyProtector``); keytool
writes 200,000 per key, so 12 keys fit (each derivation hashes both salt halves).
MD5 runs in a Python loop here (0.5-0.6 µs a round on a shared 2-core VM): the
bound keeps a crafted store to about 3 s. Keys past it are not read (a warning).
"""

_HASH_SIZE = 20
_WHITENER = b"Mighty Aphrodite"  # sun.security.provider.JavaKeyStore.getPreKeyedHash
_OID_JKS_KEY = "1.3.6.1.4.1.42.2.17.1.1"
_OID_JCEKS_KEY = "1.3.6.1.4.1.42.2.19.1"
_MAX_PROTECTED_KEY = 1 << 20  # a PKCS#8 RSA-16384 key is under 10 KiB
_MAX_SERIAL_ELEMENTS = 10_000  # one SealedObject stream holds about 20
_MAX_SERIAL_DEPTH = 16


class EntryKind(StrEnum):
    """What a keystore entry holds (keytool's names)."""

    PRIVATE_KEY = "PrivateKeyEntry"
    TRUSTED_CERTIFICATE = "trustedCertEntry"
    SECRET_KEY = "SecretKeyEntry"  # noqa: S105 - an entry type, not a password


@dataclass(frozen=True, slots=True)
class Entry:
    """One keystore entry, as stored: certificates and the protected key still encrypted."""

    alias: str
    kind: EntryKind
    certificates: tuple[bytes, ...] = ()
    protected_key: bytes | None = field(default=None, repr=False)
    other_types: tuple[str, ...] = ()  # certificate types other than X.509, skipped


@dataclass(frozen=True, slots=True)
class Keystore:
    """A parsed keystore: its type (``JKS``/``JCEKS``), version and entries, and what its hash covers."""

    kind: str
    version: int
    entries: tuple[Entry, ...]
    content: bytes = field(repr=False)
    digest: bytes = field(repr=False)


# -- structure ----------------------------------------------------------------------


class _Cursor:
    """Reads big-endian fields, checking each length against what is left first."""

    def __init__(self, data: bytes, name: str, kind: str) -> None:
        self.data = data
        self.pos = 0
        self.name = name
        self.kind = kind
        self.where = "its header"

    def take(self, size: int, what: str) -> bytes:
        left = len(self.data) - self.pos
        if size > left:
            raise CorruptInputError(
                f"{self.kind} keystore is truncated in {self.where}: {what} needs {size:,} bytes, {left:,} are left",
                path=self.name,
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u1(self, what: str) -> int:
        return self.take(1, what)[0]

    def u2(self, what: str) -> int:
        return int.from_bytes(self.take(2, what), "big")

    def u4(self, what: str) -> int:
        return int.from_bytes(self.take(4, what), "big")

    def utf(self, what: str) -> str:
        return java_utf(self.take(self.u2(f"the length of {what}"), what))


def java_utf(raw: bytes) -> str:
    """Java's modified UTF-8 (``DataOutput.writeUTF``): NUL as C0 80, other planes as surrogate pairs."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.replace(b"\xc0\x80", b"\0").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not even modified UTF-8: damaged, but only a name
        return raw.decode("utf-8", "replace")
    # Join surrogate pairs; a lone surrogate becomes U+FFFD (it could not be written out again).
    return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace")


def parse(data: bytes, name: str) -> Keystore:
    """The entries of the keystore ``data``, nothing decrypted and nothing checked but structure and bounds.

    Raises:
        CorruptInputError: truncated (the message names the entry and field) or damaged.
        UnsafeInputError: more entries, certificates or chain members than certconv reads.
        UnsupportedFormatError: an unknown version, or a secret-key entry that cannot be stepped over.
    """
    kind = MAGICS.get(data[:4])
    if kind is None:
        raise UnsupportedFormatError("is not a Java keystore", path=name)
    cursor = _Cursor(data, name, kind)
    cursor.take(4, "the magic number")
    version = cursor.u4("the version")
    if version not in (1, 2):
        raise UnsupportedFormatError(
            f"is a {kind} keystore of version {version}, which certconv does not read (versions 1 and 2)", path=name
        )
    count = cursor.u4("the entry count")
    if count >= MAX_ENTRIES:  # before any entry is read: the count is all a crafted store costs
        raise UnsafeInputError(
            f"{kind} keystore declares {count:,} entries; certconv reads keystores of fewer than {MAX_ENTRIES:,} "
            "(real ones hold a few hundred), so it was refused",
            path=name,
        )
    entries: list[Entry] = []
    certificates = 0
    for index in range(1, count + 1):
        cursor.where = f"entry {index} of {count}"
        entry = _entry(cursor, version, index)
        certificates += len(entry.certificates)
        if certificates > MAX_CERTIFICATES:
            raise UnsafeInputError(
                f"holds more than {MAX_CERTIFICATES:,} certificates; no real bundle does, so it was refused", path=name
            )
        entries.append(entry)
    cursor.where = "its integrity hash"
    end = cursor.pos
    digest = cursor.take(_HASH_SIZE, "the SHA-1 hash")
    if cursor.pos != len(data):
        raise CorruptInputError(
            f"{kind} keystore has {len(data) - cursor.pos:,} bytes after its integrity hash (two files joined, "
            "or a damaged entry count)",
            path=name,
        )
    return Keystore(kind, version, tuple(entries), data[:end], digest)


def _entry(cursor: _Cursor, version: int, index: int) -> Entry:
    tag = cursor.u4("the entry type")
    alias = cursor.utf("the alias")
    cursor.where = f"entry {index} ('{printable(alias)}')"
    cursor.take(8, "the timestamp")
    if tag == 1:
        protected = cursor.take(cursor.u4("the private key's length"), "the protected private key")
        chain = cursor.u4("the chain length")
        if chain > MAX_CHAIN:
            raise UnsafeInputError(
                f"{cursor.kind} keystore entry '{printable(alias)}' declares a chain of {chain:,} certificates; "
                f"certconv reads at most {MAX_CHAIN}",
                path=cursor.name,
            )
        certs: list[bytes] = []
        others: list[str] = []
        for position in range(1, chain + 1):
            _certificate(cursor, version, f"chain certificate {position}", certs, others)
        return Entry(alias, EntryKind.PRIVATE_KEY, tuple(certs), protected, tuple(others))
    if tag == 2:
        certs, others = [], []
        _certificate(cursor, version, "the certificate", certs, others)
        return Entry(alias, EntryKind.TRUSTED_CERTIFICATE, tuple(certs), None, tuple(others))
    if tag == 3 and cursor.kind == "JCEKS":
        _JavaStream(cursor, alias).skip()
        return Entry(alias, EntryKind.SECRET_KEY)
    raise CorruptInputError(
        f"{cursor.kind} keystore entry {index} has an unknown type {tag} (damaged)", path=cursor.name
    )


def _certificate(cursor: _Cursor, version: int, what: str, certs: list[bytes], others: list[str]) -> None:
    cert_type = cursor.utf(f"the type of {what}") if version == 2 else "X.509"
    encoding = cursor.take(cursor.u4(f"the length of {what}"), what)
    if cert_type == "X.509":
        certs.append(encoding)
    else:
        others.append(printable(cert_type)[:40])


# -- Java serialization, only to find where a secret-key entry ends ---------------------------

_TC_NULL, _TC_REFERENCE, _TC_CLASSDESC, _TC_OBJECT, _TC_STRING, _TC_ARRAY, _TC_CLASS = range(0x70, 0x77)
_TC_BLOCKDATA, _TC_ENDBLOCKDATA, _TC_BLOCKDATALONG, _TC_LONGSTRING, _TC_ENUM = 0x77, 0x78, 0x7A, 0x7C, 0x7E
_BASE_HANDLE = 0x7E0000
_SC_WRITE_METHOD, _SC_SERIALIZABLE, _SC_EXTERNALIZABLE, _SC_BLOCK_DATA = 0x01, 0x02, 0x04, 0x08
_PRIMITIVE_SIZES = {"B": 1, "C": 2, "D": 8, "F": 4, "I": 4, "J": 8, "S": 2, "Z": 1}


@dataclass(slots=True)
class _ClassDesc:
    name: str
    flags: int = 0
    fields: list[str] = field(default_factory=list)  # type codes, in stream order
    parent: _ClassDesc | None = None


class _JavaStream:
    """Steps over one Java serialization stream (Object Serialization Specification §6.4).

    Only what a ``SealedObject`` can contain is followed: objects, class
    descriptions, strings, arrays, enums, block data and back-references. The
    values are not kept. Elements and nesting are counted, and every length is
    checked against the bytes left, so a crafted stream costs little.
    """

    def __init__(self, cursor: _Cursor, alias: str) -> None:
        self.cursor = cursor
        self.alias = printable(alias)
        self.handles: list[_ClassDesc | None] = []
        self.budget = _MAX_SERIAL_ELEMENTS

    def skip(self) -> None:
        if self.cursor.take(4, "the secret key's serialization header") != b"\xac\xed\x00\x05":
            self._unsupported("it does not start with a Java serialization header")
        self._content(self.cursor.u1("the secret key"), 0)

    def _unsupported(self, why: str) -> None:
        raise UnsupportedFormatError(
            f"JCEKS keystore entry '{self.alias}' is a secret-key entry certconv cannot step over ({why}); "
            f"secret-key entries are not supported: remove it (keytool -delete -alias {self.alias}) or "
            "export the certificates with keytool -exportcert",
            path=self.cursor.name,
        )

    def _content(self, tag: int, depth: int) -> _ClassDesc | None:
        """Read one element whose tag byte was just read; a class description is returned."""
        self.budget -= 1
        if self.budget < 0 or depth > _MAX_SERIAL_DEPTH:
            self._unsupported("it is nested or repeated more than a sealed key ever is")
        c = self.cursor
        if tag == _TC_NULL:
            return None
        if tag == _TC_REFERENCE:
            handle = c.u4("a back-reference") - _BASE_HANDLE
            if not 0 <= handle < len(self.handles):
                self._unsupported("it refers to an object it does not hold")
            return self.handles[handle]
        if tag == _TC_CLASSDESC:
            desc = _ClassDesc(c.utf("a class name"))
            c.take(8, "a serialVersionUID")
            self.handles.append(desc)
            desc.flags = c.u1("class flags")
            for _ in range(c.u2("a field count")):
                code = chr(c.u1("a field type"))
                c.utf("a field name")
                if code in "[L":
                    self._content(c.u1("a field's class name"), depth + 1)
                elif code not in _PRIMITIVE_SIZES:
                    self._unsupported(f"unknown field type {code!r}")
                desc.fields.append(code)
            self._annotations(depth)
            desc.parent = self._class_desc(depth)
            return desc
        if tag == _TC_OBJECT:
            of_class = self._class_desc(depth)
            self.handles.append(None)
            self._object_data(of_class, depth)
            return None
        if tag == _TC_STRING:
            c.take(c.u2("a string's length"), "a string")
        elif tag == _TC_LONGSTRING:
            c.take(int.from_bytes(c.take(8, "a long string's length"), "big"), "a long string")
        elif tag == _TC_ARRAY:
            of_class = self._class_desc(depth)
            self.handles.append(None)
            self._array(of_class, depth)
            return None
        elif tag == _TC_ENUM:
            self._class_desc(depth)
            self.handles.append(None)
            self._content(c.u1("an enum constant's name"), depth + 1)
            return None
        elif tag == _TC_CLASS:
            self._class_desc(depth)
        elif tag == _TC_BLOCKDATA:
            c.take(c.u1("a data block's length"), "a data block")
            return None
        elif tag == _TC_BLOCKDATALONG:
            c.take(c.u4("a data block's length"), "a data block")
            return None
        else:
            self._unsupported(f"serialization element 0x{tag:02x}")
        self.handles.append(None)
        return None

    def _class_desc(self, depth: int) -> _ClassDesc | None:
        tag = self.cursor.u1("a class description")
        if tag not in (_TC_CLASSDESC, _TC_REFERENCE, _TC_NULL):
            self._unsupported(f"serialization element 0x{tag:02x} where a class description belongs")
        desc = self._content(tag, depth + 1)
        if tag == _TC_REFERENCE and desc is None:
            self._unsupported("a back-reference to something that is not a class")
        return desc

    def _annotations(self, depth: int) -> None:
        while (tag := self.cursor.u1("class annotations")) != _TC_ENDBLOCKDATA:
            self._content(tag, depth + 1)

    def _object_data(self, desc: _ClassDesc | None, depth: int) -> None:
        lineage: list[_ClassDesc] = []
        while desc is not None:
            if len(lineage) > _MAX_SERIAL_DEPTH:
                self._unsupported("its class hierarchy is deeper than a sealed key's")
            lineage.append(desc)
            desc = desc.parent
        for cls in reversed(lineage):  # superclass data first
            if cls.flags & _SC_EXTERNALIZABLE:
                if not cls.flags & _SC_BLOCK_DATA:
                    self._unsupported("an externalizable object of the old protocol")
                self._annotations(depth)
                continue
            for code in cls.fields:
                self._value(code, depth)
            if cls.flags & _SC_WRITE_METHOD:
                self._annotations(depth)

    def _value(self, code: str, depth: int) -> None:
        if code in _PRIMITIVE_SIZES:
            self.cursor.take(_PRIMITIVE_SIZES[code], "a field value")
        else:
            self._content(self.cursor.u1("a field value"), depth + 1)

    def _array(self, desc: _ClassDesc | None, depth: int) -> None:
        size = self.cursor.u4("an array's length")
        component = desc.name[1:2] if desc is not None and desc.name.startswith("[") else ""
        if component in _PRIMITIVE_SIZES:
            self.cursor.take(size * _PRIMITIVE_SIZES[component], "an array")
        elif component in ("L", "["):
            if size > len(self.cursor.data) - self.cursor.pos:  # every element takes a byte at least
                self.cursor.take(size, "an array")
            for _ in range(size):
                self._content(self.cursor.u1("an array element"), depth + 1)
        else:
            self._unsupported("an array of an unknown type")


# -- passwords and keys -----------------------------------------------------------------


def password_text(password: bytes) -> str:
    """The password as Java sees it (characters): UTF-8, or Latin-1 bytes that are not UTF-8."""
    try:
        return password.decode("utf-8")
    except UnicodeDecodeError:
        return password.decode("latin-1")


def integrity_ok(store: Keystore, password: str) -> bool:
    """Whether ``password`` verifies the keystore's SHA-1 (the same for JKS and JCEKS)."""
    digest = hashlib.sha1(password.encode("utf-16-be") + _WHITENER + store.content).digest()  # noqa: S324 - the format's
    return hmac.compare_digest(digest, store.digest)


class _Budget:
    """JCEKS key-derivation rounds left for this keystore."""

    def __init__(self) -> None:
        self.left = MAX_KEY_ITERATIONS


class KeyNotRead(Exception):
    """Why a protected key was not decrypted (the message says it to the user)."""


def decrypt_key(protected: bytes, password: str, budget: _Budget | None = None) -> bytes:
    """The PKCS#8 ``PrivateKeyInfo`` inside a keystore's protected key.

    Raises:
        KeyNotRead: the password does not decrypt it, its algorithm is unknown,
            or it asks for more work than the budget has left.
    """
    budget = budget or _Budget()
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


def _jceks_decrypt(data: bytes, password: str, salt: bytes, iterations: int, budget: _Budget) -> bytes:
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


# -- into a reader -------------------------------------------------------------------


class Reader(Protocol):
    """What :func:`read` fills: ``certconv._read``'s reader (named here so this module need not import it)."""

    name: str
    password: bytes | None
    keys: list[PrivateKeyTypes]

    def certificate(self, der: bytes, where: str = "", friendly_name: str | None = None) -> None: ...

    def warn(self, code: WarningCode, message: str, sha1: str | None = None) -> None: ...


def read(reader: Reader, data: bytes) -> str:
    """Read the keystore ``data`` into ``reader``: certificates named by alias, keys when the password opens them.

    Returns the format's name (``JKS`` or ``JCEKS``).

    Raises:
        WrongPasswordError: the password does not verify the integrity hash.
        CorruptInputError: the password decrypts a key but the hash does not match.
        and what :func:`parse` raises.
    """
    store = parse(data, reader.name)
    kind = store.kind
    password = password_text(reader.password) if reader.password is not None else None
    budget = _Budget()
    if password is None:
        reader.warn(
            WarningCode.KEYSTORE_INTEGRITY_UNCHECKED,
            f"{kind} keystore read without its password, so its integrity was not checked "
            "(give the store password to check it and to read private keys)",
        )
    elif not integrity_ok(store, password):
        raise _integrity_failure(store, password, reader.name, budget)
    for entry in store.entries:
        where = f"{kind} entry '{printable(entry.alias)}': "
        for position, der in enumerate(entry.certificates):
            # The alias names the entry's own certificate: a key entry's leaf, not its CAs.
            reader.certificate(der, where, entry.alias if position == 0 else None)
        if entry.kind is EntryKind.SECRET_KEY:
            skipped = f"{where}secret-key entry skipped (certconv reads certificates)"
            reader.warn(WarningCode.KEYSTORE_ENTRY_SKIPPED, skipped)
        for cert_type in entry.other_types:
            skipped = f"{where}certificate of type {cert_type} skipped (not X.509)"
            reader.warn(WarningCode.KEYSTORE_ENTRY_SKIPPED, skipped)
        if entry.protected_key is None:
            continue
        if password is None:
            reader.warn(WarningCode.ENCRYPTED_KEY, f"{where}private key not read (no password given)")
            continue
        try:
            pkcs8 = decrypt_key(entry.protected_key, password, budget)
        except KeyNotRead as exc:
            reader.warn(
                WarningCode.UNREADABLE_KEY,
                f"{where}private key not read: {exc} (certconv opens keys with the store password; "
                "keytool -keypasswd can set the key's password to it)",
            )
            continue
        try:
            key = serialization.load_der_private_key(pkcs8, None, unsafe_skip_rsa_key_validation=True)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            reader.warn(WarningCode.UNREADABLE_KEY, f"{where}private key not read: damaged or of an unsupported type")
            continue
        reader.keys.append(key)
    return kind


def _integrity_failure(store: Keystore, password: str, name: str, budget: _Budget) -> Exception:
    # A damaged store fails the hash like a wrong password; a key that decrypts tells them apart.
    for entry in store.entries:
        if entry.protected_key is None:
            continue
        try:
            decrypt_key(entry.protected_key, password, budget)
        except KeyNotRead:
            continue
        return CorruptInputError(
            f"{store.kind} keystore password is right (it decrypts the private key of '{printable(entry.alias)}') "
            "but the keystore is damaged (its integrity hash does not match)",
            path=name,
        )
    return WrongPasswordError(
        f"wrong password for the {store.kind} keystore: its integrity hash does not match "
        "(a damaged keystore fails the same way)",
        path=name,
        hint=hint("check the {}", Option.PASSWORD),
    )
