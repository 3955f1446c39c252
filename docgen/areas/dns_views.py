"""Views of the DNS sections: DKIM signing per domain, and the mail-authentication records.

Findings arrive as records (dicts: id, rule_id, key, severity, evidence, status).
"""

from __future__ import annotations

from datetime import datetime

from docgen.areas.dkim.checks import FAILING_SELECTOR_RULES
from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.checks.model import worst_by_key


def dkim_failures(section: dict, findings: list[dict]) -> list[dict]:
    """The failing active selectors, sorted by domain: a domain whose active selector
    has a finding that means signed mail fails DKIM now."""
    reasons: dict[str, list[str]] = {}
    for finding in findings:
        if finding["section"] == "dkim" and finding["rule_id"] in FAILING_SELECTOR_RULES:
            reasons.setdefault(finding["key"], []).append(finding["evidence"])
    rows = []
    for item in section["items"]:
        if item["key"] not in reasons:
            continue
        active = next((facts for facts in item["selectors"] if facts["active"]), None)
        rows.append({"domain": item["domain"], "selector": item["active_selector"],
                     "cname": (active["configured_target"] or active["name"]) if active else "",
                     "reason": " ".join(reasons[item["key"]])})
    return sorted(rows, key=lambda row: row["domain"])


def dkim_failures_text(section: dict, findings: list[dict]) -> str:
    """One "domain, selector CNAME" line per failing active selector (empty when none)."""
    return "".join(f"{row['domain']}, {row['cname']}\n" for row in dkim_failures(section, findings))


def dkim_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    domains = []
    for item in section["items"]:
        selectors = [{**facts, "summary": _selector_summary(facts)} for facts in item["selectors"]]
        domains.append({**item, "worst": worst.get(item["key"]),
                        "signing": _signing_text(item["config"]),
                        "by_selector": {facts["selector"]: facts for facts in selectors},
                        "selector_rows": selectors})
    return {"failing": dkim_failures(section, findings), "domains": domains,
            "resolver": section["resolver"]}


def _signing_text(config: dict | None) -> str:
    if config is None:
        return "not configured"
    return {True: "enabled", False: "disabled"}.get(config["enabled"], "unknown")


_CNAME_TEXT = {"matches": "published", "elsewhere": "points elsewhere", "missing": "missing",
               "not_configured": "published (no configured target)",
               "unverified": "could not verify"}
_KEY_TEXT = {"ok": "key", "revoked": "revoked key", "invalid": "not a usable key",
             "no_key": "no key", "no_target": "no target", "unverified": "could not verify"}


def _selector_summary(facts: dict) -> dict:
    """Short texts for the overview table, and whether the state is a problem."""
    key_text = _KEY_TEXT[facts["key_state"]]
    if facts["key_state"] == "ok":
        size = facts["key"]["key_size"]
        key_text = f"{size}-bit key" + (" (t=y)" if facts["key"]["testing"] else "")
    expected = not facts["active"] and facts["key_state"] == "no_key"
    record = facts["key_record"]
    return {"cname": _CNAME_TEXT[facts["cname_state"]], "key": key_text,
            "expected_gap": expected,
            # the whole record is in the bundle; the document shows its start
            "record_start": record if record is None or len(record) <= KEY_SHOWN
            else record[:KEY_SHOWN] + "…",
            "problem": facts["cname_state"] in ("missing", "elsewhere", "unverified")
            or (facts["active"] and facts["key_state"] != "ok")}


KEY_SHOWN = 72  # characters of a key record shown in documents

MAIL_AUTH_KINDS = tuple(KIND_TITLES.items())
_STATE_TEXT = {"missing": "none", "multiple": "several records", "invalid": "invalid",
               "unverified": "could not verify"}
# Records a domain may do without: their absence is shown plainly, not as a problem.
_OPTIONAL_KINDS = ("mx", "mta_sts", "tls_rpt", "bimi")


def mail_auth_view(section: dict, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    domains = []
    for item in section["items"]:
        own = [finding for finding in findings if finding["key"] == item["key"]]
        cells = {kind: {"state": item[kind]["state"],
                        "tone": _tone(kind, item[kind]["state"], own),
                        "text": _kind_summary(kind, item[kind])} for kind, _ in MAIL_AUTH_KINDS}
        # MX records as a reader expects them: by preference (the bundle keeps DNS text order)
        mx = {**item["mx"], "records": sorted(item["mx"]["records"], key=_mx_order)}
        domains.append({**item, "mx": mx, "worst": worst.get(item["key"]), "cells": cells})
    return {"domains": domains, "kinds": MAIL_AUTH_KINDS, "resolver": section["resolver"],
            "other_lookups": len(section["other_lookups"]),
            "checkdmarc_version": section["checkdmarc_version"]}


def _mx_order(record: str) -> tuple[int, str]:
    """'10 mx2.contoso.com.' -> (10, 'mx2.contoso.com.'): numeric preference, then host."""
    preference, _, host = record.partition(" ")
    return (int(preference), host) if preference.isdigit() else (1 << 16, record)


def _tone(kind: str, state: str, findings: list[dict]) -> str:
    """How an overview cell looks: from the state, darkened by the kind's own findings."""
    prefix = kind.replace("_", "-") + "-"
    severities = [f["severity"] for f in findings if f["rule_id"].startswith(prefix)]
    if any(severity in ("critical", "high") for severity in severities):
        return "problem"
    if state == "missing" and kind in _OPTIONAL_KINDS:
        return "absent"
    if state == "ok" and "warning" in severities:
        return "warn"
    return {"ok": "ok", "unverified": "unverified"}.get(state, "problem")


def _kind_summary(kind: str, entry: dict) -> str:
    result = entry["result"] or {}
    if kind == "spf" and entry["state"] == "invalid":
        counts = [f"{result[key]} {label}" for key, label in
                  (("dns_lookups", "lookups"), ("void_dns_lookups", "void lookups"))
                  if result.get(key) is not None]
        return "invalid" + (f" ({', '.join(counts)})" if counts else "")
    if entry["state"] != "ok":
        return _STATE_TEXT[entry["state"]]
    if kind == "dmarc":
        tags = result.get("tags", {})
        text = f"p={tags.get('p', {}).get('value', '?')}"
        return text + ("" if (tags.get("rua") or {}).get("value") else ", no rua")
    if kind == "spf":
        qualifier = (result.get("parsed") or {}).get("all", "neutral")
        return f"all={qualifier}, {result.get('dns_lookups')} lookups"
    if kind == "mx":
        return "null MX" if result.get("null_mx") else f"{len(result.get('hosts', []))} host(s)"
    if kind == "mta_sts":
        return f"id={result.get('tags', {}).get('id', '?')}"
    return "published"
