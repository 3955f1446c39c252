"""PowerShell's lossless format, CLIXML (`Export-Clixml`), read as plain Python data.

`Export-Clixml` keeps what `ConvertTo-Json` loses: real types, full depth, bytes,
dates with their zone. The document is `<Objs>` in the namespace
http://schemas.microsoft.com/powershell/2004/04 holding one element per object
([MS-PSRP] 2.2.5). It is parsed with docgen.readers.xml's hardened settings (no
DTD, no entities, no network) and mapped to:

========================  ====================================================
CLIXML                    Python
========================  ====================================================
`<Obj>` with properties   PSObject: a dict of `<Props>` then `<MS>` by name,
                          with `.type_names` (`<TN>`/`<TNRef>`) and `.to_string`
`<Obj>` with `<LST>`,     PSList: a list, with `.type_names`, `.to_string` and
`<IE>`, `<STK>`, `<QUE>`  `.properties` (any `<Props>`/`<MS>` beside the items)
`<Obj>` with `<DCT>`      PSDict: a dict of the entries, with the same three
an enum (`System.Enum`)   PSEnum(name=`<ToString>`, value=the number)
a wrapped primitive       the primitive itself (its note properties dropped)
`<Ref RefId>`             the same Python object as the `<Obj>` it names
`<S>` `<C>` `<URI>` ...   str (`_xHHHH_` escapes decoded, as in names)
`<B>`                     bool
`<By>` `<I32>` `<U64>`..  int
`<Sg>` `<Db>` / `<D>`     float / Decimal
`<DT>` / `<TS>`           aware datetime (UTC when unzoned) / timedelta
`<BA>`                    bytes
`<G>`                     str, the GUID in lower case
`<Nil>`                   None
========================  ====================================================

Anything else is an InputError naming the file and, in `where`, the line and
the object path (`line 12, object 2.RemoteIPRanges[1]`), one line.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from docgen.core.dates import parse_date
from docgen.core.errors import InputError
from docgen.readers.xml import XmlReader

NAMESPACE = "http://schemas.microsoft.com/powershell/2004/04"
_MAX_DEPTH = 100
_INTEGERS = {"By": (0, 2**8 - 1), "SB": (-2**7, 2**7 - 1), "U16": (0, 2**16 - 1),
             "I16": (-2**15, 2**15 - 1), "U32": (0, 2**32 - 1), "I32": (-2**31, 2**31 - 1),
             "U64": (0, 2**64 - 1), "I64": (-2**63, 2**63 - 1)}
_TEXTS = ("S", "URI", "XD", "SBK", "SS", "Version")
_LISTS = ("LST", "IE", "STK", "QUE")
_PRIMITIVES = frozenset((*_INTEGERS, *_TEXTS, "C", "B", "DT", "TS", "Sg", "Db", "D", "BA", "G", "Nil"))
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_INTEGER = re.compile(r"^\s*[+-]?\d{1,20}\s*$")
_REAL = re.compile(r"^\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|-?INF|NaN)\s*$")
# xs:duration as .NET writes a TimeSpan: [-]P[nD][T[nH][nM][n[.n]S]]
_DURATION = re.compile(r"^\s*(-)?P(?:(\d{1,9})D)?"
                       r"(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,12}(?:\.\d{1,9})?)S)?)?\s*$")
_DECIMAL = re.compile(r"^\s*[+-]?(?:\d{1,40}\.?\d{0,40}|\.\d{1,40})\s*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PSObject(dict):
    """An `<Obj>`'s properties by name (`<Props>` first, then `<MS>`), with its types."""

    def __init__(self, type_names: tuple[str, ...] = (), to_string: str | None = None):
        super().__init__()
        self.type_names = type_names
        self.to_string = to_string

    def __repr__(self) -> str:
        return f"PSObject({type_name(self)!r}, {dict.__repr__(self)})"


class PSList(list):
    """An `<Obj>` holding a collection (`<LST>`, `<IE>`, `<STK>`, `<QUE>`): its items."""

    def __init__(self, type_names: tuple[str, ...] = (), to_string: str | None = None):
        super().__init__()
        self.type_names = type_names
        self.to_string = to_string
        self.properties: dict[str, Any] = {}


class PSDict(dict):
    """An `<Obj>` holding a dictionary (`<DCT>`): its entries."""

    def __init__(self, type_names: tuple[str, ...] = (), to_string: str | None = None):
        super().__init__()
        self.type_names = type_names
        self.to_string = to_string
        self.properties: dict[str, Any] = {}


@dataclass(frozen=True)
class PSEnum:
    """An enum value: its name(s) as PowerShell printed them and its number.

    A [Flags] enum's name lists the set flags: "Tls, Integrated, BasicAuth".
    """

    name: str
    value: int
    type_names: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    @property
    def names(self) -> list[str]:
        return [part.strip() for part in self.name.split(",") if part.strip()]


def read_clixml(data: bytes, source: str, reader: XmlReader | None = None) -> list[Any]:
    """The objects of an `Export-Clixml` file, in order."""
    root = (reader or XmlReader()).parse(data, source)
    return _Document(root, source).objects()


def looks_like_clixml(text: str) -> bool:
    """Whether the start of a file is a CLIXML document (for recognising raw files)."""
    head = text.lstrip("\ufeff \t\r\n")
    return head.startswith("<") and "<Objs" in head[:4096] and NAMESPACE in head[:4096]


def type_name(value: Any) -> str | None:
    """The most derived type name, without the "Deserialized." prefix PowerShell adds."""
    names = getattr(value, "type_names", ())
    return _plain(names[0]) if names else None


def has_type(value: Any, name: str) -> bool:
    """Whether `name` is one of the object's type names (its class or a base class)."""
    return any(_plain(candidate) == name for candidate in getattr(value, "type_names", ()))


def plain(value: Any) -> Any:
    """A value as a cmdlet's table shows it: an object's ToString, an enum's name, else the
    value itself (a PowerShell 5.1 JSON wrapper or a plain value)."""
    text = getattr(value, "to_string", None)
    if text is not None:
        return text
    if isinstance(value, PSEnum):
        return value.name
    return value


def _plain(name: str) -> str:
    return name[len("Deserialized."):] if name.startswith("Deserialized.") else name


def unescape(text: str) -> str:
    """CLIXML's `_xHHHH_` escapes (UTF-16 code units) back to characters.

    A surrogate pair written as two escapes becomes one character; half a pair,
    which no string can hold, becomes U+FFFD.
    """
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    return decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class _Building:
    """Marks a RefId whose `<Obj>` is still being read (a Ref to it is a cycle)."""


_BUILDING = _Building()


class _Document:
    def __init__(self, root: etree._Element, source: str):
        self.source = source
        self.prefix = _expect_root(root, source)
        self.root = root
        self.objects_by_ref: dict[str, Any] = {}
        self.types_by_ref: dict[str, tuple[str, ...]] = {}

    def objects(self) -> list[Any]:
        try:
            return [self.value(child, f"object {index}", 1)
                    for index, child in enumerate(self.children(self.root), start=1)]
        except RecursionError:
            raise InputError("objects nested too deeply", source=self.source) from None

    # -- elements --------------------------------------------------------------

    def children(self, element: etree._Element) -> list[etree._Element]:
        return [child for child in element if isinstance(child.tag, str)]

    def tag(self, element: etree._Element) -> str:
        tag = element.tag
        assert isinstance(tag, str)
        if self.prefix and not tag.startswith(self.prefix):
            raise self.error(element, "", f"element <{tag}> is not in the CLIXML namespace")
        return tag[len(self.prefix):]

    def value(self, element: etree._Element, path: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.error(element, path, f"objects nested deeper than {_MAX_DEPTH}")
        tag = self.tag(element)
        if tag == "Obj":
            return self.obj(element, path, depth)
        if tag == "Ref":
            return self.ref(element, path)
        if tag in _PRIMITIVES:
            return self.primitive(tag, element, path)
        if tag == "PR":
            return self.progress_record(element, path)
        raise self.error(element, path, f"unknown CLIXML element <{tag}>")

    def primitive(self, tag: str, element: etree._Element, path: str) -> Any:
        text = element.text or ""
        try:
            return _primitive(tag, text)
        except ValueError as exc:
            raise self.error(element, path, f"<{tag}> {exc}") from None

    # -- objects ---------------------------------------------------------------

    def obj(self, element: etree._Element, path: str, depth: int) -> Any:
        ref_id = element.get("RefId")
        if ref_id is not None:
            if ref_id in self.objects_by_ref:
                raise self.error(element, path, f"RefId {ref_id} is used twice")
            self.objects_by_ref[ref_id] = _BUILDING
        type_names: tuple[str, ...] = ()
        to_string: str | None = None
        properties: dict[str, Any] = {}
        content: Any = _NOTHING
        content_tag = ""
        for child in self.children(element):
            tag = self.tag(child)
            if tag == "TN":
                type_names = self.type_names(child, path)
            elif tag == "TNRef":
                type_names = self.type_ref(child, path)
            elif tag == "ToString":
                to_string = unescape(child.text or "")
            elif tag in ("Props", "MS"):
                self.members(child, path, depth, properties)
            elif tag in _LISTS or tag == "DCT" or tag in _PRIMITIVES:
                if content is not _NOTHING:
                    raise self.error(child, path, f"<{tag}> after <{content_tag}>: "
                                                  "an object holds one value")
                content_tag = tag
                content = (self.dictionary(child, path, depth) if tag == "DCT"
                           else [self.value(item, f"{path}[{index}]", depth + 1)
                                 for index, item in enumerate(self.children(child))]
                           if tag in _LISTS else self.primitive(tag, child, path))
            else:
                raise self.error(child, path, f"unknown CLIXML element <{tag}> in <Obj>")
        result = self.shape(type_names, to_string, properties, content, content_tag)
        if ref_id is not None:
            self.objects_by_ref[ref_id] = result
        return result

    def shape(self, type_names: tuple[str, ...], to_string: str | None,
              properties: dict[str, Any], content: Any, content_tag: str) -> Any:
        if content_tag in _LISTS or content_tag == "DCT":
            holder: PSList | PSDict = (PSList(type_names, to_string) if content_tag in _LISTS
                                       else PSDict(type_names, to_string))
            holder.properties = properties
            if isinstance(holder, PSList):
                holder.extend(content)
            else:
                holder.update(content)
            return holder
        if content is not _NOTHING:
            is_enum = any(_plain(name) == "System.Enum" for name in type_names)
            if is_enum and isinstance(content, int) and not isinstance(content, bool):
                return PSEnum(to_string if to_string is not None else str(content), content,
                              type_names)
            return content
        obj = PSObject(type_names, to_string)
        obj.update(properties)
        return obj

    def members(self, element: etree._Element, path: str, depth: int,
                into: dict[str, Any]) -> None:
        for child in self.children(element):
            name = child.get("N")
            if name is None:
                raise self.error(child, path, f"a property without a name in <{self.tag(element)}>")
            name = unescape(name)
            value = self.value(child, f"{path}.{name}", depth + 1)
            into.setdefault(name, value)  # <Props> (adapted) wins over <MS> (extended)

    def dictionary(self, element: etree._Element, path: str, depth: int) -> dict:
        entries: dict = {}
        for index, entry in enumerate(self.children(element)):
            if self.tag(entry) != "En":
                raise self.error(entry, path, f"<{self.tag(entry)}> in <DCT>; expected <En>")
            parts = {child.get("N"): child for child in self.children(entry)}
            if set(parts) != {"Key", "Value"}:
                raise self.error(entry, path, "a dictionary entry without N=\"Key\" and N=\"Value\"")
            key = self.value(parts["Key"], f"{path}{{{index}}}", depth + 1)
            value = self.value(parts["Value"], f"{path}[{_key_text(key)}]", depth + 1)
            entries[_hashable(key)] = value
        return entries

    def ref(self, element: etree._Element, path: str) -> Any:
        ref_id = element.get("RefId")
        found = self.objects_by_ref.get(ref_id or "", _NOTHING)
        if found is _NOTHING:
            raise self.error(element, path, f"<Ref RefId={ref_id!r}> names no earlier object")
        if found is _BUILDING:
            raise self.error(element, path, f"<Ref RefId={ref_id!r}> names an object that "
                                            "contains it (a cycle)")
        return found

    def type_names(self, element: etree._Element, path: str) -> tuple[str, ...]:
        names = tuple(unescape((child.text or "").strip()) for child in self.children(element)
                      if self.tag(child) == "T")
        ref_id = element.get("RefId")
        if ref_id is not None:
            self.types_by_ref[ref_id] = names
        return names

    def type_ref(self, element: etree._Element, path: str) -> tuple[str, ...]:
        ref_id = element.get("RefId")
        if ref_id not in self.types_by_ref:
            raise self.error(element, path, f"<TNRef RefId={ref_id!r}> names no earlier <TN>")
        return self.types_by_ref[ref_id or ""]

    def progress_record(self, element: etree._Element, path: str) -> PSObject:
        record = PSObject(("System.Management.Automation.ProgressRecord",))
        for child in self.children(element):
            tag = self.tag(child)
            record[tag] = None if tag == "Nil" else unescape(child.text or "")
        return record

    def error(self, element: etree._Element, path: str, message: str) -> InputError:
        """One line: names written with `_x000A_` must not break it."""
        line = f"line {element.sourceline}" if element.sourceline else ""
        where = ", ".join(part for part in (line, path) if part)
        return InputError(_CONTROL.sub("?", message), source=self.source,
                          where=_CONTROL.sub("?", where))


_NOTHING: Any = object()


def _expect_root(root: etree._Element, source: str) -> str:
    """The namespace prefix every element carries ('' for a document without one)."""
    tag = root.tag if isinstance(root.tag, str) else ""
    qname = etree.QName(tag) if tag else None
    if qname is None or qname.localname != "Objs" or qname.namespace not in (NAMESPACE, None):
        raise InputError(f"not a CLIXML document (Export-Clixml): the root element is <{tag}>, "
                         f"expected <Objs> in {NAMESPACE}", source=source,
                         where=f"line {root.sourceline}" if root.sourceline else "")
    return f"{{{NAMESPACE}}}" if qname.namespace else ""


def _primitive(tag: str, text: str) -> Any:
    """One primitive element's value; ValueError says what is wrong with the text."""
    if tag in _TEXTS:
        return unescape(text)
    if tag == "Nil":
        return None
    if tag in _INTEGERS:
        if not _INTEGER.match(text):
            raise ValueError(f"is not a whole number: {_short(text)}")
        number = int(text)
        low, high = _INTEGERS[tag]
        if not low <= number <= high:
            raise ValueError(f"is out of range: {number}")
        return number
    if tag == "B":
        word = text.strip().lower()
        if word not in ("true", "false", "1", "0"):
            raise ValueError(f"is not true or false: {_short(text)}")
        return word in ("true", "1")
    if tag == "DT":
        return parse_date(text.strip())
    if tag == "TS":
        return _duration(text)
    if tag in ("Sg", "Db"):
        if not _REAL.match(text):
            raise ValueError(f"is not a number: {_short(text)}")
        return float(text.strip().replace("INF", "inf"))
    if tag == "D":
        try:
            if _DECIMAL.match(text):
                return Decimal(text.strip())
        except InvalidOperation:
            pass
        raise ValueError(f"is not a decimal number: {_short(text)}")
    if tag == "C":
        if not _INTEGER.match(text) or not 0 <= int(text) <= 0xFFFF:
            raise ValueError(f"is not a UTF-16 code unit: {_short(text)}")
        return unescape(f"_x{int(text):04X}_")
    if tag == "BA":
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("is not valid base64") from None
    if tag == "G":
        try:
            return str(uuid.UUID(text.strip()))
        except ValueError:
            raise ValueError(f"is not a GUID: {_short(text)}") from None
    raise ValueError("is not a primitive")  # pragma: no cover - every tag is above


def _duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match or not any(match.groups()[1:]):
        raise ValueError(f"is not a duration: {_short(text)}")
    negative, days, hours, minutes, seconds = match.groups()
    try:
        span = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                         seconds=float(seconds or 0))
    except OverflowError:
        raise ValueError(f"is out of range: {_short(text)}") from None
    return -span if negative else span


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return _key_text(key)
    return key


def _key_text(key: Any) -> str:
    text = getattr(key, "to_string", None)
    return text if isinstance(text, str) else str(key)


def _short(text: str, limit: int = 40) -> str:
    value = repr(text.strip())
    return value if len(value) <= limit else value[:limit] + "..."

