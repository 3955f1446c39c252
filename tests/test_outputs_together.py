"""Outputs that never disagree: a build's bundle and documents land together or not at all;
-o naming a file is one clear line; a project's settings applied to another organisation's
bundle are warned about."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

import docgen.core.atomic
import docgen.render.documents
from conftest import EXCHANGE_SAMPLES, interrupted_move, without_progress
from docgen.core.atomic import STAGING_PREFIX, write_together
from docgen.core.errors import EXIT_INTERRUPTED


@pytest.fixture
def project(run_cli, tmp_path) -> Path:
    folder = tmp_path / "contoso"
    assert run_cli("init", folder, "--organization", "Contoso").exit_code == 0
    shutil.copy(EXCHANGE_SAMPLES / "contoso-exchange-certs.json", folder / "raw")
    (folder / "docgen.toml").write_text('[document]\norganization = "Contoso"\n'
                                        '[output]\nformats = ["html", "pdf", "csv"]\n')
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def attached_bundle(pdf: bytes) -> bytes:
    return PdfReader(io.BytesIO(pdf)).attachments["bundle.json"][0]


# -- 12. a build lands whole ------------------------------------------------------------------

@pytest.mark.slow
def test_an_interrupted_build_leaves_the_old_bundle_and_documents(run_cli, project, monkeypatch):
    monkeypatch.chdir(project)
    assert run_cli("build").exit_code == 0
    out = project / "out"
    before = contents(out)
    assert attached_bundle(before["contoso.pdf"]) == before["contoso.bundle.json"]
    # the next build has another bundle (a file it records as skipped) ...
    (project / "raw" / "handover.txt").write_text("not an export")
    real = docgen.render.documents.render_pdf

    def interrupted(*args, **kwargs):   # ... and Ctrl-C comes as its PDF is finished
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(docgen.render.documents, "render_pdf", interrupted)
    monkeypatch.setattr(docgen.render.documents, "render_in_parts", interrupted)
    result = run_cli("build")
    assert result.exit_code == EXIT_INTERRUPTED
    assert without_progress(result.stderr) == "docgen: interrupted; no partial output was written\n"
    after = contents(out)
    assert after == before    # no new bundle beside old documents, no staging folder left
    assert attached_bundle(after["contoso.pdf"]) == after["contoso.bundle.json"]


def test_a_build_that_fails_while_moving_its_files_puts_the_old_ones_back(run_cli, project, monkeypatch):
    (project / "docgen.toml").write_text('[document]\norganization = "Contoso"\n'
                                        '[output]\nformats = ["html", "csv"]\n')
    monkeypatch.chdir(project)
    assert run_cli("build").exit_code == 0
    before = contents(project / "out")
    (project / "raw" / "handover.txt").write_text("not an export")
    with interrupted_move(monkeypatch, 3) as moves:
        assert run_cli("build").exit_code == EXIT_INTERRUPTED
    assert moves[:2] == ["contoso.bundle.json", "contoso.html"]   # moved, then put back
    assert contents(project / "out") == before


def test_write_together_adds_new_files_and_removes_them_again_on_failure(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_bytes(b"old a")
    assert write_together(tmp_path, {"a.txt": b"new a", "b.txt": b"new b"}) == [
        tmp_path / "a.txt", tmp_path / "b.txt"]
    assert contents(tmp_path) == {"a.txt": b"new a", "b.txt": b"new b"}
    replace = docgen.core.atomic.os.replace

    def fails_on_c(source, target):
        if Path(target).name == "c.txt":
            raise OSError(28, "No space left on device")
        return replace(source, target)

    monkeypatch.setattr(docgen.core.atomic.os, "replace", fails_on_c)
    with pytest.raises(docgen.core.errors.DocgenError, match="cannot write the outputs"):
        write_together(tmp_path, {"a.txt": b"newer a", "d.txt": b"d", "c.txt": b"c"})
    assert contents(tmp_path) == {"a.txt": b"new a", "b.txt": b"new b"}
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(STAGING_PREFIX)]


# -- 13. -o naming a file -------------------------------------------------------------------------

@pytest.fixture
def bundle(run_cli, tmp_path) -> Path:
    path = tmp_path / "contoso.bundle.json"
    assert run_cli("import", "exchange-certs", EXCHANGE_SAMPLES / "contoso-exchange-certs.json",
                   "-o", path).exit_code == 0
    return path


@pytest.mark.parametrize("command", [
    ["render", "{bundle}", "--format", "html", "--no-project"],
    ["diff", "{bundle}", "{bundle}", "--format", "json"],
    ["demo", "--format", "html"],
])
def test_an_output_folder_that_is_a_file_is_one_line(run_cli, bundle, tmp_path, command):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    result = run_cli(*[part.format(bundle=bundle) for part in command], "-o", afile)
    assert (result.exit_code, without_progress(result.stderr)) == (
        2, f"error: -o {afile}: is a file; give a folder\n")
    assert "internal error" not in result.stderr and afile.read_text() == "keep me"


def test_an_output_folder_under_a_file_is_one_error_line(run_cli, bundle, tmp_path):
    (tmp_path / "afile").write_text("keep me")
    result = run_cli("render", bundle, "-o", tmp_path / "afile" / "out", "--format", "html",
                     "--no-project")
    assert (result.exit_code, result.stderr) == (
        1, f"error: {tmp_path / 'afile' / 'out'}: cannot create the folder: a part of its path is a file\n")


def test_import_into_a_folder_or_under_a_file_is_one_line(run_cli, tmp_path):
    export = EXCHANGE_SAMPLES / "contoso-exchange-certs.json"
    result = run_cli("import", "exchange-certs", export, "-o", tmp_path)
    assert (result.exit_code, result.stderr) == (
        2, f"error: -o {tmp_path}: is a folder; give the bundle file's name\n")
    (tmp_path / "afile").write_text("keep me")
    result = run_cli("import", "exchange-certs", export, "-o", tmp_path / "afile" / "x.bundle.json")
    assert (result.exit_code, result.stderr) == (
        1, f"error: {tmp_path / 'afile'}: is a file; give a folder\n")


def test_build_with_out_being_a_file_is_one_line(run_cli, project, monkeypatch):
    (project / "out").write_text("not a folder")
    monkeypatch.chdir(project)
    result = run_cli("build")
    assert (result.exit_code, without_progress(result.stderr)) == (
        1, f"error: {project / 'out'}: is a file; give a folder\n")


# -- 14. another organisation's bundle in a project folder ----------------------------------------

def test_rendering_another_organisations_bundle_in_a_project_warns(run_cli, project, bundle, tmp_path,
                                                                    monkeypatch):
    other = tmp_path / "fabrikam.bundle.json"
    data = json.loads(bundle.read_text())
    data["organization"] = "Fabrikam"
    other.write_text(json.dumps(data))
    monkeypatch.chdir(project)
    result = run_cli("render", other, "-o", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: {project / 'docgen.toml'} is for 'Contoso' but the bundle is of 'Fabrikam': "
        "that project's title, notes and accepted risks are applied to another organisation's "
        "bundle (--no-project leaves them out)\n")
    # ... and the document says so on its summary (so does its re-render by `docgen verify`)
    warning = ("the title, notes and accepted risks of this document come from the project of Contoso; "
               "the facts are Fabrikam's.")
    assert warning in summary_text(tmp_path / "out" / "fabrikam.html")
    assert run_cli("render", bundle, "-o", tmp_path / "out", "--format", "html").stderr == ""
    assert "come from the project of" not in summary_text(tmp_path / "out" / "contoso.html")
    assert run_cli("render", other, "-o", tmp_path / "out", "--format", "html",
                   "--no-project").stderr == ""
    assert "come from the project of" not in summary_text(tmp_path / "out" / "fabrikam.html")


def summary_text(path) -> str:
    import lxml.html

    return " ".join(lxml.html.fromstring(path.read_bytes()).cssselect("#summary")[0].text_content().split())
