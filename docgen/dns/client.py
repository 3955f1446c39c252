"""The one DNS query layer: every lookup docgen makes goes through a LookupClient.

A lookup asks one question (name, type) with a per-query timeout, retries,
failover across nameservers and UDP with TCP fallback on truncation, and ends
in exactly one recorded outcome:

- ``noerror``: the name has records of the type (``records`` holds them);
- ``nxdomain``: the name does not exist;
- ``nodata``: the name exists without records of the type;
- ``servfail``, ``refused``, ``timeout``, ``error``: no usable answer; the
  record may or may not exist (never report these as "missing"). ``refused`` is a
  REFUSED answer, or a nameserver that refused the connection or cannot be reached
  (nothing listening: its error says which);
- ``not_attempted``: the overall deadline passed (or the run was stopped)
  before the question was asked.

Answers come over the network (``NetworkTransport``) or from zone files in
process (``ZoneTransport``, for documenting a zone before it is published).
One client memoises every outcome for the length of a run, so a name shared by
many domains (an SPF include, say) is asked once and every domain sees the same
answer. checkdmarc reaches the same client through ``ClientResolver`` (a
dnspython Resolver) and ``ClientNameserver`` (for the few checkdmarc paths that
build their own resolver).
"""

from __future__ import annotations

import dataclasses
import errno
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Protocol

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from docgen.dns.settings import ResolverSettings
from docgen.readers import zones

OUTCOMES = ("noerror", "nxdomain", "nodata", "servfail", "refused", "timeout", "error",
            "not_attempted")
#: Outcomes that say nothing about whether a record exists.
FAILED_OUTCOMES = frozenset({"servfail", "refused", "timeout", "error", "not_attempted"})
#: Follow at most this many CNAMEs that a server left for the client to chase.
MAX_CHASE = 8
#: EDNS payload size (the DNS flag day 2020 value): large answers fit in UDP,
#: larger ones come back truncated and are asked again over TCP.
EDNS_PAYLOAD = 1232
DEFAULT_PORT = 53


@dataclasses.dataclass(frozen=True)
class Nameserver:
    """A nameserver to ask: an IP address and a port."""

    host: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """'192.0.2.53', '192.0.2.53:5353', '2001:db8::53' or '[2001:db8::53]:5353'.

    Raises ValueError with a message fit for a user.
    """
    text = text.strip()
    host, port_text = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"{text!r} is not HOST[:PORT]")
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{text!r}: the nameserver must be an IP address, "
                         "optionally with :PORT") from None
    port = DEFAULT_PORT
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"{text!r}: the port must be a number from 1 to 65535")
        port = int(port_text)
    return Nameserver(str(address), port)


def system_nameservers() -> list[Nameserver]:
    """The nameservers this machine is configured to use (/etc/resolv.conf)."""
    try:
        configured = dns.resolver.Resolver().nameservers
    except dns.exception.DNSException:
        return []
    return [Nameserver(str(entry)) for entry in configured if isinstance(entry, str)]


@dataclasses.dataclass(frozen=True)
class Lookup:
    """How one question ended. ``name`` is lower case without the final dot."""

    name: str
    rdtype: str
    outcome: str
    records: tuple[str, ...] = ()
    ttl: int | None = None
    cname_chain: tuple[str, ...] = ()
    error: str | None = None
    # The response to hand to dnspython callers (None for a failure); not stored.
    response: dns.message.Message | None = dataclasses.field(default=None, compare=False,
                                                             repr=False)

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES

    def to_record(self) -> dict:
        return {"name": self.name, "type": self.rdtype, "outcome": self.outcome,
                "records": list(self.records), "ttl": self.ttl,
                "cname_chain": list(self.cname_chain), "error": self.error}


class Transport(Protocol):
    """Where questions go: nameservers over the network, or zones in process."""

    servers: list

    def exchange(self, server, query: dns.message.Message,
                 timeout: float) -> dns.message.Message: ...

    def describe(self) -> dict: ...

    def refused_reason(self) -> str: ...


class NetworkTransport:
    """Nameservers asked in order (failover), UDP first and TCP on truncation."""

    def __init__(self, nameservers: list[Nameserver]) -> None:
        if not nameservers:
            raise ValueError("no nameserver to ask")
        self.servers = list(nameservers)

    def exchange(self, server: Nameserver, query: dns.message.Message,
                 timeout: float) -> dns.message.Message:
        """One query; a truncated answer is asked again over TCP within the same
        `timeout` (dnspython's udp_with_fallback gives TCP a fresh one, which let a
        lookup asked just before the deadline end up to a timeout after it)."""
        started = time.monotonic()
        try:
            return _connected_udp(query, server, timeout)
        except dns.message.Truncated:
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                raise dns.exception.Timeout(timeout=timeout) from None
            try:
                return dns.query.tcp(query, server.host, timeout=left, port=server.port)
            except OSError as exc:   # e.g. a firewall that lets DNS through over UDP only
                raise OSError(exc.errno, f"{exc.strerror or type(exc).__name__} over TCP, "
                                         "where a truncated UDP answer must be asked again") from None

    def describe(self) -> dict:
        return {"mode": "network", "nameservers": [str(server) for server in self.servers],
                "zone_files": []}

    def refused_reason(self) -> str:
        return "the nameserver refused to answer (REFUSED)"


def _connected_udp(query: dns.message.Message, server: Nameserver,
                   timeout: float) -> dns.message.Message:
    """One UDP exchange over a connected socket: the kernel then hands back "nothing
    listening there" (ICMP port unreachable) as ConnectionRefusedError at once, which an
    unconnected socket never sees (that server would read as a timeout), and lets through
    only datagrams from that server."""
    expiration = time.time() + timeout
    family = socket.AF_INET6 if ":" in server.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)   # dnspython waits for it with its own timeout
        sock.connect((server.host, server.port))
        dns.query.send_udp(sock, query, None, expiration)   # no destination: send() on it
        response, _received, _sender = dns.query.receive_udp(
            sock, None, expiration, raise_on_truncation=True, query=query)
    if not query.is_response(response):
        raise dns.query.BadResponse
    return response


#: Socket errors that mean the nameserver cannot be reached at all (not slow: refused).
UNREACHABLE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH,
                                errno.ECONNRESET})


#: In the error of a lookup whose nameserver refused the connection or cannot be reached.
UNREACHABLE = " is unreachable: "


def unreachable_words(server: object, exc: OSError) -> str:
    """'127.0.0.1:5399 is unreachable: connection refused'"""
    reason = exc.strerror or type(exc).__name__
    return f"{server}{UNREACHABLE}{reason[:1].lower()}{reason[1:]}"


def resolver_words(described: dict) -> str:
    """Where the answers of a run came from, as LookupClient.describe() records it:
    'through 192.0.2.53:53, 192.0.2.54:53' or 'from the zone files contoso.com.zone'."""
    if described["mode"] == "zone_files":
        return f"from the zone files {', '.join(described['zone_files'])}"
    return f"through {', '.join(described['nameservers'])}"


class ZoneTransport:
    """Answers from zone files, with no sockets."""

    def __init__(self, served: Mapping[dns.name.Name, zones.ServedZone],
                 file_names: list[str]) -> None:
        self.servers = ["zone files"]
        self._zones = dict(served)
        self._file_names = list(file_names)

    def exchange(self, server: str, query: dns.message.Message,
                 timeout: float) -> dns.message.Message:
        return zones.answer_query(self._zones, query)

    def describe(self) -> dict:
        return {"mode": "zone_files", "nameservers": [], "zone_files": self._file_names}

    def refused_reason(self) -> str:
        return "no zone file given holds this name"


def normalize_name(name: str | dns.name.Name) -> str:
    """'Selector1._DomainKey.Contoso.COM.' -> 'selector1._domainkey.contoso.com'."""
    text = name.to_text() if isinstance(name, dns.name.Name) else str(name)
    return text.rstrip(".").lower()


class LookupClient:
    """Asks questions through a transport, memoising every outcome for one run.

    Thread-safe: many domains are worked on at once, and a question asked by
    several of them at the same moment is sent once.
    """

    def __init__(self, transport: Transport, settings: ResolverSettings, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.transport = transport
        self.settings = settings
        self._clock = clock
        self._deadline_at = clock() + settings.deadline
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, str], Future] = {}
        self._sent = 0

    # -- the run ------------------------------------------------------------

    def stop(self) -> None:
        """From now on every question not yet asked ends as ``not_attempted``."""
        self._stopped.set()

    def close(self) -> None:
        """End the run: forget the answers (their outcomes are recorded by then) so
        their memory is free while the bundle is written; later lookups are not made."""
        self.stop()
        with self._lock:
            self._memo.clear()

    @property
    def queries_sent(self) -> int:
        """Queries sent (retries and failover included; TCP fallback not counted twice)."""
        with self._lock:
            return self._sent

    def lookups(self) -> list[Lookup]:
        """Every question finished so far, sorted by name and type."""
        with self._lock:
            futures = list(self._memo.values())
        done = [future.result() for future in futures if future.done()
                and future.exception() is None]
        return sorted(done, key=lambda lookup: (lookup.name, lookup.rdtype))

    def recorded(self, name: str | dns.name.Name, rdtype: str) -> Lookup | None:
        """How (name, type) ended if it was asked in this run and has finished; never asks."""
        with self._lock:
            future = self._memo.get((normalize_name(name), rdtype.upper()))
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def describe(self) -> dict:
        """The settings to record in the bundle."""
        return {**self.transport.describe(), "timeout": self.settings.timeout,
                "retries": self.settings.retries, "concurrency": self.settings.concurrency,
                "deadline": self.settings.deadline}

    # -- asking -------------------------------------------------------------

    def lookup(self, name: str | dns.name.Name, rdtype: str) -> Lookup:
        """The outcome of asking (name, type), asked at most once per run."""
        key = (normalize_name(name), rdtype.upper())
        with self._lock:
            future = self._memo.get(key)
            owner = future is None
            if future is None:
                future = self._memo[key] = Future()
        if owner:
            try:
                future.set_result(self._resolve(*key))
            except BaseException as exc:  # a bug: let every waiter see it too
                future.set_exception(exc)
                raise
        return future.result()

    def _resolve(self, name: str, rdtype: str) -> Lookup:
        """Ask, then chase CNAMEs the server left dangling (target outside its data)."""
        lookup, dangling = self._ask(name, rdtype)
        seen = {name}
        for _ in range(MAX_CHASE):
            if not dangling:
                return lookup
            target = lookup.cname_chain[-1]
            if target in seen:
                return dataclasses.replace(lookup, outcome="error", error="CNAME loop")
            seen.add(target)
            chased, dangling = self._ask(target, rdtype)
            lookup = _after_cnames(lookup, chased)
        return dataclasses.replace(lookup, outcome="error", error="CNAME chain too long")

    def _remaining(self) -> float:
        if self._stopped.is_set():
            return 0.0
        return self._deadline_at - self._clock()

    def _ask(self, name: str, rdtype: str) -> tuple[Lookup, bool]:
        """One question over every server and retry; (outcome, dangling CNAME?)."""
        query = dns.message.make_query(name + ".", rdtype, use_edns=0, payload=EDNS_PAYLOAD)
        failure: Lookup | None = None
        for _ in range(self.settings.retries + 1):
            for server in self.transport.servers:
                remaining = self._remaining()
                if remaining <= 0:
                    return failure or _failed(name, rdtype, "not_attempted",
                                              "the run's deadline passed first"), False
                with self._lock:
                    self._sent += 1
                try:
                    response = self.transport.exchange(
                        server, query, min(self.settings.timeout, remaining))
                except dns.exception.Timeout:
                    failure = _failed(name, rdtype, "timeout", f"no answer from {server} "
                                      f"within {min(self.settings.timeout, remaining):g} s")
                    continue
                except OSError as exc:
                    if exc.errno not in UNREACHABLE_ERRNOS:
                        failure = _failed(name, rdtype, "error", f"{server}: {_short(exc)}")
                        continue
                    # refused, not timed out: the answer is no more known, but the reason is
                    failure = _failed(name, rdtype, "refused", unreachable_words(server, exc))
                    continue
                except (OSError, EOFError, ValueError, dns.exception.DNSException) as exc:
                    failure = _failed(name, rdtype, "error", f"{server}: {_short(exc)}")
                    continue
                answered = self._classify(name, rdtype, response, server)
                if not answered[0].failed:
                    return answered
                failure = answered[0]
        assert failure is not None
        return failure, False

    def _classify(self, name: str, rdtype: str, response: dns.message.Message,
                  server: object) -> tuple[Lookup, bool]:
        rcode = response.rcode()
        if rcode == dns.rcode.SERVFAIL:
            return _failed(name, rdtype, "servfail", f"{server} answered SERVFAIL"), False
        if rcode == dns.rcode.REFUSED:
            return _failed(name, rdtype, "refused", self.transport.refused_reason()), False
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return _failed(name, rdtype, "error",
                           f"{server} answered {dns.rcode.to_text(rcode)}"), False
        # An answer to a QUERY is parsed as a QueryMessage (dns.query checks the opcode
        # matches), and zones.answer_query makes one with make_response: never a bare Message
        assert isinstance(response, dns.message.QueryMessage)
        try:
            chain = response.resolve_chaining()
        except (dns.exception.DNSException, dns.message.ChainTooLong) as exc:
            return _failed(name, rdtype, "error", f"unusable answer: {_short(exc)}"), False
        targets = tuple(normalize_name(rrset[0].target) for rrset in chain.cnames)
        if rcode == dns.rcode.NXDOMAIN:
            return Lookup(name, rdtype, "nxdomain", cname_chain=targets, response=response), False
        if chain.answer is None:
            # A CNAME without the target's data and without the target zone's
            # SOA: the server does not hold the target, so ask for it ourselves.
            dangling = bool(targets) and not _has_soa(response)
            return Lookup(name, rdtype, "nodata", cname_chain=targets,
                          response=response), dangling
        records = tuple(sorted(_rdata_text(rdata) for rdata in chain.answer))
        return Lookup(name, rdtype, "noerror", records=records, ttl=chain.minimum_ttl,
                      cname_chain=targets, response=response), False


def _after_cnames(first: Lookup, chased: Lookup) -> Lookup:
    """The outcome of a chased CNAME target, seen from the first name."""
    ttls = [ttl for ttl in (first.ttl, chased.ttl) if ttl is not None]
    response = None
    if chased.response is not None:
        assert first.response is not None   # only a CNAME left dangling in a response is chased
        # One response holding the whole chain, as a recursive resolver would give.
        response = dns.message.make_response(dns.message.make_query(first.name + ".",
                                                                     first.rdtype))
        zones.add_rrsets(response, response.answer,
                         list(first.response.answer) + list(chased.response.answer))
        response.set_rcode(chased.response.rcode())
    return dataclasses.replace(
        chased, name=first.name, rdtype=first.rdtype,
        cname_chain=first.cname_chain + chased.cname_chain,
        ttl=min(ttls) if ttls and chased.outcome == "noerror" else chased.ttl,
        response=response)


def _failed(name: str, rdtype: str, outcome: str, error: str) -> Lookup:
    return Lookup(name, rdtype, outcome, error=error)


def _has_soa(response: dns.message.Message) -> bool:
    return any(rrset.rdtype == dns.rdatatype.SOA for rrset in response.authority)


def _rdata_text(rdata) -> str:
    """TXT as its strings joined without spaces (RFC 7208 3.3); others as presentation."""
    if rdata.rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", errors="backslashreplace")
    return rdata.to_text()


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


# -- dnspython faces of the client, for checkdmarc ----------------------------

class ClientResolver(dns.resolver.Resolver):
    """A dnspython Resolver whose resolve() asks a LookupClient.

    It raises what dnspython's own resolver raises, so checkdmarc tells
    NXDOMAIN, NoAnswer, timeouts (LifetimeTimeout) and SERVFAIL/REFUSED
    (NoNameservers) apart as usual. ``on_lookup`` sees every outcome.
    """

    def __init__(self, client: LookupClient,
                 on_lookup: Callable[[Lookup], None] | None = None) -> None:
        super().__init__(configure=False)
        self.client = client
        self.on_lookup = on_lookup
        self.lifetime = client.settings.timeout * (client.settings.retries + 1)

    def resolve(self, qname, rdtype=dns.rdatatype.A, rdclass=dns.rdataclass.IN,
                tcp=False, source=None, raise_on_no_answer=True, source_port=0,
                lifetime=None, search=None) -> dns.resolver.Answer:
        rdtype = dns.rdatatype.RdataType.make(rdtype)
        lookup = self.client.lookup(qname, dns.rdatatype.to_text(rdtype))
        if self.on_lookup is not None:
            self.on_lookup(lookup)
        return answer_or_raise(lookup, rdtype, raise_on_no_answer, self.lifetime)


def answer_or_raise(lookup: Lookup, rdtype: dns.rdatatype.RdataType,
                    raise_on_no_answer: bool = True,
                    lifetime: float = 0.0) -> dns.resolver.Answer:
    """A lookup as dnspython's resolver would return or raise it."""
    response = lookup.response
    if response is not None:
        qname = response.question[0].name
        if lookup.outcome == "noerror" or (lookup.outcome == "nodata" and not raise_on_no_answer):
            assert isinstance(response, dns.message.QueryMessage)   # see _classify, _after_cnames
            return dns.resolver.Answer(qname, rdtype, dns.rdataclass.IN, response)
        if lookup.outcome == "nxdomain":
            raise dns.resolver.NXDOMAIN(qnames=[qname], responses={qname: response})
        raise dns.resolver.NoAnswer(response=response)
    if lookup.outcome in ("timeout", "not_attempted"):
        raise dns.resolver.LifetimeTimeout(timeout=lifetime,
                                           errors=[("docgen", False, 0, lookup.error, None)])
    raise dns.resolver.NoNameservers(
        request=dns.message.make_query(lookup.name + ".", rdtype),
        errors=[("docgen", False, 0, lookup.error or lookup.outcome.upper(), None)])


def _response_for(request: dns.message.Message, lookup: Lookup) -> dns.message.Message:
    """The answer to `request` (same id and question) from a lookup."""
    response = dns.message.make_response(request)
    if lookup.response is not None:
        zones.add_rrsets(response, response.answer, lookup.response.answer)
        response.set_rcode(lookup.response.rcode())
    else:
        response.set_rcode(dns.rcode.SERVFAIL)
    return response


class ClientNameserver(dns.nameserver.Nameserver):
    """A dnspython Nameserver that answers through a LookupClient.

    For checkdmarc paths that build their own dnspython resolver from a
    ``nameservers`` list instead of using the one they were given (SPF's
    ``exp=`` lookup): they too must never ask anyone but our client. A failed
    lookup is answered as SERVFAIL, so dnspython gives up at once instead of
    retrying until its lifetime runs out.
    """

    def __init__(self, client: LookupClient) -> None:
        super().__init__()
        self.client = client

    def __str__(self) -> str:
        return "docgen"

    def kind(self) -> str:
        return "docgen"

    def is_always_max_size(self) -> bool:
        return False

    def answer_nameserver(self) -> str:
        return "docgen"

    def answer_port(self) -> int:
        return 0

    def query(self, request, timeout, source, source_port, max_size,
              one_rr_per_rrset=False, ignore_trailing=False) -> dns.message.Message:
        question = request.question[0]
        lookup = self.client.lookup(question.name, dns.rdatatype.to_text(question.rdtype))
        return _response_for(request, lookup)
