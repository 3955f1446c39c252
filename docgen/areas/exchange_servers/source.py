"""Exchange servers, their builds, and what Teams and hybrid need of the organisation.

Inputs, in any mix:

- the JSON of collectors/Export-ExchangeConfig.ps1 (`Servers`, `AuthServers`,
  `PartnerApplications`, `HybridConfiguration`, `OrganizationConfig`,
  `WebServicesVirtualDirectories`, `ClientAccessServices`, `AcceptedDomains`,
  `IntraOrganizationConnectors`);
- the cmdlets' own output as `ConvertTo-Json` (Windows PowerShell 5.1 or 7) or `Export-Clixml`:
  Get-ExchangeServer, Get-PartnerApplication, Get-AuthServer, Get-HybridConfiguration,
  Get-OrganizationConfig, Get-WebServicesVirtualDirectory, Get-ClientAccessService,
  Get-AcceptedDomain, Get-IntraOrganizationConnector; each object is told apart by its fields.

What no input held stays `null` ("not collected"), never an empty list: a missing
Get-PartnerApplication export does not mean there are no partner applications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.areas.exchange_servers.builds import build_text, look_up, parse_version
from docgen.bundle.result import SourceResult
from docgen.core.dates import utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import clixml
from docgen.readers import powershell as ps
from docgen.readers.inputs import read_each
from docgen.readers.textfile import decode_text
from docgen.readers.xml import XmlReader

SECTION = "exchange_servers"
EXCHANGE_ONLINE_APP = "00000002-0000-0ff1-ce00-000000000000"
LISTS = ("partner_applications", "auth_servers", "ews_virtual_directories", "client_access_services",
         "accepted_domains", "intra_organization_connectors")
# the collector's key for each list
COLLECTOR_KEYS = {"partner_applications": "PartnerApplications", "auth_servers": "AuthServers",
                  "ews_virtual_directories": "WebServicesVirtualDirectories",
                  "client_access_services": "ClientAccessServices", "accepted_domains": "AcceptedDomains",
                  "intra_organization_connectors": "IntraOrganizationConnectors"}


@dataclass
class Parsed:
    servers: list[dict] = field(default_factory=list)
    lists: dict[str, list[dict]] = field(default_factory=dict)
    hybrid: dict | None = None
    hybrid_read: bool = False          # Get-HybridConfiguration's answer was part of the input
    oauth2_client_profile_enabled: bool | None = None
    errors: list[DocgenError] = field(default_factory=list)
    collected_at: datetime | None = None
    organization: str | None = None


def import_exchange_servers(paths: list[Path], collected_at: datetime | None = None) -> SourceResult:
    """Every export read; a bad file or object is recorded, the good ones kept."""
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    servers: dict[str, dict] = {}
    lists: dict[str, list[dict] | None] = {name: None for name in LISTS}
    hybrid: dict = {"collected": False, "configured": None, "domains": [], "features": [],
                    "client_access_servers": [], "on_premises_smart_host": None}
    oauth2: bool | None = None
    times: list[datetime] = []
    organizations: list[str] = []
    reader = XmlReader()
    for parsed, record in read_each(paths, SECTION, lambda data, name: parse_export(data, name, reader),
                                    errors, inputs):
        errors.extend(parsed.errors)
        times.extend([parsed.collected_at] if parsed.collected_at else [])
        organizations.extend([parsed.organization] if parsed.organization else [])
        for server in parsed.servers:
            if server["key"] in servers:
                errors.append(InputError(f"server {server['name']} is also in "
                                         f"{servers[server['key']]['source']['file']}; kept that one",
                                         source=server["source"]["file"], where=server["source"]["where"]))
                continue
            servers[server["key"]] = server
        for name, entries in parsed.lists.items():
            current = lists[name]
            known = {entry["key"] for entry in current or []}
            lists[name] = [*(current or []), *(entry for entry in entries if entry["key"] not in known)]
        if parsed.hybrid_read:
            hybrid = parsed.hybrid or {**hybrid, "collected": True, "configured": False}
        if parsed.oauth2_client_profile_enabled is not None:
            oauth2 = parsed.oauth2_client_profile_enabled
    moment = collected_at or (max(times) if times else utc_now())
    extra: dict[str, Any] = {name: sorted(entries, key=lambda entry: entry["key"]) if entries is not None
                             else None for name, entries in lists.items()}
    extra.update(hybrid=hybrid, oauth2_client_profile_enabled=oauth2)
    items = [servers[key] for key in sorted(servers)]
    good = sum(1 for item in items if item["build"] is not None)
    return SourceResult(section=SECTION, collected_at=moment, items=items, errors=errors, inputs=inputs,
                        organization=organizations[0] if organizations else None, extra=extra,
                        good_items=good if items else (1 if any(v for v in lists.values()) else 0))


def parse_export(data: bytes, source: str, reader: XmlReader | None = None) -> Parsed:
    text = decode_text(data, source)
    head = text.lstrip("\ufeff \t\r\n")
    parsed = Parsed()
    if head.startswith("<"):
        for index, obj in enumerate(clixml.read_clixml(data, source, reader), start=1):
            _object(obj, source, f"object {index}", parsed)
    elif head.startswith(("{", "[")):
        document = ps.load_json(data, source)
        if isinstance(document, dict) and document.get("Collector") == "Export-ExchangeConfig":
            _collector(document, source, parsed)
        else:
            for index, obj in enumerate(ps.as_list(document), start=1):
                _object(obj, source, f"object {index}", parsed)
    else:
        raise InputError("not an Exchange export: expected the collector's JSON, or Get-ExchangeServer "
                         "(or the OAuth and hybrid cmdlets') output as JSON or CLIXML",
                         source=source, where="line 1")
    return parsed


def _collector(document: dict, source: str, parsed: Parsed) -> None:
    parsed.collected_at = ps.to_datetime(document.get("CollectedAt"), source, "CollectedAt")
    organization = document.get("Organization")
    parsed.organization = str(organization) if organization else None
    servers = document.get("Servers", document.get("ExchangeServers"))
    for index, obj in enumerate(ps.as_list(servers), start=1):
        where = f"Servers[{index}]"
        if not isinstance(obj, dict):
            parsed.errors.append(InputError("server entry is not an object", source=source, where=where))
            continue
        parsed.servers.append(_server(obj, source, where, parsed.errors))
    failed = " ".join(str(line) for line in ps.as_list(document.get("Errors")))
    for name, key in COLLECTOR_KEYS.items():
        value = document.get(key)
        if value is None:
            continue   # the cmdlet failed or was not run: not collected
        entries = parsed.lists.setdefault(name, [])
        for index, obj in enumerate(ps.as_list(value), start=1):
            entry = _entry(name, obj, source, f"{key}[{index}]", parsed.errors)
            if entry is not None:
                entries.append(entry)
    hybrid = document.get("HybridConfiguration")
    if hybrid is not None or ("HybridConfiguration" in document and "Get-HybridConfiguration" not in failed):
        parsed.hybrid_read = True
        parsed.hybrid = _hybrid(hybrid) if isinstance(hybrid, dict) else None
    config = document.get("OrganizationConfig")
    if isinstance(config, dict):
        parsed.oauth2_client_profile_enabled = _bool(config, "OAuth2ClientProfileEnabled", source,
                                                     "OrganizationConfig", parsed.errors)


def _object(obj: Any, source: str, where: str, parsed: Parsed) -> None:
    """One cmdlet object, told apart by its fields (CLIXML, PowerShell 5.1 or 7 JSON)."""
    if not isinstance(obj, dict):
        raise InputError("not an object of an Exchange cmdlet", source=source, where=where)
    kind = _kind(obj)
    if kind is None:
        raise InputError("neither Get-ExchangeServer nor an OAuth, hybrid or client access cmdlet's "
                         "output (no AdminDisplayVersion with ServerRole, ApplicationIdentifier, "
                         "AuthMetadataUrl, ExternalUrl, Features, DomainType...)", source=source, where=where)
    if kind == "server":
        parsed.servers.append(_server(obj, source, where, parsed.errors))
    elif kind == "hybrid":
        parsed.hybrid_read = True
        parsed.hybrid = _hybrid(obj)
    elif kind == "organization":
        parsed.organization = _text(obj.get("Name"))
        parsed.oauth2_client_profile_enabled = _bool(obj, "OAuth2ClientProfileEnabled", source, where,
                                                     parsed.errors)
    elif kind == "auth_config":
        return   # the OAuth certificate: shown by the certificates area, not judged here
    else:
        entry = _entry(kind, obj, source, where, parsed.errors)
        parsed.lists.setdefault(kind, [])
        if entry is not None:
            parsed.lists[kind].append(entry)


def _kind(obj: dict) -> str | None:
    if "ExternalUrl" in obj and "InternalUrl" in obj:
        return "ews_virtual_directories"
    if "ApplicationIdentifier" in obj:
        return "partner_applications"
    if "AuthMetadataUrl" in obj:
        return "auth_servers"
    if "Features" in obj and "ClientAccessServers" in obj:
        return "hybrid"
    if "OAuth2ClientProfileEnabled" in obj:
        return "organization"
    if "CurrentCertificateThumbprint" in obj:
        return "auth_config"
    if "DomainName" in obj and "DomainType" in obj:
        return "accepted_domains"
    if "DiscoveryEndpoint" in obj and "TargetAddressDomains" in obj:
        return "intra_organization_connectors"
    if "AutoDiscoverServiceInternalUri" in obj:
        return "client_access_services"
    if "AdminDisplayVersion" in obj and "ServerRole" in obj:
        return "server"
    return None


# -- servers ----------------------------------------------------------------------------


def _server(obj: dict, source: str, where: str, errors: list[DocgenError]) -> dict:
    """One server; an unreadable version is one error naming the file and the server, and the
    server is kept without its build."""
    name = _text(clixml.plain(obj.get("Name"))) or _text(clixml.plain(obj.get("Identity"))) or ""
    label = f"{where} ({name})" if name else where
    build = info = None
    version = obj.get("AdminDisplayVersion")
    try:
        build = parse_version(version)
        info = look_up(build)
    except ValueError as exc:
        errors.append(InputError(str(exc), source=source, where=label))
    if not name:
        errors.append(InputError("the server has no Name", source=source, where=where))
    roles = _names(obj.get("ServerRole"))
    return {
        "key": name.lower() or where,
        "name": name or where,
        "fqdn": _text(clixml.plain(obj.get("Fqdn"))),
        "roles": roles,
        "edition": _text(clixml.plain(obj.get("Edition"))),
        "site": _text(clixml.plain(obj.get("Site"))),
        "admin_display_version": _text(clixml.plain(version)),
        "build": build_text(build) if build else None,
        "product": info.product if info else None,
        "update": info.update if info else None,
        "update_build": info.update_build if info else None,
        "later_update": info.later_update if info else None,
        "released": info.released.isoformat() if info and info.released else None,
        "support_ends": info.support_ends.isoformat() if info and info.support_ends else None,
        "build_note": info.note if info else None,
        "source": {"file": source, "where": where},
    }


def _names(value: Any) -> list[str]:
    """ServerRole as a PSEnum, "Mailbox, ClientAccess" text, an integer (left as digits) or a list."""
    if isinstance(value, clixml.PSEnum):
        value = value.name
    if isinstance(value, list):
        return [str(clixml.plain(part)) for part in value if clixml.plain(part) not in (None, "")]
    text = str(clixml.plain(value) or "")
    return [part.strip() for part in text.split(",") if part.strip()]


# -- OAuth, hybrid, client access -----------------------------------------------------------


def _entry(kind: str, obj: Any, source: str, where: str, errors: list[DocgenError]) -> dict | None:
    if not isinstance(obj, dict):
        errors.append(InputError("entry is not an object", source=source, where=where))
        return None
    name = _text(clixml.plain(obj.get("Name")))
    src = {"file": source, "where": where}
    label = f"{where} ({name})" if name else where
    if kind == "partner_applications":
        app_id = (_text(clixml.plain(obj.get("ApplicationIdentifier"))) or "").lower()
        if not app_id:
            errors.append(InputError("the partner application has no ApplicationIdentifier",
                                     source=source, where=label))
            return None
        return {"key": app_id, "application_identifier": app_id, "name": name,
                "enabled": _bool(obj, "Enabled", source, label, errors),
                "use_auth_server": _bool(obj, "UseAuthServer", source, label, errors), "source": src}
    if kind == "auth_servers":
        return {"key": (name or where).lower(), "name": name or where, "type": _text(clixml.plain(obj.get("Type"))),
                "enabled": _bool(obj, "Enabled", source, label, errors),
                "auth_metadata_url": _text(clixml.plain(obj.get("AuthMetadataUrl"))), "source": src}
    if kind == "ews_virtual_directories":
        identity = _text(clixml.plain(obj.get("Identity"))) or name or where
        server = _text(_name_of(obj.get("Server"))) or (identity.split("\\", 1)[0] if "\\" in identity else None)
        return {"key": identity.lower(), "identity": identity, "server": server,
                "internal_url": _text(clixml.plain(obj.get("InternalUrl"))),
                "external_url": _text(clixml.plain(obj.get("ExternalUrl"))), "source": src}
    if kind == "client_access_services":
        return {"key": (name or where).lower(), "name": name or where,
                "autodiscover_internal_uri": _text(clixml.plain(obj.get("AutoDiscoverServiceInternalUri"))),
                "source": src}
    if kind == "accepted_domains":
        domain = _text(clixml.plain(obj.get("DomainName"))) or name or where
        return {"key": domain.lower(), "domain": domain, "type": _text(clixml.plain(obj.get("DomainType"))),
                "default": _bool(obj, "Default", source, label, errors), "source": src}
    # intra_organization_connectors
    return {"key": (name or where).lower(), "name": name or where,
            "enabled": _bool(obj, "Enabled", source, label, errors),
            "target_address_domains": [str(clixml.plain(v)) for v in _items(obj.get("TargetAddressDomains"))],
            "discovery_endpoint": _text(clixml.plain(obj.get("DiscoveryEndpoint"))), "source": src}


def _hybrid(obj: dict) -> dict:
    return {
        "collected": True,
        "configured": True,
        "domains": [str(_domain(value)) for value in _items(obj.get("Domains"))],
        "features": [str(clixml.plain(value)) for value in _items(obj.get("Features"))],
        "client_access_servers": [str(_name_of(value)) for value in _items(obj.get("ClientAccessServers"))],
        "on_premises_smart_host": _text(_domain(obj.get("OnPremisesSmartHost"))),
    }


# -- values -------------------------------------------------------------------------------


def _bool(obj: dict, name: str, source: str, where: str, errors: list[DocgenError]) -> bool | None:
    try:
        return ps.to_bool(clixml.plain(obj.get(name)), source, f"{where}.{name}")
    except InputError as exc:
        errors.append(exc)
        return None


def _items(value: Any) -> list:
    if isinstance(value, dict) and "value" in value and isinstance(value["value"], list):
        return value["value"]   # PS 5.1 wraps some collections as {"value": [...], "Count": n}
    return ps.as_list(value)


def _domain(value: Any) -> Any:
    if isinstance(value, dict) and value.get("Domain"):
        return value["Domain"]
    return clixml.plain(value)



def _name_of(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("Name") or clixml.plain(value)
    return clixml.plain(value)


def _text(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value)
