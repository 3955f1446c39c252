"""Rendering then writing: every document is made first, then all land together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docgen.bundle import LoadedBundle
from docgen.core.atomic import write_together
from docgen.render.documents import RenderRequest, render_documents


def write_outputs(out_dir: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write rendered documents (name -> bytes) into `out_dir`: all of them or none."""
    return write_together(out_dir, outputs)


def write_documents(loaded: LoadedBundle, out_dir: Path, request: RenderRequest,
                    warnings: list[str] | None = None, signer: Any = None) -> list[Path]:
    """Render everything first (and sign the PDFs with `signer`), then write the files together."""
    return write_outputs(out_dir, signed(render_documents(loaded, request, warnings), signer))


def signed(outputs: dict[str, bytes], signer: Any = None) -> dict[str, bytes]:
    """The rendered documents with each PDF signed by `signer` (a pyHanko signer from
    docgen.app.signing); unchanged without one."""
    if signer is None:
        return outputs
    from docgen.app.signing import sign_pdf

    return {name: sign_pdf(data, signer) if name.endswith(".pdf") else data
            for name, data in outputs.items()}
