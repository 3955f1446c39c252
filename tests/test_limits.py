"""Size limits (docgen/limits.py): each stops a command with one line naming the file,
its size, the limit and the variable that changes it; nothing is written. Small limits
stand in for giant files (bench/bounds_bench.py measures the giant ones)."""

from __future__ import annotations

import shutil

import pytest

from conftest import EXCHANGE_SAMPLES, SAMPLES
from docgen.core.limits import BUNDLE, IMPORT_TOTAL, INPUT_FILE

EXPORT = EXCHANGE_SAMPLES / "contoso-exchange-certs.json"
AAD_EXPORT = SAMPLES / "aadconnect" / "contoso-2016"
CONNECTOR = "Connector_{ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d}.xml"


def test_the_defaults_are_the_documented_ones(monkeypatch):
    for variable in ("DOCGEN_MAX_INPUT_MB", "DOCGEN_MAX_IMPORT_MB", "DOCGEN_MAX_BUNDLE_MB"):
        monkeypatch.delenv(variable, raising=False)
    assert (INPUT_FILE.megabytes, IMPORT_TOTAL.megabytes, BUNDLE.megabytes) == (100, 100, 200)


def test_an_input_file_over_the_limit_is_refused_before_it_is_read(run_cli, monkeypatch,
                                                                    tmp_path):
    monkeypatch.setenv("DOCGEN_MAX_INPUT_MB", "0.001")
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", EXPORT, "-o", bundle)
    size = EXPORT.stat().st_size / 1024
    assert result.exit_code == 1
    assert result.stderr == (f"error: {EXPORT}: is {size:.1f} KB; docgen reads input files up "
                             "to 0.001 MB (set DOCGEN_MAX_INPUT_MB to change that)\n")
    assert not bundle.exists()


def test_a_connector_over_the_limit_stops_the_aadconnect_import(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCGEN_MAX_INPUT_MB", "1")
    result = run_cli("import", "aadconnect", AAD_EXPORT, "-o", tmp_path / "b.json")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {AAD_EXPORT / 'Connectors' / CONNECTOR}: is 1.7 MB; "
                                    "docgen reads input files up to 1 MB (set DOCGEN_MAX_INPUT_MB")
    assert not (tmp_path / "b.json").exists()


def test_an_export_whose_files_together_are_over_the_limit_is_refused(run_cli, monkeypatch,
                                                                       tmp_path):
    monkeypatch.setenv("DOCGEN_MAX_IMPORT_MB", "2")
    result = run_cli("import", "aadconnect", AAD_EXPORT, "-o", tmp_path / "b.json")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {AAD_EXPORT}: the export's files come to 2.2 MB; docgen "
                             "reads the files of one import up to 2 MB (set DOCGEN_MAX_IMPORT_MB "
                             "to change that)\n")


def test_a_zone_file_over_the_limit_is_refused_before_it_is_parsed(run_cli, monkeypatch,
                                                                    tmp_path):
    zone = tmp_path / "big.zone"
    shutil.copyfile(SAMPLES / "dns" / "zones" / "contoso.com.zone", zone)
    with zone.open("a") as out:
        out.write("; padding\n" * 200)
    monkeypatch.setenv("DOCGEN_MAX_INPUT_MB", "0.001")
    result = run_cli("collect", "dns", "--domain", "contoso.com", "--zone-file", zone,
                     "-o", tmp_path / "b.json")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {zone}: is ")
    assert "docgen reads input files up to 0.001 MB" in result.stderr


@pytest.mark.parametrize("command", [
    ["validate", "{bundle}"],
    ["render", "{bundle}", "-o", "{out}", "--format", "html", "--no-project"],
    ["diff", "{bundle}", "{bundle}", "-o", "{out}", "--format", "json"],
])
def test_a_bundle_over_the_limit_is_refused_by_every_command(run_cli, monkeypatch, tmp_path,
                                                             demo_dir, command):
    bundle = demo_dir / "contoso.bundle.json"
    monkeypatch.setenv("DOCGEN_MAX_BUNDLE_MB", "0.1")
    result = run_cli(*[part.format(bundle=bundle, out=tmp_path / "out") for part in command])
    size = bundle.stat().st_size / 1024
    assert result.exit_code == 1
    assert result.stderr == (f"error: {bundle}: is {size:.1f} KB; docgen reads bundles up to "
                             "0.1 MB (set DOCGEN_MAX_BUNDLE_MB to change that)\n")
    assert not (tmp_path / "out").exists()


def test_a_bundle_over_the_limit_is_not_written(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCGEN_MAX_BUNDLE_MB", "0.005")
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", EXPORT, "-o", bundle)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bundle}: would be ")
    assert result.stderr.endswith(" KB; docgen reads bundles up to 0.005 MB (set "
                                  "DOCGEN_MAX_BUNDLE_MB to change that)\n")
    assert not bundle.exists()


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_a_limit_that_is_not_a_size_is_an_error(run_cli, monkeypatch, demo_dir, value):
    monkeypatch.setenv("DOCGEN_MAX_BUNDLE_MB", value)
    result = run_cli("validate", demo_dir / "contoso.bundle.json")
    assert result.exit_code == 1
    assert result.stderr == (f"error: DOCGEN_MAX_BUNDLE_MB={value!r} is not a number of "
                             "megabytes above 0\n")


@pytest.mark.parametrize("document, message", [
    (b"<ma-data><description>" + b"x" * (10 * 1024 * 1024 + 1) + b"</description></ma-data>",
     "Resource limit exceeded: Text node too long, try XML_PARSE_HUGE"),
    (b"<a>" * 300 + b"</a>" * 300, "Excessive depth in document: 256, use XML_PARSE_HUGE option"),
])
def test_libxml2s_own_limits_stay_on(document, message):
    # huge_tree=False: no text node over 10 MB, no nesting deeper than 256.
    from docgen.core.errors import InputError
    from docgen.readers.xml import parse_xml
    with pytest.raises(InputError) as caught:
        parse_xml(document, "big.xml")
    assert str(caught.value) == f"big.xml: line 1: not well-formed XML ({message})"


def test_running_out_of_memory_is_one_line_and_nothing_written(run_cli, monkeypatch, tmp_path,
                                                               demo_dir):
    import docgen.app.render

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(docgen.app.render, "write_documents", exhausted)
    result = run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path / "out",
                     "--format", "html", "--no-project")
    assert result.exit_code == 1
    assert result.stderr == ("docgen: out of memory; nothing was written (the input is too large "
                             "for this machine's memory, see the README's limits)\n")
    assert not (tmp_path / "out").exists()
