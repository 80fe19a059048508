"""Text files as Windows tools write them: byte-order marks, UTF-16, and code pages.

Notepad and ``Out-File -Encoding utf8`` start a file with the UTF-8 byte-order
mark; Windows PowerShell 5.1's ``>`` and ``Out-File`` write UTF-16LE with a BOM
and CRLF (``Get-Content a.pem > b.pem``). :func:`decode_bom` turns such text
into UTF-8 bytes, which is what PEM parsing and passwords use.
"""

from __future__ import annotations

import codecs

__all__ = ["BomError", "decode_bom", "encoding_problem"]

# Longest first: the UTF-32LE mark begins with the UTF-16LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, None, "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Bytes that plain text never holds (tab, LF, CR and the ASCII/Latin printables it does).
_NOT_TEXT = bytes(range(0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
_SNIFF = 4096  # enough of the head of a file to tell its encoding


class BomError(ValueError):
    """The data starts with a byte-order mark but is not valid text in that encoding."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        super().__init__(f"starts with a {encoding} byte-order mark but is not valid {encoding} text")


def decode_bom(data: bytes) -> tuple[bytes, str | None]:
    """``data`` without its byte-order mark, as UTF-8 bytes, and the encoding the mark named.

    A UTF-8 mark is only removed (the bytes after it are kept even if they are
    not all UTF-8); UTF-16 and UTF-32 text is decoded and re-encoded as UTF-8.
    Without a mark, ``data`` is returned as it is, with ``None``.

    Raises:
        BomError: a UTF-16 or UTF-32 mark followed by bytes that do not decode
            (a truncated file, or binary data that happens to start so).
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            rest = data[len(bom) :]
            if codec is None:
                return rest, label
            try:
                return rest.decode(codec).encode("utf-8"), label
            except UnicodeDecodeError:
                raise BomError(label) from None
    return data, None


def encoding_problem(data: bytes) -> str | None:
    """Why ``data``, which was not recognised, may be text in an encoding certconv does not read.

    ``None`` when it does not look like text at all (binary data of some other format).
    """
    head = data[:_SNIFF]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        # ASCII characters in UTF-16: every other byte is NUL, the others are not.
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
            return "looks like UTF-16LE text without a byte-order mark; save it as UTF-8 or ASCII"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
            return "looks like UTF-16BE text without a byte-order mark; save it as UTF-8 or ASCII"
    if head.translate(None, _NOT_TEXT) != head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sniffed head
            return (
                f"is text but not UTF-8 (byte 0x{head[exc.start]:02X} at offset {exc.start:,}: "
                "a Windows code page such as cp1252 or GBK?); save it as UTF-8 or ASCII"
            )
    return None
