"""docgen.toml's accepted risks held to the bundle's findings before anything is written."""

from __future__ import annotations

from docgen.bundle import LoadedBundle
from docgen.checks import run_checks
from docgen.checks.acceptance import unmatched_acceptances, unmatched_warning
from docgen.core.errors import ProjectError
from docgen.project.settings import PROJECT_FILE
from docgen.render.documents import RenderRequest


def accepted_risk_warnings(loaded: LoadedBundle, request: RenderRequest, *,
                           strict: bool = False) -> list[str]:
    """One warning per accepted risk that names no finding of the bundle (the report says
    them too); with `strict`, an error instead, before any output is made."""
    accepted = list(request.options.accepted_risks)
    if not accepted:
        return []
    unknown = unmatched_acceptances(run_checks(loaded.data, request.rules()), accepted)
    warnings = [unmatched_warning(finding_id) for finding_id in unknown]
    if warnings and strict:
        raise ProjectError(f"{len(warnings)} accepted risk(s) name no finding (--strict)",
                           source=PROJECT_FILE, problems=warnings)
    return warnings
