"""Checks on DMARC, SPF, MX, MTA-STS, TLS-RPT and BIMI, from checkdmarc's verdicts.

A record whose lookups failed is "could not verify" (one finding per domain
naming the kinds), never "missing". Thresholds (SPF's 10 lookups and 2 void
lookups) are rule settings, so a customer's docgen.toml can change them.
"""

from __future__ import annotations

from datetime import datetime

from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.checks.model import Finding, make_finding

SECTION = "mail_auth"


def check_mail_auth(section: dict, rules: dict, as_of: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for item in section["items"]:
        findings.extend(_check_domain(item, rules))
    return findings


def check_dkim_without_dmarc(sections: dict, rules: dict, as_of: datetime) -> list[Finding]:
    """Across sections: a domain that signs with DKIM but has no DMARC record."""
    dkim, mail_auth = sections.get("dkim"), sections.get("mail_auth")
    if not dkim or not mail_auth:
        return []
    signing = {item["key"] for item in dkim["items"]
               if item["config"] and item["config"]["enabled"] is True}
    return [make_finding(rules, "dkim-without-dmarc", section=SECTION, key=item["key"],
                         subject=item["domain"],
                         evidence=f"DKIM signing is enabled; {_dmarc_absence(item)}")
            for item in mail_auth["items"]
            if item["key"] in signing and item["dmarc"]["state"] == "missing"]


def _check_domain(item: dict, rules: dict) -> list[Finding]:
    def finding(rule_id: str, evidence: str, **title_values: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=item["key"],
                            subject=item["domain"], evidence=evidence, **title_values)

    found = _unverified(item, finding)
    found += _dmarc(item["dmarc"], item["domain"], finding)
    found += _spf(item["spf"], rules, finding)
    if item["mx"]["state"] == "missing":
        found.append(finding("mx-missing", _error_text(item["mx"])))
    for kind, rule_id in (("mta_sts", "mta-sts-invalid"), ("tls_rpt", "tls-rpt-invalid"),
                          ("bimi", "bimi-invalid")):
        if item[kind]["state"] in ("invalid", "multiple"):
            found.append(finding(rule_id, _error_text(item[kind])))
    return found


def _unverified(item: dict, finding) -> list[Finding]:
    kinds = [kind for kind in KIND_TITLES
             if item[kind]["state"] == "unverified" or item[kind]["failed_lookups"]]
    if not kinds:
        return []
    lookups = []
    for kind in kinds:
        entry = item[kind]
        failed = ([entry["lookup"]] if entry["state"] == "unverified"
                  and entry["lookup"]["outcome"] not in ("noerror", "nxdomain", "nodata")
                  else []) + entry["failed_lookups"]
        lookups += [f"{lookup['name']} {lookup['type']}: {lookup['outcome']}" for lookup in failed]
    evidence = "; ".join(dict.fromkeys(lookups))
    return [finding("mail-auth-unverified", evidence,
                    kinds=", ".join(KIND_TITLES[kind] for kind in kinds))]


def _dmarc(entry: dict, domain: str, finding) -> list[Finding]:
    state = entry["state"]
    if state == "missing":
        return [finding("dmarc-missing", _dmarc_absence({"domain": domain, "dmarc": entry}))]
    if state == "multiple":
        return [finding("dmarc-multiple-records", " | ".join(entry["records"]))]
    if state == "invalid":
        return [finding("dmarc-invalid", _error_text(entry))]
    if state != "ok":
        return []
    result = entry["result"]
    tags = result["tags"]
    where = f"{result['record']} (at _dmarc.{result['location']})"
    found = []
    if tags.get("p", {}).get("value") == "none":
        found.append(finding("dmarc-policy-none", where))
    if not (tags.get("rua") or {}).get("value"):
        found.append(finding("dmarc-no-rua", where))
    return found


def _spf(entry: dict, rules: dict, finding) -> list[Finding]:
    state, result = entry["state"], entry["result"] or {}
    if state == "missing":
        return [finding("spf-missing", _error_text(entry))]
    if state == "multiple":
        return [finding("spf-multiple-records", " | ".join(entry["records"]))]
    if state not in ("ok", "invalid"):
        return []
    found = []
    record = result.get("record") or " | ".join(entry["records"])
    max_lookups = rules["spf-too-many-lookups"]["max_lookups"]
    max_void = rules["spf-too-many-void-lookups"]["max_void_lookups"]
    lookups, void = result.get("dns_lookups"), result.get("void_dns_lookups")
    if lookups is not None and lookups > max_lookups:
        found.append(finding("spf-too-many-lookups", f"{lookups} DNS lookups: {record}"))
    if void is not None and void > max_void:
        found.append(finding("spf-too-many-void-lookups", f"{void} void lookups: {record}"))
    if (result.get("parsed") or {}).get("all") == "pass":
        found.append(finding("spf-pass-all", record))
    if state == "invalid" and not found:
        # an include or redirect whose target publishes no SPF record (or several)
        leads_nowhere = bool((result.get("unusable") or {}).get("via"))
        found.append(finding("spf-include-unusable" if leads_nowhere else "spf-invalid",
                             _error_text(entry)))
    return found


def _dmarc_absence(item: dict) -> str:
    lookup = item["dmarc"]["lookup"]
    return (f"_dmarc.{item['domain']} TXT: {lookup['outcome'].upper()}"
            + (f" ({item['dmarc']['error']})" if item["dmarc"]["error"] else ""))


def _error_text(entry: dict) -> str:
    records = " | ".join(entry["records"])
    error = entry["error"] or entry["lookup"]["outcome"].upper()
    return f"{error}" + (f" Record: {records}" if records else "")
