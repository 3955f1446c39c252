"""Checks on mobile mail access: individual exceptions beside block rules, and (across sections)
whether the iOS native mail app is blocked where the customer asked for it."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.mobile_access.cloud import native_mail_policies
from docgen.areas.mobile_access.verdict import individually_allowed, native_ios
from docgen.checks.model import Finding, make_finding

SECTION = "mobile_access"
ENVIRONMENT_NAMES = {"on-premises": "Exchange on premises", "exchange-online": "Exchange Online (ActiveSync)",
                     "unstated": "Exchange (environment not stated)"}


def check_mobile_access(section: dict, rules: dict, as_of: datetime) -> list[Finding]:
    found = []
    for env in section["items"]:
        blocking = [rule for rule in env["rules"] if rule["access_level"] in ("Block", "Quarantine")]
        count = individually_allowed(env)
        if count and (blocking or env["default_access_level"] in ("Block", "Quarantine")):
            why = (f"{len(blocking)} rule(s) block or quarantine devices" if blocking else
                   f"the organisation's default is {env['default_access_level']}")
            found.append(make_finding(
                rules, "mobile-devices-individually-allowed", section=SECTION, key=env["key"],
                subject=ENVIRONMENT_NAMES[env["key"]],
                evidence=f"{count} device(s) are allowed individually while {why}."))
    return found


def check_native_ios_mail(sections: dict, rules: dict, as_of: datetime) -> list[Finding]:
    """Across sections: [mobile] block_native_ios_mail asks for the block on premises (device
    access rules) and in the cloud (Conditional Access)."""
    rule_id = "mobile-ios-native-mail-not-blocked"
    if not rules[rule_id]["required"]:
        return []
    mobile, access = sections.get("mobile_access"), sections.get("conditional_access")
    cloud = native_mail_policies(access["items"]) if access is not None else None
    found = []
    environments = (mobile or {}).get("items", [])
    for env in environments:
        verdict = native_ios(env)
        if verdict["access"] == "Block":
            continue
        evidence = "iPhone " + verdict["devices"]["iPhone"] + "; iPad " + verdict["devices"]["iPad"]
        if env["key"] == "exchange-online":
            if cloud is not None and cloud["enabled"]:
                continue   # Conditional Access blocks it before ActiveSync's rules are asked
            evidence += "; " + _cloud_words(cloud)
        found.append(make_finding(rules, rule_id, section=SECTION, key=env["key"],
                                  subject=ENVIRONMENT_NAMES[env["key"]], evidence=evidence + "."))
    if cloud is not None and not cloud["enabled"] and not any(env["key"] == "exchange-online"
                                                               for env in environments):
        found.append(make_finding(rules, rule_id, section=SECTION if mobile else "conditional_access",
                                  key="cloud", subject="Exchange Online (Conditional Access)",
                                  evidence=_cloud_words(cloud)[:1].upper() + _cloud_words(cloud)[1:] + "."))
    return found


def _cloud_words(cloud: dict | None) -> str:
    if cloud is None:
        return "the report has no Conditional Access section to show a block in the cloud"
    pending = (" (report-only: " + ", ".join(f"'{name}'" for name in cloud["report_only"]) + ")"
               if cloud["report_only"] else "")
    return ("no enabled Conditional Access policy blocks Exchange ActiveSync or requires approved "
            f"client apps on iOS{pending}")
