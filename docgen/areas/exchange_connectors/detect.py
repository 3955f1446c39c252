"""Which raw files hold receive connectors or their AD permissions, by content."""

from __future__ import annotations

from docgen.readers.clixml import looks_like_clixml
from docgen.readers.textfile import json_like

CLIXML_MARKS = ("Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector</T>",
                "ms-Exch-SMTP-Accept-Any-Recipient")


def recognise(text: str) -> bool:
    """The collector's JSON, Get-ReceiveConnector or Get-ADPermission (of a connector) output
    as JSON or CLIXML."""
    if looks_like_clixml(text):
        return any(mark in text for mark in CLIXML_MARKS) or (
            "Microsoft.Exchange.Management.RecipientTasks.ADAcePresentationObject" in text
            and "SMTP Receive Connectors" in text)
    if not json_like(text):
        return False
    return ('"Export-ExchangeConfig"' in text or ('"RemoteIPRanges"' in text and '"PermissionGroups"' in text)
            or ('"ExtendedRights"' in text and "SMTP Receive Connectors" in text))
