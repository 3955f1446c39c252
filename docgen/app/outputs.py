"""Rendering then writing: every document is made first, then each file lands whole."""

from __future__ import annotations

from pathlib import Path

from docgen.bundle import LoadedBundle
from docgen.core.atomic import write_all_atomic
from docgen.render.documents import RenderRequest, render_documents


def write_outputs(out_dir: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write rendered documents (name -> bytes) into `out_dir`, each atomically."""
    files = {out_dir / name: data for name, data in outputs.items()}
    write_all_atomic(files)
    return list(files)


def write_documents(loaded: LoadedBundle, out_dir: Path, request: RenderRequest,
                    warnings: list[str] | None = None) -> list[Path]:
    """Render everything first, then write each file atomically."""
    return write_outputs(out_dir, render_documents(loaded, request, warnings))
