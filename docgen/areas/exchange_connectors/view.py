"""The receive connectors as the template sees them: grouped by server, relay marked."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.exchange_connectors.checks import relay_grant
from docgen.areas.exchange_connectors.facts import ConnectorSection, ReceiveConnector
from docgen.areas.exchange_connectors.ranges import size_text
from docgen.checks.model import worst_by_key


def exchange_connectors_view(section: ConnectorSection, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    servers: dict[str, list[dict]] = {}
    for connector in section["items"]:
        servers.setdefault(connector["server"] or "(server not named)", []).append({
            **connector,
            "worst": worst.get(connector["key"]),
            "relay_text": relay_text(connector),
            "relay_grant": relay_grant(connector),
            "ranges": [{**entry, "size_text": size_text(int(entry["size"])) if entry["size"] is not None else None}
                       for entry in connector["remote_ip_ranges"]],
        })
    relay_count = sum(1 for connector in section["items"] if connector["relay"]["allowed"])
    return {
        "servers": [{"name": name, "connectors": connectors} for name, connectors in sorted(servers.items())],
        "load_balancer_addresses": section.get("load_balancer_addresses", []),
        "relay_count": relay_count,
        "permissions_missing": any(c["permissions"] is None for c in section["items"]),
    }


def relay_text(connector: ReceiveConnector) -> str:
    relay = connector["relay"]
    if relay["allowed"]:
        kinds = (["anonymous"] if relay["anonymous"] else []) + (
            ["externally secured"] if relay["externally_secured"] else [])
        return "yes (" + ", ".join(kinds) + ")"
    return "not collected" if relay["allowed"] is None else "no"
