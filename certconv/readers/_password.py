"""Passwords as PKCS#12 and OpenSSL can take them, and password files as Windows writes them.

:func:`password_bytes` is the one check every password passes before it
reaches ``cryptography`` (opening PKCS#12 files and encrypted PEM keys, and
protecting new ones): OpenSSL takes passwords as C strings, so a NUL byte made
``cryptography``'s Rust code panic (``pyo3_runtime.PanicException``, which is
no ``Exception``) or silently cut the new password short; and a gigabyte
"password" cost seconds and gigabytes before any of that.

:func:`read_password_file` reads the first line of a file the way the user typed
it, whatever wrote the file: Notepad and ``Out-File -Encoding utf8`` (UTF-8 with
a byte-order mark), Windows PowerShell 5.1's ``"pw" > pw.txt`` (UTF-16LE with a
BOM and CRLF), UTF-16BE or UTF-32 with a BOM. Bytes without a BOM are kept as
they are, so a Latin-1 password from an old Windows export still opens legacy
PKCS#12 files (see :func:`certconv.readers._pkcs12_open.utf8_password`).
"""

from __future__ import annotations

from os import PathLike

from ..base._errors import PasswordError
from ..base._face import publish
from ._bom import BomError, decode_bom
from ._open import read_bounded

__all__ = [
    "MAX_PASSWORD_FILE_SIZE",
    "MAX_PASSWORD_SIZE",
    "decode_password_file",
    "password_bytes",
    "read_password_file",
]

MAX_PASSWORD_SIZE = 64 * 1024
"""Longest password accepted, in bytes (UTF-8). Real ones are under a few hundred."""

MAX_PASSWORD_FILE_SIZE = 1024 * 1024
"""Largest password file read; at most this plus one byte is ever read from it."""


def password_bytes(password: str | bytes | None, *, what: str = "password") -> bytes | None:
    """``password`` as the bytes given to PKCS#12 and OpenSSL, refused if they cannot take it.

    A ``str`` is encoded as UTF-8, with ``surrogateescape`` so that arguments and
    environment values keep their original bytes.

    Raises:
        PasswordError: the password holds a NUL character or is longer than
            :data:`MAX_PASSWORD_SIZE` bytes. The message never shows it.
    """
    if password is None:
        return None
    secret = password.encode("utf-8", "surrogateescape") if isinstance(password, str) else bytes(password)
    if len(secret) > MAX_PASSWORD_SIZE:
        raise PasswordError(
            f"{what} is {len(secret):,} bytes, over the {MAX_PASSWORD_SIZE:,}-byte limit; "
            "no real password is that long (is it the right file?)"
        )
    if b"\0" in secret:
        raise PasswordError(
            f"{what} contains a NUL character, which PKCS#12 and OpenSSL cannot take "
            "(a UTF-16 file without a byte-order mark? save it as UTF-8)"
        )
    return secret


def decode_password_file(data: bytes, *, name: str = "<password file>") -> bytes:
    """The password in the first line of a password file's ``data``.

    A file that starts with a byte-order mark is decoded and the password
    returned as UTF-8; without one the bytes are kept. Line ends (LF, CRLF, CR)
    are not part of the password; everything else on the line is.

    Raises:
        PasswordError: the file starts with a BOM but is not valid text in that encoding.
    """
    try:
        data, _ = decode_bom(data)
    except BomError as exc:
        raise PasswordError(f"{exc}; save it as UTF-8", path=name) from None
    # bytes.splitlines breaks at LF, CR and CRLF only (str.splitlines would also break at U+2028 and others).
    return data.splitlines()[0] if data else b""


def read_password_file(path: str | PathLike[str], *, deadline: float | None = None) -> bytes:
    """The password in the first line of the file ``path`` (see :func:`decode_password_file`).

    Only a regular file or a FIFO is read (``<(command)``), at most
    :data:`MAX_PASSWORD_FILE_SIZE` bytes, and a FIFO within ``deadline`` seconds
    (default :data:`certconv.readers._open.PIPE_DEADLINE`).

    Raises:
        InputError: the file cannot be read, is a device, folder or socket, or
            a FIFO that did not deliver in time.
        InputTooLargeError: the file is over :data:`MAX_PASSWORD_FILE_SIZE` bytes.
        PasswordError: see :func:`decode_password_file`.
    """
    data = read_bounded(
        path,
        MAX_PASSWORD_FILE_SIZE,
        what="password file",
        too_large="limit for a password file (the password is its first line)",
        deadline=deadline,
    )
    return decode_password_file(data, name=str(path))


publish(globals())
