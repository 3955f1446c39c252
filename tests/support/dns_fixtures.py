"""Fixtures for the DNS tests: the loopback server with the sample zones, and a guard.

conftest.py registers this module as a plugin, so every test finds its fixtures by
name; test modules import only the constants and helpers they use.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from docgen.app.bundles import bundle_with_sections
from docgen.areas.dkim.source import read_dkim_export
from docgen.bundle.schema import schema_errors
from docgen.checks import run_checks
from docgen.dns.client import LookupClient, Nameserver, NetworkTransport, ResolverSettings
from docgen.dns.collect import collect_dns
from support.dns_server import DnsTestServer

REPO = Path(__file__).resolve().parents[2]
SAMPLES_DNS = REPO / "docgen" / "samples" / "dns"
SAMPLE_ZONES = sorted((SAMPLES_DNS / "zones").glob("*.zone"))
TEST_ZONES = sorted((REPO / "tests" / "data" / "dns").glob("*.zone"))
COLLECTOR_EXPORT = SAMPLES_DNS / "contoso-dkim-collector.json"
PS51_EXPORT = SAMPLES_DNS / "contoso-dkim-ps51.json"
SAMPLE_COLLECTED_AT = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
# Real files nobody here wrote, copied with their licences (tests/data/README.md).
CORPUS = REPO / "tests" / "data"
FAST = ResolverSettings(timeout=0.25, retries=0, concurrency=8, deadline=30)


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that would send a packet or connect beyond 127.0.0.0/8 or ::1.

    A guard, not a stand-in: every allowed call goes to the real socket. The
    attempt is refused on the spot, and the test fails at teardown even if
    library code swallowed the error.
    """
    attempts: list[str] = []
    connect, connect_ex, sendto = (socket.socket.connect, socket.socket.connect_ex,
                                   socket.socket.sendto)

    def _require_loopback(sock: socket.socket, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            if not ipaddress.ip_address(address[0]).is_loopback:
                attempts.append(str(address[0]))
                raise AssertionError(f"a test tried to reach {address[0]}: only loopback")

    def guarded_connect(sock, address):
        _require_loopback(sock, address)
        return connect(sock, address)

    def guarded_connect_ex(sock, address):
        _require_loopback(sock, address)
        return connect_ex(sock, address)

    def guarded_sendto(sock, data, *rest):
        _require_loopback(sock, rest[-1])
        return sendto(sock, data, *rest)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", guarded_sendto)
    yield
    assert attempts == [], f"tried to reach beyond loopback: {attempts}"


@pytest.fixture
def sample_server(loopback_only) -> Iterator[DnsTestServer]:
    """The loopback server answering from samples/dns/zones and tests/data/dns."""
    with DnsTestServer.from_zone_files(SAMPLE_ZONES + TEST_ZONES) as server:
        yield server


def client_for(server: DnsTestServer, settings: ResolverSettings = FAST) -> LookupClient:
    return LookupClient(NetworkTransport([Nameserver(server.host, server.port)]), settings)


def dkim_config_json(tmp_path: Path, configs: list[dict], name: str = "dkim.json") -> Path:
    """A raw Get-DkimSigningConfig export written by a test."""
    path = tmp_path / name
    path.write_text(json.dumps(configs), encoding="utf-8")
    return path


def collect(server: DnsTestServer, *, export_path: Path | None = COLLECTOR_EXPORT,
            domains: list[str] | None = None, at: datetime = SAMPLE_COLLECTED_AT,
            settings: ResolverSettings = FAST):
    """Collect over the loopback server; returns (collection, bundle, findings by id)."""
    export = read_dkim_export(export_path) if export_path else None
    names = sorted(set(domains or []) | set(export.domains if export else []))
    collection = collect_dns(names, client_for(server, settings), collected_at=at,
                             export=export)
    results = [result for result in (collection.dkim, collection.mail_auth) if result]
    bundle = bundle_with_sections(None, results, "Contoso")
    assert schema_errors(bundle) == []
    findings = {finding.id: finding for finding in run_checks(bundle)}
    return collection, bundle, findings


def item(bundle: dict, section: str, domain: str) -> dict:
    return next(entry for entry in bundle["sections"][section]["items"] if entry["key"] == domain)


def selector(bundle: dict, domain: str, name: str) -> dict:
    return next(facts for facts in item(bundle, "dkim", domain)["selectors"]
                if facts["selector"] == name)
