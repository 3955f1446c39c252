"""The PowerShell collectors parse, only read, and suit Windows PowerShell 5.1.

There is no PowerShell here: tree-sitter-powershell parses each collectors/*.ps1 and
tests/support/collector_checks.py walks the tree. Problems read "file:line:column: message".
A script passes when:

1. Syntax: its tree has no ERROR or MISSING node.
2. Commands: every command it invokes is read-only. Allowed: the verbs Get, Select, Where,
   ForEach, Sort, Group, Measure, ConvertTo, ConvertFrom, Format; Write-Host, -Verbose,
   -Warning, -Error, -Output, -Progress; Test-Path, Join-Path, Split-Path, Resolve-Path,
   Import-Module, Out-Null, Out-String; New-Object for .NET types (not -ComObject);
   Set-StrictMode (it changes only the script's own strictness); the aliases % ? foreach
   where; the script's own functions (their bodies are checked where they are defined);
   `& { ... }`, and `& $x` when $x is a [scriptblock] parameter. Anything else fails:
   Set-*, New-Item other than below, Remove-*, Add-*, Start-*, Invoke-Expression, iex,
   Invoke-Command, `& 'name'`, a path to a script or program. Get-ADSyncServerConfiguration
   -Path writes its export folder by design; it is a Get verb and allowed.
3. Writes go to the output path only. Out-File, Set-Content, New-Item -ItemType Directory
   and static [IO.File]/[IO.Directory] methods other than reads (WriteAllText, Delete, ...)
   are allowed when every path they are given (the -Path/-FilePath/-LiteralPath value,
   else the first positional argument; for a method its first argument) is a variable that
   - is a parameter of the script's own param block named Output* ($OutputPath,
     $OutputFolder), or
   - is only ever assigned, with a plain `=`, `Join-Path <such a variable> ...` or
     `$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath(<such a
     variable>)`.
   A name bound any other way anywhere in the script (another assignment, a function
   parameter, a foreach variable) is not trusted, an Output* parameter included.
4. No PowerShell 7-only syntax: the pipeline chains && and || (the grammar's
   pipeline_chain_tail node); ?? ??= ?. ?[ and the ternary ? : (the grammar has none of
   them and leaves an ERROR node, so they are found in the text, outside what the tree
   shows as strings, comments, variable names, command names and barewords);
   ForEach-Object -Parallel (or a prefix from -Pa); #Requires -Version above 5.1.

What the check does not see: variable scopes; instance method calls ($file.Delete());
.NET types other than File and Directory (StreamWriter); `..` in a Join-Path child;
-OutVariable rebinding a name. It guards the scripts we write against mistakes; it is no
sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.collector_checks import check_script

COLLECTORS = Path(__file__).resolve().parents[1] / "docgen" / "collectors"
SCRIPTS = sorted(COLLECTORS.glob("*.ps1"))


def test_there_are_collectors_to_check():
    # An empty glob would make the next test pass by checking nothing.
    assert SCRIPTS, f"no *.ps1 in {COLLECTORS}"


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.name for script in SCRIPTS])
def test_collector_parses_reads_only_and_suits_powershell_5_1(script):
    assert check_script(script) == []


def snippet(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "x.ps1"
    path.write_text(source, encoding="utf-8")
    return check_script(path)


REJECTED = {
    "syntax-error": ("if ($a { Get-Date }", "x.ps1:1:1: syntax error (tree-sitter ERROR node)"),
    "missing-brace": ("if ($a) { Get-Date",
                      "x.ps1:1:19: missing '}' (tree-sitter MISSING node)"),
    "remove-item": ("Remove-Item -Path $env:TEMP\\x -Force",
                    "x.ps1:1:1: Remove-Item is not a read-only command"),
    "invoke-expression": ("Invoke-Expression 'Get-Date'",
                          "x.ps1:1:1: Invoke-Expression is not a read-only command"),
    "iex": ("iex 'Get-Date'", "x.ps1:1:1: iex is not a read-only command"),
    "script-file": (".\\Get-Other.ps1", "x.ps1:1:1: .\\Get-Other.ps1 is not a read-only command"),
    "dynamic-command": ("& 'Remove-Item' x", "x.ps1:1:1: dynamic command & 'Remove-Item' x"),
    "com-object": ("New-Object -ComObject Shell.Application",
                   "x.ps1:1:1: New-Object -ComObject is not allowed"),
    "write-outside-output": (
        "param([string]$OutputPath)\nSet-Content -Path C:\\Windows\\x.txt -Value 1",
        "x.ps1:2:1: Set-Content writes to C:\\Windows\\x.txt, not to the output path"),
    "dotnet-write-outside-output": (
        "param([string]$OutputPath)\n[IO.File]::WriteAllText('C:\\x.txt', 'y')",
        "x.ps1:2:1: [IO.File]::WriteAllText writes to 'C:\\x.txt', not to the output path"),
    "derived-path-reassigned": (
        "param([string]$OutputPath)\n$p = Join-Path $OutputPath x\n$p = 'C:\\x'\nOut-File $p",
        "x.ps1:4:1: Out-File writes to $p, not to the output path"),
    "output-parameter-reassigned": (
        "param([string]$OutputPath)\n$OutputPath = 'C:\\x'\nOut-File -FilePath $OutputPath",
        "x.ps1:3:1: Out-File writes to $OutputPath, not to the output path"),
    "new-item-file": ("param([string]$OutputPath)\nNew-Item -ItemType File -Path $OutputPath",
                      "x.ps1:2:1: New-Item is allowed only with -ItemType Directory"),
    "null-coalescing": ("$a = $b ?? $c", "x.ps1:1:9: null-coalescing ?? is PowerShell 7 only"),
    "null-coalescing-assignment": (
        "$a ??= 1", "x.ps1:1:4: null-coalescing assignment ??= is PowerShell 7 only"),
    "null-conditional-member": ("${a}?.Name",
                                "x.ps1:1:5: null-conditional ?. is PowerShell 7 only"),
    "null-conditional-index": ("${a}?[0]", "x.ps1:1:5: null-conditional ?[ is PowerShell 7 only"),
    "ternary": ("$x = $a ? 'yes' : 'no'", "x.ps1:1:9: ternary ? : is PowerShell 7 only"),
    "pipeline-chain-and": ("Get-Date && Get-Date",
                           "x.ps1:1:10: pipeline chain && is PowerShell 7 only"),
    "pipeline-chain-or": ("Get-Date || Get-Date",
                          "x.ps1:1:10: pipeline chain || is PowerShell 7 only"),
    "foreach-parallel": ("$x | ForEach-Object -Parallel { $_ }",
                         "x.ps1:1:6: ForEach-Object -Parallel is PowerShell 7 only"),
    "foreach-parallel-alias-prefix": ("$x | % -Pa { $_ }",
                                      "x.ps1:1:6: ForEach-Object -Parallel is PowerShell 7 only"),
    "requires-7": ("#Requires -Version 7.2\nGet-Date",
                   "x.ps1:1:1: #Requires -Version 7.2 needs more than 5.1"),
}


@pytest.mark.parametrize("source, expected", REJECTED.values(), ids=REJECTED.keys())
def test_each_rule_rejects_what_it_forbids(tmp_path, source, expected):
    assert expected in snippet(tmp_path, source)


def test_writes_to_the_output_path_and_what_is_derived_from_it_pass(tmp_path):
    source = """\
#Requires -Version 5.1
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$OutputFolder, [string]$Name)
Set-StrictMode -Version 2.0
New-Item -ItemType Directory -Path $OutputFolder -Force | Out-Null
$jsonPath = Join-Path -Path $OutputFolder -ChildPath 'a.json'
$textPath = Join-Path $jsonPath 'b.txt'
$full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($jsonPath)
$json = @{ A = 1 } | ConvertTo-Json
$json | Out-File -FilePath $jsonPath -Encoding utf8
Set-Content $textPath -Value $json
Set-Content -LiteralPath:$full -Value $json -Force
[IO.File]::WriteAllText($full, $json, (New-Object System.Text.UTF8Encoding($false)))
$back = [IO.File]::ReadAllText($full)
"""
    assert snippet(tmp_path, source) == []


def test_strings_comments_aliases_and_ranges_are_not_mistaken_for_code(tmp_path):
    # "?" is text in strings, comments and barewords, and the Where-Object alias; the
    # grammar reads 1..3 as a command named "1..3"; a script's own function is checked
    # where it is defined, and may be called whatever its verb.
    source = """\
Write-Host "a ?? b ? c : d && e" 'x?.y' # z ?? w || v
Write-Host @"
a ?? $($b)
"@
$x = 1..3 | ? { $_ -gt 1 } | % { $_ } | Select-Object -Property A?B
function Invoke-Reader {
    param([string] $Command, [scriptblock] $Read)
    & $Read
}
Invoke-Reader 'Get-Date' { Get-Date }
& { Get-Date }
"""
    assert snippet(tmp_path, source) == []


def test_a_forbidden_command_inside_a_string_subexpression_is_found(tmp_path):
    # $( ) in a double-quoted string runs: the tree holds its commands, so they are checked.
    assert snippet(tmp_path, 'Write-Host "x $(Remove-Item y)"') == [
        "x.ps1:1:17: Remove-Item is not a read-only command"]
