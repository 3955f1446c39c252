"""Mobile access as the template sees it: per environment the default, the rules in order of
effect, what the iOS native mail client gets, devices counted; the cloud side from the
Conditional Access view (charts)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from docgen.areas.mobile_access.checks import ENVIRONMENT_NAMES
from docgen.areas.mobile_access.cloud import native_mail_policies
from docgen.areas.mobile_access.verdict import (
    individually_allowed,
    native_ios,
    native_ios_devices,
    rules_in_order,
)
from docgen.checks.model import worst_by_key


def mobile_access_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    environments = []
    for env in section["items"]:
        by_os: Counter = Counter()
        by_state: Counter = Counter()
        for row in env["devices"]:
            by_os[row["os"] or "unknown"] += row["count"]
            by_state[row["state"] or "Unknown"] += row["count"]
        environments.append({
            **env,
            "title": ENVIRONMENT_NAMES[env["key"]],
            "rules_in_order": rules_in_order(env["rules"]),
            "native_ios": native_ios(env),
            "native_ios_devices": native_ios_devices(env),
            "individually_allowed": individually_allowed(env),
            "devices_total": sum(row["count"] for row in env["devices"]),
            "by_os": sorted(by_os.items()),
            "by_state": sorted(by_state.items()),
            "worst": worst.get(env["key"]),
        })
    return {"environments": environments, "cloud_worst": worst.get("cloud")}


def cloud_charts(views: dict[str, dict]) -> dict:
    """The Conditional Access policies that block the native mail app in Exchange Online."""
    ca = views.get("conditional_access")
    return {"native_mail_cloud": None if not ca else native_mail_policies(ca["policies"])}
