"""Where docgen's shipped folders are: inside the wheel, or in the source tree."""

from __future__ import annotations

from pathlib import Path

from docgen.errors import DocgenError

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`templates`, `collectors` or `samples`.

    A wheel carries them as docgen/_data/<name>; a source checkout (editable
    install, tests) has them at the top of the repository.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise DocgenError(f"this docgen installation has no {name}/ folder; reinstall docgen")
