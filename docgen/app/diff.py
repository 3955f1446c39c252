"""`docgen diff`: two bundles compared, and the diff documents written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docgen.app.outputs import write_outputs
from docgen.bundle import load_bundle
from docgen.diff import diff_bundles
from docgen.render.documents import RenderRequest, render_diff_documents


@dataclass(frozen=True)
class DiffResult:
    document: dict
    written: list[Path]


def write_diff(before_path: Path, after_path: Path, out_dir: Path, request: RenderRequest,
               changes_only: bool = False) -> DiffResult:
    """Load (and migrate) both bundles, compare, render, then write each file atomically."""
    before = load_bundle(before_path)
    after = load_bundle(after_path)
    document = diff_bundles(before, after, rules=request.rules())
    outputs = render_diff_documents(document, before, after, request, changes_only=changes_only)
    return DiffResult(document, write_outputs(out_dir, outputs))
