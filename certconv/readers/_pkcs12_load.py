"""The PKCS#12 part of the reader: which passwords to try, who reads the file, and what to say when none opens it.

certconv's bounded reader (:mod:`certconv.readers._pkcs12_read`) goes first, then ``cryptography``;
a file ``cryptography`` refuses for one certificate is read bag by bag once the password is proven
right (:mod:`certconv.readers._pkcs12_certs`), and a file nothing opens gets the one error that
names why (wrong password, damaged, or a right password that is not UTF-8).
"""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ..base._enums import WarningCode
from ..base._errors import (
    CorruptInputError,
    InputError,
    Option,
    PasswordError,
    PasswordRequiredError,
    WrongPasswordError,
    hint,
)
from ..pki import _der
from . import _pkcs12_open, _pkcs12_read
from ._collect import Collector, strict_der
from ._decode import NOT_UTF8_HINT

__all__ = ["Pkcs12Reading"]


class Pkcs12Reading(Collector):
    """:meth:`pkcs12` for :class:`certconv.readers._read._Reader`, beside the leaves it fills."""

    def pkcs12(self, data: bytes) -> None:
        # Without a password, try none and then the empty one (Windows writes either).
        # With one, still fall back to those: certificate-only files (Java
        # truststores) may carry no MAC, and a password they do not need must not fail them.
        attempts = [None, b""] if self.password is None else [_pkcs12_open.utf8_password(self.password), None, b""]
        opening = _pkcs12_open.Opening(data, self.name)  # before any key derivation: crafted iteration counts
        loaded = None
        for password in attempts:
            opening.check_password(password)  # and those of key bags hidden in the encrypted contents
            contents = _pkcs12_read.read_contents(opening, password)
            if contents is not None:  # read by certconv: keys without the RSA check they only matter for when written
                self._pkcs12_contents(contents)
                return
            try:
                with self._capture("PKCS#12: "):
                    loaded = pkcs12.load_pkcs12(data, password)
                break
            except ValueError:
                continue
        if loaded is None:
            if self._pkcs12_bags(data, attempts, opening):
                return
            raise self._pkcs12_failure(data, opening)
        entries = ([loaded.cert] if loaded.cert is not None else []) + list(loaded.additional_certs)
        self._check_count(len(self.certificates) + len(entries))
        for entry in entries:
            cert = entry.certificate
            name = entry.friendly_name.decode("utf-8", "replace") if entry.friendly_name else None
            self.add(cert, cert.public_bytes(serialization.Encoding.DER), "PKCS#12: ", name)
        if loaded.key is not None:
            self.keys.append(loaded.key)

    def _pkcs12_contents(self, contents: _pkcs12_read.Contents) -> None:
        total = len(contents.certificates)
        self._check_count(len(self.certificates) + total)
        for index, (der, name) in enumerate(contents.certificates, 1):  # positions as the bag-by-bag reader says them
            self.certificate(der, f"PKCS#12 certificate {index} of {total}: ", name)
        self.keys.extend(contents.keys)

    def _pkcs12_bags(self, data: bytes, attempts: list[bytes | None], opening: _pkcs12_open.Opening) -> bool:
        """Read the bags one by one when the password is right but cryptography refused the file.

        cryptography refuses a whole PKCS#12 for one certificate it cannot parse (old keytool's
        EC certificates); with the password proven right (MAC, or PBES2 contents that decrypt),
        each certificate goes through :meth:`certificate`: tolerated, or refused with its own name.
        """
        from . import _pkcs12_certs  # only files cryptography refused need it

        try:  # PFX ::= SEQUENCE { version, authSafe, macData OPTIONAL }
            has_mac = len(_der.children(data, _der.read_tlv(data), limit=3)) > 2
        except _der.DerError:
            return False
        # The password given, or (none given) the empty one: one bounded check, not one per attempt.
        for password in attempts[:1]:
            key = password or b""
            # Integrity first: with a MAC, only one that verifies; without one (certificate-only
            # Java truststores), contents that decrypt with the password or are in the clear.
            verdict = _pkcs12_open.mac_verdict(data, key) if has_mac else None
            if (has_mac and verdict is not True) or (not has_mac and opening.password_decrypts(key) is False):
                continue
            try:
                found = _pkcs12_certs.bags(data, key)
            except (_der.DerError, IndexError):
                return False
            if not found.certificates or found.undecrypted or all(map(strict_der, (c for c, _ in found.certificates))):
                return False  # cryptography refused the file for something else than a certificate
            total = len(found.certificates)
            self._check_count(len(self.certificates) + total)
            for index, (der, name) in enumerate(found.certificates, 1):
                self.certificate(der, f"PKCS#12 certificate {index} of {total}: ", name)
            for pkcs8, secret in [(k, None) for k in found.plain_keys] + [(k, key) for k in found.shrouded_keys]:
                try:
                    self.keys.append(
                        serialization.load_der_private_key(pkcs8, secret, unsafe_skip_rsa_key_validation=True)
                    )
                except (ValueError, TypeError, UnsupportedAlgorithm):
                    self.warn(
                        WarningCode.UNREADABLE_KEY,
                        "PKCS#12: private key could not be read (damaged or of an unsupported type or cipher)",
                    )
            return True
        return False

    def _pkcs12_failure(self, data: bytes, opening: _pkcs12_open.Opening) -> InputError:
        if self.password is None:
            return PasswordRequiredError(
                "PKCS#12 file is password-protected",
                path=self.name,
                hint=hint("give its password with {}", Option.PASSWORD),
            )
        password = _pkcs12_open.utf8_password(self.password)
        verdict = opening.mac(password)
        # The MAC fails for a wrong password and for a damaged file alike; decrypting the
        # key (or contents) with the password tells the two apart where the cipher allows.
        decrypts = opening.password_decrypts(password) if verdict is not True else None
        if password != self.password and (verdict is True or decrypts is True):
            return PasswordError(
                "PKCS#12 password is right but not UTF-8, and this file's modern (PBES2) encryption needs its "
                "raw bytes, which cryptography cannot take: re-export it with a UTF-8 password or as legacy",
                path=self.name,
            )
        if decrypts is True:
            return CorruptInputError(
                "PKCS#12 password is right (it decrypts the contents) but the file is damaged "
                + ("(its MAC does not match)" if verdict is False else "or uses an unsupported cipher"),
                path=self.name,
            )
        if verdict is False or decrypts is False:
            return WrongPasswordError(
                "wrong password for PKCS#12" + NOT_UTF8_HINT * (password != self.password),
                path=self.name,
                hint=hint("check the password given with {}", Option.PASSWORD),
            )
        if verdict is True:
            return CorruptInputError(
                "PKCS#12 password is right but the contents are damaged or use an unsupported cipher",
                path=self.name,
            )
        return WrongPasswordError("PKCS#12 could not be opened: wrong password, or the file is damaged", path=self.name)
