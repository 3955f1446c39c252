"""Checks on an Azure AD Connect server's configuration (section "aadconnect")."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from docgen.checks.model import Finding, make_finding

SECTION = "aadconnect"


def check_aadconnect(section: dict, rules: dict, as_of: datetime) -> list[Finding]:
    """Judged only on facts in the bundle; `as_of` is unused (nothing here ages)."""
    findings: list[Finding] = []
    for server in section["items"]:
        findings.extend(_server_findings(server, rules))
        findings.extend(_group_filtering_findings(server, rules))
        findings.extend(_rule_findings(server, rules))
        findings.extend(_moved_default_rules(server, rules))
    return findings


def _finding(rules: dict, rule_id: str, key: str, subject: str, evidence: str,
             **title_values: str) -> Finding:
    return make_finding(rules, rule_id, section=SECTION, key=key, subject=subject,
                        evidence=evidence, **title_values)


def _server_findings(server: dict, rules: dict) -> list[Finding]:
    choices = server["setup_choices"]
    found = []
    if choices["staging_mode"]["value"] is True:
        found.append(_finding(rules, "aadconnect-staging-mode", server["key"], server["server"],
                              f"{choices['staging_mode']['from']} is True."))
    if choices["export_deletion_threshold"]["value"] is False:
        found.append(_finding(rules, "aadconnect-deletion-threshold-off", server["key"],
                              server["server"],
                              f"{choices['export_deletion_threshold']['from']} is False."))
    supported = rules["aadconnect-version-unsupported"]["supported_major"]
    major = _major(server["configuration_version"])
    if major is not None and major < supported:
        found.append(_finding(rules, "aadconnect-version-unsupported", server["key"],
                              server["server"],
                              f"Server configuration version {server['configuration_version']}; "
                              f"the supported major version is {supported}."))
    return found


def _major(version: str | None) -> int | None:
    match = re.match(r"\s*(\d+)\.", version or "")
    return int(match.group(1)) if match else None


def _group_filtering_findings(server: dict, rules: dict) -> list[Finding]:
    return [_finding(rules, "aadconnect-group-filtering", entry["key"], entry["name"],
                     f"Microsoft.OptionalFeature.GroupFiltering is True and connector "
                     f"{entry['name']} synchronises only members of {entry['group_dn']}.")
            for entry in server["group_filtering"]["connectors"] if entry["in_effect"]]


def _rule_findings(server: dict, rules: dict) -> list[Finding]:
    found = []
    defaults = defaultdict(list)
    for rule in server["sync_rules"]:
        if rule["is_default"] and not rule["disabled"]:
            defaults[_scope(rule)].append(rule)
    for rule in server["sync_rules"]:
        if rule["is_default"]:
            continue
        if rule["disabled"]:
            found.append(_finding(rules, "aadconnect-custom-rule-disabled", rule["key"],
                                  rule["name"], f"{_rule_text(rule)} is disabled."))
            continue
        shadowed = _shadowed(rule, defaults[_scope(rule)])
        if shadowed:
            found.append(_finding(
                rules, "aadconnect-custom-rule-shadows-default", rule["key"], rule["name"],
                f"{_rule_text(rule)} comes before {len(shadowed)} default rule"
                f"{'s' if len(shadowed) != 1 else ''} flowing the same attributes: "
                + ", ".join(shadowed) + "."))
    return found


def _scope(rule: dict) -> tuple:
    """Rules compete only on one connector, in one direction, for the same object types."""
    return (rule["connector_id"], rule["direction"], rule["source_object_type"],
            rule["target_object_type"])


def _shadowed(custom: dict, defaults: list[dict]) -> list[str]:
    """Default rules of lower priority that flow an attribute the custom rule also flows."""
    if custom["precedence"] is None:
        return []
    targets = {flow["destination"].lower() for flow in custom["flows"]}
    described = []
    for default in sorted(defaults, key=lambda rule: (rule["precedence"] or 0, rule["key"])):
        if default["precedence"] is None or default["precedence"] <= custom["precedence"]:
            continue
        shared = {flow["destination"].lower() for flow in default["flows"]} & targets
        if shared:
            described.append(f"'{default['name']}' (precedence {default['precedence']}, "
                             f"{len(shared)} shared attribute{'s' if len(shared) != 1 else ''})")
    return described


def _rule_text(rule: dict) -> str:
    connector = rule["connector_name"] or rule["connector_id"] or "an unknown connector"
    return f"{rule['direction'] or 'Rule'} rule on {connector} at precedence {rule['precedence']}"


# -- Microsoft's default rules, edited ----------------------------------------------------
# Upgrades put Microsoft's default rules (the ones carrying a "Microsoft." immutable tag) back
# as Microsoft ships them: an edit made in place is lost. The export keeps no thumbprint of the
# shipped rule, so one export shows an edit only where it breaks a rule Microsoft keeps: default
# rules sit at precedence 100 and above, below is for custom rules. Other edits (a scoping
# filter, a join, a flow) show when two snapshots are compared: edited_default_rules.

DEFAULT_RULE_EDITED = "aadconnect-default-rule-edited"


def _moved_default_rules(server: dict, rules: dict) -> list[Finding]:
    below = rules[DEFAULT_RULE_EDITED]["custom_precedence_below"]
    return [_finding(rules, DEFAULT_RULE_EDITED, rule["key"], rule["name"],
                     f"{_rule_text(rule)} carries Microsoft's tag {rule['immutable_tag']}; Microsoft's "
                     f"default rules sit at precedence {below} and above, below {below} is for custom "
                     f"rules: its precedence was changed by hand.")
            for rule in server["sync_rules"]
            if rule["is_default"] and rule["precedence"] is not None and rule["precedence"] < below]


def edited_default_rules(before: dict, after: dict, rules: dict) -> list[Finding]:
    """Default rules (same id, same Microsoft tag on both sides: not an upgrade) whose
    precedence, scoping filter, join or flows differ between two snapshots."""
    watched = rules[DEFAULT_RULE_EDITED]["watched_fields"]
    old_rules = {rule["key"]: rule for server in before["items"] for rule in server["sync_rules"]}
    found = []
    for server in after["items"]:
        for rule in server["sync_rules"]:
            old = old_rules.get(rule["key"])
            if old is None or not rule["is_default"] or old["immutable_tag"] != rule["immutable_tag"]:
                continue
            changed = [name for name in watched if old.get(name) != rule.get(name)]
            if changed:
                found.append(_finding(rules, DEFAULT_RULE_EDITED, rule["key"], rule["name"],
                                      f"{_rule_text(rule)} carries Microsoft's tag {rule['immutable_tag']} "
                                      f"in both snapshots, and its {_listed(changed, old, rule)} changed."))
    return found


def _listed(changed: list[str], old: dict, new: dict) -> str:
    words = [f"precedence ({old['precedence']} -> {new['precedence']})" if name == "precedence"
             else name.replace("_", " ").replace("flows", "attribute flows") for name in changed]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
