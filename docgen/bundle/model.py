"""Building bundles: a new snapshot, and a source's section put into one."""

from __future__ import annotations

import copy
import uuid

from docgen import __version__
from docgen.bundle.migrations import CURRENT_VERSION
from docgen.bundle.result import SourceResult
from docgen.core.dates import iso_utc, parse_iso


def new_bundle(organization: str, collected_at: str, run_id: str | None = None) -> dict:
    """An empty snapshot."""
    return {
        "schema_version": CURRENT_VERSION,
        "tool_version": __version__,
        "run_id": run_id or str(uuid.uuid4()),
        "collected_at": collected_at,
        "organization": organization,
        "inputs": [],
        "skipped_inputs": [],
        "sections": {},
    }


def put_section(bundle: dict, result: SourceResult, *, run_id: str | None = None) -> dict:
    """A copy of `bundle` holding `result` as its section (replacing an older one).

    The section's previous inputs go with it. The bundle's `collected_at` becomes
    the newest of its sections' times, and it gets a new `run_id`: it is a new
    snapshot now.
    """
    updated = copy.deepcopy(bundle)
    section = result.to_section()
    updated["sections"][result.section] = section
    updated["inputs"] = sorted(
        [entry for entry in updated["inputs"] if entry["section"] != result.section]
        + result.inputs,
        key=lambda entry: (entry["section"], entry["name"]))
    times = [parse_iso(s["collected_at"]) for s in updated["sections"].values()]
    updated["collected_at"] = iso_utc(max(times))
    updated["tool_version"] = __version__
    updated["run_id"] = run_id or str(uuid.uuid4())
    return updated
