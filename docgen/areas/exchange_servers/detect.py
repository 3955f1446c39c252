"""Which raw files hold Exchange servers or the organisation's OAuth and hybrid settings, by content."""

from __future__ import annotations

from docgen.readers.clixml import looks_like_clixml
from docgen.readers.textfile import json_like

_TYPES = ("Microsoft.Exchange.Data.Directory.Management.ExchangeServer",
          "Microsoft.Exchange.Data.Directory.SystemConfiguration.PartnerApplication",
          "Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthServer",
          "Microsoft.Exchange.Data.Directory.SystemConfiguration.HybridConfiguration",
          "Microsoft.Exchange.Data.Directory.SystemConfiguration.ADWebServicesVirtualDirectory",
          "Microsoft.Exchange.Data.Directory.SystemConfiguration.IntraOrganizationConnector")
CLIXML_MARKS = tuple(f"<T>{name}</T>" for name in _TYPES)
JSON_MARKS = (('"AdminDisplayVersion"', '"ServerRole"'), ('"ApplicationIdentifier"', '"UseAuthServer"'),
              ('"AuthMetadataUrl"', '"Type"'), ('"ClientAccessServers"', '"Features"'),
              ('"ExternalUrl"', "Exchange.asmx"), ('"DiscoveryEndpoint"', '"TargetAddressDomains"'))


def recognise(text: str) -> bool:
    """The collector's JSON, or Get-ExchangeServer, Get-PartnerApplication, Get-AuthServer,
    Get-HybridConfiguration, Get-WebServicesVirtualDirectory or Get-IntraOrganizationConnector
    output as JSON or CLIXML; not another collector's JSON."""
    if looks_like_clixml(text):
        return any(mark in text for mark in CLIXML_MARKS)
    if not json_like(text):
        return False
    if '"Export-ExchangeConfig"' in text:
        return True
    if '"Collector"' in text[:400]:
        return False   # another collector's export (Export-ExchangeCertificates also lists servers)
    return any(all(mark in text for mark in marks) for marks in JSON_MARKS)
