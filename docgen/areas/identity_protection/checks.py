"""Checks on Identity Protection: high-risk users left open (a count and the oldest date only)."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.identity_protection.source import OPEN_STATES
from docgen.checks.model import Finding, make_finding
from docgen.core.dates import parse_iso

SECTION = "identity_protection"


def check_identity_protection(section: dict, rules: dict, as_of: datetime) -> list[Finding]:
    days = rules["idp-high-risk-users-open"]["days"]
    stale = sorted(user["updated"] for user in section["users"]
                   if user["level"] == "high" and user["state"] in OPEN_STATES and user["updated"]
                   and (as_of - parse_iso(user["updated"])).total_seconds() > days * 86400)
    if not stale:
        return []
    count = len(stale)
    return [make_finding(rules, "idp-high-risk-users-open", section=SECTION, key="tenant",
                         subject="Risky users",
                         evidence=f"{count} user{'s' if count != 1 else ''} at high risk, open for more than "
                                  f"{days} days; the oldest since {stale[0][:10]}.")]
