"""Turning the bytes of an exported text file into text, whatever wrote it."""

from __future__ import annotations

import codecs

from docgen.core.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes honouring any BOM; UTF-16 without one is recognised by its NULs."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom):], encoding, source)
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return _decode(data, "utf-16-le", source)
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return _decode(data, "utf-16-be", source)
    return _decode(data, "utf-8", source)


def _decode(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid {encoding.upper()} text", source=source,
                         where=f"byte {exc.start}") from None


def json_like(text: str) -> bool:
    """Text that starts as a JSON object or array does (after a BOM and white space)."""
    return text.lstrip("\ufeff \t\r\n").startswith(("{", "["))
