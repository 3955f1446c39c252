"""Tests for tests/support/dns_server.py, the in-process authoritative server.

Every test talks to the server through real sockets with dnspython's client
(``dns.query`` / ``dns.resolver``), as the code under test will.  Timing
bounds are deliberately generous so the suite stays reliable on a loaded
machine; the whole file runs in a few seconds.
"""

from __future__ import annotations

import concurrent.futures
import socket
import string
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.dns_server import DnsTestServer, FaultPlan, QueryRecord

LONG_TXT = tuple(letter * 250 for letter in "abcd")  # ~1 KB, over 512 bytes

EXAMPLE_COM = f"""
$ORIGIN example.com.
$TTL 300
@        SOA   ns1 hostmaster 2024010101 3600 600 86400 60
@        NS    ns1
ns1      A     192.0.2.53
@        A     192.0.2.1
@        AAAA  2001:db8::1
@        MX    10 mail
@        MX    20 mail2.example.net.
@        TXT   "v=spf1 include:spf.protection.outlook.com -all"
mail     A     192.0.2.25
www      CNAME @
autodiscover CNAME autodiscover.example.net.
offsite  CNAME host.elsewhere.test.
selector1._domainkey TXT "v=DKIM1; k=rsa; " "p=MIIBIjANBgkqhkiG9w0B"
long     TXT   {" ".join(f'"{part}"' for part in LONG_TXT)}
"""

EXAMPLE_NET = """
$ORIGIN example.net.
$TTL 600
@            SOA   ns1 hostmaster 7 3600 600 86400 120
@            NS    ns1
ns1          A     198.51.100.53
autodiscover CNAME mail
mail         A     198.51.100.7
"""

ZONES = [(None, EXAMPLE_COM), ("example.net", EXAMPLE_NET)]
SHORT_TIMEOUT = 0.25  # client timeout where a test expects no answer
TIMEOUT = 2.0  # client timeout where an answer is expected


# -- helpers ----------------------------------------------------------------

@pytest.fixture
def server() -> Iterator[DnsTestServer]:
    """A running server with example.com and example.net."""
    with DnsTestServer(ZONES) as running:
        yield running


def ask(server: DnsTestServer, name: str, rdtype: str = "A", *,
        tcp: bool = False, timeout: float = TIMEOUT,
        **query_options: object) -> dns.message.Message:
    """Send one query over UDP (or TCP) and return the response."""
    query = dns.message.make_query(name, rdtype, **query_options)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, server.host, port=server.port, timeout=timeout)


def make_resolver(server: DnsTestServer) -> dns.resolver.Resolver:
    """A stub resolver that only talks to ``server``."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    resolver.lifetime = TIMEOUT
    return resolver


def rdata_texts(response: dns.message.Message) -> list[str]:
    """The answer section as 'name type rdata' strings."""
    return [f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)} {rdata}"
            for rrset in response.answer for rdata in rrset]


def timed(fn, *args, **kwargs) -> tuple[object, float]:
    """Call ``fn`` and return ``(result, seconds taken)``."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def minimal_zone(origin: str | None, address: str) -> str:
    """A zone with just an SOA and an apex A record.

    With ``origin=None`` the text has no ``$ORIGIN``, so the loader must be
    told the origin.
    """
    header = f"$ORIGIN {origin}\n" if origin else ""
    return (f"{header}$TTL 60\n"
            f"@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ A {address}\n")


# -- answers ----------------------------------------------------------------

def test_address_properties(server: DnsTestServer) -> None:
    assert server.host == "127.0.0.1"
    assert server.address == f"127.0.0.1:{server.port}"
    assert server.running


def test_a_answer_is_authoritative(server: DnsTestServer) -> None:
    response = ask(server, "example.com", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert rdata_texts(response) == ["example.com. A 192.0.2.1"]


def test_same_port_serves_tcp(server: DnsTestServer) -> None:
    response = ask(server, "example.com", "AAAA", tcp=True)
    assert rdata_texts(response) == ["example.com. AAAA 2001:db8::1"]


def test_txt_keeps_multiple_strings(server: DnsTestServer) -> None:
    response = ask(server, "selector1._domainkey.example.com", "TXT")
    (rdata,) = response.answer[0]
    assert rdata.strings == (b"v=DKIM1; k=rsa; ", b"p=MIIBIjANBgkqhkiG9w0B")


def test_resolver_gets_mx_and_txt(server: DnsTestServer) -> None:
    resolver = make_resolver(server)
    mx = sorted((r.preference, r.exchange.to_text())
                for r in resolver.resolve("example.com", "MX"))
    assert mx == [(10, "mail.example.com."), (20, "mail2.example.net.")]
    txt = resolver.resolve("example.com", "TXT")
    assert txt[0].strings == (
        b"v=spf1 include:spf.protection.outlook.com -all",)


def test_ns_and_soa_at_apex(server: DnsTestServer) -> None:
    assert rdata_texts(ask(server, "example.com", "NS")) == [
        "example.com. NS ns1.example.com."]
    (soa,) = ask(server, "example.net", "SOA").answer[0]
    assert soa.serial == 7


def test_cname_within_zone_is_chased(server: DnsTestServer) -> None:
    response = ask(server, "www.example.com", "A")
    assert rdata_texts(response) == ["www.example.com. CNAME example.com.",
                                     "example.com. A 192.0.2.1"]


def test_cname_chain_is_chased_across_served_zones(
        server: DnsTestServer) -> None:
    response = ask(server, "autodiscover.example.com", "A")
    assert rdata_texts(response) == [
        "autodiscover.example.com. CNAME autodiscover.example.net.",
        "autodiscover.example.net. CNAME mail.example.net.",
        "mail.example.net. A 198.51.100.7",
    ]
    # The resolver follows the same chain to the final address.
    answer = make_resolver(server).resolve("autodiscover.example.com", "A")
    assert answer.canonical_name.to_text() == "mail.example.net."


def test_cname_out_of_served_zones_is_returned_alone(
        server: DnsTestServer) -> None:
    response = ask(server, "offsite.example.com", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert rdata_texts(response) == [
        "offsite.example.com. CNAME host.elsewhere.test."]


def test_cname_query_returns_cname_unchased(server: DnsTestServer) -> None:
    response = ask(server, "www.example.com", "CNAME")
    assert rdata_texts(response) == ["www.example.com. CNAME example.com."]


# -- negative answers --------------------------------------------------------

def test_nxdomain_has_soa_in_authority(server: DnsTestServer) -> None:
    response = ask(server, "missing.example.com", "TXT")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    assert not response.answer
    (soa_rrset,) = response.authority
    assert soa_rrset.rdtype == dns.rdatatype.SOA
    assert soa_rrset.ttl == 60  # min(SOA TTL, SOA MINIMUM), RFC 2308
    with pytest.raises(dns.resolver.NXDOMAIN):
        make_resolver(server).resolve("missing.example.com", "TXT")


def test_nodata_for_existing_name_without_type(
        server: DnsTestServer) -> None:
    response = ask(server, "mail.example.com", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert not response.answer
    assert response.authority[0].rdtype == dns.rdatatype.SOA
    with pytest.raises(dns.resolver.NoAnswer):
        make_resolver(server).resolve("mail.example.com", "TXT")


def test_empty_non_terminal_is_nodata_not_nxdomain(
        server: DnsTestServer) -> None:
    # _domainkey.example.com has no records, only selector1 below it.
    response = ask(server, "_domainkey.example.com", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert not response.answer


def test_name_outside_served_zones_is_refused(server: DnsTestServer) -> None:
    response = ask(server, "example.org", "A")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA
    with pytest.raises(dns.resolver.NoNameservers):
        make_resolver(server).resolve("example.org", "A")


# -- size truncation -----------------------------------------------------

def test_long_txt_is_truncated_over_udp_and_fetched_over_tcp(
        server: DnsTestServer) -> None:
    over_udp = ask(server, "long.example.com", "TXT")
    assert over_udp.flags & dns.flags.TC
    assert not over_udp.answer

    query = dns.message.make_query("long.example.com", "TXT")
    response, used_tcp = dns.query.udp_with_fallback(
        query, server.host, port=server.port, timeout=TIMEOUT)
    assert used_tcp
    assert response.answer[0][0].strings == tuple(
        part.encode() for part in LONG_TXT)
    outcomes = [(r.transport, r.outcome) for r in server.query_log]
    assert outcomes[-2:] == [("udp", "truncated"), ("tcp", "answered")]


def test_edns_payload_size_allows_large_udp_answer(
        server: DnsTestServer) -> None:
    response = ask(server, "long.example.com", "TXT",
                   use_edns=0, payload=4096)
    assert not response.flags & dns.flags.TC
    assert len(response.answer[0][0].strings) == 4


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(string.ascii_letters + string.digits + " =;-_.",
                        max_size=255), min_size=1, max_size=6))
def test_any_txt_record_round_trips(server: DnsTestServer,
                                    parts: list[str]) -> None:
    """Whatever TXT we load comes back intact, over UDP or via TCP."""
    record = " ".join(f'"{part}"' for part in parts)
    server.load_zone_text(
        "txt.test", minimal_zone("txt.test.", "192.0.2.9")
        + f"@ TXT {record}\n")
    query = dns.message.make_query("txt.test", "TXT")
    response, _ = dns.query.udp_with_fallback(
        query, server.host, port=server.port, timeout=TIMEOUT)
    assert response.answer[0][0].strings == tuple(p.encode() for p in parts)


# -- faults --------------------------------------------------------------

def test_per_name_delay_delays_only_that_name(server: DnsTestServer) -> None:
    delay = 0.2
    server.set_fault("mail.example.com", delay=delay)
    response, elapsed = timed(ask, server, "mail.example.com")
    assert response.answer
    assert elapsed >= delay
    _, undelayed = timed(ask, server, "example.com")
    assert undelayed < delay


def test_delayed_queries_are_answered_concurrently() -> None:
    """32 queries delayed 0.2 s each finish far sooner than 6.4 s serially."""
    delay, count = 0.2, 32
    with DnsTestServer(ZONES, fault_plan=FaultPlan(base_delay=delay)) as srv:
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            start = time.perf_counter()
            timings = list(pool.map(
                lambda _: timed(ask, srv, "example.com")[1], range(count)))
            total = time.perf_counter() - start
    assert min(timings) >= delay  # base_delay applies to every answer
    assert total < delay * count / 4


def test_servfail_fault_matches_name_case_insensitively(
        server: DnsTestServer) -> None:
    server.set_fault("Selector1._DomainKey.EXAMPLE.com", servfail=True)
    response = ask(server, "selector1._domainkey.example.com", "TXT")
    assert response.rcode() == dns.rcode.SERVFAIL
    assert not response.answer
    # Exact owner match only: names above or beside are unaffected.
    assert ask(server, "example.com", "TXT").rcode() == dns.rcode.NOERROR


def test_drop_fault_times_out_over_udp_and_tcp(server: DnsTestServer) -> None:
    server.set_fault("example.com", drop=True)
    with pytest.raises(dns.exception.Timeout):
        ask(server, "example.com", timeout=SHORT_TIMEOUT)
    with pytest.raises(dns.exception.Timeout):
        ask(server, "example.com", tcp=True, timeout=SHORT_TIMEOUT)
    assert [r.outcome for r in server.query_log] == ["dropped", "dropped"]


def test_truncate_fault_forces_tcp_retry(server: DnsTestServer) -> None:
    server.set_fault("example.com", truncate=True)
    over_udp = ask(server, "example.com")
    assert over_udp.flags & dns.flags.TC and not over_udp.answer
    response, used_tcp = dns.query.udp_with_fallback(
        dns.message.make_query("example.com", "A"), server.host,
        port=server.port, timeout=TIMEOUT)
    assert used_tcp
    assert rdata_texts(response) == ["example.com. A 192.0.2.1"]


def test_refused_fault(server: DnsTestServer) -> None:
    server.set_fault("example.com", refused=True)
    assert ask(server, "example.com").rcode() == dns.rcode.REFUSED


def test_clear_faults_restores_normal_answers(server: DnsTestServer) -> None:
    server.set_fault("example.com", servfail=True)
    server.set_fault("mail.example.com", refused=True)
    server.clear_faults()
    assert ask(server, "example.com").rcode() == dns.rcode.NOERROR
    assert ask(server, "mail.example.com").rcode() == dns.rcode.NOERROR


def run_plan(server: DnsTestServer, plan: FaultPlan,
             count: int = 30) -> list[tuple[str, float]]:
    """Send ``count`` sequential queries; return the (outcome, delay) log.

    The comparison uses the server's log, so a client timeout that fires a
    little early on a slow machine cannot change the result.
    """
    server.set_fault_plan(plan)  # re-seeds the generator
    server.clear_log()
    for _ in range(count):
        try:
            ask(server, "example.com", timeout=0.1)
        except dns.exception.Timeout:
            pass  # a dropped query
    return [(r.outcome.value, r.delay) for r in server.query_log]


def test_fault_plan_with_seed_is_reproducible(server: DnsTestServer) -> None:
    plan = FaultPlan(drop_rate=0.08, servfail_rate=0.15, truncate_rate=0.1,
                     refused_rate=0.1, max_delay=0.01, seed=3)
    first = run_plan(server, plan)
    assert run_plan(server, plan) == first
    assert {outcome for outcome, _ in first} == {
        "answered", "dropped", "servfail", "truncated", "refused"}
    other_seed = FaultPlan(**{**plan.__dict__, "seed": 4})
    assert run_plan(server, other_seed) != first


def test_fault_plan_rejects_impossible_rates() -> None:
    with pytest.raises(ValueError):
        FaultPlan(drop_rate=0.7, servfail_rate=0.5)
    with pytest.raises(ValueError):
        FaultPlan(base_delay=-1)


# -- log, zones, lifecycle -----------------------------------------------

def test_query_log_and_counters(server: DnsTestServer) -> None:
    ask(server, "Example.COM", "MX")
    ask(server, "missing.example.com", "A", tcp=True)
    ask(server, "example.org", "A")
    log = server.query_log
    assert [(r.name, r.qtype, r.transport, r.outcome, r.rcode)
            for r in log] == [
        ("example.com", "MX", "udp", "answered", "NOERROR"),
        ("missing.example.com", "A", "tcp", "nxdomain", "NXDOMAIN"),
        ("example.org", "A", "udp", "refused", "REFUSED"),
    ]
    assert all(isinstance(r, QueryRecord) for r in log)
    counters = server.counters
    assert (counters["total"], counters["udp"], counters["tcp"]) == (3, 2, 1)
    assert counters["answered"] == counters["nxdomain"] == 1
    server.clear_log()
    assert server.query_log == [] and server.counters["total"] == 0


def test_malformed_query_gets_formerr(server: DnsTestServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        # A 12-byte header claiming one question that is not there.
        sock.sendto(b"\x12\x34\x01\x00\x00\x01" + bytes(6),
                    (server.host, server.port))
        reply = dns.message.from_wire(sock.recv(512))
    assert reply.id == 0x1234
    assert reply.rcode() == dns.rcode.FORMERR
    assert server.query_log[-1].outcome == "formerr"


def test_zones_can_be_replaced_added_and_removed_while_running(
        server: DnsTestServer) -> None:
    server.load_zone_text("example.net",
                          minimal_zone("example.net.", "203.0.113.1"))
    assert rdata_texts(ask(server, "example.net")) == [
        "example.net. A 203.0.113.1"]
    assert ask(server, "mail.example.net").rcode() == dns.rcode.NXDOMAIN
    server.load_zone_text(None, minimal_zone("new.test.", "203.0.113.2"))
    assert ask(server, "new.test").answer
    assert server.remove_zone("new.test")
    assert ask(server, "new.test").rcode() == dns.rcode.REFUSED


def test_reloading_under_load_never_breaks_answers(
        server: DnsTestServer) -> None:
    stop = threading.Event()
    reloads = 0

    def reload_repeatedly() -> None:
        nonlocal reloads
        while not stop.is_set():
            server.load_zone_text("example.com", EXAMPLE_COM)
            reloads += 1
            time.sleep(0.001)  # yield the GIL so queries keep flowing

    reloader = threading.Thread(target=reload_repeatedly)
    reloader.start()
    try:
        answers = [rdata_texts(ask(server, "www.example.com"))
                   for _ in range(50)]
    finally:
        stop.set()
        reloader.join()
    assert reloads > 1
    assert all(answer == answers[0] for answer in answers)


def test_from_zone_files(tmp_path: Path) -> None:
    with_origin = tmp_path / "example.com.zone"
    with_origin.write_text(EXAMPLE_COM)
    without_origin = tmp_path / "plain.zone"  # origin given by the caller
    without_origin.write_text(minimal_zone(None, "192.0.2.77"))
    files = [with_origin, ("plain.test", str(without_origin))]
    with DnsTestServer.from_zone_files(files) as srv:
        assert srv.zone_origins == ["example.com.", "plain.test."]
        assert ask(srv, "mail.example.com").answer
        assert rdata_texts(ask(srv, "plain.test")) == [
            "plain.test. A 192.0.2.77"]


def test_a_thousand_zones() -> None:
    zones = [(f"zone{i}.test", minimal_zone(f"zone{i}.test.",
                                             f"10.0.{i // 256}.{i % 256}"))
             for i in range(1000)]
    with DnsTestServer(zones) as srv:
        for i in (0, 511, 999):
            assert rdata_texts(ask(srv, f"zone{i}.test")) == [
                f"zone{i}.test. A 10.0.{i // 256}.{i % 256}"]


def test_stop_is_prompt_even_with_pending_work() -> None:
    srv = DnsTestServer(ZONES).start()
    port = srv.port
    srv.set_fault("example.com", delay=30)
    wire = dns.message.make_query("example.com", "A").to_wire()
    with socket.create_connection((srv.host, port)) as tcp, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(wire, (srv.host, port))
        tcp.sendall(len(wire).to_bytes(2, "big") + wire)
        time.sleep(0.05)  # let both queries reach the server
        _, elapsed = timed(srv.stop)
        tcp.settimeout(TIMEOUT)
        assert tcp.recv(1) == b""  # the server closed the connection
    assert elapsed < 1.0
    assert not srv.running
    assert f"dns-test-server:{port}" not in {
        t.name for t in threading.enumerate()}
    # Both sockets are released: the port can be bound again.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind((srv.host, port))
    srv.stop()  # a second stop is harmless
