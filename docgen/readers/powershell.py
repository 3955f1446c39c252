"""Reading what PowerShell writes: encodings, JSON quirks, dates, byte arrays.

Windows PowerShell 5.1 writes UTF-16 LE with a BOM through `Out-File` and `>`;
`ConvertTo-Json` writes dates as "/Date(ms)/", enums as numbers, one object
instead of a one-element array, and `byte[]` as an array of numbers (or as the
string "System.Byte[]" once it is nested deeper than -Depth). PowerShell 7 writes
UTF-8 and ISO 8601 dates. Every reader here accepts all of these; dates in every
form go through docgen.core.dates.parse_date.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from docgen.core import jsontext
from docgen.core.dates import parse_date
from docgen.core.errors import InputError
from docgen.readers.textfile import decode_text


def load_json(data: bytes, source: str) -> Any:
    """Parse a JSON export; errors name the line and column."""
    text = decode_text(data, source)
    if not text.strip():
        raise InputError("the file is empty", source=source)
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", source=source,
                         where=f"line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise InputError("JSON nested too deeply", source=source) from None


def as_list(value: Any) -> list:
    """ConvertTo-Json writes one object where an array of one was meant."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def to_datetime(value: Any, source: str, where: str) -> datetime | None:
    """A PowerShell date in any of its forms (docgen.core.dates.parse_date), as aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dict) and "value" in value:
        # PS 5.1 wraps [DateTime] with ETS properties: {"value": "/Date()/", "DateTime": "..."}
        return to_datetime(value["value"], source, where)
    if isinstance(value, (str, datetime)):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise InputError(str(exc), source=source, where=where) from None
    raise InputError(f"not a date: {_short(value)}", source=source, where=where)


def to_bytes(value: Any, source: str, where: str) -> bytes:
    """Binary data as ConvertTo-Json writes it (number array) or as base64 text."""
    if isinstance(value, list):
        if not all(isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 255
                   for item in value):
            raise InputError("byte array holds values that are not bytes (0-255)",
                             source=source, where=where)
        return bytes(value)
    if isinstance(value, str):
        if value.strip() == "System.Byte[]":
            raise InputError("the bytes were cut by ConvertTo-Json's depth limit "
                             "(export again with -Depth 4)", source=source, where=where)
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise InputError("not valid base64", source=source, where=where) from None
    raise InputError(f"expected bytes (base64 or a number array), found {_kind(value)}",
                     source=source, where=where)


def to_bool(value: Any, source: str, where: str) -> bool | None:
    """Booleans as JSON true/false, or as PowerShell's "True"/"False" strings."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise InputError(f"not a boolean: {_short(value)}", source=source, where=where)


def enum_names(value: Any, flags: dict[int, str]) -> list[str]:
    """A [Flags] enum written as a number, or as "A, B" text, as a list of names."""
    if value is None or value == "":
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        names = [name for bit, name in sorted(flags.items()) if bit and value & bit]
        return names or ([flags[0]] if value == 0 and 0 in flags else [str(value)])
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def enum_name(value: Any, names: dict[int, str]) -> str | None:
    """A plain enum written as a number or as its name."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, str(value))
    return str(value)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "text", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
