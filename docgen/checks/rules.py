"""Loading the finding rules (severity, wording, thresholds) from data."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

from docgen.checks.model import SEVERITIES
from docgen.core.errors import DocgenError

RULES_FILE = "rules.toml"


def default_rules() -> dict[str, dict[str, Any]]:
    """The built-in rules, by rule id."""
    text = resources.files("docgen.checks").joinpath(RULES_FILE).read_text("utf-8")
    return tomllib.loads(text)


def with_overrides(rules: dict[str, dict[str, Any]], overrides: dict[str, dict[str, Any]],
                   source: str) -> dict[str, dict[str, Any]]:
    """Rules with a customer's changes applied; unknown rules and keys are refused, all at once."""
    merged = copy.deepcopy(rules)
    problems = []
    for rule_id, changes in overrides.items():
        if rule_id not in merged:
            problems.append(f"{rule_id}: no such rule")
            continue
        for key, value in changes.items():
            if key not in merged[rule_id]:
                problems.append(f"{rule_id}.{key}: no such setting")
            elif key == "severity" and value not in SEVERITIES:
                problems.append(f"{rule_id}.severity: must be one of {', '.join(SEVERITIES)}")
            elif type(value) is not type(merged[rule_id][key]):
                problems.append(f"{rule_id}.{key}: expected {type(merged[rule_id][key]).__name__}")
            else:
                merged[rule_id][key] = value
    if problems:
        raise DocgenError("; ".join(problems), source=source)
    return merged
