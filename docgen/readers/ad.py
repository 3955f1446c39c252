"""Small facts read off Active Directory distinguished names."""

from __future__ import annotations


def first_rdn_value(dn: str) -> str:
    """'CN=EX01,CN=Servers,...' -> 'EX01'."""
    first = str(dn).split(",", 1)[0]
    return first.split("=", 1)[1] if "=" in first else first


def dns_domain_of(dn: str | None) -> str | None:
    """'CN=EX01,...,DC=contoso,DC=com' -> 'contoso.com'."""
    if not dn:
        return None
    parts = [part.split("=", 1)[1] for part in str(dn).split(",")
             if part.strip().upper().startswith("DC=")]
    return ".".join(part.strip() for part in parts) or None
