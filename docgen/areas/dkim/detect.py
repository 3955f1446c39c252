"""Which raw files are Exchange Online DKIM signing configurations, by content."""

from __future__ import annotations

from docgen.readers.textfile import json_like


def recognise(text: str) -> bool:
    """Export-DkimSigningConfig.ps1's JSON, or Get-DkimSigningConfig | ConvertTo-Json."""
    return json_like(text) and ('"Export-DkimSigningConfig"' in text or '"Selector1CNAME"' in text)
