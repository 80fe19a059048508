"""Library alone: ``certconv.load`` of a PFX against ``pkcs12.load_pkcs12`` alone, in one process.

Both read the file from disk each time. Calls are interleaved (A B A B …) so
machine noise hits both alike; prints one JSON object with the medians and the
median of the pairwise ratios.

Usage: python benchmarks/library.py PFX PASSWORD_FILE [ROUNDS]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.serialization import pkcs12

import certconv


def main() -> None:
    path, password_file = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    with open(password_file, "rb") as handle:
        password = handle.read().splitlines()[0]

    def certconv_load() -> None:
        certconv.load(path, password=password)

    def load_pkcs12() -> None:
        with open(path, "rb") as handle:
            pkcs12.load_pkcs12(handle.read(), password)

    def timed(call: Callable[[], None]) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    for _ in range(5):  # warm caches and lazy imports on both sides
        certconv_load()
        load_pkcs12()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        theirs.append(timed(load_pkcs12))
        ours.append(timed(certconv_load))
    print(
        json.dumps(
            {
                "rounds": rounds,
                "load_pkcs12_ms": statistics.median(theirs) * 1000,
                "certconv_load_ms": statistics.median(ours) * 1000,
                "ratio": statistics.median(o / t for o, t in zip(ours, theirs, strict=True)),
            }
        )
    )


if __name__ == "__main__":
    main()
