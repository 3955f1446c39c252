"""`docgen verify`: each piece of evidence tampered with, and the failure named."""

from __future__ import annotations

import json
import shutil

import pikepdf
import pytest

from docgen.core.resources import data_dir


@pytest.fixture
def report(demo_pdf_dir, tmp_path):
    pdf = tmp_path / "contoso.pdf"
    shutil.copy(demo_pdf_dir / "contoso.pdf", pdf)
    return pdf


def lines(result) -> list[str]:
    return result.stdout.splitlines()


PAGE_CHECKS = ["ok   page count", "ok   page text", "ok   page drawing", "ok   annotations", "ok   metadata",
               "ok   XMP metadata", "ok   document structure", "ok   file bytes"]


@pytest.mark.slow   # renders the report again
def test_an_untouched_report_verifies(run_cli, report, demo_dir):
    result = run_cli("verify", report, "--bundle", demo_dir / "contoso.bundle.json")
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in lines(result)] == [
        "ok   signature", "ok   bundle attached", "ok   cover hash", "ok   metadata hash", "ok   bundle valid",
        "ok   bundle file", *PAGE_CHECKS, "verified"]
    assert "ok   file bytes: the file is the render, byte for byte" in result.stdout
    assert lines(result)[-1] == "verified: the pages are what docgen renders from the attached bundle"


@pytest.mark.slow   # reads the demo's PDF
def test_edited_bundle_attachment_fast(run_cli, report, demo_dir):
    bundle = json.loads((demo_dir / "contoso.bundle.json").read_text())
    bundle["sections"]["exchange_certificates"]["items"][3]["default_smtp_certificate"]["not_after"] = \
        "2030-01-01T00:00:00Z"  # "the expired certificate was fine"
    forged = (json.dumps(bundle, sort_keys=True, indent=2) + "\n").encode()
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pdf.attachments["bundle.json"] = pikepdf.AttachedFileSpec(pdf, forged, mime_type="application/json")
        pdf.save(report)
    result = run_cli("verify", report, "--bundle", demo_dir / "contoso.bundle.json", "--fast")
    assert result.exit_code == 1
    failed = [line for line in lines(result) if line.startswith("FAIL")]
    assert [line.split(":")[0] for line in failed] == ["FAIL cover hash", "FAIL metadata hash", "FAIL bundle file"]
    assert result.stderr == f"error: {report}: verification failed: cover hash, metadata hash, bundle file\n"


@pytest.mark.slow   # renders the report again
def test_edited_metadata(run_cli, report):
    with pikepdf.open(report, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/docgenbundlesha256"] = "0" * 64
        pdf.save(report)
    result = run_cli("verify", report)
    assert result.exit_code == 1
    failed = [line for line in lines(result) if line.startswith("FAIL")]
    assert failed[0] == f"FAIL metadata hash: the metadata holds {'0' * 64}, the attachment is " \
                        f"{lines(result)[1].split('SHA-256 ')[1]}"
    assert failed[1] == (f"FAIL metadata: document information: docgenbundlesha256 "
                         f"'{lines(result)[1].split('SHA-256 ')[1][:57]}...' rendered, '{'0' * 57}...' in the file")


@pytest.mark.slow   # renders the report again
def test_edited_cover_hash(run_cli, demo_dir, tmp_path, monkeypatch):
    """A cover printing another hash than the bundle it carries (made by editing the cover template)."""
    project = tmp_path / "p"
    assert run_cli("init", project, "--organization", "Contoso").exit_code == 0
    (project / "notes" / "intro.md").unlink()
    text = (data_dir("templates") / "partials" / "cover.html.j2").read_text()
    (project / "templates" / "partials").mkdir(parents=True)
    (project / "templates" / "partials" / "cover.html.j2").write_text(
        text.replace("{{ doc.bundle_sha256 }}", "a" * 64))
    monkeypatch.chdir(project)
    out = tmp_path / "out"
    assert run_cli("render", demo_dir / "contoso.bundle.json", "-o", out, "--format", "pdf").exit_code == 0
    result = run_cli("verify", out / "contoso.pdf")
    assert result.exit_code == 1
    assert [line for line in lines(result) if line.startswith("FAIL")] == [
        f"FAIL cover hash: the cover prints {'a' * 64}, the attachment is {lines(result)[1].split('SHA-256 ')[1]}"]


@pytest.mark.slow   # reads the demo's PDF
def test_a_pdf_without_a_bundle(run_cli, tmp_path, demo_pdf_dir):
    pdf = tmp_path / "plain.pdf"
    with pikepdf.open(demo_pdf_dir / "contoso.pdf") as source:
        del source.attachments["bundle.json"]
        source.save(pdf)
    result = run_cli("verify", pdf)
    assert result.exit_code == 1
    assert lines(result)[1] == ("FAIL bundle attached: no attachment named bundle.json (nor before.bundle.json, "
                                "after.bundle.json, diff.json, as a diff PDF carries): not a docgen PDF, or its "
                                "attachments were removed")


def test_not_a_pdf(run_cli, tmp_path):
    fake = tmp_path / "x.pdf"
    fake.write_text("hello")
    result = run_cli("verify", fake)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {fake}: not a PDF (it does not start with %PDF-, but b'hello')\n"


@pytest.mark.slow   # reads the demo's PDF
def test_a_truncated_pdf_is_one_line(run_cli, tmp_path, demo_pdf_dir, capfd):
    """pypdf would log "EOF marker not found" and more; nothing but the one line is printed."""
    data = (demo_pdf_dir / "contoso.pdf").read_bytes()
    for cut in (len(data) // 2, len(data) - 200):
        truncated = tmp_path / f"cut{cut}.pdf"
        truncated.write_bytes(data[:cut])
        result = run_cli("verify", truncated)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (f"error: {truncated}: not a whole PDF: no %%EOF at its end, so it was cut short "
                                 f"({cut} bytes)\n")
    assert capfd.readouterr() == ("", "")   # no log line escaped to the real stderr either


@pytest.mark.slow   # reads the demo's PDF
def test_a_damaged_pdf_with_an_end_is_one_line(run_cli, tmp_path, demo_pdf_dir, capfd, caplog):
    """The middle blanked out, the end kept: pypdf's repair warnings are not printed (nor logged)."""
    data = bytearray((demo_pdf_dir / "contoso.pdf").read_bytes())
    data[1000:len(data) - 100] = b" " * (len(data) - 1100)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(bytes(data))
    result = run_cli("verify", damaged, "--fast")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"error: {damaged}: ")
    assert capfd.readouterr() == ("", "")
    assert [record for record in caplog.records if record.name.startswith("pypdf")] == []
