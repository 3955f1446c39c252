"""Autodiscover in DNS for each accepted domain: `autodiscover.<domain>` (A, through any
CNAME) and `_autodiscover._tcp.<domain>` (SRV), asked through docgen's DNS client.

`docgen build` and the demo add this to the exchange_servers section when DNS is part
of the run; `docgen import exchange-servers` does not look anything up, and the section
then says so (`autodiscover` is null). A lookup that failed (timeout, SERVFAIL, refused)
is recorded as an error of the section, never as "no record".
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from docgen.bundle.result import SourceResult
from docgen.core.errors import DocgenError

if TYPE_CHECKING:  # dnspython costs 0.17 s to import; rendering the findings needs none of it
    from docgen.dns.client import Lookup, LookupClient

ERROR_SOURCE = "dns"
# Domains no customer publishes Autodiscover for: Microsoft's own routing domains.
_MICROSOFT_SUFFIXES = (".onmicrosoft.com", ".mail.onmicrosoft.com")


def autodiscover_domains(extra: dict) -> list[str]:
    """The accepted domains (Get-AcceptedDomain), else the hybrid domains: lower case,
    without wildcards and Microsoft's onmicrosoft.com routing domains."""
    accepted = extra.get("accepted_domains")
    names = ([entry["domain"] for entry in accepted] if accepted is not None
             else list(extra.get("hybrid", {}).get("domains", [])))
    wanted = {name.lower().rstrip(".") for name in names
              if "*" not in name and not name.lower().endswith(_MICROSOFT_SUFFIXES)}
    return sorted(wanted)


def host_name(domain: str) -> str:
    return f"autodiscover.{domain}"


def srv_name(domain: str) -> str:
    return f"_autodiscover._tcp.{domain}"


def domain_record(domain: str, host: Lookup, srv: Lookup) -> dict:
    """One domain's answer: `found` (either name answers), `missing` (both say there is
    nothing), or `failed` (no answer either way, so nothing can be said)."""
    found = [lookup for lookup in (host, srv) if lookup.outcome == "noerror" and lookup.records]
    if found:
        state = "found"
    elif host.failed or srv.failed:
        state = "failed"
    else:
        state = "missing"
    return {"key": domain, "domain": domain, "state": state,
            "host": host.to_record(), "srv": srv.to_record(), "evidence": evidence(host, srv)}


def evidence(host: Lookup, srv: Lookup) -> str:
    return "; ".join(_describe(lookup) for lookup in (host, srv))


def _describe(lookup: Lookup) -> str:
    label = f"{lookup.name} {lookup.rdtype}"
    if lookup.outcome == "noerror" and lookup.records:
        via = f" via CNAME {' -> '.join(lookup.cname_chain)}" if lookup.cname_chain else ""
        return f"{label}{via}: {', '.join(lookup.records)}"
    words = {"nxdomain": "no such name", "nodata": "no record of this type", "noerror": "no record"}
    return f"{label}: {words.get(lookup.outcome) or lookup.outcome}" + (
        f" ({lookup.error})" if lookup.error else "")


def look_up_domain(domain: str, client: LookupClient) -> dict:
    return domain_record(domain, client.lookup(host_name(domain), "A"),
                         client.lookup(srv_name(domain), "SRV"))


def add_autodiscover(result: SourceResult, client: LookupClient) -> SourceResult:
    """The section with `autodiscover` filled in from DNS; a failed lookup is a section error."""
    domains = autodiscover_domains(result.extra)
    workers = max(1, min(client.settings.concurrency, len(domains)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgen-autodiscover") as pool:
        records = list(pool.map(lambda domain: look_up_domain(domain, client), domains))
    errors = [DocgenError(f"Autodiscover for {record['domain']} could not be looked up: "
                          f"{record['evidence']}", source=ERROR_SOURCE, where=record["domain"])
              for record in records if record["state"] == "failed"]
    extra = {**result.extra, "autodiscover": {"resolver": client.describe(), "domains": records}}
    return dataclasses.replace(result, extra=extra, errors=[*result.errors, *errors])
