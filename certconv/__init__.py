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

from .base._face import PUBLIC

if TYPE_CHECKING:  # for type checkers and the API docs; tests/test_exported_members.py checks it against PUBLIC
    from ._api import InputLike as InputLike
    from ._api import load as load
    from ._api import split as split
    from ._api import write_split as write_split
    from ._convert import CONVERT_TARGETS as CONVERT_TARGETS
    from ._convert import convert as convert
    from ._convert import convert_bundle as convert_bundle
    from ._convert import write_convert as write_convert
    from ._create import create_chain as create_chain
    from ._create import plan_chain as plan_chain
    from ._create import write_chain as write_chain
    from ._doctor import BackendReport as BackendReport
    from ._doctor import diagnose_backend as diagnose_backend
    from ._each import EachResult as EachResult
    from ._each import each_json as each_json
    from ._each import split_each as split_each
    from ._inspect import Inspection as Inspection
    from ._inspect import inspect as inspect
    from ._verify import PURPOSES as PURPOSES
    from ._verify import verify as verify
    from ._version import __version__ as __version__
    from .azure._apim_tls import APIM_BACKEND_TLS as APIM_BACKEND_TLS
    from .azure._chain_plan import ChainOptions as ChainOptions
    from .azure._chain_plan import ChainPlan as ChainPlan
    from .azure._facts import SNIPPET_LANGUAGES as SNIPPET_LANGUAGES
    from .azure._facts import TARGETS as TARGETS
    from .azure._plan import SplitOptions as SplitOptions
    from .azure._plan import SplitPlan as SplitPlan
    from .azure._plan import plan_split as plan_split
    from .base._args import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from .base._args import check_moment as check_moment
    from .base._args import check_timeout as check_timeout
    from .base._enums import AzureTarget as AzureTarget
    from .base._enums import FailureCode as FailureCode
    from .base._enums import FetchVerdict as FetchVerdict
    from .base._enums import Form as Form
    from .base._enums import Format as Format
    from .base._enums import KeyProfile as KeyProfile
    from .base._enums import Leniency as Leniency
    from .base._enums import Origin as Origin
    from .base._enums import PfxProfile as PfxProfile
    from .base._enums import ProbeOutcome as ProbeOutcome
    from .base._enums import Purpose as Purpose
    from .base._enums import Quirk as Quirk
    from .base._enums import SnippetLanguage as SnippetLanguage
    from .base._enums import TlsFindingCode as TlsFindingCode
    from .base._enums import TrustStore as TrustStore
    from .base._enums import VerifyPolicy as VerifyPolicy
    from .base._enums import WarningCode as WarningCode
    from .base._enums import values as values
    from .base._errors import CertconvError as CertconvError
    from .base._errors import ConnectionFailedError as ConnectionFailedError
    from .base._errors import ConversionError as ConversionError
    from .base._errors import CorruptInputError as CorruptInputError
    from .base._errors import Hint as Hint
    from .base._errors import InputError as InputError
    from .base._errors import InputTooLargeError as InputTooLargeError
    from .base._errors import KeyMismatchError as KeyMismatchError
    from .base._errors import NetworkError as NetworkError
    from .base._errors import NetworkTimeoutError as NetworkTimeoutError
    from .base._errors import NewPasswordRequiredError as NewPasswordRequiredError
    from .base._errors import NoCertificateError as NoCertificateError
    from .base._errors import NoEndEntityError as NoEndEntityError
    from .base._errors import NotTLSError as NotTLSError
    from .base._errors import Option as Option
    from .base._errors import OutputBusyError as OutputBusyError
    from .base._errors import OutputError as OutputError
    from .base._errors import OutputExistsError as OutputExistsError
    from .base._errors import PasswordError as PasswordError
    from .base._errors import PasswordRequiredError as PasswordRequiredError
    from .base._errors import TargetError as TargetError
    from .base._errors import UnsafeInputError as UnsafeInputError
    from .base._errors import UnsafeOutputError as UnsafeOutputError
    from .base._errors import UnsupportedFormatError as UnsupportedFormatError
    from .base._errors import UsageError as UsageError
    from .base._errors import WrongPasswordError as WrongPasswordError
    from .base._progress import Progress as Progress
    from .base._progress import ProgressStage as ProgressStage
    from .base._progress import report_progress as report_progress
    from .bundle._details import CertificateDetails as CertificateDetails
    from .bundle._expiry import Expiry as Expiry
    from .bundle._expiry import expiring as expiring
    from .network._probe import TlsFinding as TlsFinding
    from .network._probe import TlsReport as TlsReport
    from .network._probe import VersionProbe as VersionProbe
    from .network._proxy import Proxy as Proxy
    from .network._proxy import ProxyConfig as ProxyConfig
    from .network._served import ClientCertificateCheck as ClientCertificateCheck
    from .network._served import FetchResult as FetchResult
    from .network._tls import fetch as fetch
    from .output._conversion import Conversion as Conversion
    from .output._file_names import file_names as file_names
    from .output._manifest import BackendTls as BackendTls
    from .output._manifest import Destination as Destination
    from .output._manifest import Manifest as Manifest
    from .output._manifest import ManifestEntry as ManifestEntry
    from .output._manifest import manifest_json as manifest_json
    from .output._schemas import JSON_DOCUMENTS as JSON_DOCUMENTS
    from .output._schemas import json_schema as json_schema
    from .pki._model import Bundle as Bundle
    from .pki._model import BundleWarning as BundleWarning
    from .pki._model import Certificate as Certificate
    from .pki._model import Chain as Chain
    from .pki._model import Role as Role
    from .pki._x509 import ca_issuers_urls as ca_issuers_urls
    from .pki._x509 import signed_by as signed_by
    from .readers._password import read_password_file as read_password_file
    from .readers._read import DEFAULT_MAX_INPUT_SIZE as DEFAULT_MAX_INPUT_SIZE
    from .readers._read import Source as Source
    from .text._conversion import render_conversion as render_conversion
    from .text._create import render_chain as render_chain
    from .text._split import render_split as render_split
    from .trust._result import ChainVerdict as ChainVerdict
    from .trust._result import PathStep as PathStep
    from .trust._result import Verification as Verification
    from .trust._result import VerifyFailure as VerifyFailure

# Every public name is loaded on first use, from the module PUBLIC (certconv/base/_face.py) names:
# `import certconv` loads no reader, no network and no CLI code (docs/performance.md).
# __all__ is the names of PUBLIC, written out for tools that read the source (mkdocstrings, IDEs);
# tests/test_exported_members.py checks that it is exactly that.
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
    "ChainOptions",
    "ChainPlan",
    "ChainVerdict",
    "ClientCertificateCheck",
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
    "KeyProfile",
    "Leniency",
    "Manifest",
    "ManifestEntry",
    "NetworkError",
    "NetworkTimeoutError",
    "NewPasswordRequiredError",
    "NoCertificateError",
    "NoEndEntityError",
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
    "Progress",
    "ProgressStage",
    "Proxy",
    "ProxyConfig",
    "Purpose",
    "Quirk",
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
    "create_chain",
    "diagnose_backend",
    "each_json",
    "expiring",
    "fetch",
    "file_names",
    "inspect",
    "json_schema",
    "load",
    "manifest_json",
    "plan_chain",
    "plan_split",
    "read_password_file",
    "render_chain",
    "render_conversion",
    "render_split",
    "report_progress",
    "signed_by",
    "split",
    "split_each",
    "values",
    "verify",
    "write_chain",
    "write_convert",
    "write_split",
]


def __getattr__(name: str) -> Any:
    home = PUBLIC.get(name)
    if home is None:
        raise AttributeError(f"module 'certconv' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *PUBLIC})
