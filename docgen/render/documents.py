"""Bundle + findings (or a diff) -> documents, by file name. Never runs a lookup."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypedDict

import jinja2

from docgen import __version__
from docgen.areas import AREAS
from docgen.bundle import LoadedBundle
from docgen.checks import run_checks
from docgen.checks.rules import default_rules, with_overrides
from docgen.core.dates import parse_iso
from docgen.core.resources import data_dir
from docgen.diff import dump_diff
from docgen.render.breaks import breakable
from docgen.render.context import report_context
from docgen.render.diff_context import diff_context
from docgen.render.html import REPORT_TEMPLATE, make_environment, render_template
from docgen.render.options import DocumentOptions
from docgen.render.parallel import plan_document, render_in_parts, start_early
from docgen.render.pdf import PdfAttachment, load_weasyprint, render_pdf
from docgen.render.tables import report_tables, tables_to_csv, tables_to_xlsx

DIFF_TEMPLATE = "diff.html.j2"
BUNDLE_ATTACHMENT = "bundle.json"
# A diff PDF's attachments: both bundles and the diff document.
DIFF_ATTACHMENTS = ("before.bundle.json", "after.bundle.json", "diff.json")
# The options a document was rendered with, so `docgen verify` can render it again.
RENDER_ATTACHMENT = "docgen-render.json"


@dataclass(frozen=True)
class RenderRequest:
    formats: tuple[str, ...]
    stem: str
    options: DocumentOptions = field(default_factory=DocumentOptions)
    # Processes rendering a long PDF in parts (None: one per CPU). Not an option of the
    # document: the bytes are the same whatever it is, so it is not recorded in the PDF.
    jobs: int | None = None

    def rules(self) -> dict:
        return with_overrides(default_rules(), self.options.rule_overrides, "rule overrides")


def render_documents(loaded: LoadedBundle, request: RenderRequest,
                     warnings: list[str] | None = None) -> dict[str, bytes]:
    """Every requested document of the report, by file name; nothing is written here."""
    env, template_dirs = _environment(request)
    findings = run_checks(loaded.data, request.rules())
    outputs: dict[str, bytes] = {}
    records = [finding.as_dict() for finding in findings]
    for output in (output for area in AREAS for output in area.outputs):
        if output.format in request.formats:
            outputs[f"{request.stem}.{output.suffix}"] = output.build(loaded, records)
    screen = report_context(loaded, findings, request.options, media="screen")
    if "html" in request.formats:
        outputs[f"{request.stem}.html"] = html_document(render_template(env, REPORT_TEMPLATE, screen))
    if "csv" in request.formats:
        outputs.update(tables_to_csv(report_tables(screen), request.stem))
    if "xlsx" in request.formats:
        outputs[f"{request.stem}.xlsx"] = tables_to_xlsx(report_tables(screen),
                                                         parse_iso(loaded.data["collected_at"]))
    if "docx" in request.formats:
        from docgen.render.docx.report import report_docx  # python-docx: only when asked for

        context = report_context(loaded, findings, request.options, media="print")
        outputs[f"{request.stem}.docx"] = report_docx(context, report_tables(context),
                                                      request.options.docx_template)
    if "pdf" in request.formats:
        context = report_context(loaded, findings, request.options, media="print")
        attachments = [PdfAttachment(BUNDLE_ATTACHMENT, loaded.raw,
                                     "The docgen bundle this document was built from"),
                       PdfAttachment(RENDER_ATTACHMENT, render_record(request.options),
                                     "The docgen version and options this document was rendered with",
                                     relationship="Supplement")]
        outputs[f"{request.stem}.pdf"] = _pdf(env, template_dirs, REPORT_TEMPLATE, context,
                                              attachments, loaded.data["collected_at"], warnings,
                                              request.jobs)
    return outputs


def render_diff_documents(document: dict, before: LoadedBundle, after: LoadedBundle,
                          request: RenderRequest, *, changes_only: bool = False,
                          warnings: list[str] | None = None) -> dict[str, bytes]:
    """The diff as JSON, HTML (with a changes-only switch), PDF and DOCX (the option picks one)."""
    env, template_dirs = _environment(request)
    raw_diff = dump_diff(document)
    outputs: dict[str, bytes] = {}
    if "json" in request.formats:
        outputs[f"{request.stem}.json"] = raw_diff
    if "html" in request.formats:
        context = diff_context(document, request.options, media="screen", changes_only=changes_only)
        outputs[f"{request.stem}.html"] = html_document(render_template(env, DIFF_TEMPLATE, context))
    if "docx" in request.formats:
        from docgen.render.docx.diff import diff_docx

        context = diff_context(document, request.options, media="print", changes_only=changes_only)
        outputs[f"{request.stem}.docx"] = diff_docx(context, request.options.docx_template)
    if "pdf" in request.formats:
        context = diff_context(document, request.options, media="print", changes_only=changes_only)
        attachments = [
            PdfAttachment(DIFF_ATTACHMENTS[0], before.raw, "The bundle before the change"),
            PdfAttachment(DIFF_ATTACHMENTS[1], after.raw, "The bundle after the change"),
            PdfAttachment(DIFF_ATTACHMENTS[2], raw_diff, "The diff of the two bundles (docgen diff schema 1)"),
            PdfAttachment(RENDER_ATTACHMENT, render_record(request.options, changes_only=changes_only),
                          "The docgen version and options this document was rendered with",
                          relationship="Supplement"),
        ]
        outputs[f"{request.stem}.pdf"] = _pdf(env, template_dirs, DIFF_TEMPLATE, context, attachments,
                                              after.data["collected_at"], warnings, request.jobs)
    return outputs


def render_record(options: DocumentOptions, **extra: object) -> bytes:
    """docgen-render.json: the version and options (and, for a diff, how it was shown)."""
    record = {"docgen_version": __version__, "options": options.to_record(), **extra}
    return (json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _environment(request: RenderRequest) -> tuple[jinja2.Environment, list[Path]]:
    if "pdf" in request.formats:
        # The rendering processes' server imports WeasyPrint while the HTML is made; without
        # one, this process imports it now, to fail before any work if Pango is missing.
        if not start_early(request.jobs):
            load_weasyprint()
    builtin = data_dir("templates")
    return make_environment(builtin, request.options.templates), [builtin]


def html_document(html: str) -> bytes:
    """The HTML file: long names may wrap at their dots and separators (<wbr>), never mid-word."""
    return breakable(html, mark="<wbr>").encode()


class _PdfArguments(TypedDict):
    """What render_pdf and render_in_parts both take besides the document."""
    base_dir: Path
    allowed_roots: list[Path]
    attachments: list[PdfAttachment]
    moment: datetime
    warnings: list[str] | None


def _pdf(env: jinja2.Environment, template_dirs: list[Path], template: str, context: dict,
         attachments: list[PdfAttachment], moment: str, warnings: list[str] | None,
         jobs: int | None = None) -> bytes:
    """The PDF; a long document in parts, in parallel (the document alone decides: see parallel)."""
    html = render_template(env, template, context)
    where: _PdfArguments = {"base_dir": template_dirs[-1], "allowed_roots": template_dirs,
                            "attachments": attachments, "moment": parse_iso(moment),
                            "warnings": warnings}
    plan = plan_document(html)
    if plan is not None:
        return render_in_parts(plan, jobs=jobs, **where)
    return render_pdf(html, **where)
