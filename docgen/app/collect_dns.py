"""The `docgen collect dns` use case: from options to the dkim and mail_auth sections."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docgen.app.bundles import bundle_with_sections
from docgen.areas import AREAS
from docgen.areas.dkim import source as dkim
from docgen.areas.dkim.source import DkimExport, read_dkim_export
from docgen.areas.mail_auth import source as mailauth
from docgen.bundle import save_bundle
from docgen.bundle.result import SourceResult
from docgen.core.dates import utc_now
from docgen.core.errors import DocgenError, InputError, UsageProblem
from docgen.core.memory import collector_paused
from docgen.dns.client import (
    LookupClient,
    Nameserver,
    NetworkTransport,
    ResolverSettings,
    Transport,
    ZoneTransport,
    resolver_words,
    system_nameservers,
)
from docgen.dns.collect import DnsCollection, collect_dns
from docgen.dns.domains import merge_domains, read_domains_file
from docgen.readers.inputs import read_input
from docgen.readers.zones import load_zone_files


@dataclasses.dataclass(frozen=True)
class SettingNames:
    """How the user changes what a message asks for, where the run came from.

    `docgen collect dns` names its options (these defaults); `docgen build` names
    docgen.toml's [dns] keys. Each is the phrase after "give".
    """

    nameservers: str = "--nameserver"
    nameservers_or_zone_files: str = "--nameserver or --zone-file"
    domains: str = "--dkim-config, --domain or --domains-file"
    # what contradicting settings are: a usage error on the command line (exit 2)
    contradiction: type[DocgenError] = UsageProblem


@dataclasses.dataclass(frozen=True)
class DnsRequest:
    """What to look up, and how. `domains` are already normalised."""

    dkim_config: Path | None = None
    domains: tuple[str, ...] = ()
    domains_file: Path | None = None
    nameservers: tuple[Nameserver, ...] = ()
    zone_files: tuple[Path, ...] = ()
    settings: ResolverSettings = ResolverSettings()
    fetch_mta_sts_policy: bool = False   # the only HTTP docgen makes
    # Fixed only where a run must be repeatable (the demo); else the moment of the lookups.
    collected_at: datetime | None = None
    names: SettingNames = SettingNames()


@dataclasses.dataclass(frozen=True)
class PreparedDns:
    """Everything read and checked before the first lookup."""

    domains: list[str]
    export: DkimExport | None
    client: LookupClient
    mail_inputs: list[dict]
    dkim_inputs: list[dict]
    collected_at: datetime
    options: mailauth.MailAuthOptions


def prepare_dns(request: DnsRequest) -> PreparedDns:
    """Read the inputs; every problem with them is raised before any lookup."""
    if request.nameservers and request.zone_files:
        raise request.names.contradiction(f"give {request.names.nameservers_or_zone_files}, not both")
    export = _read_export(request.dkim_config)
    file_domains: list[str] = []
    mail_inputs: list[dict] = []
    if request.domains_file is not None:
        file_domains, record = read_domains_file(request.domains_file, mailauth.SECTION)
        mail_inputs.append(record)
    domains = merge_domains(export.domains if export else [], request.domains, file_domains)
    if not domains:
        raise DocgenError(f"no domains to look up: give {request.names.domains}")
    # Recorded (and held to the input limit) before a zone file is parsed.
    zone_records = [read_input(path, mailauth.SECTION)[1] for path in request.zone_files]
    transport = _transport(request)
    dkim_inputs = (export.inputs if export else []) + [
        {**record, "section": dkim.SECTION} for record in zone_records]
    return PreparedDns(domains=domains, export=export,
                       client=LookupClient(transport, request.settings),
                       mail_inputs=mail_inputs + zone_records, dkim_inputs=dkim_inputs,
                       collected_at=request.collected_at or utc_now(),
                       options=mailauth.MailAuthOptions(fetch_mta_sts_policy=request.fetch_mta_sts_policy))


def run_dns(prepared: PreparedDns,
            advance: Callable[[], None] = lambda: None) -> DnsCollection:
    """Every lookup, both sections. Ctrl-C propagates; nothing is written here."""
    return collect_dns(prepared.domains, prepared.client, collected_at=prepared.collected_at,
                       export=prepared.export, options=prepared.options,
                       mail_inputs=prepared.mail_inputs, dkim_inputs=prepared.dkim_inputs,
                       advance=advance)


def _read_export(path: Path | None) -> DkimExport | None:
    if path is None:
        return None
    export = read_dkim_export(path)
    if not export.configs and not export.accepted_domains and export.errors:
        first = export.errors[0]
        raise InputError(f"nothing usable in the DKIM export: {first.message}",
                         source=first.source, where=first.where)
    return export


def _transport(request: DnsRequest) -> Transport:
    if request.zone_files:
        served = load_zone_files(request.zone_files)
        return ZoneTransport(served, [path.name for path in request.zone_files])
    nameservers = list(request.nameservers) or system_nameservers()
    if not nameservers:
        raise DocgenError(f"no nameserver configured on this machine: give {request.names.nameservers}")
    return NetworkTransport(nameservers)


def area_lookups(results: list[SourceResult], request: DnsRequest) -> list[SourceResult]:
    """Each result whose area looks names up (Area.dns_lookups, e.g. Autodiscover for the
    accepted domains), with what it found; the others as they were. No nameserver to ask
    is an error of each such section, not a failed build."""
    areas = {area.name: area.dns_lookups for area in AREAS if area.dns_lookups is not None}
    if not any(result.section in areas for result in results):
        return results
    try:
        client = LookupClient(_transport(request), request.settings)
    except DocgenError as exc:
        return [dataclasses.replace(result, errors=[*result.errors, DocgenError(
                    f"DNS lookups not made: {exc.message}", source="dns")])
                if result.section in areas else result for result in results]
    try:
        return [areas[result.section](result, client) if result.section in areas else result
                for result in results]
    finally:
        client.close()


DEMO_EXPORT = "contoso-dkim-collector.json"


def demo_dns_request(folder: Path) -> DnsRequest:
    """The demo's DNS: the sample export's domains, answered from the sample zone files."""
    export_path = folder / DEMO_EXPORT
    return DnsRequest(dkim_config=export_path,
                      zone_files=tuple(sorted((folder / "zones").glob("*.zone"))),
                      collected_at=read_dkim_export(export_path).collected_at)


def demo_dns_sections(request: DnsRequest) -> list:
    """The demo's dkim and mail_auth sections."""
    collection = run_dns(prepare_dns(request))
    return [collection.dkim, collection.mail_auth]


@dataclasses.dataclass(frozen=True)
class DnsOutcome:
    bundle_path: Path
    sections: list[tuple[str, int, str]]     # name, domains, status
    queries_sent: int
    errors: list[DocgenError]
    resolver: str = ""      # where the answers came from (resolver_words), for the console


def collect_into_bundle(prepared: PreparedDns, bundle_path: Path, organization: str | None,
                        advance: Callable[[], None] = lambda: None) -> DnsOutcome:
    """Every lookup, then both sections into the bundle file (all or nothing)."""
    # The collector stays paused until the bundle is written: re-enabled at once, it
    # would first rescan every answer of the run only to find nothing to free.
    with collector_paused():
        collection = run_dns(prepared, advance)
        results = [result for result in (collection.dkim, collection.mail_auth) if result]
        bundle = bundle_with_sections(bundle_path, results, organization)
        save_bundle(bundle_path, bundle)
    return DnsOutcome(
        bundle_path,
        [(result.section, len(result.items), bundle["sections"][result.section]["status"])
         for result in results],
        collection.queries_sent, [error for result in results for error in result.errors],
        resolver_words(prepared.client.describe()))
