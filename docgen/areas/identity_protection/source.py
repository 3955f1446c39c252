"""Identity Protection: risky users and risk detections, kept as counts and anonymous records.

Forms (keys matched case-insensitively, docgen.readers.graph): collectors/Export-EntraConfig.ps1's
JSON (RiskyUsers, RiskDetections), Graph pages saved as they are
(`/identityProtection/riskyUsers`, `/identityProtection/riskDetections`), or the SDK's objects
(Get-MgRiskyUser, Get-MgRiskDetection | ConvertTo-Json).

Privacy: the bundle keeps each user's risk level, state, detail and date, and each detection's
type, level, state, timing and date, but no user principal name, display name, IP address or
location unless the consultant asks (`include_user_names`, docgen.toml's [privacy]). Object ids
are never kept. The report shows counts; it lists people only at detail level 3.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.bundle.result import SourceResult
from docgen.core.dates import utc_now
from docgen.core.errors import DocgenError, InputError
from docgen.readers import graph
from docgen.readers import powershell as ps
from docgen.readers.inputs import read_input

SECTION = "identity_protection"
COLLECTOR = "export-entraconfig"
LEVELS = ("high", "medium", "low", "none", "hidden", "unknownFutureValue")
OPEN_STATES = ("atRisk", "confirmedCompromised")


def import_identity_protection(paths: list[Path], collected_at: datetime | None = None,
                               include_user_names: bool | str = False) -> SourceResult:
    """Every file's risky users and detections in one section; a bad file or record is one error."""
    names = include_user_names is True or str(include_user_names).strip().lower() in ("yes", "true", "1")
    errors: list[DocgenError] = []
    inputs: list[dict] = []
    users: list[dict] = []
    detections: list[dict] = []
    times: list[datetime] = []
    organization = None
    for path in paths:
        try:
            data, record = read_input(path, SECTION)
            inputs.append(record)
            document = graph.lower_keys(ps.load_json(data, record["name"]))
        except InputError as exc:
            errors.append(exc)
            continue
        source = record["name"]
        if isinstance(document, dict) and str(document.get("collector", "")).lower() == COLLECTOR:
            moment = ps.to_datetime(document.get("collectedat"), source, "CollectedAt")
            times.extend([moment] if moment else [])
            organization = organization or graph.text(document.get("organization"))
            pairs = [(obj, "user") for obj in ps.as_list(document.get("riskyusers"))]
            pairs += [(obj, "detection") for obj in ps.as_list(document.get("riskdetections"))]
        else:
            pairs = [(obj, _kind(obj)) for obj in graph.objects(document)]
        for index, (obj, kind) in enumerate(pairs, start=1):
            where = f"{kind or 'object'} {index}"
            try:
                if kind == "user":
                    users.append(_user(obj, source, where, names))
                elif kind == "detection":
                    detections.append(_detection(obj, source, where, names))
                else:
                    raise InputError("neither a risky user nor a risk detection", source=source, where=where)
            except InputError as exc:
                errors.append(exc)
    users.sort(key=lambda u: (LEVELS.index(u["level"]) if u["level"] in LEVELS else 99,
                              u["updated"] or "", u["user"] or ""))
    detections.sort(key=lambda d: (d["detected"] or "", d["event_type"], d["level"]))
    counts = Counter((user["level"], user["state"]) for user in users)
    items = [{"key": f"{level}/{state}", "level": level, "state": state, "count": count}
             for (level, state), count in sorted(counts.items(), key=_count_order)]
    detection_counts = Counter((d["event_type"], d["level"], d["state"]) for d in detections)
    extra = {
        "includes_user_names": names,
        "detection_counts": [{"key": f"{kind}/{level}/{state}", "event_type": kind, "level": level,
                              "state": state, "count": count}
                             for (kind, level, state), count in sorted(detection_counts.items())],
        "users": users,
        "detections": detections,
    }
    return SourceResult(section=SECTION, collected_at=collected_at or (max(times) if times else utc_now()),
                        items=items, errors=errors, inputs=inputs, extra=extra, organization=organization,
                        good_items=len(users) + len(detections))


def _count_order(entry: tuple[tuple[str, str], int]) -> tuple:
    (level, state), _ = entry
    return (LEVELS.index(level) if level in LEVELS else 99, level, state)


def _kind(obj: Any) -> str:
    if not isinstance(obj, dict):
        return ""
    if "riskeventtype" in obj:
        return "detection"
    if "risklastupdateddatetime" in obj or ("risklevel" in obj and "riskstate" in obj):
        return "user"
    return ""


def _required(obj: dict, key: str, source: str, where: str) -> str:
    value = graph.text(obj.get(key))
    if value is None:
        raise InputError(f"no {key}", source=source, where=where)
    return value


def _user(obj: Any, source: str, where: str, names: bool) -> dict:
    if not isinstance(obj, dict):
        raise InputError("not an object", source=source, where=where)
    return {
        "level": _required(obj, "risklevel", source, where),
        "state": _required(obj, "riskstate", source, where),
        "detail": graph.text(obj.get("riskdetail")),
        "updated": graph.date_text(obj.get("risklastupdateddatetime"), source, f"{where} riskLastUpdatedDateTime"),
        "user": graph.text(obj.get("userprincipalname")) if names else None,
    }


def _detection(obj: Any, source: str, where: str, names: bool) -> dict:
    if not isinstance(obj, dict):
        raise InputError("not an object", source=source, where=where)
    return {
        "event_type": _required(obj, "riskeventtype", source, where),
        "level": _required(obj, "risklevel", source, where),
        "state": _required(obj, "riskstate", source, where),
        "timing": graph.text(obj.get("detectiontimingtype")),
        "detected": graph.date_text(obj.get("detecteddatetime"), source, f"{where} detectedDateTime"),
        "user": graph.text(obj.get("userprincipalname")) if names else None,
    }
