"""The vocabulary of verification: failure codes, the two policies and their leniencies, certificate facts.

``strict`` is RFC 5280 path validation plus the CA/Browser Forum rules a public
web server's chain must meet. ``apim`` is what API Management (a Windows/.NET
client) accepts for a backend behind a private CA: ``strict`` with the named
:class:`Leniency` values below and nothing else. A rule that a leniency excuses
is still evaluated; under ``apim`` it is recorded as *used* on the verdict
instead of failing it, so the output can say where ``verify`` says yes but a
browser or curl would say no.

:class:`Facts` reads a certificate's extensions once and fails closed: an
extension cryptography cannot parse makes the certificate *unreadable* (a
failure of that certificate, with cryptography's words), never "absent".
"""

from __future__ import annotations

import ipaddress
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

from ..base._console import printable
from ..base._enums import FailureCode, Leniency, Quirk, VerifyPolicy
from ..pki._names import display_name, name_key
from ..readers._tolerant import describe

__all__ = [
    "APIM",
    "BROWSERS_DISAGREE",
    "POLICIES",
    "REISSUE",
    "STRICT",
    "Facts",
    "Policy",
    "Problem",
    "Settings",
    "Tally",
]


BROWSERS_DISAGREE: dict[Leniency, str] = {
    Leniency.CN_AS_HOST: "browsers (Chrome, Edge, Firefox, Safari) reject a server certificate without a DNS name "
    "in its SAN",
    Leniency.SHA1_PRIVATE: "browsers and curl (OpenSSL 3) reject SHA-1 signatures",
    Leniency.LENIENT_DER: "browsers (Chrome, Firefox), Go and cryptography refuse certificates that are not strict DER",
    Leniency.V1_END_ENTITY: "Firefox rejects an X.509 v1 end-entity certificate",
}
"""Leniencies that make ``verify`` say yes where browsers or curl say no, and the line that says so."""


@dataclass(frozen=True, slots=True)
class Policy:
    """A named set of rules: ``strict``, or ``strict`` with ``leniencies``."""

    name: VerifyPolicy
    leniencies: frozenset[Leniency]

    def allows(self, leniency: Leniency | None) -> bool:
        return leniency is not None and leniency in self.leniencies


STRICT = Policy(VerifyPolicy.STRICT, frozenset())
APIM = Policy(VerifyPolicy.APIM, frozenset(Leniency))
POLICIES = {p.name: p for p in (APIM, STRICT)}
"""The policies by name; ``apim`` is the default."""


class Tally:
    """A counter of work the rules did, read by the path search."""

    __slots__ = ("comparisons",)

    def __init__(self) -> None:
        self.comparisons = 0


@dataclass(frozen=True, slots=True)
class Settings:
    """What one verification checks against (checked once by the caller)."""

    policy: Policy
    at: datetime
    purpose: str
    host: str | ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    host_given: bool = False
    max_depth: int | None = None
    public: frozenset[str] = frozenset()
    """SHA-256 thumbprints of anchors from a public store (no SHA-1 leniency under them)."""
    tally: Tally = field(default_factory=Tally, compare=False, repr=False)
    """Name-constraint comparisons made under these settings (the path search counts them in its budget)."""


REISSUE = "reissue it"


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: which certificate of the path (0 = the one under test), what, what to do.

    ``leniency`` names the leniency that excuses it (``None``: nothing does).
    """

    code: FailureCode
    index: int
    detail: str
    fix: str
    leniency: Leniency | None = None


_KNOWN = frozenset(
    oid.dotted_string
    for oid in (
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.KEY_USAGE,
        ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.NAME_CONSTRAINTS,
        ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
        ExtensionOID.CRL_DISTRIBUTION_POINTS,
        ExtensionOID.FRESHEST_CRL,
        # Policies are understood with the initial policy set anyPolicy (RFC 5280 §6.1.1 c): a critical
        # certificatePolicies is processed, and with anyPolicy every policy is acceptable.
        ExtensionOID.CERTIFICATE_POLICIES,
        ExtensionOID.POLICY_CONSTRAINTS,
        ExtensionOID.POLICY_MAPPINGS,
        ExtensionOID.INHIBIT_ANY_POLICY,
    )
)
"""Extensions that may be critical: every other critical one fails the certificate (RFC 5280 §4.2)."""

ExtT = TypeVar("ExtT", bound=x509.ExtensionType)


@dataclass(slots=True, eq=False)
class Facts:
    """What the rules need of one certificate, read once; extensions fail closed."""

    cert: x509.Certificate
    der: bytes
    sha256: str
    self_signed: bool
    unreadable: str | None = None
    extensions: dict[str, x509.Extension[x509.ExtensionType]] = field(default_factory=dict)
    name: str = ""
    self_issued: bool = False
    memo: dict[object, tuple[Problem, ...]] = field(default_factory=dict)
    """Checks that depend on the certificate alone, kept across the searches of one graph."""
    quirks: tuple[Quirk, ...] = ()
    """Why strict parsers refuse it (read through certconv's tolerant path)."""

    @classmethod
    def of(
        cls, cert: x509.Certificate, der: bytes, *, sha256: str, self_signed: bool, quirks: tuple[Quirk, ...] = ()
    ) -> Facts:
        facts = cls(cert, der, sha256, self_signed, name=display_name(cert.subject), quirks=quirks)
        facts.self_issued = name_key(cert.subject) == name_key(cert.issuer)
        try:
            with warnings.catch_warnings():
                # cryptography warns on some values (a negative serial in the AKI); the reader reported them.
                warnings.simplefilter("ignore")
                extensions = cert.extensions
        except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
            # One malformed extension makes cryptography refuse them all: the certificate is unreadable.
            text = str(exc)
            facts.unreadable = describe(exc) if "ParseError" in text else printable(text)[:200]
            return facts
        facts.extensions = {ext.oid.dotted_string: ext for ext in extensions}
        return facts

    def get(self, kind: type[ExtT]) -> x509.Extension[ExtT] | None:
        found = self.extensions.get(kind.oid.dotted_string)
        return found  # type: ignore[return-value]

    def value(self, kind: type[ExtT]) -> ExtT | None:
        found = self.get(kind)
        return None if found is None else found.value

    @property
    def is_ca(self) -> bool:
        bc = self.value(x509.BasicConstraints)
        return bc is not None and bc.ca

    @property
    def unknown_critical(self) -> list[str]:
        return [oid for oid, ext in self.extensions.items() if ext.critical and oid not in _KNOWN]

    @property
    def common_names(self) -> list[str]:
        return [
            a.value for a in self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME) if isinstance(a.value, str)
        ]

    def san_values(self, kind: type[x509.GeneralName]) -> list[object]:
        san = self.value(x509.SubjectAlternativeName)
        return list(san.get_values_for_type(kind)) if san is not None else []  # type: ignore[arg-type]
