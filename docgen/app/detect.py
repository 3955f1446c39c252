"""Which area a raw file or folder belongs to, from its content (not its name).

Each area says what it recognises (docgen.areas); this module reads the head of a file
once and asks them in the report's order.
"""

from __future__ import annotations

from pathlib import Path

from docgen.areas import AREAS
from docgen.core.errors import DocgenError
from docgen.readers.textfile import decode_text

SNIFF_BYTES = 64 * 1024


def detect_area(path: Path) -> str | None:
    """The name of the area a raw input feeds, or None when no area recognises it."""
    if path.is_dir():
        return next((area.name for area in AREAS
                     if area.recognise_folder is not None and area.recognise_folder(path)), None)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        text = decode_text(head, str(path))
    except (OSError, DocgenError):
        return None
    return next((area.name for area in AREAS if area.recognise is not None and area.recognise(text)),
                None)
