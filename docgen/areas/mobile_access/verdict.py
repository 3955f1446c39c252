"""What an iOS native mail client (Apple Mail over Exchange ActiveSync) gets, on premises and in
Exchange Online, from the organisation's default and the device access rules.

Exchange decides per device: an id allowed or blocked on the mailbox wins (it bypasses the
rules); then, among the device access rules that match, Block before Quarantine before Allow;
then the organisation's DefaultAccessLevel. The native client reports DeviceType and
DeviceModel iPhone or iPad and a user agent "Apple-iPhone.../..." (Outlook for iOS reports
DeviceType Outlook, so rules on iPhone or iPad do not touch it). A DeviceOS or UserAgent rule
names one version, so it covers only the devices on that version.
"""

from __future__ import annotations

PROFILES = {"iPhone": {"devicetype": "iphone", "devicemodel": "iphone", "useragent": "apple-iphone"},
            "iPad": {"devicetype": "ipad", "devicemodel": "ipad", "useragent": "apple-ipad"}}
ORDER = ("Block", "Quarantine", "Allow")
WORDS = {"Block": "blocked", "Quarantine": "quarantined", "Allow": "allowed", None: "unknown"}


def rules_in_order(rules: list[dict]) -> list[dict]:
    """The rules in their order of effect: Block, then Quarantine, then Allow."""
    return sorted(rules, key=lambda rule: (ORDER.index(rule["access_level"]), rule["key"]))


def native_ios(env: dict) -> dict:
    """{"access": Block|Quarantine|Allow|None, "words", "devices": {iPhone: sentence, iPad: ...},
    "version_rules": names of rules that cover only some iOS versions}."""
    per_device = {}
    levels = []
    for device, profile in PROFILES.items():
        matching = [rule for rule in rules_in_order(env["rules"]) if _matches(rule, profile)]
        if matching:
            rule = matching[0]
            level, why = rule["access_level"], f"rule '{rule['name']}'"
        else:
            level = env["default_access_level"]
            why = ("the organisation's default" if level else
                   "the organisation's default, which is not in the export")
        levels.append(level)
        per_device[device] = f"{WORDS[level]} by {why}"
    access = None if None in levels else min(levels, key=lambda level: -ORDER.index(level))
    version_rules = [rule["name"] for rule in env["rules"] if _version_specific(rule)]
    return {"access": access, "words": WORDS[access], "devices": per_device, "version_rules": version_rules}


def _matches(rule: dict, profile: dict) -> bool:
    name = rule["characteristic"].lower()
    return name in ("devicetype", "devicemodel") and rule["query_string"].strip().lower() == profile[name]


def _version_specific(rule: dict) -> bool:
    query = rule["query_string"].lower()
    return (rule["characteristic"] == "UserAgent" and query.startswith(("apple-iphone", "apple-ipad"))) or \
        (rule["characteristic"] == "DeviceOS" and query.startswith("ios"))


def native_ios_devices(env: dict) -> dict[str, int]:
    """Devices seen that are the native client (iPhone/iPad, not Outlook), by access state."""
    counts: dict[str, int] = {}
    for row in env["devices"]:
        if (row["type"] or "").lower() in ("iphone", "ipad") and (row["client"] or "EAS").lower() != "outlook":
            state = row["state"] or "Unknown"
            counts[state] = counts.get(state, 0) + row["count"]
    return dict(sorted(counts.items()))


def individually_allowed(env: dict) -> int:
    """Devices allowed one by one (they bypass the rules): the mailboxes' allowed ids, or else
    the devices whose access state reason is Individual."""
    by_reason = sum(row["count"] for row in env["devices"]
                    if row["reason"] == "Individual" and row["state"] == "Allowed")
    ids = (env["mailboxes"] or {}).get("allowed_device_ids", 0)
    return max(ids, by_reason)
