"""Regenerate the fictional Contoso Exchange ActiveSync exports in samples/mobile/.

    python samples/generate_mobile_samples.py

The committed files are what the tests and `docgen demo` use; run this only to change them
on purpose.

- contoso-mobile-onprem.json: collectors/Export-MobileAccess.ps1 on premises, as Windows
  PowerShell 5.1 writes it with the enums as numbers (AccessLevel 1 = Block, ...). The
  organisation allows by default; a rule blocks DeviceType iPhone but none blocks iPad, so
  Apple Mail on an iPad still syncs; three devices are allowed one by one.
- contoso-mobile-exo.json: the same collector in Exchange Online, enums as names: no device
  access rules (Conditional Access decides there).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "mobile"
COLLECTED_AT = "2026-11-02T09:40:00Z"

# (ClientType, DeviceOS, DeviceType, DeviceModel, UserAgent, state, reason, how many)
ONPREM_DEVICES = [
    ("EAS", "iOS 17.6.1 21G93", "iPhone", "iPhone", "Apple-iPhone15C2/2107.93", 2, 3, 9),
    ("EAS", "iOS 17.6.1 21G93", "iPhone", "iPhone", "Apple-iPhone15C2/2107.93", 1, 2, 3),
    ("EAS", "iOS 18.1 22B83", "iPad", "iPad", "Apple-iPad13C1/2201.83", 1, 1, 4),
    ("EAS", "Android 14.0.0", "Outlook", "Outlook for iOS and Android", "Outlook-Android/2.0", 1, 3, 11),
    ("EAS", "iOS 18.1 22B83", "Outlook", "Outlook for iOS and Android", "Outlook-iOS/2.0", 1, 3, 17),
    ("EAS", "Android 13", "SamsungDevice", "SM-S911B", "Android-SAMSUNG-SM-S911B/101.130", 3, 3, 2),
]
EXO_DEVICES = [
    ("Outlook", "iOS 18.1 22B83", "Outlook", "Outlook for iOS and Android", "Outlook-iOS/2.0", "Allowed", "Global", 42),
    ("Outlook", "Android 14.0.0", "Outlook", "Outlook for iOS and Android", "Outlook-Android/2.0", "Allowed", "Global", 25),
    ("EAS", "iOS 17.6.1 21G93", "iPhone", "iPhone", "Apple-iPhone15C2/2107.93", "Allowed", "Global", 6),
]


def devices(rows):
    return [{"ClientType": client, "DeviceOS": os_name, "DeviceType": kind, "DeviceModel": model,
             "DeviceUserAgent": agent, "DeviceAccessState": state, "DeviceAccessStateReason": reason,
             "FirstSyncTime": "2026-03-01T08:00:00Z"}
            for client, os_name, kind, model, agent, state, reason, count in rows for _ in range(count)]


def onprem() -> dict:
    return {
        "Collector": "Export-MobileAccess", "CollectorVersion": "1.0", "CollectedAt": COLLECTED_AT,
        "Organization": "Contoso", "Environment": "OnPremises",
        "OrganizationSettings": {"DefaultAccessLevel": 0},
        "DeviceAccessRules": [
            {"Name": "iPhone (DeviceType)", "Characteristic": 0, "QueryString": "iPhone", "AccessLevel": 1},
            {"Name": "Outlook for iOS and Android (DeviceModel)", "Characteristic": 1,
             "QueryString": "Outlook for iOS and Android", "AccessLevel": 0},
            {"Name": "Android-SAMSUNG (UserAgent)", "Characteristic": 3,
             "QueryString": "Android-SAMSUNG-SM-S911B/101.130", "AccessLevel": 2},
        ],
        "MailboxPolicies": [{"Name": "Default", "IsDefault": True, "PasswordEnabled": True,
                             "AlphanumericPasswordRequired": False, "MinPasswordLength": 6,
                             "MaxInactivityTimeLock": "00:05:00", "MaxPasswordFailedAttempts": "10",
                             "RequireDeviceEncryption": True, "AllowNonProvisionableDevices": False,
                             "AllowSimplePassword": False}],
        "CASMailboxes": [{"ActiveSyncEnabled": True, "ActiveSyncAllowedDeviceIDs": 1 if n < 3 else 0,
                          "ActiveSyncBlockedDeviceIDs": 1 if n == 3 else 0} for n in range(120)]
                        + [{"ActiveSyncEnabled": False, "ActiveSyncAllowedDeviceIDs": 0,
                            "ActiveSyncBlockedDeviceIDs": 0} for _ in range(15)],
        "MobileDevices": devices(ONPREM_DEVICES),
        "Errors": [],
    }


def exo() -> dict:
    return {
        "Collector": "Export-MobileAccess", "CollectorVersion": "1.0", "CollectedAt": COLLECTED_AT,
        "Organization": "Contoso", "Environment": "ExchangeOnline",
        "OrganizationSettings": {"DefaultAccessLevel": "Allow"},
        "DeviceAccessRules": [],
        "MailboxPolicies": [{"Name": "Default", "IsDefault": True, "PasswordEnabled": False,
                             "AllowNonProvisionableDevices": True}],
        "CASMailboxes": [{"ActiveSyncEnabled": True, "ActiveSyncAllowedDeviceIDs": 0,
                          "ActiveSyncBlockedDeviceIDs": 0} for _ in range(80)],
        "MobileDevices": devices(EXO_DEVICES),
        "Errors": [],
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, document in (("contoso-mobile-onprem.json", onprem()), ("contoso-mobile-exo.json", exo())):
        (OUT / name).write_text(json.dumps(document, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
