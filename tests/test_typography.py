"""Typography of the report: names are cut only where a reader expects (dots, hyphens,
underscores, camel case), columns hold their content, the contents list and bookmarks
name what they lead to, links lead somewhere, and the PDF's metadata says only what it should."""

from __future__ import annotations

import html as html_module
import io
import re

import lxml.html
import pypdf
import pytest

from docgen.areas import AREAS
from docgen.bundle import load_bundle
from docgen.render.breaks import BREAK, breakable
from docgen.render.colours import accent_warning, contrast_ratio
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.options import DocumentOptions

# Names in the demo that were cut in the middle before ("contoso.co m", "Passwo rdHashSync";
# "exchange_cer tificates" went with section keys: tables name sections by their titles).
KNOWN_NAMES = ("contoso.com", "contoso.org", "contoso.net", "contoso-events.com", "contoso-archive.com",
               "authentication", "PasswordHashSync",
               "ms-Exch-SMTP-Accept-Any-Recipient", "ExchangeLegacyServers", "organisation")
SEPARATORS = set(".-_/\\,;:@=|()[]'\"")
HASH_LIKE = re.compile(r"[0-9A-Za-z+]{16,}")


def shown(html: str) -> str:
    return html.replace("\u200b", "").replace("<wbr>", "")


def test_long_names_break_at_separators_and_camel_case_only():
    def breaks(text: str) -> list[str]:
        return breakable(f"<td>{text}</td>")[4:-5].split(BREAK)

    assert breaks("selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com") == [
        "selector1-contoso-shop-com._", "domainkey.", "contoso.", "onmicrosoft.", "com"]
    assert breaks("Microsoft.SynchronizationOption.AnchorAttribute") == [
        "Microsoft.", "Synchronization", "Option.", "Anchor", "Attribute"]
    assert breaks("CN=Services,CN=Configuration,DC=corp") == ["CN=Services,", "CN=Configuration,", "DC=corp"]
    # numbers and addresses stay whole; a range breaks after its hyphen
    assert breaks("0.0.0.0-255.255.255.255") == ["0.0.0.0-", "255.255.255.255"]
    assert breaks("4,294,967,296,000") == ["4,294,967,296,000"]
    # a GUID's groups after their hyphens (a hyphen before a digit is no line break of its own);
    # a date stays whole
    assert breaks("ca-report-only-stale:a1f3c2d4-0005-4b5c-8d9e-0f1a2b3c4d05") == [
        "ca-report-only-stale:", "a1f3c2d4-", "0005-4b5c-", "8d9e-0f1a2b3c4d05"]
    assert breaks("2026-07-30T10:00:00Z") == ["2026-07-30T10:00:00Z"]
    # short names are left alone; a thumbprint breaks every 20 characters
    assert breaks("contoso.org") == ["contoso.org"]
    assert breaks("_dmarc.contoso.com") == ["_dmarc.", "contoso.", "com"]
    assert breaks("E66F3BE15F2BD6C95A620B8E114E163113E6C107") == ["E66F3BE15F2BD6C95A62",
                                                                  "0B8E114E163113E6C107"]


def cut_words(pdf: bytes, html: str) -> list[str]:
    """Line ends in the PDF that cut a word of the document where no separator or camel-case
    boundary is (a thumbprint or key may break anywhere)."""
    text = re.sub(r"(?s)<(style|script|svg)\b.*?</\1>", " ", shown(html))
    words = set(html_module.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    joined = "\n".join(words)
    cut = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, 1):
        lines = [line for line in page.extract_text().split("\n") if line.strip()]
        for line, following in zip(lines, lines[1:]):
            before, after = line.split()[-1], following.split()[0]
            if (before + after not in joined or (before in words and after in words)
                    or before[-1] in SEPARATORS or after[0] in SEPARATORS
                    or (before[-1].islower() and after[0].isupper())):
                continue
            piece = re.search(r"[0-9A-Za-z+]*$", before).group() + re.match(r"[0-9A-Za-z+]*", after).group()
            if HASH_LIKE.fullmatch(piece) and any(c.isdigit() for c in piece):
                continue
            cut.append(f"page {number}: {before!r} | {after!r}")
    return cut


@pytest.mark.slow
def test_no_word_or_name_of_the_demo_is_cut_across_lines(demo_pdf_dir):
    pdf = (demo_pdf_dir / "contoso.pdf").read_bytes()
    html = (demo_pdf_dir / "contoso.html").read_text()
    assert cut_words(pdf, html) == []
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for name in KNOWN_NAMES:
        assert name in text.replace("\n", ""), name
        for cut in range(1, len(name)):
            head, tail = name[:cut], name[cut:]
            if head[-1] not in SEPARATORS and not (head[-1].islower() and tail[0].isupper()):
                assert f"{head}\n{tail}" not in text, f"{head}|{tail}"


@pytest.mark.slow
def test_the_findings_table_names_sections_by_their_short_title(demo_pdf_dir):
    text = " ".join(pypdf.PdfReader(demo_pdf_dir / "contoso.pdf").pages[3].extract_text().split())
    assert "Mail authentication" in text and "(DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)" not in text


@pytest.mark.slow
def test_bookmarks_carry_no_badge_text_and_info_no_viewport(demo_pdf_dir):
    reader = pypdf.PdfReader(demo_pdf_dir / "contoso.pdf")

    def titles(outline) -> list[str]:
        return [title for entry in outline
                for title in (titles(entry) if isinstance(entry, list) else [entry.title])]
    bookmarks = titles(reader.outline)
    assert "Sync server CONTOSO-SYNC01" in bookmarks
    assert not [title for title in bookmarks if title.split()[-1] in ("critical", "high", "warning", "info")]
    assert not any("viewport" in key for key in reader.metadata)
    # the badge still shows its word on the page
    assert "CONTOSO-SYNC01 warning" in " ".join(
        " ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def summary_documents(demo_dir):
    """The demo at detail level 1 everywhere, with two authors: HTML and PDF."""
    options = DocumentOptions(authors=("A. Consultant", "B. Reviewer"),
                              detail={area.name: 1 for area in AREAS})
    return render_documents(load_bundle(demo_dir / "contoso.bundle.json"),
                            RenderRequest(("html", "pdf"), "summary", options=options))


def test_detail_level_1_leaves_no_dangling_link_in_the_html(summary_documents):
    html = summary_documents["summary.html"].decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    links = re.findall(r'href="#([^"]*)"', html)
    assert links and [link for link in links if link not in ids] == []
    # the overview's domain names are still there, as text
    assert ">contoso-events.com</a>" in html.replace("<wbr>", "")


@pytest.mark.slow
def test_detail_level_1_pdf_links_all_have_targets_and_authors_are_listed_apart(summary_documents):
    reader = pypdf.PdfReader(io.BytesIO(summary_documents["summary.pdf"]))
    names = set(reader.named_destinations)
    links = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots") or []]
    targets = [link["/Dest"] for link in links if link.get("/Subtype") == "/Link" and "/Dest" in link]
    assert len(targets) > 5
    assert [target for target in targets if isinstance(target, str) and target not in names] == []
    assert reader.xmp_metadata.dc_creator == ["A. Consultant", "B. Reviewer"]
    assert reader.metadata["/Author"] == "A. Consultant, B. Reviewer"


def test_contents_list_names_notes_by_their_own_first_heading(demo_dir):
    options = DocumentOptions(notes={"intro.md": "# About this review\n\nText.",
                                     "scope.md": "Text first.\n\n## What we looked at\n",
                                     "appendix-glossary.md": "# Words we use\n"})
    html = render_documents(load_bundle(demo_dir / "contoso.bundle.json"),
                            RenderRequest(("html",), "notes", options=options))["notes.html"].decode()
    contents = html[html.index('<nav class="toc">'):html.index("</nav>")]
    assert '<a href="#note-intro">About this review</a>' in contents
    assert '<a href="#note-scope">What we looked at</a>' in contents
    assert '<a href="#note-appendix-glossary">Words we use</a>' in contents


def test_accent_contrast_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert accent_warning("#1f4e79") is None
    assert "1.5:1" in accent_warning("#ffcc00")


def test_a_pale_accent_colour_is_a_warning_on_stderr(demo_dir, tmp_path, monkeypatch, run_cli):
    project = tmp_path / "project"
    project.mkdir()
    (project / "docgen.toml").write_text('[document]\norganization = "Contoso"\naccent_color = "#ffcc00"\n')
    monkeypatch.chdir(project)
    result = run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    assert "warning: document.accent_color #ffcc00" in result.stderr
    assert "4.5:1" in result.stderr


def test_the_html_breaks_long_names_at_their_dots_and_copies_them_whole(demo_dir):
    """The HTML document gets the PDF's break points as <wbr>: a browser wraps
    'selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com' at its dots, and a reader
    who copies it gets the name (no zero-width space in it)."""
    html = (demo_dir / "contoso.html").read_text("utf-8")
    assert BREAK not in html
    assert "contoso.<wbr>onmicrosoft.<wbr>com" in html
    page = lxml.html.fromstring(html.encode())
    assert "selector1-contoso-shop-com._domainkey.contoso.onmicrosoft.com" in page.text_content()
    # the same places as the PDF's (test_long_names_break_at_separators_and_camel_case_only)
    assert breakable("<td>contoso-shop.contoso.onmicrosoft.com</td>", mark="<wbr>") == (
        "<td>contoso-shop.<wbr>contoso.<wbr>onmicrosoft.<wbr>com</td>")


def test_a_diffs_values_wrap_where_the_report_wraps_and_after_an_expressions_operators():
    from docgen.render.diff_values import breakable as diff_breakable

    # the report's rule: numbers and addresses stay whole, a range may wrap after its hyphen
    assert str(diff_breakable("192.168.100.200-192.168.100.254")) == "192.168.100.200-<wbr>192.168.100.254"
    # and an attribute flow may wrap after its brackets and operators
    assert str(diff_breakable('IIF(IsPresent([mail]),[mail]&"x",NULL)')) == (
        'IIF(<wbr>IsPresent([<wbr>mail]),[<wbr>mail]&amp;<wbr>&#34;x&#34;,<wbr>NULL)')
