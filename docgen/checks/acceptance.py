"""Accepted risks: a finding the customer accepted is shown as such until the acceptance ends."""

from __future__ import annotations

from datetime import date, datetime

from docgen.checks.model import Finding

OPEN, ACCEPTED, EXPIRED = "open", "accepted", "acceptance expired"


def apply_acceptances(findings: list[Finding], accepted: list, as_of: datetime) -> list[dict]:
    """Findings as dicts with a `status`; an acceptance past its date counts as open again.

    Judged at the bundle's collection time, like every check, so an archived
    report reads the same forever.
    """
    by_id = {risk.finding: risk for risk in accepted}
    result = []
    for finding in findings:
        record = finding.as_dict()
        risk = by_id.get(finding.id)
        if risk is None:
            record.update(status=OPEN, acceptance=None)
        else:
            still = date.fromisoformat(risk.until) >= as_of.date()
            record.update(status=ACCEPTED if still else EXPIRED,
                          acceptance={"reason": risk.reason, "accepted_by": risk.accepted_by,
                                      "until": risk.until})
        result.append(record)
    return result


def counts_as_open(record: dict) -> bool:
    return record["status"] != ACCEPTED
