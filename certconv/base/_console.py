"""Console text: escapes, display width, code-page fallbacks, JSON escaping, and writing to a stream.

Everything certconv shows a person passes through here:

* :func:`printable` makes a string from outside certconv (a subject, a SAN, an
  AIA URL, a friendly name, a file name, an OpenSSL message) one line of visible
  characters: every control (C0, C1, DEL, ESC), format (bidi overrides and
  isolates, LRM/RLM/ALM, zero-width) and line or paragraph separator becomes a
  Python-style escape (``\\x1b``, ``\\u202e``), so no value can clear the screen,
  write the clipboard (OSC 52), reorder text or forge a line of a verdict.
* :func:`width`, :func:`ljust` and :func:`shorten` measure by terminal columns
  (East Asian wide and full-width characters take two, combining marks none), so
  a table of Chinese names stays aligned.
* :func:`fit` turns text into what an encoding can hold: certconv's own symbols
  (``→``, ``…``, tree lines, ``✗``, ``🔑``) become ASCII (``->``, ``...``,
  ``|--``, ``x``, ``[key]``) and any other character the encoding lacks becomes
  an escape. Renderers apply it to table cells so columns stay aligned in the
  encoding of the stream; :func:`emit` applies it to everything it writes.
* :func:`json_text` makes a JSON document safe for a stream: ``\\uXXXX`` escapes
  for all non-ASCII when the stream is not UTF-8, and always for C1 controls,
  bidi controls, line separators and lone surrogates.

Render functions return ``str`` and never print; only the CLI calls
:func:`emit` and :func:`prepare_stream`.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import functools
import os
import re
import unicodedata
from typing import IO

__all__ = [
    "SYMBOLS",
    "emit",
    "emit_bytes",
    "fit",
    "is_utf",
    "json_text",
    "ljust",
    "prepare_stream",
    "printable",
    "shorten",
    "stream_encoding",
    "width",
]

SYMBOLS = {
    "→": "->",
    "←": "<-",
    "…": "...",
    "·": "-",
    "├": "|",
    "└": "`",
    "│": "|",
    "─": "-",
    "✗": "x",
    "✓": "v",
    "🔑": "[key]",
    "—": "--",
    "–": "-",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "×": "x",
    "µ": "u",
    "²": "^2",
    "§": "S.",
    "≤": "<=",
    "≥": ">=",
}
"""certconv's own non-ASCII symbols and what is shown where the stream's encoding lacks them.

Tree lines keep their width (``├── `` → ``|-- ``, ``└── `` → ``` `-- ```), so a tree stays a tree.
"""

# The characters of a value that must not reach a terminal as themselves: str.isprintable()
# is False for each (categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs but for the ASCII space).
# The one C call keeps the clean, usual name cheap; a dirty one is rebuilt.


def printable(text: str) -> str:
    """``text`` as one line of visible characters: controls, format and separator characters as escapes.

    ``"a\\x1b[2Jb"`` → ``"a\\\\x1b[2Jb"``; ``"\\u202eevil"`` → ``"\\\\u202eevil"``; a newline
    becomes ``\\n`` written out, so a value can never start a line of its own.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def width(text: str) -> int:
    """Terminal columns of ``text``: 2 for East Asian wide/full-width characters, 0 for combining marks."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ljust(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (as ``str.ljust`` by width)."""
    return text + " " * (columns - width(text))


def shorten(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` terminal columns, ending in ``…`` when cut."""
    if width(text) <= columns:
        return text
    kept, used = [], 1  # room for the ellipsis
    for ch in text:
        w = _char_width(ch)
        if used + w > columns:
            break
        kept.append(ch)
        used += w
    return "".join(kept) + "…"


# -- encodings ---------------------------------------------------------------------------


def is_utf(encoding: str | None) -> bool:
    """Whether ``encoding`` holds every character (``None``: text that stays text, also UTF-*)."""
    if encoding is None:
        return True
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith("utf")


def stream_encoding(stream: IO[str] | None) -> str | None:
    """The encoding of ``stream``; ``None`` when it takes any character (UTF-*, or no encoding)."""
    encoding = getattr(stream, "encoding", None)
    return None if not isinstance(encoding, str) or is_utf(encoding) else encoding


def fit(text: str, encoding: str | None) -> str:
    """``text`` as ``encoding`` can hold it: symbols of :data:`SYMBOLS` as ASCII, other characters as escapes.

    ``None`` (or a UTF encoding) keeps every character but lone surrogates, which no
    UTF codec writes (a file name with bytes that are not UTF-8): those become escapes.
    """
    if text.isascii():
        return text
    if is_utf(encoding):
        return _SURROGATES.sub(lambda m: _escape(m.group()), text)
    try:
        text.encode(encoding or "ascii")
    except UnicodeEncodeError:
        pass
    except LookupError:
        encoding = "ascii"
    else:
        return text
    return text.encode(encoding or "ascii", errors=_errors()).decode(encoding or "ascii")


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(SYMBOLS.get(c) or _escape(c) for c in bad), exc.end


_ERRORS = "certconv-fallback"


@functools.cache
def _errors() -> str:
    """The name of the codec error handler doing :func:`fit`'s fallback, registered on first use."""
    codecs.register_error(_ERRORS, _fallback)
    return _ERRORS

_SURROGATES = re.compile("[\ud800-\udfff]")

# Characters JSON text always carries as \uXXXX escapes: C1 controls (CSI is \x9b), bidi
# controls and marks, line/paragraph separators (JavaScript ends a string there), lone
# surrogates (no UTF codec writes them). json.dumps already escapes C0 and DEL.
_JSON_ALWAYS = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(text: str, encoding: str | None = None) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) made safe for a stream in ``encoding``.

    Outside strings JSON is ASCII, so every escape lands inside a string and decodes to
    the same value: the document parses to exactly what it did.
    """
    if text.isascii():
        return text
    return (_JSON_ALWAYS if is_utf(encoding) else _NON_ASCII).sub(_json_escape, text)


# -- streams (the CLI only) --------------------------------------------------------------

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def prepare_stream(stream: IO[str] | None) -> None:
    """Make ``stream`` write characters its encoding lacks as :func:`fit` does, instead of failing.

    Covers what certconv does not write through :func:`emit` (help and usage errors
    of typer/click): on a Windows code page they print, they never raise; in UTF-8,
    a file name that is not UTF-8 (lone surrogates) is written with escapes.
    """
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(OSError, ValueError):  # a stream already closed, or one that cannot change
            reconfigure(errors=_errors())


def emit(text: str, stream: IO[str] | None, *, newline: bool = True, ansi: bool = False) -> OSError | None:
    """Write ``text`` to ``stream`` in its encoding, never failing because of the text or the stream.

    A last guard: a control character that reached here (a renderer forgot :func:`printable`)
    is written as an escape; only ``\\n``, ``\\t`` and, with ``ansi``, colour codes stay.
    When the stream cannot be written (the reader went away, ``| head``; a full disk),
    the rest of the output is dropped and the error returned, not raised: the command
    ends with the exit code its work earned.

    Returns:
        ``None`` when written; else the ``OSError`` (``errno.EPIPE`` for a reader that went away).
    """
    if stream is None:
        return None
    if ansi:
        text = "\x1b".join(_CONTROLS.sub(lambda m: _escape(m.group()), part) for part in _split_sgr(text))
    else:
        text = _CONTROLS.sub(lambda m: _escape(m.group()), text)
    text = fit(text, stream_encoding(stream))
    try:
        stream.write(text + "\n" if newline else text)
        stream.flush()
    except OSError as exc:
        _silence(stream)
        return exc
    return None


def emit_bytes(data: bytes, stream: IO[str] | None) -> OSError | None:
    """Write ``data`` unchanged to ``stream``'s binary buffer (a DER or PFX to a pipe), as :func:`emit` writes text.

    Returns:
        ``None`` when written; else the ``OSError`` (the stream is then silenced). A closed
        stream (``None``) is ``EBADF``: unlike text, bytes asked for on standard output are the result.
    """
    if stream is None:
        return OSError(errno.EBADF, "standard output is closed")
    try:
        stream.flush()
        stream.buffer.write(data)  # type: ignore[attr-defined]
        stream.buffer.flush()  # type: ignore[attr-defined]
    except OSError as exc:
        _silence(stream)
        return exc
    return None


def _split_sgr(text: str) -> list[str]:
    """``text`` cut at each ESC of a colour code (the ESC itself left out), other ESCs kept."""
    parts, start = [], 0
    for match in _SGR.finditer(text):
        parts.append(text[start : match.start()])
        start = match.start() + 1
    parts.append(text[start:])
    return parts


def _silence(stream: IO[str]) -> None:
    # The interpreter flushes stdout once more at exit: point the descriptor at the null
    # device so that flush goes nowhere instead of printing "Exception ignored … BrokenPipeError"
    # (or the full disk's error) after the command has ended.
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
