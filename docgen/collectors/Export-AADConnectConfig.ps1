<#
.SYNOPSIS
    Read-only export of an Azure AD Connect (Entra Connect Sync) server's configuration for docgen.

.DESCRIPTION
    Run on the sync server, in an elevated Windows PowerShell 5.1 or PowerShell 7 session where
    the ADSync module is available. It writes two things into -OutputFolder:

        aadconnect.json         this script's facts (contract: collectors/README.md)
        ServerConfiguration\    the folder Get-ADSyncServerConfiguration -Path writes

    Every cmdlet used only reads the configuration: Get-ADSyncServerConfiguration,
    Get-ADSyncGlobalSettingsParameter, Get-ADSyncConnector, Get-ADSyncScheduler and
    Get-ADSyncAutoUpgrade. Nothing on the server is changed.

    Give docgen the JSON; it reads the folder beside it:

        docgen import aadconnect <OutputFolder>\aadconnect.json -o contoso.bundle.json

.PARAMETER OutputFolder
    Folder to write into (created if missing). It must not already hold a ServerConfiguration folder.

.EXAMPLE
    .\Export-AADConnectConfig.ps1 -OutputFolder C:\docgen\aadconnect
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $OutputFolder
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$ContractVersion = '1.0'
$ConfigurationFolderName = 'ServerConfiguration'
$JsonFileName = 'aadconnect.json'
$Failures = New-Object System.Collections.Generic.List[object]

function Invoke-Reader {
    # Runs one read-only command. A failure is recorded for the report (docgen shows it as
    # a section error) instead of stopping the export: the other facts are still worth having.
    param([string] $Command, [scriptblock] $Read)
    try {
        & $Read
    }
    catch {
        $Failures.Add([ordered]@{ Command = $Command; Message = $_.Exception.Message })
        $null
    }
}

function ConvertTo-ValueText {
    # Values as the XML export writes them: text. Booleans stay JSON booleans, dates become
    # ISO 8601 UTC, TimeSpans [d.]hh:mm:ss, enums their names.
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [bool]) { return $Value }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
    return [string]$Value
}

function ConvertTo-NamedValues {
    # Name/Value pairs sorted by name, always an array (even of one or none).
    param($Parameters)
    , @($Parameters | Sort-Object -Property Name | ForEach-Object {
            [ordered]@{ Name = [string]$_.Name; Value = ConvertTo-ValueText $_.Value }
        })
}

Import-Module ADSync

$collectedAt = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
New-Item -ItemType Directory -Path $OutputFolder -Force | Out-Null
$configurationPath = Join-Path -Path $OutputFolder -ChildPath $ConfigurationFolderName
if (Test-Path -LiteralPath $configurationPath) {
    throw "$configurationPath already exists; choose an empty -OutputFolder"
}

# Without this export docgen has nothing to read: let a failure stop the script.
Get-ADSyncServerConfiguration -Path $configurationPath

$globalSettings = Invoke-Reader 'Get-ADSyncGlobalSettingsParameter' {
    ConvertTo-NamedValues (Get-ADSyncGlobalSettingsParameter)
}

$connectors = Invoke-Reader 'Get-ADSyncConnector' {
    , @(Get-ADSyncConnector | Sort-Object -Property Name | ForEach-Object {
            [ordered]@{
                Identifier       = [string]$_.Identifier
                Name             = [string]$_.Name
                Type             = [string]$_.Type
                Subtype          = [string]$_.Subtype
                GlobalParameters = ConvertTo-NamedValues $_.GlobalParameters
            }
        })
}

$scheduler = Invoke-Reader 'Get-ADSyncScheduler' {
    $settings = Get-ADSyncScheduler
    $properties = [ordered]@{}
    foreach ($property in ($settings.PSObject.Properties | Sort-Object -Property Name)) {
        $properties[$property.Name] = ConvertTo-ValueText $property.Value
    }
    $properties
}

$autoUpgrade = Invoke-Reader 'Get-ADSyncAutoUpgrade' { [string](Get-ADSyncAutoUpgrade) }

$document = [ordered]@{
    Collector                 = 'Export-AADConnectConfig'
    CollectorVersion          = $ContractVersion
    CollectedAt               = $collectedAt
    ComputerName              = $env:COMPUTERNAME
    ServerConfigurationFolder = $ConfigurationFolderName
    GlobalSettingsParameters  = $globalSettings
    Connectors                = $connectors
    Scheduler                 = $scheduler
    AutoUpgrade               = $autoUpgrade
    Errors                    = $Failures.ToArray()
}

$jsonPath = Join-Path -Path $OutputFolder -ChildPath $JsonFileName
$json = $document | ConvertTo-Json -Depth 6
# UTF-8 without a BOM on both PowerShell 5.1 and 7 (Out-File would write UTF-16 on 5.1).
[System.IO.File]::WriteAllText($jsonPath, $json, (New-Object System.Text.UTF8Encoding -ArgumentList $false))
Write-Output "Wrote $jsonPath and $configurationPath"
