"""The folder a write goes into: the names checked, missing parents made, the files already there found.

A file written there (:func:`write_new`), and whether it keeps other users out (:func:`restricts_to_owner`).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from ..base._errors import Option, OutputExistsError, UnsafeOutputError, hint

__all__ = [
    "RESERVED_PREFIX",
    "check_names",
    "check_targets",
    "is_folder",
    "is_plain_name",
    "make_folder",
    "restricts_to_owner",
    "write_new",
]

RESERVED_PREFIX = ".certconv-"
"""Names certconv keeps for itself in an output folder: its lock, staging folders and lists."""

_FORCE = hint("use {} to overwrite", Option.FORCE)
_MODES_RESTRICT = os.name != "nt"


def make_folder(out: Path) -> list[Path]:
    """Create ``out`` and missing parents; return what was created, outermost first."""
    missing: list[Path] = []
    probe = out
    while not os.path.lexists(probe):
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise UnsafeOutputError("exists and is not a folder", path=str(probe))
    created: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
    except OSError as exc:
        for folder in reversed(created):
            folder.rmdir()
        raise UnsafeOutputError(f"cannot create folder ({exc.strerror})", path=str(out)) from None
    return created


def check_names(out: Path, files: Iterable[str]) -> None:
    encoding = sys.getfilesystemencoding()
    for name in files:
        try:
            os.fsencode(name)
        except UnicodeEncodeError:
            # A non-UTF-8 locale (LC_ALL=C with PYTHONUTF8=0): os.open would fail half-way through the write.
            raise UnsafeOutputError(
                f"the file name {name!r} cannot be written in this system's file name encoding ({encoding}); "
                "nothing was written: run with a UTF-8 locale (LC_ALL=C.UTF-8, or PYTHONUTF8=1)",
                path=str(out),
            ) from None
        if not is_plain_name(name):
            raise UnsafeOutputError(f"refusing file name {name!r}", path=str(out))
        if name.startswith(RESERVED_PREFIX):
            raise UnsafeOutputError(f"{name!r}: names starting {RESERVED_PREFIX} are certconv's own", path=str(out))


def is_plain_name(name: str) -> bool:
    return bool(name) and not (
        os.sep in name or (os.altsep and os.altsep in name) or "\0" in name or name in (".", "..")
    )


def check_targets(out: Path, files: Iterable[str], *, force: bool) -> set[str]:
    """The names of ``files`` that exist in ``out``; refuses folders, and files without ``force``."""
    existing = set()
    for name in files:
        target = out / name
        if not os.path.lexists(target):
            continue
        if target.is_dir() and not target.is_symlink():
            raise UnsafeOutputError("is a folder; nothing was written", path=str(target))
        if not force:
            raise OutputExistsError("exists already; nothing was written", path=str(target), hint=_FORCE)
        existing.add(name)
    return existing


def is_folder(path: Path) -> bool:
    return os.path.isdir(path) and not os.path.islink(path)


def restricts_to_owner(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``'s permissions keep other users out, as read back from the file system.

    False on Windows (its ``chmod`` only sets the read-only flag) and where the
    file system ignores modes (FAT, some network shares).
    """
    return _MODES_RESTRICT and not stat.S_IMODE(os.stat(path).st_mode) & 0o077


def write_new(path: Path, data: bytes, mode: int, *, sync: bool = True) -> None:
    """Write a file that must not exist yet: never through a link, with exactly ``mode``, synced unless told."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # the mode asked for, whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
