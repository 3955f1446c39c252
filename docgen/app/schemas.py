"""`docgen schema`: the published JSON Schemas, as text."""

from __future__ import annotations


def published_schema(which: str) -> str:
    """`bundle` or `diff`."""
    if which == "bundle":
        from docgen.bundle.schema import schema_text
        return schema_text()
    from docgen.diff.document import diff_schema_text
    return diff_schema_text()
