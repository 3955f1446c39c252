<#
.SYNOPSIS
    Exports each Exchange server's default SMTP (internal transport) certificate and its
    certificate store, read-only, for docgen.

.DESCRIPTION
    For every Exchange server in the organisation this reads:
      - Get-ExchangeServer: name, FQDN, DN, roles, version;
      - Get-ADObject -Properties msExchServerInternalTLSCert: the DER bytes of the certificate
        Exchange uses for internal mutual TLS (base64 in the output);
      - Get-ExchangeCertificate -Server: the server's certificates (thumbprint, friendly name,
        services, status, expiry, self-signed, domains).
    Nothing is changed on any server or in Active Directory. A server that cannot be read is
    kept in the output with its error, so the report shows it rather than losing it.

    Output contract: collectors/README.md, section "Export-ExchangeCertificates.ps1".

.PARAMETER OutputPath
    The JSON file to write (UTF-8 without BOM).

.PARAMETER Server
    Only these servers (default: all Exchange servers).

.EXAMPLE
    .\Export-ExchangeCertificates.ps1 -OutputPath .\raw\exchange-certs.json
    Run in the Exchange Management Shell on a server with the ActiveDirectory module.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$OutputPath,
    [string[]]$Server
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
Import-Module ActiveDirectory -ErrorAction Stop

function ConvertTo-IsoUtc([datetime]$Value) {
    # ISO 8601 in UTC, so the output does not depend on the host's time zone or culture.
    return $Value.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [Globalization.CultureInfo]::InvariantCulture)
}

function Get-InternalTransportCertificate([string]$DistinguishedName) {
    $object = Get-ADObject -Identity $DistinguishedName -Properties msExchServerInternalTLSCert
    $bytes = $object.msExchServerInternalTLSCert
    if ($null -eq $bytes -or $bytes.Length -eq 0) { return $null }
    return [Convert]::ToBase64String([byte[]]$bytes)
}

function Get-StoreCertificates([string]$Name) {
    foreach ($cert in Get-ExchangeCertificate -Server $Name) {
        [ordered]@{
            Thumbprint         = $cert.Thumbprint
            FriendlyName       = $cert.FriendlyName
            Subject            = $cert.Subject
            Issuer             = $cert.Issuer
            Services           = $cert.Services.ToString()   # names, not the enum's number
            Status             = $cert.Status.ToString()
            NotAfter           = ConvertTo-IsoUtc $cert.NotAfter
            IsSelfSigned       = [bool]$cert.IsSelfSigned
            CertificateDomains = @($cert.CertificateDomains | ForEach-Object { $_.ToString() })
        }
    }
}

function Get-ServerRecord($ExchangeServer) {
    $errors = New-Object System.Collections.Generic.List[string]
    $record = [ordered]@{
        Name                         = $ExchangeServer.Name
        Fqdn                         = $ExchangeServer.Fqdn
        DistinguishedName            = $ExchangeServer.DistinguishedName
        ServerRole                   = $ExchangeServer.ServerRole.ToString()
        AdminDisplayVersion          = $ExchangeServer.AdminDisplayVersion.ToString()
        InternalTransportCertificate = $null
        ExchangeCertificates         = @()
        Errors                       = $errors
    }
    try {
        $record.InternalTransportCertificate = Get-InternalTransportCertificate $ExchangeServer.DistinguishedName
    } catch {
        $errors.Add("Get-ADObject failed: $($_.Exception.Message)")
    }
    try {
        $record.ExchangeCertificates = @(Get-StoreCertificates $ExchangeServer.Name)
    } catch {
        $record.ExchangeCertificates = $null
        $errors.Add("Get-ExchangeCertificate failed: $($_.Exception.Message)")
    }
    return $record
}

$servers = Get-ExchangeServer | Where-Object { -not $Server -or $Server -contains $_.Name } | Sort-Object Name
$organization = (Get-OrganizationConfig).Name

$document = [ordered]@{
    Collector        = 'Export-ExchangeCertificates'
    CollectorVersion = '1.0'
    CollectedAt      = ConvertTo-IsoUtc (Get-Date)
    Organization     = $organization
    Servers          = @($servers | ForEach-Object { Get-ServerRecord $_ })
}

# -Depth 6: the default of 2 would cut the certificate list into "System.Collections..." text.
$json = $document | ConvertTo-Json -Depth 6
# UTF-8 without BOM, whatever PowerShell version runs this (5.1's Out-File would write UTF-16).
# .NET resolves relative paths against the process directory, not PowerShell's: resolve first.
$fullPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
[IO.File]::WriteAllText($fullPath, $json, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "Wrote $OutputPath ($($servers.Count) servers)"
