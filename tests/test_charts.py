"""Charts: deterministic SVG, escaped text, solid colours only (PDF/A-safe)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import lxml.html

from docgen.render.charts import expiry_timeline, findings_chart

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def server(name: str, not_before: str, not_after: str) -> dict:
    return {"key": name.lower(), "name": name,
            "default_smtp_certificate": {"state": "present", "not_before": not_before, "not_after": not_after}}


def finding(section: str, severity: str) -> dict:
    return {"section": section, "severity": severity}


def test_findings_chart_counts_and_is_stable():
    findings = [finding("a", "critical"), finding("a", "high"), finding("a", "high"), finding("b", "info")]
    titles = {"a": "Exchange <certs>", "b": "DKIM"}
    first = findings_chart(findings, titles)
    assert first == findings_chart(findings, titles)
    root = ET.fromstring(str(first))
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Exchange <certs>" in texts  # escaped in the markup, text in the tree
    assert "&lt;certs&gt;" in str(first)
    # per row: its title, each severity segment's count, the total
    assert texts[-7:] == ["Exchange <certs>", "1", "2", "3", "DKIM", "1", "1"]


def test_no_transparency_and_text_stays_text(demo_dir):
    page = lxml.html.fromstring((demo_dir / "contoso.html").read_bytes())
    charts = page.cssselect("figure.chart svg")
    # findings, default SMTP certificate validity, every certificate's validity, mail-auth matrix
    assert len(charts) == 4
    for chart in charts:
        markup = lxml.html.tostring(chart, encoding="unicode")
        for forbidden in ("opacity", "rgba(", "<image", "filter", "mask"):
            assert forbidden not in markup
        assert chart.cssselect("text")


def test_expiry_timeline_orders_by_expiry_and_marks_collection():
    servers = [server("EX01", "2026-04-16T09:30:00Z", "2028-04-15T09:30:00Z"),
               server("EX04", "2021-08-08T09:30:00Z", "2026-08-19T09:30:00Z"),
               {"key": "ex05", "name": "EX05", "default_smtp_certificate": {"state": "absent"}}]
    root = ET.fromstring(str(expiry_timeline(servers, AS_OF)))
    names = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.startswith("EX")]
    assert names == ["EX04", "EX01"]
    assert "collected" in [t.text for t in root.iter(f"{SVG}text")]
    fills = [rect.get("fill") for rect in root.iter(f"{SVG}rect")][4:]  # after the legend
    assert fills == ["#8b1a1a", "#166534"]  # expired, valid


def test_many_servers_show_the_soonest_forty():
    servers = [server(f"EX{n:03d}", "2026-01-01T00:00:00Z", f"2027-{1 + n % 12:02d}-01T00:00:00Z")
               for n in range(120)]
    markup = str(expiry_timeline(servers, AS_OF))
    assert "The 40 certificates that expire first, of 120." in markup


def test_nothing_to_draw():
    assert findings_chart([], {"a": "A"}) is None
    assert expiry_timeline([{"key": "x", "name": "X", "default_smtp_certificate": {"state": "absent"}}],
                           AS_OF) is None


def test_mail_matrix_cells_and_parts():
    from docgen.render.charts import MATRIX_ROWS_PER_CHART, mail_auth_matrix
    rows = [(f"d{n}.example", {"DKIM": ("ok", "signing"), "SPF": ("problem", "several records")})
            for n in range(MATRIX_ROWS_PER_CHART + 3)]
    parts = mail_auth_matrix(rows, ["DKIM", "SPF"])
    assert len(parts) == 2  # an SVG cannot break across pages: long lists come in parts
    root = ET.fromstring(str(parts[1]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:2] == ["DKIM", "SPF"] and f"d{MATRIX_ROWS_PER_CHART}.example" in texts
    assert "several records" in texts
    # a value longer than a cell's line is shown whole, on more lines
    cell = str(mail_auth_matrix([("a", {"DKIM": ("ok", "invalid (11 lookups, 0 void lookups)")})],
                                ["DKIM"])[0])
    assert ">invalid (11 lookups, 0<" in cell and ">void lookups)<" in cell and "…" not in cell
    assert 'font-size="8.5"' in cell
    # one too long for three lines keeps its whole value in a tooltip
    long = "a value far too long to be shown in the three lines of a cell of the matrix"
    assert f"<title>{long}</title>" in str(mail_auth_matrix([("a", {"DKIM": ("ok", long)})], ["DKIM"])[0])


def test_demo_matrix_marks_the_failing_selector(demo_dir):
    page = lxml.html.fromstring((demo_dir / "contoso.html").read_bytes())
    (chart,) = page.cssselect("figure.mail-matrix svg")
    texts = [t.text_content() for t in chart.cssselect("text")]
    row = texts.index("contoso-shop.com")
    assert texts[row + 1] == "active key fails"
