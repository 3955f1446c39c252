"""The document formats docgen writes, and file names: light, so the CLI can list them."""

from __future__ import annotations

from pathlib import Path

from docgen.areas import AREAS
from docgen.core.errors import DocgenError

# and the formats areas add (dkim-failures: one "domain, selector CNAME" line per failing
# active DKIM selector)
FORMATS = ("html", "pdf", "docx", "csv", "xlsx", *(output.format for area in AREAS for output in area.outputs))
DIFF_FORMATS = ("html", "pdf", "docx", "json")


def parse_formats(text: str, allowed: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    """'html,pdf' -> ('html', 'pdf'); unknown names are refused with the list of known ones."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise DocgenError(f"unknown format {', '.join(unknown) or repr(text)}; "
                          f"choose from {', '.join(allowed)}")
    return tuple(dict.fromkeys(names))


def default_stem(bundle_path: Path) -> str:
    """'contoso.bundle.json' -> 'contoso'; 'snapshot.json' -> 'snapshot'."""
    name = bundle_path.name
    for suffix in (".bundle.json", ".json"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
