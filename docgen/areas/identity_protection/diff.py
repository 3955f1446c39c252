"""How two Identity Protection sections are compared: counts by level and state, and by
detection type, as numbers; the person-level records are volatile (never a change)."""

from __future__ import annotations

from docgen.diff.spec import AreaDiff, Collection


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="risky users", label="key"),
        Collection(path="detection_counts", noun="risk detections", label="key"),
    ))
