"""`docgen schema`: the published JSON Schemas, as text."""

from __future__ import annotations

from importlib import resources

SCHEMAS = ("bundle", "diff", "runs")
RUNS_SCHEMA_FILE = "runs.schema.json"


def published_schema(which: str) -> str:
    """`bundle`, `diff` or `runs` (a line of `docgen batch --summary`)."""
    if which == "bundle":
        from docgen.bundle.schema import schema_text
        return schema_text()
    if which == "runs":
        return runs_schema_text()
    from docgen.diff.document import diff_schema_text
    return diff_schema_text()


def runs_schema_text() -> str:
    """The schema of one line of the batch summary (docgen/app/runs.schema.json)."""
    return resources.files("docgen.app").joinpath(RUNS_SCHEMA_FILE).read_text("utf-8")
