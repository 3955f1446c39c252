"""The published diff document: both bundles' identities, every change, findings, volatile facts."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import orjson

from docgen import __version__
from docgen.areas import AREAS, area_names
from docgen.bundle import LoadedBundle
from docgen.bundle.io import CANONICAL_JSON
from docgen.bundle.schema import key_path
from docgen.checks import Finding, run_checks
from docgen.checks.rules import default_rules
from docgen.core.errors import DocgenError
from docgen.diff.engine import KINDS, Comparison, VolatileMatcher, compare_bundles, section_diff
from docgen.diff.wording import humanise

DIFF_SCHEMA_VERSION = 2   # 2: fields carry their label and whether they are derived
DIFF_SCHEMA_FILE = "diff.schema.json"


def default_volatile_patterns() -> list[str]:
    """The bundle-wide patterns of volatile.toml, then each area's, under its section."""
    text = resources.files("docgen.diff").joinpath("volatile.toml").read_text("utf-8")
    return list(tomllib.loads(text)["patterns"]) + [
        f"sections.{area.name}.{pattern}" for area in AREAS for pattern in area.volatile]


def diff_bundles(before: LoadedBundle, after: LoadedBundle, *, rules: dict | None = None,
                 volatile_patterns: list[str] | None = None) -> dict:
    """Compare two loaded (already migrated) bundles into the diff document."""
    patterns = default_volatile_patterns() if volatile_patterns is None else volatile_patterns
    comparison = compare_bundles(before.data, after.data, VolatileMatcher(patterns),
                                 list(area_names()))
    not_comparable = {section.name for section in comparison.sections if not section.comparable}
    uncertain = {(change.section, change.key) for change in comparison.changes
                 if change.kind == "unknown" or change.unknown}
    rules = rules if rules is not None else default_rules()
    after_findings = run_checks(after.data, rules)
    seen = {finding.id for finding in after_findings}
    after_findings += [finding for finding in _change_findings(before.data, after.data, comparison, rules)
                       if finding.id not in seen]
    document = {
        "diff_schema_version": DIFF_SCHEMA_VERSION,
        "tool_version": __version__,
        "before": _identity(before),
        "after": _identity(after),
        "result": "changed" if comparison.has_changes else "no changes",
        "summary": _summary(comparison),
        "top_level": [{**asdict(change), "label": humanise(change.path).capitalize()}
                      for change in comparison.top_level],
        "sections": [_section(section) for section in comparison.sections],
        "findings": _findings(run_checks(before.data, rules), after_findings,
                              not_comparable, uncertain),
        "volatile": [asdict(change) for change in comparison.volatile],
    }
    return document


def _change_findings(before: dict, after: dict, comparison: Comparison, rules: dict) -> list[Finding]:
    """Findings only a comparison can see (a default sync rule edited in place), from the
    areas that declare them, for each section compared on both sides."""
    found: list[Finding] = []
    for section in comparison.sections:
        if not section.comparable:
            continue
        check = section_diff(section.name).change_findings
        if check is not None:
            found.extend(check(before["sections"][section.name], after["sections"][section.name], rules))
    return found


def _identity(loaded: LoadedBundle) -> dict:
    data = loaded.data
    return {"name": Path(loaded.source).name, "sha256": loaded.sha256, "run_id": data["run_id"],
            "collected_at": data["collected_at"], "organization": data["organization"],
            "schema_version": data["schema_version"], "tool_version": data["tool_version"]}


def _summary(comparison: Comparison) -> dict:
    by_section = {}
    for section in comparison.sections:
        counts = {kind: 0 for kind in KINDS}
        for change in section.changes:
            counts[change.kind] += 1
        by_section[section.name] = {"comparable": section.comparable, "unchanged": len(section.unchanged),
                                    **counts}
    total = sum(1 for change in comparison.changes if change.kind != "unknown")
    return {"changes": total + len(comparison.top_level),
            "unknown": sum(1 for change in comparison.changes if change.kind == "unknown"),
            "not_comparable": [s.name for s in comparison.sections if not s.comparable],
            "by_section": by_section}


def _section(section) -> dict:
    return {
        "name": section.name,
        "title": section.title,
        "comparable": section.comparable,
        "reason": section.reason,
        "changes": [{"kind": c.kind, "noun": c.noun, "key": c.key, "label": c.label, "path": c.path,
                     "summary": c.summary, "fields": [asdict(f) for f in c.fields],
                     "unknown": [asdict(f) for f in c.unknown],
                     "old": c.old, "new": c.new} for c in section.changes],
        "unchanged": [asdict(item) for item in section.unchanged],
    }


def _findings(before: list[Finding], after: list[Finding], not_comparable: set[str],
              uncertain: set[tuple[str, str]]) -> dict:
    """New, resolved and unchanged findings; those about facts that could not be compared
    (a failed section, an object a failed lookup left uncertain) are neither new nor resolved."""
    old = {finding.id: finding for finding in before}
    new = {finding.id: finding for finding in after}
    result: dict[str, list] = {"new": [], "resolved": [], "unchanged": [], "not_comparable": []}
    for finding_id in sorted(set(old) | set(new)):
        finding = new.get(finding_id) or old[finding_id]
        one_side = finding_id not in old or finding_id not in new
        if finding.section in not_comparable or (one_side and (finding.section, finding.key) in uncertain):
            result["not_comparable"].append(finding.as_dict())
        elif finding_id not in old:
            result["new"].append(finding.as_dict())
        elif finding_id not in new:
            result["resolved"].append(finding.as_dict())
        else:
            result["unchanged"].append(finding.as_dict())
    return result


def diff_schema_text() -> str:
    return resources.files("docgen.diff").joinpath(DIFF_SCHEMA_FILE).read_text("utf-8")


def validate_diff(document: dict) -> None:
    """Our own output must match the published schema; a mismatch is a docgen bug."""
    from jsonschema import Draft202012Validator  # only when a diff is written

    validator = Draft202012Validator(json.loads(diff_schema_text()))
    problems = [f"{key_path(e.absolute_path) or '(top)'}: {e.message}"
                for e in validator.iter_errors(document)]
    if problems:
        raise DocgenError(f"internal error: the diff does not match its schema: {problems[0]}")


def dump_diff(document: dict) -> bytes:
    validate_diff(document)
    return orjson.dumps(document, option=CANONICAL_JSON)
