"""Which raw inputs are Azure AD Connect exports, by content."""

from __future__ import annotations

from pathlib import Path

from docgen.readers.textfile import json_like

# what Get-ADSyncServerConfiguration writes
GLOBAL_SETTINGS = Path("GlobalSettings") / "MV.xml"


def recognise(text: str) -> bool:
    """The JSON of Export-AADConnectConfig.ps1."""
    return json_like(text) and '"Export-AADConnectConfig"' in text


def recognise_folder(folder: Path) -> bool:
    """The export folder itself, or a folder holding it one level down."""
    return (folder / GLOBAL_SETTINGS).is_file() or any(
        (child / GLOBAL_SETTINGS).is_file() for child in folder.iterdir() if child.is_dir())
