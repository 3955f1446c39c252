"""Reading the bundles of a DNS soak: what each domain's records say, and where runs disagree.

Shared by tests/test_dns_soak.py and bench/dns_soak.py. A record *entry* is one
thing the documents state about a domain: each mail-authentication kind (DMARC,
SPF, MX, MTA-STS, TLS-RPT, BIMI) and, per DKIM selector, its CNAME and its key.
An entry is either verified (a verdict: ok, missing, matches, no_key, ...) or
"could not verify", and then it must carry the outcome of the lookup that failed
(timeout, servfail, refused, error, not_attempted).
"""

from __future__ import annotations

import collections
import dataclasses

from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.dns.client import FAILED_OUTCOMES

UNVERIFIED = "unverified"


@dataclasses.dataclass(frozen=True)
class Entry:
    domain: str
    what: str                      # "mail_auth.spf", "dkim.selector1.key", ...
    verdict: str | None            # None: could not verify
    facts: tuple                   # what was found (records), compared across runs
    reasons: tuple[str, ...]       # outcomes of the failed lookups behind it


def entries(bundle: dict) -> list[Entry]:
    found = []
    for item in bundle["sections"]["mail_auth"]["items"]:
        for kind in KIND_TITLES:
            entry = item[kind]
            lookups = [entry["lookup"], *entry["failed_lookups"]]
            reasons = tuple(sorted({lookup["outcome"] for lookup in lookups
                                    if lookup["outcome"] in FAILED_OUTCOMES}))
            verdict = None if entry["state"] == UNVERIFIED else entry["state"]
            found.append(Entry(item["domain"], f"mail_auth.{kind}", verdict,
                               tuple(entry["records"]), reasons))
    for item in bundle["sections"]["dkim"]["items"]:
        for selector in item["selectors"]:
            where = f"dkim.{selector['selector']}"
            cname = selector["cname_lookup"]
            found.append(Entry(item["domain"], f"{where}.cname", _verdict(selector["cname_state"]),
                               (selector["published_target"],), _reasons([cname])))
            key = selector["key_lookup"]
            found.append(Entry(item["domain"], f"{where}.key", _verdict(selector["key_state"]),
                               (selector["key_record"],), _reasons([key] if key else [])))
    return found


def _verdict(state: str) -> str | None:
    return None if state == UNVERIFIED else state


def _reasons(lookups: list[dict]) -> tuple[str, ...]:
    return tuple(sorted({lookup["outcome"] for lookup in lookups
                         if lookup["outcome"] in FAILED_OUTCOMES}))


def lookups(bundle: dict) -> dict[tuple[str, str], dict]:
    """Every lookup recorded anywhere in the two sections, by (name, type)."""
    found: dict[tuple[str, str], dict] = {}
    mail_auth = bundle["sections"]["mail_auth"]
    for item in mail_auth["items"]:
        for kind in KIND_TITLES:
            for lookup in [item[kind]["lookup"], *item[kind]["failed_lookups"]]:
                found[(lookup["name"], lookup["type"])] = lookup
    for lookup in mail_auth["other_lookups"]:
        found[(lookup["name"], lookup["type"])] = lookup
    for item in bundle["sections"]["dkim"]["items"]:
        for selector in item["selectors"]:
            for field in ("cname_lookup", "key_lookup", "published_key_lookup"):
                if selector[field]:
                    found[(selector[field]["name"], selector[field]["type"])] = selector[field]
    return found


@dataclasses.dataclass
class Accounting:
    """How a run accounted for its domains."""

    domains: int
    missing_domains: list[str]             # expected but absent from a section
    verified_domains: int                  # every entry verified, no failed lookup
    unverified_by_reason: collections.Counter   # domains per failed-lookup outcome
    entries_unverified: int
    unexplained: list[Entry]               # could not verify, without a reason or error line


def account(bundle: dict, expected: list[str]) -> Accounting:
    """Every expected domain in both sections; every unverified entry with its reason."""
    sections = bundle["sections"]
    missing = sorted({domain for name in ("dkim", "mail_auth")
                      for domain in set(expected) - {item["domain"]
                                                     for item in sections[name]["items"]}})
    reported = {error["where"] for name in ("dkim", "mail_auth")
                for error in sections[name]["errors"]
                if error["message"].startswith("could not verify")}
    all_entries = entries(bundle)
    unexplained = [entry for entry in all_entries if entry.verdict is None
                   and (not entry.reasons or entry.domain not in reported)]
    failing = collections.defaultdict(set)
    for entry in all_entries:
        if entry.verdict is None or entry.reasons:
            failing[entry.domain].update(entry.reasons or ("unexplained",))
    for domain in reported:
        failing.setdefault(domain, set())
    by_reason: collections.Counter = collections.Counter()
    for reasons in failing.values():
        by_reason.update(reasons)
    return Accounting(domains=len(expected), missing_domains=missing,
                      verified_domains=len(set(expected) - set(failing) - set(missing)),
                      unverified_by_reason=by_reason,
                      entries_unverified=sum(entry.verdict is None for entry in all_entries),
                      unexplained=unexplained)


def contradictions(faulty: dict, clean: dict) -> list[str]:
    """What the faulty run states as verified that the clean run does not confirm.

    A verified entry must have the clean run's verdict and facts (a timeout shown
    as "missing" shows up here); a lookup that succeeded in both runs must have the
    same outcome and records.
    """
    clean_entries = {(entry.domain, entry.what): entry for entry in entries(clean)}
    problems = []
    for entry in entries(faulty):
        other = clean_entries.get((entry.domain, entry.what))
        if entry.verdict is None:
            continue
        if other is None:
            problems.append(f"{entry.domain} {entry.what}: not in the clean run")
        elif (entry.verdict, entry.facts) != (other.verdict, other.facts):
            problems.append(f"{entry.domain} {entry.what}: {entry.verdict} {entry.facts} "
                            f"in the faulty run, {other.verdict} {other.facts} in the clean run")
    clean_lookups = lookups(clean)
    for key, lookup in lookups(faulty).items():
        other = clean_lookups.get(key)
        if other is None or lookup["outcome"] in FAILED_OUTCOMES \
                or other["outcome"] in FAILED_OUTCOMES:
            continue
        if (lookup["outcome"], lookup["records"]) != (other["outcome"], other["records"]):
            problems.append(f"{key}: {lookup['outcome']} {lookup['records']} in the faulty run, "
                            f"{other['outcome']} {other['records']} in the clean run")
    return problems


def against_truth(bundle: dict, expected: dict[str, str]) -> list[str]:
    """Verified entries whose verdict is not the one the zones publish."""
    return [f"{entry.domain} {entry.what}: {entry.verdict}, expected {expected[entry.what]}"
            for entry in entries(bundle)
            if entry.verdict is not None and entry.verdict != expected[entry.what]]
