"""Every table of the report as data: CSV files and one XLSX workbook, through pandas.

The tables are built from the same template context the report is rendered
from, with the report's column names (a test holds them to the HTML headers).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from docgen.areas import find_area
from docgen.core.dates import parse_iso

if TYPE_CHECKING:
    import pandas as pd

CSV_ENCODING = "utf-8-sig"  # with a BOM, so Excel reads non-ASCII names correctly
XLSX_SHEET_NAME_LIMIT = 31


@dataclass(frozen=True)
class Table:
    name: str                      # also the HTML table's data-table attribute
    title: str
    columns: tuple[str, ...]
    rows: list[list[Any]] = field(default_factory=list)
    date_columns: tuple[str, ...] = ()   # ISO 8601 text that becomes real dates in XLSX


def report_tables(context: dict) -> list[Table]:
    """The report's tables in document order (context from render.context.report_context)."""
    tables = [_findings_table(context), _accepted_table(context)]
    if context["doc"]["revisions"]:
        tables.append(_revisions_table(context))
    for section in context["sections"]:
        area = find_area(section["name"])
        if area is not None and area.tables is not None and section["view"]:
            tables.extend(area.tables(section))
    tables.append(_inputs_table(context))
    if context["skipped_inputs"]:
        tables.append(_skipped_table(context))
    return tables


# Columns a spreadsheet has that the report shows another way: the findings' status is
# the summary's split into open and accepted, and a badge in each section's table.
DATA_ONLY_COLUMNS = {"findings": ("Status",)}
# Columns the HTML and PDF show inside another column's cell (a finding's id under its title);
# the spreadsheet and the Word table keep them apart.
UNDER_ANOTHER_COLUMN = {"findings": ("Id",)}


def _findings_table(context: dict) -> Table:
    titles = context["section_titles"]
    return Table("findings", "Summary of findings",
                 ("Severity", "Status", "Section", "Subject", "Finding", "Evidence", "Remediation",
                  "Id"),
                 [[f["severity"], f["status"], titles.get(f["section"], f["section"]), f["subject"],
                   f["title"], f["evidence"], f["remediation"], f["id"]] for f in context["findings"]])


def _accepted_table(context: dict) -> Table:
    return Table("accepted-risks", "Accepted risks",
                 ("Severity", "Subject", "Finding", "Reason", "Accepted by", "Until", "Id"),
                 [[f["severity"], f["subject"], f["title"], f["acceptance"]["reason"],
                   f["acceptance"]["accepted_by"], f["acceptance"]["until"], f["id"]]
                  for f in context["accepted_findings"]])


def _revisions_table(context: dict) -> Table:
    return Table("revisions", "Revision history", ("Version", "Date", "Author", "Change"),
                 [[r["version"], r["date"], r["author"], r["change"]] for r in context["doc"]["revisions"]])


def _skipped_table(context: dict) -> Table:
    return Table("skipped-inputs", "Inputs handed over and not used", ("File", "Size", "SHA-256", "Why"),
                 [[i["name"], i["size"], i["sha256"], i["reason"]] for i in context["skipped_inputs"]])


def _inputs_table(context: dict) -> Table:
    titles = context["input_sections"]   # "Exchange certificates", not exchange_certificates
    return Table("inputs", "Inputs and provenance", ("File", "Section", "Size", "SHA-256"),
                 [[i["name"], titles.get(i["section"], i["section"]), i["size"], i["sha256"]]
                  for i in context["inputs"]])


def _frame(table: Table, *, real_dates: bool) -> "pd.DataFrame":
    import pandas as pd  # imported when a table is asked for: it costs 0.4 s at startup

    frame = pd.DataFrame(table.rows, columns=list(table.columns), dtype=object)
    if real_dates:
        for column in table.date_columns:
            frame[column] = [_excel_date(value) for value in frame[column]]
    return frame


def _excel_date(value: Any) -> datetime | None:
    # Excel has no time zones: bundle dates are UTC, written as naive UTC.
    return parse_iso(value).replace(tzinfo=None) if isinstance(value, str) and value else None


def tables_to_csv(tables: list[Table], stem: str) -> dict[str, bytes]:
    return {f"{stem}.{table.name}.csv": _frame(table, real_dates=False)
            .to_csv(index=False, lineterminator="\r\n").encode(CSV_ENCODING) for table in tables}


def tables_to_xlsx(tables: list[Table], moment: datetime) -> bytes:
    """One workbook: a contents sheet, then a sheet per table that has rows (named by its
    title), dates as dates; every sheet with its header row frozen and a filter on it."""
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", datetime_format="yyyy-mm-dd hh:mm") as writer:
        used: set[str] = {CONTENTS_SHEET}
        sheets = {table.name: _sheet_name(table.title, used) for table in tables if table.rows}
        _frame(_contents_table(tables, sheets), real_dates=False).to_excel(
            writer, sheet_name=CONTENTS_SHEET, index=False)
        _format_sheet(writer.sheets[CONTENTS_SHEET])
        for table in tables:
            if table.name in sheets:
                _frame(table, real_dates=True).to_excel(writer, sheet_name=sheets[table.name], index=False)
                _format_sheet(writer.sheets[sheets[table.name]])
        writer.book.properties.creator = "docgen"
        writer.book.properties.created = moment.replace(tzinfo=None)
        writer.book.properties.modified = moment.replace(tzinfo=None)
    return _zip_entries_dated(buffer.getvalue(), moment)


CONTENTS_SHEET = "Contents"


def _contents_table(tables: list[Table], sheets: dict[str, str]) -> Table:
    """Every table of the report, with its sheet; a table without rows has none (an empty
    sheet would look like data that went missing) and says so."""
    return Table("contents", "Contents", ("Sheet", "Table", "Rows"),
                 [[sheets.get(table.name, "(no sheet: no rows)"), table.title, len(table.rows)]
                  for table in tables])


def _format_sheet(sheet) -> None:
    """Header row frozen, a filter on every column, columns as wide as their content."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_columns(sheet)


def _zip_entries_dated(data: bytes, moment: datetime) -> bytes:
    """The same archive with every entry, and the workbook's "modified" property, dated
    `moment`: openpyxl stamps both with the time of writing, and the same bundle must give
    the same bytes."""
    import zipfile

    stamp = moment.timetuple()[:6]
    modified = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified\b[^>]*>)[^<]*", rb"\g<1>" + modified, content)
            target.writestr(fixed, content)
    return out.getvalue()


_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    """The table's title as a sheet name: at most 31 characters, cut at a word, unique."""
    name = _NOT_IN_SHEET_NAMES.sub("-", title).replace("Azure AD Connect", "AAD Connect").strip("'")
    if len(name) > XLSX_SHEET_NAME_LIMIT:
        name = name[:XLSX_SHEET_NAME_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    candidate, number = name, 2
    while candidate.casefold() in {entry.casefold() for entry in used}:
        suffix = f" ({number})"
        candidate = name[: XLSX_SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate


def _fit_columns(sheet) -> None:
    for column in sheet.columns:
        width = max((len(str(cell.value)) for cell in column if cell.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8) + 2, 60)
