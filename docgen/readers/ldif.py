"""A small LDIF (RFC 2849) content reader for `ldifde` exports.

Written here rather than taken from a package because errors must name the line
they come from, and the PyPI readers report neither line nor record. It reads
content records only (what `ldifde -f` writes): folded lines, comments, `attr:`
text values, `attr::` base64 values, CRLF or LF line ends.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from docgen.core.errors import InputError
from docgen.readers.textfile import decode_text


@dataclass
class LdifRecord:
    """One entry: its DN, attributes by lower-case name, and the line it starts on.

    A value that cannot be decoded (bad base64) is left out of `attributes` and
    reported in `errors`, so one bad value does not cost the rest of the file.
    """

    dn: str
    line: int
    attributes: dict[str, list[str | bytes]] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)

    def first(self, name: str) -> str | bytes | None:
        values = self.attributes.get(name.lower())
        return values[0] if values else None


def read_ldif(data: bytes, source: str) -> list[LdifRecord]:
    """Parse LDIF bytes into records, or raise InputError naming the line."""
    text = decode_text(data, source)
    if not text.strip():
        raise InputError("the file is empty", source=source)
    records: list[LdifRecord] = []
    for block in _blocks(_logical_lines(text, source)):
        record = _record(block, source)
        if record is not None:
            records.append(record)
    if not records:
        # comments and a version line only: say so rather than return nothing
        raise InputError("the file holds no LDIF records", source=source)
    return records


def _logical_lines(text: str, source: str) -> list[tuple[int, str]]:
    """Unfold continuation lines; return (first physical line number, text) pairs.

    Blank lines are kept as "" because they separate records.
    """
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.startswith(" "):
            if not lines or lines[-1][1] == "":
                raise InputError("a folded line (starting with a space) has no line to continue",
                                 source=source, where=f"line {number}")
            start, previous = lines[-1]
            lines[-1] = (start, previous + line[1:])
        else:
            lines.append((number, line))
    return lines


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Group logical lines into records separated by blank lines; drop comments."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in lines:
        if line == "":
            if current:
                blocks.append(current)
                current = []
        elif not line.startswith("#"):
            current.append((number, line))
    if current:
        blocks.append(current)
    return blocks


def _record(block: list[tuple[int, str]], source: str) -> LdifRecord | None:
    pairs = [(number, *_split(line, number, source)) for number, line in block]
    if pairs[0][1] == "version" and len(pairs) == 1:
        return None  # the "version: 1" line standing alone before the first record
    if pairs[0][1] == "version":
        pairs = pairs[1:]
    number, name, raw = pairs[0]
    if name != "dn":
        raise InputError(f"a record must start with 'dn:', found '{name}:'",
                         source=source, where=f"line {number}")
    dn = _value(name, raw, number, source)
    if isinstance(dn, bytes):
        dn = dn.decode("utf-8", "replace")
    record = LdifRecord(dn=dn, line=number)
    for number, name, raw in pairs[1:]:
        try:
            value = _value(name, raw, number, source)
        except InputError as exc:
            record.errors.append(exc)
            continue
        record.attributes.setdefault(name, []).append(value)
    return record


def _split(line: str, number: int, source: str) -> tuple[str, str]:
    """Split 'name: ...' into the lower-case name and everything after the colon."""
    name, colon, rest = line.partition(":")
    if not colon or not name or " " in name:
        raise InputError("expected 'attribute: value' (a folded line may have lost its "
                         "leading space)", source=source, where=f"line {number}")
    return name.lower(), rest


def _value(name: str, rest: str, number: int, source: str) -> str | bytes:
    """Decode 'text', ': base64' (bytes) or refuse '< url'."""
    where = f"line {number}"
    if rest.startswith(":"):
        try:
            return base64.b64decode(rest[1:].strip(), validate=True)
        except (binascii.Error, ValueError):
            raise InputError(f"attribute '{name}' is not valid base64", source=source,
                             where=where) from None
    if rest.startswith("<"):
        raise InputError(f"attribute '{name}' refers to a URL; only inline values are read",
                         source=source, where=where)
    return rest.lstrip(" ")
