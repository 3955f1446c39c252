"""The command line: version, help with examples, messages and exit codes."""

from __future__ import annotations

import json

import pytest

from conftest import EXCHANGE_SAMPLES
from docgen import __version__
from docgen.cli import cli

COMMANDS = [[], ["demo"], ["import"], ["import", "exchange-certs"], ["import", "exchange-connectors"],
            ["import", "exchange-servers"], ["import", "aadconnect"], ["import", "conditional-access"],
            ["import", "identity-protection"], ["import", "mobile-access"], ["collect"], ["collect", "dns"],
            ["render"], ["validate"], ["diff"], ["init"], ["build"], ["verify"], ["schema"], ["batch"],
            ["baseline"], ["baseline", "accept"]]


def test_version(run_cli):
    result = run_cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"docgen, version {__version__}\n")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "docgen")
def test_every_command_has_help_with_an_example(run_cli, command):
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: docgen {' '.join(command)}".replace("  ", " "))
    assert "Example:\n    docgen " in result.stdout


def test_every_command_is_covered_by_the_help_test():
    names = set(cli.commands)
    for group in ("import", "collect", "baseline"):
        names |= {f"{group} {name}" for name in cli.commands[group].commands}
    assert names <= {" ".join(c) for c in COMMANDS if c}


def test_import_then_validate_then_render(run_cli, tmp_path):
    bundle = tmp_path / "contoso.bundle.json"
    result = run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-certs.json", "-o", bundle)
    assert result.exit_code == 0
    assert result.stdout == f"wrote {bundle}: exchange_certificates with 5 item(s), status ok\n"
    assert json.loads(bundle.read_text())["organization"] == "Contoso"

    result = run_cli("validate", bundle)
    assert (result.exit_code, result.stdout) == (0, "valid\n")

    out = tmp_path / "out"
    result = run_cli("render", bundle, "-o", out, "--format", "html")
    assert (result.exit_code, result.stdout) == (0, f"wrote {out / 'contoso.html'}\n")
    assert sorted(p.name for p in out.iterdir()) == ["contoso.html"]


def test_organization_and_collection_time_options(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-servers.ldf",
                     "-o", bundle, "--organization", "Fabrikam", "--collected-at", "2026-10-01T08:00:00+02:00")
    assert result.exit_code == 0
    data = json.loads(bundle.read_text())
    assert (data["organization"], data["collected_at"]) == ("Fabrikam", "2026-10-01T06:00:00Z")


def test_bad_collected_at_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-servers.ldf",
                     "-o", tmp_path / "b.json", "--collected-at", "soon")
    assert result.exit_code == 2
    assert "Invalid value for --collected-at: not an ISO 8601 date: 'soon'" in result.stderr


def test_validate_lists_every_error(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-certs.json", "-o", bundle)
    data = json.loads(bundle.read_text())
    data["sections"]["exchange_certificates"]["items"][3]["default_smtp_certificate"]["not_after"] = "x"
    data["run_id"] = "not-a-uuid"
    bundle.write_text(json.dumps(data))
    result = run_cli("validate", bundle)
    assert result.exit_code == 1
    assert result.stdout == (
        "run_id: 'not-a-uuid' does not match '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'\n"
        "sections.exchange_certificates.items[3].default_smtp_certificate.not_after: not a date ('x')\n")
    assert result.stderr == f"error: {bundle}: 2 schema error(s)\n"


def test_render_refuses_an_invalid_bundle_and_lists_why(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    bundle.write_text('{"schema_version": 1}')
    result = run_cli("render", bundle, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"error: {bundle}: not a valid bundle (1 error)"
    assert result.stderr.splitlines()[1] == ("  (top): missing 'tool_version', 'run_id', 'collected_at', "
                                             "'organization', 'inputs', 'sections'")
    assert not (tmp_path / "out").exists()


def test_unknown_format(run_cli, tmp_path):
    result = run_cli("render", tmp_path / "b.json", "-o", tmp_path / "out", "--format", "html,odt")
    assert result.exit_code == 1
    assert result.stderr == "error: unknown format odt; choose from html, pdf, docx, csv, xlsx, dkim-failures\n"


def test_render_of_a_missing_bundle(run_cli, tmp_path):
    result = run_cli("render", tmp_path / "none.json", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'none.json'}: cannot read (No such file or directory)\n"


def test_module_entry_point_runs():
    import subprocess
    import sys
    completed = subprocess.run([sys.executable, "-m", "docgen", "--version"], capture_output=True, text=True)
    assert completed.stdout == f"docgen, version {__version__}\n"
