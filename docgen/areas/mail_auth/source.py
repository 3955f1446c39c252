"""Mail authentication per domain: DMARC, SPF, MX, MTA-STS, TLS-RPT and BIMI.

checkdmarc parses and validates every record (SPF lookup counting, DMARC tag
validation, report destination authorisation, ...); docgen does not
re-implement those RFCs. What docgen adds is how the lookups are made and
recorded: checkdmarc asks docgen's LookupClient (through ClientResolver), so
every question has a recorded outcome, and a timeout or SERVFAIL makes a record
"unverified", never "missing".

For each kind of record the item keeps the primary lookup (for example TXT at
``_dmarc.<domain>``), the raw records found there (also when invalid),
checkdmarc's parsed result or its error and warnings, and the lookups that
failed while checkdmarc evaluated it. No HTTP is made: the MTA-STS policy is
fetched only when asked (``fetch_mta_sts_policy``), and BIMI indicator and
certificate URIs are recorded, not fetched.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable

import checkdmarc
import checkdmarc.bimi as cd_bimi
import checkdmarc.dmarc as cd_dmarc
import checkdmarc.mta_sts as cd_mta_sts
import checkdmarc.smtp_tls_reporting as cd_tlsrpt
import checkdmarc.spf as cd_spf
import checkdmarc.utils as cd_utils

from docgen.dns.client import ClientNameserver, ClientResolver, Lookup, LookupClient

SECTION = "mail_auth"
CHECKDMARC_VERSION = checkdmarc.__version__
STATES = ("ok", "missing", "multiple", "invalid", "unverified")
#: Lookups checkdmarc makes only to add a warning (the obsolete SPF RR type,
#: the CNAME-next-to-TXT probe): their failure does not make a record unverified.
PROBE_TYPES = frozenset({"SPF", "CNAME"})
_BIMI_URI_TAG = re.compile(r"(^|;)(\s*)([la])(\s*=\s*)([^;]*)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class MailAuthOptions:
    """Choices that change what is asked; recorded in the bundle."""

    fetch_mta_sts_policy: bool = False
    bimi_selector: str = "default"


class NoMxRecords(Exception):
    """The domain exists but publishes no MX record."""


def checkdmarc_options(client: LookupClient,
                       on_lookup: Callable[[Lookup], None] | None = None) -> dict:
    """The keyword arguments that make a checkdmarc function ask only `client`."""
    return {"resolver": ClientResolver(client, on_lookup),
            # for the checkdmarc paths that ignore `resolver` (SPF exp=)
            "nameservers": [ClientNameserver(client)],
            "timeout": client.settings.timeout,
            "retries": 0}  # the client already retries


class _Evaluation:
    """The checkdmarc calls for one kind of record, asking through one client."""

    def __init__(self, client: LookupClient) -> None:
        self.seen: list[Lookup] = []
        self.options = checkdmarc_options(client, self.seen.append)

    def failed_lookups(self) -> list[Lookup]:
        unique = {(lookup.name, lookup.rdtype): lookup for lookup in self.seen
                  if lookup.failed and lookup.rdtype not in PROBE_TYPES}
        return [unique[key] for key in sorted(unique)]


@dataclasses.dataclass(frozen=True)
class RecordKind:
    """How one kind of record is found, evaluated and classified."""

    name: str
    primary: Callable[[str, MailAuthOptions], tuple[str, str]]  # domain -> (name, type)
    is_candidate: Callable[[str], bool]                           # which raw records to keep
    evaluate: Callable[[str, _Evaluation, MailAuthOptions, dict], dict]
    not_found: tuple[type[Exception], ...]
    multiple: tuple[type[Exception], ...]
    invalid: tuple[type[Exception], ...]


def reset_checkdmarc_state() -> None:
    """Forget what checkdmarc cached in its module: one run must never see the
    answers of another (tests serve the same names with different contents)."""
    cd_utils.DNS_CACHE.clear()
    failures = getattr(cd_utils, "_NAMESERVER_FAILURES", None)
    if failures is not None:
        failures.clear()


def collect_mail_auth_domain(domain: str, client: LookupClient,
                             options: MailAuthOptions) -> dict:
    """One domain's item; each kind of record says which of its lookups failed."""
    item: dict = {"key": domain, "domain": domain}
    for kind in RECORD_KINDS:
        # BIMI's evaluation reads the DMARC entry collected before it.
        item[kind.name] = _collect_kind(kind, domain, client, options, item)
    return item


def _collect_kind(kind: RecordKind, domain: str, client: LookupClient,
                  options: MailAuthOptions, earlier: dict) -> dict:
    name, rdtype = kind.primary(domain, options)
    primary = client.lookup(name, rdtype)
    entry: dict = {"state": "ok", "lookup": primary.to_record(),
                   "records": [record for record in primary.records if kind.is_candidate(record)],
                   "result": None, "error": None, "error_class": None, "warnings": [],
                   "failed_lookups": []}
    if primary.failed:
        # Without the record itself nothing checkdmarc says would be true.
        entry.update(state="unverified", error=f"{primary.name} {primary.rdtype}: "
                     f"{primary.error or primary.outcome}")
        return entry
    evaluation = _Evaluation(client)
    try:
        entry["result"] = _jsonable(kind.evaluate(domain, evaluation, options, earlier))
        entry["warnings"] = list(entry["result"].get("warnings", []))
        entry["error"] = entry["result"].get("error")
        if entry["error"]:
            entry["state"] = "invalid"
    except kind.multiple + kind.not_found + kind.invalid as exc:
        entry.update(_error_facts(kind, exc))
    except Exception as exc:  # checkdmarc tripping over strangers' data must not end the run
        entry.update(state="invalid", error_class=type(exc).__name__,
                     error=f"checkdmarc could not evaluate this record "
                           f"({type(exc).__name__}: {exc})")
    failed = evaluation.failed_lookups()
    entry["failed_lookups"] = [lookup.to_record() for lookup in failed]
    if failed and entry["state"] != "ok":
        entry["state"] = "unverified"  # a negative verdict may stem from the failure
    return entry


def _error_facts(kind: RecordKind, exc: Exception) -> dict:
    if isinstance(exc, kind.multiple):
        state = "multiple"
    elif isinstance(exc, kind.not_found):
        state = "missing"
    else:
        state = "invalid"
    facts: dict = {"state": state, "error": str(exc), "error_class": type(exc).__name__,
                   "warnings": list(getattr(exc, "warnings", []) or [])}
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and data:
        facts["result"] = _jsonable(data)
    return facts


def _jsonable(value) -> dict:
    """checkdmarc's result as plain JSON data (exceptions and the like as text)."""
    return json.loads(json.dumps(value, default=str))


# -- the kinds ---------------------------------------------------------------

def _dmarc(domain: str, evaluation: _Evaluation, options: MailAuthOptions, earlier: dict) -> dict:
    found = cd_dmarc.query_dmarc_record(domain, **evaluation.options)
    parsed = cd_dmarc.parse_dmarc_record(found["record"], found["location"],
                                         **evaluation.options)
    return {"record": found["record"], "location": found["location"],
            "tags": parsed["tags"], "warnings": found["warnings"] + parsed["warnings"]}


def _spf(domain: str, evaluation: _Evaluation, options: MailAuthOptions, earlier: dict) -> dict:
    found = cd_spf.query_spf_record(domain, **evaluation.options)
    # Count every lookup even past the limit: the limit is judged by the checks.
    parsed = cd_spf.parse_spf_record(found["record"], domain, ignore_too_many_lookups=True,
                                     **evaluation.options)
    return {"record": found["record"], "dns_lookups": parsed["dns_lookups"],
            "void_dns_lookups": parsed["void_dns_lookups"], "parsed": parsed["parsed"],
            "error": parsed.get("error"), "warnings": found["warnings"] + parsed["warnings"]}


def _mx(domain: str, evaluation: _Evaluation, options: MailAuthOptions, earlier: dict) -> dict:
    found = cd_utils.get_mx_record_set(domain, **evaluation.options)
    if found["record_count"] == 0:
        raise NoMxRecords(f"{domain} has no MX records")
    return dict(found)


def _mta_sts(domain: str, evaluation: _Evaluation, options: MailAuthOptions,
             earlier: dict) -> dict:
    found = cd_mta_sts.query_mta_sts_record(domain, **evaluation.options)
    parsed = cd_mta_sts.parse_mta_sts_record(found["record"])
    result = {"record": found["record"], "tags": parsed["tags"],
              "warnings": found["warnings"] + parsed["warnings"], "policy": None,
              "policy_error": None, "policy_fetched": options.fetch_mta_sts_policy}
    if options.fetch_mta_sts_policy:
        result.update(_mta_sts_policy(domain))
    return result


def _mta_sts_policy(domain: str) -> dict:
    """The HTTPS policy, only when asked (the one HTTP request docgen can make)."""
    try:
        downloaded = cd_mta_sts.download_mta_sts_policy(domain)
        parsed = cd_mta_sts.parse_mta_sts_policy(downloaded["policy"])
    except cd_mta_sts.MTASTSError as exc:
        return {"policy_error": str(exc)}
    return {"policy": parsed["policy"],
            "policy_warnings": downloaded["warnings"] + parsed["warnings"]}


def _tls_rpt(domain: str, evaluation: _Evaluation, options: MailAuthOptions,
             earlier: dict) -> dict:
    found = cd_tlsrpt.query_smtp_tls_reporting_record(domain, **evaluation.options)
    parsed = cd_tlsrpt.parse_smtp_tls_reporting_record(found["record"])
    return {"record": found["record"], "tags": parsed["tags"],
            "warnings": found["warnings"] + parsed["warnings"]}


def _bimi(domain: str, evaluation: _Evaluation, options: MailAuthOptions, earlier: dict) -> dict:
    found = cd_bimi.query_bimi_record(domain, selector=options.bimi_selector,
                                      **evaluation.options)
    parsed = parse_bimi_without_fetching(found["record"], domain, _dmarc_for_bimi(earlier))
    return {"record": found["record"], "location": found["location"],
            "selector": options.bimi_selector, "tags": parsed["tags"],
            "warnings": found["warnings"] + parsed["warnings"]}


def parse_bimi_without_fetching(record: str, domain: str | None = None,
                                parsed_dmarc: dict | None = None, **options) -> dict:
    """checkdmarc's BIMI parse, without the HTTP downloads it would make.

    checkdmarc fetches the indicator (l=) and certificate (a=) as soon as their
    values are not empty; docgen makes no HTTP requests, so it parses the record
    with those values emptied and records the URIs as given, not validated.
    """
    uris = {match.group(3).lower(): match.group(5).strip()
            for match in _BIMI_URI_TAG.finditer(record) if match.group(5).strip()}
    emptied = _BIMI_URI_TAG.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(4)}",
                                record)
    parsed = cd_bimi.parse_bimi_record(emptied, domain=domain, parsed_dmarc_record=parsed_dmarc,
                                       **options)
    for tag, uri in uris.items():
        if tag in parsed["tags"]:
            parsed["tags"][tag]["value"] = uri
        parsed["warnings"].append(f"The {tag}= URI {uri} was not fetched or validated "
                                  "(docgen makes no HTTP requests).")
    return parsed


def _dmarc_for_bimi(earlier: dict) -> dict | None:
    """The DMARC result in the shape checkdmarc's BIMI check expects."""
    dmarc = earlier.get("dmarc") or {}
    if dmarc.get("state") != "ok" or not dmarc.get("result"):
        return {"valid": False, "error": dmarc.get("error") or "no DMARC record"}
    return {**dmarc["result"], "valid": True}


def _starts_with(prefix: str) -> Callable[[str], bool]:
    return lambda record: record.strip().lower().startswith(prefix)


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("dmarc", lambda d, o: (f"_dmarc.{d}", "TXT"), lambda record: True, _dmarc,
               not_found=(cd_dmarc.DMARCRecordNotFound,),
               multiple=(cd_dmarc.MultipleDMARCRecords,), invalid=(cd_dmarc.DMARCError,)),
    RecordKind("spf", lambda d, o: (d, "TXT"), _starts_with("v=spf"), _spf,
               not_found=(cd_spf.SPFRecordNotFound,),
               multiple=(cd_spf.MultipleSPFRTXTRecords,), invalid=(cd_spf.SPFError,)),
    RecordKind("mx", lambda d, o: (d, "MX"), lambda record: True, _mx,
               not_found=(NoMxRecords, cd_utils.DNSExceptionNXDOMAIN), multiple=(),
               invalid=(cd_utils.DNSException,)),
    RecordKind("mta_sts", lambda d, o: (f"_mta-sts.{d}", "TXT"), lambda record: True, _mta_sts,
               not_found=(cd_mta_sts.MTASTSRecordNotFound,),
               multiple=(cd_mta_sts.MultipleMTASTSRecords,), invalid=(cd_mta_sts.MTASTSError,)),
    RecordKind("tls_rpt", lambda d, o: (f"_smtp._tls.{d}", "TXT"), lambda record: True, _tls_rpt,
               not_found=(cd_tlsrpt.SMTPTLSReportingRecordNotFound,),
               multiple=(cd_tlsrpt.MultipleSMTPTLSReportingRecords,),
               invalid=(cd_tlsrpt.SMTPTLSReportingError,)),
    RecordKind("bimi", lambda d, o: (f"{o.bimi_selector}._bimi.{d}", "TXT"), lambda record: True,
               _bimi, not_found=(cd_bimi.BIMIRecordNotFound,),
               multiple=(cd_bimi.MultipleBIMIRecords,), invalid=(cd_bimi.BIMIError,)),
)
KIND_NAMES = tuple(kind.name for kind in RECORD_KINDS)
