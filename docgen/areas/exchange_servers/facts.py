"""The exchange_servers section as the bundle holds it (schema.json is the contract)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from docgen.bundle.types import Section


class ExchangeServer(TypedDict):
    key: str
    name: str
    fqdn: str | None
    roles: list[str]
    edition: str | None
    site: str | None
    admin_display_version: str | None
    build: str | None              # "15.2.1544.4"; None: the version could not be read (a section error)
    product: str | None            # "Exchange Server 2019"
    update: str | None             # "CU14", "RTM"
    update_build: str | None
    later_update: bool | None      # an SU or hotfix on top of the CU
    released: str | None           # the CU's release date
    support_ends: str | None       # the product's end of support; None: current or unknown
    build_note: str | None
    source: dict


class Hybrid(TypedDict):
    collected: bool
    configured: bool | None
    domains: list[str]
    features: list[str]
    client_access_servers: list[str]
    on_premises_smart_host: str | None


class ServerSection(Section[ExchangeServer]):
    partner_applications: list[dict] | None      # None: not collected
    auth_servers: list[dict] | None
    ews_virtual_directories: list[dict] | None
    client_access_services: list[dict] | None
    accepted_domains: list[dict] | None
    intra_organization_connectors: list[dict] | None
    hybrid: Hybrid
    oauth2_client_profile_enabled: bool | None
    autodiscover: NotRequired[dict | None]   # absent or None: DNS not part of the run
