"""Which raw files hold Exchange ActiveSync settings, rules, mailboxes or devices."""

from __future__ import annotations

from docgen.readers.textfile import json_like

MARKS = ('"export-mobileaccess"', '"defaultaccesslevel"', '"activesyncalloweddeviceids"',
         '"deviceaccessstate"', '"allownonprovisionabledevices"')


def recognise(text: str) -> bool:
    """Export-MobileAccess.ps1's JSON, or the ActiveSync cmdlets' ConvertTo-Json output."""
    lowered = text.lower()
    if not json_like(text):
        return False
    return any(mark in lowered for mark in MARKS) or ('"characteristic"' in lowered and '"querystring"' in lowered)
