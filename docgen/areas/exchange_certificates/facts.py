"""The Exchange section's items as the bundle holds them (its schema.json is the contract)."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from docgen.bundle.types import Section


class SmtpCertificate(TypedDict):
    state: Literal["present", "absent", "error", "not_collected"]
    error: NotRequired[str | None]
    subject: NotRequired[str]
    issuer: NotRequired[str]
    serial: NotRequired[str]
    thumbprint_sha1: NotRequired[str]
    sha256: NotRequired[str]
    not_before: NotRequired[str]
    not_after: NotRequired[str]
    san_dns: NotRequired[list[str]]
    key_type: NotRequired[str]
    key_size: NotRequired[int | None]
    signature_hash: NotRequired[str | None]
    self_signed: NotRequired[bool]
    der_base64: NotRequired[str]


class StoreCertificate(TypedDict):
    thumbprint: str
    friendly_name: str | None
    subject: str | None
    services: list[str]
    status: str | None
    not_after: str | None
    self_signed: bool | None
    domains: list[str]
    # from the certificate's RawData; absent in bundles written before they existed
    issuer: NotRequired[str | None]
    not_before: NotRequired[str | None]
    key_type: NotRequired[str | None]
    key_size: NotRequired[int | None]
    signature_hash: NotRequired[str | None]


class WebHostName(TypedDict):
    setting: str     # "EWS InternalUrl", "EWS ExternalUrl", "AutoDiscoverServiceInternalUri"
    url: str
    host: str


class ExchangeServer(TypedDict):
    key: str
    name: str
    dn: str | None
    fqdn: str | None
    roles: list[str]
    version: str | None
    default_smtp_certificate: SmtpCertificate
    store_certificates: list[StoreCertificate] | None
    web_host_names: NotRequired[list[WebHostName] | None]
    source: dict


ExchangeSection = Section[ExchangeServer]
