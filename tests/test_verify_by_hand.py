"""An auditor's re-render by hand, as the README's auditor section shows it:
`docgen verify x.pdf --extract DIR`, then `docgen render DIR/bundle.json --settings
DIR/docgen-render.json`, gives the same pages (the same bytes, in fact)."""

from __future__ import annotations

import pytest

from docgen.app.pdf_compare import compare_pdfs

pytestmark = pytest.mark.slow   # renders the demo report


def test_extract_then_render_gives_the_same_pages(run_cli, demo_pdf_dir, tmp_path, monkeypatch):
    original = demo_pdf_dir / "contoso.pdf"
    evidence = tmp_path / "evidence"
    result = run_cli("verify", original, "--extract", evidence, "--fast")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [f"wrote {evidence / 'bundle.json'}",
                                              f"wrote {evidence / 'docgen-render.json'}"]
    assert (evidence / "bundle.json").read_bytes() == (demo_pdf_dir / "contoso.bundle.json").read_bytes()
    # inside another project folder: --settings, not its docgen.toml, decides the options
    project = tmp_path / "other"
    assert run_cli("init", project, "--organization", "Fabrikam").exit_code == 0
    monkeypatch.chdir(project)
    result = run_cli("render", evidence / "bundle.json", "--settings", evidence / "docgen-render.json",
                     "-o", tmp_path / "again", "--format", "pdf")
    assert result.exit_code == 0, result.output
    again = (tmp_path / "again" / "bundle.pdf").read_bytes()
    assert all(aspect.ok for aspect in compare_pdfs(again, original.read_bytes()))
    assert again == original.read_bytes()


def test_settings_that_are_not_a_render_record(run_cli, demo_dir, tmp_path):
    settings = tmp_path / "docgen-render.json"
    settings.write_text('{"options": 3}')
    result = run_cli("render", demo_dir / "contoso.bundle.json", "--settings", settings, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {settings}: not a docgen-render.json render record (")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_settings_of_another_version_warn(run_cli, demo_dir, tmp_path):
    settings = tmp_path / "docgen-render.json"
    settings.write_text('{"docgen_version": "0.0.9", "options": {"title": "Old"}}')
    result = run_cli("render", demo_dir / "contoso.bundle.json", "--settings", settings, "-o", tmp_path / "out",
                     "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"warning: {settings}: recorded by docgen 0.0.9, this is docgen ")
    assert "<title>Old</title>" in (tmp_path / "out" / "contoso.html").read_text()
