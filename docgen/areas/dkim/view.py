"""The DKIM section as the templates see it: each domain, its selectors, the failing ones.

Findings arrive as records (dicts: id, rule_id, key, severity, evidence, status).
"""

from __future__ import annotations

from datetime import datetime

from docgen.areas.dkim.checks import FAILING_SELECTOR_RULES
from docgen.checks.model import worst_by_key
from docgen.core.errors import DocgenError


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


def dkim_failures_output(loaded, records: list[dict]) -> bytes:
    """`--format dkim-failures`: the failing active selectors as text, or an error when the
    bundle has no dkim section."""
    section = loaded.data["sections"].get("dkim")
    if section is None:
        raise DocgenError("the bundle has no dkim section (collect it with "
                          "docgen collect dns --dkim-config); no dkim-failures list written",
                          source=loaded.source)
    return dkim_failures_text(section, records).encode("utf-8")


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
