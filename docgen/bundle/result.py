"""What every source hands to the bundle: facts, errors, inputs, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docgen.core.dates import iso_utc
from docgen.core.errors import DocgenError


@dataclass
class SourceResult:
    """One section's facts as a source collected them.

    `errors` are failures that did not stop the source (one bad record, one
    failed lookup); they make the section `partial` and are kept in the bundle.
    """

    section: str
    collected_at: datetime
    items: list[dict] = field(default_factory=list)
    errors: list[DocgenError] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    # What the inputs say the organisation is called, for a new bundle.
    organization: str | None = None
    # Items that came through whole; None means all of them. An item kept only to
    # show its error (a server whose certificate is unreadable) does not count.
    good_items: int | None = None

    @property
    def status(self) -> str:
        if not self.errors:
            return "ok"
        good = len(self.items) if self.good_items is None else self.good_items
        return "partial" if good else "error"

    def to_section(self) -> dict:
        section = {
            "status": self.status,
            "errors": [error.as_record() for error in self.errors],
            "collected_at": iso_utc(self.collected_at),
            "items": self.items,
        }
        section.update(self.extra)
        return section


def combine_results(results: list[SourceResult]) -> SourceResult:
    """Several results of one source (two exports) as one section: items, errors and
    inputs together, collected at the newest of their times."""
    first = results[0]
    if len(results) == 1:
        return first
    good = [r.good_items if r.good_items is not None else len(r.items) for r in results]
    return SourceResult(
        section=first.section,
        collected_at=max(result.collected_at for result in results),
        items=[item for result in results for item in result.items],
        errors=[error for result in results for error in result.errors],
        inputs=[entry for result in results for entry in result.inputs],
        extra=first.extra,
        organization=next((r.organization for r in results if r.organization), None),
        good_items=sum(good))
