"""Checks on DKIM signing: does the selector Exchange signs with lead receivers to a key?

Judged against the selector that was active at collection time (recorded in the
bundle). A lookup that failed makes a selector "could not verify", never
"missing". The inactive selector's target having no key is expected (Microsoft
publishes only the active selector's key after a while): the report notes it as
a fact, no finding flags it.
"""

from __future__ import annotations

from datetime import datetime

from docgen.checks.model import Finding, make_finding

SECTION = "dkim"
#: Rules that mean mail signed now fails DKIM: the "failing active selectors".
FAILING_SELECTOR_RULES = ("dkim-active-selector-unresolved", "dkim-key-revoked")
_OUTCOME_TEXT = {"nxdomain": "does not exist (NXDOMAIN)", "nodata": "has no TXT record (NODATA)"}


def check_dkim(section: dict, rules: dict, as_of: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for item in section["items"]:
        findings.extend(_check_domain(item, rules))
    return findings


def _check_domain(item: dict, rules: dict) -> list[Finding]:
    domain = item["domain"]

    def finding(rule_id: str, evidence: str, **title_values: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=item["key"], subject=domain,
                            evidence=evidence, **title_values)

    config = item["config"]
    if config is None:
        return [finding("dkim-not-enabled", "The export has no DKIM signing configuration "
                        "for this domain.")]
    if config["enabled"] is not True:
        return [finding("dkim-not-enabled", f"Enabled is {config['enabled']} "
                        f"(status {config['status'] or 'not given'}).")]
    selectors = {facts["selector"]: facts for facts in item["selectors"]}
    active = selectors.get(item["active_selector"] or "")
    if active is None:
        return [finding("dkim-active-selector-unknown", item["active_selector_reason"])]
    unverified = [facts for facts in item["selectors"]
                  if "unverified" in (facts["cname_state"], facts["key_state"])]
    found = [finding("dkim-unverified", _unverified_evidence(unverified))] if unverified else []
    found += _active_findings(active, finding)
    found += _inactive_findings([s for s in item["selectors"] if not s["active"]], finding)
    found += _key_findings(item["selectors"], rules, finding)
    return found


def _active_findings(active: dict, finding) -> list[Finding]:
    found = []
    name, target = active["name"], active["configured_target"]
    if active["cname_state"] == "missing":
        # the customer's own record is the first thing to fix, whatever the target holds
        found.append(finding("dkim-active-selector-unresolved",
                             f"{active['selector']} is active; {_missing_cname_evidence(active)}"))
    elif active["key_state"] in ("no_key", "invalid", "no_target"):
        found.append(finding("dkim-active-selector-unresolved",
                             f"{active['selector']} is active; {_key_evidence(active)}"))
    elif active["cname_state"] == "elsewhere" and _published_key_unusable(active):
        found.append(finding("dkim-active-selector-unresolved",
                             f"{active['selector']} is active; {name} points to "
                             f"{active['published_target']}, which holds no DKIM key "
                             f"({_lookup_text(active['published_key_lookup'])}); "
                             f"configured target: {target}."))
    if active["key_state"] == "revoked":
        found.append(finding("dkim-key-revoked", f"{target} publishes an empty p= "
                             f"({active['key_record']})."))
    if active["key_matches_config"] is False:
        found.append(finding("dkim-key-mismatch", f"The key at {target} is not "
                             f"{active['selector'].capitalize()}PublicKey of the configuration."))
    if active["cname_state"] == "elsewhere":
        found.append(finding("dkim-cname-elsewhere", _elsewhere_evidence(active)))
    return found


def _inactive_findings(inactive: list[dict], finding) -> list[Finding]:
    found = []
    missing = [facts for facts in inactive if facts["cname_state"] == "missing"]
    if missing:
        found.append(finding("dkim-cname-missing", "; ".join(
            f"{facts['name']} ({facts['cname_lookup']['outcome'].upper()}); it should point to "
            f"{facts['configured_target']}" for facts in missing)))
    elsewhere = [facts for facts in inactive if facts["cname_state"] == "elsewhere"]
    if elsewhere:
        found.append(finding("dkim-cname-elsewhere",
                             "; ".join(_elsewhere_evidence(facts) for facts in elsewhere)))
    # The inactive selector's target having no key is expected (Microsoft publishes
    # only the active key after a while): the report shows it as a fact, no finding.
    return found


def _key_findings(selectors: list[dict], rules: dict, finding) -> list[Finding]:
    """Key size and testing flag of every key that resolved."""
    keys = [facts for facts in selectors if facts["key_state"] == "ok"]
    found = []
    for rule_id in ("dkim-key-too-short", "dkim-key-short"):
        minimum = rules[rule_id]["min_bits"]
        short = [facts for facts in keys if (facts["key"]["key_size"] or 0) < minimum]
        if short:
            found.append(finding(rule_id, "; ".join(
                f"{facts['selector']}{' (active)' if facts['active'] else ''}: "
                f"{facts['key']['key_size']} bits" for facts in short)))
            break  # the stricter rule already says it
    testing = [facts for facts in keys if facts["key"]["testing"]]
    if testing:
        found.append(finding("dkim-testing-mode", "; ".join(
            f"{facts['selector']}: {facts['key_record'][:60]}" for facts in testing)))
    return found


def _missing_cname_evidence(facts: dict) -> str:
    """The active selector's CNAME is not published: name it, then what its target holds."""
    missing = (f"its CNAME {facts['name']} is missing "
               f"({facts['cname_lookup']['outcome'].upper()}), so receivers find no key")
    target = facts["configured_target"]
    if target is None:
        return f"{missing}, and the export configures no target for it."
    state = facts["key_state"]
    if state == "no_key":
        return f"{missing} (it should point to {target}, which {_lookup_text(facts['key_lookup'])} too)."
    if state == "invalid":
        problem = facts["key_problem"] or (facts["key"] or {}).get("error")
        return (f"{missing} (it should point to {target}, whose TXT record is not a usable "
                f"DKIM key either: {problem}).")
    return f"{missing} (it should point to {target})."


def _key_evidence(facts: dict) -> str:
    target = facts["configured_target"] or facts["published_target"]
    if facts["key_state"] == "no_target":
        return "no CNAME target is configured or published."
    if facts["key_state"] == "invalid":
        problem = facts["key_problem"] or (facts["key"] or {}).get("error")
        return f"the TXT record at {target} is not a usable DKIM key ({problem})."
    if facts["key_state"] == "revoked":
        return f"{target} publishes a revoked key (empty p=)."
    return f"{target} {_lookup_text(facts['key_lookup'])}."


def _lookup_text(lookup: dict | None) -> str:
    if lookup is None:
        return "was not looked up"
    return _OUTCOME_TEXT.get(lookup["outcome"], lookup["outcome"])


def _published_key_unusable(facts: dict) -> bool:
    lookup = facts["published_key_lookup"]
    return lookup is not None and lookup["outcome"] in ("nxdomain", "nodata")


def _elsewhere_evidence(facts: dict) -> str:
    return (f"{facts['name']} points to {facts['published_target']}; configured: "
            f"{facts['configured_target']}")


def _unverified_evidence(selectors: list[dict]) -> str:
    parts = []
    for facts in selectors:
        for lookup in (facts["cname_lookup"], facts["key_lookup"], facts["published_key_lookup"]):
            if lookup and lookup["outcome"] in ("timeout", "servfail", "refused", "error",
                                                "not_attempted"):
                parts.append(f"{lookup['name']} {lookup['type']}: {lookup['outcome']}"
                             + (f" ({lookup['error']})" if lookup["error"] else ""))
    return "; ".join(parts)
