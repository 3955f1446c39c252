"""Collecting DKIM and mail-authentication facts for many domains at once.

Each domain is one unit of work (its DKIM selectors, then its DMARC, SPF, MX,
MTA-STS, TLS-RPT and BIMI records); up to `concurrency` units run at once on
threads, since the work is waiting for answers. A unit first asks, all at the
same time, the questions whose names it knows before any answer (the selector
CNAMEs and each record's own name), then works through the answers in order:
where one answer feeds the next question (a CNAME, then the TXT at its target;
an SPF record, then its includes) that order is kept. So a domain whose
nameservers never answer costs one timeout round, not one per record; up to
`concurrency` x FIRST_QUESTIONS queries can be in flight.

All units ask one LookupClient, so shared names are asked once and the run's
deadline applies to every lookup: at the deadline the remaining lookups end as
`not_attempted` and the units finish quickly with what they have, so the
sections are always complete. Ctrl-C stops the client and re-raises: the caller
writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime

from docgen.areas.dkim import source as dkim_source
from docgen.areas.dkim.source import DkimConfig, DkimExport
from docgen.areas.mail_auth import source as mailauth
from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.bundle.result import SourceResult
from docgen.core.errors import DocgenError
from docgen.core.memory import collector_paused
from docgen.dns.client import UNREACHABLE, Lookup, LookupClient

ERROR_SOURCE = "dns"
#: The most questions a unit asks before its first answer (see first_questions).
FIRST_QUESTIONS = len(dkim_source.SELECTORS) + len(mailauth.RECORD_KINDS)
_OUTCOME_WORDS = {"timeout": "timed out", "servfail": "answered SERVFAIL",
                  "refused": "was refused", "error": "failed",
                  "not_attempted": "was not attempted before the deadline"}


@dataclasses.dataclass(frozen=True)
class DomainFacts:
    """What one unit found for one domain."""

    dkim: dict | None
    dkim_failed: list[Lookup]
    mail_auth: dict


@dataclasses.dataclass(frozen=True)
class DnsCollection:
    """Both sections of one run, and how many queries it sent."""

    dkim: SourceResult | None
    mail_auth: SourceResult
    queries_sent: int


def collect_dns(domains: list[str], client: LookupClient, *, collected_at: datetime,
                export: DkimExport | None = None,
                options: mailauth.MailAuthOptions = mailauth.MailAuthOptions(),
                mail_inputs: list[dict] | None = None, dkim_inputs: list[dict] | None = None,
                advance: Callable[[], None] = lambda: None) -> DnsCollection:
    """Look up every domain; `advance` is called once per finished domain.

    The inputs are the `inputs` records of each section (default: the export's
    for dkim, none for mail_auth).
    """
    mailauth.reset_checkdmarc_state()
    configs = {config.domain: config for config in export.configs} if export else {}

    # the first questions of every unit at work: asked at the same time
    asking = ThreadPoolExecutor(
        max_workers=max(1, min(client.settings.concurrency, len(domains))) * FIRST_QUESTIONS,
        thread_name_prefix="docgen-dns-ask")

    def unit(domain: str) -> DomainFacts:
        config, with_dkim = configs.get(domain), export is not None
        for name, rdtype in first_questions(domain, config, options, with_dkim=with_dkim):
            asking.submit(client.lookup, name, rdtype)
        # asks them too, in its order: it waits for an answer already on its way, or asks
        # first itself (the client asks each question once)
        return collect_domain(domain, config, client, collected_at, options,
                              with_dkim=with_dkim)

    try:
        with collector_paused():
            facts = run_units(domains, unit, client, advance)
    except BaseException:
        asking.shutdown(wait=False, cancel_futures=True)  # as run_units does with its units
        raise
    asking.shutdown()  # every question is answered before the sections are made
    dkim = None
    if export is not None:
        dkim = _dkim_result(facts, export, client, collected_at,
                            export.inputs if dkim_inputs is None else dkim_inputs)
    mail_auth = _mail_auth_result(facts, client, collected_at, options, mail_inputs or [], export)
    client.close()
    return DnsCollection(dkim=dkim, mail_auth=mail_auth, queries_sent=client.queries_sent)


def first_questions(domain: str, config: DkimConfig | None, options: mailauth.MailAuthOptions,
                    *, with_dkim: bool) -> list[tuple[str, str]]:
    """(name, type) of what collect_domain asks whatever the answers: the selector CNAMEs
    (when the domain has a signing configuration) and the name of each kind of record."""
    questions = dkim_source.first_questions(domain) if with_dkim and config is not None else []
    return questions + mailauth.first_questions(domain, options)


def collect_domain(domain: str, config: DkimConfig | None, client: LookupClient,
                   at: datetime, options: mailauth.MailAuthOptions, *,
                   with_dkim: bool) -> DomainFacts:
    dkim_item, dkim_failed = (dkim_source.collect_dkim_domain(domain, config, client, at)
                              if with_dkim else (None, []))
    mail_item = mailauth.collect_mail_auth_domain(domain, client, options)
    return DomainFacts(dkim_item, dkim_failed, mail_item)


def run_units(domains: list[str], unit: Callable[[str], DomainFacts], client: LookupClient,
              advance: Callable[[], None]) -> dict[str, DomainFacts]:
    """Run one unit per domain, at most `concurrency` at once."""
    workers = max(1, min(client.settings.concurrency, len(domains)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgen-dns")
    results: dict[str, DomainFacts] = {}
    try:
        futures = {pool.submit(unit, domain): domain for domain in domains}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            advance()
    except BaseException:
        # Ctrl-C (or a bug): unstarted units are dropped, running ones stop asking.
        client.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _dkim_result(facts: dict[str, DomainFacts], export: DkimExport, client: LookupClient,
                 collected_at: datetime, inputs: list[dict]) -> SourceResult:
    items: list[dict] = []
    for domain in sorted(facts):
        item = facts[domain].dkim
        assert item is not None   # the units collected DKIM: there is an export
        items.append(item)
    errors = list(export.errors) + [
        _lookup_error(domain, "DKIM", facts[domain].dkim_failed)
        for domain in sorted(facts) if facts[domain].dkim_failed]
    return SourceResult(section=dkim_source.SECTION, collected_at=collected_at, items=items,
                        errors=errors, inputs=list(inputs),
                        extra={"resolver": client.describe()},
                        organization=export.organization)


def _mail_auth_result(facts: dict[str, DomainFacts], client: LookupClient,
                      collected_at: datetime, options: mailauth.MailAuthOptions,
                      inputs: list[dict], export: DkimExport | None) -> SourceResult:
    items = [facts[domain].mail_auth for domain in sorted(facts)]
    errors = [_kinds_error(item) for item in items if _unverified_kinds(item)]
    embedded = _embedded_lookups(facts.values())
    other = [lookup.to_record() for lookup in client.lookups()
             if (lookup.name, lookup.rdtype) not in embedded]
    extra = {"resolver": client.describe(),
             "options": {"fetch_mta_sts_policy": options.fetch_mta_sts_policy,
                         "bimi_selector": options.bimi_selector},
             "checkdmarc_version": mailauth.CHECKDMARC_VERSION,
             "other_lookups": other}
    return SourceResult(section=mailauth.SECTION, collected_at=collected_at, items=items,
                        errors=errors, inputs=inputs, extra=extra,
                        organization=export.organization if export else None)


def _unverified_kinds(item: dict) -> list[str]:
    return [kind for kind in KIND_TITLES
            if item[kind]["state"] == "unverified" or item[kind]["failed_lookups"]]


def _kinds_error(item: dict) -> DocgenError:
    kinds = _unverified_kinds(item)
    failed = [item[kind]["lookup"] for kind in kinds if item[kind]["state"] == "unverified"
              and item[kind]["lookup"]["outcome"] in _OUTCOME_WORDS]
    failed += [lookup for kind in kinds for lookup in item[kind]["failed_lookups"]]
    titles = ", ".join(KIND_TITLES[kind] for kind in kinds)
    return DocgenError(f"could not verify {titles} ({_describe(failed)})",
                       source=ERROR_SOURCE, where=item["domain"])


def _lookup_error(domain: str, what: str, failed: list[Lookup]) -> DocgenError:
    described = _describe([lookup.to_record() for lookup in failed])
    return DocgenError(f"could not verify {what} ({described})", source=ERROR_SOURCE,
                       where=domain)


def _describe(lookups: list[dict]) -> str:
    unique = list(dict.fromkeys(f"{lookup['name']} {lookup['type']} {_failure_words(lookup)}"
                                for lookup in lookups))
    shown = "; ".join(unique[:3])
    return shown + (f"; and {len(unique) - 3} more" if len(unique) > 3 else "")


def _failure_words(lookup: dict) -> str:
    """'timed out', 'was refused', ...; a nameserver that refused the connection says so with
    its address (a REFUSED answer and an unreachable server share the outcome)."""
    if lookup["outcome"] == "refused" and UNREACHABLE in (lookup["error"] or ""):
        return f"refused/unreachable ({lookup['error']})"
    return _OUTCOME_WORDS.get(lookup["outcome"], lookup["outcome"])


def _embedded_lookups(all_facts) -> set[tuple[str, str]]:
    """(name, type) of every lookup already stored inside an item."""
    keys: set[tuple[str, str]] = set()
    for facts in all_facts:
        for selector in (facts.dkim or {}).get("selectors", []):
            for field in ("cname_lookup", "key_lookup", "published_key_lookup"):
                if selector[field]:
                    keys.add((selector[field]["name"], selector[field]["type"]))
        for kind in KIND_TITLES:
            entry = facts.mail_auth[kind]
            for lookup in [entry["lookup"], *entry["failed_lookups"]]:
                keys.add((lookup["name"], lookup["type"]))
    return keys

