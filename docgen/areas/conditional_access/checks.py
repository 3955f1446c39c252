"""Checks on Conditional Access: the baseline protections and the policies themselves."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.conditional_access.coverage import REPORT_ONLY, coverage, excluded_user_count
from docgen.checks.model import Finding, make_finding
from docgen.core.dates import parse_iso

SECTION = "conditional_access"
TENANT = "tenant"
# coverage row -> (rule, what is missing in the evidence)
MISSING = {
    "legacy_authentication": "ca-legacy-auth-not-blocked",
    "user_risk_high": "ca-no-user-risk-policy",
    "sign_in_risk_medium": "ca-no-sign-in-risk-policy",
}


def check_conditional_access(section: dict, rules: dict, as_of: datetime) -> list[Finding]:
    policies = section["items"]
    rows = {row["key"]: row for row in coverage(policies)}
    found: list[Finding] = []

    def tenant_finding(rule_id: str, evidence: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=TENANT, subject="Conditional Access",
                            evidence=evidence)

    for row_key, rule_id in MISSING.items():
        row = rows[row_key]
        if not row["enabled"]:
            found.append(tenant_finding(rule_id, _absence(row, len(policies))))
    defaults = section.get("security_defaults")
    if not rows["mfa_all_users"]["enabled"] and not (defaults and defaults["enabled"]):
        state = ("security defaults are off" if defaults else
                 "the export does not show the security defaults setting")
        found.append(tenant_finding("ca-no-mfa-all-users",
                                    f"{_absence(rows['mfa_all_users'], len(policies))}; {state}."))
    for policy in policies:
        found.extend(_check_policy(policy, rules, as_of))
    return found


def _absence(row: dict, count: int) -> str:
    text = f"None of the {count} policies provides it" if count else "The export holds no policies"
    if row["report_only"]:
        text += " (report-only: " + ", ".join(f"'{name}'" for name in row["report_only"]) + ")"
    return text


def _check_policy(policy: dict, rules: dict, as_of: datetime) -> list[Finding]:
    def finding(rule_id: str, evidence: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=policy["key"], subject=policy["name"],
                            evidence=evidence)

    found = []
    if policy["state"] == REPORT_ONLY:
        stamp = policy["modified"] or policy["created"]
        if stamp:
            days = (as_of - parse_iso(stamp)).days
            if days > rules["ca-report-only-stale"]["days"]:
                which = "last modified" if policy["modified"] else "created (never modified)"
                found.append(finding("ca-report-only-stale",
                                     f"Report-only, {which} {stamp[:10]}: {days} days before collection."))
    excluded = excluded_user_count(policy)
    if policy["state"] in ("enabled", REPORT_ONLY) and excluded > rules["ca-too-many-exclusions"]["max_users"]:
        found.append(finding("ca-too-many-exclusions", f"{excluded} users are excluded by name."))
    return found
