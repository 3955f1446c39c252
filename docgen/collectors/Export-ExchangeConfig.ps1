<#
.SYNOPSIS
    Exports an Exchange on-premises organisation's servers, receive connectors (with their AD
    permissions), certificates, OAuth and hybrid settings and client access URLs, read-only,
    for docgen.

.DESCRIPTION
    Reads, and changes nothing:
      - Get-ExchangeServer: name, FQDN, roles, edition, version (AdminDisplayVersion), site;
      - Get-ReceiveConnector, and for each connector Get-ADPermission rows that are neither
        inherited nor deny (who holds which extended right, e.g. ms-Exch-SMTP-Accept-Any-Recipient);
      - Get-ExchangeCertificate -Server: every certificate with its services and RawData;
      - Get-AuthServer, Get-PartnerApplication, Get-IntraOrganizationConnector,
        Get-HybridConfiguration, Get-OrganizationConfig, Get-AuthConfig;
      - Get-ClientAccessService, Get-WebServicesVirtualDirectory, Get-AcceptedDomain.
    What cannot be read is listed in Errors (or the server's Errors) and the rest is kept.

    Output contract: collectors/README.md, section "Export-ExchangeConfig.ps1".

.PARAMETER OutputPath
    The JSON file to write (UTF-8 without BOM).

.PARAMETER Server
    Only these servers (default: all Exchange servers).

.EXAMPLE
    .\Export-ExchangeConfig.ps1 -OutputPath .\raw\exchange-config.json
    Run in the Exchange Management Shell (Windows PowerShell 5.1).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$OutputPath,
    [string[]]$Server
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$errors = New-Object System.Collections.Generic.List[string]

function ConvertTo-IsoUtc($Value) {
    # ISO 8601 in UTC, so the output does not depend on the host's time zone or culture.
    if ($null -eq $Value) { return $null }
    return ([datetime]$Value).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [Globalization.CultureInfo]::InvariantCulture)
}

function ConvertTo-Text($Value) {
    if ($null -eq $Value) { return $null }
    return $Value.ToString()
}

function ConvertTo-TextList($Values) {
    return @($Values | Where-Object { $null -ne $_ } | ForEach-Object { $_.ToString() })
}

function Get-Section([string]$Name, [scriptblock]$Read) {
    # One cmdlet that fails (no hybrid, no permission) costs its part only.
    try {
        return & $Read
    } catch {
        $errors.Add("${Name}: $($_.Exception.Message)")
        return $null
    }
}

function Get-ConnectorPermissions($Connector) {
    $rows = Get-ADPermission -Identity $Connector.Identity |
        Where-Object { -not $_.IsInherited -and -not $_.Deny -and $_.ExtendedRights }
    foreach ($row in $rows) {
        [ordered]@{
            User           = $row.User.ToString()
            ExtendedRights = ConvertTo-TextList $row.ExtendedRights
        }
    }
}

function Get-ConnectorRecord($Connector) {
    $record = [ordered]@{
        Identity             = $Connector.Identity.ToString()
        Server               = $Connector.Server.Name
        Name                 = $Connector.Name
        Enabled              = [bool]$Connector.Enabled
        TransportRole        = ConvertTo-Text $Connector.TransportRole
        Bindings             = ConvertTo-TextList $Connector.Bindings
        # IPRange.ToString() is the expression: an address, a-b, CIDR or address(mask)
        RemoteIPRanges       = ConvertTo-TextList $Connector.RemoteIPRanges
        AuthMechanism        = ConvertTo-Text $Connector.AuthMechanism      # flag names, not the number
        PermissionGroups     = ConvertTo-Text $Connector.PermissionGroups
        RequireTLS           = [bool]$Connector.RequireTLS
        Fqdn                 = ConvertTo-Text $Connector.Fqdn
        TlsCertificateName   = ConvertTo-Text $Connector.TlsCertificateName
        MaxMessageSize       = ConvertTo-Text $Connector.MaxMessageSize
        ProtocolLoggingLevel = ConvertTo-Text $Connector.ProtocolLoggingLevel
        Permissions          = $null
    }
    try {
        $record.Permissions = @(Get-ConnectorPermissions $Connector)
    } catch {
        # null, not empty: the report says "not collected" rather than "no relay right"
        $errors.Add("Get-ADPermission $($record.Identity): $($_.Exception.Message)")
    }
    return $record
}

function Get-CertificateRecords([string]$Name) {
    foreach ($cert in Get-ExchangeCertificate -Server $Name) {
        [ordered]@{
            Server             = $Name
            Thumbprint         = $cert.Thumbprint
            FriendlyName       = $cert.FriendlyName
            Subject            = $cert.Subject
            Issuer             = $cert.Issuer
            CertificateDomains = ConvertTo-TextList $cert.CertificateDomains
            NotBefore          = ConvertTo-IsoUtc $cert.NotBefore
            NotAfter           = ConvertTo-IsoUtc $cert.NotAfter
            Services           = ConvertTo-Text $cert.Services
            IsSelfSigned       = [bool]$cert.IsSelfSigned
            Status             = ConvertTo-Text $cert.Status
            RawData            = [Convert]::ToBase64String($cert.RawData)   # key size and signature
        }
    }
}

$servers = @(Get-ExchangeServer | Where-Object { -not $Server -or $Server -contains $_.Name } | Sort-Object Name)
$names = @($servers | ForEach-Object { $_.Name })

$serverRecords = foreach ($item in $servers) {
    [ordered]@{
        Name                = $item.Name
        Fqdn                = $item.Fqdn
        ServerRole          = ConvertTo-Text $item.ServerRole
        Edition             = ConvertTo-Text $item.Edition
        AdminDisplayVersion = ConvertTo-Text $item.AdminDisplayVersion
        Site                = ConvertTo-Text $item.Site
        Errors              = @()
    }
}

$connectors = Get-Section 'Get-ReceiveConnector' {
    @(Get-ReceiveConnector | Where-Object { $names -contains $_.Server.Name } |
        Sort-Object Identity | ForEach-Object { Get-ConnectorRecord $_ })
}

$certificates = New-Object System.Collections.Generic.List[object]
foreach ($item in $servers) {
    $read = Get-Section "Get-ExchangeCertificate -Server $($item.Name)" { @(Get-CertificateRecords $item.Name) }
    foreach ($entry in @($read)) { if ($null -ne $entry) { $certificates.Add($entry) } }
}

$organizationConfig = Get-Section 'Get-OrganizationConfig' { Get-OrganizationConfig }

$document = [ordered]@{
    Collector          = 'Export-ExchangeConfig'
    CollectorVersion   = '1.0'
    CollectedAt        = ConvertTo-IsoUtc (Get-Date)
    Organization       = if ($organizationConfig) { $organizationConfig.Name } else { $null }
    Servers            = @($serverRecords)
    ReceiveConnectors  = $connectors
    ExchangeCertificates = @($certificates)
    AuthServers        = Get-Section 'Get-AuthServer' {
        @(Get-AuthServer | ForEach-Object { [ordered]@{
            Name = $_.Name; Type = ConvertTo-Text $_.Type; Enabled = [bool]$_.Enabled
            AuthMetadataUrl = ConvertTo-Text $_.AuthMetadataUrl } })
    }
    PartnerApplications = Get-Section 'Get-PartnerApplication' {
        @(Get-PartnerApplication | ForEach-Object { [ordered]@{
            Name = $_.Name; ApplicationIdentifier = ConvertTo-Text $_.ApplicationIdentifier
            Enabled = [bool]$_.Enabled; UseAuthServer = [bool]$_.UseAuthServer } })
    }
    IntraOrganizationConnectors = Get-Section 'Get-IntraOrganizationConnector' {
        @(Get-IntraOrganizationConnector | ForEach-Object { [ordered]@{
            Name = $_.Name; Enabled = [bool]$_.Enabled
            TargetAddressDomains = ConvertTo-TextList $_.TargetAddressDomains
            DiscoveryEndpoint = ConvertTo-Text $_.DiscoveryEndpoint } })
    }
    HybridConfiguration = Get-Section 'Get-HybridConfiguration' {
        $hybrid = Get-HybridConfiguration
        if ($null -eq $hybrid) { $null } else { [ordered]@{
            Name = $hybrid.Name
            Domains = ConvertTo-TextList $hybrid.Domains
            Features = ConvertTo-TextList $hybrid.Features
            ClientAccessServers = ConvertTo-TextList $hybrid.ClientAccessServers
            SendingTransportServers = ConvertTo-TextList $hybrid.SendingTransportServers
            ReceivingTransportServers = ConvertTo-TextList $hybrid.ReceivingTransportServers
            OnPremisesSmartHost = ConvertTo-Text $hybrid.OnPremisesSmartHost
            TlsCertificateName = ConvertTo-Text $hybrid.TlsCertificateName } }
    }
    OrganizationConfig = if ($organizationConfig) { [ordered]@{
        Name = $organizationConfig.Name
        OAuth2ClientProfileEnabled = [bool]$organizationConfig.OAuth2ClientProfileEnabled } } else { $null }
    AuthConfig         = Get-Section 'Get-AuthConfig' {
        $auth = Get-AuthConfig
        [ordered]@{ CurrentCertificateThumbprint = $auth.CurrentCertificateThumbprint
            ServiceName = ConvertTo-Text $auth.ServiceName; Realm = ConvertTo-Text $auth.Realm }
    }
    ClientAccessServices = Get-Section 'Get-ClientAccessService' {
        @(Get-ClientAccessService | Where-Object { $names -contains $_.Name } | ForEach-Object { [ordered]@{
            Name = $_.Name; AutoDiscoverServiceInternalUri = ConvertTo-Text $_.AutoDiscoverServiceInternalUri } })
    }
    WebServicesVirtualDirectories = Get-Section 'Get-WebServicesVirtualDirectory' {
        @(Get-WebServicesVirtualDirectory -ADPropertiesOnly | Where-Object { $names -contains $_.Server.Name } |
            ForEach-Object { [ordered]@{
                Server = $_.Server.Name; Identity = $_.Identity.ToString()
                InternalUrl = ConvertTo-Text $_.InternalUrl; ExternalUrl = ConvertTo-Text $_.ExternalUrl
                OAuthAuthentication = [bool]$_.OAuthAuthentication; MRSProxyEnabled = [bool]$_.MRSProxyEnabled } })
    }
    AcceptedDomains    = Get-Section 'Get-AcceptedDomain' {
        @(Get-AcceptedDomain | ForEach-Object { [ordered]@{
            DomainName = ConvertTo-Text $_.DomainName; DomainType = ConvertTo-Text $_.DomainType
            Default = [bool]$_.Default } })
    }
    Errors             = $errors
}

# -Depth 6: the default of 2 would cut the permission rows into "System.Collections..." text.
$json = $document | ConvertTo-Json -Depth 6
# UTF-8 without BOM, whatever PowerShell version runs this (5.1's Out-File would write UTF-16).
# .NET resolves relative paths against the process directory, not PowerShell's: resolve first.
$fullPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
[IO.File]::WriteAllText($fullPath, $json, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "Wrote $OutputPath ($($servers.Count) servers, $(@($connectors).Count) receive connectors)"
