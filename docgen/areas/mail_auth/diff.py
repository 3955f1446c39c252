"""How two mail-authentication sections are matched: by domain. A DMARC tag the record does
not set (np and sp follow p, the rest take their defaults) is derived: it changes with the
tag it follows and is not listed as a change of its own."""

from __future__ import annotations

from docgen.areas.mail_auth.kinds import KIND_TITLES
from docgen.diff.spec import AreaDiff, Collection, Labels

LABELS: Labels = {
    **KIND_TITLES,
    # result.tags.p.value reads "DMARC: policy (p)"
    "result": "", "tags": "", "value": "",
    "records": "published records",
    "p": "policy (p)", "sp": "subdomain policy (sp)", "np": "non-existent subdomain policy (np)",
    "pct": "percentage (pct)", "rua": "aggregate reports to (rua)", "ruf": "failure reports to (ruf)",
    "adkim": "DKIM alignment (adkim)", "aspf": "SPF alignment (aspf)", "fo": "failure options (fo)",
}


def spec() -> AreaDiff:
    return AreaDiff(collections=(
        Collection(path="items", noun="Domain", label="domain", uncertain_parts=_unverified_records,
                   derived=_tags_not_set,
                   # the raw record is shown; the lookup's copy, checkdmarc's echo of it and its
                   # warnings are in the JSON only
                   quiet=("*.lookup.records", "*.result.record", "*.warnings", "*.result.warnings",
                          "*.result.tags.*.explicit", "*.result.location")),
    ), labels=LABELS)


def _unverified_records(item: dict) -> list[str]:
    return [kind for kind in KIND_TITLES if (item.get(kind) or {}).get("state") == "unverified"]


def _tags_not_set(item: dict) -> list[str]:
    """The tags a record does not set (checkdmarc marks them explicit: false)."""
    return [f"{kind}.result.tags.{name}" for kind in KIND_TITLES
            for name, tag in (((item.get(kind) or {}).get("result") or {}).get("tags") or {}).items()
            if isinstance(tag, dict) and tag.get("explicit") is False]
