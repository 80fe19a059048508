"""The command entry points the fuzzers drive, each with the contract it must keep.

Shared by the atheris harness (tests/fuzz/fuzz_commands.py) and the regression
replay in tests/test_fuzz_properties.py, so a saved crasher is replayed through
exactly the code that found it. No atheris here: pytest imports this module.

Contract, for any input bytes:

* only :class:`certconv.CertconvError` escapes (its message is one line);
* no warning escapes (callers run with ``warnings.simplefilter("error")``);
* every text a person reads (``render``, colour ``render``, ``render(full=True)``,
  ``render_conversion``, warning and error messages) holds no C0 or C1 control
  character but the newline; ``to_json`` parses and holds no raw C1 character
  (``json.dumps`` escapes C0 itself, not U+0080-U+009F); ``to_dict`` serialises;
* ``convert`` writes exactly the one file it names, inside its folder.

The fixed leaf, intermediate and root are ECDSA P-256 certificates made from fixed
private values, serials and dates and signed deterministically (RFC 6979), so they
are byte-for-byte the same in every run and in the seed corpus (tests/fuzz/make_corpus.py
writes them). Not Ed25519: TLS clients (and so ``verify``) refuse EdDSA certificates.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import certconv

PASSWORD = "changeit"  # the samples' and the seed corpus's password
AT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # every check judges validity at this moment: runs repeat
HOST = "backend.fuzz.example"

# C0 and C1 controls and DEL, except the newline that separates lines.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x80-\x9f]")
# What inspect's colour render adds on purpose: SGR sequences from its fixed style table.
_SGR = re.compile("\x1b\\[[0-9]+m")


class ContractError(AssertionError):
    """An entry point broke the contract in a way that is not an exception of its own."""


# -- fixed certificates -----------------------------------------------------------------


def _issue(
    cn: str, seed: int, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None, *, ca: bool
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.derive_private_key(int.from_bytes(bytes([seed]) * 32, "big"), ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(0x1000 + seed)
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
        builder = builder.add_extension(usage, critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True), key


ROOT, _ROOT_KEY = _issue("certconv fuzz root", 1, None, ca=True)
INTERMEDIATE, _INTERMEDIATE_KEY = _issue("certconv fuzz intermediate", 2, (ROOT.subject, _ROOT_KEY), ca=True)
LEAF, LEAF_KEY = _issue(HOST, 3, (INTERMEDIATE.subject, _INTERMEDIATE_KEY), ca=False)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


SERVED = pem(LEAF, INTERMEDIATE)  # what a backend sends: the input when the fuzzed bytes are --ca
ROOT_DER = ROOT.public_bytes(serialization.Encoding.DER)


# -- the contract checks ----------------------------------------------------------------


def check_text(text: str, what: str, *, color: bool = False) -> None:
    if color:
        text = _SGR.sub("", text)
    found = _CONTROL.search(text)
    if found:
        start = max(found.start() - 40, 0)
        raise ContractError(f"{what}: control character {found.group()!r} in {text[start : found.end() + 40]!r}")


def check_json(text: str, what: str) -> None:
    json.loads(text)  # raises ValueError (not a CertconvError) when it is not JSON
    found = _C1.search(text)
    if found:
        raise ContractError(f"{what}: raw C1 character {found.group()!r} in JSON")


def check_bundle(bundle: certconv.Bundle, what: str) -> None:
    for warning in bundle.warnings:
        check_text(warning.message, f"{what} warning {warning.code}")


def check_error(exc: certconv.CertconvError, what: str) -> None:
    message = str(exc)
    if not message or "\n" in message:
        raise ContractError(f"{what}: error message is not one line: {message!r}")
    check_text(message, f"{what} error")


def guarded(what: str, call: Callable[[], None]) -> bool:
    """Run ``call``; a CertconvError is fine when its message keeps the contract. True if it ran through."""
    try:
        call()
    except certconv.CertconvError as exc:
        check_error(exc, what)
        return False
    return True


# -- the targets ------------------------------------------------------------------------


def inspect_target(data: bytes) -> None:
    def run() -> None:
        result = certconv.inspect(data, password=PASSWORD, at=AT)
        check_bundle(result.bundle, "inspect")
        check_text(result.render(), "inspect render")
        check_text(result.render(color=True), "inspect colour render", color=True)
        check_text(result.render(full=True), "inspect full render")
        check_text(result.render(full=True, color=True), "inspect full colour render", color=True)
        check_json(result.to_json(), "inspect to_json")
        json.dumps(result.to_dict())  # serialisable; its strings are data, escaped by whoever prints them

    guarded("inspect", run)


def _check_verification(result: certconv.Verification, what: str) -> None:
    check_bundle(result.bundle, what)
    if result.ca_bundle is not None:
        check_bundle(result.ca_bundle, what + " ca")
    check_text(result.render(), what + " render")
    check_json(result.to_json(), what + " to_json")
    json.dumps(result.to_dict())


def verify_input_target(data: bytes) -> None:
    """The fuzzed bytes as what the backend sends: trusted by themselves, then against the fixed root."""

    def run(ca: list[bytes]) -> Callable[[], None]:
        def call() -> None:
            result = certconv.verify(data, ca=ca, host=HOST, at=AT, password=PASSWORD)
            _check_verification(result, "verify")

        return call

    guarded("verify", run([]))
    guarded("verify --ca root", run([ROOT_DER]))


def verify_ca_target(data: bytes) -> None:
    """The fuzzed bytes as ``--ca``, for the fixed leaf and intermediate."""

    def run() -> None:
        result = certconv.verify(SERVED, ca=[data], host=HOST, at=AT, password=PASSWORD)
        _check_verification(result, "verify --ca")

    guarded("verify --ca", run)


def verify_target(data: bytes) -> None:
    verify_input_target(data)
    verify_ca_target(data)


# Each form with the options that change what it writes.
CONVERT_CASES: tuple[tuple[str, dict[str, object]], ...] = (
    ("der", {}),
    ("pem", {}),
    ("pem", {"include_key": True}),
    ("p7b", {}),
    ("p7b", {"format": "pem"}),
    ("pfx", {"new_password": PASSWORD}),
    ("pfx", {"new_password": PASSWORD, "legacy": True}),
    ("fullchain", {}),
    ("fullchain", {"include_key": True, "new_password": PASSWORD}),
    ("chain", {}),
    ("chain", {"include_root": True, "only": ["intermediate", "root"]}),
    ("pfx", {"new_password": PASSWORD, "profile": "appservice"}),
    ("truststore", {}),
    ("truststore", {"new_password": PASSWORD, "include_leaf": True}),
    ("keyvault", {"include_root": True}),
)
assert {to for to, _ in CONVERT_CASES} == set(certconv.CONVERT_TARGETS), "a new convert target needs a case here"


def convert_target(data: bytes) -> None:
    """Every form of ``convert`` (load once, as ``convert`` does, then each ``write_convert``)."""
    try:
        bundle = certconv.load(data, password=PASSWORD, at=AT, keys_alone=True)
    except certconv.CertconvError as exc:
        check_error(exc, "convert load")
        return
    check_bundle(bundle, "convert")
    with tempfile.TemporaryDirectory(prefix="certconv-fuzz-") as tmp:
        folder = Path(tmp)
        for to, options in CONVERT_CASES:
            what = f"convert --to {to} {options}"
            out = folder / f"out.{to}"

            def run(to: str = to, options: dict[str, object] = options, out: Path = out, what: str = what) -> None:
                conversion = certconv.write_convert(bundle, out, to=to, **options)  # type: ignore[arg-type]
                check_text(certconv.render_conversion(conversion), what + " summary")
                if out.read_bytes() != conversion.data:
                    raise ContractError(f"{what}: the file differs from the conversion's data")

            wrote = guarded(what, run)
            written = {p.name for p in folder.iterdir()}
            if written != ({out.name} if wrote else set()):  # all or nothing, and nothing beside it
                raise ContractError(f"{what}: left {sorted(written)} in its folder ({'ok' if wrote else 'error'})")
            out.unlink(missing_ok=True)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "inspect": inspect_target,
    "verify": verify_target,
    "convert": convert_target,
}

# Regression files are named TARGET-what-N.ext (verify-openssl-error-1.der): replayed through TARGETS[TARGET].
