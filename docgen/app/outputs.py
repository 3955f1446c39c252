"""Rendering then writing: every document is made first, then all land together."""

from __future__ import annotations

from pathlib import Path

from docgen.bundle import LoadedBundle
from docgen.core.atomic import write_together
from docgen.render.documents import RenderRequest, render_documents


def write_outputs(out_dir: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write rendered documents (name -> bytes) into `out_dir`: all of them or none."""
    return write_together(out_dir, outputs)


def write_documents(loaded: LoadedBundle, out_dir: Path, request: RenderRequest,
                    warnings: list[str] | None = None) -> list[Path]:
    """Render everything first, then write the files together."""
    return write_outputs(out_dir, render_documents(loaded, request, warnings))
