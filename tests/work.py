"""Count the work a call does, so tests bound work, never wall-clock time.

The machine is shared and its speed varies tenfold; a count of steps does not.
:func:`counted` measures, for the code run inside it:

* ``lines``: Python lines executed (``sys.settrace``): parsing and looping done
  in Python, loops without calls included;
* ``derivations``: key derivations started (opening a PKCS#12 file, PBKDF2, the
  PKCS#12 KDF, decrypting a PEM key), each with its iteration count where the
  arguments tell it; "refused before any key derivation" is ``derivations == []``;
* ``signature_checks`` and ``search_steps``: certconv's own counters of chaining
  (``certconv.pki._x509.WORK``);
* ``base64_bytes``: bytes handed to Base-64 decoding.

Each bound a test puts on these numbers would be exceeded many times over if
the limit it guards were removed (each test says by how much).
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from certconv.pki import _x509
from certconv.readers import _pkcs12_open


@dataclass
class Work:
    lines: int = 0
    derivations: list[tuple[str, int | None]] = field(default_factory=list)
    signature_checks: int = 0
    search_steps: int = 0
    base64_bytes: int = 0

    @property
    def iterations(self) -> int:
        """Key-derivation iterations attempted, as far as the arguments tell."""
        return sum(n or 0 for _, n in self.derivations)


IterationsOf = Callable[[bytes], int | None]


@contextmanager
def counted(
    *, lines: bool = True, iterations_of: IterationsOf | None = None, stop_over: int | None = 1_000_000
) -> Iterator[Work]:
    """Count the work done inside the block (``lines=False`` skips the line tracer, for big loops).

    ``iterations_of`` tells how many iterations opening a PKCS#12 file's bytes asks for
    (the tests' own DER codec); without it they are unknown (``None``). A derivation of
    more than ``stop_over`` iterations fails the test with AssertionError before it runs
    (a broken bound would otherwise hang the suite on its 2**40 rounds).
    """
    work = Work()

    def started(what: str, iterations: int | None) -> None:
        work.derivations.append((what, iterations))
        if stop_over is not None and iterations is not None and iterations > stop_over:
            raise AssertionError(f"a {what} key derivation of {iterations:,} iterations started")

    patches: list[tuple[object, str, Any]] = []

    def patch(owner: object, name: str, wrapper: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        patches.append((owner, name, original))
        setattr(owner, name, wrapper(original))

    def load_pkcs12(original: Any) -> Any:
        def wrapped(data: bytes, password: bytes | None, *args: Any, **kwargs: Any) -> Any:
            started("PKCS#12", iterations_of(data) if iterations_of else None)
            return original(data, password, *args, **kwargs)

        return wrapped

    def pbkdf2(original: Any) -> Any:
        def wrapped(algorithm: Any, length: int, salt: bytes, iterations: int, *args: Any, **kwargs: Any) -> Any:
            started("PBKDF2", iterations)
            return original(algorithm, length, salt, iterations, *args, **kwargs)

        return wrapped

    def pkcs12_kdf(original: Any) -> Any:
        def wrapped(hash_name: str, password: bytes, salt: bytes, iterations: int, size: int) -> Any:
            started("PKCS#12 KDF", iterations)
            return original(hash_name, password, salt, iterations, size)

        return wrapped

    def pem_key(original: Any) -> Any:
        def wrapped(data: bytes, password: bytes | None, *args: Any, **kwargs: Any) -> Any:
            if password is not None:
                started("PEM key", None)
            return original(data, password, *args, **kwargs)

        return wrapped

    def b64decode(original: Any) -> Any:
        def wrapped(data: Any, *args: Any, **kwargs: Any) -> Any:
            work.base64_bytes += len(data)
            return original(data, *args, **kwargs)

        return wrapped

    patch(pkcs12, "load_pkcs12", load_pkcs12)
    patch(pkcs12, "load_key_and_certificates", load_pkcs12)
    patch(_pkcs12_open, "PBKDF2HMAC", pbkdf2)
    patch(_pkcs12_open, "_mac_key", pkcs12_kdf)
    patch(serialization, "load_pem_private_key", pem_key)
    patch(serialization, "load_der_private_key", pem_key)
    patch(base64, "b64decode", b64decode)
    signatures, steps = _x509.WORK.signature_checks, _x509.WORK.search_steps

    def trace(_frame: FrameType, _event: str, _arg: object) -> Any:
        work.lines += 1  # "call" and "line" events: each function entered, each line run
        return trace

    previous = sys.gettrace()
    if lines:
        sys.settrace(trace)
    try:
        yield work
    finally:
        if lines:
            sys.settrace(previous)
        for owner, name, original in reversed(patches):
            setattr(owner, name, original)
        work.signature_checks = _x509.WORK.signature_checks - signatures
        work.search_steps = _x509.WORK.search_steps - steps
