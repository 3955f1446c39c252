"""Regenerate the fictional Contoso Entra ID exports in samples/entra/.

    python samples/generate_entra_samples.py

The committed files are what the tests and `docgen demo` use; run this only to change them
on purpose. Dates are relative to COLLECTED_AT, so the findings they produce never age.

- contoso-entra.json: collectors/Export-EntraConfig.ps1's output as Windows PowerShell 5.1
  writes it (the Graph SDK's PascalCase objects, dates as "/Date(ms)/"); `docgen demo` reads it.
- contoso-entra-graph-policies.json: the same policies as the Graph REST API returns them
  (`GET /identity/conditionalAccess/policies`: camelCase, ISO 8601, @odata annotations).

The story: the customer asked for the iOS native mail app to be blocked. Legacy
authentication is blocked and MFA is required, but the policy allowing only approved
client apps on iOS and Android is still report-only, the sign-in risk policy has been
report-only for months, an old pilot policy excludes seven users by name, and one
high-risk user has been at risk for twelve days.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

COLLECTED_AT = datetime(2026, 11, 2, 9, 45, tzinfo=timezone.utc)
OUT = Path(__file__).resolve().parent / "entra"
BREAK_GLASS = "5b1e7c3a-1f0e-4d8e-9b7a-2c4d6e8f0a11"
ALL_STAFF = "9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f"
ROLES = {"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
         "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
         "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
         "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator"}
HEAD_OFFICE = "0d6a3c1e-5b7f-4e2a-8c9d-1f2e3a4b5c6d"
ALLOWED_COUNTRIES = "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"
PILOT_EXCLUSIONS = [f"1{n}a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5{n}" for n in range(7)]


def ago(days: float) -> datetime:
    return COLLECTED_AT - timedelta(days=days)


def policy(ident: str, name: str, state: str, created: float, modified: float | None, *,
           users: dict | None = None, apps: list[str] | None = None, clients: list[str] | None = None,
           platforms: list[str] | None = None, locations: tuple[list[str], list[str]] | None = None,
           user_risk: list[str] | None = None, sign_in_risk: list[str] | None = None,
           grant: tuple[str, list[str]] | None = None, session: dict | None = None) -> dict:
    users = {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
             "excludeGroups": [BREAK_GLASS], "includeRoles": [], "excludeRoles": [], **(users or {})}
    return {
        "id": ident, "displayName": name, "state": state,
        "createdDateTime": ago(created), "modifiedDateTime": None if modified is None else ago(modified),
        "conditions": {
            "users": users,
            "applications": {"includeApplications": apps or ["All"], "excludeApplications": [],
                             "includeUserActions": [], "includeAuthenticationContextClassReferences": []},
            "clientAppTypes": clients or ["all"],
            "platforms": None if platforms is None else {"includePlatforms": platforms, "excludePlatforms": []},
            "locations": None if locations is None else {"includeLocations": locations[0],
                                                         "excludeLocations": locations[1]},
            "userRiskLevels": user_risk or [], "signInRiskLevels": sign_in_risk or [],
        },
        "grantControls": None if grant is None else {
            "operator": grant[0], "builtInControls": grant[1], "customAuthenticationFactors": [],
            "termsOfUse": []},
        "sessionControls": session,
    }


POLICIES = [
    policy("a1f3c2d4-0001-4b5c-8d9e-0f1a2b3c4d01", "CA001 Block legacy authentication", "enabled", 400, 200,
           clients=["exchangeActiveSync", "other"], grant=("OR", ["block"])),
    policy("a1f3c2d4-0002-4b5c-8d9e-0f1a2b3c4d02", "CA002 Require MFA for all users", "enabled", 400, 90,
           grant=("OR", ["mfa"])),
    policy("a1f3c2d4-0003-4b5c-8d9e-0f1a2b3c4d03", "CA003 Require MFA for administrators", "enabled", 400, 400,
           users={"includeUsers": [], "includeRoles": sorted(ROLES)}, grant=("OR", ["mfa"]),
           session={"signInFrequency": {"isEnabled": True, "value": 4, "type": "hours",
                                        "frequencyInterval": "timeBased"}}),
    policy("a1f3c2d4-0004-4b5c-8d9e-0f1a2b3c4d04", "CA004 High user risk: secure password change",
           "enabled", 300, 120, user_risk=["high"], grant=("AND", ["mfa", "passwordChange"])),
    policy("a1f3c2d4-0005-4b5c-8d9e-0f1a2b3c4d05", "CA005 Medium and high sign-in risk: MFA",
           "enabledForReportingButNotEnforced", 150, 95, sign_in_risk=["high", "medium"],
           grant=("OR", ["mfa"])),
    policy("a1f3c2d4-0006-4b5c-8d9e-0f1a2b3c4d06", "CA006 Mobile mail: approved client apps only",
           "enabledForReportingButNotEnforced", 12, 12, apps=["00000002-0000-0ff1-ce00-000000000000"],
           platforms=["android", "iOS"], clients=["exchangeActiveSync", "mobileAppsAndDesktopClients"],
           grant=("OR", ["approvedApplication", "compliantApplication"])),
    policy("a1f3c2d4-0007-4b5c-8d9e-0f1a2b3c4d07", "CA007 Block sign-ins from other countries", "enabled",
           250, 60, locations=(["All"], [ALLOWED_COUNTRIES, HEAD_OFFICE]), grant=("OR", ["block"])),
    policy("a1f3c2d4-0008-4b5c-8d9e-0f1a2b3c4d08", "CA008 Pilot: compliant devices for all staff", "disabled",
           500, 480, users={"includeUsers": [], "includeGroups": [ALL_STAFF], "excludeGroups": [BREAK_GLASS],
                            "excludeUsers": PILOT_EXCLUSIONS},
           grant=("OR", ["compliantDevice", "domainJoinedDevice"])),
]

NAMED_LOCATIONS = [
    {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": HEAD_OFFICE, "displayName": "Head office",
     "createdDateTime": ago(600), "modifiedDateTime": ago(600), "isTrusted": True,
     "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}]},
    {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": ALLOWED_COUNTRIES,
     "displayName": "Allowed countries", "createdDateTime": ago(600), "modifiedDateTime": ago(250),
     "countriesAndRegions": ["AT", "CH", "DE"], "includeUnknownCountriesAndRegions": False},
]

# (id, level, state, detail, days since the last risk update)
RISKY_USERS = [
    ("3f0c8a51-0001-4d2e-9f3a-5b6c7d8e9f01", "high", "atRisk", "none", 12),
    ("3f0c8a51-0002-4d2e-9f3a-5b6c7d8e9f02", "high", "atRisk", "none", 2),
    ("3f0c8a51-0003-4d2e-9f3a-5b6c7d8e9f03", "medium", "atRisk", "none", 30),
    ("3f0c8a51-0004-4d2e-9f3a-5b6c7d8e9f04", "low", "atRisk", "none", 45),
    ("3f0c8a51-0005-4d2e-9f3a-5b6c7d8e9f05", "none", "remediated", "userPerformedSecuredPasswordChange", 20),
    ("3f0c8a51-0006-4d2e-9f3a-5b6c7d8e9f06", "none", "dismissed", "adminDismissedAllRiskForUser", 60),
]
# (event type, level, state, timing, days ago, risky user index)
DETECTIONS = [
    ("unfamiliarFeatures", "high", "atRisk", "realtime", 12, 0),
    ("leakedCredentials", "high", "atRisk", "offline", 12, 0),
    ("anonymizedIPAddress", "medium", "atRisk", "realtime", 2, 1),
    ("passwordSpray", "high", "atRisk", "offline", 2, 1),
    ("unlikelyTravel", "medium", "atRisk", "offline", 30, 2),
    ("unfamiliarFeatures", "low", "atRisk", "realtime", 45, 3),
    ("maliciousIPAddress", "medium", "remediated", "offline", 20, 4),
    ("anonymizedIPAddress", "low", "dismissed", "realtime", 60, 5),
]


def pascal(value: Any) -> Any:
    """The SDK's shape as Windows PowerShell 5.1 writes it: PascalCase keys, /Date(ms)/."""
    if isinstance(value, dict):
        return {(key if key.startswith("@") else key[:1].upper() + key[1:]): pascal(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [pascal(item) for item in value]
    if isinstance(value, datetime):
        return f"/Date({int(value.timestamp() * 1000)})/"
    return value


def iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso(item) for item in value]
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def collector_document() -> dict:
    risky = [{"id": ident, "riskLevel": level, "riskState": state, "riskDetail": detail,
              "riskLastUpdatedDateTime": ago(days), "isDeleted": False, "isProcessing": False}
             for ident, level, state, detail, days in RISKY_USERS]
    detections = [{"id": f"d{index:03d}e2f1c0b9a8", "riskEventType": kind, "riskLevel": level,
                   "riskState": state, "detectionTimingType": timing, "detectedDateTime": ago(days),
                   "activity": "signin", "source": "IdentityProtection",
                   "userId": RISKY_USERS[user][0]}
                  for index, (kind, level, state, timing, days, user) in enumerate(DETECTIONS, start=1)]
    return {
        "Collector": "Export-EntraConfig",
        "CollectorVersion": "1.0",
        "CollectedAt": COLLECTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Organization": "Contoso",
        "IncludesUserNames": False,
        "ConditionalAccessPolicies": pascal(POLICIES),
        "NamedLocations": pascal(NAMED_LOCATIONS),
        "SecurityDefaults": pascal({"id": "00000000-0000-0000-0000-000000000000", "isEnabled": False,
                                    "displayName": "Security Defaults"}),
        "AuthorizationPolicy": pascal({
            "id": "authorizationPolicy", "allowInvitesFrom": "adminsAndGuestInviters",
            "allowedToUseSSPR": True, "allowEmailVerifiedUsersToJoinOrganization": False,
            "allowedToSignUpEmailBasedSubscriptions": False, "blockMsolPowerShell": True,
            "allowUserConsentForRiskyApps": False, "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b",
            "defaultUserRolePermissions": {"allowedToCreateApps": False, "allowedToCreateSecurityGroups": False,
                                           "allowedToCreateTenants": False, "allowedToReadOtherUsers": True},
            "permissionGrantPolicyIdsAssignedToDefaultUserRole": [
                "ManagePermissionGrantsForSelf.microsoft-user-default-low"]}),
        "DirectorySettings": pascal([{
            "id": "8b1c2d3e-4f5a-4b6c-9d7e-0f1a2b3c4d5e", "displayName": "Password Rule Settings",
            "templateId": "5cf42378-d67d-4f36-ba46-e8b86229381d",
            "values": [{"name": "BannedPasswordCheckOnPremisesMode", "value": "Enforced"},
                       {"name": "EnableBannedPasswordCheckOnPremises", "value": "True"},
                       {"name": "EnableBannedPasswordCheck", "value": "True"},
                       {"name": "LockoutDurationInSeconds", "value": "60"},
                       {"name": "LockoutThreshold", "value": "10"},
                       {"name": "BannedPasswordList", "value": "contoso\tfabrikam\twinter2026"}]}]),
        "DirectoryObjects": {BREAK_GLASS: "Emergency access accounts", ALL_STAFF: "All staff", **ROLES},
        "RiskyUsers": pascal(risky),
        "RiskDetections": pascal(detections),
        "Errors": [],
    }


def graph_policies() -> dict:
    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies",
            "value": [{"@odata.type": "#microsoft.graph.conditionalAccessPolicy", **iso(item)} for item in POLICIES]}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, document in (("contoso-entra.json", collector_document()),
                           ("contoso-entra-graph-policies.json", graph_policies())):
        (OUT / name).write_text(json.dumps(document, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
