"""Just enough ASN.1 to tell formats apart before handing bytes to ``cryptography``.

Only headers are read (tag, length); values are never interpreted beyond small
INTEGERs and OBJECT IDENTIFIERs. BER indefinite lengths are accepted where a
header is read, because real PKCS#12 files use them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DerError", "Tlv", "children", "decode_oid", "decode_small_int", "read_tlv"]

SEQUENCE = 0x30
INTEGER = 0x02
OID = 0x06
OCTET_STRING = 0x04


class DerError(ValueError):
    """The bytes are not a well-formed ASN.1 header where one was expected."""


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
        if count > 4 or pos + count > len(data):
            raise DerError("bad length")
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
    arcs: list[int] = []
    n = 0
    for byte in value:
        n = (n << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(n)
            n = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def decode_small_int(value: bytes) -> int:
    """An INTEGER's value (two's complement), for the small ones formats use as versions."""
    if not value or len(value) > 8:
        raise DerError("INTEGER out of range")
    return int.from_bytes(value, "big", signed=True)
