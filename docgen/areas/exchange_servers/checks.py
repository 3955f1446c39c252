"""Checks on Exchange servers: build, support, CU mix, OAuth for hybrid, EWS published.

The Teams and hybrid readiness checklist is worked out here too (`readiness`), so the
report's table and the findings say the same thing.
"""

from __future__ import annotations

from datetime import date, datetime

from docgen.areas.exchange_servers.autodiscover import autodiscover_domains, host_name
from docgen.areas.exchange_servers.builds import build_table, parse_build, product_short
from docgen.areas.exchange_servers.facts import ExchangeServer, ServerSection
from docgen.checks.model import Finding, make_finding

SECTION = "exchange_servers"
EXCHANGE_ONLINE_APP = "00000002-0000-0ff1-ce00-000000000000"
OAUTH_SERVER_TYPES = ("azuread", "microsoftacs")


def level(server: ExchangeServer) -> str:
    """'Exchange 2019 CU14' (with ', later update' for an SU); the build when the CU is unknown."""
    if server["update"]:
        return f"{product_short(server['product'])} {server['update']}" + (
            " + update" if server["later_update"] else "")
    return server["product"] or server["build"] or "unknown build"


def holds_mailboxes(server: ExchangeServer) -> bool:
    return any(role.lower() == "mailbox" for role in server["roles"])


def out_of_support(server: ExchangeServer, as_of: datetime) -> bool | None:
    if server["build"] is None or server["product"] is None:
        return None
    ends = server["support_ends"]
    return ends is not None and date.fromisoformat(ends) <= as_of.date()


def below(server: ExchangeServer, floor: str) -> bool | None:
    if server["build"] is None:
        return None
    return parse_build(server["build"]) < parse_build(floor)


def oauth_evidence(section: ServerSection) -> tuple[bool | None, str]:
    """OAuth to Exchange Online: an enabled AzureAD/MicrosoftACS auth server or an enabled
    Exchange Online partner application. None when what would show it was not collected."""
    servers, apps = section["auth_servers"], section["partner_applications"]
    enabled_servers = [s for s in servers or [] if s["enabled"] and (s["type"] or "").lower() in OAUTH_SERVER_TYPES]
    online = [a for a in apps or [] if a["application_identifier"] == EXCHANGE_ONLINE_APP]
    parts = []
    if servers is None:
        parts.append("Get-AuthServer not collected")
    else:
        parts.append("auth servers: " + (", ".join(f"{s['name']} ({s['type']}, "
                                                   f"{'enabled' if s['enabled'] else 'disabled'})"
                                                   for s in servers) or "none"))
    if apps is None:
        parts.append("Get-PartnerApplication not collected")
    elif online:
        parts.append("partner application Exchange Online (" + EXCHANGE_ONLINE_APP + ") "
                     + ("enabled" if online[0]["enabled"] else "disabled"))
    else:
        parts.append(f"no partner application {EXCHANGE_ONLINE_APP} (Exchange Online)")
    configured = bool(enabled_servers) or any(a["enabled"] for a in online)
    if configured:
        return True, "; ".join(parts)
    if servers is None or apps is None:
        return None, "; ".join(parts)
    return False, "; ".join(parts)


def readiness(section: ServerSection) -> list[dict]:
    """The checklist: each row's state ("yes", "no", "not collected", "not looked up") and evidence.
    The build floor is Microsoft's (builds.toml [teams])."""
    teams = build_table()["teams"]
    floor, floor_name = teams["min_build"], teams["name"]
    mailbox = [s for s in section["items"] if holds_mailboxes(s)]
    low = [s for s in mailbox if below(s, floor)]
    unreadable = [s for s in mailbox if s["build"] is None]
    if not mailbox:
        build_row = ("not collected", "no Mailbox server in the export")
    elif low:
        build_row = ("no", "below: " + ", ".join(f"{s['name']} ({level(s)}, {s['build']})" for s in low))
    elif unreadable:
        build_row = ("not collected", "build unreadable: " + ", ".join(s["name"] for s in unreadable))
    else:
        build_row = ("yes", "every Mailbox server is at or above it: " + ", ".join(
            f"{s['name']} ({level(s)})" for s in mailbox))
    oauth, oauth_text = oauth_evidence(section)
    apps = section["partner_applications"]
    if apps is None:
        apps_row = ("not collected", "Get-PartnerApplication was not part of the export")
    else:
        online = [a for a in apps if a["application_identifier"] == EXCHANGE_ONLINE_APP and a["enabled"]]
        apps_row = ("yes" if online else "no", ", ".join(
            f"{a['name'] or a['application_identifier']} ({'enabled' if a['enabled'] else 'disabled'})"
            for a in apps) or "none")
    vdirs = section["ews_virtual_directories"]
    if vdirs is None:
        ews_row = ("not collected", "Get-WebServicesVirtualDirectory was not part of the export")
    else:
        missing = [v for v in vdirs if not v["external_url"]]
        urls = sorted({v["external_url"] for v in vdirs if v["external_url"]})
        ews_row = ("no" if missing or not vdirs else "yes",
                   ("not set on " + ", ".join(v["identity"] for v in missing) + "; " if missing else "")
                   + ("set: " + ", ".join(urls) if urls else "no external URL set"))
    autodiscover_row = autodiscover_state(section)
    return [
        {"check": f"Build at or above {floor_name} on every Mailbox server", "state": build_row[0],
         "evidence": build_row[1]},
        {"check": "OAuth to Exchange Online configured", "state":
            "yes" if oauth else ("no" if oauth is False else "not collected"), "evidence": oauth_text},
        {"check": "Partner application for Exchange Online present and enabled", "state": apps_row[0],
         "evidence": apps_row[1]},
        {"check": "EWS external URL set", "state": ews_row[0], "evidence": ews_row[1]},
        {"check": "Autodiscover resolvable from the Internet", "state": autodiscover_row[0],
         "evidence": autodiscover_row[1]},
    ]


def autodiscover_state(section: ServerSection) -> tuple[str, str]:
    """The readiness row from the section's DNS lookups (none when DNS was not part of the run)."""
    looked_up = section.get("autodiscover")
    if looked_up is None:
        names = [host_name(domain) for domain in autodiscover_domains(dict(section))]
        return ("not looked up", "DNS was not part of this run (docgen import); `docgen build` looks up "
                + (", ".join(names) if names else "autodiscover.<domain> for each accepted domain"))
    domains = looked_up["domains"]
    if not domains:
        return ("not collected", "no accepted domain to look up (Get-AcceptedDomain not collected)")
    by_state = {state: [d["domain"] for d in domains if d["state"] == state]
                for state in ("found", "missing", "failed")}
    parts = [f"{label}: {', '.join(by_state[state])}" for state, label in
             (("missing", "no record"), ("failed", "lookup failed"), ("found", "found"))
             if by_state[state]]
    state = "no" if by_state["missing"] else ("not collected" if by_state["failed"] else "yes")
    return state, "; ".join(parts)


def check_exchange_servers(section: ServerSection, rules: dict, as_of: datetime) -> list[Finding]:
    findings: list[Finding] = []

    def finding(rule_id: str, key: str, subject: str, evidence: str) -> None:
        findings.append(make_finding(rules, rule_id, section=SECTION, key=key, subject=subject,
                                     evidence=evidence))

    floor = rules["exchange-build-below-teams-floor"]["min_build"]
    for server in section["items"]:
        if holds_mailboxes(server) and below(server, floor):
            finding("exchange-build-below-teams-floor", server["key"], server["name"],
                    f"{server['name']} runs {level(server)} ({server['build']}, {server['admin_display_version']}); "
                    f"the floor is {floor}.")
        if out_of_support(server, as_of):
            finding("exchange-build-out-of-support", server["key"], server["name"],
                    f"{server['name']} runs {level(server)} ({server['build']}); {server['product']} "
                    f"support ended on {server['support_ends']} (judged at {as_of.date().isoformat()}).")
    levels: dict[str, list[str]] = {}
    for server in section["items"]:
        if server["update"]:
            levels.setdefault(f"{product_short(server['product'])} {server['update']}", []).append(server["name"])
    if len(levels) > 1:
        finding("exchange-cu-mixed", "organization", "Exchange organisation",
                "; ".join(f"{name}: {', '.join(servers)}" for name, servers in sorted(levels.items())) + ".")
    oauth, evidence = oauth_evidence(section)
    if section["hybrid"]["configured"] and oauth is False:
        finding("exchange-oauth-not-configured", "organization", "Exchange organisation",
                f"Hybrid is configured (Get-HybridConfiguration: domains "
                f"{', '.join(section['hybrid']['domains']) or 'none'}); {evidence}.")
    for vdir in section["ews_virtual_directories"] or []:
        if not vdir["external_url"]:
            finding("exchange-ews-external-url-missing", vdir["key"], vdir["identity"],
                    f"{vdir['identity']}: ExternalUrl is empty (InternalUrl {vdir['internal_url'] or 'empty'}).")
    for domain in (section.get("autodiscover") or {}).get("domains", []):
        if domain["state"] == "missing":
            finding("exchange-autodiscover-missing", domain["key"], domain["domain"],
                    f"{domain['domain']}: {domain['evidence']}.")
    return findings
