"""Just enough ASN.1 to tell formats apart before handing bytes to ``cryptography``.

Only headers are read (tag, length); values are never interpreted beyond small
INTEGERs and OBJECT IDENTIFIERs. BER indefinite lengths are accepted where a
header is read, because real PKCS#12 files use them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DerError", "NestingError", "Tlv", "Walker", "children", "decode_oid", "decode_small_int", "read_tlv"]

SEQUENCE = 0x30
INTEGER = 0x02
OID = 0x06
OCTET_STRING = 0x04


class DerError(ValueError):
    """The bytes are not a well-formed ASN.1 header where one was expected."""


class NestingError(DerError):
    """Well-formed so far, but nested deeper or built of more elements than a :class:`Walker` allows."""


@dataclass(frozen=True, slots=True)
class Tlv:
    """One ASN.1 element: ``tag``, where its value starts and ends in the buffer.

    ``end`` is ``None`` for a BER indefinite-length element (its end is only known
    by parsing its children).
    """

    tag: int
    start: int
    value_start: int
    end: int | None

    def value(self, data: bytes) -> bytes:
        """The value octets (only for definite-length elements)."""
        if self.end is None:
            raise DerError("indefinite length")
        return data[self.value_start : self.end]


def read_tlv(data: bytes, offset: int = 0) -> Tlv:
    """Read the element header at ``offset``; check that its value fits in ``data``."""
    if offset + 2 > len(data):
        raise DerError("truncated header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used by these formats")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        if not tag & 0x20:
            raise DerError("indefinite length on a primitive element")
        return Tlv(tag, offset, pos, None)
    else:
        count = first & 0x7F
        if count > 4:
            raise DerError("bad length")
        if pos + count > len(data):
            raise DerError("truncated header")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise DerError("value runs past the end of the data")
    return Tlv(tag, offset, pos, pos + length)


def children(data: bytes, parent: Tlv, limit: int = 8) -> list[Tlv]:
    """The first ``limit`` children of a constructed element (definite or not)."""
    found: list[Tlv] = []
    pos = parent.value_start
    end = parent.end if parent.end is not None else len(data)
    while pos < end and len(found) < limit:
        if parent.end is None and data[pos : pos + 2] == b"\x00\x00":
            break  # end-of-contents of an indefinite-length parent
        child = read_tlv(data, pos)
        found.append(child)
        if child.end is None:
            break  # cannot skip an indefinite child without parsing it fully
        pos = child.end
    return found


def decode_oid(value: bytes) -> str:
    """Dotted form of an OBJECT IDENTIFIER's value octets."""
    if not value:
        raise DerError("empty OID")
    if len(value) > 128:  # real OIDs have under 40 octets; long ones would cost quadratic time here
        raise DerError("OID too long")
    arcs: list[int] = []
    n = 0
    for byte in value:
        n = (n << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(n)
            n = 0
    if value[-1] & 0x80:
        raise DerError("truncated OID")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def decode_small_int(value: bytes) -> int:
    """An INTEGER's value (two's complement), for the small ones formats use as versions."""
    if not value or len(value) > 8:
        raise DerError("INTEGER out of range")
    return int.from_bytes(value, "big", signed=True)


MAX_DEPTH = 32
"""Deepest nesting a :class:`Walker` follows. PKCS#12 needs about 12 levels; OpenSSL stops at 30."""

MAX_HEADERS = 200_000
"""Most element headers one :class:`Walker` reads: bounds the time spent on one input."""

_CONSTRUCTED_OCTET_STRING = 0x24


class Walker:
    """Bounded reading of a BER structure: children, ends, and octet strings.

    Unlike :func:`children`, a walker can step over indefinite-length elements
    (by reading what is inside them) and join constructed OCTET STRINGs, as BER
    PKCS#12 files need. Every header read counts against ``max_headers`` and
    every level against ``max_depth``, so a crafted input (thousands of nested
    indefinite lengths, millions of empty elements) is refused quickly with
    :class:`NestingError` instead of recursing or looping for long.
    """

    def __init__(self, data: bytes, *, max_depth: int = MAX_DEPTH, max_headers: int = MAX_HEADERS) -> None:
        self.data = data
        self.max_depth = max_depth
        self.budget = max_headers

    def tlv(self, offset: int) -> Tlv:
        """The header at ``offset`` (counted against the budget)."""
        self.budget -= 1
        if self.budget < 0:
            raise NestingError("more ASN.1 elements than certconv reads in one input")
        return read_tlv(self.data, offset)

    def end(self, tlv: Tlv, depth: int = 0) -> int:
        """Where ``tlv`` ends, reading through it when its length is indefinite."""
        if tlv.end is not None:
            return tlv.end
        return self._scan(tlv, depth)[1]

    def children(self, tlv: Tlv, depth: int = 0) -> list[Tlv]:
        """All children of the constructed element ``tlv``."""
        if not tlv.tag & 0x20:
            raise DerError(f"expected a constructed element, found tag 0x{tlv.tag:02x}")
        return self._scan(tlv, depth)[0]

    def octets(self, tlv: Tlv, depth: int = 0) -> bytes:
        """The content of an OCTET STRING, primitive or constructed (BER) in pieces."""
        if not tlv.tag & 0x20:
            return tlv.value(self.data)
        return b"".join(self.octets(piece, depth + 1) for piece in self.children(tlv, depth))

    def _scan(self, tlv: Tlv, depth: int) -> tuple[list[Tlv], int]:
        if depth >= self.max_depth:
            raise NestingError(f"ASN.1 nested deeper than {self.max_depth} levels")
        found: list[Tlv] = []
        pos = tlv.value_start
        limit = tlv.end if tlv.end is not None else len(self.data)
        while pos < limit:
            if tlv.end is None and self.data[pos : pos + 2] == b"\0\0":
                return found, pos + 2  # end-of-contents octets
            child = self.tlv(pos)
            found.append(child)
            pos = self.end(child, depth + 1)
            if pos > limit:
                raise DerError("an element runs past the end of its parent")
        if tlv.end is None:
            raise DerError("indefinite-length element without end-of-contents")
        return found, pos
