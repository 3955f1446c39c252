"""Accepted risks: a finding the customer accepted is shown as such until the acceptance ends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from docgen.checks.model import Finding

OPEN, ACCEPTED, EXPIRED = "open", "accepted", "acceptance expired"


def finding_key(finding_id: str) -> str:
    """How ids are compared: a consultant may type `EX04` where the id says `ex04`."""
    return finding_id.strip().casefold()


def apply_acceptances(findings: list[Finding], accepted: list,
                      judged_at: Mapping[str, datetime]) -> list[dict]:
    """Findings as dicts with a `status`; an acceptance past its date counts as open again.

    Judged at the collection time of each finding's section (`judged_at`, by section
    name: checks.judgement_times), like every check, so an archived report reads the
    same forever.
    """
    by_id = {finding_key(risk.finding): risk for risk in accepted}
    result = []
    for finding in findings:
        record = finding.as_dict()
        risk = by_id.get(finding_key(finding.id))
        if risk is None:
            record.update(status=OPEN, acceptance=None)
        else:
            still = date.fromisoformat(risk.until) >= judged_at[finding.section].date()
            record.update(status=ACCEPTED if still else EXPIRED,
                          acceptance={"reason": risk.reason, "accepted_by": risk.accepted_by,
                                      "until": risk.until})
        result.append(record)
    return result


def unmatched_acceptances(findings: list[Finding], accepted: list) -> list[str]:
    """The ids of accepted risks that name no finding of the bundle (a typo, or a finding
    fixed since), as written in docgen.toml, in its order."""
    known = {finding_key(finding.id) for finding in findings}
    return [risk.finding for risk in accepted if finding_key(risk.finding) not in known]


def unmatched_warning(finding_id: str) -> str:
    """The one line that says so, on stderr and in the report alike."""
    return (f"accepted_risks: {finding_id!r} names no finding of this bundle "
            "(each finding's id is in the findings tables, CSV and XLSX)")


def counts_as_open(record: dict) -> bool:
    return record["status"] != ACCEPTED
