"""Which raw files hold Exchange servers' default SMTP certificates, by content."""

from __future__ import annotations

from docgen.readers.textfile import json_like

ATTRIBUTE = "msExchServerInternalTLSCert"


def recognise(text: str) -> bool:
    """ldifde output naming the attribute, the collector's JSON, or Get-ADObject's JSON."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.lower().startswith(("dn:", "version:", "#")) and ATTRIBUTE.lower() in text.lower():
        return True
    return json_like(text) and ('"Export-ExchangeCertificates"' in text or ATTRIBUTE in text)
