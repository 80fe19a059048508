"""certconv's one public face: ``__all__`` is exactly the public names, each resolves and reports ``certconv``."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import certconv
import certconv.console
from certconv.base._face import PUBLIC

INIT = Path(__file__).parent.parent / "certconv" / "__init__.py"

# certconv.__all__ before issue 18 (December 2026): every one of these names must keep working.
_BEFORE = """
APIM_BACKEND_TLS CONVERT_TARGETS DEFAULT_MAX_INPUT_SIZE DEFAULT_TIMEOUT PURPOSES SNIPPET_LANGUAGES TARGETS AzureTarget
BackendReport BackendTls Bundle BundleWarning CertconvError Certificate CertificateDetails Chain ChainVerdict
ConnectionFailedError Conversion ConversionError CorruptInputError Destination EachResult Expiry FailureCode
FetchResult FetchVerdict Form Format Hint InputError InputLike InputTooLargeError Inspection KeyMismatchError
Leniency Manifest ManifestEntry NetworkError NetworkTimeoutError NewPasswordRequiredError NoCertificateError
NotTLSError Option Origin OutputBusyError OutputError OutputExistsError PasswordError PasswordRequiredError PathStep
PfxProfile ProbeOutcome Proxy ProxyConfig Purpose Role SnippetLanguage Source SplitOptions SplitPlan TargetError
TlsFinding TlsFindingCode TlsReport TrustStore UnsafeInputError UnsafeOutputError UnsupportedFormatError UsageError
Verification VerifyFailure VerifyPolicy VersionProbe WarningCode WrongPasswordError __version__ ca_issuers_urls
check_moment check_timeout convert convert_bundle diagnose_backend expiring fetch file_names inspect load
manifest_json plan_split read_password_file render_conversion render_split signed_by split split_each values verify
write_convert write_split
"""
NAMES_BEFORE_THE_LAYOUT = _BEFORE.split()


def test_all_is_exactly_the_public_table() -> None:
    assert sorted(certconv.__all__) == sorted(PUBLIC)
    assert len(set(certconv.__all__)) == len(certconv.__all__)


def test_every_name_exported_before_the_layout_still_works() -> None:
    assert set(NAMES_BEFORE_THE_LAYOUT) <= set(certconv.__all__)
    for name in NAMES_BEFORE_THE_LAYOUT:
        assert getattr(certconv, name) is not None


def test_each_public_name_resolves_from_the_module_the_table_names() -> None:
    import importlib

    for name, home in PUBLIC.items():
        module = importlib.import_module(f"certconv.{home}")
        assert name in vars(module), f"{name} is not defined in certconv.{home}"
        assert getattr(certconv, name) is vars(module)[name]


def test_unknown_names_are_attribute_errors() -> None:
    assert not hasattr(certconv, "no_such_name")
    assert not hasattr(certconv, "_api_shim")


def test_public_classes_and_functions_report_certconv_as_their_module() -> None:
    wrong = [
        f"{name}: {value.__module__}"
        for name in certconv.__all__
        if isinstance(value := getattr(certconv, name), type | types.FunctionType)
        and value.__module__ != "certconv"
    ]
    assert wrong == []


def test_console_functions_report_certconv_console() -> None:
    for name in certconv.console.__all__:
        assert getattr(certconv.console, name).__module__ == "certconv.console"


def test_an_error_names_its_public_path(tmp_path: Path) -> None:
    try:
        certconv.split(tmp_path / "missing.pem", tmp_path / "out", target="apim-v3")
    except certconv.UsageError as exc:
        assert f"{type(exc).__module__}.{type(exc).__qualname__}" == "certconv.UsageError"
    else:
        raise AssertionError("no UsageError")


def test_the_type_checking_block_imports_each_public_name_from_its_home() -> None:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    imported = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names:
            assert alias.asname == alias.name, "re-exported as itself, so type checkers see it as public"
            imported[alias.name] = node.module
    assert imported == dict(PUBLIC)
