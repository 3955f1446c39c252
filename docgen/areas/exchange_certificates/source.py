"""Exchange default SMTP (internal transport) certificates.

Each Exchange server object in AD holds `msExchServerInternalTLSCert`: the DER
bytes of the certificate Exchange uses for internal mutual TLS and offers when
no connector certificate is set. Three export forms reach us:

- the JSON of collectors/Export-ExchangeCertificates.ps1 (base64 DER, plus the
  server's certificate store from Get-ExchangeCertificate);
- `Get-ADObject ... -Properties msExchServerInternalTLSCert | ConvertTo-Json`
  (PowerShell 5.1 or 7: the DER as an array of numbers);
- an `ldifde` LDIF file (the DER as `msExchServerInternalTLSCert:: base64`);
- CLIXML (`Export-Clixml`, docgen.readers.clixml) of the certificate as an
  `X509Certificate2` (`<BA N="RawData">`: the object names no server, so the
  server comes from --server or the file name), of `Get-ExchangeCertificate`
  (the server's certificate store; Services, Status and the friendly name are
  only in Exchange's `SerializationData`, read by docgen.readers.nrbf), or of
  `Get-ADObject ... -Properties msExchServerInternalTLSCert`.

`Get-ExchangeCertificate` does not say which certificate is the default SMTP
one, so a server seen only there keeps its store and its default certificate is
an error ("not in the imported files") until another export of the same server
supplies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docgen.bundle.result import SourceResult
from docgen.core.dates import iso_utc, utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import clixml
from docgen.readers import powershell as ps
from docgen.readers.ad import dns_domain_of, first_rdn_value
from docgen.readers.certificates import certificate_facts, friendly_name, store_element_properties
from docgen.readers.inputs import read_input
from docgen.readers.ldif import LdifRecord, read_ldif
from docgen.readers.nrbf import NrbfObject, enum_value, read_serialization_data
from docgen.readers.textfile import decode_text
from docgen.readers.xml import XmlReader

SECTION = "exchange_certificates"
COLLECTOR_NAME = "Export-ExchangeCertificates"
# The newer collector: every certificate with its RawData, and the client access URLs, but
# not msExchServerInternalTLSCert (its servers' default certificate is "not collected").
CONFIG_COLLECTOR_NAME = "Export-ExchangeConfig"
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
X509_TYPE = "System.Security.Cryptography.X509Certificates.X509Certificate2"
AD_OBJECT_TYPE = "Microsoft.ActiveDirectory.Management.ADObject"
EXCHANGE_CERTIFICATE_TYPE = "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate"
# A NetBIOS computer name (what Exchange calls a server), or an FQDN starting with one.
_SERVER_NAME = re.compile(r"^(?!\d+$)[A-Za-z0-9][A-Za-z0-9-]{0,14}$")
_SERVER_FQDN = re.compile(r"^(?!\d+\.)[A-Za-z0-9][A-Za-z0-9-]{0,14}(\.[A-Za-z0-9-]{1,63})+$")


def import_exchange_certs(paths: list[Path], collected_at: datetime | None = None,
                          server: str | None = None) -> SourceResult:
    """Read every export; a bad file or record is recorded, the good ones kept.

    `server` names the server of certificate exports that name none (a CLIXML
    X509Certificate2); without it the file name does (EX01.xml, EX01_smtp.xml).
    """
    servers: dict[str, dict] = {}
    store_only: dict[str, str] = {}  # servers seen only in Get-ExchangeCertificate output
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    export_times: list[datetime] = []
    organizations: list[str | None] = []
    reader = XmlReader()
    for path in paths:
        try:
            data, record = read_input(path, SECTION)
            inputs.append(record)
            parsed = parse_export(data, record["name"], server=server, reader=reader)
        except InputError as exc:
            errors.append(exc)
            continue
        errors.extend(parsed.errors)
        export_times.extend([parsed.collected_at] if parsed.collected_at else [])
        organizations.append(parsed.organization)
        for item in parsed.servers:
            _merge_server(servers, item, errors, store_only,
                          only_store=item["key"] in parsed.store_only
                          or item["default_smtp_certificate"]["state"] == "not_collected")
    for key in sorted(store_only):
        item = servers[key]
        if item["default_smtp_certificate"]["state"] != "error":
            continue  # the newer collector: "not collected", not an error
        errors.append(InputError(item["default_smtp_certificate"]["error"],
                                 source=item["source"]["file"], where=item["source"]["where"]))
    moment = collected_at or (max(export_times) if export_times else utc_now())
    items = [_with_default_facts(servers[key]) for key in sorted(servers)]
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
    # keys of servers this file lists the certificate store of, but not the default certificate
    store_only: set[str] = field(default_factory=set)


def parse_export(data: bytes, source: str, server: str | None = None,
                 reader: XmlReader | None = None) -> ParsedExport:
    """Recognise the export form by its content and parse it."""
    text = decode_text(data, source)
    first = _first_content_line(text, source)
    if first.startswith(("{", "[")):
        parsed = _parse_json(ps.load_json(data, source), source)
    elif first.lower().startswith(("dn:", "version:")):
        parsed = _parse_ldif(read_ldif(data, source), source)
    elif first.startswith("<"):
        parsed = _parse_clixml(clixml.read_clixml(data, source, reader), source, server)
    else:
        raise InputError("not an Exchange certificate export: expected the collector's JSON, "
                         "Get-ADObject | ConvertTo-Json output, an ldifde LDIF file, or "
                         "Export-Clixml output", source=source, where="line 1")
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
    if isinstance(document, dict) and document.get("Collector") == CONFIG_COLLECTOR_NAME:
        return _parse_config_collector(document, source)
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
        _add(parsed, lambda obj=obj, where=where: _server_from_collector(obj, source, where,
                                                                         parsed.errors))
        for message in ps.as_list(obj.get("Errors")):
            parsed.errors.append(InputError(f"the collector reported: {message}",
                                            source=source, where=where))
    return parsed


def _parse_config_collector(document: dict, source: str) -> ParsedExport:
    """Export-ExchangeConfig.ps1: `Servers`, every server's certificates (`ExchangeCertificates`,
    with RawData) and the host names clients reach them by (`WebServicesVirtualDirectories`,
    `ClientAccessServices`). It does not export msExchServerInternalTLSCert: each server's
    default certificate is "not collected", not an error; another export of the same server
    (Export-ExchangeCertificates.ps1, Get-ADObject, LDIF) supplies it."""
    parsed = ParsedExport()
    parsed.collected_at = ps.to_datetime(document.get("CollectedAt"), source, "CollectedAt")
    parsed.organization = _text(document.get("Organization"))
    failures = [str(line) for line in ps.as_list(document.get("Errors"))]
    servers: dict[str, dict] = {}

    def server_named(name: str, where: str, obj: dict | None = None) -> dict:
        key = name.lower()
        if key not in servers:
            obj = obj or {}
            servers[key] = _server(
                name=name, dn=None, source=source, where=where,
                roles=ps.enum_names(obj.get("ServerRole"), {}), fqdn=obj.get("Fqdn"),
                version=obj.get("AdminDisplayVersion"), certificate={"state": "not_collected"})
        return servers[key]

    for index, obj in enumerate(ps.as_list(document.get("Servers")), start=1):
        if not isinstance(obj, dict) or not _text(obj.get("Name")):
            parsed.errors.append(InputError("server entry is not an object with a Name",
                                            source=source, where=f"Servers[{index}]"))
            continue
        server_named(str(obj["Name"]), f"server {obj['Name']}", obj)
    certificates = document.get("ExchangeCertificates")
    if certificates is not None:
        for item in servers.values():
            if not _failed(failures, f"Get-ExchangeCertificate -Server {item['name']}"):
                item["store_certificates"] = []
        for index, entry in enumerate(ps.as_list(certificates), start=1):
            where = f"ExchangeCertificates[{index}]"
            name = _text(entry.get("Server")) if isinstance(entry, dict) else None
            if not name:
                parsed.errors.append(InputError("certificate entry names no Server",
                                                source=source, where=where))
                continue
            item = server_named(name, f"server {name}")
            if item["store_certificates"] is None:
                item["store_certificates"] = []
            item["store_certificates"].append(
                _store_certificate(entry, source, f"{where} ({entry.get('Thumbprint')})",
                                   parsed.errors))
    _add_host_names(document, servers, failures)
    for line in failures:
        if line.startswith(("Get-ExchangeCertificate", "Get-WebServicesVirtualDirectory",
                            "Get-ClientAccessService", "Get-ExchangeServer")):
            parsed.errors.append(InputError(f"the collector reported: {line}", source=source))
    parsed.servers = [servers[key] for key in sorted(servers)]
    return parsed


# (collector key, server field, URL fields) of the settings that name the client host names
HOST_NAME_SETTINGS = (
    ("WebServicesVirtualDirectories", "Server", (("InternalUrl", "EWS InternalUrl"),
                                                 ("ExternalUrl", "EWS ExternalUrl"))),
    ("ClientAccessServices", "Name", (("AutoDiscoverServiceInternalUri",
                                       "AutoDiscoverServiceInternalUri"),)),
)


def _add_host_names(document: dict, servers: dict[str, dict], failures: list[str]) -> None:
    """Each server's EWS and Autodiscover host names, when the collector could read them
    (`web_host_names` stays None otherwise: "not collected", never "none")."""
    read = [key for key, _server_field, _urls in HOST_NAME_SETTINGS
            if document.get(key) is not None]
    if not read:
        return
    for item in servers.values():
        item["web_host_names"] = []
    for key, server_field, urls in HOST_NAME_SETTINGS:
        for obj in ps.as_list(document.get(key)):
            if not isinstance(obj, dict):
                continue
            target = servers.get(str(obj.get(server_field) or "").lower())
            if target is None:
                continue
            for field_name, setting in urls:
                url = _text(obj.get(field_name))
                host = _url_host(url)
                if url and host:
                    target["web_host_names"].append({"setting": setting, "url": url, "host": host})


def _url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _failed(failures: list[str], cmdlet: str) -> bool:
    return any(line.lower().startswith(cmdlet.lower() + ":") for line in failures)


def _parse_ldif(records: list[LdifRecord], source: str) -> ParsedExport:
    parsed = ParsedExport()
    for record in records:
        where = f"line {record.line} ({first_rdn_value(record.dn)})"
        parsed.errors.extend(
            InputError(error.message, source=source, where=f"{error.where} ({first_rdn_value(record.dn)})")
            for error in record.errors)
        _add(parsed, lambda record=record, where=where: _server_from_ldif(record, source, where))
    return parsed


def _parse_clixml(objects: list[Any], source: str, server: str | None) -> ParsedExport:
    """X509Certificate2 (a server's default certificate), Get-ExchangeCertificate (its
    store) or Get-ADObject objects; anything else refuses the file."""
    parsed = ParsedExport()
    defaults: dict[str, str] = {}           # server key -> where its certificate was
    stores: dict[str, dict] = {}            # server key -> its store-only server record
    for index, obj in enumerate(objects, start=1):
        where = f"object {index}"
        if clixml.has_type(obj, EXCHANGE_CERTIFICATE_TYPE):
            _add_store_certificate(parsed, stores, obj, source, where, server)
        elif clixml.has_type(obj, X509_TYPE):
            name, fqdn = _server_named(None, server, source, where)
            key = name.lower()
            if key in defaults:
                raise InputError(f"a second certificate for server {name} ({defaults[key]} was the "
                                 "first); a server has one default SMTP certificate: export one "
                                 "server per file", source=source, where=where)
            defaults[key] = where
            raw = obj.get("RawData") if isinstance(obj, dict) else None
            value: Any = raw if raw is not None else InputError(
                "the X509Certificate2 object has no RawData", source=source, where=where)
            certificate, error = _certificate(value, source, f"{where}.RawData")
            parsed.servers.append(_server(name=name, dn=None, source=source, where=where,
                                          roles=[], fqdn=fqdn, version=None,
                                          certificate=certificate))
            if error is not None:
                parsed.errors.append(error)
        elif isinstance(obj, dict) and "DistinguishedName" in obj and (
                clixml.has_type(obj, AD_OBJECT_TYPE) or _field(obj, CERT_ATTRIBUTE) is not None):
            _add(parsed, lambda obj=obj, where=where: _server_from_adobject(
                dict(obj), source, where))
        else:
            kind = clixml.type_name(obj) or type(obj).__name__
            raise InputError(f"a {kind} object, not an Exchange certificate: expected an "
                             "X509Certificate2, Get-ExchangeCertificate output, or Get-ADObject "
                             f"output with {CERT_ATTRIBUTE}", source=source, where=where)
    for key, item in stores.items():
        if key in defaults:  # the same file holds the default certificate: fill its store
            match = next(s for s in parsed.servers if s["key"] == key and s is not item)
            match["store_certificates"] = item["store_certificates"]
            match["fqdn"] = match["fqdn"] or item["fqdn"]
        else:
            parsed.servers.append(item)
            parsed.store_only.add(key)
    return parsed


def _add_store_certificate(parsed: ParsedExport, stores: dict[str, dict], obj: dict,
                           source: str, where: str, server: str | None) -> None:
    """One Get-ExchangeCertificate object into its server's store."""
    details, detail_error = _exchange_certificate_details(obj, source, where)
    identity = _identity_server(obj.get("Identity")) or _identity_server(details.get("Identity"))
    name, fqdn = _server_named(identity, server, source, where)
    item = stores.get(name.lower())
    if item is None:
        message = (f"Get-ExchangeCertificate output lists the certificates of {name} but not which "
                   "one is its default SMTP certificate (msExchServerInternalTLSCert): import "
                   "that too (the collector, Get-ADObject, LDIF or an X509Certificate2 export)")
        item = _server(name=name, dn=None, source=source, where=where, roles=[], fqdn=fqdn,
                       version=None, certificate={"state": "error", "error": message})
        item["store_certificates"] = []
        stores[name.lower()] = item
    try:
        facts = certificate_facts(_raw_data(obj, source, where), source, f"{where}.RawData")
    except InputError as exc:
        parsed.errors.append(exc)
        return
    where = f"{where} ({facts['thumbprint_sha1']})"
    entry = {
        "Thumbprint": facts["thumbprint_sha1"],
        "FriendlyName": _first_present(obj.get("FriendlyName"), details.get("FriendlyName")),
        "Subject": facts["subject"],
        "Services": _first_present(obj.get("Services"), enum_value(details.get("Services"))),
        "Status": _first_present(obj.get("Status"), enum_value(details.get("Status"))),
        "NotAfter": facts["not_after"],
        "IsSelfSigned": _first_present(obj.get("IsSelfSigned"), details.get("SelfSigned"),
                                       facts["self_signed"]),
        "CertificateDomains": _first_present(obj.get("CertificateDomains"), facts["san_dns"]),
    }
    if detail_error is not None and (entry["Services"] is None or entry["Status"] is None):
        parsed.errors.append(InputError(detail_error.message, source=source,
                                        where=f"{where}.SerializationData"))
    item["store_certificates"].append(_store_certificate(entry, source, where, parsed.errors,
                                                         facts=facts))


def _exchange_certificate_details(obj: dict, source: str,
                                  where: str) -> tuple[dict, InputError | None]:
    """What only Exchange's SerializationData holds: Services, Status, SelfSigned, Identity and
    (inside CertData) the friendly name. An empty dict and the reason when it cannot be read."""
    blob = obj.get("SerializationData")
    if not isinstance(blob, bytes):
        return {}, InputError("Services and Status are not in the export (no SerializationData)",
                              source=source, where=where)
    try:
        details = read_serialization_data(blob, source, f"{where}.SerializationData")
        if not isinstance(details, NrbfObject):
            raise InputError("SerializationData holds no object", source=source, where=where)
        cert_data = details.get("CertData")
        if isinstance(cert_data, bytes):
            properties = store_element_properties(cert_data, source, f"{where}.CertData")
            details = NrbfObject(details.class_name,
                                 {**details, "FriendlyName": friendly_name(properties)})
        return details, None
    except InputError as exc:
        return {}, exc


def _raw_data(obj: dict, source: str, where: str) -> bytes:
    raw = obj.get("RawData")
    if not isinstance(raw, bytes):
        raise InputError("the certificate object has no RawData", source=source, where=where)
    return raw


def _identity_server(value: Any) -> str | None:
    """'EX01.contoso.com\\THUMBPRINT' (an ExchangeCertificate's Identity) -> 'EX01.contoso.com'."""
    text = getattr(value, "to_string", None) or value
    if not isinstance(text, str) or "\\" not in text:
        return None
    return text.split("\\", 1)[0].strip() or None


def _server_named(identity: str | None, option: str | None, source: str,
                  where: str) -> tuple[str, str | None]:
    """(name, fqdn) from the object's own identity, else --server, else the file name."""
    for candidate in (identity, option, _server_from_file_name(source)):
        if candidate and (_SERVER_NAME.match(candidate) or _SERVER_FQDN.match(candidate)):
            name = candidate.split(".", 1)[0]
            return name, candidate if "." in candidate else None
        if candidate and candidate is option:
            raise InputError(f"--server {option!r} is not a server name (a computer name of up "
                             "to 15 letters, digits and hyphens, or its FQDN)", source=source)
    raise InputError("the certificate names no server: give --server NAME, or name the file "
                     "after the server (EX01.xml, EX01.contoso.com.xml or EX01_anything.xml)",
                     source=source, where=where)


def _server_from_file_name(source: str) -> str | None:
    stem = Path(source).name
    for suffix in (".xml", ".clixml"):
        if stem.lower().endswith(suffix):
            stem = stem[:-len(suffix)]
    return stem.split("_", 1)[0] or None


def _first_present(*values: Any) -> Any:
    return next((value for value in values if value is not None and value != ""), None)


def _add(parsed: ParsedExport, build) -> None:
    """Build one server record; its failure is that record's error, not the file's."""
    server, error = build()
    parsed.servers.append(server)
    if error is not None:
        parsed.errors.append(error)


def _server_from_collector(obj: dict, source: str, where: str,
                           field_errors: list[DocgenError]) -> tuple[dict, InputError | None]:
    """One server of the collector's JSON; an unreadable field of a store entry goes to
    `field_errors` and the entry is kept."""
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
            _store_certificate(entry, source, f"{where}, ExchangeCertificates[{index}]",
                               field_errors)
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
        "web_host_names": None,
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


def _store_certificate(entry: Any, source: str, where: str,
                       errors: list[DocgenError] | None = None, facts: dict | None = None) -> dict:
    """One certificate of a server's store. With `errors`, an unreadable NotAfter or
    IsSelfSigned is that field's error there and the field is empty; without, it raises.

    The key and the signature come from the certificate itself: `facts` (already read), or
    the entry's RawData (base64 DER); an export without it leaves them empty (None)."""
    if not isinstance(entry, dict):
        raise InputError("certificate entry is not an object", source=source, where=where)

    def field_value(read, name: str) -> Any:
        try:
            return read(entry.get(name), source, f"{where}.{name}")
        except InputError as exc:
            if errors is None:
                raise
            errors.append(exc)
            return None

    if facts is None and entry.get("RawData") not in (None, ""):
        facts = _raw_facts(entry["RawData"], source, f"{where}.RawData", errors)
    not_after = field_value(ps.to_datetime, "NotAfter")
    not_before = field_value(ps.to_datetime, "NotBefore") if entry.get("NotBefore") else None
    return {
        "thumbprint": str(entry.get("Thumbprint") or "").upper(),
        "friendly_name": _text(entry.get("FriendlyName")),
        "subject": _text(entry.get("Subject")),
        "services": ps.enum_names(entry.get("Services"), ALLOWED_SERVICES_BITS),
        "status": ps.enum_name(entry.get("Status"), CERTIFICATE_STATUS),
        "not_after": iso_utc(not_after) if not_after else None,
        "self_signed": field_value(ps.to_bool, "IsSelfSigned"),
        "domains": [_domain_text(domain) for domain in ps.as_list(entry.get("CertificateDomains"))],
        "issuer": facts["issuer"] if facts else _text(entry.get("Issuer")),
        "not_before": facts["not_before"] if facts else (iso_utc(not_before) if not_before else None),
        "key_type": facts["key_type"] if facts else None,
        "key_size": facts["key_size"] if facts else None,
        "signature_hash": facts["signature_hash"] if facts else None,
    }


def _raw_facts(value: Any, source: str, where: str,
               errors: list[DocgenError] | None) -> dict | None:
    """The certificate's own facts from base64 DER; unreadable: that field's error."""
    try:
        der = value if isinstance(value, bytes) else ps.to_bytes(value, source, where)
        return certificate_facts(der, source, where)
    except InputError as exc:
        if errors is None:
            raise
        errors.append(exc)
        return None


def _domain_text(domain: Any) -> str:
    # Get-ExchangeCertificate gives SmtpDomainWithSubdomains objects when not stringified.
    if isinstance(domain, dict):
        return str(domain.get("Address") or domain.get("Domain") or domain)
    return str(domain)


def _merge_server(servers: dict[str, dict], server: dict, errors: list[DocgenError],
                  store_only: dict[str, str], only_store: bool = False) -> None:
    """The same server in two exports: keep the first, flag a conflicting second.

    A server listed only with its certificate store (`only_store`: Get-ExchangeCertificate,
    Export-ExchangeConfig) gives way to a record of the same server that has its default
    certificate. What one record lacks (the store, the FQDN, the client host names) the
    other fills.
    """
    key = server["key"]
    existing = servers.get(key)
    if existing is None:
        servers[key] = server
        if only_store:
            store_only[key] = server["source"]["file"]
        return
    if only_store:
        _fill(existing, server)
        return
    if key in store_only:
        del store_only[key]
        _fill(server, existing)
        servers[key] = server
        return
    if _thumbprint(existing) != _thumbprint(server):
        errors.append(InputError(
            f"server {server['name']} is also in {existing['source']['file']} with a different "
            f"certificate; kept that one", source=server["source"]["file"],
            where=server["source"]["where"]))
    _fill(existing, server)


def _fill(target: dict, other: dict) -> None:
    """The fields `target` has not read, from `other` (the same server in another export)."""
    for name in ("store_certificates", "web_host_names", "fqdn", "version"):
        if target.get(name) is None and other.get(name) is not None:
            target[name] = other[name]
    if not _store_has_keys(target["store_certificates"]) and _store_has_keys(other["store_certificates"]):
        target["store_certificates"] = other["store_certificates"]  # the one read with RawData
    if not target["roles"]:
        target["roles"] = other["roles"]


KEY_FACTS = ("issuer", "not_before", "key_type", "key_size", "signature_hash")


def _with_default_facts(server: dict) -> dict:
    """A store entry read without RawData (Export-ExchangeCertificates.ps1's JSON) that is the
    server's default SMTP certificate takes that certificate's own facts (its key, signature,
    issuer and start), read from msExchServerInternalTLSCert."""
    default = server["default_smtp_certificate"]
    if default["state"] != "present":
        return server
    for entry in server["store_certificates"] or []:
        if entry["thumbprint"] == default["thumbprint_sha1"] and not entry.get("key_type"):
            entry.update({name: default[name] for name in KEY_FACTS})
    return server


def _store_has_keys(store: list[dict] | None) -> bool:
    return any(entry.get("key_type") for entry in store or [])


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
