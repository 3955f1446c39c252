"""Word output (issue 17): the DOCX read back with python-docx and converted by LibreOffice.

The report's DOCX is built from the same template context as the HTML: the same chapters in
the same order, the report's tables with as many rows as the bundle has objects, findings
with their severity colours, the charts as pictures, the cover's hash the bundle's. A .dotx
template's header and page size are kept and docgen's content goes at its marker. The same
bundle gives the same bytes; hostile strings become visible escapes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document

from conftest import invoke
from docgen.app.demo import run_demo
from docgen.bundle import load_bundle
from docgen.checks import run_checks
from docgen.checks.rules import default_rules
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.docx.package import as_document, bookmark_text, custom_properties
from docgen.render.docx.writer import SEVERITY_FILLS
from docgen.render.options import DocumentOptions, DocxTemplate
from support import hostile
from support.wordtemplate import AFTER, BEFORE, HEADER_TEXT, TEMPLATE_TYPE, make_dotx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOTE = """# Our engagement

Some **bold** and *italic* text with `inline code` and a [link](https://example.com).

## What we did

- first bullet
- second bullet
    - nested bullet

Then:

1. step one
2. step two

| Server | Role |
|---|---|
| EX01 | Mailbox |
| EX02 | Edge |

```
Get-ExchangeCertificate | fl
```
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docx-demo")
    run_demo(out, ("html",))
    return out


@pytest.fixture(scope="module")
def loaded(demo):
    return load_bundle(demo / "contoso.bundle.json")


def render(loaded, options: DocumentOptions | None = None, formats=("docx",)) -> dict[str, bytes]:
    return render_documents(loaded, RenderRequest(formats, "contoso", options or DocumentOptions()))


@pytest.fixture(scope="module")
def docx_bytes(loaded) -> bytes:
    options = DocumentOptions(author="A. Consultant", notes={"intro.md": NOTE, "dkim.md": "## DKIM remark\n\nText."})
    return render(loaded, options)["contoso.docx"]


@pytest.fixture(scope="module")
def document(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def headings(document, level: int | None = None) -> list[tuple[int, str]]:
    found = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading ") and (level is None or name == f"Heading {level}"):
            found.append((int(name.split()[1]), paragraph.text.strip()))
    return found


def header_row(table) -> list[str]:
    return [cell.text for cell in table.rows[0].cells]


def tables_with(document, columns: list[str]):
    return [table for table in document.tables if header_row(table) == columns]


def test_the_chapters_are_the_htmls_in_the_same_order(loaded, document):
    html = render(loaded, DocumentOptions(notes={"intro.md": NOTE, "dkim.md": "## DKIM remark\n\nText."}),
                  formats=("html",))["contoso.html"].decode()
    html_h1 = [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<h1>(.*?)</h1>", html, re.S)]
    assert html_h1[0] == "Our engagement"
    assert [text for _, text in headings(document, 1)] == html_h1
    sections = [section for section in loaded.data["sections"]]
    assert len(headings(document, 1)) == 1 + 1 + len(sections) + 1   # intro, summary, sections, provenance
    # Word's own heading styles: the navigation pane and the TOC field see them
    assert {level for level, _ in headings(document)} >= {1, 2, 3, 4}


def test_the_toc_field_is_updated_on_open_and_says_how_to_update_it(docx_bytes, document):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        settings = archive.read("word/settings.xml").decode()
        body = archive.read("word/document.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings
    assert 'TOC \\o "1-3" \\h \\z \\u' in body
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert any("update them" in text and "F9" in text for text in texts)
    # a viewer that does not update fields still lists the chapters
    assert "Summary of findings" in texts[texts.index("Contents") + 1:texts.index("Contents") + 4]


def test_table_rows_are_the_bundles_objects(loaded, document):
    sections = loaded.data["sections"]
    findings = run_checks(loaded.data, default_rules())
    summary = tables_with(document, ["Severity", "Section", "Subject", "Finding", "Evidence", "Remediation",
                                   "Id"])
    assert len(summary) == 1 and len(summary[0].rows) - 1 == len(findings)
    servers = tables_with(document, ["Server", "Roles", "Subject", "Issuer", "Not after", "Days left", "Key",
                                     "Signature", "Self-signed"])
    assert len(servers[0].rows) - 1 == len(sections["exchange_certificates"]["items"])
    domains = tables_with(document, ["Domain", "DMARC", "SPF", "MX", "MTA-STS", "TLS-RPT", "BIMI"])
    assert len(domains[0].rows) - 1 == len(sections["mail_auth"]["items"])
    records = tables_with(document, ["Record", "Looked up", "Found", "Verdict"])
    assert len(records) == len(sections["mail_auth"]["items"])
    rules = tables_with(document, ["Precedence", "Name", "Kind", "Objects", "Link", "State"])
    bundle_rules = sum(len(server["sync_rules"]) for server in sections["aadconnect"]["items"])
    assert sum(len(table.rows) - 1 for table in rules) == bundle_rules > 0
    inputs = tables_with(document, ["File", "Section", "Size", "SHA-256"])
    assert len(inputs[0].rows) - 1 == len(loaded.data["inputs"])


def test_every_table_repeats_its_header_row(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        body = archive.read("word/document.xml").decode()
    headed = body.count("<w:tblHeader/>")
    assert headed > 30 and headed == body.count('w:firstRow="1"')


def test_findings_carry_their_severity_colours(loaded, document):
    summary = tables_with(document, ["Severity", "Section", "Subject", "Finding", "Evidence", "Remediation",
                                   "Id"])[0]
    seen = set()
    for row in summary.rows[1:]:
        cell = row.cells[0]
        severity = cell.text
        fill = cell._tc.tcPr.find(f"{W}shd").get(f"{W}fill")
        assert fill == SEVERITY_FILLS[severity]
        seen.add(severity)
    assert seen == {finding.severity for finding in run_checks(loaded.data, default_rules())}
    counts = document.tables[[header_row(t)[0].split()[-1] for t in document.tables].index("critical")]
    assert [cell.text.split()[1] for cell in counts.rows[0].cells] == ["critical", "high", "warning", "info"]


def test_the_cover_and_the_properties_carry_the_bundles_hash(demo, docx_bytes, document):
    digest = hashlib.sha256((demo / "contoso.bundle.json").read_bytes()).hexdigest()
    assert bookmark_text(docx_bytes, "docgen_bundle_sha256") == digest
    assert custom_properties(docx_bytes)["docgen-bundle-sha256"] == digest
    cover = [paragraph.text for paragraph in document.paragraphs[:4]]
    assert "As-built documentation: Contoso" in cover
    core = document.core_properties
    assert (core.title, core.author, core.created.isoformat()) == (
        "As-built documentation: Contoso", "A. Consultant", "2026-11-02T10:00:00+00:00")


def test_the_charts_are_pictures(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        pictures = [name for name in archive.namelist() if name.startswith("word/media/")]
        first = archive.read(pictures[0])
    # the findings chart, the two certificate timelines (default SMTP, every certificate) and
    # the mail-authentication matrix
    assert len(pictures) == 4 and all(name.endswith(".png") for name in pictures)
    assert first.startswith(b"\x89PNG")


def test_notes_become_word_styles(document):
    styles = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]
    assert ("Heading 1", "Our engagement") in styles and ("Heading 2", "What we did") in styles
    assert ("List Bullet", "first bullet") in styles and ("List Bullet 2", "nested bullet") in styles
    assert ("List Number", "step one") in styles
    assert ("docgen Code", "Get-ExchangeCertificate | fl") in styles
    assert ("Heading 3", "DKIM remark") in styles    # a section's note starts one level down
    table = tables_with(document, ["Server", "Role"])[0]
    assert [[cell.text for cell in row.cells] for row in table.rows[1:]] == [["EX01", "Mailbox"], ["EX02", "Edge"]]
    bold = [run.text for paragraph in document.paragraphs for run in paragraph.runs if run.bold]
    assert "bold" in bold


def test_detail_levels_are_the_reports(loaded):
    summary = Document(io.BytesIO(render(loaded, DocumentOptions(detail={"aadconnect": 1, "dkim": 0}))
                                  ["contoso.docx"]))
    texts = [text for _, text in headings(summary)]
    assert "Setup choices" in texts and "Synchronisation rules" not in texts
    assert "DKIM signing" not in texts


def test_two_renders_are_the_same_bytes(loaded, docx_bytes):
    options = DocumentOptions(author="A. Consultant", notes={"intro.md": NOTE, "dkim.md": "## DKIM remark\n\nText."})
    assert render(loaded, options)["contoso.docx"] == docx_bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        entries = archive.infolist()
    assert {entry.date_time for entry in entries} == {(2026, 11, 2, 10, 0, 0)}
    assert entries[0].filename == "[Content_Types].xml"


def test_a_dotx_template_gives_its_styles_header_and_page(tmp_path, loaded):
    template = make_dotx()
    path = tmp_path / "contoso.dotx"
    path.write_bytes(template)
    options = DocumentOptions(docx_template=DocxTemplate(path.name, path.read_bytes()))
    first = render(loaded, options)["contoso.docx"]
    assert path.read_bytes() == template      # rewritten in memory only
    document = Document(io.BytesIO(first))
    assert HEADER_TEXT in document.sections[0].header.paragraphs[0].text
    assert round(document.sections[0].page_width.inches, 2) == 8.5
    texts = [paragraph.text for paragraph in document.paragraphs]
    # docgen's content at the marker, between the template's own paragraphs
    assert texts[0] == BEFORE and texts[-1] == AFTER and "{{docgen}}" not in texts
    assert texts.index("As-built documentation: Contoso") == 1
    assert render(loaded, options)["contoso.docx"] == first
    without_marker = Document(io.BytesIO(render(loaded, replace(
        options, docx_template=DocxTemplate("plain.dotx", make_dotx(marker=False))))["contoso.docx"]))
    ends = [paragraph.text for paragraph in without_marker.paragraphs]
    assert ends[:3] == [BEFORE, AFTER, "As-built documentation: Contoso"]   # no marker: at the end


def test_a_template_is_turned_into_a_document_only_by_its_content_type():
    template = make_dotx()
    document = as_document(template)
    assert TEMPLATE_TYPE not in zipfile.ZipFile(io.BytesIO(document)).read("[Content_Types].xml")
    assert as_document(document) == document


def test_a_project_names_its_template(tmp_path, demo, run_cli):
    project = tmp_path / "contoso"
    (project / "branding").mkdir(parents=True)
    (project / "branding" / "contoso.dotx").write_bytes(make_dotx())
    (project / "docgen.toml").write_text('[document]\norganization = "Contoso"\n'
                                         'docx_template = "branding/contoso.dotx"\n', "utf-8")
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = run_cli("render", demo / "contoso.bundle.json", "-o", tmp_path / "out", "--format", "docx")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    document = Document(tmp_path / "out" / "contoso.docx")
    assert HEADER_TEXT in document.sections[0].header.paragraphs[0].text
    (project / "branding" / "contoso.dotx").write_bytes(b"not a zip")
    os.chdir(project)
    try:
        result = run_cli("render", demo / "contoso.bundle.json", "-o", tmp_path / "out", "--format", "docx")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    assert "document.docx_template: 'branding/contoso.dotx' is not a Word template" in result.output


def test_verify_takes_a_docx_with_its_bundle(tmp_path, demo, docx_bytes, run_cli):
    report = tmp_path / "contoso.docx"
    report.write_bytes(docx_bytes)
    bundle = demo / "contoso.bundle.json"
    result = run_cli("verify", report, "--bundle", bundle)
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "ok   metadata hash", "ok   cover hash", "ok   bundle file", "ok   bundle valid", "verified"]
    other = tmp_path / "other.bundle.json"
    other.write_bytes(bundle.read_bytes().replace(b'"Contoso"', b'"Contoso Ltd"', 1))
    result = run_cli("verify", report, "--bundle", other)
    assert result.exit_code == 1 and "FAIL bundle file" in result.stdout
    result = run_cli("verify", report)
    assert result.exit_code == 1 and "FAIL bundle file: a Word document carries no bundle" in result.stdout


def test_a_diff_in_word(tmp_path, demo):
    before = demo / "contoso.bundle.json"
    after = tmp_path / "after.bundle.json"
    after.write_bytes(before.read_bytes().replace(b'"EX01.corp.contoso.com"', b'"EX01.corp.contoso.net"'))
    result = invoke("diff", before, after, "-o", tmp_path / "diff", "--format", "docx")
    assert result.exit_code == 0, result.output
    data = (tmp_path / "diff" / "diff.docx").read_bytes()
    document = Document(io.BytesIO(data))
    assert [text for _, text in headings(document, 1)][:2] == ["Summary", "Findings"]
    assert headings(document, 1)[-1][1] == "Volatile facts"
    properties = custom_properties(data)
    assert properties["docgen-before-sha256"] == hashlib.sha256(before.read_bytes()).hexdigest()
    assert properties["docgen-after-sha256"] == hashlib.sha256(after.read_bytes()).hexdigest()
    changes = tables_with(document, ["Change", "Object", "Details"])
    assert any(row.cells[0].text == "modified" for table in changes for row in table.rows)


@pytest.fixture(scope="module")
def hostile_docx(tmp_path_factory) -> bytes:
    loaded = hostile.build_bundle(tmp_path_factory.mktemp("hostile") / "inputs", hostile.HOSTILE)
    return render_documents(loaded, RenderRequest(("docx",), "doc"))["doc.docx"]


def test_hostile_strings_are_visible_escapes(hostile_docx):
    document = Document(io.BytesIO(hostile_docx))
    text = "\n".join([paragraph.text for paragraph in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert hostile.CONTROLS_SHOWN in text
    assert hostile.MARKUP in text and hostile.CJK in text and hostile.LONG in text
    assert "\x00" not in text and "\x1b" not in text


def libreoffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing: apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    return found


def convert(data: bytes, folder: Path) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "document.docx"
    source.write_bytes(data)
    done = subprocess.run([libreoffice(), f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                          capture_output=True, text=True, timeout=240)
    pdf = folder / "document.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    return pdf.read_bytes()


@pytest.mark.slow   # LibreOffice starts in a few seconds
def test_libreoffice_converts_the_demo_and_the_hostile_document(tmp_path, docx_bytes, hostile_docx):
    from pypdf import PdfReader

    demo_pdf = PdfReader(io.BytesIO(convert(docx_bytes, tmp_path / "demo")))
    assert len(demo_pdf.pages) > 20
    assert "Summary of findings" in demo_pdf.pages[2].extract_text() + demo_pdf.pages[3].extract_text()
    # the findings table's columns hold their words: "Mail authenticat" / "ion" no more
    text = "\n".join(page.extract_text() for page in demo_pdf.pages[:12])
    for word in ("authentication", "certificates", "connectors", "Conditional", "expired:ex04"):
        assert word in text
        assert not [cut for cut in range(2, len(word) - 1)
                    if re.search(re.escape(word[:cut]) + r"\n" + re.escape(word[cut:]), text)], word
    hostile_pdf = PdfReader(io.BytesIO(convert(hostile_docx, tmp_path / "hostile")))
    assert "nul\\x00" in "".join(page.extract_text() for page in hostile_pdf.pages)


def test_build_writes_the_docx_named_in_output_formats(tmp_path, run_cli):
    project = tmp_path / "contoso"
    (project / "raw").mkdir(parents=True)
    shutil.copy(hostile.EXCHANGE_SAMPLES / "contoso-exchange-certs.json", project / "raw" / "exchange.json")
    (project / "docgen.toml").write_text('[document]\norganization = "Contoso"\n[dns]\nskip = true\n'
                                         '[output]\nformats = ["docx"]\nname = "contoso"\n', "utf-8")
    result = run_cli("build", "--project", project)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (project / "out").iterdir()) == ["contoso.bundle.json", "contoso.docx"]
    result = run_cli("verify", project / "out" / "contoso.docx", "--bundle", project / "out" / "contoso.bundle.json")
    assert result.exit_code == 0, result.output


def test_a_diff_in_word_marks_the_words_a_long_change_took_out_and_put_in(tmp_path, demo):
    """As in the HTML and the PDF: a changed attribute flow is shown whole before and after,
    the words taken out struck through, those put in underlined; an OU excluded is said so."""
    before = demo / "contoso.bundle.json"
    bundle = json.loads(before.read_text())
    flow = bundle["sections"]["aadconnect"]["items"][0]["sync_rules"][0]["flows"][0]
    flow["expression"] = flow["expression"].replace('"MSOL_"', '"SVC_"')
    after = tmp_path / "after.bundle.json"
    after.write_text(json.dumps(bundle))
    result = invoke("diff", before, after, "-o", tmp_path / "diff", "--format", "docx")
    assert result.exit_code == 0, result.output
    document = Document(io.BytesIO((tmp_path / "diff" / "diff.docx").read_bytes()))
    cell = next(row.cells[2] for table in tables_with(document, ["Change", "Object", "Details"])
                for row in table.rows if "Before" in row.cells[2].text)
    runs = [run for paragraph in cell.paragraphs for run in paragraph.runs]
    assert [run.text for run in runs if run.font.strike] == ["MSOL_"]
    assert [run.text for run in runs if run.font.underline] == ["SVC_"]
    text = cell.text[cell.text.index("\nBefore "):]   # after the change's one-line summary
    # both values whole, in order
    assert text.count('Left([sAMAccountName], 5) = "') == 2 and text.count("True, NULL)") == 2
    assert text.index("MSOL_") < text.index("\nAfter ") < text.index("SVC_")


@pytest.mark.slow   # LibreOffice starts in a few seconds
def test_a_word_diffs_table_headers_are_not_cut_mid_word(tmp_path, demo):
    """Word (here LibreOffice) lays the diff's summary table out: each header word on one line
    ("unknown" was printed "unknow" / "n": its column was one letter too narrow)."""
    from pypdf import PdfReader

    before = demo / "contoso.bundle.json"
    after = tmp_path / "after.bundle.json"
    after.write_bytes(before.read_bytes().replace(b'"EX01.corp.contoso.com"', b'"EX01.corp.contoso.net"'))
    assert invoke("diff", before, after, "-o", tmp_path / "diff", "--format", "docx").exit_code == 0
    pdf = PdfReader(io.BytesIO(convert((tmp_path / "diff" / "diff.docx").read_bytes(), tmp_path / "pdf")))
    summary = next(text for text in (page.extract_text() for page in pdf.pages) if "Section" in text)
    header = summary[summary.index("Section"):summary.index("Azure AD Connect")]
    assert header.split() == ["Section", "added", "removed", "modified", "replaced", "unknown", "unchanged"]


def test_a_list_value_reads_as_a_list(document):
    """A fact holding a list (a certificate's names) is "a, b, c", not the names run together."""
    names = [row.cells[1].text for table in document.tables for row in table.rows
             if row.cells[0].text == "Subject alternative names"]
    assert names[0] == "mail.contoso.com, autodiscover.contoso.com, EX01.corp.contoso.com"
