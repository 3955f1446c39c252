"""Every table of the report as data: CSV files and one XLSX workbook, through pandas.

The tables are built from the same template context the report is rendered
from, with the report's column names (a test holds them to the HTML headers).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

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
        builder = SECTION_TABLES.get(section["name"])
        if builder and section["view"]:
            tables.extend(builder(section))
    tables.append(_inputs_table(context))
    return tables


def _findings_table(context: dict) -> Table:
    titles = context["section_titles"]
    return Table("findings", "Summary of findings",
                 ("Severity", "Section", "Subject", "Finding", "Evidence", "Remediation"),
                 [[f["severity"], titles.get(f["section"], f["section"]), f["subject"], f["title"],
                   f["evidence"], f["remediation"]] for f in context["findings"]])


def _accepted_table(context: dict) -> Table:
    return Table("accepted-risks", "Accepted risks",
                 ("Severity", "Subject", "Finding", "Reason", "Accepted by", "Until"),
                 [[f["severity"], f["subject"], f["title"], f["acceptance"]["reason"],
                   f["acceptance"]["accepted_by"], f["acceptance"]["until"]]
                  for f in context["accepted_findings"]])


def _revisions_table(context: dict) -> Table:
    return Table("revisions", "Revision history", ("Version", "Date", "Author", "Change"),
                 [[r["version"], r["date"], r["author"], r["change"]] for r in context["doc"]["revisions"]])


def _inputs_table(context: dict) -> Table:
    return Table("inputs", "Inputs and provenance", ("File", "Section", "Size", "SHA-256"),
                 [[i["name"], i["section"], i["size"], i["sha256"]] for i in context["inputs"]])


def exchange_tables(section: dict) -> list[Table]:
    servers = section["view"]["servers"]
    overview = Table(
        "exchange-servers", "Exchange default SMTP certificates",
        ("Server", "Roles", "Subject", "Issuer", "Not after", "Days left", "Key", "Signature", "Self-signed"),
        [_server_row(server) for server in servers], date_columns=("Not after",))
    store = Table(
        "exchange-store-certificates", "Exchange certificate stores",
        ("Server", "Thumbprint", "Friendly name", "Services", "Status", "Not after", "Self-signed"),
        [[server["name"], entry["thumbprint"], entry["friendly_name"], ", ".join(entry["services"]),
          entry["status"], entry["not_after"], entry["self_signed"]]
         for server in servers for entry in server["store"]], date_columns=("Not after",))
    return [overview, store]


def _server_row(server: dict) -> list[Any]:
    cert = server["default_smtp_certificate"]
    if cert["state"] != "present":
        state = "not set" if cert["state"] == "absent" else f"could not be read: {cert['error']}"
        return [server["name"], ", ".join(server["roles"]), state, None, None, None, None, None, None]
    return [server["name"], ", ".join(server["roles"]), cert["subject"], cert["issuer"], cert["not_after"],
            server["days_left"], f"{cert['key_type']} {cert['key_size']}", cert["signature_hash"],
            cert["self_signed"]]


def aadconnect_tables(section: dict) -> list[Table]:
    """Per sync server; tables the report shows once per connector or rule gather them here."""
    servers = section["view"]["servers"]

    def rows(build) -> list[list[Any]]:
        return [[server["server"], *row] for server in servers for row in build(server)]

    rules = [(group, rule) for server in servers for group in server["rule_groups"] for rule in group["rules"]]
    return [
        Table("aad-setup-choices", "Azure AD Connect setup choices",
              ("Sync server", "Option", "Configured value", "Can be changed after setup?", "Read from"),
              rows(lambda s: [[r["label"], r["value"], "yes" if r["changeable"] else "no (install time only)",
                               r["from"]] for r in s["setup_rows"]])),
        Table("aad-group-dns", "Azure AD Connect group filtering",
              ("Sync server", "AD connector", "Pilot group (Connector.GroupFilteringGroupDn)", "In effect"),
              rows(lambda s: [[c["name"], c["group_dn"], c["in_effect"]] for c in s["group_filtering"]["connectors"]])),
        Table("aad-connectors", "Azure AD Connect connectors",
              ("Sync server", "Name", "Type", "Forest or subtype", "Partitions selected", "Run profiles"),
              rows(lambda s: [[c["name"], c["type"], c["forest"] or c["subtype"],
                               sum(1 for p in c["partitions"] if p["selected"]), len(c["run_profiles"])]
                              for c in s["connectors"]])),
        Table("aad-run-profiles", "Azure AD Connect run profiles",
              ("Sync server", "Connector", "Run profile", "Steps"),
              rows(lambda s: [[c["name"], p["name"], "; ".join(p["steps_text"])]
                              for c in s["connectors"] for p in c["run_profiles"]])),
        Table("aad-rules", "Azure AD Connect synchronisation rules",
              ("Connector", "Direction", "Precedence", "Name", "Kind", "Objects", "Link", "State"),
              [[group["connector_name"], group["direction"], rule["precedence"], rule["name"],
                "default" if rule["is_default"] else "custom",
                f"{rule['source_object_type']} → {rule['target_object_type']}", rule["link_type"],
                "disabled" if rule["disabled"] else "enabled"] for group, rule in rules]),
        Table("aad-flows", "Azure AD Connect attribute flows",
              ("Rule", "Destination", "Type", "Source, expression or constant", "Merge", "Once"),
              [[rule["name"], flow["destination"], flow["type"], flow["source_text"], flow["merge_type"],
                flow["execute_once"]] for _, rule in rules for flow in rule["flow_rows"]]),
        Table("aad-global-settings", "Azure AD Connect global settings",
              ("Sync server", "Parameter", "Value"),
              rows(lambda s: [[g["name"], g["value"]] for g in s["global_settings"]])),
        Table("aad-scheduler", "Azure AD Connect scheduler",
              ("Sync server", "Get-ADSyncScheduler", "Value"),
              rows(lambda s: [[e["name"], e["value"]] for e in s["scheduler"]])),
    ]


def dkim_tables(section: dict) -> list[Table]:
    view = section["view"]

    def selector_cell(item: dict, name: str) -> str | None:
        facts = item["by_selector"].get(name)
        return None if facts is None else f"CNAME {facts['summary']['cname']}; {facts['summary']['key']}"

    return [
        Table("dkim-failures", "Failing active DKIM selectors",
              ("Domain", "Active selector", "Selector CNAME (target)", "Why"),
              [[row["domain"], row["selector"], row["cname"], row["reason"]] for row in view["failing"]]),
        Table("dkim-overview", "DKIM signing", ("Domain", "Signing", "Active", "selector1", "selector2"),
              [[item["domain"], item["signing"], item["active_selector"], selector_cell(item, "selector1"),
                selector_cell(item, "selector2")] for item in view["domains"]]),
        Table("dkim-selectors", "DKIM selectors",
              ("Domain", "Selector", "Published CNAME", "Configured target", "Key at target"),
              [[item["domain"], facts["selector"], facts["published_target"], facts["configured_target"],
                facts["summary"]["key"]] for item in view["domains"] for facts in item["selector_rows"]]),
    ]


def mail_auth_tables(section: dict) -> list[Table]:
    view = section["view"]
    kinds = view["kinds"]
    return [
        Table("mail-auth-overview", "Mail authentication",
              ("Domain", *(title for _, title in kinds)),
              [[item["domain"], *(item["cells"][kind]["text"] for kind, _ in kinds)] for item in view["domains"]]),
        Table("mail-auth-records", "Mail authentication records",
              ("Domain", "Record", "Looked up", "Found", "Verdict"),
              [[item["domain"], title, f"{item[kind]['lookup']['name']} {item[kind]['lookup']['type']} "
                f"{item[kind]['lookup']['outcome'].upper()}", "\n".join(item[kind]["records"]),
                item["cells"][kind]["text"]] for item in view["domains"] for kind, title in kinds]),
    ]


# section name -> builder(section context) -> its tables
SECTION_TABLES: dict[str, Callable[[dict], list[Table]]] = {
    "aadconnect": aadconnect_tables,
    "exchange_certificates": exchange_tables,
    "dkim": dkim_tables,
    "mail_auth": mail_auth_tables,
}


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
    """One workbook, a sheet per table, dates as dates."""
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", datetime_format="yyyy-mm-dd hh:mm") as writer:
        used: set[str] = set()
        for table in tables:
            sheet = _sheet_name(table.name, used)
            _frame(table, real_dates=True).to_excel(writer, sheet_name=sheet, index=False)
            _fit_columns(writer.sheets[sheet])
        writer.book.properties.creator = "docgen"
        writer.book.properties.created = moment.replace(tzinfo=None)
        writer.book.properties.modified = moment.replace(tzinfo=None)
    return _zip_entries_dated(buffer.getvalue(), moment)


def _zip_entries_dated(data: bytes, moment: datetime) -> bytes:
    """The same archive with every entry, and the workbook's "modified" property, dated
    `moment`: openpyxl stamps both with the time of writing, and the same bundle must give
    the same bytes."""
    import re
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


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:XLSX_SHEET_NAME_LIMIT]
    candidate, number = base, 2
    while candidate in used:
        suffix = f"-{number}"
        candidate = base[: XLSX_SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate


def _fit_columns(sheet) -> None:
    for column in sheet.columns:
        width = max((len(str(cell.value)) for cell in column if cell.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8) + 2, 60)
