"""CISA ScubaGear's ProviderSettingsExport.json: one export that several areas read
(Conditional Access and directory settings, DKIM and accepted domains). What it is, when it
was taken and whose tenant it is are read here once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from docgen.core.dates import parse_date
from docgen.readers import graph
from docgen.readers import powershell as ps


def looks_like_export(text: str) -> bool:
    """The head of a file (its first keys name ScubaGear's versions)."""
    lowered = text.lower()
    return '"baseline_version"' in lowered and '"module_version"' in lowered


def is_export(document: Any) -> bool:
    """A parsed document (keys as written, or lower-cased)."""
    return isinstance(document, dict) and "baseline_version" in document and "module_version" in document


def collected_at(document: dict, source: str) -> datetime | None:
    """`timestamp_zulu` (newer ScubaGear), else `date`: "08/23/2023 12:23:24 Eastern Daylight
    Time", whose zone name is dropped (taken as UTC)."""
    if document.get("timestamp_zulu"):
        return ps.to_datetime(document["timestamp_zulu"], source, "timestamp_zulu")
    text = str(document.get("date") or "")
    try:
        return parse_date(" ".join(text.split()[:2])) if text else None
    except ValueError:
        return None


def organization(document: dict) -> str | None:
    """The tenant's display name from `tenant_details`."""
    tenant = graph.objects(graph.lower_keys(document.get("tenant_details")))
    if tenant and isinstance(tenant[0], dict):
        return graph.text(tenant[0].get("displayname"))
    return None
