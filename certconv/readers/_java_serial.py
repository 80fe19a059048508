"""Java serialization (Object Serialization Specification §6.4), only to find where a JCEKS secret-key entry ends.

A secret-key entry is one ``SealedObject`` stream with no length before it, so
the keystore parser must step over the stream to reach the next entry. The
:class:`Cursor` both read with (Java's ``DataInput``: big-endian fields, modified UTF-8)
is here too, below :mod:`certconv.readers._jks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..base._console import printable
from ..base._errors import CorruptInputError, UnsupportedFormatError

__all__ = ["Cursor", "JavaStream", "java_utf"]

_MAX_SERIAL_ELEMENTS = 10_000  # one SealedObject stream holds about 20
_MAX_SERIAL_DEPTH = 16

_TC_NULL, _TC_REFERENCE, _TC_CLASSDESC, _TC_OBJECT, _TC_STRING, _TC_ARRAY, _TC_CLASS = range(0x70, 0x77)
_TC_BLOCKDATA, _TC_ENDBLOCKDATA, _TC_BLOCKDATALONG, _TC_LONGSTRING, _TC_ENUM = 0x77, 0x78, 0x7A, 0x7C, 0x7E
_BASE_HANDLE = 0x7E0000
_SC_WRITE_METHOD, _SC_SERIALIZABLE, _SC_EXTERNALIZABLE, _SC_BLOCK_DATA = 0x01, 0x02, 0x04, 0x08
_PRIMITIVE_SIZES = {"B": 1, "C": 2, "D": 8, "F": 4, "I": 4, "J": 8, "S": 2, "Z": 1}


class Cursor:
    """Reads big-endian fields (Java's ``DataInput``), checking each length against what is left first."""

    def __init__(self, data: bytes, name: str, kind: str) -> None:
        self.data = data
        self.pos = 0
        self.name = name
        self.kind = kind
        self.where = "its header"

    def take(self, size: int, what: str) -> bytes:
        left = len(self.data) - self.pos
        if size > left:
            raise CorruptInputError(
                f"{self.kind} keystore is truncated in {self.where}: {what} needs {size:,} bytes, {left:,} are left",
                path=self.name,
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u1(self, what: str) -> int:
        return self.take(1, what)[0]

    def u2(self, what: str) -> int:
        return int.from_bytes(self.take(2, what), "big")

    def u4(self, what: str) -> int:
        return int.from_bytes(self.take(4, what), "big")

    def utf(self, what: str) -> str:
        return java_utf(self.take(self.u2(f"the length of {what}"), what))


def java_utf(raw: bytes) -> str:
    """Java's modified UTF-8 (``DataOutput.writeUTF``): NUL as C0 80, other planes as surrogate pairs."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.replace(b"\xc0\x80", b"\0").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not even modified UTF-8: damaged, but only a name
        return raw.decode("utf-8", "replace")
    # Join surrogate pairs; a lone surrogate becomes U+FFFD (it could not be written out again).
    return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace")


@dataclass(slots=True)
class _ClassDesc:
    name: str
    flags: int = 0
    fields: list[str] = field(default_factory=list)  # type codes, in stream order
    parent: _ClassDesc | None = None


class JavaStream:
    """Steps over one Java serialization stream (Object Serialization Specification §6.4).

    Only what a ``SealedObject`` can contain is followed: objects, class
    descriptions, strings, arrays, enums, block data and back-references. The
    values are not kept. Elements and nesting are counted, and every length is
    checked against the bytes left, so a crafted stream costs little.
    """

    def __init__(self, cursor: Cursor, alias: str) -> None:
        self.cursor = cursor
        self.alias = printable(alias)
        self.handles: list[_ClassDesc | None] = []
        self.budget = _MAX_SERIAL_ELEMENTS

    def skip(self) -> None:
        if self.cursor.take(4, "the secret key's serialization header") != b"\xac\xed\x00\x05":
            self._unsupported("it does not start with a Java serialization header")
        self._content(self.cursor.u1("the secret key"), 0)

    def _unsupported(self, why: str) -> None:
        raise UnsupportedFormatError(
            f"JCEKS keystore entry '{self.alias}' is a secret-key entry certconv cannot step over ({why}); "
            f"secret-key entries are not supported: remove it (keytool -delete -alias {self.alias}) or "
            "export the certificates with keytool -exportcert",
            path=self.cursor.name,
        )

    def _content(self, tag: int, depth: int) -> _ClassDesc | None:
        """Read one element whose tag byte was just read; a class description is returned."""
        self.budget -= 1
        if self.budget < 0 or depth > _MAX_SERIAL_DEPTH:
            self._unsupported("it is nested or repeated more than a sealed key ever is")
        c = self.cursor
        if tag == _TC_NULL:
            return None
        if tag == _TC_REFERENCE:
            handle = c.u4("a back-reference") - _BASE_HANDLE
            if not 0 <= handle < len(self.handles):
                self._unsupported("it refers to an object it does not hold")
            return self.handles[handle]
        if tag == _TC_CLASSDESC:
            desc = _ClassDesc(c.utf("a class name"))
            c.take(8, "a serialVersionUID")
            self.handles.append(desc)
            desc.flags = c.u1("class flags")
            for _ in range(c.u2("a field count")):
                code = chr(c.u1("a field type"))
                c.utf("a field name")
                if code in "[L":
                    self._content(c.u1("a field's class name"), depth + 1)
                elif code not in _PRIMITIVE_SIZES:
                    self._unsupported(f"unknown field type {code!r}")
                desc.fields.append(code)
            self._annotations(depth)
            desc.parent = self._class_desc(depth)
            return desc
        if tag == _TC_OBJECT:
            of_class = self._class_desc(depth)
            self.handles.append(None)
            self._object_data(of_class, depth)
            return None
        if tag == _TC_STRING:
            c.take(c.u2("a string's length"), "a string")
        elif tag == _TC_LONGSTRING:
            c.take(int.from_bytes(c.take(8, "a long string's length"), "big"), "a long string")
        elif tag == _TC_ARRAY:
            of_class = self._class_desc(depth)
            self.handles.append(None)
            self._array(of_class, depth)
            return None
        elif tag == _TC_ENUM:
            self._class_desc(depth)
            self.handles.append(None)
            self._content(c.u1("an enum constant's name"), depth + 1)
            return None
        elif tag == _TC_CLASS:
            self._class_desc(depth)
        elif tag == _TC_BLOCKDATA:
            c.take(c.u1("a data block's length"), "a data block")
            return None
        elif tag == _TC_BLOCKDATALONG:
            c.take(c.u4("a data block's length"), "a data block")
            return None
        else:
            self._unsupported(f"serialization element 0x{tag:02x}")
        self.handles.append(None)
        return None

    def _class_desc(self, depth: int) -> _ClassDesc | None:
        tag = self.cursor.u1("a class description")
        if tag not in (_TC_CLASSDESC, _TC_REFERENCE, _TC_NULL):
            self._unsupported(f"serialization element 0x{tag:02x} where a class description belongs")
        desc = self._content(tag, depth + 1)
        if tag == _TC_REFERENCE and desc is None:
            self._unsupported("a back-reference to something that is not a class")
        return desc

    def _annotations(self, depth: int) -> None:
        while (tag := self.cursor.u1("class annotations")) != _TC_ENDBLOCKDATA:
            self._content(tag, depth + 1)

    def _object_data(self, desc: _ClassDesc | None, depth: int) -> None:
        lineage: list[_ClassDesc] = []
        while desc is not None:
            if len(lineage) > _MAX_SERIAL_DEPTH:
                self._unsupported("its class hierarchy is deeper than a sealed key's")
            lineage.append(desc)
            desc = desc.parent
        for cls in reversed(lineage):  # superclass data first
            if cls.flags & _SC_EXTERNALIZABLE:
                if not cls.flags & _SC_BLOCK_DATA:
                    self._unsupported("an externalizable object of the old protocol")
                self._annotations(depth)
                continue
            for code in cls.fields:
                self._value(code, depth)
            if cls.flags & _SC_WRITE_METHOD:
                self._annotations(depth)

    def _value(self, code: str, depth: int) -> None:
        if code in _PRIMITIVE_SIZES:
            self.cursor.take(_PRIMITIVE_SIZES[code], "a field value")
        else:
            self._content(self.cursor.u1("a field value"), depth + 1)

    def _array(self, desc: _ClassDesc | None, depth: int) -> None:
        size = self.cursor.u4("an array's length")
        component = desc.name[1:2] if desc is not None and desc.name.startswith("[") else ""
        if component in _PRIMITIVE_SIZES:
            self.cursor.take(size * _PRIMITIVE_SIZES[component], "an array")
        elif component in ("L", "["):
            if size > len(self.cursor.data) - self.cursor.pos:  # every element takes a byte at least
                self.cursor.take(size, "an array")
            for _ in range(size):
                self._content(self.cursor.u1("an array element"), depth + 1)
        else:
            self._unsupported("an array of an unknown type")
