"""Exchange receive connectors and who may relay through them.

Inputs, in any mix:

- the JSON of collectors/Export-ExchangeConfig.ps1 (`ReceiveConnectors`, each with the
  `Permissions` Get-ADPermission gave for it);
- `Get-ReceiveConnector | ConvertTo-Json` from Windows PowerShell 5.1 (UTF-16, flags as
  integers, a single object for one connector) or PowerShell 7 (flags as names);
- `Get-ADPermission -Identity <connector> | ConvertTo-Json` rows;
- `Export-Clixml` of either cmdlet (RemoteIPRanges as IPRange objects, flags as enums).

A connector's relay right comes from its AD permissions: `ms-Exch-SMTP-Accept-Any-Recipient`
granted (not inherited, not denied) to `NT AUTHORITY\\ANONYMOUS LOGON`; or from
`ExternalAuthoritative` authentication with the `ExchangeServers` permission group, which
also skips anti-spam. Without the permission rows, anonymous relay is "not collected",
never "no".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.areas.exchange_connectors.ranges import parse_range
from docgen.bundle.result import SourceResult
from docgen.core.dates import utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import clixml
from docgen.readers import powershell as ps
from docgen.readers.inputs import read_each
from docgen.readers.textfile import decode_text
from docgen.readers.xml import XmlReader

SECTION = "exchange_connectors"
COLLECTOR_NAME = "Export-ExchangeConfig"
RELAY_RIGHT = "ms-Exch-SMTP-Accept-Any-Recipient"
ANONYMOUS = ("nt authority\\anonymous logon", "anonymous logon", "s-1-5-7")

# Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthMechanisms
AUTH_MECHANISMS = {0: "None", 1: "Tls", 2: "Integrated", 4: "BasicAuth", 8: "BasicAuthRequireTLS",
                   16: "ExchangeServer", 32: "ExternalAuthoritative"}
# Microsoft.Exchange.Data.PermissionGroups
PERMISSION_GROUPS = {0: "None", 1: "AnonymousUsers", 2: "ExchangeUsers", 4: "ExchangeServers",
                     8: "ExchangeLegacyServers", 16: "Partners", 32: "Custom"}
TRANSPORT_ROLES = {32: "HubTransport", 16384: "FrontendTransport"}
LOGGING_LEVELS = {0: "None", 1: "Verbose"}

RECEIVE_CONNECTOR_TYPE = "Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector"


@dataclass
class Parsed:
    connectors: list[dict] = field(default_factory=list)
    permissions: list[tuple[str, str, dict, str]] = field(default_factory=list)  # server, name, row, where
    errors: list[DocgenError] = field(default_factory=list)
    collected_at: datetime | None = None
    organization: str | None = None


def import_exchange_connectors(paths: list[Path], collected_at: datetime | None = None,
                               load_balancer_addresses: Any = None) -> SourceResult:
    """Every export read; a bad file or connector is recorded, the good ones kept.

    `load_balancer_addresses` (docgen.toml `[exchange] load_balancer_addresses`, or the
    command line's comma-separated list) is kept in the section, so the bundle alone
    decides the findings.
    """
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    connectors: dict[str, dict] = {}
    permissions: list[tuple[str, str, dict, str]] = []
    times: list[datetime] = []
    organizations: list[str] = []
    reader = XmlReader()
    for parsed, record in read_each(paths, SECTION, lambda data, name: parse_export(data, name, reader),
                                    errors, inputs):
        errors.extend(parsed.errors)
        times.extend([parsed.collected_at] if parsed.collected_at else [])
        organizations.extend([parsed.organization] if parsed.organization else [])
        for connector in parsed.connectors:
            if connector["key"] in connectors:
                errors.append(InputError(
                    f"connector {connector['identity']} is also in "
                    f"{connectors[connector['key']]['source']['file']}; kept that one",
                    source=connector["source"]["file"], where=connector["source"]["where"]))
                continue
            connectors[connector["key"]] = connector
        permissions.extend((server, name, row, record["name"]) for server, name, row, _ in parsed.permissions)
    errors.extend(_attach_permissions(connectors, permissions))
    items = [_judge_relay(connectors[key]) for key in sorted(connectors)]
    moment = collected_at or (max(times) if times else utc_now())
    return SourceResult(section=SECTION, collected_at=moment, items=items, errors=errors,
                        inputs=inputs, organization=organizations[0] if organizations else None,
                        extra={"load_balancer_addresses": _addresses(load_balancer_addresses)})


def _addresses(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def parse_export(data: bytes, source: str, reader: XmlReader | None = None) -> Parsed:
    text = decode_text(data, source)
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        objects = clixml.read_clixml(data, source, reader)
        parsed = _parse_objects(objects, source)
    elif head.startswith(("{", "[")):
        document = ps.load_json(data, source)
        if isinstance(document, dict) and "ReceiveConnectors" in document:
            parsed = _parse_collector(document, source)
        else:
            parsed = _parse_objects(ps.as_list(document), source)
    else:
        raise InputError("not a receive connector export: expected the collector's JSON, "
                         "Get-ReceiveConnector or Get-ADPermission output as JSON or CLIXML",
                         source=source, where="line 1")
    if not parsed.connectors and not parsed.permissions and not parsed.errors:
        raise InputError("the export lists no receive connectors", source=source)
    return parsed


def _parse_collector(document: dict, source: str) -> Parsed:
    parsed = Parsed()
    parsed.collected_at = ps.to_datetime(document.get("CollectedAt"), source, "CollectedAt")
    organization = document.get("Organization")
    parsed.organization = str(organization) if organization else None
    for index, obj in enumerate(ps.as_list(document.get("ReceiveConnectors")), start=1):
        where = f"ReceiveConnectors[{index}]"
        if not isinstance(obj, dict):
            parsed.errors.append(InputError("connector entry is not an object", source=source, where=where))
            continue
        connector = _connector(obj, source, where, parsed.errors)
        rows = obj.get("Permissions")
        if rows is not None:
            connector["permissions"] = []
            for row_index, row in enumerate(ps.as_list(rows), start=1):
                parsed.permissions.append((connector["server"], connector["name"], row,
                                           f"{where}.Permissions[{row_index}]"))
        parsed.connectors.append(connector)
    return parsed


def _parse_objects(objects: list, source: str) -> Parsed:
    """Get-ReceiveConnector or Get-ADPermission objects (JSON or CLIXML), told apart by fields."""
    parsed = Parsed()
    for index, obj in enumerate(objects, start=1):
        where = f"object {index}"
        if isinstance(obj, dict) and "ExtendedRights" in obj:
            server, name = _permission_target(obj.get("Identity"))
            if not name:
                parsed.errors.append(InputError("the permission row names no receive connector "
                                                "(Identity)", source=source, where=where))
                continue
            parsed.permissions.append((server or "", name, obj, where))
        elif isinstance(obj, dict) and ("RemoteIPRanges" in obj or "PermissionGroups" in obj
                                        or clixml.has_type(obj, RECEIVE_CONNECTOR_TYPE)):
            parsed.connectors.append(_connector(obj, source, where, parsed.errors))
        else:
            raise InputError("neither Get-ReceiveConnector nor Get-ADPermission output "
                             "(no RemoteIPRanges, PermissionGroups or ExtendedRights)",
                             source=source, where=where)
    return parsed


# -- one connector -----------------------------------------------------------------------


def _connector(obj: dict, source: str, where: str, errors: list[DocgenError]) -> dict:
    """One connector; an unreadable field is that field's error (named by file and
    connector) and the connector is kept."""
    server = _text(_name_of(obj.get("Server"))) or _identity_parts(obj.get("Identity"))[0] or ""
    name = _text(obj.get("Name")) or _identity_parts(obj.get("Identity"))[1] or ""
    identity = f"{server}\\{name}" if server else name
    label = f"{where} ({identity})" if identity else where

    def flags(field_name: str, names: dict[int, str]) -> list[str]:
        try:
            return _flags(obj.get(field_name), names, field_name)
        except ValueError as exc:
            errors.append(InputError(str(exc), source=source, where=label))
            return []

    def boolean(field_name: str) -> bool | None:
        try:
            return ps.to_bool(clixml.plain(obj.get(field_name)), source, f"{label}.{field_name}")
        except InputError as exc:
            errors.append(exc)
            return None

    ranges: list[dict[str, Any]] = []
    for index, value in enumerate(_items(obj.get("RemoteIPRanges")), start=1):
        expression = _range_expression(value)
        try:
            address_range = parse_range(expression)
        except ValueError as exc:
            errors.append(InputError(f"RemoteIPRanges[{index}]: {exc}", source=source, where=label))
            ranges.append({"expression": expression, "first": None, "last": None, "size": None,
                           "cidr": None, "public": None, "everything": None})
            continue
        ranges.append({"expression": expression, "first": str(address_range.first),
                       "last": str(address_range.last), "size": str(address_range.size),
                       "cidr": address_range.cidr, "public": address_range.public,
                       "everything": address_range.everything})
    if not name:
        errors.append(InputError("the connector has no Name", source=source, where=where))
    return {
        "key": f"{server.lower()}\\{name.lower()}" if server else name.lower() or where,
        "identity": identity or where,
        "server": server or None,
        "name": name or None,
        "enabled": boolean("Enabled"),
        "transport_role": _single_flag(obj.get("TransportRole"), TRANSPORT_ROLES),
        "bindings": [_binding(value) for value in _items(obj.get("Bindings"))],
        "remote_ip_ranges": ranges,
        "auth_mechanism": flags("AuthMechanism", AUTH_MECHANISMS),
        "permission_groups": flags("PermissionGroups", PERMISSION_GROUPS),
        "require_tls": boolean("RequireTLS"),
        "fqdn": _text(_fqdn(obj.get("Fqdn"))),
        "tls_certificate_name": _text(_certificate_name(obj.get("TlsCertificateName"))),
        "max_message_size": _text(clixml.plain(obj.get("MaxMessageSize"))),
        "protocol_logging_level": _single_flag(obj.get("ProtocolLoggingLevel"), LOGGING_LEVELS),
        "permissions": None,
        "relay": None,
        "source": {"file": source, "where": where},
    }


def _flags(value: Any, names: dict[int, str], field_name: str) -> list[str]:
    """Flags as PSEnum, integer, "A, B" text or a list of names; unknown names or bits are
    a ValueError naming the field."""
    if isinstance(value, clixml.PSEnum):
        value = value.value
    if value is None or value == "":
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        known = sum(bit for bit in names)
        if value < 0 or value & ~known:
            raise ValueError(f"{field_name}: unknown flag value {value}")
        return ps.enum_names(value, names)
    found = ps.enum_names(value if isinstance(value, (list, str)) else str(value), names)
    canonical = {name.lower(): name for name in names.values()}
    unknown = [name for name in found if name.lower() not in canonical]
    if unknown:
        raise ValueError(f"{field_name}: unknown flag name {unknown[0]!r} "
                         f"(known: {', '.join(names.values())})")
    return [canonical[name.lower()] for name in found if name.lower() != "none"] or (
        ["None"] if found else [])


def _single_flag(value: Any, names: dict[int, str]) -> str | None:
    if isinstance(value, clixml.PSEnum):
        return value.name
    return ps.enum_name(clixml.plain(value), names)


def _items(value: Any) -> list:
    if isinstance(value, dict) and "value" in value and isinstance(value["value"], list):
        return value["value"]   # PS 5.1 wraps some collections as {"value": [...], "Count": n}
    return ps.as_list(value)


def _range_expression(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("Expression", "expression"):
            if value.get(key):
                return str(value[key])
        if value.get("LowerBound") and value.get("UpperBound"):
            return f"{value['LowerBound']}-{value['UpperBound']}"
    return str(clixml.plain(value))


def _binding(value: Any) -> str:
    if isinstance(value, dict) and not getattr(value, "to_string", None) and "Port" in value:
        address = clixml.plain(value.get("Address"))
        if isinstance(address, dict):
            address = address.get("IPAddressToString") or address.get("Address")
        text = str(address)
        return f"[{text}]:{value['Port']}" if ":" in text else f"{text}:{value['Port']}"
    return str(clixml.plain(value))


def _fqdn(value: Any) -> Any:
    if isinstance(value, dict) and not getattr(value, "to_string", None):
        return value.get("Domain")
    return clixml.plain(value)


def _certificate_name(value: Any) -> Any:
    """SmtpX509Identifier: '<I>issuer<S>subject'; shown as the subject it names."""
    if isinstance(value, dict):
        if value.get("CertificateSubject"):
            return value["CertificateSubject"]
        value = clixml.plain(value)
    if isinstance(value, str) and "<S>" in value:
        return value.split("<S>", 1)[1]
    return value



def _name_of(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("Name") or clixml.plain(value)
    return value


def _identity_parts(value: Any) -> tuple[str | None, str | None]:
    """'EX01\\Relay' -> (EX01, Relay); a DN 'CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,
    CN=EX01,...' -> (EX01, Relay)."""
    if isinstance(value, dict):
        value = value.get("DistinguishedName") or clixml.plain(value) or value.get("Name")
    text = str(clixml.plain(value) or "")
    if text.upper().startswith("CN=") and ",CN=PROTOCOLS," in text.upper():
        parts = [part[3:] for part in text.split(",") if part.upper().startswith("CN=")]
        lowered = [part.lower() for part in parts]
        at = lowered.index("protocols")
        return (parts[at + 1] if at + 1 < len(parts) else None), parts[0]
    if "\\" in text:
        server, name = text.split("\\", 1)
        return server or None, name or None
    return None, text or None


def _permission_target(value: Any) -> tuple[str | None, str | None]:
    return _identity_parts(value)


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


# -- relay ------------------------------------------------------------------------------


def _attach_permissions(connectors: dict[str, dict],
                        rows: list[tuple[str, str, dict, str]]) -> list[DocgenError]:
    errors: list[DocgenError] = []
    for server, name, row, source in rows:
        key = f"{server.lower()}\\{name.lower()}" if server else name.lower()
        connector = connectors.get(key) or _only_by_name(connectors, name)
        if connector is None:
            errors.append(InputError(f"a Get-ADPermission row names the connector "
                                     f"{server + chr(92) if server else ''}{name}, which no "
                                     "imported export lists", source=source))
            continue
        try:
            entry = _permission(row, source, connector["identity"])
        except InputError as exc:
            errors.append(exc)
            continue
        if connector["permissions"] is None:
            connector["permissions"] = []
        if entry is not None:
            connector["permissions"].append(entry)
    return errors


def _only_by_name(connectors: dict[str, dict], name: str) -> dict | None:
    matches = [item for item in connectors.values() if (item["name"] or "").lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None


def _permission(row: Any, source: str, identity: str) -> dict | None:
    """A Get-ADPermission row that grants (not inherited, not deny); None for the others."""
    where = f"connector {identity}, permission"
    if not isinstance(row, dict):
        raise InputError("permission row is not an object", source=source, where=where)
    if ps.to_bool(clixml.plain(row.get("IsInherited")), source, f"{where}.IsInherited") or \
            ps.to_bool(clixml.plain(row.get("Deny")), source, f"{where}.Deny"):
        return None
    user = _principal(row.get("User"))
    if not user:
        raise InputError("permission row names no User", source=source, where=where)
    rights = sorted({_principal(right) for right in _items(row.get("ExtendedRights"))} - {""})
    return {"user": user, "extended_rights": rights}


def _principal(value: Any) -> str:
    if isinstance(value, dict) and not getattr(value, "to_string", None):
        value = value.get("RawIdentity") or value.get("Name") or value.get("SecurityIdentifierString")
    return str(clixml.plain(value) or "").strip()


def _judge_relay(connector: dict) -> dict:
    permissions = connector["permissions"]
    anonymous = None if permissions is None else any(
        entry["user"].lower() in ANONYMOUS
        and RELAY_RIGHT.lower() in (right.lower() for right in entry["extended_rights"])
        for entry in permissions)
    externally_secured = ("ExternalAuthoritative" in connector["auth_mechanism"]
                          and "ExchangeServers" in connector["permission_groups"])
    connector["relay"] = {
        "anonymous": anonymous,
        "externally_secured": externally_secured,
        "allowed": True if (anonymous or externally_secured) else (None if anonymous is None else False),
    }
    return connector
