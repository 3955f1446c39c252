"""Rendering then writing: every document is made first, then each file lands whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docgen.bundle import LoadedBundle
from docgen.core.atomic import write_all_atomic
from docgen.render.documents import RenderRequest, render_documents


def write_outputs(out_dir: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write rendered documents (name -> bytes) into `out_dir`, each atomically."""
    files = {out_dir / name: data for name, data in outputs.items()}
    write_all_atomic(files)
    return list(files)


def write_documents(loaded: LoadedBundle, out_dir: Path, request: RenderRequest,
                    warnings: list[str] | None = None, signer: Any = None) -> list[Path]:
    """Render everything first (and sign the PDF with `signer`, a pyHanko signer, when given),
    then write each file atomically."""
    outputs = render_documents(loaded, request, warnings)
    if signer is not None:
        from docgen.app.signing import sign_pdf

        outputs = {name: sign_pdf(data, signer) if name.endswith(".pdf") else data
                   for name, data in outputs.items()}
    return write_outputs(out_dir, outputs)
