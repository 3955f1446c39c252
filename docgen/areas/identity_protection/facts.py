"""The Identity Protection section as the bundle holds it (schema.json is the contract)."""

from __future__ import annotations

from typing import TypedDict


class RiskCount(TypedDict):
    key: str            # "<level>/<state>"
    level: str
    state: str
    count: int


class RiskyUser(TypedDict):
    level: str
    state: str
    detail: str | None
    updated: str | None
    user: str | None    # only with [privacy] include_user_names


class RiskDetection(TypedDict):
    event_type: str
    level: str
    state: str
    timing: str | None
    detected: str | None
    user: str | None
