"""Frozen value objects: what certconv knows about a set of certificates.

Nothing here parses or writes; :mod:`certconv.readers._read` makes the raw material,
:mod:`certconv.bundle._chain` turns it into a :class:`Bundle`; what a split writes
(:class:`~certconv.Manifest` and its entries) is in :mod:`certconv.output._manifest`, and
what a TLS server sent (:class:`~certconv.FetchResult`) in :mod:`certconv.network._served`.
"""

from __future__ import annotations

import base64
import enum
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ..base._enums import Quirk, WarningCode
from ..base._face import publish
from ._names import display_name

__all__ = ["Bundle", "BundleWarning", "Certificate", "Chain", "Role"]

AIA_SOURCE_PREFIX = "aia:"
"""A downloaded certificate's ``source`` is this prefix and the URL it came from (``complete=True``)."""


# Azure API Management's CA-certificate stores (portal: CA certificates → store).
_APIM_STORES: dict[str, str | None] = {"root": "Root", "intermediate": "CertificateAuthority", "leaf": None}


class Role(enum.Enum):
    """What a certificate is within the bundle.

    * ``ROOT``: self-signed (its own key verifies its signature).
    * ``INTERMEDIATE``: not self-signed, and CA:TRUE or it issued another
      certificate in the input.
    * ``LEAF``: everything else.
    """

    ROOT = "root"
    INTERMEDIATE = "intermediate"
    LEAF = "leaf"

    @property
    def apim_store(self) -> str | None:
        """The APIM CA-certificate store for this role (``None``: not uploaded there).

        The one copy of this Azure fact, kept on the value that every stage has;
        :data:`certconv.azure._facts.APIM_STORES` is derived from it.
        """
        return _APIM_STORES[self.value]


@dataclass(frozen=True, slots=True)
class BundleWarning:
    """Something worth knowing about the input that did not stop certconv.

    Attributes:
        code: Stable identifier (a :class:`WarningCode`, equal to its text), e.g.
            ``missing-issuer``, ``duplicate``, ``expired``, ``apim-ca-limit``, ``ber-encoding``.
        message: One human sentence (at most :data:`MAX_WARNING_CHARS` characters, cut with ``…``).
        sha1: Thumbprint of the certificate concerned, if one is.
        count: How many times it was noticed: the same warning, or (for the last of one code)
            the further warnings of that code left out (see :func:`collapse_warnings`).
    """

    code: WarningCode
    message: str
    sha1: str | None = None
    count: int = 1

    @property
    def text(self) -> str:
        """The message as one line shows it: with the count when it is more than one."""
        return f"{self.message} ({self.count:,} times)" if self.count > 1 and not self.folded else self.message

    @property
    def folded(self) -> bool:
        """This warning stands for the further warnings of its code (its count is theirs)."""
        return self.sha1 is None and self.message == _folded_message(self.code, self.count)

    def to_dict(self) -> dict[str, Any]:
        """The warning as it appears in ``manifest.json``."""
        return {"code": self.code, "message": self.message, "sha1": self.sha1, "count": self.count}


MAX_WARNING_CHARS = 500
"""Longest warning message; longer ones (a server's 35 KB of AIA URLs) are cut with an ellipsis."""

MAX_WARNINGS_PER_CODE = 200
"""Distinct warnings of one code kept; the rest become one warning that counts them."""


def _folded_message(code: WarningCode, count: int) -> str:
    return f"{count:,} more `{code}` warning{'s' if count != 1 else ''} like those above (not listed one by one)"


def collapse_warnings(warnings: Sequence[BundleWarning]) -> tuple[BundleWarning, ...]:
    """``warnings`` with repeats merged into one with a count, long messages cut, and each code capped.

    A keystore holding one certificate 100,000 times gave 100,000 lines and a 16 MB manifest.
    The same (code, message, certificate) is one warning with a count; past
    :data:`MAX_WARNINGS_PER_CODE` distinct ones of a code, the rest are one warning that counts them.
    Applying it twice changes nothing.
    """
    merged: dict[tuple[WarningCode, str, str | None], int] = {}
    for w in warnings:
        message = w.message if len(w.message) <= MAX_WARNING_CHARS else w.message[: MAX_WARNING_CHARS - 1] + "…"
        key = (w.code, message, w.sha1)
        merged[key] = merged.get(key, 0) + w.count
    kept: list[BundleWarning] = []
    per_code: dict[WarningCode, int] = {}
    folded: dict[WarningCode, int] = {}
    for (code, message, sha1), count in merged.items():
        warning = BundleWarning(code, message, sha1, count)
        if warning.folded or per_code.get(code, 0) >= MAX_WARNINGS_PER_CODE:
            folded[code] = folded.get(code, 0) + count
            continue
        per_code[code] = per_code.get(code, 0) + 1
        kept.append(warning)
    kept += [BundleWarning(code, _folded_message(code, count), None, count) for code, count in folded.items()]
    return tuple(kept)


@dataclass(frozen=True, slots=True, eq=False)
class Certificate:
    """One unique certificate of a bundle, with its role decided.

    Two ``Certificate`` objects are equal when their DER encodings are.

    Attributes:
        x509: The parsed certificate (``cryptography.x509.Certificate``).
        der: Its DER encoding.
        role: Root, intermediate or leaf.
        sha1: SHA-1 thumbprint, 40 uppercase hex digits (what Azure shows).
        sha256: SHA-256 thumbprint, 64 uppercase hex digits.
        subject: Subject as an RFC 4514 string.
        issuer: Issuer name as an RFC 4514 string.
        self_signed: Issuer name equals subject and its own key verifies it.
        ca: basicConstraints CA:TRUE (or an X.509 v1 self-signed certificate,
            which OpenSSL also accepts as a CA).
        issuer_sha1: Thumbprint of the certificate in the input that issued
            this one; ``None`` for self-signed ones and when the issuer is missing.
        has_private_key: The input held the private key of this certificate.
        friendly_name: PKCS#12 friendly name, if the input had one.
        source: The input this certificate was first read from; ``aia:<url>``
            when it was downloaded (see :attr:`downloaded`).
        quirks: Why strict parsers refuse it (:class:`~certconv.Quirk`); empty for strict DER.
            ``x509`` is then parsed from a normalised copy, ``der`` stays the original bytes.
    """

    x509: x509.Certificate = field(repr=False)
    der: bytes = field(repr=False)
    role: Role
    sha1: str
    sha256: str = field(repr=False)
    subject: str
    issuer: str = field(repr=False)
    self_signed: bool = field(repr=False)
    ca: bool = field(repr=False)
    issuer_sha1: str | None = field(repr=False)
    has_private_key: bool = field(repr=False)
    friendly_name: str | None = field(repr=False)
    source: str = field(repr=False)
    quirks: tuple[Quirk, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        return f"<Certificate {self.role.value} {self.subject!r} sha1={self.sha1[:8]}…>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.sha256)

    @property
    def pem(self) -> bytes:
        """:attr:`der` as a PEM ``CERTIFICATE`` block (64 characters a line, as OpenSSL writes).

        Always the original bytes, also for a certificate with :attr:`quirks`, whose ``x509`` is a copy.
        """
        body = base64.encodebytes(self.der).replace(b"\n", b"")
        lines = b"".join(body[i : i + 64] + b"\n" for i in range(0, len(body), 64))
        return b"-----BEGIN CERTIFICATE-----\n" + lines + b"-----END CERTIFICATE-----\n"

    def refuse_rewrite(self, form: str) -> None:
        """Raise when writing ``form`` would re-encode this certificate (only DER and PEM keep its bytes).

        Raises:
            ConversionError: it has :attr:`quirks`; a PKCS#7 or PKCS#12 writer would write the copy.
        """
        if self.quirks:
            from ..base._errors import ConversionError

            raise ConversionError(
                f"'{self.common_name}' is not strict DER ({self.quirks[0].text}); a {form} file would re-encode "
                "it, so convert it to der, pem, fullchain or chain, which keep its bytes"
            )

    @property
    def apim_store(self) -> str | None:
        """``Root``, ``CertificateAuthority``, or ``None`` for a leaf (see :attr:`Role.apim_store`)."""
        return self.role.apim_store

    @property
    def downloaded(self) -> bool:
        """Downloaded from an AIA URL (``complete=True``) rather than read from an input: nobody vouched for it."""
        return self.source.startswith(AIA_SOURCE_PREFIX)

    @property
    def common_name(self) -> str:
        """The subject's CN, or the best other name for people (O, OU, the whole subject)."""
        return display_name(self.x509.subject)

    @property
    def serial(self) -> str:
        """Serial number as lowercase hex (two's complement sign kept as ``-``)."""
        with warnings.catch_warnings():
            # cryptography warns on every read of a negative serial; the reader recorded it once.
            warnings.simplefilter("ignore")
            n = self.x509.serial_number
        return ("-" if n < 0 else "") + format(abs(n), "x")

    @property
    def not_before(self) -> datetime:
        """Start of validity (timezone-aware, UTC)."""
        return self.x509.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        """End of validity (timezone-aware, UTC)."""
        return self.x509.not_valid_after_utc


@dataclass(frozen=True, slots=True)
class Chain:
    """A path from an end-entity certificate up towards its root, leaf first."""

    certificates: tuple[Certificate, ...]

    def __iter__(self) -> Iterator[Certificate]:
        return iter(self.certificates)

    def __len__(self) -> int:
        return len(self.certificates)

    @property
    def leaf(self) -> Certificate:
        """The end-entity certificate the chain starts from."""
        return self.certificates[0]

    @property
    def top(self) -> Certificate:
        """The last certificate found: the root when the chain is complete."""
        return self.certificates[-1]

    @property
    def complete(self) -> bool:
        """True when the chain ends at a self-signed certificate."""
        return self.top.self_signed

    @property
    def sha1s(self) -> tuple[str, ...]:
        """Thumbprints leaf first, as in the manifest's ``chains``."""
        return tuple(c.sha1 for c in self.certificates)


@dataclass(frozen=True, slots=True)
class Bundle:
    """Every certificate of the inputs, classified, deduplicated and chained.

    Attributes:
        certificates: Unique certificates, roots first, then intermediates,
            then leaves; each group in a stable order (name, then thumbprint).
        chains: One chain per end-entity certificate, leaf first.
        warnings: What was noticed on the way (see :class:`BundleWarning`).
        inputs: Names of the inputs, in the order given.
        formats: Format of each input (``PKCS#12``, ``PEM``, ``PKCS#7``, ``DER``).
        private_keys: Private keys found in the inputs (never shown in a repr).
    """

    certificates: tuple[Certificate, ...]
    chains: tuple[Chain, ...]
    warnings: tuple[BundleWarning, ...]
    inputs: tuple[str, ...]
    formats: tuple[str, ...]
    private_keys: tuple[PrivateKeyTypes, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # Every bundle, however made (chaining, AIA completion, a script's replace()), says each thing once.
        object.__setattr__(self, "warnings", collapse_warnings(self.warnings))

    @property
    def roots(self) -> tuple[Certificate, ...]:
        """Self-signed certificates (APIM store ``Root``)."""
        return self._with_role(Role.ROOT)

    @property
    def intermediates(self) -> tuple[Certificate, ...]:
        """Intermediate CAs (APIM store ``CertificateAuthority``)."""
        return self._with_role(Role.INTERMEDIATE)

    @property
    def leaves(self) -> tuple[Certificate, ...]:
        """End-entity certificates that are not self-signed."""
        return self._with_role(Role.LEAF)

    def _with_role(self, role: Role) -> tuple[Certificate, ...]:
        return tuple(c for c in self.certificates if c.role is role)

    def by_sha1(self, sha1: str) -> Certificate:
        """The certificate with this SHA-1 thumbprint (any case, colons allowed).

        Raises:
            KeyError: No certificate of the bundle has that thumbprint.
        """
        wanted = sha1.replace(":", "").upper()
        for cert in self.certificates:
            if cert.sha1 == wanted:
                return cert
        raise KeyError(sha1)


publish(globals())
