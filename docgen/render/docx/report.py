"""The report as a Word document, from the same template context as the HTML and the PDF.

The order is the report's (templates/report.html.j2): cover with the revision history,
contents, the introduction and scope notes, the summary of findings, one chapter per
section at its detail level, the appendices, inputs and provenance. Headings use Word's
built-in heading styles, so the navigation pane and the table of contents work.
"""

from __future__ import annotations

from typing import Any

from docgen.areas import find_area
from docgen.core.dates import parse_iso
from docgen.render.docx.images import image_of_data_uri, svg_to_png
from docgen.render.docx.notes import write_note
from docgen.render.docx.package import fixed_bytes, open_document, set_properties, update_fields_on_open
from docgen.render.docx.sections import LAYOUTS, SectionContext, generic, table_of
from docgen.render.docx.writer import (
    DEFAULT_ACCENT,
    SEVERITY_FILLS,
    STATE_FILLS,
    Cell,
    Span,
    Writer,
    clean,
    w,
)
from docgen.render.html import format_datetime, format_size
from docgen.render.options import DocxTemplate
from docgen.render.tables import DATA_ONLY_COLUMNS, Table

# The bookmark around the cover's hash: `docgen verify` reads the cover's hash there.
HASH_BOOKMARK = "docgen_bundle_sha256"
CLASSIFICATION_COLOUR = "8B1A1A"
UPDATE_HINT = ("Word fills in these contents when the document is opened. If they are missing or out of "
               "date (another viewer, or after editing), update them: in Word right-click them and choose "
               "Update Field (or press F9); in LibreOffice choose Tools > Update > Update All.")
FINDING_WEIGHTS = {"Severity": 12, "Section": 13, "Subject": 14, "Finding": 19, "Evidence": 22,
                   "Remediation": 22, "Id": 14}


def report_docx(context: dict, tables: list[Table], template: DocxTemplate | None) -> bytes:
    """The report's DOCX: the same sections, detail levels, notes, findings, tables and charts."""
    document = open_document(template)
    doc = context["doc"]
    if template is None:
        page_setup(document, doc)
    writer = Writer(document, doc["accent_color"])
    by_name = {table.name: table for table in tables}
    charts = _Charts(writer)
    _cover(writer, doc, by_name)
    contents = _contents(writer)
    for chapter in context["chapters"]:
        _chapter(writer, chapter)
    _summary(writer, context, by_name, charts)
    ctx = SectionContext(context, by_name, charts.add,
                         lambda out, records, show: _findings_table(out, records, context, show))
    for section in context["sections"]:
        _section(writer, section, ctx)
    for chapter in context["appendices"]:
        _chapter(writer, chapter)
    _provenance(writer, context, by_name)
    fill_contents(writer, contents)
    writer.finish()
    moment = parse_iso(doc["collected_at"])
    set_properties(document, title=doc["title"], author=doc["author"], subject=doc["description"],
                   moment=moment, custom={**doc["custom_meta"], "docgen-version": doc["renderer_version"]},
                   keywords=doc["organization"])
    update_fields_on_open(document)
    return fixed_bytes(document, moment)


class _Charts:
    """SVG charts as pictures, each drawn once."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    def add(self, svg: Any, alt: str, caption: str | None) -> None:
        self.writer.image(svg_to_png(str(svg)), alt=alt)
        if caption:
            self.writer.caption(caption)


def page_setup(document, doc: dict) -> None:
    """Without a template: A4 with the PDF's margins; title and classification above every
    page but the cover, the organisation and "Page X of Y" below."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    section.left_margin, section.right_margin = Mm(16), Mm(16)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    section.different_first_page_header_footer = True
    right = section.page_width - section.left_margin - section.right_margin
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    accent = RGBColor.from_string((doc["accent_color"] or f"#{DEFAULT_ACCENT}").lstrip("#").upper())
    for style in document.styles:   # headings in the accent colour, as in the PDF
        if style.name == "Title" or (style.name or "").startswith("Heading "):
            style.font.color.rgb = accent
    writer = Writer(document, doc["accent_color"])
    for part, left, right_content in (
            (section.header, doc["title"], [Span(doc["classification"], bold=True, color=CLASSIFICATION_COLOUR)]
             if doc["classification"] else []),
            (section.footer, doc["organization"], None)):
        part.is_linked_to_previous = False
        paragraph = part.paragraphs[0]
        stops = paragraph.paragraph_format.tab_stops
        stops.clear_all()
        for inherited in paragraph.style.paragraph_format.tab_stops:   # the Header style's own
            stops.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
        p = paragraph._p
        for child in [child for child in p if child.tag != w("pPr")]:
            p.remove(child)
        writer.add_runs(p, [Span(clean(left), color="5A6470"), Span("\t")])
        if right_content is None:
            writer.add_runs(p, [Span("Page ", color="5A6470")])
            writer.field(p, "PAGE", [Span("1", color="5A6470")])
            writer.add_runs(p, [Span(" of ", color="5A6470")])
            writer.field(p, "NUMPAGES", [Span("1", color="5A6470")])
        else:
            writer.add_runs(p, right_content)
        for run in paragraph.runs:
            run.font.size = Pt(8)


def _cover(writer: Writer, doc: dict, tables: dict[str, Table]) -> None:
    if doc.get("logo"):
        writer.image(image_of_data_uri(doc["logo"]), alt=f"{clean(doc['organization'])} logo",
                     max_width_pt=180)
    if doc["classification"]:
        writer.paragraph([Span(doc["classification"], bold=True, color=CLASSIFICATION_COLOUR)])
    writer.paragraph(doc["title"], "Title")
    writer.paragraph(doc["organization"], "Subtitle")
    facts: list[tuple[str, Any]] = [("Collected", format_datetime(doc["collected_at"]))]
    if doc["author"]:
        facts.append(("Author", doc["author"]))
    facts += [
        ("Produced by", f"docgen {doc['renderer_version']} (bundle written by docgen {clean(doc['tool_version'])}, "
                        f"schema {doc['schema_version']})"),
        ("Run", Cell(doc["run_id"], mono=True)),
        ("Bundle SHA-256", Cell(doc["bundle_sha256"], mono=True, bookmark=HASH_BOOKMARK)),
    ]
    writer.facts(facts)
    writer.muted([Span("Every fact in this document comes from the bundle identified by the SHA-256 above. "
                       "A Word document carries no attachment: the bundle file is handed over beside it, and "),
                  Span("docgen verify <this document> --bundle <bundle file>", mono=True),
                  Span(" shows that it is that bundle.")])
    if doc["revisions"]:
        writer.paragraph([Span("Revision history", bold=True)], keep_next=True)
        table_of(writer, tables["revisions"])
    writer.new_page = True


def _contents(writer: Writer):
    """The contents heading and a TOC field; its entries are filled at the end."""
    writer.paragraph([Span("Contents", bold=True)], "TOC Heading" if writer.styles.has("TOC Heading") else None)
    field = writer.paragraph("", _toc_style(writer))
    writer.muted(UPDATE_HINT)
    writer.new_page = True
    return field


def _toc_style(writer: Writer) -> str:
    return "TOC 1"   # Word's own style for the first level (added when the template has none)


def fill_contents(writer: Writer, field) -> None:
    """The TOC field, with the chapter headings as its result: a viewer that does not
    update fields still lists the chapters (without page numbers)."""
    begin = writer.el("r", field)
    writer.el("fldChar", begin, fldCharType="begin", dirty="true")
    instr = writer.el("instrText", writer.el("r", field))
    instr.text = ' TOC \\o "1-3" \\h \\z \\u '
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    writer.el("fldChar", writer.el("r", field), fldCharType="separate")
    entries = [text for level, text in writer.headings if level == 1] or [""]
    writer.add_runs(field, [Span(entries[0])])
    last = field
    for text in entries[1:]:
        p = writer.paragraph(text, _toc_style(writer), place=False)
        last.addnext(p)
        last = p
    writer.el("fldChar", writer.el("r", last), fldCharType="end")


def _chapter(writer: Writer, chapter: dict) -> None:
    writer.new_page = True
    if chapter["title"]:
        writer.heading(chapter["title"], 1)
    write_note(writer, str(chapter["html"]))


def _findings_table(writer: Writer, records: list[dict], context: dict, show_section: bool,
                    table: Table | None = None) -> None:
    """Findings with their severity on its colour, accepted ones marked, each with its id;
    the summary's from the report's table (less the columns only a spreadsheet has)."""
    titles = context["section_titles"]
    if table is not None:
        hidden = DATA_ONLY_COLUMNS.get(table.name, ())
        keep = [index for index, column in enumerate(table.columns) if column not in hidden]
        columns = [table.columns[index] for index in keep]
        rows = [[row[index] for index in keep] for row in table.rows]
    else:
        columns = ["Severity", "Subject", "Finding", "Evidence", "Remediation", "Id"]
        rows = [[f["severity"], f["subject"], f["title"], f["evidence"], f["remediation"], f["id"]]
                for f in records]
    evidence = columns.index("Evidence")
    for row, record in zip(rows, records):
        accepted = record["status"] == "accepted"
        row[0] = Cell(f"{row[0]} (accepted)" if accepted else row[0],
                      fill=None if accepted else SEVERITY_FILLS.get(record["severity"]), bold=True)
        acceptance = record["acceptance"]
        if accepted:
            row[evidence] = [Span(clean(row[evidence])),
                             Span(f" (risk accepted by {clean(acceptance['accepted_by'])} until "
                                  f"{clean(acceptance['until'])}: {clean(acceptance['reason'])})",
                                  italic=True)]
        elif record["status"] == "acceptance expired":
            row[evidence] = [Span(clean(row[evidence])),
                             Span(f" (accepted by {clean(acceptance['accepted_by'])} until "
                                  f"{clean(acceptance['until'])}; that acceptance has expired)", italic=True)]
        if show_section and table is None:
            row.insert(1, titles.get(record["section"], record["section"]))
    writer.table(columns, rows, weights=[FINDING_WEIGHTS.get(column, 14) for column in columns])


def _summary(writer: Writer, context: dict, tables: dict[str, Table], charts: _Charts) -> None:
    writer.new_page = True
    writer.heading("Summary of findings", 1)
    counts = context["severity_counts"]
    writer.table(list(counts), [[Cell(f"{count} {severity}", fill=SEVERITY_FILLS.get(severity), bold=True)
                                 for severity, count in counts.items()]], header=False)
    if context["charts"].get("findings"):
        charts.add(context["charts"]["findings"], "Open findings by section and severity",
                   "Open findings by section and severity")
    if context["findings"]:
        _findings_table(writer, context["findings"], context, True, tables["findings"])
    else:
        writer.paragraph("No findings.")
    if context["accepted_findings"]:
        writer.heading("Accepted risks", 2)
        writer.paragraph("These findings were accepted by the customer and do not count above while the "
                         "acceptance lasts.")
        table = tables["accepted-risks"]
        rows = [[Cell(row[0], fill=SEVERITY_FILLS.get(row[0]), bold=True), *row[1:]] for row in table.rows]
        writer.table(table.columns, rows)
    if context["options_organization"]:
        writer.paragraph(f"Warning: the title, notes and accepted risks of this document come from the "
                         f"project of {clean(context['options_organization'])}; the facts are "
                         f"{clean(context['doc']['organization'])}'s.")
    for warning in context["acceptance_warnings"]:
        writer.paragraph(f"Warning: {clean(warning)}.")
    incomplete = [section for section in context["sections"] if section["status"] != "ok"]
    if incomplete:
        writer.paragraph("Some sections are incomplete; what could not be read or looked up is listed in each "
                         "of them: " + ", ".join(f"{clean(section['title'])} ({section['status']})"
                                                 for section in incomplete) + ".")


def _section(writer: Writer, section: dict, ctx: SectionContext) -> None:
    writer.new_page = True
    writer.heading(section["title"], 1)
    writer.paragraph([Span(f"Collected {format_datetime(section['collected_at'])} · status "),
                      Span(f" {section['status']} ", bold=True, fill=STATE_FILLS.get(section["status"]))])
    if section["errors"]:
        writer.heading("What could not be read", 3)
        for error in section["errors"]:
            spans = []
            if error.get("source"):
                spans.append(Span(error["source"], mono=True))
            if error.get("where"):
                spans.append(Span(f" ({error['where']})"))
            spans.append(Span(f": {clean(error['message'])}" if spans else clean(error["message"])))
            writer.list_item(spans, ordered=False, level=0, list_id=f"errors-{section['name']}")
    if section["note"]:
        write_note(writer, str(section["note"]))
    layout = LAYOUTS.get(section["name"])
    if layout is not None:
        layout(writer, section, ctx)
    else:
        area = find_area(section["name"])
        own = area.tables(section) if area is not None and area.tables is not None and section["view"] else []
        generic(writer, section, ctx, own)


def _provenance(writer: Writer, context: dict, tables: dict[str, Table]) -> None:
    writer.new_page = True
    writer.heading("Inputs and provenance", 1)
    writer.paragraph("The raw files this document was built from, as recorded in the bundle. An auditor can "
                     "compare these SHA-256 values with the archived exports.")
    size_of = {2: format_size}
    if context["inputs"]:
        table = tables["inputs"]
        writer.table(table.columns, [[row[0], row[1], row[2], Cell(row[3], mono=True)] for row in table.rows],
                     formats=size_of, weights=(30, 14, 10, 46))
    else:
        writer.paragraph("No raw files were recorded (the facts came from live lookups).")
    if context["skipped_inputs"]:
        writer.heading("Inputs handed over and not used", 2)
        writer.paragraph("These files were in the inputs but docgen did not recognise them, so nothing in this "
                         "document comes from them. They are recorded so that what was handed over is "
                         "accounted for.")
        table = tables["skipped-inputs"]
        writer.table(table.columns, [[row[0], format_size(row[1]) if row[1] is not None else None,
                                      Cell(row[2], mono=True), row[3]] for row in table.rows],
                     weights=(26, 10, 40, 24))
    doc = context["doc"]
    writer.facts([("Bundle SHA-256", Cell(doc["bundle_sha256"], mono=True)),
                  ("Run", Cell(doc["run_id"], mono=True)),
                  ("Collected", format_datetime(doc["collected_at"]))])
