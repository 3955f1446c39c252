"""`docgen collect dns`, `render --format dkim-failures` and the demo, through the CLI.

Messages and exit codes are asserted exactly. Collection runs against the real
loopback server; Ctrl-C is a real SIGINT to a real docgen process.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from docgen.app.progress import progress_bar
from docgen.bundle import load_bundle
from docgen.cli import cli
from support.dns_fixtures import COLLECTOR_EXPORT, PS51_EXPORT, REPO, SAMPLE_ZONES
from support.dns_server import DnsTestServer, FaultPlan

pytestmark = pytest.mark.usefixtures("loopback_only")
FAST = ["--timeout", "0.25", "--retries", "0"]
CONTOSO_DE_NAMES = ["contoso.de", "_dmarc.contoso.de", "_mta-sts.contoso.de",
                    "_smtp._tls.contoso.de", "default._bimi.contoso.de",
                    "selector1._domainkey.contoso.de", "selector2._domainkey.contoso.de"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def nameserver(server: DnsTestServer) -> list[str]:
    return ["--nameserver", server.address]


def export_rotating_at(tmp_path: Path, moment: datetime) -> Path:
    """The PS 5.1 sample export with every RotateOnDate at `moment` (wall-clock tests)."""
    objects = json.loads(PS51_EXPORT.read_bytes().decode("utf-16"))
    for obj in objects:
        obj["RotateOnDate"] = f"/Date({int(moment.timestamp() * 1000)})/"
    path = tmp_path / "dkim.json"
    path.write_text(json.dumps(objects))
    return path


# -- collecting -------------------------------------------------------------------

def test_collect_writes_both_sections(sample_server, tmp_path):
    bundle_path = tmp_path / "contoso.bundle.json"
    result = run("collect", "dns", "--dkim-config", str(COLLECTOR_EXPORT),
                 *nameserver(sample_server), *FAST, "-o", str(bundle_path))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"wrote {re.escape(str(bundle_path))}: dkim with 10 domain\(s\), status "
                        r"ok; mail_auth with 10 domain\(s\), status ok \(\d+ queries through "
                        rf"{re.escape(sample_server.address)}\)\n", result.stdout)
    # without a terminal, the count of domains looked up (one line every 100, and the last)
    assert result.stderr == "Looking up domains: 10/10\n"
    bundle = load_bundle(bundle_path).data
    assert bundle["organization"] == "Contoso"
    assert [entry["name"] for entry in bundle["inputs"]] == ["contoso-dkim-collector.json"]
    assert bundle["sections"]["mail_auth"]["resolver"]["nameservers"] == [sample_server.address]


def warning_lines(stderr: str) -> list[str]:
    """stderr without the progress lines (Looking up domains: n/total)."""
    return [line for line in stderr.splitlines() if not line.startswith("Looking up domains: ")]


def test_one_domain_timing_out_is_partial_with_one_warning_line_each(sample_server, tmp_path):
    for name in CONTOSO_DE_NAMES:
        sample_server.set_fault(name, drop=True)
    bundle_path = tmp_path / "b.json"
    result = run("collect", "dns", "--dkim-config", str(COLLECTOR_EXPORT),
                 *nameserver(sample_server), *FAST, "-o", str(bundle_path))
    assert result.exit_code == 4
    assert "status partial" in result.stdout
    assert warning_lines(result.stderr) == [
        "warning: dns: contoso.de: could not verify DKIM (selector1._domainkey.contoso.de CNAME "
        "timed out; selector2._domainkey.contoso.de CNAME timed out)",
        "warning: dns: contoso.de: could not verify DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI "
        "(_dmarc.contoso.de TXT timed out; contoso.de TXT timed out; contoso.de MX timed out; "
        "and 3 more)"]
    sections = load_bundle(bundle_path).data["sections"]
    assert (sections["dkim"]["status"], sections["mail_auth"]["status"]) == ("partial", "partial")


def test_many_failed_domains_are_summarised(sample_server, tmp_path):
    sample_server.set_fault_plan(FaultPlan(servfail_rate=1.0))
    domains = [arg for n in range(25) for arg in ("--domain", f"d{n}.contoso.com")]
    result = run("collect", "dns", *domains, *nameserver(sample_server), *FAST,
                 "-o", str(tmp_path / "b.json"))
    assert result.exit_code == 4
    lines = warning_lines(result.stderr)
    assert len(lines) == 21
    assert lines[-1] == "warning: and 5 more; the bundle lists every one"


def test_deadline_gives_a_complete_bundle_with_unattempted_lookups(sample_server, tmp_path):
    sample_server.set_fault_plan(FaultPlan(base_delay=0.3))
    bundle_path = tmp_path / "b.json"
    result = run("collect", "dns", "--dkim-config", str(COLLECTOR_EXPORT),
                 *nameserver(sample_server), "--timeout", "2", "--deadline", "0.5",
                 "-o", str(bundle_path))
    assert result.exit_code == 4
    assert "was not attempted before the deadline" in result.stderr
    section = load_bundle(bundle_path).data["sections"]["mail_auth"]
    assert len(section["items"]) == 10 and section["status"] == "partial"
    # each domain's first questions go out at once (answered at 0.3 s); what depends on
    # their answers (DMARC's parent domains, SPF's includes, ...) meets the deadline
    unattempted = [(entry, kind) for entry in section["items"] for kind in ("dmarc", "spf", "bimi")
                   if "not_attempted" in {lookup["outcome"] for lookup in
                                          [entry[kind]["lookup"], *entry[kind]["failed_lookups"]]}]
    assert unattempted
    assert all(entry[kind]["state"] != "missing" for entry, kind in unattempted)


def test_zone_file_mode_needs_no_server(tmp_path):
    args = [arg for path in SAMPLE_ZONES for arg in ("--zone-file", str(path))]
    bundle_path = tmp_path / "plan.bundle.json"
    result = run("collect", "dns", "--domains-file", str(REPO / "docgen/samples/dns/contoso-domains.txt"),
                 *args, "-o", str(bundle_path))
    assert result.exit_code == 0, result.output
    assert "mail_auth with 10 domain(s), status ok" in result.stdout
    bundle = load_bundle(bundle_path).data
    assert "dkim" not in bundle["sections"]  # no DKIM export, no DKIM section
    resolver = bundle["sections"]["mail_auth"]["resolver"]
    assert resolver["mode"] == "zone_files" and "contoso.com.zone" in resolver["zone_files"]
    assert {entry["name"] for entry in bundle["inputs"]} == {
        "contoso-domains.txt", *(path.name for path in SAMPLE_ZONES)}


def test_an_existing_bundle_keeps_its_other_sections(sample_server, tmp_path):
    bundle_path = tmp_path / "b.json"
    exchange = REPO / "docgen" / "samples" / "exchange" / "contoso-exchange-certs.json"
    assert run("import", "exchange-certs", str(exchange), "-o", str(bundle_path)).exit_code == 0
    result = run("collect", "dns", "--domain", "contoso.com", *nameserver(sample_server), *FAST,
                 "-o", str(bundle_path))
    assert result.exit_code == 0
    assert sorted(load_bundle(bundle_path).data["sections"]) == ["exchange_certificates",
                                                                 "mail_auth"]


@pytest.mark.parametrize("args, message", [
    (["--domain", "contoso.com", "--nameserver", "dns.example"],
     "Invalid value for '--nameserver': 'dns.example': the nameserver must be an IP address, "
     "optionally with :PORT"),
    (["--domain", "contoso.com", "--nameserver", "127.0.0.1:99999"],
     "Invalid value for '--nameserver': '127.0.0.1:99999': the port must be a number from 1 to "
     "65535"),
    (["--domain", "contoso.com", "--concurrency", "0"],
     "Invalid value for '--concurrency': 0 is not in the range x>=1."),
    (["--domain", "contoso.com", "--timeout", "0"],
     "Invalid value for '--timeout': 0.0 is not in the range x>0."),
    (["--domain", "not a domain"],
     "Invalid value for '--domain': 'not a domain': label 'not a domain' is not letters, digits "
     "and inner hyphens"),
    (["--domain", "contoso.com", "--nameserver", "127.0.0.1", "--zone-file", "x.zone"],
     "give --nameserver or --zone-file, not both"),
])
def test_bad_options_are_one_clear_line(tmp_path, args, message):
    result = run("collect", "dns", *args, "-o", str(tmp_path / "b.json"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert not (tmp_path / "b.json").exists()


def test_no_domains_at_all(tmp_path):
    result = run("collect", "dns", "--nameserver", "127.0.0.1", "-o", str(tmp_path / "b.json"))
    assert (result.exit_code, result.stderr) == (
        1, "error: no domains to look up: give --dkim-config, --domain or --domains-file\n")


def test_a_domains_file_with_bad_lines_names_file_and_lines(tmp_path):
    listing = tmp_path / "domains.txt"
    listing.write_text("# ours\ncontoso.com\nbad domain\n\ncontoso_net.com  # typo\n")
    result = run("collect", "dns", "--domains-file", str(listing), "--nameserver", "127.0.0.1",
                 "-o", str(tmp_path / "b.json"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {listing}: line 3: not a domain name: 'bad domain': label 'bad domain' is not "
        "letters, digits and inner hyphens (and 1 more)",
        "  line 3: 'bad domain': label 'bad domain' is not letters, digits and inner hyphens",
        "  line 5: 'contoso_net.com': label 'contoso_net' is not letters, digits and inner hyphens"]


def test_an_unreadable_export_is_an_error_and_nothing_is_written(tmp_path):
    export = tmp_path / "dkim.json"
    export.write_text('{"Name": "not an export"}')
    result = run("collect", "dns", "--dkim-config", str(export), "--nameserver", "127.0.0.1",
                 "-o", str(tmp_path / "b.json"))
    assert (result.exit_code, result.stderr) == (
        1, "error: dkim.json: not a Get-DkimSigningConfig export (no object with a Domain)\n")
    assert not (tmp_path / "b.json").exists()


def test_ctrl_c_writes_nothing(tmp_path):
    """A real SIGINT to a real docgen process in the middle of its lookups."""
    bundle_path = tmp_path / "b.json"
    with DnsTestServer.from_zone_files(SAMPLE_ZONES, fault_plan=FaultPlan(base_delay=0.5)) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "docgen", "collect", "dns", "--dkim-config",
             str(COLLECTOR_EXPORT), "--nameserver", server.address, "--timeout", "1",
             "-o", str(bundle_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 20
        while not server.query_log and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.query_log, "docgen sent no query"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert stderr == "docgen: interrupted; no partial output was written\n"
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []


# -- rendering ------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "-o", str(out), "--format", "html,dkim-failures"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_demo_has_the_dns_sections_and_the_failing_list(demo):
    bundle = load_bundle(demo / "contoso.bundle.json").data
    assert {name: section["status"] for name, section in bundle["sections"].items()} == {
        "aadconnect": "ok", "conditional_access": "ok", "dkim": "ok", "exchange_certificates": "ok",
        "exchange_connectors": "ok", "exchange_servers": "ok", "identity_protection": "ok", "mail_auth": "ok",
        "mobile_access": "ok"}
    assert bundle["sections"]["dkim"]["collected_at"] == "2026-11-02T10:00:00Z"
    assert (demo / "contoso.dkim-failures.txt").read_text() == (
        "contoso-shop.com, selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com\n"
        "contoso.org, selector1-contoso-org._domainkey.contoso.onmicrosoft.com\n")


def test_demo_is_the_same_every_time(demo, tmp_path):
    again = CliRunner().invoke(cli, ["demo", "-o", str(tmp_path), "--format", "html"])
    assert again.exit_code == 0
    assert (tmp_path / "contoso.bundle.json").read_bytes() == (
        demo / "contoso.bundle.json").read_bytes()
    assert (tmp_path / "contoso.html").read_bytes() == (demo / "contoso.html").read_bytes()


def test_report_tables(demo):
    page = lxml_html.fromstring((demo / "contoso.html").read_bytes())
    titles = [h1.text_content() for h1 in page.cssselect("section.doc-section > h1")]
    assert titles == ["Azure AD Connect", "Conditional Access", "Identity Protection",
                      "Exchange certificates", "Exchange receive connectors",
                      "Exchange servers and hybrid readiness",
                      "Mobile mail access (Exchange ActiveSync)", "DKIM signing",
                      "Mail authentication (DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)"]
    failing = [row.get("data-domain") for row in page.cssselect("table.dkim-failures tbody tr")]
    assert failing == ["contoso-shop.com", "contoso.org"]
    assert len(page.cssselect("table.dkim-overview tbody tr")) == 10
    overview = page.cssselect("table.mail-auth-overview tbody tr[data-domain='contoso-mail.com'] td")
    assert [td.text_content().strip() for td in overview[1:]] == [
        "several records", "invalid (11 lookups, 0 void lookups)", "1 host(s)", "none", "none",
        "none"]
    def tone(domain: str, kind: str) -> str:
        (cell,) = page.cssselect(f"table.mail-auth-overview tr[data-domain='{domain}'] "
                                 f"td[data-kind='{kind}']")
        return cell.get("class").split()[-1]

    assert tone("contoso.com", "bimi") == "tone-ok"
    assert tone("contoso.com", "spf") == "tone-ok"
    assert tone("contoso-legacy.com", "spf") == "tone-problem"   # +all: state ok, finding critical
    assert tone("contoso.de", "dmarc") == "tone-warn"            # p=none
    assert tone("contoso.de", "mta_sts") == "tone-absent"        # optional and not published
    assert tone("contoso-events.com", "dmarc") == "tone-problem"


def test_dkim_failures_file_is_empty_when_none_fail(sample_server, tmp_path):
    future = datetime.now(timezone.utc) + timedelta(days=30)
    export = export_rotating_at(tmp_path, future)
    objects = [obj for obj in json.loads(export.read_text()) if obj["Domain"] == "contoso.com"]
    export.write_text(json.dumps(objects))
    bundle_path = tmp_path / "one.bundle.json"
    assert run("collect", "dns", "--dkim-config", str(export), *nameserver(sample_server),
               *FAST, "-o", str(bundle_path)).exit_code == 0
    result = run("render", str(bundle_path), "-o", str(tmp_path / "out"), "--format",
                 "dkim-failures")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "one.dkim-failures.txt").read_bytes() == b""


def test_dkim_failures_needs_a_dkim_section(sample_server, tmp_path):
    bundle_path = tmp_path / "b.json"
    run("collect", "dns", "--domain", "contoso.com", *nameserver(sample_server), *FAST,
        "-o", str(bundle_path))
    result = run("render", str(bundle_path), "-o", str(tmp_path / "out"), "--format",
                 "dkim-failures")
    assert (result.exit_code, result.stderr) == (
        1, f"error: {bundle_path}: the bundle has no dkim section (collect it with docgen collect "
        "dns --dkim-config); no dkim-failures list written\n")


def test_dns_data_with_markup_is_escaped(sample_server, tmp_path):
    bundle_path = tmp_path / "b.json"
    run("collect", "dns", "--domain", "markup.edge.test", *nameserver(sample_server), *FAST,
        "-o", str(bundle_path))
    assert run("render", str(bundle_path), "-o", str(tmp_path), "--format", "html").exit_code == 0
    text = (tmp_path / "b.html").read_text().replace("<wbr>", "")
    assert "<script>alert(1)</script>" not in text
    assert "v=spf1 &lt;script&gt;alert(1)&lt;/script&gt; -all" in text


def test_mx_records_are_shown_by_preference(sample_server, tmp_path):
    # issue 12: the "Found" cell listed them in text order (1, 10, 10, 5, 5)
    bundle_path = tmp_path / "b.json"
    run("collect", "dns", "--domain", "mx-order.edge.test", *nameserver(sample_server), *FAST,
        "-o", str(bundle_path))
    expected = ["1 mx.edge.test.", "5 mx-c.edge.test.", "5 mx-d.edge.test.",
                "10 mx-a.edge.test.", "10 mx-b.edge.test."]
    # the bundle keeps the answer as recorded (text order): only documents are arranged
    (mx,) = [entry["mx"] for entry in load_bundle(bundle_path).data["sections"]["mail_auth"]["items"]]
    assert mx["records"] == sorted(expected)
    result = run("render", str(bundle_path), "-o", str(tmp_path), "--format", "html,csv")
    assert result.exit_code == 0, result.output
    page = lxml_html.fromstring((tmp_path / "b.html").read_bytes())
    (cell,) = page.xpath('//table[@data-table="mail-auth-records"]//tr[@data-kind="mx"]/td[3]')
    # one record a line (<br>); a long name may wrap at its dots (<wbr>)
    lines = lxml_html.tostring(cell, encoding="unicode").replace("<wbr>", "").split("<br>")
    assert [lxml_html.fromstring(f"<p>{line}</p>").text_content().strip() for line in lines] == expected
    (csv_path,) = tmp_path.glob("*mail-auth-records*.csv")
    assert "\n".join(expected) in csv_path.read_text("utf-8-sig")


def test_progress_bar_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    with progress_bar("Looking up domains", 3) as advance:
        advance()
    assert plain.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar("Looking up domains", 3) as advance:
        for _ in range(3):
            advance()
    assert "Looking up domains" in terminal.getvalue()
