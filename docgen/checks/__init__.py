"""Checks: pure functions from a bundle to findings, each judged at its section's `collected_at`.

Each area declares its checks in the registry (docgen.areas); checks that need several
sections get the usable ones and decide themselves which they need.
"""

from __future__ import annotations

from datetime import datetime

from docgen.areas import AREAS, find_area
from docgen.checks.model import SEVERITIES, Finding, severity_rank
from docgen.checks.rules import default_rules
from docgen.core.dates import parse_iso

USABLE = ("ok", "partial")


def run_checks(bundle: dict, rules: dict | None = None) -> list[Finding]:
    """All findings for a bundle, most severe first, then by section and id."""
    rules = rules if rules is not None else default_rules()
    as_of = parse_iso(bundle["collected_at"])
    findings: list[Finding] = []
    for name, section in bundle["sections"].items():
        area = find_area(name)
        if area is not None and area.checks is not None and section["status"] in USABLE:
            findings.extend(area.checks(section, rules, judged_at(bundle, name)))
    usable = {name: section for name, section in bundle["sections"].items()
              if section["status"] in USABLE}
    # A check across sections reads each section's own collected_at where it needs a date.
    for cross_check in (check for area in AREAS for check in area.cross_checks):
        findings.extend(cross_check(usable, rules, as_of))
    return sorted(findings, key=lambda f: (severity_rank(f.severity), f.section, f.id))


def judged_at(bundle: dict, section: str) -> datetime:
    """When a section's facts were true: its own collection time (a bundle gathers sections
    collected on different days, and each is judged at the moment its facts describe)."""
    found = bundle["sections"].get(section)
    return parse_iso(found["collected_at"] if found else bundle["collected_at"])


def judgement_times(bundle: dict) -> dict[str, datetime]:
    """judged_at of every section, by name."""
    return {name: judged_at(bundle, name) for name in bundle["sections"]}


__all__ = ["SEVERITIES", "Finding", "judged_at", "judgement_times", "run_checks"]
