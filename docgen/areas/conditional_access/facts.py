"""The Conditional Access section's items as the bundle holds them (schema.json is the contract)."""

from __future__ import annotations

from typing import TypedDict


class PolicyUsers(TypedDict):
    include_users: list[str]
    exclude_users: list[str]
    include_groups: list[str]
    exclude_groups: list[str]
    include_roles: list[str]
    exclude_roles: list[str]
    include_guests: str | None
    exclude_guests: str | None


class Grant(TypedDict):
    operator: str | None
    built_in: list[str]
    authentication_strength: str | None
    terms_of_use: list[str]
    custom: list[str]


class IncludeExclude(TypedDict):
    include: list[str]
    exclude: list[str]


class Policy(TypedDict):
    key: str
    id: str | None
    name: str
    state: str | None          # enabled | disabled | enabledForReportingButNotEnforced | None (unknown)
    created: str | None
    modified: str | None
    users: PolicyUsers
    applications: dict[str, list[str]]
    client_app_types: list[str]
    platforms: IncludeExclude
    locations: IncludeExclude
    user_risk_levels: list[str]
    sign_in_risk_levels: list[str]
    device_filter: str | None
    authentication_flows: list[str]
    other_conditions: list[str]
    grant: Grant | None
    session: list[str]
