""".NET binary serialisation (MS-NRBF) read as plain data, never executed.

Exchange's remote PowerShell adds a `SerializationData` member to the objects it
sends: the object's fields as `BinaryFormatter` wrote them. For some objects
that is the only place a fact is kept: `Get-ExchangeCertificate` output carries
`RawData` and nothing else in its properties, while `Services`, `Status` and the
friendly name are inside `SerializationData`.

This reader walks the record grammar of [MS-NRBF] and returns what the stream
describes: classes as `NrbfObject` (a dict of member values that knows its
class name; an enum is a class with one member, `value__`), arrays as lists
(`bytes` for byte arrays), strings, numbers, booleans, datetimes, timedeltas and
None. No type named in the stream is ever looked up or instantiated: this is
data, not code. Bad input is an InputError naming the byte.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from docgen.core.errors import InputError

# Record types ([MS-NRBF] 2.1.2.1 RecordTypeEnumeration).
_HEADER, _CLASS_WITH_ID, _SYSTEM_CLASS_UNTYPED, _CLASS_UNTYPED = 0, 1, 2, 3
_SYSTEM_CLASS_TYPED, _CLASS_TYPED, _STRING, _BINARY_ARRAY = 4, 5, 6, 7
_PRIMITIVE_TYPED, _REFERENCE, _NULL, _END, _LIBRARY = 8, 9, 10, 11, 12
_NULLS_256, _NULLS, _PRIMITIVE_ARRAY, _OBJECT_ARRAY, _STRING_ARRAY = 13, 14, 15, 16, 17

# Member types ([MS-NRBF] 2.1.2.2 BinaryTypeEnumeration).
_PRIMITIVE, _SYSTEM_CLASS, _CLASS, _PRIMITIVE_ARRAY_TYPE = 0, 3, 4, 7

# Primitive types ([MS-NRBF] 2.1.2.3): struct formats for the fixed-size ones.
_FIXED = {1: "<?", 2: "<B", 6: "<d", 7: "<h", 8: "<i", 9: "<q", 10: "<b", 11: "<f",
          12: "<q", 13: "<Q", 14: "<H", 15: "<I", 16: "<Q"}
_CHAR, _DECIMAL, _TIMESPAN, _DATETIME, _NULL_PRIMITIVE, _STRING_PRIMITIVE = 3, 5, 12, 13, 17, 18

_MAX_DEPTH = 64
_MAX_ELEMENTS = 1_000_000
_TICKS_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)
_SIGNED = b"#sig#"


class NrbfObject(dict):
    """One serialised class instance: member name -> value, and its class name."""

    def __init__(self, class_name: str, members: dict[str, Any] | None = None):
        super().__init__(members or {})
        self.class_name = class_name

    def __repr__(self) -> str:
        return f"NrbfObject({self.class_name!r}, {dict.__repr__(self)})"


def read_nrbf(data: bytes, source: str, where: str) -> Any:
    """The root object of a BinaryFormatter stream; InputError naming `where` and the byte."""
    return _Reader(data, source, where).read()


def read_serialization_data(data: bytes, source: str, where: str) -> Any:
    """An Exchange `SerializationData` blob: the stream, or the stream in its signed envelope.

    Exchange builds with signed serialisation (the November 2023 security updates
    and later) write "#sig#", the stream's length (Int32), the stream, then the
    signature. The signature is not checked: docgen has no key to check it with,
    and it reads the facts, it does not trust code to them.
    """
    if data.startswith(_SIGNED):
        if len(data) < len(_SIGNED) + 4:
            raise _Reader(data, source, where).error("a signed envelope that ends early", len(data))
        (length,) = struct.unpack_from("<i", data, len(_SIGNED))
        start = len(_SIGNED) + 4
        if not 0 <= length <= len(data) - start:
            raise _Reader(data, source, where).error(f"a signed envelope of {length} bytes", start)
        data = data[start:start + length]
    return read_nrbf(data, source, where)


def enum_value(value: Any) -> int | None:
    """A serialised enum's number (`value__`), or the number itself; None otherwise."""
    if isinstance(value, NrbfObject):
        value = value.get("value__")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


class _Ref:
    __slots__ = ("object_id",)

    def __init__(self, object_id: int):
        self.object_id = object_id


class _Nulls:
    __slots__ = ("count",)

    def __init__(self, count: int):
        self.count = count


class _Class:
    """A class's layout: what ClassWithId records refer back to."""

    __slots__ = ("name", "members", "types")

    def __init__(self, name: str, members: list[str], types: list[tuple[int, Any]] | None):
        self.name, self.members, self.types = name, members, types


class _Reader:
    def __init__(self, data: bytes, source: str, where: str):
        self.data = data
        self.pos = 0
        self.source = source
        self.where = where
        self.objects: dict[int, Any] = {}
        self.layouts: dict[int, _Class] = {}
        self.depth = 0

    # -- the stream ------------------------------------------------------------

    def read(self) -> Any:
        if self.byte() != _HEADER:
            raise self.error("not .NET binary serialisation data (no stream header)", 0)
        root_id = self.i32()
        self.take(12)  # header id, major and minor version
        while True:
            kind = self.peek()
            if kind == _END:
                self.pos += 1
                break
            self.record()
        if self.pos != len(self.data):
            raise self.error(f"{len(self.data) - self.pos} bytes after the end of the data")
        if root_id not in self.objects:
            raise self.error(f"the root object {root_id} is not in the data")
        self.resolve()
        return self.objects[root_id]

    def record(self) -> Any:
        """One record and what it stands for (a value, a reference, nulls)."""
        start = self.pos
        kind = self.byte()
        while kind == _LIBRARY:  # names an assembly for the next record: not a value
            self.i32()
            self.string()
            start, kind = self.pos, self.byte()
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"objects nested deeper than {_MAX_DEPTH}", start)
        try:
            return self._record(kind, start)
        finally:
            self.depth -= 1

    def _record(self, kind: int, start: int) -> Any:
        if kind in (_CLASS_TYPED, _SYSTEM_CLASS_TYPED, _CLASS_UNTYPED, _SYSTEM_CLASS_UNTYPED):
            object_id, layout = self.class_info(typed=kind in (_CLASS_TYPED, _SYSTEM_CLASS_TYPED))
            if kind in (_CLASS_TYPED, _CLASS_UNTYPED):
                self.i32()  # library id
            self.layouts[object_id] = layout
            return self.instance(object_id, layout)
        if kind == _CLASS_WITH_ID:
            object_id, metadata_id = self.i32(), self.i32()
            known = self.layouts.get(metadata_id)
            if known is None:
                raise self.error(f"a class refers to the layout of object {metadata_id}, "
                                 "which comes nowhere before it", start)
            return self.instance(object_id, known)
        if kind == _STRING:
            return self.register(self.i32(), self.string())
        if kind == _PRIMITIVE_TYPED:
            return self.primitive(self.byte())
        if kind == _REFERENCE:
            return _Ref(self.i32())
        if kind == _NULL:
            return None
        if kind == _NULLS_256:
            return _Nulls(self.byte())
        if kind == _NULLS:
            return _Nulls(self.count("null run"))
        if kind == _PRIMITIVE_ARRAY:
            object_id, length = self.i32(), self.count("array length")
            return self.register(object_id, self.primitives(self.byte(), length))
        if kind in (_OBJECT_ARRAY, _STRING_ARRAY):
            object_id, length = self.i32(), self.count("array length")
            return self.register(object_id, self.elements(length))
        if kind == _BINARY_ARRAY:
            return self.binary_array()
        raise self.error(f"unknown record type {kind}", start)

    # -- classes and arrays ------------------------------------------------------

    def class_info(self, typed: bool) -> tuple[int, _Class]:
        object_id = self.i32()
        name = self.string()
        members = [self.string() for _ in range(self.count("member count"))]
        types = None
        if typed:
            kinds = [self.byte() for _ in members]
            types = [(kind, self.type_info(kind)) for kind in kinds]
        return object_id, _Class(name, members, types)

    def type_info(self, kind: int) -> Any:
        if kind in (_PRIMITIVE, _PRIMITIVE_ARRAY_TYPE):
            return self.byte()
        if kind == _SYSTEM_CLASS:
            return self.string()
        if kind == _CLASS:
            name = self.string()
            self.i32()  # library id
            return name
        if kind in (1, 2, 5, 6):  # String, Object, ObjectArray, StringArray: nothing more
            return None
        raise self.error(f"unknown member type {kind}")

    def instance(self, object_id: int, layout: _Class) -> NrbfObject:
        obj = NrbfObject(layout.name)
        self.register(object_id, obj)
        for index, member in enumerate(layout.members):
            if layout.types is not None and layout.types[index][0] == _PRIMITIVE:
                obj[member] = self.primitive(layout.types[index][1])
                continue
            value = self.record()
            if isinstance(value, _Nulls):
                raise self.error(f"a run of nulls where member {member!r} of "
                                 f"{layout.name} was expected")
            obj[member] = value
        return obj

    def binary_array(self) -> Any:
        object_id, shape = self.i32(), self.byte()
        rank = self.i32()
        if not 1 <= rank <= 32:
            raise self.error(f"an array of rank {rank}")
        lengths = [self.count("array length") for _ in range(rank)]
        if shape in (3, 4, 5):
            self.take(4 * rank)  # lower bounds
        elif shape not in (0, 1, 2):
            raise self.error(f"unknown array shape {shape}")
        kind = self.byte()
        info = self.type_info(kind)
        total = 1
        for length in lengths:
            total *= length
            if total > _MAX_ELEMENTS:
                raise self.error(f"an array of more than {_MAX_ELEMENTS:,} elements")
        if kind == _PRIMITIVE:
            return self.register(object_id, self.primitives(info, total))
        return self.register(object_id, self.elements(total))

    def elements(self, length: int) -> list:
        if length > _MAX_ELEMENTS:
            raise self.error(f"an array of more than {_MAX_ELEMENTS:,} elements")
        values: list = []
        while len(values) < length:
            value = self.record()
            if isinstance(value, _Nulls):
                if value.count > length - len(values):
                    raise self.error("a run of nulls longer than its array")
                values.extend([None] * value.count)
            else:
                values.append(value)
        return values

    def primitives(self, kind: int, length: int) -> Any:
        size = struct.calcsize(_FIXED[kind]) if kind in _FIXED else 1
        if length * size > len(self.data) - self.pos:
            raise self.error(f"an array of {length:,} values runs past the end of the data")
        if kind == 2:
            return bytes(self.take(length))
        return [self.primitive(kind) for _ in range(length)]

    def register(self, object_id: int, value: Any) -> Any:
        if object_id in self.objects:
            raise self.error(f"object id {object_id} is used twice")
        self.objects[object_id] = value
        return value

    def resolve(self) -> None:
        """Member references point at objects that may come later: put the objects in."""
        for container in list(self.objects.values()):
            items: Any = (container.items() if isinstance(container, dict)
                          else enumerate(container) if isinstance(container, list) else ())
            for key, value in list(items):
                if isinstance(value, _Ref):
                    if value.object_id not in self.objects:
                        raise self.error(f"a reference to object {value.object_id}, "
                                         "which is not in the data")
                    container[key] = self.objects[value.object_id]

    # -- primitives --------------------------------------------------------------

    def primitive(self, kind: int) -> Any:
        if kind in (_TIMESPAN, _DATETIME):
            ticks = self.unpack(_FIXED[kind])
            if kind == _TIMESPAN:
                return timedelta(microseconds=ticks // 10)
            # the top two bits say UTC/local/unspecified; the time is taken as written
            try:
                return _TICKS_EPOCH + timedelta(microseconds=(ticks & 0x3FFF_FFFF_FFFF_FFFF) // 10)
            except OverflowError:
                raise self.error("a date out of range") from None
        if kind in _FIXED:
            return self.unpack(_FIXED[kind])
        if kind == _STRING_PRIMITIVE:
            return self.string()
        if kind == _NULL_PRIMITIVE:
            return None
        if kind == _DECIMAL:
            text = self.string()
            try:
                return Decimal(text)
            except InvalidOperation:
                raise self.error(f"not a decimal number: {text[:40]!r}") from None
        if kind == _CHAR:
            return self.char()
        raise self.error(f"unknown primitive type {kind}")

    def char(self) -> str:
        lead = self.peek()
        size = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        return self.decode(self.take(size))

    def string(self) -> str:
        length, shift = 0, 0
        for _ in range(5):
            part = self.byte()
            length |= (part & 0x7F) << shift
            shift += 7
            if not part & 0x80:
                break
        else:
            raise self.error("a string length longer than five bytes")
        return self.decode(self.take(length))

    def decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("text that is not UTF-8") from None

    def count(self, what: str) -> int:
        value = self.i32()
        if value < 0:
            raise self.error(f"a negative {what} ({value})")
        return value

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def i32(self) -> int:
        return int(self.unpack("<i"))

    def byte(self) -> int:
        return self.take(1)[0]

    def peek(self) -> int:
        if self.pos >= len(self.data):
            raise self.error("the data ends early")
        return self.data[self.pos]

    def take(self, size: int) -> bytes:
        if size > len(self.data) - self.pos:
            raise self.error("the data ends early", len(self.data))
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk

    def error(self, message: str, at: int | None = None) -> InputError:
        place = self.pos if at is None else at
        return InputError(f"unreadable .NET serialisation data: {message}", source=self.source,
                          where=f"{self.where}, byte {place}")
