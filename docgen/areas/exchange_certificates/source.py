"""Exchange default SMTP (internal transport) certificates.

Each Exchange server object in AD holds `msExchServerInternalTLSCert`: the DER
bytes of the certificate Exchange uses for internal mutual TLS and offers when
no connector certificate is set. Three export forms reach us:

- the JSON of collectors/Export-ExchangeCertificates.ps1 (base64 DER, plus the
  server's certificate store from Get-ExchangeCertificate);
- `Get-ADObject ... -Properties msExchServerInternalTLSCert | ConvertTo-Json`
  (PowerShell 5.1 or 7: the DER as an array of numbers);
- an `ldifde` LDIF file (the DER as `msExchServerInternalTLSCert:: base64`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.bundle.result import SourceResult
from docgen.core.dates import iso_utc, utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import powershell as ps
from docgen.readers.ad import dns_domain_of, first_rdn_value
from docgen.readers.certificates import certificate_facts
from docgen.readers.inputs import read_input
from docgen.readers.ldif import LdifRecord, read_ldif
from docgen.readers.textfile import decode_text

SECTION = "exchange_certificates"
COLLECTOR_NAME = "Export-ExchangeCertificates"
CERT_ATTRIBUTE = "msExchServerInternalTLSCert"

# msExchCurrentServerRoles bits (Exchange's ServerRole enum).
SERVER_ROLE_BITS = {
    1: "ClientAccess",
    2: "Mailbox",
    4: "ClientAccess",
    16: "UnifiedMessaging",
    32: "HubTransport",
    64: "Edge",
    16384: "FrontendTransport",
}
# Microsoft.Exchange.Management.SystemConfigurationTasks.AllowedServices, for
# exports where ConvertTo-Json wrote the enum as a number.
ALLOWED_SERVICES_BITS = {0: "None", 1: "IMAP", 2: "POP", 4: "UM", 8: "IIS", 16: "SMTP",
                         32: "Federation", 64: "UMCallRouter"}
CERTIFICATE_STATUS = {0: "Unknown", 1: "Valid", 2: "Revoked", 3: "DateInvalid",
                      4: "Untrusted", 5: "Invalid", 6: "RevocationCheckFailure",
                      7: "PendingRequest"}


def import_exchange_certs(paths: list[Path], collected_at: datetime | None = None) -> SourceResult:
    """Read every export; a bad file or record is recorded, the good ones kept."""
    servers: dict[str, dict] = {}
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    export_times: list[datetime] = []
    organizations: list[str | None] = []
    for path in paths:
        try:
            data, record = read_input(path, SECTION)
            inputs.append(record)
            parsed = parse_export(data, record["name"])
        except InputError as exc:
            errors.append(exc)
            continue
        errors.extend(parsed.errors)
        export_times.extend([parsed.collected_at] if parsed.collected_at else [])
        organizations.append(parsed.organization)
        for server in parsed.servers:
            _merge_server(servers, server, errors)
    moment = collected_at or (max(export_times) if export_times else utc_now())
    items = [servers[key] for key in sorted(servers)]
    organization = next((name for name in organizations if name), None) or next(
        (dns_domain_of(item["dn"]) for item in items if dns_domain_of(item["dn"])), None)
    good = sum(1 for item in items if item["default_smtp_certificate"]["state"] != "error")
    return SourceResult(section=SECTION, collected_at=moment, items=items, errors=errors,
                        inputs=inputs, organization=organization, good_items=good)


@dataclass
class ParsedExport:
    """The servers one file yielded, the record-level errors, and its export time."""

    servers: list[dict] = field(default_factory=list)
    errors: list[DocgenError] = field(default_factory=list)
    collected_at: datetime | None = None
    organization: str | None = None


def parse_export(data: bytes, source: str) -> ParsedExport:
    """Recognise the export form by its content and parse it."""
    text = decode_text(data, source)
    first = _first_content_line(text, source)
    if first.startswith(("{", "[")):
        parsed = _parse_json(ps.load_json(data, source), source)
    elif first.lower().startswith(("dn:", "version:")):
        parsed = _parse_ldif(read_ldif(data, source), source)
    else:
        raise InputError("not an Exchange certificate export: expected the collector's JSON, "
                         "Get-ADObject | ConvertTo-Json output, or an ldifde LDIF file",
                         source=source, where="line 1")
    if not parsed.servers and not parsed.errors:
        raise InputError("the export lists no Exchange servers", source=source)
    return parsed


def _first_content_line(text: str, source: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped
    raise InputError("the file is empty", source=source)


def _parse_json(document: Any, source: str) -> ParsedExport:
    if isinstance(document, dict) and "Servers" in document:
        return _parse_collector(document, source)
    parsed = ParsedExport()
    for index, obj in enumerate(ps.as_list(document), start=1):
        where = f"object {index}"
        if not isinstance(obj, dict) or "DistinguishedName" not in obj:
            raise InputError("neither the collector's JSON nor Get-ADObject output "
                             "(no DistinguishedName)", source=source, where=where)
        _add(parsed, lambda obj=obj: _server_from_adobject(obj, source, where))
    return parsed


def _parse_collector(document: dict, source: str) -> ParsedExport:
    parsed = ParsedExport()
    parsed.collected_at = ps.to_datetime(document.get("CollectedAt"), source, "CollectedAt")
    parsed.organization = _text(document.get("Organization"))
    for index, obj in enumerate(ps.as_list(document.get("Servers")), start=1):
        if not isinstance(obj, dict):
            parsed.errors.append(InputError("server entry is not an object", source=source,
                                            where=f"Servers[{index}]"))
            continue
        where = f"server {obj.get('Name') or index}"
        _add(parsed, lambda obj=obj, where=where: _server_from_collector(obj, source, where))
        for message in ps.as_list(obj.get("Errors")):
            parsed.errors.append(InputError(f"the collector reported: {message}",
                                            source=source, where=where))
    return parsed


def _parse_ldif(records: list[LdifRecord], source: str) -> ParsedExport:
    parsed = ParsedExport()
    for record in records:
        where = f"line {record.line} ({first_rdn_value(record.dn)})"
        parsed.errors.extend(
            InputError(error.message, source=source, where=f"{error.where} ({first_rdn_value(record.dn)})")
            for error in record.errors)
        _add(parsed, lambda record=record, where=where: _server_from_ldif(record, source, where))
    return parsed


def _add(parsed: ParsedExport, build) -> None:
    """Build one server record; its failure is that record's error, not the file's."""
    server, error = build()
    parsed.servers.append(server)
    if error is not None:
        parsed.errors.append(error)


def _server_from_collector(obj: dict, source: str, where: str) -> tuple[dict, InputError | None]:
    name = str(obj.get("Name") or first_rdn_value(obj.get("DistinguishedName", "")))
    certificate, error = _certificate(obj.get("InternalTransportCertificate"), source, where)
    server = _server(name=name, dn=obj.get("DistinguishedName"), source=source, where=where,
                     roles=ps.enum_names(obj.get("ServerRole"), {}),
                     fqdn=obj.get("Fqdn"), version=obj.get("AdminDisplayVersion"),
                     certificate=certificate)
    store = obj.get("ExchangeCertificates")
    if store is None:
        return server, error  # the collector could not read the store: not "empty"
    try:
        server["store_certificates"] = [
            _store_certificate(entry, source, f"{where}, ExchangeCertificates[{index}]")
            for index, entry in enumerate(ps.as_list(store), start=1)]
    except InputError as exc:
        error = error or exc
    return server, error


def _server_from_adobject(obj: dict, source: str, where: str) -> tuple[dict, InputError | None]:
    name = str(obj.get("Name") or first_rdn_value(obj["DistinguishedName"]))
    where = f"{where} ({name})"
    certificate, error = _certificate(_field(obj, CERT_ATTRIBUTE), source, where)
    server = _server(name=name, dn=obj["DistinguishedName"], source=source, where=where,
                     roles=_roles_from_bits(_field(obj, "msExchCurrentServerRoles")),
                     fqdn=_single(_field(obj, "dNSHostName")),
                     version=_single(_field(obj, "serialNumber")), certificate=certificate)
    return server, error


def _single(value: Any) -> Any:
    """Multi-valued AD attributes (serialNumber) arrive as arrays; the first value is meant."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _server_from_ldif(record: LdifRecord, source: str, where: str) -> tuple[dict, InputError | None]:
    value: str | bytes | InputError | None = record.first(CERT_ATTRIBUTE)
    if isinstance(value, str):
        # `attr: text` where `attr:: base64` was expected: read the text as base64.
        value = _decode_base64_text(value, source, where)
    certificate, error = _certificate(value, source, where)
    roles_text = record.first("msExchCurrentServerRoles")
    server = _server(name=str(record.first("name") or record.first("cn") or first_rdn_value(record.dn)),
                     dn=record.dn, source=source, where=where,
                     roles=_roles_from_bits(_int_or_none(roles_text)),
                     fqdn=record.first("dNSHostName"), version=record.first("serialNumber"),
                     certificate=certificate)
    return server, error


def _decode_base64_text(value: str, source: str, where: str) -> bytes | InputError:
    try:
        return ps.to_bytes(value, source, where)
    except InputError as exc:
        return exc


def _server(*, name: str, dn: Any, source: str, where: str, roles: list[str], fqdn: Any,
            version: Any, certificate: dict) -> dict:
    return {
        "key": name.lower(),
        "name": name,
        "dn": str(dn) if dn else None,
        "fqdn": str(fqdn) if fqdn else None,
        "roles": roles,
        "version": _text(version),
        "default_smtp_certificate": certificate,
        "store_certificates": None,
        "source": {"file": source, "where": where},
    }


def _certificate(value: Any, source: str, where: str) -> tuple[dict, InputError | None]:
    """The attribute as a fact: present (with its fields), absent, or unreadable."""
    if isinstance(value, InputError):
        return {"state": "error", "error": value.message}, value
    if value is None or value == "" or value == []:
        return {"state": "absent"}, None
    try:
        if isinstance(value, list) and value and isinstance(value[0], list):
            raise InputError("attribute holds several values; expected one certificate",
                             source=source, where=where)
        der = value if isinstance(value, bytes) else ps.to_bytes(value, source, where)
        return {"state": "present", **certificate_facts(der, source, where)}, None
    except InputError as exc:
        return {"state": "error", "error": exc.message}, exc


def _store_certificate(entry: Any, source: str, where: str) -> dict:
    if not isinstance(entry, dict):
        raise InputError("certificate entry is not an object", source=source, where=where)
    not_after = ps.to_datetime(entry.get("NotAfter"), source, f"{where}.NotAfter")
    return {
        "thumbprint": str(entry.get("Thumbprint") or "").upper(),
        "friendly_name": _text(entry.get("FriendlyName")),
        "subject": _text(entry.get("Subject")),
        "services": ps.enum_names(entry.get("Services"), ALLOWED_SERVICES_BITS),
        "status": ps.enum_name(entry.get("Status"), CERTIFICATE_STATUS),
        "not_after": iso_utc(not_after) if not_after else None,
        "self_signed": ps.to_bool(entry.get("IsSelfSigned"), source, f"{where}.IsSelfSigned"),
        "domains": [_domain_text(domain) for domain in ps.as_list(entry.get("CertificateDomains"))],
    }


def _domain_text(domain: Any) -> str:
    # Get-ExchangeCertificate gives SmtpDomainWithSubdomains objects when not stringified.
    if isinstance(domain, dict):
        return str(domain.get("Address") or domain.get("Domain") or domain)
    return str(domain)


def _merge_server(servers: dict[str, dict], server: dict, errors: list[DocgenError]) -> None:
    """The same server in two exports: keep the first, flag a conflicting second."""
    existing = servers.get(server["key"])
    if existing is None:
        servers[server["key"]] = server
        return
    if _thumbprint(existing) != _thumbprint(server):
        errors.append(InputError(
            f"server {server['name']} is also in {existing['source']['file']} with a different "
            f"certificate; kept that one", source=server["source"]["file"],
            where=server["source"]["where"]))
    if existing["store_certificates"] is None and server["store_certificates"] is not None:
        existing["store_certificates"] = server["store_certificates"]


def _thumbprint(server: dict) -> str | None:
    return server["default_smtp_certificate"].get("thumbprint_sha1")


def _field(obj: dict, name: str) -> Any:
    """AD attribute names are case-insensitive; so is this lookup."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    return next((value for key, value in obj.items() if key.lower() == lowered), None)


def _roles_from_bits(value: Any) -> list[str]:
    value = _single(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return []
    names = [name for bit, name in sorted(SERVER_ROLE_BITS.items()) if value & bit]
    return sorted(set(names), key=names.index)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, dict) and "Major" in value:
        # ServerVersion objects when the collector did not stringify them
        return (f"Version {value.get('Major')}.{value.get('Minor')} "
                f"(Build {value.get('Build')}.{value.get('Revision')})")
    return None if value is None or value == "" else str(value)
