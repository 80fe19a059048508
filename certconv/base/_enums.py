"""The closed sets of certconv's vocabulary: codes, verdicts, targets, forms, origins, purposes.

Each is an :class:`enum.StrEnum`, so a member *is* its string: ``"expired" ==
WarningCode.EXPIRED``, ``json.dumps`` writes its value, and f-strings show it;
manifest.json and every JSON document read the same as with bare strings. The
CLI takes its choices from these classes, so nothing keeps a second list.

Library functions accept members or their plain values; :func:`coerce` turns a
value into a member, or raises :class:`~certconv.UsageError` listing the valid ones.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from ._errors import UsageError
from ._face import publish

__all__ = [
    "AzureTarget",
    "FailureCode",
    "FetchVerdict",
    "Form",
    "Format",
    "KeyProfile",
    "Leniency",
    "Origin",
    "PfxProfile",
    "ProbeOutcome",
    "Purpose",
    "Quirk",
    "SnippetLanguage",
    "TlsFindingCode",
    "TrustStore",
    "Validity",
    "VerifyPolicy",
    "WarningCode",
    "coerce",
    "values",
]


class WarningCode(enum.StrEnum):
    """The ``code`` of a :class:`~certconv.BundleWarning`: something noticed that did not stop certconv."""

    # reading (certconv.readers._read, certconv.readers._jks)
    BER_ENCODING = "ber-encoding"
    NONCONFORMANT = "nonconformant"
    IGNORED_BLOCK = "ignored-block"
    ENCRYPTED_KEY = "encrypted-key"
    UNREADABLE_KEY = "unreadable-key"
    KEYSTORE_INTEGRITY_UNCHECKED = "keystore-integrity-unchecked"
    KEYSTORE_ENTRY_SKIPPED = "keystore-entry-skipped"
    TOLERATED_ENCODING = "tolerated-encoding"
    """A certificate strict parsers refuse, read as OpenSSL and Windows read it (its :class:`Quirk`)."""
    # chaining (certconv.bundle._chain)
    DUPLICATE = "duplicate"
    MISSING_ISSUER = "missing-issuer"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    UNSUPPORTED_SIGNATURE = "unsupported-signature"
    UNCHECKED_SELF_SIGNATURE = "unchecked-self-signature"
    """A self-issued root whose own signature cannot be checked (MD2, an unknown algorithm): a root, unproven."""
    CA_FALSE_ISSUER = "ca-false-issuer"
    UNMATCHED_KEY = "unmatched-key"
    APIM_CA_LIMIT = "apim-ca-limit"
    APIM_NOT_A_CA = "apim-not-a-ca"
    """A certificate planned into store CertificateAuthority that cannot act as a CA (CA:FALSE, or v1)."""
    # completing over AIA (certconv.network._aia, with complete=True)
    AIA_FETCHED = "aia-fetched"
    AIA_FAILED = "aia-failed"
    AIA_NOT_CERTIFICATE = "aia-not-certificate"
    AIA_WRONG_ISSUER = "aia-wrong-issuer"
    AIA_UNSUPPORTED_URL = "aia-unsupported-url"
    AIA_LOOP = "aia-loop"
    AIA_DEPTH = "aia-depth"
    AIA_LIMIT = "aia-limit"
    AIA_TIME_LIMIT = "aia-time-limit"


class Quirk(enum.StrEnum):
    """An encoding that OpenSSL and Windows read but strict DER parsers (browsers, cryptography, Go) refuse.

    A certificate with one is read through a normalised copy; its own bytes are kept
    and written unchanged (:attr:`~certconv.Certificate.quirks`).
    """

    ECDSA_PARAMETERS = "ecdsa-parameters"
    RSA_PARAMETERS = "rsa-parameters"
    DEFAULT_WRITTEN = "default-written"
    EXPLICIT_V1 = "explicit-v1"
    X509_V2 = "x509-v2"
    BER_BOOLEAN = "ber-boolean"
    UNSORTED_SET = "unsorted-set"
    PRINTABLE_STRING = "printable-string"
    YEAR_ZERO = "year-zero"

    @property
    def text(self) -> str:
        """What is wrong, in plain words."""
        return _QUIRK_TEXT[self]


_QUIRK_TEXT = {
    Quirk.ECDSA_PARAMETERS: "its ECDSA signature algorithm carries NULL parameters, which RFC 5758 forbids "
    "(older Java keytool writes them)",
    Quirk.RSA_PARAMETERS: "an RSA algorithm identifier carries parameters other than the NULL RSA requires",
    Quirk.DEFAULT_WRITTEN: "it writes out a default value that DER leaves out (critical FALSE or cA FALSE)",
    Quirk.EXPLICIT_V1: "it writes out its version v1, which DER leaves out",
    Quirk.X509_V2: "it is an X.509 v2 certificate (with unique identifiers)",
    Quirk.BER_BOOLEAN: "a TRUE value is encoded as BER allows but DER does not",
    Quirk.UNSORTED_SET: "a multi-valued part of its name is not in DER order",
    Quirk.PRINTABLE_STRING: "its name holds characters a PrintableString may not (such as _ @ * &)",
    Quirk.YEAR_ZERO: "its validity starts in year 0",
}


class FailureCode(enum.StrEnum):
    """The ``code`` of a :class:`~certconv.VerifyFailure`: one reason a chain is not trusted."""

    MISSING_ISSUER = "missing-issuer"
    UNTRUSTED_ROOT = "untrusted-root"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    NOT_A_CA = "not-a-ca"
    KEY_USAGE = "key-usage"
    EXTENDED_KEY_USAGE = "extended-key-usage"
    PATH_LENGTH = "path-length"
    HOSTNAME_MISMATCH = "hostname-mismatch"
    NAME_CONSTRAINTS = "name-constraints"
    """A name of a certificate lies outside what a CA above it may certify."""
    UNREADABLE = "unreadable"
    """An extension or name cannot be parsed: the certificate fails (fail closed)."""
    CRITICAL_EXTENSION = "critical-extension"
    """A critical extension certconv does not know (RFC 5280 §4.2: reject)."""
    SIGNATURE_ALGORITHM = "signature-algorithm"
    """A signature algorithm the policy does not accept (SHA-1 under strict or a public root, MD5…)."""
    WEAK_KEY = "weak-key"
    """A key type or size TLS clients refuse (RSA under 2048 bits, P-192, DSA, explicit curves)."""
    PROFILE = "profile"
    """Another rule of RFC 5280's or the CA/Browser Forum's certificate profile."""
    SEARCH_LIMIT = "search-limit"
    """The path search stopped at its work bound before it found a valid path."""


class VerifyPolicy(enum.StrEnum):
    """Which rules :func:`~certconv.verify` applies (``policy=``, ``--policy``)."""

    APIM = "apim"
    """What API Management (a Windows/.NET client) accepts for a backend behind a private CA:
    ``strict`` plus the named :class:`Leniency` values."""
    STRICT = "strict"
    """RFC 5280 path validation plus the CA/Browser Forum rules a public web server must meet."""


class TrustStore(enum.StrEnum):
    """A trust store :func:`~certconv.verify` can read instead of files (``trust_store=``, ``--ca``)."""

    PUBLIC = "public"
    """Mozilla's roots from certifi, standing in for the Windows store APIM trusts."""
    SYSTEM = "system"
    """This machine's store (Windows' ROOT store; OpenSSL's or the distribution's bundle elsewhere)."""


class Leniency(enum.StrEnum):
    """Where policy ``apim`` accepts what ``strict`` rejects (docs/verify.md gives each reason)."""

    CN_AS_HOST = "cn-as-host"
    """The subject CN is the host name when the SAN has no DNS name, as Windows does (DNS name
    constraints apply to that CN)."""
    SHA1_PRIVATE = "sha1-private"
    """SHA-1 signatures in a chain that ends at a private (uploaded or input) root."""
    KEY_IDENTIFIERS = "key-identifiers"
    """Missing subject/authority key identifiers, or an AKI in the old form with issuer and serial."""
    ISSUANCE_RULES = "issuance-rules"
    """Rules on what a CA may issue that Windows does not check when it validates: serial numbers,
    a CN spelled differently from its SAN entry, criticality of EKU/SAN/AKI/SKI/AIA/basicConstraints/
    policy constraints, anyExtendedKeyUsage in a leaf, a CA without keyUsage, EKU on a root, a SAN
    entry that is not a DNS name (it matches no host), GeneralizedTime before 2050."""
    CA_AS_PEER = "ca-as-peer"
    """A CA certificate (CA:TRUE) as the server's own certificate, as RFC 5280 allows and Windows accepts
    (``openssl req -x509`` makes self-signed backend certificates that way)."""
    LEGACY_ROOT = "legacy-root"
    """A trusted root that is X.509 v1, lacks basicConstraints or marks them not critical (OpenSSL and
    Windows trust it by being in the store)."""
    V1_END_ENTITY = "v1-end-entity"
    """The certificate under test is X.509 v1 (or v2): RFC 5280 path validation has no version rule,
    OpenSSL accepts it and Windows has no chain status for a certificate's version."""
    LENIENT_DER = "lenient-der"
    """A certificate that is not strict DER (a :class:`Quirk`) but that Windows decodes: every quirk
    but year 0, which Windows' FILETIME (from 1601) cannot hold."""
    NC_LEADING_PERIOD = "nc-leading-period"
    """A DNS name constraint written ``.corp.example`` means names below ``corp.example``, as OpenSSL
    and Windows read it."""


class FetchVerdict(enum.StrEnum):
    """What the chain a TLS server sends means (:attr:`~certconv.FetchResult.verdict`)."""

    LEAF_AND_INTERMEDIATES = "leaf-and-intermediates"
    FULL_CHAIN = "full-chain"
    LEAF_ONLY = "leaf-only"
    SELF_SIGNED = "self-signed"
    WRONG_ORDER = "wrong-order"
    EXTRA_CERTIFICATES = "extra-certificates"
    MISSING_INTERMEDIATE = "missing-intermediate"


class Origin(enum.StrEnum):
    """Where a certificate came from, for :func:`~certconv.verify`.

    ``INPUT``: what the backend sends; ``CA``: uploaded to APIM (``ca=``); ``STORE``: a trust store;
    ``AIA``: downloaded from an AIA URL (``complete=True``), never a trust anchor.
    """

    INPUT = "input"
    CA = "ca"
    STORE = "store"
    """A trust store (``trust_store=``, ``--ca public``/``system``): every certificate an anchor."""
    AIA = "aia"


class ProbeOutcome(enum.StrEnum):
    """What became of one TLS probe of :func:`~certconv.diagnose_backend` (a :class:`~certconv.VersionProbe`)."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    NO_ANSWER = "no-answer"
    NOT_PROBED = "not-probed"


class TlsFindingCode(enum.StrEnum):
    """The ``code`` of a :class:`~certconv.TlsFinding`: the backend's TLS against APIM's backend side."""

    TLS_OK = "tls-ok"
    TLS13_ONLY = "tls13-only"
    OLD_TLS_ONLY = "old-tls-only"
    OLD_TLS_ACCEPTED = "old-tls-accepted"
    NO_APIM_CIPHER = "no-apim-cipher"
    NOT_PROBED = "not-probed"


class Purpose(enum.StrEnum):
    """What :func:`~certconv.verify` checks the end-entity certificate for."""

    SERVER = "server"
    """TLS server authentication (APIM → backend)."""
    CLIENT = "client"
    """TLS client authentication."""


class AzureTarget(enum.StrEnum):
    """Where the files of :func:`~certconv.split` go in Azure (``target=``)."""

    APIM = "apim"
    APIM_V2 = "apim-v2"
    APIM_SELFHOSTED = "apim-selfhosted"
    APPGW_V2 = "appgw-v2"
    APPGW_V1 = "appgw-v1"
    ALL = "all"
    """Every one of the others."""


class Format(enum.StrEnum):
    """How a certificate file is encoded: ``DER`` (binary) or ``PEM`` (Base-64 text)."""

    DER = "der"
    PEM = "pem"


class Form(enum.StrEnum):
    """The form of a written certificate file: what :func:`~certconv.convert` writes (``to=``).

    A split's manifest entries use ``DER`` and ``PEM`` (``.cer``) and ``PFX``
    (certificate-only PKCS#12).
    """

    DER = "der"
    PEM = "pem"
    P7B = "p7b"
    PFX = "pfx"
    FULLCHAIN = "fullchain"
    CHAIN = "chain"
    TRUSTSTORE = "truststore"
    """Certificate-only PKCS#12 whose bags Java reads as ``trustedCertEntry``."""
    KEYVAULT = "keyvault"
    """PEM for ``az keyvault certificate import``: PKCS#8 key, leaf, intermediates."""


class PfxProfile(enum.StrEnum):
    """Whom a ``convert(to="pfx")`` file is made for (``profile=``)."""

    APPSERVICE = "appservice"
    """Azure App Service: 3DES and a SHA-1 MAC, the whole chain with its root, RSA of 2048 bits or more."""


class KeyProfile(enum.StrEnum):
    """The keys :func:`~certconv.create_chain` makes (``key=``): one type for the root, intermediate and leaf.

    Each signs with SHA-256; all three are what APIM (Windows), browsers, OpenSSL and Java
    accept, and what the CA/Browser Forum's Baseline Requirements (§6.1.5) allow.
    """

    EC_P256 = "ec-p256"
    """ECDSA on NIST P-256 (default): small, fast to make and to use."""
    RSA_2048 = "rsa-2048"
    """RSA, 2048 bits: for software that takes RSA only."""
    RSA_3072 = "rsa-3072"
    """RSA, 3072 bits: for policies that ask for more than 2048 (slower to make)."""


class SnippetLanguage(enum.StrEnum):
    """The infrastructure-as-code languages :func:`~certconv.split` writes snippets in (``emit=``)."""

    BICEP = "bicep"
    ARM = "arm"
    TERRAFORM = "terraform"
    POWERSHELL = "powershell"
    AZCLI = "azcli"
    REST = "rest"


class Validity(enum.StrEnum):
    """Where a moment lies in a certificate's validity period."""

    NOT_YET_VALID = "not-yet-valid"
    VALID = "valid"
    EXPIRED = "expired"


E = TypeVar("E", bound=enum.StrEnum)


def values(kind: type[enum.StrEnum]) -> tuple[str, ...]:
    """The plain values of ``kind``, in definition order (the public tuples such as ``TARGETS``)."""
    return tuple(member.value for member in kind)


def coerce(kind: type[E], value: str, what: str) -> E:
    """``value`` as a member of ``kind``.

    Raises:
        UsageError: ``value`` is none of ``kind``'s values; the message lists them.
    """
    try:
        return kind(value)
    except ValueError:
        raise UsageError(f"{what} must be one of {', '.join(values(kind))}, not {value!r}") from None


publish(globals())
