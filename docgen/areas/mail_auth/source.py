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
failed while checkdmarc evaluated it.

Whether a record exists is decided from docgen's own lookup of its name, not
from checkdmarc's exceptions: checkdmarc raises its "record not found" also when
the record is there but leads nowhere (an SPF include whose target has no SPF
record, a CNAME to a name that does not exist, a version tag receivers do not
accept), and "several SPF records" when the several are at an include target.
A record that was found is then ``invalid``, with the reason (the name that
leads nowhere and the answer docgen got for it) in ``error`` and, as data, in
``result.unusable`` (``via``: the include/redirect terms or "CNAME" that lead
there; ``lookup``: docgen's lookup of that name). No HTTP is made: the MTA-STS policy is
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

from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.dns.client import (
    ClientNameserver,
    ClientResolver,
    Lookup,
    LookupClient,
    normalize_name,
)

SECTION = "mail_auth"
CHECKDMARC_VERSION = checkdmarc.__version__
STATES = ("ok", "missing", "multiple", "invalid", "unverified")
#: Lookups checkdmarc makes only to add a warning (the obsolete SPF RR type,
#: the CNAME-next-to-TXT probe): their failure does not make a record unverified.
PROBE_TYPES = frozenset({"SPF", "CNAME"})
_BIMI_URI_TAG = re.compile(r"(^|;)(\s*)([la])(\s*=\s*)([^;]*)", re.IGNORECASE)
#: An SPF term that makes receivers evaluate another name's SPF record.
_SPF_TARGET = re.compile(r"^(?:[+\-~?]?(include):|(redirect)=)(\S+)$", re.IGNORECASE)
#: How deep includes are followed to name the one that leads nowhere (RFC 7208
#: allows 10 lookups in all, so a longer chain is a permanent error anyway).
MAX_INCLUDE_DEPTH = 10
_ANSWER_WORDS = {"nxdomain": "does not exist (NXDOMAIN)",
                 "nodata": "has no TXT record (NOERROR, no data)"}


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
    # a record meant as this kind (loosely: its version tag), to tell "found" from "missing"
    looks_like: Callable[[str], bool]
    # a record receivers take for this kind, and in words what it must begin with
    accepts: Callable[[str], bool]
    version: str
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


def first_questions(domain: str, options: MailAuthOptions) -> list[tuple[str, str]]:
    """The name of each kind of record: what collect_mail_auth_domain asks first."""
    return [kind.primary(domain, options) for kind in RECORD_KINDS]


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
    raised: Exception | None = None
    try:
        entry["result"] = _jsonable(kind.evaluate(domain, evaluation, options, earlier))
        entry["warnings"] = list(entry["result"].get("warnings", []))
        entry["error"] = entry["result"].get("error")
        if entry["error"]:
            entry["state"] = "invalid"
    except kind.multiple + kind.not_found + kind.invalid as exc:
        entry.update(_error_facts(kind, exc))
        raised = exc
    except Exception as exc:  # checkdmarc tripping over strangers' data must not end the run
        entry.update(state="invalid", error_class=type(exc).__name__,
                     error=f"checkdmarc could not evaluate this record "
                           f"({type(exc).__name__}: {exc})")
    failed = evaluation.failed_lookups()
    entry["failed_lookups"] = [lookup.to_record() for lookup in failed]
    if failed and entry["state"] != "ok":
        entry["state"] = "unverified"  # a negative verdict may stem from the failure
    elif raised is not None and entry["state"] in ("missing", "multiple"):
        entry.update(_judged_by_own_lookup(kind, domain, primary, client, raised,
                                           entry["state"]))
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


# -- found, but unusable ------------------------------------------------------

def _judged_by_own_lookup(kind: RecordKind, domain: str, primary: Lookup, client: LookupClient,
                          exc: Exception, state: str) -> dict:
    """checkdmarc said "not found" or "several records": what docgen's own lookup of the
    record's name says. Missing only when nothing was published there, several SPF records
    only when the domain holds several; otherwise the record is invalid, and why (from
    the lookups already made: this asks nothing)."""
    own = [record for record in primary.records if kind.looks_like(record)]
    accepted = [record for record in own if kind.accepts(record)]
    # A CNAME at a name of the record's own (_dmarc, _mta-sts, ...) publishes the record
    # elsewhere; at the domain itself (SPF, MX) it makes the domain an alias.
    delegated = bool(primary.cname_chain) and primary.name != domain
    if state == "missing" and not own and not delegated:
        return {}
    if state == "multiple" and (len(own) > 1 or kind.name != "spf"):
        # DMARC's and BIMI's several may be a parent domain's: the record that applies
        return {}
    if kind.name == "spf" and len(accepted) == 1:
        unusable = _spf_unusable(accepted[0], client)
    else:
        unusable = _unusable_here(kind, primary, own, accepted)
    via, lookup, reason = unusable or ([], primary, _unexplained(kind, primary, own, exc))
    return {"state": "invalid", "error": reason,
            "result": {"record": (accepted or own)[0] if own else None,
                       "unusable": {"via": via, "lookup": lookup.to_record()}}}


def _is_spf1(record: str) -> bool:
    """RFC 7208 4.5: a record whose version section is exactly v=spf1."""
    text = record.lower()
    return text == "v=spf1" or text.startswith("v=spf1 ")


def _spf_unusable(record: str, client: LookupClient) -> tuple[list[str], Lookup, str] | None:
    """The include or redirect target that leads to no SPF record, or to several.

    Followed depth first in the record's order, as receivers (and checkdmarc) evaluate
    it, through the lookups already made: this reads answers, it asks nothing.
    """
    visited: set[str] = set()

    def walk(text: str, via: list[str], depth: int) -> tuple[list[str], Lookup, str] | None:
        terms = text.split()[1:]
        has_all = any(term.lower().lstrip("+-~?") == "all" for term in terms)
        for term in terms:
            match = _SPF_TARGET.match(term)
            if match is None or "%" in term:
                continue
            redirect = match.group(2) is not None
            if redirect and has_all:
                continue  # RFC 7208 6.1: ignored when the record has an all mechanism
            target = normalize_name(match.group(3))
            if target in visited:
                continue
            visited.add(target)
            lookup = client.recorded(target, "TXT")
            if lookup is None or lookup.failed:
                continue
            step = via + [f"redirect={target}" if redirect else f"include:{target}"]
            spf = [r for r in lookup.records if _is_spf1(r)] if lookup.outcome == "noerror" else []
            if len(spf) != 1:
                return step, lookup, _spf_reason(step, lookup, len(spf), redirect)
            if depth < MAX_INCLUDE_DEPTH:
                found = walk(spf[0], step, depth + 1)
                if found is not None:
                    return found
        return None

    return walk(record, [], 1)


def _spf_reason(via: list[str], lookup: Lookup, count: int, redirect: bool) -> str:
    name = lookup.name
    if count > 1:
        return (f"{' -> '.join(via)}: {name} publishes {count} SPF records (NOERROR); several "
                "records there make the whole record a permanent error (permerror, "
                "RFC 7208 4.5).")
    answer = _ANSWER_WORDS.get(lookup.outcome, "has TXT records, none of them SPF (NOERROR)")
    term, section = ("a redirect", "6.1") if redirect else ("an include", "5.2")
    return (f"{' -> '.join(via)}: {name} {answer}; {term} to a name without an SPF record "
            f"makes the whole record a permanent error (permerror, RFC 7208 {section}).")


def _unusable_here(kind: RecordKind, primary: Lookup, own: list[str],
                   accepted: list[str]) -> tuple[list[str], Lookup, str] | None:
    """A record at the name itself that receivers cannot use: a CNAME that leads nowhere,
    or a record whose version tag they do not accept."""
    title = KIND_TITLES[kind.name]
    target = primary.cname_chain[-1] if primary.cname_chain else None
    if target is not None and primary.outcome in _ANSWER_WORDS:
        return ["CNAME"], primary, (f"{primary.name} is a CNAME to {target}, which "
                                    f"{_ANSWER_WORDS[primary.outcome]}, so receivers find no "
                                    f"{title} record.")
    if own and not accepted:
        return [], primary, (f"{primary.name} publishes \"{own[0]}\", which receivers "
                             f"discard: {title} records begin with {kind.version}.")
    if target is not None and not own:
        return ["CNAME"], primary, (f"{primary.name} is a CNAME to {target}, whose TXT records "
                                    f"hold no {title} record.")
    return None


def _unexplained(kind: RecordKind, primary: Lookup, own: list[str], exc: Exception) -> str:
    return (f"{primary.name} holds {len(own)} {KIND_TITLES[kind.name]} record(s) of its own, "
            f"yet checkdmarc reports {type(exc).__name__}: {exc}")


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


def _version_tag(tag: str) -> Callable[[str], bool]:
    """A record that starts with the kind's version tag, however badly written."""
    return _begins(rf"\s*v\s*=\s*{tag}")


def _begins(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.IGNORECASE)
    return lambda record: compiled.match(record) is not None


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("dmarc", lambda d, o: (f"_dmarc.{d}", "TXT"), lambda record: True,
               _version_tag("dmarc"), _begins(r"v\s*=\s*DMARC1\s*(;|$)"),
               '"v=DMARC1;" (RFC 7489 6.4)', _dmarc,
               not_found=(cd_dmarc.DMARCRecordNotFound,),
               multiple=(cd_dmarc.MultipleDMARCRecords,), invalid=(cd_dmarc.DMARCError,)),
    RecordKind("spf", lambda d, o: (d, "TXT"), _starts_with("v=spf"), _starts_with("v=spf"),
               _is_spf1, 'exactly "v=spf1", then a space or the end (RFC 7208 4.5)', _spf,
               not_found=(cd_spf.SPFRecordNotFound,),
               multiple=(cd_spf.MultipleSPFRTXTRecords,), invalid=(cd_spf.SPFError,)),
    RecordKind("mx", lambda d, o: (d, "MX"), lambda record: True, lambda record: True,
               lambda record: True, "a preference and a host name", _mx,
               not_found=(NoMxRecords, cd_utils.DNSExceptionNXDOMAIN), multiple=(),
               invalid=(cd_utils.DNSException,)),
    RecordKind("mta_sts", lambda d, o: (f"_mta-sts.{d}", "TXT"), lambda record: True,
               _version_tag("stsv"), _begins(r"v=STSv1[ \t]*;"), '"v=STSv1;" (RFC 8461 3.1)',
               _mta_sts, not_found=(cd_mta_sts.MTASTSRecordNotFound,),
               multiple=(cd_mta_sts.MultipleMTASTSRecords,), invalid=(cd_mta_sts.MTASTSError,)),
    RecordKind("tls_rpt", lambda d, o: (f"_smtp._tls.{d}", "TXT"), lambda record: True,
               _version_tag("tlsrpt"), _begins(r"v=TLSRPTv1[ \t]*;"),
               '"v=TLSRPTv1;" (RFC 8460 3)', _tls_rpt,
               not_found=(cd_tlsrpt.SMTPTLSReportingRecordNotFound,),
               multiple=(cd_tlsrpt.MultipleSMTPTLSReportingRecords,),
               invalid=(cd_tlsrpt.SMTPTLSReportingError,)),
    RecordKind("bimi", lambda d, o: (f"{o.bimi_selector}._bimi.{d}", "TXT"), lambda record: True,
               _version_tag("bimi"), _begins(r"v\s*=\s*BIMI1\s*(;|$)"),
               '"v=BIMI1;" (the BIMI draft)', _bimi,
               not_found=(cd_bimi.BIMIRecordNotFound,),
               multiple=(cd_bimi.MultipleBIMIRecords,), invalid=(cd_bimi.BIMIError,)),
)
KIND_NAMES = tuple(kind.name for kind in RECORD_KINDS)
