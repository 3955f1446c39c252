"""The diff of two bundles as a Word document (templates/diff.html.j2, as printed)."""

from __future__ import annotations

from docgen.core.dates import parse_iso
from docgen.diff.engine import show
from docgen.diff.inline import DELETED, INSERTED
from docgen.render.docx.package import fixed_bytes, open_document, set_properties, update_fields_on_open
from docgen.render.docx.report import UPDATE_HINT, fill_contents, page_setup
from docgen.render.docx.writer import SEVERITY_FILLS, Cell, Span, Writer, clean
from docgen.render.html import format_datetime, visible_text
from docgen.render.options import DocxTemplate

MUTED = "5A6470"
KIND_FILLS = {"added": "166534", "removed": "8B1A1A", "modified": "A16207", "replaced": "C2410C",
              "unknown": "5A6470"}


def diff_docx(context: dict, template: DocxTemplate | None) -> bytes:
    document = open_document(template)
    doc = context["doc"]
    diff = context["diff"]
    if template is None:
        page_setup(document, {**doc, "accent_color": None})
    writer = Writer(document)
    _cover(writer, doc, diff)
    writer.paragraph([Span("Contents", bold=True)])
    contents = writer.paragraph("")
    writer.muted(UPDATE_HINT)
    writer.new_page = True
    _summary(writer, diff, context["kinds"])
    _findings(writer, diff)
    print_unchanged = not context["changes_only"]
    for section in diff["sections"]:
        _section(writer, section, context["views"][section["name"]], print_unchanged)
    _volatile(writer, diff)
    fill_contents(writer, contents)
    writer.finish()
    moment = parse_iso(doc["collected_at"])
    set_properties(document, title=doc["title"], author=doc["author"], subject=doc["description"],
                   moment=moment, custom={**doc["custom_meta"], "docgen-version": doc["renderer_version"]},
                   keywords=doc["organization"])
    update_fields_on_open(document)
    return fixed_bytes(document, moment)


def _cover(writer: Writer, doc: dict, diff: dict) -> None:
    before, after = diff["before"], diff["after"]
    if doc["classification"]:
        writer.paragraph([Span(doc["classification"], bold=True, color="8B1A1A")])
    writer.paragraph(doc["title"], "Title")
    writer.paragraph(doc["organization"], "Subtitle")
    writer.table(("", "Before", "After"), [
        ["Bundle", before["name"], after["name"]],
        ["Collected", format_datetime(before["collected_at"]), format_datetime(after["collected_at"])],
        ["Organisation", before["organization"], after["organization"]],
        ["SHA-256", Cell(before["sha256"], mono=True, bookmark="docgen_before_sha256"),
         Cell(after["sha256"], mono=True, bookmark="docgen_after_sha256")],
        ["Run", Cell(before["run_id"], mono=True), Cell(after["run_id"], mono=True)],
    ], weights=(16, 42, 42))
    if doc["author"]:
        writer.paragraph(f"Author: {clean(doc['author'])}")
    writer.muted(f"Produced by docgen {doc['renderer_version']}. A Word document carries no attachment: both "
                 "bundles are handed over beside it, identified by the SHA-256 values above.")
    writer.new_page = True


def _summary(writer: Writer, diff: dict, kinds: tuple[str, ...]) -> None:
    writer.heading("Summary", 1)
    changes = diff["summary"]["changes"]
    writer.paragraph([Span(f"{changes} change{'s' if changes != 1 else ''}" if diff["result"] == "changed"
                           else "No changes", bold=True)])
    if diff["summary"]["unknown"]:
        writer.paragraph(f"{diff['summary']['unknown']} object(s) could not be compared because a lookup "
                         "failed on one side.")
    if diff["summary"]["not_comparable"]:
        writer.paragraph(f"Not comparable: {clean(diff['summary']['not_comparable'])} (missing, failed or "
                         "skipped on one side).")
    rows = []
    for section in diff["sections"]:
        counts = diff["summary"]["by_section"][section["name"]]
        title = [Span(section["title"])] + ([] if section["comparable"] else
                                            [Span(" not comparable", bold=True, color="8B1A1A")])
        rows.append([title, *(counts[kind] for kind in kinds), counts["unchanged"]])
    writer.table(("Section", *kinds, "unchanged"), rows)
    if diff["top_level"]:
        writer.heading("Bundle", 2)
        writer.table(("Change", "Field", "Before → after"), [
            [Cell("modified", fill=KIND_FILLS["modified"], bold=True), field.get("label") or field["path"],
             f"{show(field['old'])} → {show(field['new'])}"] for field in diff["top_level"]])


def _findings(writer: Writer, diff: dict) -> None:
    findings = diff["findings"]
    writer.heading("Findings", 1)
    line = (f"{len(findings['new'])} new, {len(findings['resolved'])} resolved, "
            f"{len(findings['unchanged'])} unchanged")
    if findings.get("not_comparable"):
        line += f", {len(findings['not_comparable'])} in sections that cannot be compared"
    writer.paragraph(line + ".")
    for group in ("new", "resolved"):
        if findings[group]:
            writer.heading(group.capitalize(), 2)
            writer.table(("Severity", "Subject", "Finding"), [
                [Cell(finding["severity"], fill=SEVERITY_FILLS.get(finding["severity"]), bold=True),
                 finding["subject"], finding["title"]] for finding in findings[group]], weights=(12, 30, 58))


def _section(writer: Writer, section: dict, views: list[dict], print_unchanged: bool) -> None:
    writer.heading(section["title"], 1)
    if not section["comparable"]:
        writer.paragraph(f"Not comparable: {clean(section['reason'])}.")
        return
    if not section["changes"]:
        writer.muted("No changes in this section.")
    unchanged = section["unchanged"] if print_unchanged else []
    if not section["changes"] and not unchanged:
        return
    rows = []
    for change, view in zip(section["changes"], views):
        details: list[Span] = [Span(change["summary"])]
        for field in view["fields"]:
            details.append(Span(f"\n{clean(field['label'])}: ", bold=True))
            details += _field_spans(field)
        if change.get("unknown"):
            paths = ", ".join(clean(part.get("label") or part["path"]) for part in change["unknown"])
            details.append(Span(f"\nCould not be compared (a lookup failed on one side): {paths}", color=MUTED))
        rows.append([Cell(change["kind"], fill=KIND_FILLS.get(change["kind"]), bold=True),
                     [Span(f"{clean(change['noun'])} "), Span(change["label"], bold=True)], details])
    rows += [["unchanged", [Span(f"{clean(item['noun'])} "), Span(item["label"], bold=True)], ""]
             for item in unchanged]
    writer.table(("Change", "Object", "Details"), rows, weights=(12, 28, 60))


def _field_spans(field: dict) -> list[Span]:
    """One changed field as the HTML and the PDF show it (render/diff_values.py): a long value
    whole before and after, the words taken out struck through and those put in underlined."""
    form = field["form"]
    if form == "value":
        return [Span(clean(field["text"]))]
    if form == "pair":
        return [Span(f"{clean(field['old_text'])} → {clean(field['new_text'])}")]
    if form == "members":
        return [span for change, text, said in field["changes"]
                for span in (Span("\n"), Span(clean(text), strike=change == DELETED,
                                               underline=change == INSERTED), Span(f" {said}"))]
    return [Span("\nBefore ", color=MUTED), *_runs(field["old_runs"]),
            Span("\nAfter ", color=MUTED), *_runs(field["new_runs"])]


def _runs(runs: list[tuple[str, str]]) -> list[Span]:
    # raw: a run may be a lone space, which clean() would show as a dash
    return [Span(str(visible_text(text)), raw=True, strike=kind == DELETED, underline=kind == INSERTED)
            for kind, text in runs]


def _volatile(writer: Writer, diff: dict) -> None:
    writer.heading("Volatile facts", 1)
    writer.paragraph("These differ between the snapshots without anything having changed (collection time, "
                     "run id, DNS TTLs, where a fact was read from); they do not count as changes.")
    if diff["volatile"]:
        writer.table(("Path", "Before", "After"), [
            [Cell(field["path"], mono=True), show(field["old"]), show(field["new"])] for field in diff["volatile"]],
            weights=(40, 30, 30))
    else:
        writer.muted("None.")
