"""The query layer (docgen/sources/dns.py) against the real loopback server, and zones.py.

Every outcome a lookup can end in is produced by the server for real: NXDOMAIN,
NODATA, SERVFAIL, REFUSED, dropped packets (timeout), truncation (TCP).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import dns.resolver
import pytest

from docgen.core.errors import InputError
from docgen.dns.client import (
    ClientResolver,
    LookupClient,
    Nameserver,
    NetworkTransport,
    ResolverSettings,
    ZoneTransport,
    parse_nameserver,
)
from docgen.readers.zones import load_zone_files, origin_from_file_name
from support.dns_fixtures import FAST, client_for
from support.dns_server import DnsTestServer

pytestmark = pytest.mark.usefixtures("loopback_only")

ZONE = """$ORIGIN example.test.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 60
@ TXT "v=spf1 -all"
@ MX 10 mail
mail A 192.0.2.25
alias CNAME mail
out CNAME target.other.test.
split TXT "v=DKIM1; k=rsa; " "p=abc"
long TXT "{a}" "{b}" "{c}" "{d}" "{e}" "{f}"
""".format(**{letter: letter * 250 for letter in "abcdef"})
OTHER = """$ORIGIN other.test.
@ SOA ns1 hostmaster 1 3600 600 86400 60
target TXT "found via a chased CNAME"
"""


@pytest.fixture
def server():
    with DnsTestServer([(None, ZONE)]) as running:
        yield running


def records(client: LookupClient, name: str, rdtype: str):
    lookup = client.lookup(name, rdtype)
    return lookup.outcome, lookup.records


def test_answers_are_recorded_with_outcome_records_and_ttl(server):
    client = client_for(server)
    spf = client.lookup("Example.TEST.", "TXT")
    assert (spf.name, spf.rdtype, spf.outcome, spf.records, spf.ttl) == (
        "example.test", "TXT", "noerror", ("v=spf1 -all",), 300)
    assert records(client, "example.test", "MX") == ("noerror", ("10 mail.example.test.",))
    # TXT strings are joined without spaces (RFC 7208 3.3)
    assert records(client, "split.example.test", "TXT") == ("noerror", ("v=DKIM1; k=rsa; p=abc",))


def test_nxdomain_and_nodata_are_told_apart(server):
    client = client_for(server)
    assert client.lookup("missing.example.test", "TXT").outcome == "nxdomain"
    assert client.lookup("mail.example.test", "TXT").outcome == "nodata"


def test_servfail_refused_and_dropped_queries_are_failures_not_absence(server):
    server.set_fault("sf.example.test", servfail=True)
    server.set_fault("rf.example.test", refused=True)
    server.set_fault("drop.example.test", drop=True)
    client = client_for(server)
    outcomes = {name: client.lookup(f"{name}.example.test", "TXT") for name in ("sf", "rf", "drop")}
    assert {name: lookup.outcome for name, lookup in outcomes.items()} == {
        "sf": "servfail", "rf": "refused", "drop": "timeout"}
    assert all(lookup.failed and lookup.records == () for lookup in outcomes.values())
    assert "within 0.25 s" in outcomes["drop"].error


def test_retries_repeat_a_failed_query(server):
    server.set_fault("sf.example.test", servfail=True)
    client = client_for(server, ResolverSettings(timeout=0.25, retries=2))
    client.lookup("sf.example.test", "TXT")
    sent = [r for r in server.query_log if r.name == "sf.example.test"]
    assert len(sent) == 3


def test_truncated_udp_answer_is_asked_again_over_tcp(server):
    server.set_fault("example.test", truncate=True)
    lookup = client_for(server).lookup("example.test", "TXT")
    assert lookup.records == ("v=spf1 -all",)
    assert [(r.transport, r.outcome) for r in server.query_log] == [
        ("udp", "truncated"), ("tcp", "answered")]


def test_answer_larger_than_the_edns_size_comes_over_tcp(server):
    lookup = client_for(server).lookup("long.example.test", "TXT")
    assert lookup.records == ("".join(letter * 250 for letter in "abcdef"),)
    assert [r.transport for r in server.query_log] == ["udp", "tcp"]


def test_failover_to_the_next_nameserver(server):
    with DnsTestServer([(None, ZONE)]) as dead:
        dead.set_fault("example.test", drop=True)
        transport = NetworkTransport([Nameserver(dead.host, dead.port),
                                      Nameserver(server.host, server.port)])
        lookup = LookupClient(transport, FAST).lookup("example.test", "TXT")
    assert lookup.outcome == "noerror"


def test_cname_the_server_leaves_dangling_is_chased(server):
    # Two authoritative servers, each for its own zone (--nameserver A --nameserver B):
    # A answers the CNAME alone, the chase asks again and B answers the target.
    with DnsTestServer([(None, OTHER)]) as other:
        transport = NetworkTransport([Nameserver(server.host, server.port),
                                      Nameserver(other.host, other.port)])
        lookup = LookupClient(transport, FAST).lookup("out.example.test", "TXT")
        assert [r.name for r in other.query_log] == ["target.other.test"]
    assert lookup.outcome == "noerror"
    assert lookup.cname_chain == ("target.other.test",)
    assert lookup.records == ("found via a chased CNAME",)


def test_dangling_cname_to_a_name_nobody_serves_is_refused_not_missing(server):
    lookup = client_for(server).lookup("out.example.test", "TXT")
    assert (lookup.outcome, lookup.cname_chain) == ("refused", ("target.other.test",))
    assert [r.name for r in server.query_log] == ["out.example.test", "target.other.test"]


def test_each_question_is_sent_once_per_run_even_when_asked_at_once(server):
    server.set_fault("example.test", delay=0.1)
    client = client_for(server)
    threads = [threading.Thread(target=client.lookup, args=("example.test", "TXT"))
               for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.name for r in server.query_log] == ["example.test"]
    assert client.queries_sent == 1


def test_after_the_deadline_lookups_are_not_attempted(server):
    now = [0.0]
    client = LookupClient(NetworkTransport([Nameserver(server.host, server.port)]),
                          ResolverSettings(deadline=5), clock=lambda: now[0])
    assert client.lookup("example.test", "TXT").outcome == "noerror"
    now[0] = 5.0
    late = client.lookup("example.test", "MX")
    assert (late.outcome, late.failed) == ("not_attempted", True)
    assert len(server.query_log) == 1


def test_a_truncated_answer_and_its_tcp_retry_end_by_the_deadline(server):
    # Found by the fault soak: the TCP retry of a truncated answer got a fresh timeout,
    # so a lookup asked just before the deadline could end up to a timeout after it.
    server.set_fault("example.test", truncate=True, delay=0.4)
    client = client_for(server, ResolverSettings(timeout=2.0, retries=0, deadline=0.5))
    started = time.monotonic()
    lookup = client.lookup("example.test", "TXT")
    assert time.monotonic() - started < 0.5 + 0.15
    assert lookup.outcome == "timeout"
    assert [record.transport for record in server.query_log] == ["udp", "tcp"]


def test_a_truncated_answer_is_asked_again_over_tcp_within_the_same_timeout(server):
    server.set_fault("example.test", truncate=True, delay=0.1)
    client = client_for(server, ResolverSettings(timeout=0.5, retries=0))
    assert client.lookup("example.test", "TXT").records == ("v=spf1 -all",)
    assert [record.transport for record in server.query_log] == ["udp", "tcp"]


def test_stop_ends_every_later_lookup_at_once(server):
    client = client_for(server)
    client.stop()
    started = time.perf_counter()
    assert client.lookup("example.test", "TXT").outcome == "not_attempted"
    assert time.perf_counter() - started < 0.1
    assert server.query_log == []


def test_zone_transport_answers_like_the_server(server, tmp_path: Path):
    path = tmp_path / "example.test.zone"
    path.write_text(ZONE)
    in_process = LookupClient(ZoneTransport(load_zone_files([path]), [path.name]), FAST)
    network = client_for(server)
    for name, rdtype in [("example.test", "TXT"), ("alias.example.test", "A"),
                         ("missing.example.test", "TXT"), ("mail.example.test", "TXT"),
                         ("split.example.test", "TXT"), ("nowhere.invalid", "TXT")]:
        here, there = in_process.lookup(name, rdtype), network.lookup(name, rdtype)
        assert (here.outcome, here.records, here.ttl, here.cname_chain) == (
            there.outcome, there.records, there.ttl, there.cname_chain)
    assert in_process.lookup("nowhere.invalid", "TXT").error == "no zone file given holds this name"


def test_client_resolver_raises_what_dnspython_raises(server):
    server.set_fault("sf.example.test", servfail=True)
    server.set_fault("drop.example.test", drop=True)
    resolver = ClientResolver(client_for(server))
    answer = resolver.resolve("alias.example.test", "A")
    assert [rdata.to_text() for rdata in answer] == ["192.0.2.25"]
    assert answer.canonical_name.to_text() == "mail.example.test."
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver.resolve("missing.example.test", "TXT")
    with pytest.raises(dns.resolver.NoAnswer):
        resolver.resolve("mail.example.test", "TXT")
    with pytest.raises(dns.resolver.NoNameservers):
        resolver.resolve("sf.example.test", "TXT")
    with pytest.raises(dns.resolver.LifetimeTimeout):
        resolver.resolve("drop.example.test", "TXT")


@pytest.mark.parametrize("text, expected", [
    ("192.0.2.53", Nameserver("192.0.2.53", 53)),
    ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
    ("2001:db8::53", Nameserver("2001:db8::53", 53)),
    ("[2001:db8::53]:5353", Nameserver("2001:db8::53", 5353)),
])
def test_nameserver_forms(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text, message", [
    ("dns.example", "must be an IP address"),
    ("192.0.2.1:0", "port must be a number from 1 to 65535"),
    ("192.0.2.1:x", "port must be a number"),
])
def test_bad_nameservers_are_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        parse_nameserver(text)


def test_zone_file_errors_name_the_file(tmp_path: Path):
    bad = tmp_path / "broken.test.zone"
    bad.write_text("$ORIGIN broken.test.\n$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\n"
                   "@ MX ten mail\n@ TXT \"ok\"\n")
    with pytest.raises(InputError) as caught:
        load_zone_files([bad])
    assert str(caught.value) == f"{bad}: line 4: not a valid zone file (expecting an integer)"
    no_soa = tmp_path / "nosoa.test.zone"
    no_soa.write_text('$TTL 60\n@ TXT "x"\n')
    with pytest.raises(InputError, match="no SOA record"):
        load_zone_files([no_soa])


def test_zone_without_origin_takes_it_from_the_file_name(tmp_path: Path):
    path = tmp_path / "planned.test.zone"
    path.write_text('@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ TXT "v=spf1 -all"\n')
    assert origin_from_file_name(path) == "planned.test."
    client = LookupClient(ZoneTransport(load_zone_files([path]), [path.name]), FAST)
    assert client.lookup("planned.test", "TXT").records == ("v=spf1 -all",)


def test_a_truncated_answer_whose_tcp_retry_is_refused_fails_and_says_so():
    # A firewall that lets DNS through over UDP only: the answer comes back truncated,
    # and the TCP connection it must be asked again on is refused.
    with DnsTestServer([(None, ZONE)], tcp=False) as udp_only:
        udp_only.set_fault("example.test", truncate=True)
        lookup = client_for(udp_only).lookup("example.test", "TXT")
        assert [(r.transport, r.outcome) for r in udp_only.query_log] == [("udp", "truncated")]
    # recorded as a failed lookup, never as "no record", and the reason names the TCP retry
    assert lookup.failed and lookup.records == ()
    assert lookup.outcome == "refused"
    assert lookup.error == (f"{udp_only.host}:{udp_only.port} is unreachable: connection refused "
                            "over TCP, where a truncated UDP answer must be asked again")


def test_a_truncated_answer_whose_tcp_retry_is_refused_goes_to_the_next_nameserver(server):
    with DnsTestServer([(None, ZONE)], tcp=False) as udp_only:
        udp_only.set_fault("example.test", truncate=True)
        transport = NetworkTransport([Nameserver(udp_only.host, udp_only.port),
                                      Nameserver(server.host, server.port)])
        started = time.monotonic()
        lookup = LookupClient(transport, FAST).lookup("example.test", "TXT")
        took = time.monotonic() - started
    assert lookup.outcome == "noerror" and lookup.records == ("v=spf1 -all",)
    assert took < FAST.timeout   # refused at once: no timeout waited for before the next one
