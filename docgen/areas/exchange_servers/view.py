"""Exchange servers as the template sees them: builds named, support judged, the readiness checklist."""

from __future__ import annotations

from datetime import datetime

from docgen.areas.exchange_servers.checks import level, out_of_support, readiness
from docgen.areas.exchange_servers.facts import ExchangeServer, ServerSection
from docgen.checks.model import worst_by_key


def exchange_servers_view(section: ServerSection, as_of: datetime, findings: list[dict]) -> dict:
    worst = worst_by_key(findings)
    servers = []
    for server in section["items"]:
        ended = out_of_support(server, as_of)
        servers.append({
            **server,
            "worst": worst.get(server["key"]),
            "level": level(server),
            "support_text": support_text(server, ended),
        })
    return {
        "servers": servers,
        "judged_at": as_of.date().isoformat(),
        "readiness": readiness(section),
        "hybrid": section["hybrid"],
        "oauth2_client_profile_enabled": section["oauth2_client_profile_enabled"],
        "partner_applications": section["partner_applications"],
        "auth_servers": section["auth_servers"],
        "ews_virtual_directories": section["ews_virtual_directories"],
        "intra_organization_connectors": section["intra_organization_connectors"],
        "autodiscover": section.get("autodiscover"),
    }


def support_text(server: ExchangeServer, ended: bool | None) -> str:
    if ended is None:
        return "Exchange Online" if server["product"] == "Exchange Online" else "unknown"
    if ended:
        return f"ended {server['support_ends']}"
    if server["support_ends"]:
        return f"until {server['support_ends']}"
    return "current (Modern Lifecycle: kept up to date)"
