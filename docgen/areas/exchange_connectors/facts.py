"""The exchange_connectors section's items as the bundle holds them (schema.json is the contract)."""

from __future__ import annotations

from typing import TypedDict

from docgen.bundle.types import Section


class RemoteRange(TypedDict):
    expression: str
    first: str | None          # None: the expression could not be read (a section error)
    last: str | None
    size: str | None           # decimal digits: an IPv6 range's size exceeds JSON's 64-bit numbers
    cidr: str | None
    public: bool | None
    everything: bool | None    # 0.0.0.0/0 or ::/0


class Permission(TypedDict):
    user: str
    extended_rights: list[str]


class Relay(TypedDict):
    anonymous: bool | None     # None: Get-ADPermission was not collected
    externally_secured: bool
    allowed: bool | None


class ReceiveConnector(TypedDict):
    key: str
    identity: str
    server: str | None
    name: str | None
    enabled: bool | None
    transport_role: str | None
    bindings: list[str]
    remote_ip_ranges: list[RemoteRange]
    auth_mechanism: list[str]
    permission_groups: list[str]
    require_tls: bool | None
    fqdn: str | None
    tls_certificate_name: str | None
    max_message_size: str | None
    protocol_logging_level: str | None
    permissions: list[Permission] | None
    relay: Relay
    source: dict


class ConnectorSection(Section[ReceiveConnector]):
    load_balancer_addresses: list[str]
