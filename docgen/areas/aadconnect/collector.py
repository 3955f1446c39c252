"""The JSON that collectors/Export-AADConnectConfig.ps1 writes (contract: collectors/README.md).

It carries what the XML export does not: the live scheduler (staging mode, sync
interval), the auto-upgrade state, the global settings and connector global
parameters as the cmdlets report them, and the collection time. The
`Get-ADSyncServerConfiguration` folder it names (beside the JSON) holds the rest.

Windows PowerShell 5.1 quirks are accepted: UTF-16, "/Date(ms)/", one object for
a one-element array, booleans as "True", TimeSpan written as an object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from docgen.areas.aadconnect.config import named_value
from docgen.core.dates import iso_utc
from docgen.core.errors import InputError
from docgen.readers import powershell as ps
from docgen.readers.xml import guid_key

COLLECTOR_NAME = "Export-AADConnectConfig"
_DEPTH_HINT = "ConvertTo-Json cut it at its depth limit? Run the collector again (it uses -Depth 6)"


@dataclass
class CollectorExport:
    """What the collector JSON says, in the bundle's forms."""

    folder: str
    collected_at: datetime | None = None
    computer_name: str | None = None
    version: str | None = None
    global_settings: list[dict] = field(default_factory=list)
    # connector key (or lower-case name when the id is missing) -> its entry
    connectors: dict[str, dict] = field(default_factory=dict)
    scheduler: list[dict] = field(default_factory=list)
    auto_upgrade: str | None = None
    errors: list[InputError] = field(default_factory=list)

    def facts(self) -> dict:
        return {
            "name": COLLECTOR_NAME,
            "version": self.version,
            "collected_at": _iso(self.collected_at),
            "computer_name": self.computer_name,
        }


def parse_collector(document: Any, source: str) -> CollectorExport:
    """The collector's JSON as facts; an InputError when it is not that JSON at all."""
    if not isinstance(document, dict) or not document.get("ServerConfigurationFolder"):
        raise InputError(f"not the JSON of collectors/{COLLECTOR_NAME}.ps1 (no "
                         "ServerConfigurationFolder); give the export folder itself, or the "
                         "collector's JSON", source=source)
    export = CollectorExport(folder=str(document["ServerConfigurationFolder"]))
    export.collected_at = ps.to_datetime(document.get("CollectedAt"), source, "CollectedAt")
    export.computer_name = value_text(document.get("ComputerName"), source, "ComputerName")
    export.version = value_text(document.get("CollectorVersion"), source, "CollectorVersion")
    export.auto_upgrade = value_text(document.get("AutoUpgrade"), source, "AutoUpgrade")
    export.global_settings = _named_values(document.get("GlobalSettingsParameters"), source,
                                           "GlobalSettingsParameters")
    export.scheduler = _scheduler(document.get("Scheduler"), source)
    export.connectors = _connectors(document.get("Connectors"), source)
    export.errors = [_reported_error(entry, source) for entry in ps.as_list(document.get("Errors"))]
    return export


def value_text(value: Any, source: str, where: str) -> str | None:
    """A setting's value in the form the XML export writes it: text ('True', '00:30:00')."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, dict) and "Ticks" in value:
        return _timespan_text(value["Ticks"], source, where)
    if isinstance(value, dict) and "value" in value:
        # PowerShell 5.1's DateTime wrapper: {"value": "/Date(...)/", "DateTime": "..."}
        return _iso(ps.to_datetime(value, source, where))
    if isinstance(value, list):
        return ", ".join(text for text in (value_text(item, source, where) for item in value)
                         if text is not None)
    raise InputError(f"an object where a value was expected ({_DEPTH_HINT})", source=source,
                     where=where)


def _timespan_text(ticks: Any, source: str, where: str) -> str:
    """.NET TimeSpan.ToString() from ticks: '[-][d.]hh:mm:ss'."""
    if not isinstance(ticks, int) or isinstance(ticks, bool):
        raise InputError(f"TimeSpan without whole Ticks: {ticks!r}", source=source, where=where)
    sign = "-" if ticks < 0 else ""
    seconds, remainder = divmod(abs(ticks), 10_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}{f'{days}.' if days else ''}{hours:02}:{minutes:02}:{seconds:02}"
    return text + (f".{remainder:07}" if remainder else "")


def _entries(value: Any, source: str, where: str) -> list[dict]:
    if isinstance(value, dict) and set(value) == {"value", "Count"}:
        # PowerShell 5.1 sometimes writes an array as {"value": [...], "Count": n}.
        value = value["value"]
    entries = ps.as_list(value)
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(f"entry is not an object ({_DEPTH_HINT})", source=source,
                             where=f"{where}[{index}]")
    return entries


def _named_values(value: Any, source: str, where: str) -> list[dict]:
    """[{Name, Value}, ...] as the bundle's name -> value entries, sorted by key."""
    found: dict[str, dict] = {}
    for index, entry in enumerate(_entries(value, source, where), start=1):
        name = entry.get("Name")
        if not name:
            raise InputError("entry has no Name", source=source, where=f"{where}[{index}]")
        found[str(name).lower()] = named_value(
            str(name), value_text(entry.get("Value"), source, f"{where}[{index}].Value"))
    return [found[key] for key in sorted(found)]


def _scheduler(value: Any, source: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise InputError(f"Scheduler is not an object ({_DEPTH_HINT})", source=source,
                         where="Scheduler")
    found = {str(name).lower(): named_value(str(name), value_text(item, source, f"Scheduler.{name}"))
             for name, item in value.items()}
    return [found[key] for key in sorted(found)]


def _connectors(value: Any, source: str) -> dict[str, dict]:
    connectors: dict[str, dict] = {}
    for index, entry in enumerate(_entries(value, source, "Connectors"), start=1):
        where = f"Connectors[{index}]"
        name = value_text(entry.get("Name"), source, f"{where}.Name") or ""
        key = guid_key(value_text(entry.get("Identifier"), source, f"{where}.Identifier"))
        connectors[key or name.lower()] = {
            "id": key,
            "name": name,
            "global_parameters": _named_values(entry.get("GlobalParameters"), source,
                                               f"{where}.GlobalParameters"),
        }
    return connectors


def _reported_error(entry: Any, source: str) -> InputError:
    """What the collector could not read: kept as a section error."""
    if isinstance(entry, dict):
        command = str(entry.get("Command") or "")
        message = str(entry.get("Message") or entry)
        return InputError(f"the collector reported: {message}", source=source, where=command)
    return InputError(f"the collector reported: {entry}", source=source)


def _iso(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment else None
