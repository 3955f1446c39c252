"""The finding: a judgment about one item of a bundle, with a stable id."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("critical", "high", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """`id` is `rule_id:key`, so runs and bundles can be compared finding by finding."""

    rule_id: str
    section: str
    key: str
    subject: str
    severity: str
    title: str
    evidence: str
    remediation: str

    @property
    def id(self) -> str:
        return f"{self.rule_id}:{self.key}"

    def as_dict(self) -> dict:
        return {"id": self.id, **asdict(self)}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def worst_by_key(findings: list[dict]) -> dict[str, str]:
    """The most severe open finding record of each item key, for a badge beside its name."""
    worst: dict[str, str] = {}
    for finding in findings:
        if finding.get("status") == "accepted":
            continue
        current = worst.get(finding["key"])
        if current is None or severity_rank(finding["severity"]) < severity_rank(current):
            worst[finding["key"]] = finding["severity"]
    return worst


def make_finding(rules: dict, rule_id: str, *, section: str, key: str, subject: str,
                 evidence: str, **title_values: str) -> Finding:
    """A finding worded by its rule; `{name}` in the title takes the rule's settings
    and any `title_values` given."""
    rule = rules[rule_id]
    settings = {name: value for name, value in rule.items() if not isinstance(value, (list, dict))}
    settings.update(title_values)
    return Finding(rule_id=rule_id, section=section, key=key, subject=subject,
                   severity=rule["severity"], title=rule["title"].format(**settings),
                   evidence=evidence, remediation=rule["remediation"])
