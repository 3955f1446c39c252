"""Checks: pure functions from a bundle to findings, judged at its `collected_at`.

Each area declares its checks in the registry (docgen.areas); checks that need several
sections get the usable ones and decide themselves which they need.
"""

from __future__ import annotations

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
            findings.extend(area.checks(section, rules, as_of))
    usable = {name: section for name, section in bundle["sections"].items()
              if section["status"] in USABLE}
    for cross_check in (check for area in AREAS for check in area.cross_checks):
        findings.extend(cross_check(usable, rules, as_of))
    return sorted(findings, key=lambda f: (severity_rank(f.severity), f.section, f.id))


__all__ = ["SEVERITIES", "Finding", "run_checks"]
