"""Read an input path without hanging: regular files and pipes only, bounded in size and time.

``open()`` on a FIFO with no writer blocks until one appears (forever, if none
does), and reading ``/dev/zero`` never ends. So a path is checked with ``stat``
first and only a regular file or a FIFO is opened; a FIFO is opened
non-blocking and read with a deadline (:data:`PIPE_DEADLINE`) for the whole of
its content. Standard input is not read here: a Unix filter waits for the end
of its input, and the CLI keeps that.
"""

from __future__ import annotations

import os
import selectors
import stat
import time
from os import PathLike

from ..base._errors import Hint, InputError, InputTooLargeError

__all__ = ["PIPE_DEADLINE", "read_bounded"]

PIPE_DEADLINE = 5.0
"""Seconds a FIFO (named pipe, ``<(command)``) given as a path has to deliver all its data and close.

A FIFO nobody writes to would otherwise block ``open()`` forever. Pipe a slower
command to standard input (``-``) instead, which waits for its end.
"""

_CHUNK = 1 << 16
# Opening a device can have effects (a tape rewinds, a watchdog starts): refuse by stat before open.
_KINDS = (
    (stat.S_ISDIR, "is a folder"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)


def read_bounded(
    path: str | PathLike[str],
    limit: int,
    *,
    what: str,
    too_large: str,
    too_large_hint: Hint | None = None,
    deadline: float | None = None,
) -> bytes:
    """The bytes of ``path``, a regular file or a FIFO, refused past ``limit`` bytes.

    Args:
        path: The file to read.
        limit: Most bytes accepted; at most ``limit + 1`` are ever read.
        what: What the file should be, for messages (``"certificate file"``).
        too_large: The end of the message for an input over ``limit`` (``"input limit"``).
        too_large_hint: What to do about it, e.g. ``hint("raise it with {}", Option.MAX_INPUT_SIZE)``.
        deadline: Seconds a FIFO may take to deliver its data and close;
            default :data:`PIPE_DEADLINE`.

    Raises:
        InputError: no such file, not a regular file or FIFO, unreadable, or a
            FIFO that did not deliver its data in time.
        InputTooLargeError: more than ``limit`` bytes.
    """
    name = str(path)
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind:
            raise InputError(f"{kind}, not a {what}", path=name)
        # O_NONBLOCK: a FIFO opens at once even without a writer; for regular files it changes nothing.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)  # what was opened, which may not be what was checked a moment before
            kind = _kind(info.st_mode)
            if kind:
                raise InputError(f"{kind}, not a {what}", path=name)
            if stat.S_ISFIFO(info.st_mode):
                data = _read_pipe(fd, limit, name, PIPE_DEADLINE if deadline is None else deadline)
            else:
                if info.st_size > limit:
                    raise InputTooLargeError(
                        f"is {info.st_size:,} bytes, over the {limit:,}-byte {too_large}",
                        path=name,
                        hint=too_large_hint,
                    )
                with os.fdopen(fd, "rb", closefd=False) as handle:
                    data = handle.read(limit + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except PermissionError:
        raise InputError("permission denied", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path=name) from None
    except ValueError:  # a NUL byte in the path: no file can have that name
        raise InputError("is not a usable file name", path=name.replace("\0", "\\0")) from None
    if len(data) > limit:
        raise InputTooLargeError(f"is over the {limit:,}-byte {too_large}", path=name, hint=too_large_hint)
    return data


def _kind(mode: int) -> str | None:
    """What the file is when it is neither a regular file nor a FIFO."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "is not a regular file")


def _read_pipe(fd: int, limit: int, name: str, deadline: float) -> bytes:
    """Read a FIFO opened non-blocking until its writer closes it, within ``deadline`` seconds."""
    if not hasattr(os, "O_NONBLOCK"):  # Windows: no non-blocking open, so no safe way to wait
        raise InputError("is a pipe, which certconv reads only as standard input (-) here", path=name)
    chunks: list[bytes] = []
    size = 0
    end = time.monotonic() + deadline
    with selectors.DefaultSelector() as selector:
        # Linux reports a FIFO readable only once a writer has written or closed, never before one came.
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise InputError(_late(size, deadline), path=name)
            if not selector.select(remaining):
                continue
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            except BlockingIOError:
                continue
            if not chunk:  # every writer closed: the end of the input
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return b"".join(chunks)


def _late(size: int, deadline: float) -> str:
    if size == 0:
        return f"no data arrived within {deadline:g} s (a FIFO or pipe with no writer?)"
    return (
        f"the pipe did not end within {deadline:g} s ({size:,} bytes arrived; is its writer still running?); "
        "save the data to a file first"
    )
