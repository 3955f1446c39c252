"""How two mail-authentication sections are matched: by domain."""

from __future__ import annotations

from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.diff.spec import Collection


def collections() -> tuple[Collection, ...]:
    return (
        Collection(path="items", noun="Domain", label="domain", uncertain_parts=_unverified_records,
                   # the raw record is shown; the lookup's copy, checkdmarc's echo of it and its
                   # warnings are in the JSON only
                   quiet=("*.lookup.records", "*.result.record", "*.warnings", "*.result.warnings",
                          "*.result.tags.*.explicit", "*.result.location")),
    )


def _unverified_records(item: dict) -> list[str]:
    return [kind for kind in KIND_TITLES if (item.get(kind) or {}).get("state") == "unverified"]
