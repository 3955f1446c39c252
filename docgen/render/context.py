"""The whole report's template context, built from a bundle, its findings and the options."""

from __future__ import annotations

from datetime import datetime

from docgen import __version__
from docgen.areas import AREAS, find_area, in_document_order
from docgen.bundle import LoadedBundle
from docgen.checks import SEVERITIES, Finding, judgement_times
from docgen.checks.acceptance import (
    ACCEPTED,
    apply_acceptances,
    counts_as_open,
    unmatched_acceptances,
    unmatched_warning,
)
from docgen.render.charts import findings_chart
from docgen.render.notes import first_heading, render_note
from docgen.render.options import OFF, DocumentOptions

INTRO_NOTES = (("intro.md", "Introduction"), ("scope.md", "Scope"))
# Long lists (domains, servers) are printed in groups of this many entries, each group after
# the first starting a page: a long document can then be rendered in parts (render/parallel).
PAGE_GROUP = 50


def report_context(loaded: LoadedBundle, findings: list[Finding], options: DocumentOptions,
                   *, media: str) -> dict:
    bundle = loaded.data
    times = judgement_times(bundle)
    shown = [name for name in in_document_order(bundle["sections"]) if options.detail_of(name) > OFF]
    records = [record for record in apply_acceptances(findings, list(options.accepted_risks), times)
               if record["section"] in shown]
    sections = [_section(name, bundle["sections"][name], records, options, times[name])
                for name in shown]
    open_records = [record for record in records if counts_as_open(record)]
    counts = {severity: 0 for severity in SEVERITIES}
    for record in open_records:
        counts[record["severity"]] += 1
    # Where every row or bar names its section (the findings table's Section column, the
    # chart's labels): the short titles, so that a column is not filled with one long one.
    titles = {section["name"]: section["short_title"] for section in sections}
    return {
        "media": media,
        "doc": _doc(loaded, options),
        "charts": {"findings": findings_chart(open_records, titles), **_area_charts(sections)},
        "options": {"full_rules": options.full_rules},
        "page_group": PAGE_GROUP,
        "findings": open_records,
        "accepted_findings": [record for record in records if record["status"] == ACCEPTED],
        # docgen.toml's accepted risks that name no finding: said in the report too
        "acceptance_warnings": [unmatched_warning(finding_id) for finding_id
                                in unmatched_acceptances(findings, list(options.accepted_risks))],
        # the project's title, notes and accepted risks, applied to another organisation's bundle
        "options_organization": options.other_organization(bundle["organization"]),
        "severity_counts": counts,
        "sections": sections,
        "section_titles": titles,
        "inputs": bundle["inputs"],
        # the sections inputs were read for, by title (the bundle's keys are for programs)
        "input_sections": {area.name: area.short_title for area in AREAS},
        "skipped_inputs": bundle["skipped_inputs"],
        "chapters": _chapters(options),
        "appendices": _appendices(options),
    }


def _area_charts(sections: list[dict]) -> dict:
    """The charts areas add from the views of the shown sections (the mail-auth matrix)."""
    views = {section["name"]: section["view"] for section in sections if section["view"]}
    charts: dict = {}
    for section in sections:
        area = find_area(section["name"])
        if area is not None and area.charts is not None:
            charts.update(area.charts(views))
    return charts


def _doc(loaded: LoadedBundle, options: DocumentOptions) -> dict:
    bundle = loaded.data
    return {
        "title": options.title or f"As-built documentation: {bundle['organization']}",
        "description": (f"As-built documentation of {bundle['organization']}, "
                        f"collected {bundle['collected_at']}"),
        # stored in the PDF's document information, where `docgen verify` reads it
        "custom_meta": {"docgen-bundle-sha256": loaded.sha256},
        "organization": bundle["organization"],
        "author": options.author_line,
        "authors": list(options.authors) if options.authors else [options.author] if options.author else [],
        "classification": options.classification,
        "accent_color": options.accent_color,
        "logo": options.logo.data_uri() if options.logo else None,
        "revisions": [vars(revision) for revision in options.revisions],
        "collected_at": bundle["collected_at"],
        "tool_version": bundle["tool_version"],
        "renderer_version": __version__,
        "bundle_sha256": loaded.sha256,
        "run_id": bundle["run_id"],
        "schema_version": bundle["schema_version"],
    }


def _section(name: str, section: dict, records: list[dict], options: DocumentOptions,
             as_of: datetime) -> dict:
    area = find_area(name)
    own = [record for record in records if record["section"] == name]
    note = options.notes.get(f"{name}.md")
    return {
        "name": name,
        "anchor": f"sec-{name}",
        "title": area.title if area else name,
        "short_title": area.short_title if area else name,
        "template": area.template if area else "sections/unknown.html.j2",
        "detail": options.detail_of(name),
        "status": section["status"],
        "errors": section["errors"],
        "collected_at": section["collected_at"],
        "findings": own,
        "note": render_note(note, heading_offset=1) if note else None,
        "view": area.view(section, as_of, own) if area and section["items"] else {},
    }


def _chapters(options: DocumentOptions) -> list[dict]:
    """intro.md and scope.md, before the findings."""
    return [_chapter(name, default_title, options.notes[name])
            for name, default_title in INTRO_NOTES if name in options.notes]


def _appendices(options: DocumentOptions) -> list[dict]:
    names = sorted(name for name in options.notes if name.startswith("appendix-"))
    return [_chapter(name, "Appendix: " + name[len("appendix-"):-len(".md")].replace("-", " "),
                     options.notes[name]) for name in names]


def _chapter(name: str, default_title: str, text: str) -> dict:
    html = render_note(text)
    # A note that opens with its own heading names the chapter; otherwise we do. The
    # contents list names it by its first heading, if it has one.
    opens_with_heading = str(html).lstrip().startswith("<h1")
    return {"id": "note-" + name[:-len(".md")], "html": html,
            "title": None if opens_with_heading else default_title,
            "contents_title": first_heading(str(html)) or default_title}

