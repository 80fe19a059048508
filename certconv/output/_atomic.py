"""All-or-nothing writes into a folder, even against a rival writer, ``kill -9`` and Windows.

Every file is written into a private staging folder first, and the files take
their places only when all of them are ready:

* ``out`` missing: the staging folder ``.certconv-staging-<token>`` is built
  beside it and renamed to ``out`` in one step; that rename is the commit, and
  it fails when ``out`` appeared meanwhile (another writer won). The lock file
  ``.certconv-staging-<token>.lock`` beside it names ``out``.
* ``out`` exists: the lock file ``out/.certconv-lock`` makes the writers of one
  folder take turns: a second one is refused (:class:`OutputBusyError`). Files
  are staged in ``out/.certconv-staging-<token>``; then the list of them is
  written there (``.certconv-moving``), each file being replaced is moved to
  ``.certconv-replaced/`` in the staging folder and the new one takes its place.
  Renaming the list to ``.certconv-done`` is the commit; only then are the
  replaced files deleted.

The locks are the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), which it releases when their holder dies, even by ``kill -9``: a lock
file that nobody holds was left by a run that cannot clean up any more. The
next run on the same ``out`` undoes what such a run left before its commit,
finishes what it left after it, and says so in one note. Where the file system
has no locks, the pid in the lock file tells whether its writer still runs.

On Windows, a rename or delete fails while another program (an antivirus
scanner, the search indexer, Explorer) has the file open: each is retried with
back-off for about 2 s, then everything done so far is undone.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..base._errors import (
    CertconvError,
    Option,
    OutputBusyError,
    OutputError,
    OutputExistsError,
    UnsafeOutputError,
    UsageError,
    hint,
)
from ..base._progress import ProgressStage, reporter
from ._locks import Held, Lock, hold, peek, pid_text, take, write_header
from ._out_folder import RESERVED_PREFIX, check_names, check_targets, is_folder, is_plain_name, make_folder, write_new

__all__ = ["write_files"]

_LOCK = ".certconv-lock"
_MOVING = ".certconv-moving"
_DONE = ".certconv-done"
_REPLACED = ".certconv-replaced"
_STAGING = re.compile(r"\.certconv-staging-[0-9a-f]{32}")
_BESIDE_LOCK = re.compile(r"(\.certconv-staging-[0-9a-f]{32})\.lock")
# Windows refuses for a moment to rename or delete a file another program holds (errors 5, 32, 33).
_SHARING_ERRORS = (5, 32, 33)
_RETRY_DELAYS = (0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5, 0.5)  # about 2 s in all
_sleep: Callable[[float], None] = time.sleep  # tests count retries instead of sleeping

_FORCE = hint("use {} to overwrite", Option.FORCE)


def _phase(step: str) -> None:
    """Called at every step of a write; a test replaces it to kill the process at step N."""


def write_files(
    out: Path,
    files: dict[str, bytes],
    *,
    force: bool,
    mode: int = 0o644,
    last: str | None = None,
    modes: Mapping[str, int] | None = None,
) -> tuple[str, ...]:
    """Write ``files`` (plain names → bytes) into the folder ``out``: all of them, or none.

    Each file is created with ``mode``, or with its own in ``modes`` (0600 for a
    file holding a private key beside certificates at 0644), whatever the umask.
    ``out`` and missing parents are created. ``last`` (``manifest.json``) is the
    file that vouches for the others: in an existing folder it is moved away
    first and in last, so whenever it is there, it describes what is there.
    Returns notes for the user: what was recovered from an interrupted run, or
    cleanup left for the next run.

    Raises:
        OutputExistsError: a file exists and ``force`` is false, or ``out`` was
            created by another writer meanwhile. Nothing is written.
        OutputBusyError: another certconv run is writing into ``out``.
        UnsafeOutputError: ``out`` is not a usable folder, or a name is unsafe.
        OutputError: the operating system refused a step; what was done is undone.
    """
    if "\0" in str(out):
        raise UsageError("the output path contains a NUL byte")
    check_names(out, files)
    file_modes = {name: (modes or {}).get(name, mode) for name in files}
    notes: list[str] = []
    new_folder = not os.path.lexists(out)
    created = make_folder(out.parent if new_folder else out)
    try:
        notes += _clean_beside(out)
        if new_folder:
            _write_new_folder(out, files, file_modes, notes)
        else:
            _write_into(out, files, file_modes, force=force, notes=notes, last=last)
    except BaseException as exc:
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                break
        error: BaseException = exc
        if isinstance(exc, OSError):
            error = _failure(exc, out)
        if isinstance(error, CertconvError):
            for note in notes:
                error.add_note(note)
        if error is exc:
            raise
        raise error from None
    return tuple(notes)


# -- the two ways of writing --------------------------------------------------------------


def _write_new_folder(out: Path, files: dict[str, bytes], modes: Mapping[str, int], notes: list[str]) -> None:
    """Build ``out`` whole beside its place, then rename it there: one rename, not one per file."""
    name = f"{RESERVED_PREFIX}staging-{os.urandom(16).hex()}"
    staging = out.parent / name
    try:
        lock = hold(out.parent / f"{name}.lock")
    except Held:  # a new random name: cannot be held by anyone else
        raise OutputBusyError("another certconv run is writing here; try again", path=str(out.parent)) from None
    except OSError as exc:
        raise UnsafeOutputError(f"cannot write here ({exc.strerror})", path=str(out.parent)) from None
    keep_lock = False
    committed = False
    try:
        write_header(lock, target=out.name)
        _phase("locked")
        os.mkdir(staging, 0o700)
        _phase("staging")
        progress = reporter(ProgressStage.WRITING, len(files))
        for file, data in files.items():
            progress.step()
            write_new(staging / file, data, modes[file], sync=False)
            _phase("staged")
        progress.done()
        os.chmod(staging, 0o755)  # noqa: S103 - private while building; then it becomes the user's folder
        _phase("commit")
        try:
            _fs(os.rename, staging, out)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                raise OutputExistsError(
                    "was created by another program while certconv wrote it; nothing was written", path=str(out)
                ) from None
            raise
        committed = True
        _phase("committed")
    except BaseException:
        if not committed:
            try:
                _remove_tree(staging)
            except OSError:
                keep_lock = True  # the next run on `out` removes the staging folder
        raise
    finally:
        try:
            _release(lock, remove=not keep_lock)
        except OSError:
            if committed:
                notes.append(f"{out}: could not remove {lock.path.name} beside it; the next certconv run here will")


def _write_into(
    out: Path, files: dict[str, bytes], modes: Mapping[str, int], *, force: bool, notes: list[str], last: str | None
) -> None:
    """Stage every file inside ``out``, then move them in under the folder's lock, with a journal."""
    try:
        lock = hold(out / _LOCK)
    except Held as held:
        raise OutputBusyError(
            f"another certconv run{pid_text(held.header)} is writing into this folder; nothing was written "
            "(wait for it to finish, then try again)",
            path=str(out),
        ) from None
    except OSError as exc:
        raise UnsafeOutputError(f"cannot write here ({exc.strerror})", path=str(out)) from None
    keep_lock = False
    staging: Path | None = None
    try:
        if lock.left is not None:
            try:
                notes.append(_recover_inside(out, lock.left))
            except BaseException:
                keep_lock = True  # its journal stays for the next attempt (or for the user to look at)
                raise
        existing = check_targets(out, files, force=force)
        name = f"{RESERVED_PREFIX}staging-{os.urandom(16).hex()}"
        write_header(lock, staging=name)  # before the folder exists: a killed run's folder is always named
        _phase("locked")
        staging = out / name
        os.mkdir(staging, 0o700)
        _phase("staging")
        progress = reporter(ProgressStage.WRITING, len(files))
        for file, data in files.items():
            progress.step()
            # fsync only what replaces a file, so a crash cannot leave an empty file where the old
            # one was; an fsync per new file made a 10,000-certificate split five times slower.
            write_new(staging / file, data, modes[file], sync=file in existing)
            _phase("staged")
        progress.done()
        tail = [last] if last is not None and last in files else []
        order = [name for name in files if name not in tail] + tail
        _write_list(staging, order, sync=bool(existing))
        _phase("moving")
        if force:
            os.mkdir(staging / _REPLACED, 0o700)
            for name in set(tail) & existing:  # the old manifest goes first: a half-moved folder has none
                _fs(os.replace, out / name, staging / _REPLACED / name)
                _phase("replaced")
        for file in order:
            target = out / file
            if os.path.lexists(target):
                if not force:  # appeared since the check, written by something that is not certconv
                    raise OutputExistsError("exists already; nothing was written", path=str(target), hint=_FORCE)
                _fs(os.replace, target, staging / _REPLACED / file)  # renames a symlink itself, never its target
                _phase("replaced")
            _fs(os.replace, staging / file, target)
            _phase("moved")
        _fs(os.rename, staging / _MOVING, staging / _DONE)  # the commit
        _phase("committed")
    except BaseException:
        if staging is not None:
            try:
                _settle(out, staging, keep_complete=False)
            except OSError:
                keep_lock = True  # the journal stays; the next run here finishes undoing
        raise
    else:
        try:
            _settle(out, staging)
            _phase("cleaned")
        except OSError as exc:
            keep_lock = True
            notes.append(f"{out}: could not remove {staging.name} ({exc.strerror}); the next certconv run here will")
    finally:
        try:
            _release(lock, remove=not keep_lock)
        except OSError as exc:
            notes.append(f"{out}: could not remove {_LOCK} ({exc.strerror}); the next certconv run here will")


# -- what a killed run left ---------------------------------------------------------------


def _recover_inside(out: Path, left: dict[str, Any]) -> str:
    """Undo (before its commit) or finish (after it) what the killed holder of ``out``'s lock left."""
    who = f"an interrupted certconv run{pid_text(left)}"
    name = left.get("staging")
    staging = out / name if isinstance(name, str) and _STAGING.fullmatch(name) else None
    if staging is None or not is_folder(staging):
        return f"{out}: removed the lock file of {who}; nothing else was left"
    state, restored, removed = _settle(out, staging)
    if state == "done":
        return f"{out}: finished cleaning up after {who}, whose files were complete"
    if state == "moving":
        return (
            f"{out}: undid {who} that was moving files in: {restored} restored, {removed} removed; "
            "the folder is as it was before it"
        )
    return f"{out}: removed {removed} files that {who} had staged in {name}; the folder is as it was"


def _clean_beside(out: Path) -> list[str]:
    """Remove staging folders beside ``out`` that a killed run building ``out`` left."""
    target = Path(os.path.abspath(out))
    try:
        names = [e.name for e in os.scandir(target.parent) if _BESIDE_LOCK.fullmatch(e.name)]
    except OSError:
        return []
    notes = []
    for lock_name in names:
        # A lock without a header is one being made right now, or one whose run was killed
        # before it made anything: neither is ours to touch. Nor are other folders' locks.
        if (peek(target.parent / lock_name) or {}).get("target") != target.name:
            continue
        try:
            lock = take(target.parent / lock_name, create=False)
        except (Held, OSError, CertconvError):
            continue
        if lock is None:
            continue
        keep = True
        try:
            if lock.left is not None and lock.left.get("target") == target.name:
                staging = target.parent / lock_name.removesuffix(".lock")
                count = _remove_tree(staging) if is_folder(staging) else 0
                keep = False
                who = f"an interrupted certconv run{pid_text(lock.left)}"
                notes.append(
                    f"{out}: removed {staging.name} ({count} files) beside it, left by {who}"
                    if count
                    else f"{out}: removed {lock_name} beside it, left by {who}"
                )
        except OSError:
            keep = True
        finally:
            with contextlib.suppress(OSError):
                _release(lock, remove=not keep)
    return notes


def _settle(out: Path, staging: Path, *, keep_complete: bool = True) -> tuple[str, int, int]:
    """Bring ``staging`` (inside ``out``) to an end: undo an unfinished move, then remove it.

    Safe to repeat after an interruption at any step. Returns the state found
    (``staging``, ``moving`` or ``done``), files restored and files removed.
    """
    restored = removed = 0
    if os.path.lexists(staging / _DONE):
        state = "done"
    elif os.path.lexists(staging / _MOVING):
        names = _read_list(staging / _MOVING)
        # Every file in place (a run killed just before its commit): the set is complete; keep it.
        # A run that failed itself undoes it all, as its error says.
        complete = keep_complete and not any(os.path.lexists(staging / name) for name in names)
        state = "done" if complete else "moving"
        backups = staging / _REPLACED
        for name in names if state == "moving" else ():
            staged, target, backup = staging / name, out / name, backups / name
            went_back = False
            if not os.path.lexists(staged) and os.path.lexists(target):
                _fs(os.replace, target, staged)  # the new file goes back; staged again, it is removed below
                went_back = True
            if os.path.lexists(backup):
                _fs(os.replace, backup, target)
                restored += 1
            elif went_back:
                removed += 1
            _phase("undo")
        _fs(os.unlink, staging / _MOVING)  # from here on, all that is left is staged files
    else:
        state = "staging"
    count = _remove_tree(staging)
    return state, restored, removed if state == "moving" else count


def _remove_tree(folder: Path) -> int:
    """Remove a staging folder (files, and the one folder of replaced files); return files removed.

    The journal goes last, so a run killed half-way through leaves it telling the truth.
    """
    if not os.path.lexists(folder):
        return 0
    count = 0
    markers = (_MOVING, _DONE, f"{_MOVING}.new")
    entries = sorted(os.scandir(folder), key=lambda e: (e.name != _REPLACED, e.name in markers))
    for entry in entries:
        if entry.name == _REPLACED and entry.is_dir(follow_symlinks=False):
            count += _remove_tree(Path(entry.path))
            continue
        _fs(os.unlink, entry.path)
        count += entry.name not in markers
        _phase("remove")
    _fs(os.rmdir, folder)
    return count


def _write_list(staging: Path, names: list[str], *, sync: bool) -> None:
    """Record the files about to move in, written whole before it takes its name."""
    draft = staging / f"{_MOVING}.new"
    write_new(draft, json.dumps(names, ensure_ascii=False).encode("utf-8"), 0o600, sync=sync)
    _fs(os.rename, draft, staging / _MOVING)


def _read_list(path: Path) -> list[str]:
    try:
        names = json.loads(path.read_bytes())
    except ValueError:
        names = None
    # Never act on a name that would leave the folder, whoever wrote the journal.
    if not isinstance(names, list) or not all(isinstance(n, str) and is_plain_name(n) for n in names):
        raise UnsafeOutputError(
            f"the journal of an interrupted certconv run is damaged: check the folder, then delete {_LOCK} "
            "and this staging folder",
            path=str(path.parent),
        )
    return names


# -- locks (the lock files themselves: certconv.output._locks) ------------------------------


def _release(lock: Lock, *, remove: bool) -> None:
    """Give the lock up; with ``remove``, delete its file too (POSIX: while still holding it)."""
    try:
        if remove and os.name != "nt":
            _fs(os.unlink, lock.path)
    finally:
        os.close(lock.fd)
    if remove and os.name == "nt":  # an open file cannot be deleted on Windows
        _fs(os.unlink, lock.path)


# -- file-system steps ---------------------------------------------------------------------


def _fs(op: Callable[..., None], *args: str | os.PathLike[str]) -> None:
    """Run one rename/replace/unlink/rmdir, retrying while Windows says another program holds the file."""
    for delay in (*_RETRY_DELAYS, None):
        try:
            op(*args)
            return
        except PermissionError as exc:
            if delay is None or not _held_by_another_program(exc):
                raise
        _sleep(delay)


def _held_by_another_program(exc: OSError) -> bool:
    return getattr(exc, "winerror", None) in _SHARING_ERRORS


def _failure(exc: OSError, out: Path) -> OutputError:
    if isinstance(exc, PermissionError) and _held_by_another_program(exc):
        return OutputError(
            f"{exc.filename}: another program (an antivirus scanner, Explorer, an editor) kept it open for 2 s; "
            "nothing was written: close it, wait a moment and try again"
        )
    return OutputError(f"could not write ({exc.strerror or exc}); nothing was written", path=str(out))
