"""Coverage-guided fuzzing of certconv's commands with atheris: inspect, verify, convert.

The loaders have their own harness (fuzz_loader.py); this one drives what a
command does after loading, on the fuzzed bytes::

    python tests/fuzz/fuzz_commands.py verify -max_total_time=1800 WORK/verify tests/fuzz/corpus/verify

Targets (the calls and the contract are in tests/fuzz/entry_points.py):
    inspect  ``inspect``: render, colour render, full render, ``to_json``, ``to_dict``.
    verify   ``verify`` render and JSON: the bytes as the input (trusted by themselves,
             then against a fixed root) and as ``--ca`` for a fixed leaf and intermediate.
    convert  ``write_convert`` to every form of ``CONVERT_TARGETS`` in a temporary folder.

Only ``certconv.CertconvError`` may escape, no warning may (warnings are errors
here), and no text a person reads may hold a control character.
``tests/fuzz/run.sh MINUTES [TARGET...]`` runs them; it is not part of pytest.
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    import entry_points

    import certconv

    # The face loads a stage on first use: touching these loads convert, inspect and verify here, instrumented.
    _INSTRUMENTED = (certconv.write_convert, certconv.inspect, certconv.verify)


def main() -> None:
    targets = entry_points.TARGETS
    if len(sys.argv) < 2 or sys.argv[1] not in targets:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(targets)}}} [libFuzzer options] [CORPUS...]")
    target = targets[sys.argv[1]]
    prefix = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("-artifact_prefix=")), "./")

    def one_input(data: bytes) -> None:
        try:
            target(data)  # CertconvError is caught and checked inside: anything escaping is a finding
        except BaseException:
            # Save the input before libFuzzer does: its own write can be lost (see fuzz_loader.py).
            Path(f"{prefix}crash-{hashlib.sha1(data).hexdigest()}").write_bytes(data)  # noqa: S324 - a name
            raise

    assert certconv.CertconvError  # imported under instrumentation above, with the lazy modules
    warnings.simplefilter("error")
    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
