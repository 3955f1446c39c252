"""The Conditional Access section as the template sees it: policies in plain words, the
coverage matrix, and the tenant settings."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.conditional_access.coverage import (
    APP_NAMES,
    REPORT_ONLY,
    ROLE_NAMES,
    STATE_WORDS,
    coverage,
    describe,
)
from docgen.areas.conditional_access.source import PASSWORD_RULE_TEMPLATE
from docgen.checks.model import worst_by_key

PASSWORD_RULE_WORDS = {
    "enablebannedpasswordcheck": "Custom banned password list enforced",
    "bannedpasswordlist": "Custom banned passwords",
    "lockoutthreshold": "Lockout threshold (failed sign-ins)",
    "lockoutdurationinseconds": "Lockout duration (seconds)",
    "enablebannedpasswordcheckonpremises": "Password protection for Windows Server AD",
    "bannedpasswordcheckonpremisesmode": "Mode on Windows Server AD",
}


def conditional_access_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    names = section.get("directory_objects") or {}
    policies = []

    def labels(*groups: list[str]) -> list[str]:
        """Ids with the names the export or Microsoft's well-known ids give them."""
        return [names.get(item.lower()) or ROLE_NAMES.get(item.lower()) or APP_NAMES.get(item.lower()) or item
                for group in groups for item in group]

    for policy in section["items"]:
        users = policy["users"]
        policies.append({
            **policy,
            "included": labels(users["include_users"], users["include_groups"], users["include_roles"]),
            "excluded": labels(users["exclude_users"], users["exclude_groups"], users["exclude_roles"]),
            "apps_included": labels(policy["applications"]["include"]),
            "apps_excluded": labels(policy["applications"]["exclude"]),
            "locations_included": labels(policy["locations"]["include"]),
            "locations_excluded": labels(policy["locations"]["exclude"]),
            "state_words": STATE_WORDS.get(policy["state"], "unknown"),
            "report_only": policy["state"] == REPORT_ONLY,
            "sentence": describe(policy, names),
            "worst": worst.get(policy["key"]),
        })
    counts = {words: sum(1 for p in policies if p["state_words"] == words)
              for words in ("On", "Report-only", "Off", "unknown")}
    settings = section.get("directory_settings") or []
    password = next((s for s in settings if s["template_id"] == PASSWORD_RULE_TEMPLATE
                     or s["name"].lower() == "password rule settings"), None)
    defaults = section.get("security_defaults")
    return {
        "policies": policies,
        "counts": counts,
        "coverage": coverage(section["items"]),
        "security_defaults": ("not in the export" if defaults is None else
                              "on" if defaults["enabled"] else "off" if defaults["enabled"] is False
                              else "unknown"),
        "authorization": section.get("authorization_policy"),
        "password_rules": None if password is None else [
            {"name": PASSWORD_RULE_WORDS.get(entry["name"].lower(), entry["name"]), "value": entry["value"]}
            for entry in password["values"]],
        "other_settings": [s for s in settings if s is not password],
        "named_locations": section.get("named_locations") or [],
        "tenant_finding": worst.get("tenant"),
    }
