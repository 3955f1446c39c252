"""The template context of a diff document."""

from __future__ import annotations

from typing import Any

from docgen import __version__
from docgen.diff.engine import KINDS
from docgen.render.diff_values import field_views
from docgen.render.options import DocumentOptions


def diff_context(document: dict, options: DocumentOptions, *, media: str, changes_only: bool) -> dict:
    before, after = document["before"], document["after"]
    organization = after["organization"]
    return {
        "media": media,
        "changes_only": changes_only,
        "kinds": KINDS,
        "diff": document,
        # each change's fields as people read them, by section name and change position
        "views": {section["name"]: [_view(section["name"], change) for change in section["changes"]]
                  for section in document["sections"]},
        "doc": {
            "title": options.title or f"Changes: {organization}",
            "description": (f"Changes between the snapshots of {before['collected_at']} and "
                            f"{after['collected_at']}"),
            "organization": organization,
            "author": options.author,
            "classification": options.classification,
            "collected_at": after["collected_at"],
            "renderer_version": __version__,
            "custom_meta": {"docgen-before-sha256": before["sha256"],
                            "docgen-after-sha256": after["sha256"]},
        },
    }


def _view(section: str, change: dict) -> dict[str, Any]:
    return {"fields": field_views(section, change["kind"], change["fields"]),
            # the sentence is the whole story only where no field is listed, or for a renewal
            "summary_line": change["kind"] == "replaced" or not change["fields"]}
