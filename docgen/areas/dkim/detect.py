"""Which raw files are Exchange Online DKIM signing configurations, by content."""

from __future__ import annotations

from docgen.readers.scubagear import looks_like_export
from docgen.readers.textfile import json_like


def recognise(text: str) -> bool:
    """Export-DkimSigningConfig.ps1's JSON, Get-DkimSigningConfig | ConvertTo-Json, or a
    ScubaGear export (its dkim_config lies far past the head: the DNS collection reads it,
    and uses it only when no dedicated DKIM export is there)."""
    return json_like(text) and ('"Export-DkimSigningConfig"' in text or '"Selector1CNAME"' in text
                                or looks_like_export(text))
