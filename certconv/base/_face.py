"""The public face of certconv, written once: every public name and the module it is defined in.

Part of the base stage so that every module can reach it: :mod:`certconv` derives its
``__all__``, its lazy loading and (checked by ``tests/test_exported_members.py``) its
``TYPE_CHECKING`` imports from :data:`PUBLIC`, and each defining module calls
:func:`publish` so its public classes and functions report ``certconv`` as their module,
as users import them (``certconv.UsageError``, never a private path).

To add a public name: one entry here, one line in ``certconv/__init__.py``'s
``TYPE_CHECKING`` block, and ``publish(globals())`` at the end of the defining module.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from types import FunctionType, MappingProxyType

__all__ = ["PUBLIC", "publish"]

_HOMES: dict[str, str] = {  # home module: the public names it defines, separated by spaces
    "_version": "__version__",
    "base._errors": (
        "CertconvError ConnectionFailedError ConversionError CorruptInputError Hint InputError "
        "InputTooLargeError KeyMismatchError NetworkError NetworkTimeoutError NewPasswordRequiredError "
        "NoCertificateError NoEndEntityError NotTLSError Option OutputBusyError OutputError OutputExistsError "
        "PasswordError PasswordRequiredError TargetError UnsafeInputError UnsafeOutputError "
        "UnsupportedFormatError UsageError WrongPasswordError"
    ),
    "base._enums": (
        "AzureTarget FailureCode FetchVerdict Form Format KeyProfile Leniency Origin PfxProfile ProbeOutcome Purpose "
        "Quirk SnippetLanguage TlsFindingCode TrustStore values VerifyPolicy WarningCode"
    ),
    "base._args": "check_moment check_timeout DEFAULT_TIMEOUT",
    "base._progress": "Progress ProgressStage report_progress",
    "pki._model": "Bundle BundleWarning Certificate Chain Role",
    "pki._x509": "ca_issuers_urls signed_by",
    "readers._read": "DEFAULT_MAX_INPUT_SIZE Source",
    "readers._password": "read_password_file",
    "bundle._details": "CertificateDetails",
    "bundle._expiry": "expiring Expiry",
    "output._file_names": "file_names",
    "output._manifest": "BackendTls Destination Manifest manifest_json ManifestEntry",
    "output._conversion": "Conversion",
    "output._schemas": "JSON_DOCUMENTS json_schema",
    "azure._facts": "SNIPPET_LANGUAGES TARGETS",
    "azure._plan": "plan_split SplitOptions SplitPlan",
    "azure._chain_plan": "ChainOptions ChainPlan",
    "azure._apim_tls": "APIM_BACKEND_TLS",
    "network._proxy": "Proxy ProxyConfig",
    "network._served": "ClientCertificateCheck FetchResult",
    "network._probe": "TlsFinding TlsReport VersionProbe",
    "network._tls": "fetch",
    "trust._result": "ChainVerdict PathStep Verification VerifyFailure",
    "text._split": "render_split",
    "text._conversion": "render_conversion",
    "text._create": "render_chain",
    "_api": "InputLike load split write_split",
    "_convert": "convert convert_bundle CONVERT_TARGETS write_convert",
    "_create": "create_chain plan_chain write_chain",
    "_inspect": "inspect Inspection",
    "_verify": "PURPOSES verify",
    "_doctor": "BackendReport diagnose_backend",
    "_each": "EachResult each_json split_each",
}

PUBLIC: Mapping[str, str] = MappingProxyType({name: home for home, names in _HOMES.items() for name in names.split()})
"""Public name → the module that defines it, relative to :mod:`certconv` (a stage's private module)."""


def publish(namespace: MutableMapping[str, object]) -> None:
    """Set ``__module__ = "certconv"`` on the public classes and functions defined in ``namespace``.

    Called as ``publish(globals())`` at the end of each module :data:`PUBLIC` names: help(),
    tracebacks and reprs of types then show ``certconv.Name``, the path users import.
    """
    home = str(namespace["__name__"]).removeprefix("certconv.")
    for name, where in PUBLIC.items():
        value = namespace[name] if where == home else None
        if isinstance(value, type | FunctionType):
            value.__module__ = "certconv"
