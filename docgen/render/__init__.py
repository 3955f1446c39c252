"""Render: bundle + findings -> documents (HTML, PDF). Never runs a lookup."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docgen.bundle import LoadedBundle
from docgen.checks import run_checks
from docgen.dates import parse_iso
from docgen.errors import DocgenError
from docgen.render.context import DocumentOptions, report_context
from docgen.render.html import REPORT_TEMPLATE, make_environment, render_template
from docgen.render.pdf import PdfAttachment, load_weasyprint, render_pdf
from docgen.render.views import dkim_failures_text
from docgen.resources import data_dir

# dkim-failures: one "domain, selector CNAME" line per failing active DKIM selector
FORMATS = ("html", "pdf", "dkim-failures")
BUNDLE_ATTACHMENT = "bundle.json"


@dataclass(frozen=True)
class RenderRequest:
    formats: tuple[str, ...]
    stem: str
    options: DocumentOptions = field(default_factory=DocumentOptions)
    template_override: Path | None = None
    rules: dict | None = None


def parse_formats(text: str, allowed: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    """'html,pdf' -> ('html', 'pdf'); unknown names are refused with the list of known ones."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise DocgenError(f"unknown format {', '.join(unknown) or repr(text)}; "
                          f"choose from {', '.join(allowed)}")
    return tuple(dict.fromkeys(names))


def render_documents(loaded: LoadedBundle, request: RenderRequest,
                     warnings: list[str] | None = None) -> dict[str, bytes]:
    """Every requested document as bytes, by file name; nothing is written here."""
    if "pdf" in request.formats:
        load_weasyprint()  # fail before any work if Pango is missing
    builtin = data_dir("templates")
    template_dirs = [request.template_override, builtin] if request.template_override else [builtin]
    env = make_environment(template_dirs)
    findings = run_checks(loaded.data, request.rules)
    outputs: dict[str, bytes] = {}
    if "dkim-failures" in request.formats:
        outputs[f"{request.stem}.dkim-failures.txt"] = _dkim_failures(loaded, findings)
    if "html" in request.formats:
        context = report_context(loaded, findings, request.options, media="screen")
        outputs[f"{request.stem}.html"] = render_template(env, REPORT_TEMPLATE, context).encode()
    if "pdf" in request.formats:
        context = report_context(loaded, findings, request.options, media="print")
        html = render_template(env, REPORT_TEMPLATE, context)
        outputs[f"{request.stem}.pdf"] = render_pdf(
            html, base_dir=builtin, allowed_roots=template_dirs,
            attachments=[PdfAttachment(BUNDLE_ATTACHMENT, loaded.raw,
                                       "The docgen bundle this document was built from")],
            moment=parse_iso(loaded.data["collected_at"]), warnings=warnings)
    return outputs


def _dkim_failures(loaded: LoadedBundle, findings) -> bytes:
    section = loaded.data["sections"].get("dkim")
    if section is None:
        raise DocgenError("the bundle has no dkim section (collect it with "
                          "docgen collect dns --dkim-config); no dkim-failures list written",
                          source=loaded.source)
    return dkim_failures_text(section, findings).encode("utf-8")


def default_stem(bundle_path: Path) -> str:
    """'contoso.bundle.json' -> 'contoso'; 'snapshot.json' -> 'snapshot'."""
    name = bundle_path.name
    for suffix in (".bundle.json", ".json"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
