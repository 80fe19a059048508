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
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ..base._console import printable
from ..base._enums import WarningCode
from ..base._errors import CorruptInputError, Option, UnsafeInputError, UnsupportedFormatError, WrongPasswordError, hint
from ..base._limits import MAX_CERTIFICATES
from ._java_serial import Cursor, JavaStream
from ._jks_keys import Budget, KeyNotRead, decrypt_key, password_text

__all__ = [
    "MAGICS",
    "MAX_CHAIN",
    "MAX_ENTRIES",
    "Entry",
    "EntryKind",
    "Keystore",
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

_HASH_SIZE = 20
_WHITENER = b"Mighty Aphrodite"  # sun.security.provider.JavaKeyStore.getPreKeyedHash


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
    cursor = Cursor(data, name, kind)
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


def _entry(cursor: Cursor, version: int, index: int) -> Entry:
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
        JavaStream(cursor, alias).skip()
        return Entry(alias, EntryKind.SECRET_KEY)
    raise CorruptInputError(
        f"{cursor.kind} keystore entry {index} has an unknown type {tag} (damaged)", path=cursor.name
    )


def _certificate(cursor: Cursor, version: int, what: str, certs: list[bytes], others: list[str]) -> None:
    cert_type = cursor.utf(f"the type of {what}") if version == 2 else "X.509"
    encoding = cursor.take(cursor.u4(f"the length of {what}"), what)
    if cert_type == "X.509":
        certs.append(encoding)
    else:
        others.append(printable(cert_type)[:40])


# -- the keystore's hash ---------------------------------------------------------------


def integrity_ok(store: Keystore, password: str) -> bool:
    """Whether ``password`` verifies the keystore's SHA-1 (the same for JKS and JCEKS)."""
    digest = hashlib.sha1(password.encode("utf-16-be") + _WHITENER + store.content).digest()  # noqa: S324 - the format's
    return hmac.compare_digest(digest, store.digest)


# -- into a reader -------------------------------------------------------------------


class Reader(Protocol):
    """What :func:`read` fills: ``certconv.readers._read``'s reader (named here so this module need not import it)."""

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
    budget = Budget()
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


def _integrity_failure(store: Keystore, password: str, name: str, budget: Budget) -> Exception:
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
        hint=hint("check the password given with {}", Option.PASSWORD),
    )
