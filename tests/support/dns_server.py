"""An in-process authoritative DNS server for tests and benchmarks.

:class:`DnsTestServer` serves one or more zone files (parsed with dnspython)
on ``127.0.0.1`` over UDP *and* TCP on a single ephemeral port, so code under
test can be pointed at it exactly as it would be at a real nameserver.  It
answers like a plain authoritative server (AA bit, CNAME chasing inside the
served zones, NXDOMAIN / NODATA with the zone's SOA, REFUSED outside every
zone, TC on oversize UDP answers) and can inject faults per name or at random
with a fixed seed, so failure handling can be tested reproducibly.

Design notes:

* The network side is one asyncio event loop on one background thread.  A
  delayed answer is a ``loop.call_later`` timer rather than a sleeping
  thread, so any number of delayed queries overlap: 32 queries delayed by
  20 ms all finish after about 20 ms.  TCP connections each get their own
  task and pipelined queries on a connection are answered concurrently.
* Answering from zones is docgen's own :mod:`docgen.readers.zones` (the
  code ``docgen collect dns --zone-file`` uses in-process); this module adds
  only sockets, faults and the query log.  Served zones are swapped in
  copy-on-write, so the hot path reads them without locking and zones can be
  (re)loaded while queries are in flight.
* Faults, the random number generator, the query log and the counters are
  shared with the caller's threads and guarded by one lock.
* Messages are parsed and built with dnspython only; no wire format is
  written by hand.

Wildcards, delegations/referrals, additional-section glue, zone transfers and
DNSSEC are deliberately not implemented.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import enum
import logging
import os
import pathlib
import random
import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Self, TypeAlias, cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset

from docgen.readers import zones

#: A zone to serve: ``(origin, source)``; see :data:`zones.ZoneSource`.
ZoneSource: TypeAlias = zones.ZoneSource

HOST = "127.0.0.1"
#: Largest UDP answer when the query carries no EDNS (RFC 1035).
CLASSIC_UDP_PAYLOAD = 512
#: Largest DNS message that fits the 2-byte TCP length prefix.
MAX_TCP_MESSAGE = 65535
#: Close TCP connections that stay silent this long.
TCP_IDLE_TIMEOUT = 10.0
#: How often start() tries to find a port free for both UDP and TCP.
BIND_ATTEMPTS = 50
#: Seconds stop() waits for the loop thread before giving up on it.
STOP_TIMEOUT = 1.0


class Outcome(enum.StrEnum):
    """What the server did with one query (see :class:`QueryRecord`)."""

    ANSWERED = "answered"
    NODATA = "nodata"
    NXDOMAIN = "nxdomain"
    REFUSED = "refused"
    SERVFAIL = "servfail"
    DROPPED = "dropped"
    TRUNCATED = "truncated"
    FORMERR = "formerr"
    NOTIMP = "notimp"


@dataclasses.dataclass(frozen=True)
class Fault:
    """Faults injected for one owner name.

    Actions take precedence in the order drop, refused, servfail,
    truncate; ``delay`` is added to whatever happens.
    """

    delay: float = 0.0
    servfail: bool = False
    drop: bool = False
    truncate: bool = False
    refused: bool = False

    def __post_init__(self) -> None:
        if self.delay < 0:
            raise ValueError(f"delay must be >= 0, got {self.delay}")

    @property
    def is_noop(self) -> bool:
        """True if this fault changes nothing (so it need not be stored)."""
        return self == Fault()


@dataclasses.dataclass(frozen=True)
class FaultPlan:
    """Random faults applied to every query, reproducible through ``seed``.

    For each query the server draws two numbers from ``random.Random(seed)``
    in the order queries arrive: one picks an action (drop, refused,
    servfail, truncate or none, with the given probabilities; their sum must
    not exceed 1) and one picks an extra latency uniformly from
    ``[0, max_delay]``.  ``base_delay`` is added to every answer, e.g. 0.02
    to simulate a 20 ms round trip in benchmarks.
    """

    drop_rate: float = 0.0
    servfail_rate: float = 0.0
    truncate_rate: float = 0.0
    refused_rate: float = 0.0
    max_delay: float = 0.0
    base_delay: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        rates = (self.drop_rate, self.servfail_rate,
                 self.truncate_rate, self.refused_rate)
        if any(rate < 0 for rate in rates) or sum(rates) > 1.0:
            raise ValueError("fault rates must be >= 0 and sum to <= 1")
        if self.max_delay < 0 or self.base_delay < 0:
            raise ValueError("delays must be >= 0")


@dataclasses.dataclass(frozen=True)
class QueryRecord:
    """One entry of the query log.

    ``name`` is the query name in lower case without the trailing dot;
    ``qtype`` is the type mnemonic ("TXT"); ``transport`` is "udp" or "tcp";
    ``rcode`` is the rcode sent ("" when nothing was sent); ``delay`` is the
    injected latency in seconds; ``time`` is ``time.monotonic()`` at receipt.
    """

    name: str
    qtype: str
    transport: str
    outcome: Outcome
    rcode: str
    delay: float
    time: float


class _Action(enum.Enum):
    """A fault action chosen for one query before it is answered."""

    NONE = enum.auto()
    DROP = enum.auto()
    REFUSED = enum.auto()
    SERVFAIL = enum.auto()
    TRUNCATE = enum.auto()


def _outcome_of(resolution: zones.Resolution) -> Outcome:
    """The log outcome of an answer from the zones."""
    if resolution.rcode == dns.rcode.NXDOMAIN:
        return Outcome.NXDOMAIN
    return Outcome.ANSWERED if resolution.answer else Outcome.NODATA


# --------------------------------------------------------------------------
# Message helpers
# --------------------------------------------------------------------------

def _udp_limit(query: dns.message.Message) -> int:
    """Largest UDP answer the client accepts: its EDNS size, or 512."""
    if query.edns < 0:
        return CLASSIC_UDP_PAYLOAD
    return max(CLASSIC_UDP_PAYLOAD, query.payload)


def _render(response: dns.message.Message, limit: int) -> tuple[bytes, bool]:
    """Encode ``response``; if it exceeds ``limit`` send an empty TC answer.

    Returns the wire bytes and whether truncation happened.
    """
    try:
        return response.to_wire(max_size=limit), False
    except dns.exception.TooBig:
        _make_truncated(response)
        return response.to_wire(max_size=limit), True


def _make_truncated(response: dns.message.Message) -> None:
    """Empty all record sections and set TC so the client retries on TCP."""
    response.answer.clear()
    response.authority.clear()
    response.additional.clear()
    response.flags |= dns.flags.TC


def _formerr_reply(wire: bytes) -> bytes | None:
    """A FORMERR answer for a message dnspython could not parse.

    Only possible when the 12-byte header is there and is not itself a
    response (answering responses could start reply loops).
    """
    if len(wire) < 12 or wire[2] & 0x80:
        return None
    reply = dns.message.Message(id=int.from_bytes(wire[:2], "big"))
    reply.flags = dns.flags.QR
    reply.set_rcode(dns.rcode.FORMERR)
    return reply.to_wire()


def _pick_action(fault: Fault | None, plan: FaultPlan | None,
                 draw: float) -> _Action:
    """Combine the per-name fault and the random plan into one action."""
    if fault is not None:
        for enabled, action in ((fault.drop, _Action.DROP),
                                (fault.refused, _Action.REFUSED),
                                (fault.servfail, _Action.SERVFAIL),
                                (fault.truncate, _Action.TRUNCATE)):
            if enabled:
                return action
    if plan is None:
        return _Action.NONE
    # One uniform draw partitioned into intervals keeps the rates exact.
    threshold = 0.0
    for rate, action in ((plan.drop_rate, _Action.DROP),
                         (plan.refused_rate, _Action.REFUSED),
                         (plan.servfail_rate, _Action.SERVFAIL),
                         (plan.truncate_rate, _Action.TRUNCATE)):
        threshold += rate
        if draw < threshold:
            return action
    return _Action.NONE


def _bind_port_pair(host: str) -> tuple[socket.socket, socket.socket]:
    """Bind UDP to an ephemeral port, then TCP to the same port number.

    The kernel only guarantees the port is free for UDP, so if the TCP bind
    collides with another listener, try again with a fresh port.
    """
    for _ in range(BIND_ATTEMPTS):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind((host, port))
            tcp.listen(socket.SOMAXCONN)
        except OSError:
            udp.close()
            tcp.close()
            continue
        _grow_receive_buffer(udp)
        return udp, tcp
    raise OSError(f"no port free for both UDP and TCP on {host} "
                  f"after {BIND_ATTEMPTS} attempts")


def _grow_receive_buffer(sock: socket.socket) -> None:
    """Ask for a large UDP receive buffer so query bursts are not lost."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    except OSError:
        pass  # the kernel default still works, just with less headroom


class _UdpProtocol(asyncio.DatagramProtocol):
    """Hands every datagram to the server and sends (or schedules) a reply."""

    def __init__(self, server: DnsTestServer) -> None:
        self._server = server
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # CPython's selector transport does not subclass DatagramTransport.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply, delay = self._server._process(data, "udp")
        if reply is None:
            return
        if delay > 0:
            # A timer, not a sleep: other queries keep being answered.
            asyncio.get_running_loop().call_later(delay, self._send,
                                                  reply, addr)
        else:
            self._send(reply, addr)

    def _send(self, reply: bytes, addr: tuple[str, int]) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(reply, addr)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

class DnsTestServer:
    """An authoritative DNS server on 127.0.0.1 (UDP and TCP, one port).

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with DnsTestServer.from_zone_files([Path("example.com.zone")]) as s:
            resolver.nameservers = [s.host]
            resolver.port = s.port

    All public methods are thread-safe and may be called while it runs.
    """

    def __init__(self, zones: Iterable[ZoneSource] = (), *,
                 fault_plan: FaultPlan | None = None,
                 log_limit: int = 100_000, tcp: bool = True) -> None:
        """Parse ``zones`` (see :data:`ZoneSource`) and prepare the server.

        With ``tcp=False`` the port refuses TCP connections (nothing listens
        there), as behind a firewall that lets only UDP through: a truncated
        answer then cannot be asked again over TCP.

        ``log_limit`` bounds the query log (oldest entries are discarded) so
        long benchmarks do not grow memory without limit; counters are not
        bounded.
        """
        self._lock = threading.Lock()  # faults, RNG, log, zone swaps
        # Serialises start/stop; re-entrant because start's error path stops.
        self._lifecycle = threading.RLock()
        self._zones: dict[dns.name.Name, zones.ServedZone] = {}
        self._faults: dict[dns.name.Name, Fault] = {}
        self._plan: FaultPlan | None = None
        self._rng = random.Random(0)
        self._log: collections.deque[QueryRecord] = collections.deque(
            maxlen=log_limit)
        self._counters: collections.Counter[str] = collections.Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._udp_transport: asyncio.DatagramTransport | None = None
        self._tcp_server: asyncio.Server | None = None
        self._port: int | None = None
        self._tcp = tcp
        self.load_zones(zones)
        self.set_fault_plan(fault_plan)

    @classmethod
    def from_zone_files(
            cls,
            files: Iterable[str | os.PathLike[str]
                            | tuple[dns.name.Name | str | None,
                                    str | os.PathLike[str]]],
            *, fault_plan: FaultPlan | None = None,
            log_limit: int = 100_000) -> Self:
        """Build a server from zone *files*.

        Each item is a path (origin taken from its ``$ORIGIN``) or an
        ``(origin, path)`` pair; plain strings are paths here.
        """
        sources: list[ZoneSource] = []
        for item in files:
            origin, path = item if isinstance(item, tuple) else (None, item)
            sources.append((origin, _as_path(path)))
        return cls(sources, fault_plan=fault_plan, log_limit=log_limit)

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> Self:
        """Bind the port and start answering; returns ``self``.

        A stopped server may be started again (on a new port).
        """
        with self._lifecycle:
            if self._thread is not None:
                raise RuntimeError("server is already running")
            udp_sock, tcp_sock = _bind_port_pair(HOST)
            self._port = udp_sock.getsockname()[1]
            if not self._tcp:
                tcp_sock.close()   # the port is free of TCP listeners: connecting is refused
            loop = asyncio.new_event_loop()
            # Daemon, so a test that forgets stop() cannot hang interpreter
            # exit.
            thread = threading.Thread(target=self._run_loop, args=(loop,),
                                      name=f"dns-test-server:{self._port}",
                                      daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
            opening = asyncio.run_coroutine_threadsafe(
                self._open_endpoints(udp_sock, tcp_sock), loop)
            try:
                opening.result(timeout=5)
            except BaseException:
                self.stop()
                udp_sock.close()
                tcp_sock.close()
                raise
            return self

    def stop(self) -> None:
        """Stop answering, close the sockets and join the thread (< 1 s).

        Pending delayed answers are discarded.  Safe to call twice.
        """
        with self._lifecycle:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            loop.call_soon_threadsafe(self._close_endpoints_and_stop, loop)
            thread.join(timeout=STOP_TIMEOUT)
            self._loop = self._thread = None
            self._udp_transport = self._tcp_server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None

    @property
    def host(self) -> str:
        """Always ``"127.0.0.1"``."""
        return HOST

    @property
    def port(self) -> int:
        """The UDP/TCP port (valid once started; kept after stop)."""
        if self._port is None:
            raise RuntimeError("server has not been started")
        return self._port

    @property
    def address(self) -> str:
        """``"127.0.0.1:PORT"``."""
        return f"{self.host}:{self.port}"

    # -- zones ---------------------------------------------------------------

    def load_zones(self, sources: Iterable[ZoneSource]) -> list[str]:
        """Add or replace several zones at once; returns their origins.

        Zones are parsed before anything is swapped in, so a bad zone leaves
        the served set untouched.
        """
        loaded = [zones.load_zone(origin, source)
                  for origin, source in sources]
        with self._lock:
            served_zones = dict(self._zones)  # copy-on-write: readers never lock
            served_zones.update((served.origin, served) for served in loaded)
            self._zones = served_zones
        return [served.origin.to_text() for served in loaded]

    def load_zone_text(self, origin: str | dns.name.Name | None,
                       text: str) -> str:
        """Add or replace one zone from text; returns its origin."""
        return self.load_zones([(origin, text)])[0]

    def load_zone_file(self, path: str | os.PathLike[str],
                       origin: str | dns.name.Name | None = None) -> str:
        """Add or replace one zone from a file; returns its origin."""
        return self.load_zones([(origin, _as_path(path))])[0]

    def remove_zone(self, origin: str | dns.name.Name) -> bool:
        """Stop serving a zone; returns False if it was not served."""
        name = zones.to_name(origin)
        with self._lock:
            if name not in self._zones:
                return False
            served_zones = dict(self._zones)
            del served_zones[name]
            self._zones = served_zones
        return True

    @property
    def zone_origins(self) -> list[str]:
        """Origins of the served zones, e.g. ``["example.com."]``."""
        return sorted(origin.to_text() for origin in self._zones)

    # -- faults -------------------------------------------------------------

    def set_fault(self, name: str | dns.name.Name, *, delay: float = 0.0,
                  servfail: bool = False, drop: bool = False,
                  truncate: bool = False, refused: bool = False) -> None:
        """Inject faults for queries whose name is exactly ``name``.

        Matching ignores case.  Each call replaces the name's previous fault;
        a call with no fault set removes it.  ``delay`` is in seconds and is
        added to any :class:`FaultPlan` latency.
        """
        fault = Fault(delay=delay, servfail=servfail, drop=drop,
                      truncate=truncate, refused=refused)
        key = zones.to_name(name)
        with self._lock:
            if fault.is_noop:
                self._faults.pop(key, None)
            else:
                self._faults[key] = fault

    def clear_faults(self) -> None:
        """Remove all per-name faults (the fault plan is kept)."""
        with self._lock:
            self._faults.clear()

    def set_fault_plan(self, plan: FaultPlan | None) -> None:
        """Install (or with ``None`` remove) random faults for all queries.

        The random generator is re-seeded from ``plan.seed`` on every call,
        so the same queries sent in the same order meet the same faults.
        """
        with self._lock:
            self._plan = plan
            self._rng = random.Random(plan.seed if plan else 0)

    @property
    def fault_plan(self) -> FaultPlan | None:
        """The current random fault plan, if any."""
        return self._plan

    # -- query log ----------------------------------------------------------

    @property
    def query_log(self) -> list[QueryRecord]:
        """A snapshot of the queries received, oldest first."""
        with self._lock:
            return list(self._log)

    @property
    def counters(self) -> dict[str, int]:
        """Query counts: "total", "udp", "tcp" and one per :class:`Outcome`."""
        with self._lock:
            keys = ("total", "udp", "tcp", *(o.value for o in Outcome))
            counts = dict.fromkeys(keys, 0)
            counts.update(self._counters)
            return counts

    def clear_log(self) -> None:
        """Empty the query log and reset the counters."""
        with self._lock:
            self._log.clear()
            self._counters.clear()

    # -- event loop thread --------------------------------------------------

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        """Thread body: run the loop, then cancel leftovers and close it."""
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(
                asyncio.gather(*tasks, return_exceptions=True))
        finally:
            loop.close()

    async def _open_endpoints(self, udp_sock: socket.socket,
                              tcp_sock: socket.socket) -> None:
        """Attach the pre-bound sockets to the loop (runs on the loop)."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), sock=udp_sock)
        self._udp_transport = cast(asyncio.DatagramTransport, transport)
        if self._tcp:
            self._tcp_server = await asyncio.start_server(self._serve_tcp,
                                                          sock=tcp_sock)

    def _close_endpoints_and_stop(self,
                                  loop: asyncio.AbstractEventLoop) -> None:
        """Close the sockets and stop the loop (runs on the loop).

        Connection handlers are cancelled by :meth:`_run_loop` afterwards,
        which closes their sockets.
        """
        if self._udp_transport is not None:
            self._udp_transport.close()
        if self._tcp_server is not None:
            self._tcp_server.close()
        loop.stop()

    async def _serve_tcp(self, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> None:
        """Answer length-prefixed queries on one TCP connection.

        Each query is answered by its own task so a delayed answer does not
        hold up later queries pipelined on the same connection (RFC 7766).
        """
        replies: set[asyncio.Task[None]] = set()
        try:
            while True:
                wire = await _read_tcp_message(reader)
                if wire is None:
                    break
                reply, delay = self._process(wire, "tcp")
                if reply is not None:
                    task = asyncio.create_task(
                        _write_tcp_reply(writer, reply, delay))
                    replies.add(task)
                    task.add_done_callback(replies.discard)
            # Client finished sending; let pending delayed answers go out.
            await asyncio.gather(*replies, return_exceptions=True)
        except (OSError, TimeoutError):
            pass  # client went away or idled out; nothing to report
        except asyncio.CancelledError:
            # Server shutdown.  Returning (not re-raising) is deliberate: on
            # Python 3.11 asyncio logs a spurious error for stream handlers
            # that end cancelled, and nothing awaits this task anyway.
            pass
        finally:
            for task in replies:
                task.cancel()
            writer.close()

    # -- query processing (runs on the loop) ------------------------------

    def _process(self, wire: bytes, transport: str) -> tuple[bytes | None,
                                                             float]:
        """Turn one query into ``(reply wire or None, delay seconds)``."""
        received = time.monotonic()
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # arbitrary bytes must never kill the server
            self._record(None, None, transport, Outcome.FORMERR,
                         dns.rcode.FORMERR, 0.0, received)
            return _formerr_reply(wire), 0.0
        if query.flags & dns.flags.QR:
            return None, 0.0  # a response, not a query: ignore it
        try:
            return self._answer(query, transport, received)
        except Exception:
            # A bug here should show up as SERVFAIL, not as a silent timeout.
            logging.getLogger(__name__).exception("DNS test server error")
            return self._servfail_for(query), 0.0

    def _answer(self, query: dns.message.Message, transport: str,
                received: float) -> tuple[bytes | None, float]:
        """Apply faults, resolve, encode, and log one parsed query."""
        response = dns.message.make_response(query)
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            return self._reject(query, response, transport, received), 0.0
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        action, delay = self._choose_fault(qname)
        if action is _Action.DROP:
            self._record(qname, qtype, transport, Outcome.DROPPED, None,
                         delay, received)
            return None, delay
        outcome = self._fill_response(response, question, action, transport)
        limit = (MAX_TCP_MESSAGE if transport == "tcp"
                 else _udp_limit(query))
        reply, truncated = _render(response, limit)
        if truncated:
            outcome = Outcome.TRUNCATED
        self._record(qname, qtype, transport, outcome, response.rcode(),
                     delay, received)
        return reply, delay

    def _reject(self, query: dns.message.Message,
                response: dns.message.Message, transport: str,
                received: float) -> bytes:
        """NOTIMP for opcodes other than QUERY, FORMERR for != 1 question."""
        if query.opcode() != dns.opcode.QUERY:
            rcode, outcome = dns.rcode.NOTIMP, Outcome.NOTIMP
        else:
            rcode, outcome = dns.rcode.FORMERR, Outcome.FORMERR
        response.set_rcode(rcode)
        self._record(None, None, transport, outcome, rcode, 0.0, received)
        return response.to_wire()

    def _fill_response(self, response: dns.message.Message,
                       question: dns.rrset.RRset, action: _Action,
                       transport: str) -> Outcome:
        """Put the rcode, flags and records for ``action`` into response."""
        if action is _Action.REFUSED:
            response.set_rcode(dns.rcode.REFUSED)
            return Outcome.REFUSED
        if action is _Action.SERVFAIL:
            response.set_rcode(dns.rcode.SERVFAIL)
            return Outcome.SERVFAIL
        if action is _Action.TRUNCATE and transport == "udp":
            response.flags |= dns.flags.AA | dns.flags.TC
            return Outcome.TRUNCATED
        resolution = zones.fill_response(self._zones, response, question)
        if resolution is None:
            return Outcome.REFUSED
        return _outcome_of(resolution)

    def _choose_fault(self, qname: dns.name.Name) -> tuple[_Action, float]:
        """Pick this query's fault action and delay.

        Draws from the seeded generator for every query, whether or not a
        per-name fault applies, so the random sequence depends only on the
        order of queries.
        """
        with self._lock:
            fault, plan = self._faults.get(qname), self._plan
            action_draw = self._rng.random() if plan else 1.0
            delay_draw = self._rng.random() if plan else 0.0
        delay = fault.delay if fault else 0.0
        if plan is not None:
            delay += plan.base_delay + plan.max_delay * delay_draw
        return _pick_action(fault, plan, action_draw), delay

    def _servfail_for(self, query: dns.message.Message) -> bytes | None:
        """SERVFAIL for a query we failed to answer (internal error)."""
        try:
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        except Exception:
            return None

    def _record(self, qname: dns.name.Name | None,
                qtype: dns.rdatatype.RdataType | None, transport: str,
                outcome: Outcome, rcode: dns.rcode.Rcode | None,
                delay: float, received: float) -> None:
        """Append to the query log and bump the counters."""
        record = QueryRecord(
            name=(qname.to_text(omit_final_dot=True).lower()
                  if qname is not None else ""),
            qtype=dns.rdatatype.to_text(qtype) if qtype is not None else "",
            transport=transport, outcome=outcome,
            rcode=dns.rcode.to_text(rcode) if rcode is not None else "",
            delay=delay, time=received)
        with self._lock:
            self._log.append(record)
            self._counters.update(("total", transport, outcome.value))


async def _read_tcp_message(reader: asyncio.StreamReader) -> bytes | None:
    """Read one length-prefixed message; ``None`` at a clean end of stream."""
    try:
        header = await asyncio.wait_for(reader.readexactly(2),
                                        TCP_IDLE_TIMEOUT)
        length = int.from_bytes(header, "big")
        return await asyncio.wait_for(reader.readexactly(length),
                                      TCP_IDLE_TIMEOUT)
    except asyncio.IncompleteReadError:
        return None


async def _write_tcp_reply(writer: asyncio.StreamWriter, reply: bytes,
                           delay: float) -> None:
    """Send one length-prefixed answer after ``delay`` seconds."""
    if delay > 0:
        await asyncio.sleep(delay)
    if writer.is_closing():
        return
    try:
        writer.write(len(reply).to_bytes(2, "big") + reply)
        await writer.drain()
    except OSError:
        pass  # the client hung up first; nobody is waiting for this answer


def _as_path(path: str | os.PathLike[str]) -> os.PathLike[str]:
    """Mark a string as a file path (plain ``str`` zone sources are text)."""
    return pathlib.Path(path)
