"""Which source a raw file or folder belongs to, from its content (not its name)."""

from __future__ import annotations

from pathlib import Path

from docgen.core.errors import DocgenError
from docgen.readers.clixml import looks_like_clixml
from docgen.readers.textfile import decode_text

EXCHANGE = "exchange_certificates"
AADCONNECT = "aadconnect"
DKIM = "dkim"
SNIFF_BYTES = 64 * 1024
# what Get-ADSyncServerConfiguration writes
AAD_GLOBAL_SETTINGS = Path("GlobalSettings") / "MV.xml"
# CLIXML of an X509Certificate2 (ExchangeCertificate derives from it) or of Get-ADObject
CLIXML_EXCHANGE_MARKS = ("System.Security.Cryptography.X509Certificates.X509Certificate2</T>",
                         "msExchServerInternalTLSCert")


def detect_kind(path: Path) -> str | None:
    """The source a raw input feeds, or None when docgen does not recognise it."""
    if path.is_dir():
        return AADCONNECT if _holds_aad_export(path) else None
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        text = decode_text(head, str(path))
    except (OSError, DocgenError):
        return None
    return _kind_of_text(text)


def _holds_aad_export(folder: Path) -> bool:
    """The export folder itself, or a folder holding it one level down."""
    return (folder / AAD_GLOBAL_SETTINGS).is_file() or any(
        (child / AAD_GLOBAL_SETTINGS).is_file() for child in folder.iterdir() if child.is_dir())


def _kind_of_text(text: str) -> str | None:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.lower().startswith(("dn:", "version:", "#")) and "msexchserverinternaltlscert" in text.lower():
        return EXCHANGE
    if looks_like_clixml(text):  # Export-Clixml: only the certificate exports are known
        return EXCHANGE if any(mark in text for mark in CLIXML_EXCHANGE_MARKS) else None
    if not stripped.startswith(("{", "[")):
        return None
    if '"Export-ExchangeCertificates"' in text or "msExchServerInternalTLSCert" in text:
        return EXCHANGE
    if '"Export-AADConnectConfig"' in text:
        return AADCONNECT
    if '"Export-DkimSigningConfig"' in text or '"Selector1CNAME"' in text:
        return DKIM
    return None
