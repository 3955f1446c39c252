"""Putting sections into a bundle file: all or nothing, one run id, the organisation kept."""

from __future__ import annotations

import uuid
from pathlib import Path

from docgen.bundle import load_bundle, new_bundle, put_section
from docgen.bundle.result import SourceResult
from docgen.core.dates import iso_utc
from docgen.core.errors import ImportFailed

UNKNOWN_ORGANIZATION = "Unknown organization"


def bundle_with_section(bundle_path: Path | None, result: SourceResult,
                        organization: str | None, run_id: str | None = None) -> dict:
    """The bundle at `bundle_path` (or a new one) with `result` as its section.

    Raises ImportFailed when the source produced nothing but errors, so that a
    failed import never replaces good facts with an empty section.
    """
    return bundle_with_sections(bundle_path, [result], organization, run_id)


def bundle_with_sections(bundle_path: Path | None, results: list[SourceResult],
                         organization: str | None, run_id: str | None = None) -> dict:
    """The bundle at `bundle_path` (or a new one) with each result as its section.

    All or nothing: if any result is only errors, ImportFailed lists them and
    no section is replaced. The sections share one new run id.
    """
    failed = [error for result in results if result.status == "error" for error in result.errors]
    if failed:
        raise ImportFailed(failed)
    if bundle_path is not None and bundle_path.exists():
        bundle = load_bundle(bundle_path).data
        if organization:
            bundle["organization"] = organization
    else:
        name = organization or next((r.organization for r in results if r.organization),
                                    None) or UNKNOWN_ORGANIZATION
        bundle = new_bundle(name, iso_utc(results[0].collected_at))
    run_id = run_id or str(uuid.uuid4())
    for result in results:
        bundle = put_section(bundle, result, run_id=run_id)
    return bundle
