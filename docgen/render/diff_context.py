"""The template context of a diff document."""

from __future__ import annotations

from docgen import __version__
from docgen.diff.engine import KINDS
from docgen.render.options import DocumentOptions


def diff_context(document: dict, options: DocumentOptions, *, media: str, changes_only: bool) -> dict:
    before, after = document["before"], document["after"]
    organization = after["organization"]
    return {
        "media": media,
        "changes_only": changes_only,
        "kinds": KINDS,
        "diff": document,
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
