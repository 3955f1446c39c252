"""Findings a consultant can act on: ids shown to copy into [[accepted_risks]], matched in any
case; an accepted risk naming no finding warned about (an error with --strict); an accepted
finding marked accepted wherever it appears; each finding judged at its section's own
collected_at."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import lxml.html
import openpyxl
import pandas as pd
import pytest
from docx import Document

from conftest import EXCHANGE_SAMPLES, without_progress
from docgen.bundle import load_bundle, save_bundle
from docgen.checks import run_checks

WEAK_KEY = "exchange-smtp-cert-weak-key:ex04"
ACCEPTED = """
[[accepted_risks]]
finding = "{finding}"
reason = "EX04 leaves in March"
accepted_by = "J. Smith, CISO"
until = {until}
"""


@pytest.fixture
def project(run_cli, tmp_path) -> Path:
    folder = tmp_path / "contoso"
    assert run_cli("init", folder, "--organization", "Contoso").exit_code == 0
    shutil.copy(EXCHANGE_SAMPLES / "contoso-exchange-certs.json", folder / "raw")
    return folder


def settings(folder: Path, *risks: str, formats: str = '"html"') -> None:
    (folder / "docgen.toml").write_text('[document]\norganization = "Contoso"\n' + "".join(risks)
                                        + f"\n[output]\nformats = [{formats}]\n")


def build(run_cli, folder: Path, monkeypatch, *args: str):
    monkeypatch.chdir(folder)
    return run_cli("build", *args)


def page(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split())


# -- 9. ids visible and matched in any case ---------------------------------------------------

def test_every_findings_table_shows_the_ids_and_the_csv_and_xlsx_carry_them(run_cli, project, monkeypatch):
    settings(project, formats='"html", "csv", "xlsx"')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    out = project / "out"
    ids = sorted(finding.id for finding in run_checks(load_bundle(out / "contoso.bundle.json").data))
    doc = page(out / "contoso.html")
    summary = doc.cssselect("#summary table.findings")[0]
    # under each finding's title, in the Finding column
    finding_column = [text(th) for th in summary.cssselect("thead th")].index("Finding")
    assert sorted(text(row.cssselect("td")[finding_column].cssselect("code.finding-id")[0])
                  for row in summary.cssselect("tbody tr")) == ids
    section = doc.cssselect("#sec-exchange_certificates table.findings")[0]
    assert sorted(text(code) for code in section.cssselect("code.finding-id")) == ids
    csv = pd.read_csv(out / "contoso.findings.csv", encoding="utf-8-sig")
    assert sorted(csv["Id"]) == ids
    sheet = openpyxl.load_workbook(out / "contoso.xlsx")["Summary of findings"]
    header = [cell.value for cell in sheet[1]]
    assert sorted(row[header.index("Id")] for row in sheet.iter_rows(min_row=2, values_only=True)) == ids


def test_an_accepted_risk_matches_its_finding_in_any_case(run_cli, project, monkeypatch):
    settings(project, ACCEPTED.format(finding=WEAK_KEY.upper(), until="2027-03-31"))
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    doc = page(project / "out" / "contoso.html")
    accepted = doc.cssselect("#summary table.accepted tbody tr")
    assert [row.get("data-finding-id") for row in accepted] == [WEAK_KEY]
    assert text(accepted[0].cssselect("td")[-1]) == WEAK_KEY


def test_an_accepted_risk_naming_no_finding_is_a_warning_on_stderr_and_in_the_report(
        run_cli, project, monkeypatch):
    settings(project, ACCEPTED.format(finding="exchange-smtp-cert-weak-key:ex99", until="2027-03-31"))
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 0, result.output
    warning = ("accepted_risks: 'exchange-smtp-cert-weak-key:ex99' names no finding of this bundle "
               "(each finding's id is in the findings tables, CSV and XLSX)")
    assert f"warning: {warning}\n" in result.stderr
    doc = page(project / "out" / "contoso.html")
    assert [text(p) for p in doc.cssselect("#summary .acceptance-warnings p")] == [f"Warning: {warning}."]
    # render says the same of the same bundle and settings
    rendered = run_cli("render", project / "out" / "contoso.bundle.json", "-o", project / "again",
                       "--format", "html")
    assert rendered.exit_code == 0 and f"warning: {warning}\n" in rendered.stderr


@pytest.mark.parametrize("command", ["build", "render"])
def test_with_strict_an_accepted_risk_naming_no_finding_is_an_error_and_nothing_is_written(
        run_cli, project, monkeypatch, command):
    settings(project)
    assert build(run_cli, project, monkeypatch).exit_code == 0
    before = {path.name: path.read_bytes() for path in (project / "out").iterdir()}
    (project / "raw" / "notes.txt").write_text("changes the bundle if it were written")
    settings(project, ACCEPTED.format(finding="no-such-rule:ex04", until="2027-03-31"))
    if command == "build":
        result = run_cli("build", "--strict")
    else:
        result = run_cli("render", project / "out" / "contoso.bundle.json", "-o", project / "out",
                         "--format", "html,csv", "--strict")
    assert result.exit_code == 1
    assert without_progress(result.stderr) == ("error: docgen.toml: 1 accepted risk(s) name no finding (--strict)\n"
                             "  accepted_risks: 'no-such-rule:ex04' names no finding of this bundle "
                             "(each finding's id is in the findings tables, CSV and XLSX)\n")
    assert {path.name: path.read_bytes() for path in (project / "out").iterdir()} == before


# -- 10. accepted everywhere it appears ---------------------------------------------------------

def test_an_accepted_finding_is_accepted_in_its_sections_table_csv_and_docx(run_cli, project, monkeypatch):
    settings(project, ACCEPTED.format(finding=WEAK_KEY, until="2027-03-31"),
             formats='"html", "csv", "docx"')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    out = project / "out"
    doc = page(out / "contoso.html")
    row = doc.cssselect(f'#sec-exchange_certificates table.findings tr[data-finding-id="{WEAK_KEY}"]')[0]
    assert row.get("data-status") == "accepted"
    assert [text(badge) for badge in row.cssselect("td")[0].cssselect(".badge")] == ["high", "accepted"]
    assert "(risk accepted by J. Smith, CISO until 2027-03-31: EX04 leaves in March)" in text(row)
    # the server's badge beside its name, the chart and the counts leave it out too
    open_rows = doc.cssselect("#summary table.findings tbody tr")
    assert WEAK_KEY not in [r.get("data-finding-id") for r in open_rows]
    findings = pd.read_csv(out / "contoso.findings.csv", encoding="utf-8-sig")
    assert set(findings["Status"]) == {"open"} and WEAK_KEY not in set(findings["Id"])
    accepted = pd.read_csv(out / "contoso.accepted-risks.csv", encoding="utf-8-sig")
    assert list(accepted["Id"]) == [WEAK_KEY]
    word = Document(io.BytesIO((out / "contoso.docx").read_bytes()))
    rows = [[cell.text for cell in table_row.cells] for table in word.tables for table_row in table.rows]
    marked = [cells for cells in rows if cells[-1] == WEAK_KEY and len(cells) == 6]  # the section's table
    assert len(marked) == 1 and marked[0][0] == "high (accepted)"
    assert "risk accepted by J. Smith, CISO until 2027-03-31" in marked[0][3]


def test_an_expired_acceptance_is_open_with_status_in_the_csv(run_cli, project, monkeypatch):
    settings(project, ACCEPTED.format(finding=WEAK_KEY, until="2026-10-01"), formats='"html", "csv"')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    findings = pd.read_csv(project / "out" / "contoso.findings.csv", encoding="utf-8-sig")
    assert findings.loc[findings["Id"] == WEAK_KEY, "Status"].tolist() == ["acceptance expired"]


# -- 11. judged at the section's own collected_at -------------------------------------------------

@pytest.fixture
def later_bundle(run_cli, tmp_path) -> Path:
    """Exchange collected 2026-11-02 21:30, the bundle dated ten days later (another section
    collected then, say): EX04's certificate ran out 75.5 days before its section's collection."""
    path = tmp_path / "contoso.bundle.json"
    assert run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-certs.json",
                   "-o", path, "--collected-at", "2026-11-02T21:30:00Z").exit_code == 0
    bundle = json.loads(path.read_text())
    bundle["collected_at"] = "2026-11-12T10:00:00Z"
    save_bundle(path, bundle)
    return path


def test_findings_and_days_left_are_judged_at_the_sections_collected_at(run_cli, later_bundle, tmp_path):
    findings = {finding.id: finding for finding in run_checks(load_bundle(later_bundle).data)}
    assert findings["exchange-smtp-cert-expired:ex04"].evidence == (
        "Valid until 2026-08-19: expired 75 days before collection.")
    assert findings["exchange-smtp-cert-expires-soon:ex03"].evidence == (
        "Valid until 2026-11-23: 20 days left at collection.")
    assert run_cli("render", later_bundle, "-o", tmp_path / "out", "--format", "html,csv",
                   "--no-project").exit_code == 0
    doc = page(tmp_path / "out" / "contoso.html")
    section = doc.cssselect("#sec-exchange_certificates")[0]
    assert "Collected 2026-11-02" in text(section)
    servers = pd.read_csv(tmp_path / "out" / "contoso.exchange-servers.csv", encoding="utf-8-sig")
    days_left = dict(zip(servers["Server"], servers["Days left"]))
    assert (days_left["EX04"], days_left["EX03"]) == (-75, 20)   # one count with the words above


def test_an_acceptance_is_judged_at_its_findings_sections_collected_at(run_cli, later_bundle, tmp_path,
                                                                        monkeypatch):
    # accepted until after the Exchange collection, though before the bundle's date
    settings(tmp_path, ACCEPTED.format(finding=WEAK_KEY, until="2026-11-05"))
    monkeypatch.chdir(tmp_path)
    assert run_cli("render", later_bundle, "-o", tmp_path / "out", "--format", "html").exit_code == 0
    doc = page(tmp_path / "out" / "contoso.html")
    assert [row.get("data-finding-id") for row in doc.cssselect("#summary table.accepted tbody tr")] == [
        WEAK_KEY]


def test_an_accepted_finding_no_longer_darkens_its_overview_cell(run_cli, demo_dir, tmp_path, monkeypatch):
    def spf_cell(html: Path):
        return page(html).cssselect('table.mail-auth-overview tr[data-domain="contoso-legacy.com"] '
                                    'td[data-kind="spf"]')[0]

    assert spf_cell(demo_dir / "contoso.html").get("class") == "state-cell tone-problem"   # +all: critical
    settings(tmp_path, ACCEPTED.format(finding="spf-pass-all:contoso-legacy.com", until="2027-03-31"))
    monkeypatch.chdir(tmp_path)
    assert run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path / "out",
                   "--format", "html").exit_code == 0
    html = tmp_path / "out" / "contoso.html"
    assert spf_cell(html).get("class") == "state-cell tone-ok"
    row = page(html).cssselect('#sec-mail_auth tr[data-finding-id="spf-pass-all:contoso-legacy.com"]')[0]
    assert row.get("data-status") == "accepted"
