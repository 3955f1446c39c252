"""The registry: every area docgen documents, in the order the report shows them.

A new area is a folder beside these (its Area in __init__.py, source, checks, view, tables,
diff keys, schema.json), one line in AREAS, its template in templates/sections/ and its
collector in collectors/. Everything else finds it here.
"""

from __future__ import annotations

from docgen.areas import (
    aadconnect,
    conditional_access,
    dkim,
    exchange_certificates,
    exchange_connectors,
    exchange_servers,
    identity_protection,
    mail_auth,
    mobile_access,
)
from docgen.areas.area import Area

AREAS: tuple[Area, ...] = (
    aadconnect.AREA,
    conditional_access.AREA,
    identity_protection.AREA,
    exchange_certificates.AREA,
    exchange_connectors.AREA,
    exchange_servers.AREA,
    mobile_access.AREA,
    dkim.AREA,
    mail_auth.AREA,
)

_BY_NAME = {area.name: area for area in AREAS}


def find_area(name: str) -> Area | None:
    return _BY_NAME.get(name)


def area_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def in_document_order(names) -> list[str]:
    """Section names in the report's order; a name no area declares sorts last, by name."""
    order = {name: index for index, name in enumerate(_BY_NAME)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


__all__ = ["AREAS", "Area", "area_names", "find_area", "in_document_order"]
