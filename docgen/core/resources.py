"""Where docgen's shipped folders are: inside the package, in a wheel and in a checkout alike."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from docgen.core.errors import DocgenError


def data_dir(name: str) -> Path:
    """`templates`, `collectors` or `samples`, as a folder on disk (docgen is never zipped)."""
    folder = Path(str(resources.files("docgen") / name))
    if not folder.is_dir():
        raise DocgenError(f"this docgen installation has no {name}/ folder; reinstall docgen")
    return folder
