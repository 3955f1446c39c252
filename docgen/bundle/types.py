"""The bundle's shape where code reads it, for mypy: a misspelt key is a type error.

The JSON Schema (bundle.base.schema.json and each area's schema.json) is the contract
that loading enforces; these types mirror the parts of it that checks, views and the diff
read. An area types its own items beside its code, in its facts.py.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypedDict, TypeVar

Status = Literal["ok", "partial", "error", "skipped"]


class InputRecord(TypedDict):
    name: str
    section: str
    size: int
    sha256: str


class SkippedInput(TypedDict):
    """A raw input handed over that no area recognised: recorded so an auditor sees it."""

    name: str
    size: int | None
    sha256: str | None
    reason: str


class ErrorRecord(TypedDict):
    source: str
    where: str
    message: str


Item = TypeVar("Item")


class Section(TypedDict, Generic[Item]):
    """What every section has: `Section[ExchangeServer]` is the Exchange section. An area's
    section may add fields beside `items` (the DNS sections' resolver)."""

    status: Status
    errors: list[ErrorRecord]
    collected_at: str
    items: list[Item]


class Bundle(TypedDict):
    schema_version: int
    tool_version: str
    run_id: str
    collected_at: str
    organization: str
    inputs: list[InputRecord]
    skipped_inputs: list[SkippedInput]
    sections: dict[str, Section[Any]]
