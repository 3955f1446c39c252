"""Whether a Conditional Access policy keeps the native mail apps of iOS and Android (Apple
Mail, and the other Exchange ActiveSync clients) away from Exchange Online.

The Conditional Access chapter's coverage row and the mobile mail section both ask it, so it
is answered once, here, from the policy's facts as the conditional_access section holds them
(areas do not import each other). A policy keeps them away on a platform when it is for all
users, reaches Exchange Online, is not narrowed by risk, device filter, authentication flow
or location, and on that platform either blocks the Exchange ActiveSync client app type or
lets mail be reached only from approved client apps (which the native apps are not).
"""

from __future__ import annotations

EXCHANGE_APPS = frozenset({"all", "office365", "00000002-0000-0ff1-ce00-000000000000"})
APPROVED_APP_CONTROLS = frozenset({"approvedApplication", "compliantApplication"})
EAS_CLIENTS = frozenset({"exchangeActiveSync", "easSupported"})
MOBILE_PLATFORMS = ("iOS", "android")


def native_mail_blocked_on(policy: dict) -> frozenset[str]:
    """The platforms of MOBILE_PLATFORMS on which `policy` keeps the native mail apps from
    Exchange Online, for everyone and under every condition; empty when it does not."""
    users = {name.lower() for name in policy["users"]["include_users"]}
    apps = {app.lower() for app in policy["applications"]["include"]}
    if "all" not in users or not apps & EXCHANGE_APPS or _narrowed(policy):
        return frozenset()
    platforms = set(policy["platforms"]["include"])
    grant = policy["grant"] or {"built_in": [], "operator": None}
    built_in = set(grant["built_in"])
    if "block" in built_in and set(policy["client_app_types"]) & EAS_CLIENTS:
        return _on(platforms, unnamed_means_all=True)
    approved_only = bool(built_in & APPROVED_APP_CONTROLS) and (
        grant["operator"] == "AND" or built_in <= APPROVED_APP_CONTROLS)
    # an approved-app grant is written for named mobile platforms (elsewhere it blocks all)
    return _on(platforms, unnamed_means_all=False) if approved_only else frozenset()


def _on(platforms: set[str], *, unnamed_means_all: bool) -> frozenset[str]:
    if "all" in platforms or (not platforms and unnamed_means_all):
        return frozenset(MOBILE_PLATFORMS)
    return frozenset(platform for platform in MOBILE_PLATFORMS if platform in platforms)


def _narrowed(policy: dict) -> bool:
    """A condition other than the platform leaves some sign-ins out."""
    locations = policy["locations"]["include"]
    return bool(policy["user_risk_levels"] or policy["sign_in_risk_levels"] or policy["device_filter"]
                or policy["authentication_flows"] or policy["other_conditions"]
                or (locations and "All" not in locations))
