"""The mail-authentication section as the templates see it: a cell per record kind and domain.

Findings arrive as records (dicts: id, rule_id, key, severity, evidence, status).
"""

from __future__ import annotations

from datetime import datetime

from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.checks.model import worst_by_key

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
    """How an overview cell looks: from the state, darkened by the kind's own findings (not
    by those the customer accepted: they count nowhere else either)."""
    prefix = kind.replace("_", "-") + "-"
    severities = [f["severity"] for f in findings
                  if f["rule_id"].startswith(prefix) and f.get("status") != "accepted"]
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
