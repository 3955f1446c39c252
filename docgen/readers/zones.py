"""Answering DNS questions from zone files, in-process, like an authoritative server.

This is the one implementation of "answer from zones": `docgen collect dns
--zone-file` uses it to document a planned zone before it is published, and the
loopback test server (tests/support/dns_server.py) uses it behind its sockets.

Zones are flattened at load time into immutable lookup tables, so answering
reads them without locking. Answers follow CNAMEs while their targets stay in
the loaded zones; an existing name without the asked type is NODATA, a name
that does not exist in its zone is NXDOMAIN (both with the zone's SOA), and a
name outside every loaded zone is not answered at all (a server says REFUSED).

Wildcards, delegations, zone transfers and DNSSEC are deliberately not
implemented.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypeAlias

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from docgen.core.errors import InputError, cannot_read

#: A zone to load: ``(origin, source)``. ``origin`` may be ``None`` to take it
#: from the zone's ``$ORIGIN``. A ``str`` source is zone *text*; an
#: ``os.PathLike`` source (e.g. :class:`pathlib.Path`) is a zone *file*.
ZoneSource: TypeAlias = tuple[dns.name.Name | str | None, str | os.PathLike[str]]

#: Stop following CNAMEs after this many hops (guards against loops).
MAX_CNAME_CHAIN = 16
#: File name endings dropped to guess a zone's origin from its file name.
ZONE_FILE_SUFFIXES = (".zone", ".db", ".txt")


@dataclasses.dataclass(frozen=True)
class ServedZone:
    """A zone flattened into immutable lookup tables.

    ``names`` also holds empty non-terminals (names with no records but with
    records below them), which must answer NODATA rather than NXDOMAIN.
    """

    origin: dns.name.Name
    rrsets: Mapping[tuple[dns.name.Name, dns.rdatatype.RdataType], dns.rrset.RRset]
    by_name: Mapping[dns.name.Name, tuple[dns.rrset.RRset, ...]]
    names: frozenset[dns.name.Name]
    negative_soa: dns.rrset.RRset


@dataclasses.dataclass
class Resolution:
    """The data part of an answer, before it is put into a message."""

    rcode: dns.rcode.Rcode
    answer: list[dns.rrset.RRset]
    authority: list[dns.rrset.RRset]


Zones: TypeAlias = Mapping[dns.name.Name, ServedZone]


def to_name(name: str | dns.name.Name) -> dns.name.Name:
    """Parse a name as absolute (a missing trailing dot is implied)."""
    if isinstance(name, dns.name.Name):
        return name
    return dns.name.from_text(name)


def parse_zone(origin: str | dns.name.Name | None,
               source: str | os.PathLike[str]) -> dns.zone.Zone:
    """Parse zone text or a zone file with absolute owner names.

    ``check_origin`` is off so zones need not carry NS records; the SOA that
    negative answers cannot do without is checked when flattening.
    """
    zone_origin = None if origin is None else to_name(origin)
    if isinstance(source, os.PathLike):
        return dns.zone.from_file(os.fspath(source), origin=zone_origin,
                                  relativize=False, check_origin=False)
    return dns.zone.from_text(source, origin=zone_origin, relativize=False,
                              check_origin=False)


def _negative_soa(zone: dns.zone.Zone) -> dns.rrset.RRset:
    """The SOA for the authority section of negative answers.

    Its TTL is min(SOA TTL, SOA MINIMUM), per RFC 2308 section 3.
    """
    assert zone.origin is not None   # flatten_zone refuses a zone without one
    soa = zone.get_rrset(zone.origin, dns.rdatatype.SOA)
    if soa is None:
        raise ValueError(f"zone {zone.origin} has no SOA record at its apex")
    ttl = min(soa.ttl, soa[0].minimum)
    return dns.rrset.from_rdata_list(zone.origin, ttl, list(soa))


def _existing_names(zone: dns.zone.Zone) -> frozenset[dns.name.Name]:
    """All names with records plus their ancestors up to the origin."""
    assert zone.origin is not None   # flatten_zone refuses a zone without one
    names: set[dns.name.Name] = set()
    for name in zone.nodes:
        while name not in names and name.is_subdomain(zone.origin):
            names.add(name)
            if name == zone.origin:
                break
            name = name.parent()
    return frozenset(names)


def flatten_zone(zone: dns.zone.Zone) -> ServedZone:
    """Turn a parsed zone into the RRset tables that answering reads."""
    if zone.origin is None:  # dnspython leaves it unset when $ORIGIN lines hold no records
        raise ValueError("the zone has no origin; start it with $ORIGIN and an SOA record")
    rrsets: dict[tuple[dns.name.Name, dns.rdatatype.RdataType], dns.rrset.RRset] = {}
    by_name: dict[dns.name.Name, tuple[dns.rrset.RRset, ...]] = {}
    for name, node in zone.nodes.items():
        node_rrsets = tuple(dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))
                            for rdataset in node.rdatasets if len(rdataset))
        for rrset in node_rrsets:
            rrsets[(name, rrset.rdtype)] = rrset
        by_name[name] = node_rrsets
    return ServedZone(origin=zone.origin, rrsets=rrsets, by_name=by_name,
                      names=_existing_names(zone), negative_soa=_negative_soa(zone))


def load_zone(origin: str | dns.name.Name | None,
              source: str | os.PathLike[str]) -> ServedZone:
    """Parse and flatten one zone."""
    return flatten_zone(parse_zone(origin, source))


def load_zone_files(paths: Iterable[Path]) -> dict[dns.name.Name, ServedZone]:
    """Zone files given by a user, by origin; a bad file is one clear error.

    A file without ``$ORIGIN`` takes its origin from its name
    (``contoso.com.zone`` serves ``contoso.com.``).
    """
    zones: dict[dns.name.Name, ServedZone] = {}
    for path in paths:
        served = _load_user_zone(Path(path))
        if served.origin in zones:
            raise InputError(f"a second zone for {served.origin.to_text()}", source=str(path))
        zones[served.origin] = served
    return zones


def _load_user_zone(path: Path) -> ServedZone:
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InputError(cannot_read(exc), source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", source=str(path), where=f"byte {exc.start}") from None
    origin = None if _has_origin_directive(text) else origin_from_file_name(path)
    try:
        return load_zone(origin, text)
    except dns.exception.SyntaxError as exc:
        # dnspython says "<string>:LINE: message" for zone text.
        match = re.match(r"^<string>:(\d+): (.*)$", str(exc))
        where, message = (f"line {match[1]}", match[2]) if match else (None, str(exc))
        raise InputError(f"not a valid zone file ({message})", source=str(path),
                         where=where) from None
    except (dns.exception.DNSException, ValueError) as exc:
        raise InputError(f"not a usable zone ({exc})", source=str(path)) from None


def _has_origin_directive(text: str) -> bool:
    return any(line.strip().upper().startswith("$ORIGIN") for line in text.splitlines())


def origin_from_file_name(path: Path) -> str:
    """'contoso.com.zone' -> 'contoso.com.'"""
    name = path.name
    for suffix in ZONE_FILE_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.rstrip(".") + "."


def find_zone(zones: Zones, name: dns.name.Name) -> ServedZone | None:
    """The most specific loaded zone containing ``name``, if any.

    Walks up the name's ancestors (a few dict lookups) instead of scanning all
    zones, so the cost does not grow with the number of zones.
    """
    while True:
        served = zones.get(name)
        if served is not None:
            return served
        if name == dns.name.root or len(name) == 0:
            return None
        name = name.parent()


def _lookup(served: ServedZone, name: dns.name.Name,
            qtype: dns.rdatatype.RdataType) -> list[dns.rrset.RRset]:
    """RRsets of ``qtype`` at ``name`` (all of them for ANY)."""
    if qtype == dns.rdatatype.ANY:
        return list(served.by_name.get(name, ()))
    rrset = served.rrsets.get((name, qtype))
    return [] if rrset is None else [rrset]


def resolve(zones: Zones, qname: dns.name.Name,
            qtype: dns.rdatatype.RdataType) -> Resolution | None:
    """Answer a question from the zones; ``None`` means no zone holds the name.

    Follows CNAMEs while their targets stay inside the zones, as an
    authoritative server does for data it holds; the rcode and SOA then
    describe the last name in the chain (RFC 6604).
    """
    served = find_zone(zones, qname)
    if served is None:
        return None
    answer: list[dns.rrset.RRset] = []
    name, seen = qname, {qname}
    for _ in range(MAX_CNAME_CHAIN):
        if name not in served.names:
            return Resolution(dns.rcode.NXDOMAIN, answer, [served.negative_soa])
        found = _lookup(served, name, qtype)
        if found:
            return Resolution(dns.rcode.NOERROR, answer + found, [])
        cname = served.rrsets.get((name, dns.rdatatype.CNAME))
        if cname is None or qtype == dns.rdatatype.CNAME:
            return Resolution(dns.rcode.NOERROR, answer, [served.negative_soa])
        answer.append(cname)
        name = cname[0].target
        next_zone = find_zone(zones, name)
        if next_zone is None or name in seen:
            break  # target is elsewhere (or a loop): the client chases it
        served = next_zone
        seen.add(name)
    return Resolution(dns.rcode.NOERROR, answer, [])


def fill_response(zones: Zones, response: dns.message.Message,
                  question: dns.rrset.RRset) -> Resolution | None:
    """Put the answer to ``question`` into ``response``, as an authoritative server.

    Returns the resolution, or ``None`` (and REFUSED in the response) when no
    zone holds the name or the class is not IN.
    """
    resolution = None
    if question.rdclass == dns.rdataclass.IN:
        resolution = resolve(zones, question.name, question.rdtype)
    if resolution is None:
        response.set_rcode(dns.rcode.REFUSED)
        return None
    response.flags |= dns.flags.AA
    response.set_rcode(resolution.rcode)
    add_rrsets(response, response.answer, resolution.answer)
    add_rrsets(response, response.authority, resolution.authority)
    return resolution


def add_rrsets(message: dns.message.Message, section: list,
               rrsets: Iterable[dns.rrset.RRset]) -> None:
    """Add RRsets to a message section through its index, so that lookups in the
    message (``find_rrset``, ``resolve_chaining``) see them without a wire trip."""
    for rrset in rrsets:
        message.find_rrset(section, rrset.name, rrset.rdclass, rrset.rdtype,
                           create=True).update(rrset)


def answer_query(zones: Zones, query: dns.message.Message) -> dns.message.Message:
    """The response an authoritative server holding ``zones`` sends to ``query``."""
    response = dns.message.make_response(query)
    fill_response(zones, response, query.question[0])
    return response
