"""The cloud side of the native mail question, from the Conditional Access section's policies
(read as facts: an area does not import another). A policy blocks the iOS native mail app in
Exchange Online when it is for all users, reaches Exchange Online, and either blocks the
Exchange ActiveSync client app type or lets iOS reach mail only from approved client apps
(which Apple Mail is not). The Conditional Access chapter's coverage row says the same."""

from __future__ import annotations

EXCHANGE_APPS = {"all", "office365", "00000002-0000-0ff1-ce00-000000000000"}
APPROVED = {"approvedApplication", "compliantApplication"}


def native_mail_policies(policies: list[dict]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"enabled": [], "report_only": []}
    for policy in policies:
        slot = {"enabled": "enabled", "enabledForReportingButNotEnforced": "report_only"}.get(policy["state"])
        if slot and _blocks_native_mail(policy):
            found[slot].append(policy["name"])
    return found


def _blocks_native_mail(policy: dict) -> bool:
    users, apps = policy["users"], {app.lower() for app in policy["applications"]["include"]}
    if "All" not in users["include_users"] or not apps & EXCHANGE_APPS:
        return False
    narrowed = (policy["user_risk_levels"] or policy["sign_in_risk_levels"] or policy["device_filter"]
                or policy["authentication_flows"] or policy["other_conditions"]
                or (policy["locations"]["include"] and "All" not in policy["locations"]["include"]))
    if narrowed:
        return False
    grant = policy["grant"] or {"built_in": [], "operator": None}
    built_in = set(grant["built_in"])
    if "block" in built_in and set(policy["client_app_types"]) & {"exchangeActiveSync", "easSupported"}:
        platforms = set(policy["platforms"]["include"])
        return not platforms or bool(platforms & {"all", "iOS"})
    platforms = set(policy["platforms"]["include"])
    return bool(platforms & {"all", "iOS"}) and bool(built_in & APPROVED) and (
        grant["operator"] == "AND" or built_in <= APPROVED)
