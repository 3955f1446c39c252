"""A nameserver with nothing listening is "refused/unreachable" at once, not a timeout; the
resolver a run used is named on the console and in the report's DNS section.

The refusal is real: a loopback port nobody listens on answers with ICMP port unreachable
(UDP) or a reset (TCP), as a stopped DNS server does.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from docgen.cli import cli
from docgen.dns.client import LookupClient, Nameserver, NetworkTransport, ResolverSettings
from support.dns_fixtures import COLLECTOR_EXPORT
from support.dns_server import DnsTestServer

pytestmark = pytest.mark.usefixtures("loopback_only")

# A timeout long enough that a refusal mistaken for one would show in the time taken.
PATIENT = ResolverSettings(timeout=3.0, retries=1, concurrency=4, deadline=60)


def closed_port() -> int:
    """A loopback UDP and TCP port with nothing listening (bound, then let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", port))   # free for TCP too, so nothing accepts there either
    return port


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_port_with_nothing_listening_is_refused_at_once_not_timed_out():
    port = closed_port()
    client = LookupClient(NetworkTransport([Nameserver("127.0.0.1", port)]), PATIENT)
    started = time.monotonic()
    lookup = client.lookup("example.test", "TXT")
    elapsed = time.monotonic() - started
    assert (lookup.outcome, lookup.failed) == ("refused", True)
    assert lookup.error == f"127.0.0.1:{port} is unreachable: connection refused"
    assert elapsed < PATIENT.timeout / 2    # two tries, neither waited for the timeout
    assert client.queries_sent == 2


def test_a_refusing_nameserver_fails_over_to_the_next_at_once():
    zone = "$ORIGIN example.test.\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ TXT \"here\"\n"
    with DnsTestServer([(None, zone)]) as server:
        transport = NetworkTransport([Nameserver("127.0.0.1", closed_port()),
                                      Nameserver(server.host, server.port)])
        started = time.monotonic()
        lookup = LookupClient(transport, PATIENT).lookup("example.test", "TXT")
    assert (lookup.outcome, lookup.records) == ("noerror", ("here",))
    assert time.monotonic() - started < PATIENT.timeout / 2


def test_collect_says_refused_and_names_the_resolver_on_the_console_and_in_the_report(tmp_path):
    port = closed_port()
    bundle_path = tmp_path / "contoso.bundle.json"
    result = run("collect", "dns", "--domain", "contoso.com", "--nameserver", f"127.0.0.1:{port}",
                 "--timeout", "3", "--retries", "0", "-o", str(bundle_path))
    assert result.exit_code == 4, result.output
    assert result.stdout.endswith(f"queries through 127.0.0.1:{port})\n")
    assert (f"_dmarc.contoso.com TXT refused/unreachable (127.0.0.1:{port} is unreachable: "
            "connection refused)") in result.stderr
    assert "timed out" not in result.stderr
    bundle = json.loads(bundle_path.read_text())
    dmarc = bundle["sections"]["mail_auth"]["items"][0]["dmarc"]
    assert (dmarc["state"], dmarc["lookup"]["outcome"]) == ("unverified", "refused")
    assert bundle["sections"]["mail_auth"]["resolver"]["nameservers"] == [f"127.0.0.1:{port}"]

    assert run("render", str(bundle_path), "-o", str(tmp_path / "out"), "--format", "html",
               "--no-project").exit_code == 0
    page = lxml_html.fromstring((tmp_path / "out" / "contoso.html").read_bytes())
    resolver = " ".join(page.cssselect("#sec-mail_auth p.resolver")[0].text_content().split())
    assert resolver.startswith(f"Looked up through 127.0.0.1:{port};")
    records = " ".join(page.cssselect("#sec-mail_auth")[0].text_content().split())
    assert f"127.0.0.1:{port} is unreachable: connection refused" in records


def test_build_names_the_resolver(run_cli, tmp_path, monkeypatch):
    with DnsTestServer.from_zone_files(sorted((COLLECTOR_EXPORT.parent / "zones").glob("*.zone"))) as server:
        folder = tmp_path / "contoso"
        assert run_cli("init", folder, "--organization", "Contoso").exit_code == 0
        (folder / "raw" / "dkim.json").write_bytes(COLLECTOR_EXPORT.read_bytes())
        (folder / "docgen.toml").write_text(
            '[document]\norganization = "Contoso"\n[output]\nformats = ["html"]\n'
            f'[dns]\nnameservers = ["{server.address}"]\ntimeout = 0.5\nretries = 0\n')
        monkeypatch.chdir(folder)
        result = run_cli("build")
    assert result.exit_code in (0, 4), result.output
    assert f"DNS looked up through {server.address}\n" in result.stdout
