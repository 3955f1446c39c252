"""The whole document's template context, built from a bundle and its findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from docgen import __version__
from docgen.bundle import LoadedBundle, ordered_sections
from docgen.checks import SEVERITIES, Finding
from docgen.dates import parse_iso
from docgen.render.views import SECTION_VIEWS


@dataclass(frozen=True)
class DocumentOptions:
    """What the person rendering decides (not facts): title, author, label, detail."""

    title: str | None = None
    author: str = ""
    classification: str = ""
    # The PDF summarises Microsoft's default sync rules unless this asks for them in full.
    full_rules: bool = False
    extra: dict = field(default_factory=dict)


def report_context(loaded: LoadedBundle, findings: list[Finding], options: DocumentOptions,
                   *, media: str) -> dict:
    bundle = loaded.data
    as_of = parse_iso(bundle["collected_at"])
    sections = []
    for name in ordered_sections(bundle):
        section = bundle["sections"][name]
        spec = SECTION_VIEWS.get(name)
        own = [finding for finding in findings if finding.section == name]
        sections.append({
            "name": name,
            "anchor": f"sec-{name}",
            "title": spec.title if spec else name,
            "template": spec.template if spec else "sections/unknown.html.j2",
            "status": section["status"],
            "errors": section["errors"],
            "collected_at": section["collected_at"],
            "findings": [finding.as_dict() for finding in own],
            "view": spec.build(section, as_of, own) if spec and section["items"] else {},
        })
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        counts[finding.severity] += 1
    return {
        "media": media,
        "options": {"full_rules": options.full_rules},
        "doc": {
            "title": options.title or f"As-built documentation: {bundle['organization']}",
            "organization": bundle["organization"],
            "author": options.author,
            "classification": options.classification,
            "collected_at": bundle["collected_at"],
            "tool_version": bundle["tool_version"],
            "renderer_version": __version__,
            "bundle_sha256": loaded.sha256,
            "run_id": bundle["run_id"],
            "schema_version": bundle["schema_version"],
        },
        "findings": [finding.as_dict() for finding in findings],
        "severity_counts": counts,
        "sections": sections,
        "section_titles": {section["name"]: section["title"] for section in sections},
        "inputs": bundle["inputs"],
    }
