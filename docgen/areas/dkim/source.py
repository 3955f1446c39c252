"""DKIM signing in Exchange Online: the signing configuration, and what DNS says.

Exchange Online signs each domain's mail with one of two selectors. The
customer publishes ``selector1._domainkey.<domain>`` and
``selector2._domainkey.<domain>`` as CNAMEs to targets Microsoft hosts
(``Selector1CNAME``/``Selector2CNAME``), where Microsoft publishes the key.
Which selector signs right now follows from ``RotateOnDate``: before it,
``SelectorBeforeRotateOnDate``; from then on, ``SelectorAfterRotateOnDate``.

Two export forms reach us: the JSON of collectors/Export-DkimSigningConfig.ps1,
and raw ``Get-DkimSigningConfig | ConvertTo-Json`` (Windows PowerShell 5.1:
UTF-16 LE with a BOM, "/Date(ms)/" dates, a single object for one domain).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.areas.dkim.record import choose_key_record, parse_dkim_record
from docgen.core.dates import iso_utc
from docgen.core.errors import DocgenError, InputError
from docgen.dns.client import Lookup, LookupClient, normalize_name
from docgen.dns.domains import normalize_domain
from docgen.readers import powershell as ps
from docgen.readers import scubagear
from docgen.readers.inputs import read_input

SECTION = "dkim"
SELECTORS = ("selector1", "selector2")


@dataclasses.dataclass(frozen=True)
class DkimConfig:
    """One domain's signing configuration, as exported."""

    domain: str
    enabled: bool | None
    status: str | None
    cnames: dict[str, str | None]        # selector -> configured CNAME target
    key_sizes: dict[str, int | None]     # selector -> Selector<N>KeySize
    public_keys: dict[str, str | None]   # selector -> Selector<N>PublicKey (a key record)
    rotate_on_date: datetime | None
    selector_before_rotate: str | None
    selector_after_rotate: str | None
    key_creation_time: datetime | None
    last_checked: datetime | None
    source: dict
    # Export fields that were present but could not be read (each is also an error).
    unreadable: tuple[str, ...] = ()

    def to_record(self) -> dict:
        return {
            "enabled": self.enabled,
            "status": self.status,
            "selector1_cname": self.cnames["selector1"],
            "selector2_cname": self.cnames["selector2"],
            "selector1_key_size": self.key_sizes["selector1"],
            "selector2_key_size": self.key_sizes["selector2"],
            "rotate_on_date": _iso(self.rotate_on_date),
            "selector_before_rotate": self.selector_before_rotate,
            "selector_after_rotate": self.selector_after_rotate,
            "key_creation_time": _iso(self.key_creation_time),
            "last_checked": _iso(self.last_checked),
        }


@dataclasses.dataclass
class DkimExport:
    """What one export file holds."""

    configs: list[DkimConfig] = dataclasses.field(default_factory=list)
    accepted_domains: list[str] = dataclasses.field(default_factory=list)
    errors: list[DocgenError] = dataclasses.field(default_factory=list)
    collected_at: datetime | None = None
    organization: str | None = None
    inputs: list[dict] = dataclasses.field(default_factory=list)
    from_scubagear: bool = False      # a ScubaGear export, which other areas read too

    @property
    def domains(self) -> list[str]:
        return sorted({config.domain for config in self.configs} | set(self.accepted_domains))


def read_dkim_export(path: Path) -> DkimExport:
    """Read an export; a bad record is an error of that record, not of the file."""
    data, record = read_input(path, SECTION)
    export = parse_dkim_export(data, record["name"])
    export.inputs.append(record)
    return export


def parse_dkim_export(data: bytes, source: str) -> DkimExport:
    document = ps.load_json(data, source)
    export = DkimExport()
    if isinstance(document, dict) and "DkimSigningConfig" in document:
        export.collected_at = ps.to_datetime(document.get("CollectedAt"), source, "CollectedAt")
        export.organization = _text(document.get("Organization"))
        export.accepted_domains = _accepted_domains(document.get("AcceptedDomains"), source,
                                                    export.errors, "AcceptedDomains")
        export.errors.extend(InputError(f"the collector reported: {message}", source=source)
                             for message in ps.as_list(document.get("Errors")))
        objects = ps.as_list(document.get("DkimSigningConfig"))
        prefix = "DkimSigningConfig"
    elif scubagear.is_export(document):
        # ScubaGear's Get-DkimSigningConfig and Get-AcceptedDomain, as it wrote them
        export.from_scubagear = True
        export.collected_at = scubagear.collected_at(document, source)
        export.organization = scubagear.organization(document)
        export.accepted_domains = _accepted_domains(document.get("accepted_domains"), source,
                                                    export.errors, "accepted_domains")
        objects, prefix = ps.as_list(document.get("dkim_config")), "dkim_config"
    else:
        objects, prefix = ps.as_list(document), "object"
        if not objects or not isinstance(objects[0], dict) or "Domain" not in objects[0]:
            raise InputError("not a Get-DkimSigningConfig export (no object with a Domain)",
                             source=source)
    seen: set[str] = set()
    for index, obj in enumerate(objects, start=1):
        where = f"{prefix}[{index}]" if prefix != "object" else f"object {index}"
        field_errors: list[DocgenError] = []
        try:
            config = _config(obj, source, where, field_errors)
        except InputError as exc:
            export.errors.append(exc)
            continue
        if config.domain in seen:
            export.errors.append(InputError(f"{config.domain} appears twice; kept the first",
                                            source=source, where=where))
            continue
        seen.add(config.domain)
        export.configs.append(config)
        export.errors.extend(field_errors)
    return export


def _accepted_domains(value: Any, source: str, errors: list[DocgenError], label: str) -> list[str]:
    domains = []
    for index, entry in enumerate(ps.as_list(value), start=1):
        name = entry.get("DomainName") if isinstance(entry, dict) else entry
        try:
            domains.append(normalize_domain(str(name or "")))
        except ValueError as exc:
            errors.append(InputError(f"accepted domain {name!r}: {exc}", source=source,
                                     where=f"{label}[{index}]"))
    return domains


def _config(obj: Any, source: str, where: str, errors: list[DocgenError]) -> DkimConfig:
    """One row. Without a readable Domain the row has no key and is refused (InputError);
    any other unreadable field is that field's error in `errors`, and the row is kept
    with the field empty."""
    if not isinstance(obj, dict):
        raise InputError("entry is not an object", source=source, where=where)
    try:
        domain = normalize_domain(str(obj.get("Domain") or ""))
    except ValueError as exc:
        raise InputError(f"Domain {obj.get('Domain')!r}: {exc}", source=source,
                         where=where) from None
    where = f"{where} ({domain})"

    unreadable: list[str] = []

    def field(read: Callable[[Any, str, str], Any], name: str, label: str | None = None) -> Any:
        try:
            return read(obj.get(name), source, f"{where}.{label or name}")
        except InputError as exc:
            errors.append(exc)
            unreadable.append(name)
            return None

    config = DkimConfig(
        domain=domain,
        enabled=field(ps.to_bool, "Enabled"),
        status=ps.enum_name(obj.get("Status"), {}),
        cnames={s: _target(obj.get(f"{s.capitalize()}CNAME")) for s in SELECTORS},
        key_sizes={s: field(_int, f"{s.capitalize()}KeySize", f"{s}KeySize") for s in SELECTORS},
        public_keys={s: _text(obj.get(f"{s.capitalize()}PublicKey")) for s in SELECTORS},
        rotate_on_date=field(ps.to_datetime, "RotateOnDate"),
        selector_before_rotate=_selector(obj.get("SelectorBeforeRotateOnDate")),
        selector_after_rotate=_selector(obj.get("SelectorAfterRotateOnDate")),
        key_creation_time=field(ps.to_datetime, "KeyCreationTime"),
        last_checked=field(ps.to_datetime, "LastChecked"),
        source={"file": source, "where": where},
    )
    return dataclasses.replace(config, unreadable=tuple(unreadable))


def active_selector(config: DkimConfig, at: datetime) -> tuple[str | None, str]:
    """The selector that signs at `at`, and why (judged at collection, never today)."""
    if config.rotate_on_date is None and "RotateOnDate" in config.unreadable:
        before, after = config.selector_before_rotate, config.selector_after_rotate
        if before and before == after:
            return _known(before), ("RotateOnDate could not be read; the same selector "
                                    "applies before and after it")
        return None, "RotateOnDate could not be read, so which selector signs is not known"
    if config.rotate_on_date is None:
        chosen = config.selector_after_rotate or config.selector_before_rotate
        return _known(chosen), "no RotateOnDate in the export: the selector after rotation"
    stamp, moment = iso_utc(config.rotate_on_date), iso_utc(at)
    if config.rotate_on_date > at:
        return (_known(config.selector_before_rotate),
                f"RotateOnDate {stamp} is after the collection time {moment}: "
                "SelectorBeforeRotateOnDate applies")
    return (_known(config.selector_after_rotate),
            f"RotateOnDate {stamp} had passed at the collection time {moment}: "
            "SelectorAfterRotateOnDate applies")


# -- DNS facts ---------------------------------------------------------------

def collect_dkim_domain(domain: str, config: DkimConfig | None, client: LookupClient,
                        at: datetime) -> tuple[dict, list[Lookup]]:
    """One domain's DKIM item, and the lookups that failed on the way."""
    item: dict = {"key": domain, "domain": domain, "config": None, "source": None,
                  "active_selector": None, "active_selector_reason": "", "selectors": []}
    if config is None:
        item["active_selector_reason"] = "no DKIM signing configuration for this domain"
        return item, []
    active, reason = active_selector(config, at)
    item.update(config=config.to_record(), source=config.source, active_selector=active,
                active_selector_reason=reason)
    item["selectors"] = [_selector_facts(domain, selector, selector == active, config, client)
                         for selector in SELECTORS]
    failed = [lookup for facts in item["selectors"] for lookup in facts.pop("_lookups")
              if lookup.failed]
    return item, failed


def first_questions(domain: str) -> list[tuple[str, str]]:
    """What collect_dkim_domain asks first for a configured domain, before any answer."""
    return [(f"{selector}._domainkey.{domain}", "CNAME") for selector in SELECTORS]


def _selector_facts(domain: str, selector: str, active: bool, config: DkimConfig,
                    client: LookupClient) -> dict:
    name = f"{selector}._domainkey.{domain}"
    configured = config.cnames[selector]
    cname = client.lookup(name, "CNAME")
    published = normalize_name(cname.records[0]) if cname.outcome == "noerror" else None
    key_target = configured or published
    key_lookup = client.lookup(key_target, "TXT") if key_target else None
    # What receivers see when the domain points somewhere else than configured.
    elsewhere = published is not None and configured is not None and published != configured
    published_key_lookup = client.lookup(published, "TXT") if elsewhere and published is not None else None
    key_record, key, key_problem = _key(key_lookup)
    configured_key = config.public_keys[selector]
    configured_parsed = parse_dkim_record(configured_key) if configured_key else None
    lookups = [lookup for lookup in (cname, key_lookup, published_key_lookup) if lookup]
    return {
        "selector": selector,
        "active": active,
        "name": name,
        "configured_target": configured,
        "configured_key_size": config.key_sizes[selector],
        "configured_key_record": configured_key,
        "configured_key": configured_parsed,
        "cname_lookup": cname.to_record(),
        "published_target": published,
        "cname_state": _cname_state(cname, configured, published),
        "key_lookup": key_lookup.to_record() if key_lookup else None,
        "published_key_lookup": published_key_lookup.to_record() if published_key_lookup else None,
        "key_record": key_record,
        "key": key,
        "key_problem": key_problem,
        "key_state": _key_state(key_lookup, key, key_problem),
        "key_matches_config": _same_key(key, configured_parsed),
        "_lookups": lookups,
    }


def _key(lookup: Lookup | None) -> tuple[str | None, dict | None, str | None]:
    if lookup is None or lookup.outcome != "noerror":
        return None, None, None
    record, problem = choose_key_record(list(lookup.records))
    return record, parse_dkim_record(record) if record is not None else None, problem


def _cname_state(cname: Lookup, configured: str | None, published: str | None) -> str:
    if cname.failed:
        return "unverified"
    if published is None:
        return "missing"
    if configured is None:
        return "not_configured"
    return "matches" if published == configured else "elsewhere"


def _key_state(lookup: Lookup | None, key: dict | None, problem: str | None) -> str:
    if lookup is None:
        return "no_target"
    if lookup.failed:
        return "unverified"
    if lookup.outcome in ("nxdomain", "nodata"):
        return "no_key"
    if problem is not None or key is None or not key["valid"]:
        return "invalid"
    return "revoked" if key["revoked"] else "ok"


def _same_key(dns_key: dict | None, configured: dict | None) -> bool | None:
    if not dns_key or not configured or not configured.get("public_key_sha256"):
        return None
    return dns_key.get("public_key_sha256") == configured["public_key_sha256"]


# -- small readers -------------------------------------------------------------

def _target(value: Any) -> str | None:
    text = _text(value)
    return normalize_name(text) if text else None


def _selector(value: Any) -> str | None:
    text = _text(value)
    return text.lower() if text else None


def _known(selector: str | None) -> str | None:
    return selector if selector in SELECTORS else None


def _int(value: Any, source: str, where: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(f"not a number: {value!r}", source=source, where=where) from None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _iso(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None
