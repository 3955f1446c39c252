"""Checks on receive connectors: who can relay, from where."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from docgen.areas.exchange_connectors.facts import ConnectorSection, ReceiveConnector, RemoteRange
from docgen.areas.exchange_connectors.ranges import parse_range, size_text
from docgen.checks.model import Finding, make_finding

SECTION = "exchange_connectors"


def check_exchange_connectors(section: ConnectorSection, rules: dict, as_of: datetime) -> list[Finding]:
    balancers = [ipaddress.ip_address(text) for text in section.get("load_balancer_addresses", [])]
    findings: list[Finding] = []
    for connector in section["items"]:
        if connector["enabled"] is False or not connector["relay"]["allowed"]:
            continue
        findings.extend(_relay_findings(connector, balancers, rules))
    return findings


def relay_grant(connector: ReceiveConnector) -> str:
    """Who may relay, in words: the evidence's first sentence."""
    relay = connector["relay"]
    parts = []
    if relay["anonymous"]:
        parts.append("NT AUTHORITY\\ANONYMOUS LOGON holds ms-Exch-SMTP-Accept-Any-Recipient")
    if relay["externally_secured"]:
        parts.append("the connector is externally secured (ExternalAuthoritative with "
                     "ExchangeServers: every sender is trusted and anti-spam is skipped)")
    return "; ".join(parts)


def range_text(entry: RemoteRange) -> str:
    size = int(entry["size"] or 0)
    return f"{entry['expression']} ({size_text(size)} address{'es' if size != 1 else ''})"


def _relay_findings(connector: ReceiveConnector, balancers: list, rules: dict) -> list[Finding]:
    def finding(rule_id: str, evidence: str) -> Finding:
        return make_finding(rules, rule_id, section=SECTION, key=connector["key"],
                            subject=connector["identity"], evidence=evidence)

    grant = relay_grant(connector)
    ranges = [entry for entry in connector["remote_ip_ranges"] if entry["first"] is not None]
    found = []
    public = [entry for entry in ranges if entry["public"] or entry["everything"]]
    if public:
        found.append(finding("exchange-relay-open",
                             f"{grant}; RemoteIPRanges include public addresses: "
                             f"{', '.join(range_text(entry) for entry in public)}."))
    behind = []
    for entry in ranges:
        if entry in public:
            continue   # everyone may relay through it anyway: the open relay says so
        address_range = parse_range(entry["expression"])
        behind += [str(address) if entry["expression"] == str(address) else f"{address} (in {entry['expression']})"
                   for address in balancers if address_range.contains(address)]
    if behind:
        found.append(finding("exchange-relay-load-balancer",
                             f"{grant}; RemoteIPRanges contain the load balancer address "
                             f"{', '.join(behind)} ([exchange] load_balancer_addresses): every "
                             "client whose connection the balancer forwards may relay."))
    if connector["relay"]["anonymous"] and connector["transport_role"] == "HubTransport":
        found.append(finding("exchange-relay-hub-transport",
                             f"{grant} on a connector of the HubTransport role "
                             f"(bindings {', '.join(connector['bindings']) or 'none'})."))
    wide_rule = rules["exchange-relay-wide-range"]
    wide = [entry for entry in ranges if entry not in public and parse_range(entry["expression"]).wider_than(
        wide_rule["max_ipv4_prefix"] if ":" not in (entry["first"] or "") else wide_rule["max_ipv6_prefix"])]
    if wide:
        found.append(finding("exchange-relay-wide-range",
                             f"{grant}; RemoteIPRanges: {', '.join(range_text(entry) for entry in wide)}."))
    return found
