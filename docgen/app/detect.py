"""Which areas a raw file or folder feeds, from its content (not its name).

Each area says what it recognises (docgen.areas); this module reads the head of a file
once and asks them all, in the report's order. One export may feed several areas (one
collector writes the connectors, certificates and servers of an Exchange organisation).
"""

from __future__ import annotations

from pathlib import Path

from docgen.areas import AREAS
from docgen.core.errors import DocgenError
from docgen.readers.scubagear import looks_like_export
from docgen.readers.textfile import decode_text

SNIFF_BYTES = 64 * 1024


def detect_areas(path: Path) -> list[str]:
    """The names of the areas a raw input feeds; empty when no area recognises it."""
    if path.is_dir():
        return [area.name for area in AREAS
                if area.recognise_folder is not None and area.recognise_folder(path)]
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        text = decode_text(head, str(path))
    except (OSError, DocgenError):
        return []
    return [area.name for area in AREAS if area.recognise is not None and area.recognise(text)]


def is_scubagear_file(path: Path) -> bool:
    """A CISA ScubaGear ProviderSettingsExport.json, by its head."""
    try:
        with path.open("rb") as handle:
            return looks_like_export(decode_text(handle.read(SNIFF_BYTES), str(path)))
    except (OSError, DocgenError):
        return False
