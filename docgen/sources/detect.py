"""Which source a raw file or folder belongs to, from its content (not its name)."""

from __future__ import annotations

from pathlib import Path

from docgen.errors import DocgenError
from docgen.sources.textfile import decode_text

EXCHANGE = "exchange_certificates"
SNIFF_BYTES = 64 * 1024


def detect_kind(path: Path) -> str | None:
    """The section a raw input feeds, or None when docgen does not recognise it."""
    if path.is_dir():
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        text = decode_text(head, str(path))
    except (OSError, DocgenError):
        return None
    return _kind_of_text(text)


def _kind_of_text(text: str) -> str | None:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.lower().startswith(("dn:", "version:", "#")) and "msexchserverinternaltlscert" in text.lower():
        return EXCHANGE
    if stripped.startswith(("{", "[")):
        if '"Export-ExchangeCertificates"' in text or "msExchServerInternalTLSCert" in text:
            return EXCHANGE
    return None
