<#
.SYNOPSIS
    Exports Entra ID Conditional Access, the tenant's sign-in settings and Identity
    Protection's risk state for docgen.

.DESCRIPTION
    Read-only: Microsoft.Graph PowerShell Get-* cmdlets only. Connect first with these
    read-only scopes (nothing else is needed):

        Policy.Read.All              Conditional Access policies, named locations,
                                     security defaults, authorization policy
        Directory.Read.All           directory settings (Password Rule Settings) and the
                                     names of the groups, roles and apps policies name
        IdentityRiskyUser.Read.All   identityProtection/riskyUsers
        IdentityRiskEvent.Read.All   identityProtection/riskDetections

    Writes one UTF-8 JSON file (no BOM) whose contract is described in
    collectors/README.md and pinned by samples/entra/contoso-entra.json. The Graph objects
    are written as the SDK returns them (PascalCase); docgen reads any key case and every
    date form.

    User names (user principal names, display names) are written only with
    -IncludeUserNames; without it risky users and detections carry their object ids only,
    and policies name included or excluded users by id.

.PARAMETER OutputPath
    The JSON file to write.

.PARAMETER Organization
    The organisation name to record (default: the tenant's display name).

.PARAMETER IncludeUserNames
    Also write user principal names and display names.

.EXAMPLE
    Connect-MgGraph -Scopes Policy.Read.All,Directory.Read.All,IdentityRiskyUser.Read.All,IdentityRiskEvent.Read.All
    .\Export-EntraConfig.ps1 -OutputPath .\entra.json
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$OutputPath,
    [string]$Organization,
    [switch]$IncludeUserNames
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

$policies = Get-OrError { Get-MgIdentityConditionalAccessPolicy -All } 'Get-MgIdentityConditionalAccessPolicy'
$locations = Get-OrError { Get-MgIdentityConditionalAccessNamedLocation -All } 'Get-MgIdentityConditionalAccessNamedLocation'
$defaults = Get-OrError { Get-MgPolicyIdentitySecurityDefaultEnforcementPolicy } 'Get-MgPolicyIdentitySecurityDefaultEnforcementPolicy'
$authorization = Get-OrError { Get-MgPolicyAuthorizationPolicy } 'Get-MgPolicyAuthorizationPolicy'
$settings = Get-OrError { Get-MgGroupSetting -All } 'Get-MgGroupSetting'
$riskyUsers = Get-OrError { Get-MgRiskyUser -All } 'Get-MgRiskyUser'
$detections = Get-OrError { Get-MgRiskDetection -All } 'Get-MgRiskDetection'

# The names of what policies refer to by id: groups, roles, apps (and users when asked).
$names = [ordered]@{}
foreach ($policy in $policies) {
    $users = $policy.Conditions.Users
    foreach ($id in @($users.IncludeGroups) + @($users.ExcludeGroups)) {
        if ($id -and -not $names.Contains($id)) {
            $group = Get-OrError { Get-MgGroup -GroupId $id -Property DisplayName } "Get-MgGroup $id"
            if ($group) { $names[$id] = $group[0].DisplayName }
        }
    }
    foreach ($id in @($users.IncludeRoles) + @($users.ExcludeRoles)) {
        if ($id -and -not $names.Contains($id)) {
            $role = Get-OrError { Get-MgDirectoryRoleTemplate -DirectoryRoleTemplateId $id } "Get-MgDirectoryRoleTemplate $id"
            if ($role) { $names[$id] = $role[0].DisplayName }
        }
    }
    if ($IncludeUserNames) {
        foreach ($id in @($users.IncludeUsers) + @($users.ExcludeUsers)) {
            if ($id -and $id -match '^[0-9a-fA-F-]{36}$' -and -not $names.Contains($id)) {
                $user = Get-OrError { Get-MgUser -UserId $id -Property UserPrincipalName } "Get-MgUser $id"
                if ($user) { $names[$id] = $user[0].UserPrincipalName }
            }
        }
    }
}

if (-not $IncludeUserNames) {
    $personal = @('UserPrincipalName', 'UserDisplayName', 'IpAddress', 'Location')
    $riskyUsers = @($riskyUsers | Select-Object -Property '*' -ExcludeProperty $personal)
    $detections = @($detections | Select-Object -Property '*' -ExcludeProperty $personal)
}

if (-not $Organization) {
    $organizationObject = Get-OrError { Get-MgOrganization } 'Get-MgOrganization'
    if ($organizationObject) { $Organization = $organizationObject[0].DisplayName }
}

$document = [ordered]@{
    Collector                 = 'Export-EntraConfig'
    CollectorVersion          = $CollectorVersion
    CollectedAt               = $collectedAt
    Organization              = $Organization
    IncludesUserNames         = [bool]$IncludeUserNames
    ConditionalAccessPolicies = $policies
    NamedLocations            = $locations
    SecurityDefaults          = $(if ($defaults) { $defaults[0] } else { $null })
    AuthorizationPolicy       = $(if ($authorization) { $authorization[0] } else { $null })
    DirectorySettings         = $settings
    DirectoryObjects          = $names
    RiskyUsers                = $riskyUsers
    RiskDetections            = $detections
    Errors                    = $errors
}

# -Depth 12: policies nest conditions five levels deep. UTF-8 without a BOM, whatever the
# PowerShell version (Out-File in 5.1 would write UTF-16).
$json = $document | ConvertTo-Json -Depth 12
$full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
[System.IO.File]::WriteAllText($full, $json, (New-Object System.Text.UTF8Encoding($false)))
Write-Host "Wrote $full ($($policies.Count) policies, $($riskyUsers.Count) risky users, $($detections.Count) risk detections)"
