"""`docgen import aadconnect` and `docgen render --full-sync-rules` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from support.aadconnect import AD_FILE, MV_FILE, SAMPLE_JSON, USER_JOIN_ID, copy_corpus, corpus, rule_file


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_import_the_corpus_then_validate(tmp_path):
    bundle = tmp_path / "contoso.bundle.json"
    result = _run("import", "aadconnect", str(corpus()), "-o", str(bundle))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"wrote {bundle}: aadconnect with 1 item(s), status ok\n"
    data = json.loads(bundle.read_text("utf-8"))
    assert data["organization"] == "contoso.com"
    assert data["collected_at"] == "2016-05-03T14:28:09Z"
    assert len(data["inputs"]) == 65
    validated = _run("validate", str(bundle))
    assert (validated.exit_code, validated.stdout) == (0, "valid\n")


def test_import_the_collector_json_with_options(tmp_path):
    bundle = tmp_path / "contoso.bundle.json"
    result = _run("import", "aadconnect", str(SAMPLE_JSON), "-o", str(bundle),
                  "--organization", "Contoso Ltd", "--collected-at", "2016-05-04T08:00:00Z")
    assert result.exit_code == 0, result.stderr
    data = json.loads(bundle.read_text("utf-8"))
    assert data["organization"] == "Contoso Ltd"
    assert data["sections"]["aadconnect"]["collected_at"] == "2016-05-04T08:00:00Z"


def _no_mv_xml(tmp_path):
    folder = tmp_path / "export"
    (folder / "Connectors").mkdir(parents=True)
    return folder, (f"error: {folder}: GlobalSettings/MV.xml is missing; not a "
                    "Get-ADSyncServerConfiguration export\n")


def _empty_folder(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    return folder, (f"error: {folder}: the folder is empty; expected the folder written by "
                    "Get-ADSyncServerConfiguration -Path\n")


def _connector_not_xml(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / AD_FILE).write_text("Connector export failed: access denied", "utf-8")
    return folder, (f"error: {AD_FILE}: line 1: not well-formed XML (Start tag expected, "
                    "'<' not found)\n")


@pytest.mark.parametrize("make", [_no_mv_xml, _empty_folder, _connector_not_xml],
                         ids=["missing-mv-xml", "empty-folder", "connector-not-xml"])
def test_unusable_export_is_one_line_and_no_file(tmp_path, make):
    folder, message = make(tmp_path)
    bundle = tmp_path / "out.bundle.json"
    result = _run("import", "aadconnect", str(folder), "-o", str(bundle))
    assert (result.exit_code, result.stderr, result.stdout) == (1, message, "")
    assert not bundle.exists()


def test_every_unreadable_file_gets_its_own_line(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / AD_FILE).write_text("", "utf-8")
    (folder / MV_FILE).write_text("<saved-mv-configuration>", "utf-8")
    result = _run("import", "aadconnect", str(folder), "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {MV_FILE}: line 1: not well-formed XML (Premature end of data in tag "
        "saved-mv-configuration line 1)",
        f"error: {AD_FILE}: the file is empty",
    ]


def test_a_bad_rule_file_writes_a_partial_bundle(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / rule_file(USER_JOIN_ID)).write_bytes(b"<synchronizationRule>")
    bundle = tmp_path / "out.bundle.json"
    result = _run("import", "aadconnect", str(folder), "-o", str(bundle))
    assert result.exit_code == 4
    assert result.stdout == f"wrote {bundle}: aadconnect with 1 item(s), status partial\n"
    assert result.stderr == (f"warning: {rule_file(USER_JOIN_ID)}: line 1: not well-formed XML "
                             "(Premature end of data in tag synchronizationRule line 1)\n")
    section = json.loads(bundle.read_text("utf-8"))["sections"]["aadconnect"]
    assert section["status"] == "partial"
    assert section["errors"] == [{
        "source": rule_file(USER_JOIN_ID), "where": "line 1",
        "message": "not well-formed XML (Premature end of data in tag synchronizationRule line 1)"}]


def test_strict_writes_nothing_on_a_bad_rule_file(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / rule_file(USER_JOIN_ID)).write_bytes(b"")
    bundle = tmp_path / "out.bundle.json"
    result = _run("import", "aadconnect", str(folder), "-o", str(bundle), "--strict")
    assert (result.exit_code, result.stderr) == (
        1, f"error: {rule_file(USER_JOIN_ID)}: the file is empty\n")
    assert not bundle.exists()


def test_a_failed_import_leaves_an_existing_bundle_alone(tmp_path):
    bundle = tmp_path / "contoso.bundle.json"
    assert _run("import", "aadconnect", str(corpus()), "-o", str(bundle)).exit_code == 0
    before = bundle.read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run("import", "aadconnect", str(empty), "-o", str(bundle)).exit_code == 1
    assert bundle.read_bytes() == before


def test_help_documents_where_the_time_comes_from():
    result = _run("import", "aadconnect", "--help")
    assert result.exit_code == 0
    assert "collector's CollectedAt, else the export-date in GlobalSettings/MV.xml, else now" in \
        " ".join(result.stdout.split())


@pytest.mark.parametrize("flag", [[], ["--full-sync-rules"]])
def test_render_accepts_full_sync_rules(tmp_path, flag):
    bundle = tmp_path / "contoso.bundle.json"
    assert _run("import", "aadconnect", str(corpus()), "-o", str(bundle)).exit_code == 0
    result = _run("render", str(bundle), "-o", str(tmp_path / "out"), "--format", "html", *flag)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "contoso.html").is_file()


def test_validate_names_every_bad_aadconnect_value_by_its_key_path(tmp_path):
    bundle = tmp_path / "contoso.bundle.json"
    assert _run("import", "aadconnect", str(corpus()), "-o", str(bundle)).exit_code == 0
    data = json.loads(bundle.read_text("utf-8"))
    server = data["sections"]["aadconnect"]["items"][0]
    server["sync_rules"][3]["precedence"] = "high"
    server["sync_rules"][7]["flows"][0]["type"] = "magic"
    server["connectors"][0]["partitions"][0]["inclusions"] = "OU=CORP"
    del server["setup_choices"]["source_anchor"]
    bundle.write_text(json.dumps(data), "utf-8")
    result = _run("validate", str(bundle))
    assert result.exit_code == 1
    prefix = "sections.aadconnect.items[0]"
    assert result.stdout.splitlines() == [
        f"{prefix}.connectors[0].partitions[0].inclusions: 'OU=CORP' is not of type 'array'",
        f"{prefix}.setup_choices: missing 'source_anchor'",
        f"{prefix}.sync_rules[3].precedence: 'high' is not of type ['integer', 'null']",
        f"{prefix}.sync_rules[7].flows[0].type: 'magic' is not one of 'direct', 'expression', "
        "'constant'",
    ]
    assert result.stderr == f"error: {bundle}: 4 schema error(s)\n"
