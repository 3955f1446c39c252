<#
.SYNOPSIS
    Exports Exchange ActiveSync access settings for docgen: the organisation's default access
    level, device access rules, mobile device mailbox policies, and mailboxes and devices
    without personal data.

.DESCRIPTION
    Read-only: Get-ActiveSyncOrganizationSettings, Get-ActiveSyncDeviceAccessRule,
    Get-MobileDeviceMailboxPolicy, Get-CASMailbox and Get-MobileDevice, nothing else. Run it in
    the Exchange Management Shell (on premises) or after Connect-ExchangeOnline, once per
    environment. The Exchange on-premises collector (Export-ExchangeConfig.ps1) is separate.

    Personal data is not written: mailboxes are reduced to ActiveSyncEnabled and the NUMBER of
    individually allowed and blocked device ids; devices to ClientType, DeviceOS, DeviceType,
    DeviceModel, DeviceUserAgent, DeviceAccessState, DeviceAccessStateReason and FirstSyncTime
    (no IMEI, phone number, device id, identity or user name).

    Writes one UTF-8 JSON file (no BOM) whose contract is described in collectors/README.md
    and pinned by samples/mobile/contoso-mobile-onprem.json.

.PARAMETER OutputPath
    The JSON file to write.

.PARAMETER Environment
    OnPremises or ExchangeOnline: where the cmdlets ran.

.PARAMETER Organization
    The organisation name to record.

.EXAMPLE
    .\Export-MobileAccess.ps1 -Environment OnPremises -OutputPath .\mobile-onprem.json
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$OutputPath,
    [Parameter(Mandatory = $true)][ValidateSet('OnPremises', 'ExchangeOnline')][string]$Environment,
    [string]$Organization
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$CollectorVersion = '1.0'

$errors = @()
$collectedAt = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')

function Get-OrError([scriptblock]$Block, [string]$What) {
    try {
        return @(& $Block)
    } catch {
        $script:errors += "$What failed: $($_.Exception.Message)"
        return @()
    }
}

$settings = Get-OrError { Get-ActiveSyncOrganizationSettings } 'Get-ActiveSyncOrganizationSettings'
$rules = Get-OrError {
    Get-ActiveSyncDeviceAccessRule | ForEach-Object {
        [ordered]@{
            Name           = [string]$_.Name
            Characteristic = [string]$_.Characteristic
            QueryString    = [string]$_.QueryString
            AccessLevel    = [string]$_.AccessLevel
        }
    }
} 'Get-ActiveSyncDeviceAccessRule'
$policies = Get-OrError {
    Get-MobileDeviceMailboxPolicy | ForEach-Object {
        [ordered]@{
            Name                         = [string]$_.Name
            IsDefault                    = [bool]$_.IsDefault
            PasswordEnabled              = [bool]$_.PasswordEnabled
            AlphanumericPasswordRequired = [bool]$_.AlphanumericPasswordRequired
            MinPasswordLength            = $_.MinPasswordLength
            MaxInactivityTimeLock        = [string]$_.MaxInactivityTimeLock
            MaxPasswordFailedAttempts    = [string]$_.MaxPasswordFailedAttempts
            RequireDeviceEncryption      = [bool]$_.RequireDeviceEncryption
            AllowNonProvisionableDevices = [bool]$_.AllowNonProvisionableDevices
            AllowSimplePassword          = [bool]$_.AllowSimplePassword
        }
    }
} 'Get-MobileDeviceMailboxPolicy'
$mailboxes = Get-OrError {
    Get-CASMailbox -ResultSize Unlimited | ForEach-Object {
        [ordered]@{
            ActiveSyncEnabled          = [bool]$_.ActiveSyncEnabled
            ActiveSyncAllowedDeviceIDs = @($_.ActiveSyncAllowedDeviceIDs).Count
            ActiveSyncBlockedDeviceIDs = @($_.ActiveSyncBlockedDeviceIDs).Count
        }
    }
} 'Get-CASMailbox'
$devices = Get-OrError {
    Get-MobileDevice -ResultSize Unlimited | ForEach-Object {
        [ordered]@{
            ClientType              = [string]$_.ClientType
            DeviceOS                = [string]$_.DeviceOS
            DeviceType              = [string]$_.DeviceType
            DeviceModel             = [string]$_.DeviceModel
            DeviceUserAgent         = [string]$_.DeviceUserAgent
            DeviceAccessState       = [string]$_.DeviceAccessState
            DeviceAccessStateReason = [string]$_.DeviceAccessStateReason
            FirstSyncTime           = $(if ($_.FirstSyncTime) { ([datetime]$_.FirstSyncTime).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') } else { $null })
        }
    }
} 'Get-MobileDevice'

$document = [ordered]@{
    Collector            = 'Export-MobileAccess'
    CollectorVersion     = $CollectorVersion
    CollectedAt          = $collectedAt
    Organization         = $Organization
    Environment          = $Environment
    OrganizationSettings = $(if ($settings) { [ordered]@{ DefaultAccessLevel = [string]$settings[0].DefaultAccessLevel } } else { $null })
    DeviceAccessRules    = $rules
    MailboxPolicies      = $policies
    CASMailboxes         = $mailboxes
    MobileDevices        = $devices
    Errors               = $errors
}

$json = $document | ConvertTo-Json -Depth 5
$full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
[System.IO.File]::WriteAllText($full, $json, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "Wrote $full ($($rules.Count) rules, $($mailboxes.Count) mailboxes, $($devices.Count) devices)"
