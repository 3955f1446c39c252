"""The cloud side of the native mail question, from the Conditional Access section's policies
(read as facts: an area does not import another): the policies that keep the iOS native mail
app from Exchange Online, by state. What "keep" means is docgen/areas/native_mail.py, which
the Conditional Access chapter's coverage row asks too."""

from __future__ import annotations

from docgen.areas.native_mail import native_mail_blocked_on

SLOTS = {"enabled": "enabled", "enabledForReportingButNotEnforced": "report_only"}


def native_mail_policies(policies: list[dict]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"enabled": [], "report_only": []}
    for policy in policies:
        slot = SLOTS.get(policy["state"])
        if slot and "iOS" in native_mail_blocked_on(policy):
            found[slot].append(policy["name"])
    return found
