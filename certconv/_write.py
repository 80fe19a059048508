"""Planned files out: all of them into one folder, or none.

Takes file names and bytes (a :class:`~certconv.SplitPlan`'s, or a conversion's)
and nothing else: what the files are and where they go in Azure is decided
before this is called (:mod:`certconv.azure._plan`). Files are written into a
private staging folder inside ``out`` and renamed into place only when all of
them are ready; a rename replaces a planted symlink instead of following it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ._errors import OutputError, OutputExistsError, UnsafeOutputError, UsageError
from ._names import file_names, slug

__all__ = ["file_names", "write_files"]

_CERT_MODE = 0o644

# Naming moved to _names; _verify (and scripts) still import these two from here.
_slug = slug


def write_files(out: Path, files: Mapping[str, bytes], *, force: bool, mode: int = _CERT_MODE) -> None:
    """Write ``files`` (plain names → bytes) into ``out``: all of them, or none.

    Raises:
        OutputExistsError, UnsafeOutputError: before anything is written.
    """
    if "\0" in str(out):
        raise UsageError("the output path contains a NUL byte")
    new_folder = not os.path.lexists(out)
    created = _make_folder(out.parent if new_folder else out)
    try:
        _check_targets(out, files, force=force)
        if new_folder:
            _stage_folder(out, files, mode)
        else:
            _stage_and_commit(out, files, mode)
    except BaseException as exc:
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                break
        if isinstance(exc, OSError):
            raise OutputError(f"could not write ({exc.strerror or exc}); nothing was written", path=str(out)) from None
        raise


def _make_folder(out: Path) -> list[Path]:
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


def _check_targets(out: Path, files: Mapping[str, bytes], *, force: bool) -> None:
    for name in files:
        if os.sep in name or (os.altsep and os.altsep in name) or "\0" in name or name in (".", ".."):
            raise UnsafeOutputError(f"refusing file name {name!r}", path=str(out))
        target = out / name
        if not os.path.lexists(target):
            continue
        if target.is_dir() and not target.is_symlink():
            raise UnsafeOutputError("is a folder; nothing was written", path=str(target))
        if not force:
            raise OutputExistsError("exists already; nothing was written (use --force to overwrite)", path=str(target))


def _stage_folder(out: Path, files: Mapping[str, bytes], mode: int) -> None:
    """A new ``out``: build it whole beside its final place, then rename it there in one step.

    One rename instead of one per file (10,000 certificates are 10,000 renames
    otherwise), and still all or nothing: until the rename, ``out`` does not exist.
    """
    try:
        staging = Path(tempfile.mkdtemp(prefix=".certconv-staging-", dir=out.parent))
    except OSError as exc:
        raise UnsafeOutputError(f"cannot write here ({exc.strerror})", path=str(out.parent)) from None
    try:
        for name, data in files.items():
            _write_new(staging / name, data, mode, sync=False)
        os.chmod(staging, 0o755)  # noqa: S103 - mkdtemp made it private; it becomes the user's folder
        os.rename(staging, out)  # fails if a non-empty `out` appeared meanwhile: nothing replaced
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _stage_and_commit(out: Path, files: Mapping[str, bytes], mode: int) -> None:
    try:
        staging = Path(tempfile.mkdtemp(prefix=".certconv-staging-", dir=out))
    except OSError as exc:
        raise UnsafeOutputError(f"cannot write here ({exc.strerror})", path=str(out)) from None
    backups = staging / ".replaced"
    moved: list[str] = []
    replaced: list[str] = []
    try:
        for name, data in files.items():
            # fsync only what replaces a file, so a crash cannot leave an empty file where
            # the old one was; new files need none (an fsync per file made a 10,000-certificate
            # split five times slower: docs/performance.md).
            _write_new(staging / name, data, mode, sync=os.path.lexists(out / name))
        backups.mkdir()
        for name in files:
            target = out / name
            if os.path.lexists(target):
                os.replace(target, backups / name)  # renames a symlink itself, never its target
                replaced.append(name)
            os.replace(staging / name, target)
            moved.append(name)
    except BaseException:
        for name in moved:
            os.unlink(out / name)
        for name in replaced:
            os.replace(backups / name, out / name)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_new(path: Path, data: bytes, mode: int, *, sync: bool = True) -> None:
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
