"""Bytes in, certificates (and private keys) out. No classification happens here.

The format is decided by content, never by file name: PEM (with every quirk
seen in the wild), DER certificates, PKCS#7 (DER, BER or PEM) and PKCS#12
(modern, legacy, BER, certificate-only); Java keystores go to :mod:`certconv.readers._jks`.
``cryptography`` does the parsing;
its warnings (BER fallback, RFC violations) become :class:`BundleWarning`\\ s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from os import PathLike

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ..base._console import printable
from ..base._enums import WarningCode
from ..base._errors import (
    CorruptInputError,
    NoCertificateError,
    Option,
    PasswordRequiredError,
    UnsafeInputError,
    UnsupportedFormatError,
    WrongPasswordError,
    hint,
)
from ..base._face import publish
from ..base._progress import ProgressStage, reporter
from ..pki import _der
from ..pki._model import BundleWarning
from . import _tolerant
from ._bom import BomError, decode_bom, encoding_problem
from ._collect import RawCertificate
from ._decode import bare_base64, first_element, pem_payload
from ._open import read_bounded
from ._password import password_bytes
from ._pkcs12_load import Pkcs12Reading

__all__ = [
    "DEFAULT_MAX_INPUT_SIZE",
    "KEY_ONLY",
    "RawCertificate",
    "ReadResult",
    "Source",
    "key_only_error",
    "read_file",
    "read_source",
]

DEFAULT_MAX_INPUT_SIZE = 64 * 1024 * 1024
"""Inputs larger than this (bytes) are refused before they are read."""

MAX_PEM_BLOCKS = 200_000
"""More PEM blocks than this in one input is not a certificate file."""

_MAX_IGNORED_WARNINGS = 100  # one warning per ignored PEM block up to this many, then one for the rest
_OID_PKCS7_SIGNED_DATA = "1.2.840.113549.1.7.2"
_JKS_MAGICS = (b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce")  # JKS, JCEKS: certconv.readers._jks

_CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
_PKCS7_LABELS = frozenset({"PKCS7", "PKCS #7 SIGNED DATA", "CMS", "CERTIFICATE CHAIN"})
_BEGIN = re.compile(rb"-----BEGIN ([^\r\n-]{1,64})-----")


@dataclass(frozen=True, slots=True)
class Source:
    """An input: its name (a path, ``<stdin>``, ``tls://host:port``…) and its bytes."""

    name: str
    data: bytes

    def __repr__(self) -> str:
        return f"Source({self.name!r}, {len(self.data)} bytes)"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Everything one input held."""

    name: str
    format: str
    certificates: tuple[RawCertificate, ...]
    private_keys: tuple[PrivateKeyTypes, ...]
    warnings: tuple[BundleWarning, ...]


KEY_ONLY = "holds a private key but no certificate: add the certificate file"
"""What every command says of an input that holds only a private key (one message for one situation)."""


def key_only_error(results: Sequence[ReadResult]) -> NoCertificateError:
    """The refusal when every input holds private keys only: :data:`KEY_ONLY`, about the input if there is one."""
    if len(results) == 1:
        return NoCertificateError(KEY_ONLY, path=results[0].name)
    return NoCertificateError("the inputs hold private keys but no certificate: add the certificate file")


def read_file(
    path: str | PathLike[str], *, max_input_size: int = DEFAULT_MAX_INPUT_SIZE, deadline: float | None = None
) -> Source:
    """Read ``path`` into a :class:`Source`, refusing files over ``max_input_size`` first.

    Only a regular file or a FIFO is read; a FIFO must deliver its data and
    close within ``deadline`` seconds (default :data:`certconv.readers._open.PIPE_DEADLINE`),
    so one with no writer is an error, not a hang.
    """
    data = read_bounded(
        path,
        max_input_size,
        what="certificate file",
        too_large="input limit",
        too_large_hint=hint("raise it with {}", Option.MAX_INPUT_SIZE),
        deadline=deadline,
    )
    return Source(str(path), data)


def read_source(source: Source, *, password: bytes | None = None, keys_alone: bool = False) -> ReadResult:
    """Parse one input whatever its format.

    Args:
        source: The input's name and bytes.
        password: PKCS#12 / encrypted PEM key password; ``None`` tries no
            password and then the empty one, as Windows exports either.
        keys_alone: Accept an input that holds private keys but no
            certificate (a ``.key`` file given beside its certificate).

    Raises:
        UnsupportedFormatError, CorruptInputError, NoCertificateError,
        PasswordRequiredError, WrongPasswordError: see :mod:`certconv.base._errors`.
    """
    try:
        # Before sniffing: PEM saved by PowerShell 5.1 is UTF-16; the size bound applied to the raw bytes.
        data, _ = decode_bom(source.data)
    except BomError as exc:
        raise CorruptInputError(f"{exc} (truncated?); save it as UTF-8 or ASCII", path=source.name) from None
    reader = _Reader(source.name, password_bytes(password))  # the one door every input passes: checked here too
    if data[:4] in _JKS_MAGICS:  # first: a binary keystore may hold text that looks like PEM
        from . import _jks  # only keystores need it

        fmt = _jks.read(reader, data)
    elif _BEGIN.search(data):
        fmt = reader.pem(data)
    elif data[:1] == b"\x30":
        fmt = reader.der(data)
    elif (decoded := bare_base64(data)) is not None and decoded[:1] == b"\x30":
        fmt = "Base-64 " + reader.der(decoded)
    elif not data.strip():
        raise NoCertificateError("is empty", path=source.name)
    else:
        raise UnsupportedFormatError(
            encoding_problem(data)
            or "not a certificate format certconv knows (expected PEM, DER, PKCS#7, PKCS#12 or a Java keystore)",
            path=source.name,
        )
    if not reader.certificates and not (keys_alone and reader.keys):
        codes = {w.code for w in reader.warnings}
        if keys_alone and WarningCode.ENCRYPTED_KEY in codes:
            raise PasswordRequiredError(
                "private key is encrypted",
                path=source.name,
                hint=hint("give its password with {}", Option.PASSWORD),
            )
        if keys_alone and WarningCode.UNREADABLE_KEY in codes:
            raise WrongPasswordError("private key could not be read: wrong password, or damaged", path=source.name)
        if reader.keys:
            raise NoCertificateError(KEY_ONLY, path=source.name)
        raise NoCertificateError(f"{fmt} input holds no certificate", path=source.name)
    return ReadResult(source.name, fmt, tuple(reader.certificates), tuple(reader.keys), tuple(reader.warnings))


class _Reader(Pkcs12Reading):
    """Collects what one input holds; one method per container format (the leaves: :class:`Collector`)."""

    # -- containers -------------------------------------------------------------------

    def der(self, data: bytes, where: str = "") -> str:
        """A DER/BER blob: certificate, PKCS#7, PKCS#12, or something we can name."""
        try:
            outer = _der.read_tlv(data)
            first = _der.children(data, outer, limit=1)
        except _der.DerError as exc:
            raise CorruptInputError(f"{where}damaged ASN.1 ({exc})", path=self.name) from None
        head = first[0] if first else None
        if outer.end is not None and outer.end != len(data) and data[outer.end :].strip(b"\0\r\n\t "):
            if head is not None and head.tag == _der.SEQUENCE and outer.tag == _der.SEQUENCE:
                self.concatenated(data, where)  # certificates back to back, as some store exports write
                return "DER"
            # Trailing bytes: a truncated file; cryptography would refuse it too.
            raise CorruptInputError(f"{where}has data after the end of its ASN.1 structure", path=self.name)
        if head is not None and head.tag == _der.INTEGER and head.end is not None and head.value(data) == b"\x03":
            self.pkcs12(data)
            return "PKCS#12"
        if head is not None and head.tag == _der.OID and head.end is not None:
            try:
                oid = _der.decode_oid(head.value(data))
            except _der.DerError as exc:
                raise CorruptInputError(f"{where}damaged ASN.1 ({exc})", path=self.name) from None
            if oid != _OID_PKCS7_SIGNED_DATA:
                raise UnsupportedFormatError(
                    f"{where}is a PKCS#7/CMS structure of type {oid}, which carries no certificates "
                    "(only signed-data .p7b/.p7c files do)",
                    path=self.name,
                )
            self.pkcs7(data, where)
            return "PKCS#7"
        if head is not None and head.tag == _der.SEQUENCE:
            self.certificate(data, where)
            return "DER"
        if head is not None and head.tag == _der.INTEGER:
            self.private_key_der(data, where)
            return "DER"
        raise UnsupportedFormatError(f"{where}is ASN.1 but not a certificate, PKCS#7 or PKCS#12", path=self.name)

    def concatenated(self, data: bytes, where: str) -> None:
        """DER certificates back to back in one file: every one is read (bounded by the certificate count)."""
        pieces: list[bytes] = []
        pos = 0
        while pos < len(data) and data[pos:].strip(b"\0\r\n\t "):
            try:
                tlv = _der.read_tlv(data, pos)
            except _der.DerError:
                tlv = None
            if tlv is None or tlv.tag != _der.SEQUENCE or tlv.end is None:
                raise CorruptInputError(
                    f"{where}holds {len(pieces)} DER certificate(s) back to back, then {len(data) - pos:,} bytes "
                    "that are not another one (truncated?)",
                    path=self.name,
                )
            pieces.append(data[pos : tlv.end])
            self._check_count(len(self.certificates) + len(pieces))
            pos = tlv.end
        for index, piece in enumerate(pieces, 1):
            self.certificate(piece, f"{where}certificate {index} of {len(pieces)}: ")

    def pem(self, data: bytes) -> str:
        """PEM text: any number of blocks, text between them ignored."""
        text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if text.count(b"-----BEGIN ") > MAX_PEM_BLOCKS:  # counted in C before any block is parsed
            raise UnsafeInputError(f"has more than {MAX_PEM_BLOCKS:,} PEM blocks", path=self.name)
        certificates = sum(text.count(b"-----BEGIN %s-----" % label.encode()) for label in _CERT_LABELS)
        self._check_count(certificates)
        count = ignored = 0
        progress = reporter(ProgressStage.READING, certificates)
        # Every block starts with "-----BEGIN ", counted above: no more than MAX_PEM_BLOCKS come.
        for label, body, index in self._pem_blocks(text):
            count += 1
            where = f"PEM block {index} ({label}): "
            if label in _CERT_LABELS:
                der = pem_payload(body, self.name, where)
                if label == "TRUSTED CERTIFICATE":
                    # OpenSSL's trusted format: the certificate, then its trust settings.
                    der = first_element(der, self.name, where)
                self.certificate(der, where)
                progress.step()
            elif label in _PKCS7_LABELS:
                self.pkcs7(pem_payload(body, self.name, where), where)
            elif label.endswith("PRIVATE KEY"):
                self.private_key_pem(label, body, where)
            elif label in ("PKCS12", "PFX"):
                self.pkcs12(pem_payload(body, self.name, where))
            else:
                ignored += 1
                if ignored <= _MAX_IGNORED_WARNINGS:
                    self.warn(WarningCode.IGNORED_BLOCK, f"{where}ignored: not a certificate")
        progress.done()
        if ignored > _MAX_IGNORED_WARNINGS:
            self.warn(
                WarningCode.IGNORED_BLOCK,
                f"{ignored - _MAX_IGNORED_WARNINGS:,} more PEM blocks ignored: not certificates",
            )
        if count == 0:
            raise UnsupportedFormatError("looks like PEM but has no complete BEGIN/END block", path=self.name)
        return "PEM"

    def _pem_blocks(self, text: bytes) -> Iterator[tuple[str, bytes, int]]:
        pos = 0
        index = 0
        while match := _BEGIN.search(text, pos):
            index += 1
            label = printable(match.group(1).decode("ascii", "replace").strip())  # it is shown in messages
            end_marker = b"-----END " + match.group(1) + b"-----"
            end = text.find(end_marker, match.end())
            if end < 0:
                raise CorruptInputError(
                    f"PEM block {index} ({label}) has no END line: the file is truncated", path=self.name
                )
            yield label, text[match.end() : end], index
            pos = end + len(end_marker)

    def pkcs7(self, data: bytes, where: str = "") -> None:
        # Imported here: cryptography's pkcs7 module loads the email package (~10 ms), which
        # PEM, DER and PKCS#12 inputs never need (docs/performance.md).
        from cryptography.hazmat.primitives.serialization import pkcs7

        try:
            with self._capture(where):
                certs = pkcs7.load_der_pkcs7_certificates(data)
        except UnsupportedAlgorithm:
            raise UnsupportedFormatError(
                f"{where}is a PKCS#7 structure that carries no certificates (only signed-data .p7b/.p7c files do)",
                path=self.name,
            ) from None
        except (ValueError, x509.InvalidVersion) as exc:
            if "no certificates" in str(exc).lower() or "not contain" in str(exc).lower():
                certs = []
            else:
                # One certificate cryptography refuses makes it refuse the whole PKCS#7: read them one by one.
                self.pkcs7_one_by_one(data, where, exc)
                return
        self._check_count(len(self.certificates) + len(certs))
        for cert in certs:
            self.add(cert, cert.public_bytes(serialization.Encoding.DER), where)

    def pkcs7_one_by_one(self, data: bytes, where: str, exc: Exception) -> None:
        """Each certificate of a signed-data PKCS#7 through :meth:`certificate` (tolerant path, plain messages)."""
        try:
            pieces = _pkcs7_certificates(data)
        except (_der.DerError, IndexError):
            raise CorruptInputError(
                f"{where}damaged PKCS#7: its structure {_tolerant.describe(exc).removeprefix('is ')}", path=self.name
            ) from None
        self._check_count(len(self.certificates) + len(pieces))
        for index, piece in enumerate(pieces, 1):
            self.certificate(piece, f"{where}PKCS#7 certificate {index} of {len(pieces)}: ")


def _pkcs7_certificates(data: bytes) -> list[bytes]:
    """The certificates of a signed-data ContentInfo, as encoded (RFC 5652 §5.1), read without cryptography."""
    w = _der.Walker(data)
    info = w.children(w.tlv(0))
    if len(info) < 2 or info[1].tag != 0xA0:
        raise _der.DerError("no content")
    signed = w.children(w.children(info[1], 1)[0], 2)
    found = [f for f in signed[3:] if f.tag == 0xA0]  # [0] IMPLICIT CertificateSet
    if not found:
        raise _der.DerError("no certificates")
    out = []
    for cert in w.children(found[0], 3):
        if cert.tag == _der.SEQUENCE:  # other choices (attribute certificates…) carry no X.509 certificate
            end = w.end(cert, 4)
            out.append(data[cert.start : end])
    return out


publish(globals())
