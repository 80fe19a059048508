"""Planned files out: all of them into one folder, or none.

Takes file names and bytes (a :class:`~certconv.SplitPlan`'s) and nothing else:
what the files are and where they go in Azure is decided before this is called
(:mod:`certconv.azure._plan`), and nothing here imports it. The mechanics (lock,
journal, recovery of an interrupted run, Windows retries) are
:mod:`certconv.output._atomic`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

from ._atomic import write_files

__all__ = ["write_planned"]


def write_planned(
    out: str | PathLike[str],
    files: Mapping[str, bytes],
    *,
    force: bool,
    last: str | None = None,
    modes: Mapping[str, int] | None = None,
) -> tuple[str, ...]:
    """Write ``files`` (plain names → bytes, in order) into ``out``: all of them, or none.

    Args:
        out: The folder; created (with parents) when missing.
        files: What to write.
        force: Replace files that exist already.
        last: The file that describes the others (``manifest.json``): it takes
            its place last, so whenever it is there, what it lists is there too.
        modes: Permission bits of the files that are not 0644 (0600 for a private key).

    Returns:
        Notes about this run (what was undone or finished of an interrupted
        earlier run on ``out``).

    Raises:
        OutputExistsError, OutputBusyError, UnsafeOutputError, OutputError: see
            :func:`certconv.output._atomic.write_files`; nothing is written.
    """
    return write_files(Path(out), dict(files), force=force, last=last, modes=modes)
