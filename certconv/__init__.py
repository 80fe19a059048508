"""certconv: take certificate bundles apart, classify them, and write what Azure needs.

Typical use::

    import certconv

    bundle = certconv.load("bundle.pfx", password="changeit")
    for cert in bundle.certificates:
        print(cert.role.value, cert.subject, cert.sha1, cert.apim_store)
    manifest = certconv.split("bundle.pfx", "out/", password="changeit")

Importing certconv loads ``cryptography`` only: no CLI framework, no network code.
"""

from __future__ import annotations

from ._api import DEFAULT_TIMEOUT, InputLike, fetch, load, split
from ._azure import SNIPPET_LANGUAGES, TARGETS
from ._chain import ca_issuers_urls, signed_by
from ._convert import CONVERT_TARGETS, Conversion, convert, convert_bundle, write_convert
from ._errors import (
    CertconvError,
    ConnectionFailedError,
    ConversionError,
    CorruptInputError,
    InputError,
    InputTooLargeError,
    KeyMismatchError,
    NetworkError,
    NetworkTimeoutError,
    NewPasswordRequiredError,
    NoCertificateError,
    NotTLSError,
    OutputError,
    OutputExistsError,
    PasswordError,
    PasswordRequiredError,
    TargetError,
    UnsafeOutputError,
    UnsupportedFormatError,
    WrongPasswordError,
)
from ._model import (
    BackendTls,
    Bundle,
    BundleWarning,
    Certificate,
    Chain,
    Destination,
    FetchResult,
    Manifest,
    ManifestEntry,
    Role,
)
from ._read import DEFAULT_MAX_INPUT_SIZE, Source
from ._write import file_names, manifest_json, write_split

__version__ = "0.1.0"

__all__ = [
    "CONVERT_TARGETS",
    "DEFAULT_MAX_INPUT_SIZE",
    "DEFAULT_TIMEOUT",
    "SNIPPET_LANGUAGES",
    "TARGETS",
    "BackendTls",
    "Bundle",
    "BundleWarning",
    "CertconvError",
    "Certificate",
    "Chain",
    "ConnectionFailedError",
    "Conversion",
    "ConversionError",
    "CorruptInputError",
    "Destination",
    "FetchResult",
    "InputError",
    "InputLike",
    "InputTooLargeError",
    "KeyMismatchError",
    "Manifest",
    "ManifestEntry",
    "NetworkError",
    "NetworkTimeoutError",
    "NewPasswordRequiredError",
    "NoCertificateError",
    "NotTLSError",
    "OutputError",
    "OutputExistsError",
    "PasswordError",
    "PasswordRequiredError",
    "Role",
    "Source",
    "TargetError",
    "UnsafeOutputError",
    "UnsupportedFormatError",
    "WrongPasswordError",
    "__version__",
    "ca_issuers_urls",
    "convert",
    "convert_bundle",
    "fetch",
    "file_names",
    "load",
    "manifest_json",
    "signed_by",
    "split",
    "write_convert",
    "write_split",
]
