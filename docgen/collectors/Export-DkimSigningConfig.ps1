<#
.SYNOPSIS
    Exports Exchange Online DKIM signing configuration and accepted domains for docgen.

.DESCRIPTION
    Read-only: runs Get-DkimSigningConfig and Get-AcceptedDomain, nothing else.
    Writes one UTF-8 JSON file (no BOM) whose contract is described in
    collectors/README.md and pinned by samples/dns/contoso-dkim-collector.json:
    dates are ISO 8601 UTC, one array per list even with one element.

    Then, on any machine:
        docgen collect dns --dkim-config dkim.json -o contoso.bundle.json

.PARAMETER OutputPath
    The JSON file to write (-Path, its old name, still works).

.PARAMETER Organization
    The organisation name to record (default: the default accepted domain).

.EXAMPLE
    Connect-ExchangeOnline -ShowBanner:$false
    .\Export-DkimSigningConfig.ps1 -OutputPath .\dkim.json
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][Alias('Path')][string]$OutputPath,
    [string]$Organization
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$CollectorVersion = '1.0'

function ConvertTo-IsoUtc($Value) {
    # ConvertTo-Json in Windows PowerShell 5.1 would write "/Date(ms)/"; the contract is ISO 8601 UTC.
    if ($null -eq $Value) { return $null }
    return ([datetime]$Value).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
}

function ConvertTo-Text($Value) {
    if ($null -eq $Value) { return $null }
    return [string]$Value
}

$errors = @()
$collectedAt = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')

$accepted = @()
try {
    $accepted = @(Get-AcceptedDomain | ForEach-Object {
        [ordered]@{
            DomainName = ConvertTo-Text $_.DomainName
            DomainType = ConvertTo-Text $_.DomainType
            Default    = [bool]$_.Default
        }
    })
} catch {
    $errors += "Get-AcceptedDomain failed: $($_.Exception.Message)"
}

$configs = @()
try {
    $configs = @(Get-DkimSigningConfig | ForEach-Object {
        [ordered]@{
            Domain                     = ConvertTo-Text $_.Domain
            Enabled                    = [bool]$_.Enabled
            Status                     = ConvertTo-Text $_.Status
            Selector1CNAME             = ConvertTo-Text $_.Selector1CNAME
            Selector2CNAME             = ConvertTo-Text $_.Selector2CNAME
            Selector1KeySize           = $_.Selector1KeySize
            Selector2KeySize           = $_.Selector2KeySize
            Selector1PublicKey         = ConvertTo-Text $_.Selector1PublicKey
            Selector2PublicKey         = ConvertTo-Text $_.Selector2PublicKey
            RotateOnDate               = ConvertTo-IsoUtc $_.RotateOnDate
            SelectorBeforeRotateOnDate = ConvertTo-Text $_.SelectorBeforeRotateOnDate
            SelectorAfterRotateOnDate  = ConvertTo-Text $_.SelectorAfterRotateOnDate
            KeyCreationTime            = ConvertTo-IsoUtc $_.KeyCreationTime
            LastChecked                = ConvertTo-IsoUtc $_.LastChecked
        }
    })
} catch {
    $errors += "Get-DkimSigningConfig failed: $($_.Exception.Message)"
}

if (-not $Organization) {
    $default = $accepted | Where-Object { $_.Default } | Select-Object -First 1
    if ($default) { $Organization = $default.DomainName }
}

$document = [ordered]@{
    Collector         = 'Export-DkimSigningConfig'
    CollectorVersion  = $CollectorVersion
    CollectedAt       = $collectedAt
    Organization      = $Organization
    AcceptedDomains   = $accepted
    DkimSigningConfig = $configs
    Errors            = $errors
}

# -Depth 4: the default depth of 2 would cut the nested objects. UTF-8 without a BOM,
# whatever the PowerShell version (Out-File in 5.1 would write UTF-16).
$json = $document | ConvertTo-Json -Depth 4
$full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
[System.IO.File]::WriteAllText($full, $json, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "Wrote $full ($($configs.Count) DKIM configurations, $($accepted.Count) accepted domains)"
