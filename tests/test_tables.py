"""Report tables as CSV and XLSX: one file or sheet per table, the report's column names, real dates."""

from __future__ import annotations

import io
from datetime import datetime

import lxml.html
import openpyxl
import pandas as pd
import pytest

from docgen.render.tables import DATA_ONLY_COLUMNS, UNDER_ANOTHER_COLUMN

# Tables that gather one HTML table per object into one: they add that object's columns first.
GATHERED = {"exchange-store-certificates": ["Server"], "exchange-receive-connectors": ["Server"],
            "aad-setup-choices": ["Sync server"],
            "aad-group-dns": ["Sync server"], "aad-connectors": ["Sync server"],
            "aad-run-profiles": ["Sync server", "Connector"], "aad-rules": ["Connector", "Direction"],
            "aad-flows": ["Rule"], "aad-global-settings": ["Sync server"], "aad-scheduler": ["Sync server"],
            "dkim-selectors": ["Domain"], "mail-auth-records": ["Domain"]}


@pytest.fixture(scope="module")
def rendered(demo_dir, tmp_path_factory):
    from click.testing import CliRunner

    from docgen.cli import cli
    out = tmp_path_factory.mktemp("tables")
    result = CliRunner().invoke(cli, ["render", str(demo_dir / "contoso.bundle.json"), "-o", str(out),
                                      "--format", "html,csv,xlsx", "--no-project"])
    assert result.exit_code == 0, result.output
    return out


def test_one_csv_per_table_and_one_workbook(rendered):
    names = sorted(p.name for p in rendered.iterdir())
    tables = ["findings", "accepted-risks", "aad-setup-choices", "aad-group-dns", "aad-connectors",
              "aad-run-profiles", "aad-rules", "aad-flows", "aad-global-settings", "aad-scheduler",
              "ca-policies", "ca-coverage", "idp-risky-users", "idp-detections", "exchange-servers",
              "exchange-certificates", "exchange-store-certificates", "exchange-receive-connectors",
              "exchange-server-builds", "exchange-hybrid-readiness", "mobile-rules", "mobile-devices",
              "dkim-failures", "dkim-overview",
              "dkim-selectors", "mail-auth-overview", "mail-auth-records", "inputs"]
    assert names == sorted([f"contoso.{name}.csv" for name in tables] + ["contoso.html", "contoso.xlsx"])
    workbook = openpyxl.load_workbook(rendered / "contoso.xlsx")
    # a contents sheet, then a sheet per table with rows (none has "accepted-risks": no rows)
    assert workbook.sheetnames[0] == "Contents"
    assert len(workbook.sheetnames) == 1 + len(tables) - 1


def sheet_titled(workbook, title: str):
    """The sheet of the table titled `title`, as the contents sheet names it."""
    sheets = {row[1]: row[0] for row in workbook["Contents"].iter_rows(min_row=2, values_only=True)}
    return workbook[sheets[title]]


def test_every_sheet_has_its_header_frozen_and_a_filter(rendered):
    workbook = openpyxl.load_workbook(rendered / "contoso.xlsx")
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        assert sheet.max_row >= 2, f"{sheet.title} is empty"


def test_sheets_are_named_by_title_and_empty_tables_listed_in_the_contents(rendered):
    workbook = openpyxl.load_workbook(rendered / "contoso.xlsx")
    contents = list(workbook["Contents"].iter_rows(values_only=True))
    assert contents[0] == ("Sheet", "Table", "Rows")
    assert ("(no sheet: no rows)", "Accepted risks", 0) in contents
    assert ("Summary of findings", "Summary of findings", 45) in contents
    # titles, shortened at a word to Excel's 31 characters; no table key is a sheet name
    assert "AAD Connect synchronisation…" in workbook.sheetnames
    assert all(len(name) <= 31 and "-" not in name for name in workbook.sheetnames)


def test_the_inputs_sheet_names_sections_by_title_and_files_relative(rendered):
    sheet = sheet_titled(openpyxl.load_workbook(rendered / "contoso.xlsx"), "Inputs and provenance")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    sections = {row[1] for row in rows}
    assert "Exchange certificates" in sections and "exchange_certificates" not in sections
    assert all(not row[0].startswith("/") and ":\\" not in row[0] for row in rows)


def test_columns_are_named_as_in_the_report(rendered):
    page = lxml.html.fromstring((rendered / "contoso.html").read_bytes())
    checked = 0
    for csv in rendered.glob("contoso.*.csv"):
        name = csv.name[len("contoso."):-len(".csv")]
        columns = list(pd.read_csv(csv, encoding="utf-8-sig", nrows=0).columns)
        tables = page.cssselect(f'table[data-table="{name}"]')
        if not tables:  # an empty table is not in the HTML (no accepted risks in the demo)
            assert pd.read_csv(csv, encoding="utf-8-sig").empty, name
            continue
        headers = [" ".join(th.text_content().split()) for th in tables[0].cssselect("thead th")]
        shown = [column for column in columns if column not in DATA_ONLY_COLUMNS.get(name, ())
                 and column not in UNDER_ANOTHER_COLUMN.get(name, ())]
        assert shown == GATHERED.get(name, []) + headers, name
        checked += 1
    assert checked == 27


def test_rows_match_the_report(rendered):
    servers = pd.read_csv(rendered / "contoso.exchange-servers.csv", encoding="utf-8-sig")
    assert list(servers["Server"]) == ["EX01", "EX02", "EX03", "EX04", "EX05", "EX07", "EX08"]
    assert servers.loc[2, "Days left"] == 21   # judged at the Exchange section's own collected_at
    assert servers.loc[4, "Subject"] == "not set"
    assert servers.loc[5, "Subject"] == "not in the export"   # Export-ExchangeConfig only
    certificates = pd.read_csv(rendered / "contoso.exchange-certificates.csv", encoding="utf-8-sig")
    ex07 = certificates[certificates["Server"] == "EX07"]
    assert list(ex07["Subject"]) == ["CN=webmail.contoso.com", "CN=EX07",
                                     "CN=Microsoft Exchange Server Auth Certificate"]
    assert list(ex07["Services"]) == ["IIS, SMTP", "IMAP, POP, SMTP", "SMTP"]
    assert list(ex07["Key"]) == ["RSA 1024", "RSA 2048", "RSA 2048"]
    assert list(ex07["Signature"]) == ["sha256", "sha256", "sha256"]
    assert list(ex07["Days left"]) == [20, 25, 925]
    findings = pd.read_csv(rendered / "contoso.findings.csv", encoding="utf-8-sig")
    assert len(findings) == 45
    exchange = findings[findings["Section"] == "Exchange certificates"]
    assert list(exchange["Subject"]) == [
        "EX04", "EX07: CN=EX07", "EX07: CN=webmail.contoso.com", "EX07: CN=webmail.contoso.com",
        "EX07: CN=webmail.contoso.com", "EX03", "EX05", "EX04", "EX04"]
    builds = pd.read_csv(rendered / "contoso.exchange-server-builds.csv", encoding="utf-8-sig")
    assert list(zip(builds["Server"], builds["Product and update"], builds["Support"])) == [
        ("EX01", "Exchange 2019 CU14", "ended 2025-10-14"), ("EX07", "Exchange 2016 CU2", "ended 2025-10-14"),
        ("EX08", "Exchange SE RTM", "current (Modern Lifecycle: kept up to date)")]


def test_dates_are_real_dates_in_the_workbook(rendered):
    workbook = openpyxl.load_workbook(io.BytesIO((rendered / "contoso.xlsx").read_bytes()))
    sheet = sheet_titled(workbook, "Exchange default SMTP certificates")
    header = [cell.value for cell in sheet[1]]
    not_after = sheet.cell(row=2, column=header.index("Not after") + 1).value
    assert not_after == datetime(2028, 4, 15, 9, 30)
    store = sheet_titled(workbook, "Exchange certificate stores")
    header = [cell.value for cell in store[1]]
    assert isinstance(store.cell(row=2, column=header.index("Not after") + 1).value, datetime)
