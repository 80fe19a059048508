"""certconv: take certificate bundles apart, classify them, and write what Azure needs.

Typical use::

    import certconv

    bundle = certconv.load("bundle.pfx", password="changeit")
    for cert in bundle.certificates:
        print(cert.role.value, cert.subject, cert.sha1, cert.apim_store)
    plan = certconv.plan_split(bundle, "out/", target="apim")  # decided, nothing written
    manifest = certconv.write_split(plan)

Importing certconv loads ``cryptography`` only: no CLI framework, no network code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._api import DEFAULT_TIMEOUT, InputLike, load, split, write_split
from ._args import check_moment, check_timeout
from ._enums import (
    AzureTarget,
    FailureCode,
    FetchVerdict,
    Form,
    Format,
    Leniency,
    Origin,
    PfxProfile,
    ProbeOutcome,
    Purpose,
    SnippetLanguage,
    TlsFindingCode,
    TrustStore,
    VerifyPolicy,
    WarningCode,
    values,
)
from ._errors import (
    CertconvError,
    ConnectionFailedError,
    ConversionError,
    CorruptInputError,
    Hint,
    InputError,
    InputTooLargeError,
    KeyMismatchError,
    NetworkError,
    NetworkTimeoutError,
    NewPasswordRequiredError,
    NoCertificateError,
    NotTLSError,
    Option,
    OutputBusyError,
    OutputError,
    OutputExistsError,
    PasswordError,
    PasswordRequiredError,
    TargetError,
    UnsafeInputError,
    UnsafeOutputError,
    UnsupportedFormatError,
    UsageError,
    WrongPasswordError,
)
from ._manifest import BackendTls, Destination, Manifest, ManifestEntry, manifest_json
from ._model import Bundle, BundleWarning, Certificate, Chain, FetchResult, Role
from ._names import file_names
from ._password import read_password_file
from ._read import DEFAULT_MAX_INPUT_SIZE, Source
from ._version import __version__
from ._x509 import ca_issuers_urls, signed_by
from .azure._facts import SNIPPET_LANGUAGES, TARGETS
from .azure._plan import SplitOptions, SplitPlan, plan_split

if TYPE_CHECKING:
    from ._apim_tls import APIM_BACKEND_TLS
    from ._convert import CONVERT_TARGETS, Conversion, convert, convert_bundle, write_convert
    from ._doctor import BackendReport, diagnose_backend
    from ._each import EachResult, each_json, split_each
    from ._expiry import Expiry, expiring
    from ._inspect import CertificateDetails, Inspection, inspect
    from ._probe import TlsFinding, TlsReport, VersionProbe
    from ._proxy import Proxy, ProxyConfig
    from ._schemas import JSON_DOCUMENTS, json_schema
    from ._text._convert import conversion_summary as render_conversion
    from ._text._split import split_summary as render_split
    from ._tls import fetch
    from ._verify import PURPOSES, ChainVerdict, PathStep, Verification, VerifyFailure, verify

# Loaded on first use, not by `import certconv`: verify and fetch live beside their
# pyOpenSSL and socket code, and a split needs neither convert nor inspect (docs/performance.md).
_LAZY = {
    **dict.fromkeys(("PURPOSES", "ChainVerdict", "PathStep", "Verification", "VerifyFailure", "verify"), "_verify"),
    "fetch": "_tls",
    "APIM_BACKEND_TLS": "_apim_tls",
    **dict.fromkeys(("BackendReport", "diagnose_backend"), "_doctor"),
    **dict.fromkeys(("Expiry", "expiring"), "_expiry"),
    **dict.fromkeys(("EachResult", "each_json", "split_each"), "_each"),
    **dict.fromkeys(("JSON_DOCUMENTS", "json_schema"), "_schemas"),
    **dict.fromkeys(("TlsFinding", "TlsReport", "VersionProbe"), "_probe"),
    **dict.fromkeys(("Proxy", "ProxyConfig"), "_proxy"),
    **dict.fromkeys(("CONVERT_TARGETS", "Conversion", "convert", "convert_bundle", "write_convert"), "_convert"),
    **dict.fromkeys(("CertificateDetails", "Inspection", "inspect"), "_inspect"),
}
# Public names whose function lives under another name in the output layer (certconv._text).
_RENAMED = {
    "render_split": ("_text._split", "split_summary"),
    "render_conversion": ("_text._convert", "conversion_summary"),
}


def __getattr__(name: str) -> Any:
    module, attribute = _RENAMED.get(name) or (_LAZY.get(name), name)
    if module is None:
        raise AttributeError(f"module 'certconv' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value

__all__ = [
    "APIM_BACKEND_TLS",
    "CONVERT_TARGETS",
    "DEFAULT_MAX_INPUT_SIZE",
    "DEFAULT_TIMEOUT",
    "JSON_DOCUMENTS",
    "PURPOSES",
    "SNIPPET_LANGUAGES",
    "TARGETS",
    "AzureTarget",
    "BackendReport",
    "BackendTls",
    "Bundle",
    "BundleWarning",
    "CertconvError",
    "Certificate",
    "CertificateDetails",
    "Chain",
    "ChainVerdict",
    "ConnectionFailedError",
    "Conversion",
    "ConversionError",
    "CorruptInputError",
    "Destination",
    "EachResult",
    "Expiry",
    "FailureCode",
    "FetchResult",
    "FetchVerdict",
    "Form",
    "Format",
    "Hint",
    "InputError",
    "InputLike",
    "InputTooLargeError",
    "Inspection",
    "KeyMismatchError",
    "Leniency",
    "Manifest",
    "ManifestEntry",
    "NetworkError",
    "NetworkTimeoutError",
    "NewPasswordRequiredError",
    "NoCertificateError",
    "NotTLSError",
    "Option",
    "Origin",
    "OutputBusyError",
    "OutputError",
    "OutputExistsError",
    "PasswordError",
    "PasswordRequiredError",
    "PathStep",
    "PfxProfile",
    "ProbeOutcome",
    "Proxy",
    "ProxyConfig",
    "Purpose",
    "Role",
    "SnippetLanguage",
    "Source",
    "SplitOptions",
    "SplitPlan",
    "TargetError",
    "TlsFinding",
    "TlsFindingCode",
    "TlsReport",
    "TrustStore",
    "UnsafeInputError",
    "UnsafeOutputError",
    "UnsupportedFormatError",
    "UsageError",
    "Verification",
    "VerifyFailure",
    "VerifyPolicy",
    "VersionProbe",
    "WarningCode",
    "WrongPasswordError",
    "__version__",
    "ca_issuers_urls",
    "check_moment",
    "check_timeout",
    "convert",
    "convert_bundle",
    "diagnose_backend",
    "each_json",
    "expiring",
    "fetch",
    "file_names",
    "inspect",
    "json_schema",
    "load",
    "manifest_json",
    "plan_split",
    "read_password_file",
    "render_conversion",
    "render_split",
    "signed_by",
    "split",
    "split_each",
    "values",
    "verify",
    "write_convert",
    "write_split",
]
