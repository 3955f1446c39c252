"""Exchange ActiveSync access, on premises and in Exchange Online: the organisation's default,
the device access rules, mobile device mailbox policies, and mailboxes and devices counted.

Forms: collectors/Export-MobileAccess.ps1's JSON (one environment per file, named by its
`Environment`: OnPremises or ExchangeOnline), or the raw cmdlets' ConvertTo-Json output
(Get-ActiveSyncOrganizationSettings, Get-ActiveSyncDeviceAccessRule,
Get-MobileDeviceMailboxPolicy, Get-CASMailbox, Get-MobileDevice), which says nothing of the
environment ("Exchange (environment not stated)"). Windows PowerShell 5.1 writes the enums as
numbers; both forms are read.

Personal data (IMEI, phone numbers, device ids, mailbox and user names) is never stored:
devices are counted by OS, type, model, client, access state and reason; mailboxes by
ActiveSync state and individually allowed or blocked device ids.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.bundle.result import SourceResult
from docgen.core.dates import utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import graph
from docgen.readers import powershell as ps
from docgen.readers.inputs import read_input

SECTION = "mobile_access"
COLLECTOR = "export-mobileaccess"
ENVIRONMENTS = {"onpremises": "on-premises", "exchangeonline": "exchange-online"}
UNSTATED = "unstated"
ACCESS_LEVELS = {0: "Allow", 1: "Block", 2: "Quarantine"}
CHARACTERISTICS = {0: "DeviceType", 1: "DeviceModel", 2: "DeviceOS", 3: "UserAgent", 4: "XMSWLHeader"}
DEVICE_STATES = {0: "Unknown", 1: "Allowed", 2: "Blocked", 3: "Quarantined", 4: "DeviceDiscovery"}
DEVICE_REASONS = {0: "Unknown", 1: "Global", 2: "Individual", 3: "DeviceRule", 4: "Upgrade", 5: "Policy",
                  6: "UserAgentsChanges", 7: "RecentCommands", 8: "Compliance", 9: "ExternallyManaged",
                  10: "MissingDeviceInfo"}
POLICY_FIELDS = (("isdefault", "Default policy"), ("passwordenabled", "Password required"),
                 ("alphanumericpasswordrequired", "Alphanumeric password"),
                 ("minpasswordlength", "Minimum password length"),
                 ("maxinactivitytimelock", "Lock after inactivity"),
                 ("maxpasswordfailedattempts", "Wipe after failed attempts"),
                 ("requiredeviceencryption", "Device encryption required"),
                 ("allownonprovisionabledevices", "Devices that cannot apply the policy allowed"),
                 ("allowsimplepassword", "Simple password allowed"))


def import_mobile_access(paths: list[Path], collected_at: datetime | None = None) -> SourceResult:
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    environments: dict[str, dict] = {}
    times: list[datetime] = []
    organization = None
    for path in paths:
        try:
            data, record = read_input(path, SECTION)
            inputs.append(record)
            document = graph.lower_keys(ps.load_json(data, record["name"]))
        except InputError as exc:
            errors.append(exc)
            continue
        source = record["name"]
        try:
            if isinstance(document, dict) and str(document.get("collector", "")).lower() == COLLECTOR:
                moment = ps.to_datetime(document.get("collectedat"), source, "CollectedAt")
                times.extend([moment] if moment else [])
                organization = organization or graph.text(document.get("organization"))
                name = ENVIRONMENTS.get(str(document.get("environment", "")).lower(), UNSTATED)
                env = environments.setdefault(name, _new_environment(name))
                for message in ps.as_list(document.get("errors")):
                    errors.append(InputError(f"the collector reported: {message}", source=source))
                if document.get("organizationsettings") is not None:
                    _org(env, document["organizationsettings"], source)
                _add_objects(env, ps.as_list(document.get("deviceaccessrules")), "rule", source, errors)
                _add_objects(env, ps.as_list(document.get("mailboxpolicies")), "policy", source, errors)
                _add_objects(env, ps.as_list(document.get("casmailboxes")), "mailbox", source, errors)
                _add_objects(env, ps.as_list(document.get("mobiledevices")), "device", source, errors)
            else:
                env = environments.setdefault(UNSTATED, _new_environment(UNSTATED))
                objects = ps.as_list(document)
                kinds = {_kind(obj) for obj in objects}
                if "" in kinds or not objects:
                    raise InputError("not an export of Get-ActiveSyncOrganizationSettings, "
                                     "Get-ActiveSyncDeviceAccessRule, Get-MobileDeviceMailboxPolicy, "
                                     "Get-CASMailbox or Get-MobileDevice", source=source)
                for obj in objects:
                    if _kind(obj) == "org":
                        _org(env, obj, source)
                    else:
                        _add_objects(env, [obj], _kind(obj), source, errors)
        except InputError as exc:
            errors.append(exc)
    order = ("on-premises", "exchange-online", UNSTATED)
    items = [_finish(environments[name]) for name in sorted(environments, key=order.index)]
    return SourceResult(section=SECTION, collected_at=collected_at or (max(times) if times else utc_now()),
                        items=items, errors=errors, inputs=inputs, organization=organization)


def _new_environment(name: str) -> dict:
    return {"key": name, "default_access_level": None, "rules": [], "mailbox_policies": [],
            "_mailboxes": [], "_devices": []}


def _kind(obj: Any) -> str:
    if not isinstance(obj, dict):
        return ""
    if "defaultaccesslevel" in obj:
        return "org"
    if "characteristic" in obj and "querystring" in obj:
        return "rule"
    if "deviceaccessstate" in obj or "deviceos" in obj:
        return "device"
    if "activesyncenabled" in obj or "activesyncalloweddeviceids" in obj:
        return "mailbox"
    if "allownonprovisionabledevices" in obj or "passwordenabled" in obj:
        return "policy"
    return ""


def _org(env: dict, obj: Any, source: str) -> None:
    obj = ps.as_list(obj)[0] if not isinstance(obj, dict) else obj
    level = ps.enum_name(obj.get("defaultaccesslevel"), ACCESS_LEVELS)
    if level not in ACCESS_LEVELS.values():
        raise InputError(f"unknown DefaultAccessLevel {level!r}", source=source, where="organization settings")
    env["default_access_level"] = level


def _add_objects(env: dict, objects: list, kind: str, source: str, errors: list[DocgenError]) -> None:
    for index, obj in enumerate(objects, start=1):
        where = f"{kind} {index}"
        if not isinstance(obj, dict):
            errors.append(InputError("not an object", source=source, where=where))
            continue
        try:
            if kind == "rule":
                env["rules"].append(_rule(obj, source, where))
            elif kind == "policy":
                env["mailbox_policies"].append(_policy(obj))
            elif kind == "mailbox":
                env["_mailboxes"].append(obj)
            elif kind == "device":
                env["_devices"].append(obj)
        except InputError as exc:
            errors.append(exc)


def _rule(obj: dict, source: str, where: str) -> dict:
    characteristic = ps.enum_name(obj.get("characteristic"), CHARACTERISTICS)
    level = ps.enum_name(obj.get("accesslevel"), ACCESS_LEVELS)
    query = graph.text(obj.get("querystring"))
    if characteristic not in CHARACTERISTICS.values():
        raise InputError(f"unknown Characteristic {characteristic!r}", source=source, where=where)
    if level not in ACCESS_LEVELS.values():
        raise InputError(f"unknown AccessLevel {level!r}", source=source, where=where)
    if query is None:
        raise InputError("the rule has no QueryString", source=source, where=where)
    return {"key": f"{characteristic}:{query}".lower(), "characteristic": characteristic,
            "query_string": query, "access_level": level,
            "name": graph.text(obj.get("name")) or f"{query} ({characteristic})"}


def _policy(obj: dict) -> dict:
    settings = []
    for key, label in POLICY_FIELDS:
        if key in obj:
            value = obj[key]
            settings.append({"name": label, "value": value if isinstance(value, (bool, int)) or value is None
                             else str(value)})
    name = graph.text(obj.get("name")) or "(unnamed policy)"
    return {"key": name.lower(), "name": name, "settings": settings}


def _finish(env: dict) -> dict:
    mailboxes, devices = env.pop("_mailboxes"), env.pop("_devices")
    env["rules"].sort(key=lambda rule: rule["key"])
    env["mailbox_policies"].sort(key=lambda policy: policy["key"])
    allowed = [_id_count(box.get("activesyncalloweddeviceids")) for box in mailboxes]
    blocked = [_id_count(box.get("activesyncblockeddeviceids")) for box in mailboxes]
    env["mailboxes"] = None if not mailboxes else {
        "total": len(mailboxes),
        "activesync_enabled": sum(1 for box in mailboxes if box.get("activesyncenabled") in (True, "True")),
        "with_allowed_device_ids": sum(1 for count in allowed if count),
        "allowed_device_ids": sum(allowed),
        "with_blocked_device_ids": sum(1 for count in blocked if count),
        "blocked_device_ids": sum(blocked),
    }
    counts = Counter(_device_profile(device) for device in devices)
    env["devices"] = [{"key": "|".join(str(part) for part in profile), "os": profile[0], "type": profile[1],
                       "model": profile[2], "client": profile[3], "user_agent": profile[4],
                       "state": profile[5], "reason": profile[6], "count": count}
                      for profile, count in sorted(counts.items(), key=lambda entry: [str(p) for p in entry[0]])]
    return env


def _id_count(value: Any) -> int:
    """Get-CASMailbox's device id list, or the collector's count of it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return len([item for item in ps.as_list(value) if item not in (None, "")])


def _device_profile(device: dict) -> tuple:
    os_text = graph.text(device.get("deviceos"))
    family = None
    if os_text:
        words = os_text.split()
        family = " ".join(words[:2]).split(".")[0] if len(words) > 1 else words[0]
    agent = graph.text(device.get("deviceuseragent"))
    return (family, graph.text(device.get("devicetype")), graph.text(device.get("devicemodel")),
            graph.text(device.get("clienttype")), agent.split("/")[0] if agent else None,
            ps.enum_name(device.get("deviceaccessstate"), DEVICE_STATES),
            ps.enum_name(device.get("deviceaccessstatereason"), DEVICE_REASONS))
