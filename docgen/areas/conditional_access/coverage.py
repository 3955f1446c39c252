"""What the policies do, in plain words, and which enabled policy covers each baseline.

The coverage matrix asks, for each of the protections consultants are asked to prove,
which enabled policy provides it (and which report-only policy would). A policy
"covers" when it applies to all users (exclusions allowed: break-glass accounts are
normal and are named in its sentence) and to all cloud apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docgen.areas.native_mail import MOBILE_PLATFORMS, native_mail_blocked_on

REPORT_ONLY = "enabledForReportingButNotEnforced"
STATE_WORDS = {"enabled": "On", "disabled": "Off", REPORT_ONLY: "Report-only", None: "unknown"}
LEGACY_CLIENTS = {"exchangeActiveSync", "other"}
MFA_CONTROLS = {"mfa"}
CLIENT_WORDS = {"all": "any client", "browser": "browser", "mobileAppsAndDesktopClients":
                "mobile apps and desktop clients", "exchangeActiveSync": "Exchange ActiveSync",
                "easSupported": "Exchange ActiveSync", "other": "other clients"}
CONTROL_WORDS = {"block": "block access", "mfa": "MFA", "compliantDevice": "a compliant device",
                 "domainJoinedDevice": "a hybrid joined device", "approvedApplication":
                 "an approved client app", "compliantApplication": "an app protection policy",
                 "passwordChange": "a password change"}
# Well-known ids, so a policy reads without the tenant's directory
ROLE_NAMES = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
}
APP_NAMES = {"all": "all cloud apps", "office365": "Office 365", "none": "no apps",
             "00000002-0000-0ff1-ce00-000000000000": "Exchange Online",
             "797f4846-ba00-4fd7-ba43-dac1f8f63013": "Windows Azure Service Management API",
             "00000003-0000-0ff1-ce00-000000000000": "SharePoint Online"}

Policy = dict


@dataclass(frozen=True)
class Protection:
    key: str
    title: str
    test: Callable[[Policy], bool]


def everyone(policy: Policy) -> bool:
    return "All" in policy["users"]["include_users"] or "all" in {
        name.lower() for name in policy["users"]["include_users"]}


def all_apps(policy: Policy, allowed: set[str] | None = None) -> bool:
    include = {app.lower() for app in policy["applications"]["include"]}
    return bool(include & (allowed or {"all"}))


def controls(policy: Policy) -> set[str]:
    grant = policy["grant"]
    return set(grant["built_in"]) if grant else set()


def blocks(policy: Policy) -> bool:
    return "block" in controls(policy)


def requires_mfa(policy: Policy) -> bool:
    """MFA (or an authentication strength) is required, not merely one choice among others."""
    grant = policy["grant"]
    if not grant:
        return False
    built_in = set(grant["built_in"])
    strong = bool(built_in & MFA_CONTROLS) or bool(grant["authentication_strength"])
    if not strong:
        return False
    others = built_in - MFA_CONTROLS
    return grant["operator"] == "AND" or not others


def unconditional(policy: Policy) -> bool:
    """No risk, platform or location condition narrows it."""
    return not (policy["user_risk_levels"] or policy["sign_in_risk_levels"] or policy["device_filter"]
                or policy["authentication_flows"] or policy["other_conditions"]
                or policy["platforms"]["include"] and "all" not in policy["platforms"]["include"]
                or policy["locations"]["include"] and "All" not in policy["locations"]["include"])


def _all_clients(policy: Policy) -> bool:
    types = set(policy["client_app_types"])
    return not types or "all" in types or {"browser", "mobileAppsAndDesktopClients"} <= types


def _legacy(policy: Policy) -> bool:
    types = set(policy["client_app_types"]) | ({"exchangeActiveSync"} if "easSupported"
                                                in policy["client_app_types"] else set())
    return everyone(policy) and all_apps(policy) and blocks(policy) and LEGACY_CLIENTS <= types \
        and unconditional(policy)


def _mfa_all(policy: Policy) -> bool:
    return everyone(policy) and all_apps(policy) and requires_mfa(policy) and unconditional(policy) \
        and _all_clients(policy)


def _mfa_admins(policy: Policy) -> bool:
    if _mfa_all(policy):
        return True
    roles = set(policy["users"]["include_roles"])
    return bool(roles & {"62e90394-69f5-4237-9190-012177145e10"}) and all_apps(policy) \
        and (requires_mfa(policy) or blocks(policy)) and unconditional(policy)


def _user_risk(policy: Policy) -> bool:
    return everyone(policy) and all_apps(policy) and "high" in policy["user_risk_levels"] and (
        blocks(policy) or "passwordChange" in controls(policy))


def _sign_in_risk(policy: Policy) -> bool:
    return everyone(policy) and all_apps(policy) and "medium" in policy["sign_in_risk_levels"] \
        and "high" in policy["sign_in_risk_levels"] and (requires_mfa(policy) or blocks(policy))


def _native_mail(policy: Policy) -> bool:
    """The native mail apps kept from Exchange Online on iOS and on Android."""
    return set(MOBILE_PLATFORMS) <= native_mail_blocked_on(policy)


PROTECTIONS = (
    Protection("legacy_authentication", "Legacy authentication blocked", _legacy),
    Protection("mfa_all_users", "MFA for all users", _mfa_all),
    Protection("mfa_admins", "MFA for administrators", _mfa_admins),
    Protection("user_risk_high", "High user risk: password change or block", _user_risk),
    Protection("sign_in_risk_medium", "Medium and high sign-in risk: MFA or block", _sign_in_risk),
    Protection("native_mail_eas", "iOS/Android native mail (Exchange ActiveSync) blocked", _native_mail),
)


def sign_in_risk_levels_covered(policies: list[Policy]) -> set[str]:
    """The sign-in risk levels some enabled all-users policy answers with MFA or a block."""
    levels: set[str] = set()
    for policy in policies:
        if policy["state"] == "enabled" and everyone(policy) and all_apps(policy) and (
                requires_mfa(policy) or blocks(policy)):
            levels |= set(policy["sign_in_risk_levels"])
    return levels


def coverage(policies: list[Policy]) -> list[dict]:
    """One row per protection: the enabled policies that provide it, the report-only ones
    that would."""
    rows = []
    for protection in PROTECTIONS:
        enabled = [p["name"] for p in policies if p["state"] == "enabled" and protection.test(p)]
        report_only = [p["name"] for p in policies if p["state"] == REPORT_ONLY and protection.test(p)]
        if protection.key == "sign_in_risk_medium" and not enabled and \
                {"medium", "high"} <= sign_in_risk_levels_covered(policies):
            enabled = [p["name"] for p in policies if p["state"] == "enabled" and p["sign_in_risk_levels"]
                       and everyone(p) and all_apps(p) and (requires_mfa(p) or blocks(p))]
        rows.append({"key": protection.key, "title": protection.title, "enabled": enabled,
                     "report_only": report_only})
    return rows


# -- plain words -------------------------------------------------------------------------


def describe(policy: Policy, names: dict[str, str]) -> str:
    """'Block access for all users except 2 users (bg1, bg2), on all cloud apps, when the client
    is Exchange ActiveSync or other clients.'"""
    action = _action(policy)
    parts = [action[:1].upper() + action[1:], f"for {_who(policy, names)}", f"on {_apps(policy, names)}"]
    parts += _conditions(policy, names)
    return ", ".join(parts) + "."


def _action(policy: Policy) -> str:
    grant = policy["grant"]
    words = []
    if grant:
        built_in = sorted(grant["built_in"])
        if "block" in built_in:
            words.append("block access")
        else:
            required = [CONTROL_WORDS.get(name, name) for name in built_in]
            if grant["authentication_strength"]:
                required.append(f"authentication strength '{grant['authentication_strength']}'")
            required += [f"terms of use {term}" for term in grant["terms_of_use"]]
            joiner = " and " if grant["operator"] == "AND" or len(required) == 1 else " or "
            words.append("require " + joiner.join(required))
    if policy["session"]:
        words.append("session: " + "; ".join(policy["session"]))
    return "; ".join(words) if words else "no grant or session control"


def _named(ids: list[str], noun: str, names: dict[str, str], known: dict[str, str] | None = None) -> str:
    if not ids:
        return ""
    shown = [names.get(item.lower()) or (known or {}).get(item.lower()) for item in ids]
    count = f"{len(ids)} {noun}{'' if len(ids) == 1 else 's'}"
    labels = [label for label in shown if label]
    return f"{count} ({', '.join(labels)})" if labels else count


def _who(policy: Policy, names: dict[str, str]) -> str:
    users = policy["users"]
    if everyone(policy):
        included = "all users"
    else:
        special = [item for item in users["include_users"] if item in ("GuestsOrExternalUsers", "None")]
        plain = [item for item in users["include_users"] if item not in special]
        included = ", ".join(part for part in (
            _named(plain, "user", names), _named(users["include_groups"], "group", names),
            _named(users["include_roles"], "role", names, ROLE_NAMES),
            "guests and external users" if "GuestsOrExternalUsers" in special or users["include_guests"]
            else "", "nobody" if "None" in special else "") if part) or "nobody"
    excluded = ", ".join(part for part in (
        _named([u for u in users["exclude_users"] if u != "GuestsOrExternalUsers"], "user", names),
        _named(users["exclude_groups"], "group", names),
        _named(users["exclude_roles"], "role", names, ROLE_NAMES),
        "guests and external users" if "GuestsOrExternalUsers" in users["exclude_users"]
        or users["exclude_guests"] else "") if part)
    return f"{included} except {excluded}" if excluded else included


def _apps(policy: Policy, names: dict[str, str]) -> str:
    apps = policy["applications"]
    if apps["user_actions"]:
        return "the user action " + " and ".join(
            {"urn:user:registersecurityinfo": "register security information",
             "urn:user:registerdevice": "register or join devices"}.get(a.lower(), a) for a in apps["user_actions"])
    if apps["authentication_contexts"]:
        return "authentication context " + ", ".join(apps["authentication_contexts"])
    include = [names.get(a.lower()) or APP_NAMES.get(a.lower()) or a for a in apps["include"]] or ["no apps"]
    text = include[0] if len(include) == 1 else f"{len(include)} apps ({', '.join(include)})"
    if apps["exclude"]:
        text += " except " + _named(apps["exclude"], "app", names, APP_NAMES)
    return text


def _conditions(policy: Policy, names: dict[str, str]) -> list[str]:
    found = []
    types = policy["client_app_types"]
    if types and "all" not in types:
        words = sorted({CLIENT_WORDS.get(t, t) for t in types})
        legacy = " (legacy authentication)" if set(types) <= LEGACY_CLIENTS | {"easSupported"} else ""
        found.append("when the client is " + " or ".join(words) + legacy)
    if policy["user_risk_levels"]:
        found.append("when the user risk is " + " or ".join(policy["user_risk_levels"]))
    if policy["sign_in_risk_levels"]:
        found.append("when the sign-in risk is " + " or ".join(policy["sign_in_risk_levels"]))
    platforms = policy["platforms"]
    if platforms["include"] and platforms["include"] != ["all"]:
        found.append("on " + ", ".join(platforms["include"]))
    if platforms["exclude"]:
        found.append("not on " + ", ".join(platforms["exclude"]))
    locations = policy["locations"]
    if locations["include"] and locations["include"] != ["All"]:
        found.append("from " + _location_words(locations["include"], names))
    if locations["exclude"]:
        found.append("except from " + _location_words(locations["exclude"], names))
    if policy["device_filter"]:
        found.append(f"for devices matching {policy['device_filter']}")
    if policy["authentication_flows"]:
        found.append("when the sign-in uses " + " or ".join(
            {"devicecodeflow": "the device code flow", "authenticationtransfer": "authentication transfer"}
            .get(flow.lower(), flow) for flow in policy["authentication_flows"]))
    found += [f"with the condition {text}" for text in policy["other_conditions"]]
    return found


def _location_words(ids: list[str], names: dict[str, str]) -> str:
    special = {"alltrusted": "trusted locations", "all": "any location"}
    plain = [i for i in ids if i.lower() not in special]
    words = [special[i.lower()] for i in ids if i.lower() in special]
    if plain:
        words.append(_named(plain, "location", names))
    return " and ".join(words)


def excluded_user_count(policy: Policy) -> int:
    return len([u for u in policy["users"]["exclude_users"] if u != "GuestsOrExternalUsers"])
