"""Which raw files hold Identity Protection's risky users or risk detections."""

from __future__ import annotations

from docgen.readers.textfile import json_like

MARKS = ('"export-entraconfig"', "identityprotection/riskyusers", "identityprotection/riskdetections",
         '"risklastupdateddatetime"', '"riskeventtype"')


def recognise(text: str) -> bool:
    """The collector's JSON, or Graph / SDK risky users and risk detections."""
    lowered = text.lower()
    return json_like(text) and any(mark in lowered for mark in MARKS)
