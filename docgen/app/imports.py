"""`docgen import <area>`: raw exports into one area's section of a bundle file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from docgen.app.bundles import bundle_with_section
from docgen.areas import find_area
from docgen.bundle import save_bundle
from docgen.core.errors import DocgenError, ImportFailed


@dataclass(frozen=True)
class ImportOutcome:
    bundle_path: Path
    section: str
    items: int
    status: str
    errors: list[DocgenError] = field(default_factory=list)


def parse_collected_at(text: str | None) -> datetime | None:
    """An ISO 8601 time given on the command line, UTC when it names no zone; ValueError when
    it is not one."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return (moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None
            else moment.astimezone(timezone.utc))


def import_into_bundle(area_name: str, paths: list[Path], bundle_path: Path, *,
                       collected_at: datetime | None = None, organization: str | None = None,
                       strict: bool = False, options: dict[str, str] | None = None) -> ImportOutcome:
    """Read the inputs with the area's importer and write its section into the bundle.

    `options` are the area's own (its ImportCommand.options), by keyword.
    With `strict`, any error writes nothing. A section that is only errors never
    replaces good facts (bundle_with_section refuses it).
    """
    area = find_area(area_name)
    if area is None or area.importer is None:
        raise DocgenError(f"docgen has no importer for {area_name!r}")
    result = area.importer(paths, collected_at, **(options or {}))
    if strict and result.errors:
        raise ImportFailed(result.errors)
    bundle = bundle_with_section(bundle_path, result, organization)
    save_bundle(bundle_path, bundle)
    section = bundle["sections"][result.section]
    return ImportOutcome(bundle_path, result.section, len(section["items"]), section["status"],
                         list(result.errors))
