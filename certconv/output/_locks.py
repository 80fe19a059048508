"""The lock files of an all-or-nothing write: taken without waiting, released by the OS when their holder dies.

The operating system's locks (``flock`` on POSIX, ``msvcrt.locking`` on Windows) are
released even when their holder is killed by ``kill -9``; where the file system has
none, the pid and host a lock file records tell whether its writer still runs.
:mod:`certconv.output._atomic` decides what to do with a lock another run left.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base._errors import UnsafeOutputError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

__all__ = ["Held", "Lock", "alive", "hold", "host", "peek", "pid_text", "take", "write_header"]

_MAX_HEADER = 64 * 1024
# msvcrt.locking locks bytes; locking one far past the header keeps the header readable.
_WINDOWS_LOCK_OFFSET = 1 << 30


class Held(Exception):
    def __init__(self, header: dict[str, Any] | None) -> None:
        super().__init__()
        self.header = header


@dataclass(slots=True)
class Lock:
    path: Path
    fd: int
    left: dict[str, Any] | None  # the header a killed holder left; None: new or empty


def hold(path: Path) -> Lock:
    """Hold the lock file ``path``, making it when missing. Raises Held when another process holds it."""
    lock = take(path, create=True)
    if lock is None:  # take(create=True) makes the file instead
        raise OSError(errno.ENOENT, "the lock file vanished", str(path))
    return lock


def take(path: Path, *, create: bool) -> Lock | None:
    """Hold the lock file ``path`` (made when ``create``); None: it vanished. Raises Held when taken."""
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | (os.O_CREAT if create else 0)
    for _ in range(100):
        try:
            fd = os.open(path, flags, 0o644)
        except FileNotFoundError:
            if create:
                raise
            return None
        kept = False
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UnsafeOutputError("is not a regular file; remove it and try again", path=str(path))
            locked = try_os_lock(fd)
            header = read_header(fd)
            if locked is None:  # no locks on this file system: does the writer recorded in it still run?
                locked = header is None or not alive(header)
            if not locked:
                raise Held(header)
            # The file may have been removed by its holder between our open and our lock:
            # then we hold a file nobody else will look at, and must open the new one.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                kept = True
                return Lock(path, fd, header)
            if not create:
                return None
        finally:
            if not kept:
                os.close(fd)
    raise OSError(errno.EAGAIN, "the lock file keeps changing", str(path))


def try_os_lock(fd: int) -> bool | None:
    """Lock ``fd`` without waiting: True when held now, False when another holds it, None: no locks here."""
    if sys.platform == "win32":
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            return None
        raise
    return True


def read_header(fd: int) -> dict[str, Any] | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, _MAX_HEADER)
    try:
        header = json.loads(data)
    except ValueError:
        return None  # empty: just made, or its writer was killed before it wrote one
    return header if isinstance(header, dict) else None


def peek(path: Path) -> dict[str, Any] | None:
    """The header of a lock file, read without taking the lock."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        return read_header(fd)
    finally:
        os.close(fd)


def write_header(lock: Lock, **fields: str) -> None:
    header = {"certconv": 1, "pid": os.getpid(), "host": host(), **fields}
    data = json.dumps(header).encode("utf-8")
    os.ftruncate(lock.fd, 0)
    os.lseek(lock.fd, 0, os.SEEK_SET)
    os.write(lock.fd, data)  # a few dozen bytes at offset 0: one page, never torn by a kill


def alive(header: dict[str, Any]) -> bool:
    """Whether the writer named in ``header`` may still run (only where there are no OS locks)."""
    pid = header.get("pid")
    if not isinstance(pid, int) or header.get("host") != host() or os.name != "posix":
        return True  # cannot tell: do not break it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def host() -> str:
    import socket

    return socket.gethostname()


def pid_text(header: dict[str, Any] | None) -> str:
    pid = (header or {}).get("pid")
    return f" (pid {pid})" if isinstance(pid, int) else ""
