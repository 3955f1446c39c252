"""Which raw files hold Exchange servers' default SMTP certificates, by content."""

from __future__ import annotations

from docgen.readers.clixml import looks_like_clixml
from docgen.readers.textfile import json_like

ATTRIBUTE = "msExchServerInternalTLSCert"
# Export-Clixml of an X509Certificate2 (ExchangeCertificate derives from it) or of Get-ADObject
CLIXML_MARKS = ("System.Security.Cryptography.X509Certificates.X509Certificate2</T>", ATTRIBUTE)


def recognise(text: str) -> bool:
    """ldifde output naming the attribute, the collectors' JSON (Export-ExchangeConfig's
    also feeds exchange_connectors), Get-ADObject's JSON, or the
    CLIXML of a certificate (other CLIXML is another area's, or none)."""
    if looks_like_clixml(text):
        return any(mark in text for mark in CLIXML_MARKS)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.lower().startswith(("dn:", "version:", "#")) and ATTRIBUTE.lower() in text.lower():
        return True
    return json_like(text) and ('"Export-ExchangeCertificates"' in text or ATTRIBUTE in text
                                or '"Export-ExchangeConfig"' in text)
