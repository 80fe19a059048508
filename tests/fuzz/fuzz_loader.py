"""Coverage-guided fuzzing of certconv's loaders with atheris (libFuzzer for Python).

One harness, one target per loader; each target gets its own seed corpus in
``tests/fuzz/corpus/<target>/``::

    python tests/fuzz/fuzz_loader.py pkcs12 -max_total_time=600 WORK/pkcs12 tests/fuzz/corpus/pkcs12

Targets:
    load    ``certconv.load`` on the raw bytes: format sniffing, every reader, chain building.
    pem     the PEM reader (blocks, labels, RFC 1421 headers, Base-64).
    der     a single DER certificate (and the CSR/CRL naming of what is not one).
    pkcs7   the PKCS#7 reader (DER and BER).
    pkcs12  the PKCS#12 reader with the right password, no password and a wrong one:
            the iteration-count guard, the MAC verdict and the error classification.
    jks     the JKS/JCEKS keystore reader (structure, secret-key serialization, key
            decryption) with the right password, no password and a wrong one.
    tolerant  the tolerant path's re-encoder (certconv.readers._tolerant.normalise, which may
            raise only its DerError) and the reader's certificate path through it,
            seeded with every quirk tests/quirkcerts.py builds.

Contract checked: only ``certconv.CertconvError`` may escape; a warning that
escapes is a crash too (certconv turns cryptography's warnings into
``BundleWarning``\\ s). Hangs are caught by libFuzzer's ``-timeout``.
``tests/fuzz/run.sh MINUTES`` runs every target; it is not part of pytest.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import certconv
    from certconv.pki._der import DerError
    from certconv.readers import _jks, _read, _tolerant

PASSWORD = b"changeit"  # the samples' and the seed corpus's password


def _reader(password: bytes | None) -> _read._Reader:
    return _read._Reader("<fuzz>", password)


def _load(data: bytes) -> None:
    certconv.load(data, password=PASSWORD)


def _pem(data: bytes) -> None:
    _reader(None).pem(data)


def _der(data: bytes) -> None:
    _reader(None).certificate(data)


def _pkcs7(data: bytes) -> None:
    _reader(None).pkcs7(data)


def _pkcs12(data: bytes) -> None:
    for password in (PASSWORD, None, b"wrong"):
        with contextlib.suppress(certconv.CertconvError):
            _reader(password).pkcs12(data)


def _keystore(data: bytes) -> None:
    for password in (PASSWORD, None, b"wrong"):
        with contextlib.suppress(certconv.CertconvError):
            _jks.read(_reader(password), data)


def _tolerant_path(data: bytes) -> None:
    with contextlib.suppress(DerError):
        copy, _ = _tolerant.normalise(data)
        assert len(copy) <= len(data) + 64, "the copy grew: only tags and a few bytes are rewritten"
    _tolerant.subject_hint(data)
    _reader(None).certificate(data)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "load": _load,
    "pem": _pem,
    "der": _der,
    "pkcs7": _pkcs7,
    "pkcs12": _pkcs12,
    "jks": _keystore,
    "tolerant": _tolerant_path,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options] [CORPUS...]")
    target = TARGETS[sys.argv[1]]

    prefix = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("-artifact_prefix=")), "./")

    def one_input(data: bytes) -> None:
        try:
            with contextlib.suppress(certconv.CertconvError):  # the contract: a specific, catchable error
                target(data)
        except BaseException:
            # Save the input before libFuzzer does: its own write is lost when the crash report
            # itself runs into the -timeout alarm (seen with warnings turned into exceptions).
            Path(f"{prefix}crash-{hashlib.sha1(data).hexdigest()}").write_bytes(data)  # noqa: S324 - a name
            raise

    warnings.simplefilter("error")
    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
