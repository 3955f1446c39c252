"""A long report rendered in parts by several processes and merged, against the same
document rendered whole: pages, text, numbering, contents, bookmarks, links, PDF/A."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import docgen.render.documents
from docgen.bundle import load_bundle
from docgen.core.resources import data_dir
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.options import DocumentOptions
from docgen.render.parallel import split
from docgen.render.parallel.split import NotSplittable, css_problem, plan_document, scan

pytestmark = pytest.mark.slow

SERVERS = 60   # more than a page group (50): the server list is cut inside its section
DOMAINS = 60


def scaled_bundle(source: Path, target: Path, servers: int, domains: int) -> Path:
    """The demo's servers and domains repeated under new names: a report of some 140 pages."""
    bundle = json.loads(source.read_text())
    sections = bundle["sections"]
    items = sections["exchange_certificates"]["items"]
    sections["exchange_certificates"]["items"] = [
        _server(items[number % len(items)], f"EX{number + 1:03d}") for number in range(servers)]
    for name in ("dkim", "mail_auth"):
        items = sections[name]["items"]
        sections[name]["items"] = [_domain(items[number % len(items)], number)
                                   for number in range(domains)]
    target.write_text(json.dumps(bundle, sort_keys=True, indent=2) + "\n")
    return target


def _server(item: dict, name: str) -> dict:
    item = copy.deepcopy(item)
    item.update(key=name.lower(), name=name, fqdn=f"{name}.corp.contoso.com",
                dn=f"CN={name},CN=Servers,DC=corp,DC=contoso,DC=com")
    return item


def _domain(item: dict, number: int) -> dict:
    item = copy.deepcopy(item)
    domain = f"d{number:03d}-{item['domain']}"
    item.update(key=domain, domain=domain)
    return item


@pytest.fixture(scope="session")
def large_bundle(demo_dir, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parallel")
    return scaled_bundle(demo_dir / "contoso.bundle.json", folder / "large.bundle.json", SERVERS, DOMAINS)


def request(jobs: int | None) -> RenderRequest:
    return RenderRequest(formats=("pdf",), stem="large", options=DocumentOptions(author="docgen test"),
                         jobs=jobs)


@pytest.fixture(scope="session")
def rendered(large_bundle, tmp_path_factory):
    """The report in parts by two processes, and the same report laid out whole; the plan."""
    loaded = load_bundle(large_bundle)
    plans = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docgen.render.documents, "plan_document", lambda html: plans.append(plan_document(html))
                      or plans[-1])
        warnings: list[str] = []
        parted = render_documents(loaded, request(jobs=2), warnings)["large.pdf"]
        patch.setattr(docgen.render.documents, "plan_document", lambda html: None)
        whole = render_documents(loaded, request(jobs=2))["large.pdf"]
    folder = tmp_path_factory.mktemp("parallel-out")
    (folder / "large.pdf").write_bytes(parted)
    return {"parted": parted, "whole": whole, "plan": plans[0], "warnings": warnings,
            "path": folder / "large.pdf"}


@pytest.fixture(scope="session")
def parted(rendered) -> PdfReader:
    return PdfReader(rendered["path"])


@pytest.fixture(scope="session")
def whole(rendered) -> PdfReader:
    import io
    return PdfReader(io.BytesIO(rendered["whole"]))


@pytest.fixture(scope="session")
def texts(parted, whole) -> tuple[list[str], list[str]]:
    return [page.extract_text() for page in parted.pages], [page.extract_text() for page in whole.pages]


def outline(reader: PdfReader) -> list[tuple]:
    """(depth, title, page, left, top) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item),
                              round(float(item.left), 2), round(float(item.top), 2)))
    walk(reader.outline, 0)
    return found


def links(reader: PdfReader) -> list[tuple]:
    return sorted((number, str(annotation["/Dest"]), tuple(round(float(v), 2) for v in annotation["/Rect"]),
                   annotation["/F"])
                  for number, page in enumerate(reader.pages)
                  for annotation in (item.get_object() for item in page.get("/Annots", [])))


def destinations(reader: PdfReader) -> dict[str, tuple]:
    return {name: (reader.get_destination_page_number(dest), round(float(dest.left), 2),
                   round(float(dest.top), 2))
            for name, dest in reader.named_destinations.items()}


# -- the parted render, against the whole one ------------------------------------------

def test_the_report_is_cut_into_several_parts_inside_sections_too(rendered):
    plan = rendered["plan"]
    assert plan is not None and plan.weight > split.SPLIT_WEIGHT
    assert len(plan.parts()) >= 3
    nested = [cut for cut in plan.layout.cuts if cut.around]
    assert [opened.name for cut in nested for opened in cut.around] == ["section"] * len(nested) != []


def test_same_pages_and_text_as_the_whole_document(texts):
    parted, whole = texts
    assert len(parted) == len(whole) > 100
    different = [number + 1 for number, (a, b) in enumerate(zip(parted, whole)) if a != b]
    assert different == []


def test_page_x_of_y_runs_through_every_part(texts):
    parted, _ = texts
    total = len(parted)
    for number, text in enumerate(parted, start=1):
        assert text.rstrip().endswith(f"Page {number} of {total}")
    # the running title is printed from the cover's title on every page after it
    assert all("As-built documentation: Contoso" in text for text in parted[1:])


TOP = ("Summary of findings", "Azure AD Connect", "Conditional Access", "Identity Protection",
       "Exchange certificates", "Exchange receive connectors", "Exchange servers and hybrid readiness",
       "Mobile mail access (Exchange ActiveSync)", "DKIM signing",
       "Mail authentication (DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)", "Inputs and provenance")


def test_contents_numbers_are_the_pages_of_the_bookmarks(parted, texts):
    contents = texts[0][1]
    assert contents.startswith("Contents")
    top = {title: page + 1 for depth, title, page, _, _ in outline(parted) if depth == 0}
    for title in TOP:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, title
        assert int(match.group(1)) == top[title], title
        assert title[:20] in texts[0][top[title] - 1]   # a long heading may wrap


def test_bookmarks_are_complete_and_where_the_whole_document_has_them(parted, whole):
    got = outline(parted)
    assert got == outline(whole)
    # the scaled servers EX001..EX060 (the other Exchange sections keep the demo's EX01, EX07, EX08)
    assert len([entry for entry in got if re.fullmatch(r"EX\d{3}", entry[1])]) == SERVERS


def test_links_and_destinations_are_those_of_the_whole_document(parted, whole):
    assert destinations(parted) == destinations(whole)
    assert links(parted) == links(whole)
    assert {flag for _, _, _, flag in links(parted)} == {4}   # printable, as PDF/A wants


def test_contents_entries_lead_to_their_sections(parted):
    names = destinations(parted)
    top = {title: page for depth, title, page, _, _ in outline(parted) if depth == 0}
    from_contents = {dest for page, dest, _, _ in links(parted) if page == 1}
    assert len(from_contents) == len(TOP)
    assert sorted(names[dest][0] for dest in from_contents) == sorted(top[title] for title in TOP)


def test_attachments_metadata_and_pdfa_are_kept(parted, whole, large_bundle):
    assert parted.attachments["bundle.json"] == [large_bundle.read_bytes()]
    assert parted.attachments["docgen-render.json"] == whole.attachments["docgen-render.json"]
    relationships = {spec.get_object()["/F"]: spec.get_object()["/AFRelationship"]
                     for spec in parted.trailer["/Root"]["/AF"]}
    assert relationships == {"bundle.json": "/Source", "docgen-render.json": "/Supplement"}
    xmp = parted.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert xmp == whole.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    intent = parted.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object().get_data()
    assert dict(parted.metadata) == dict(whole.metadata)
    assert parted.metadata["/docgenbundlesha256"] == load_bundle(large_bundle).sha256
    assert parted.pdf_header == "%PDF-1.7"
    assert len(parted.trailer["/ID"]) == 2


def test_no_warnings_for_links_that_lead_into_another_part(rendered):
    assert rendered["warnings"] == []


def test_one_process_gives_the_same_bytes(rendered, large_bundle):
    again = render_documents(load_bundle(large_bundle), request(jobs=1))["large.pdf"]
    assert again == rendered["parted"]


def test_verify_rerender_passes_on_a_parted_pdf(run_cli, rendered, large_bundle):
    result = run_cli("verify", rendered["path"], "--bundle", large_bundle)
    assert result.exit_code == 0, result.output
    assert "ok   file bytes: the file is the render, byte for byte" in result.stdout


def test_cli_takes_jobs(run_cli, large_bundle, tmp_path):
    result = run_cli("render", large_bundle, "-o", tmp_path, "--format", "pdf", "--jobs", "0")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


# -- cutting the HTML ------------------------------------------------------------------

HEAD = "<!DOCTYPE html><html><head><style>{css}</style></head><body class=\"report\">"
CSS = (".cover { page: cover } .cover h1 { string-set: t content(text) }\n"
       "nav.toc a::after { content: leader('.') target-counter(attr(href), page) }\n"
       ".page-start { break-before: page }\n"
       "@page { @bottom-right { content: counter(page) ' of ' counter(pages) } }")


def document(body: str, css: str = CSS) -> str:
    return HEAD.format(css=css) + body + "</body></html>"


BODY = ('<header class="cover"><h1>T</h1></header><nav class="toc"><a href="#a">A</a>'
        '<a href="#b">B</a></nav>'
        '<section class="page-start" id="a"><h1>A</h1><p>one</p>'
        '<div class="page-start"><p>two</p><svg viewBox="0 0 1 1"><rect width="1"/></svg></div>'
        '<p>three</p></section><section class="page-start" id="b"><h1>B</h1></section>')


def test_parts_reopen_the_elements_around_a_cut_and_close_what_is_open():
    plan = plan_document(document(BODY), split_weight=0, part_weight=0)
    bodies = [part.html.split('<body class="report">')[1] for part in plan.parts()]
    assert bodies == [
        '<section class="page-start" id="a"><h1>A</h1><p>one</p></section></body></html>\n',
        '<section class="page-start" id="a"><div class="page-start"><p>two</p>'
        '<svg viewBox="0 0 1 1"><rect width="1"/></svg></div><p>three</p></section></body></html>\n',
        '<section class="page-start" id="b"><h1>B</h1></section></body></html>\n']
    assert all(part.html.count("content: none !important") == len(split.MARGIN_BOXES)
               for part in plan.parts())


def test_parts_are_grouped_up_to_the_part_weight():
    html = document(BODY)
    assert len(plan_document(html, split_weight=0, part_weight=10**6).parts()) == 1
    assert plan_document(html, split_weight=10**6) is None


def test_the_front_numbers_its_contents_from_attributes():
    plan = plan_document(document(BODY), split_weight=0, part_weight=0)
    front = plan.front({"a": 3, "b": 7})
    assert '<a data-docgen-page="3" href="#a">' in front and '<a data-docgen-page="7" href="#b">' in front
    assert "nav.toc a::after {" in front and "attr(data-docgen-page)" in front
    assert front.split('<body class="report">')[1].endswith("</nav></body></html>\n")


def test_the_overlay_hides_the_front_and_numbers_pages_for_the_whole_document():
    plan = plan_document(document(BODY), split_weight=0, part_weight=0)
    overlay = plan.overlay({"a": 3}, front_pages=2, first=5, count=4, total=9)
    assert "@page :nth(3) { counter-reset: page 5 }" in overlay
    assert "body * { visibility: hidden !important; }" in overlay
    assert overlay.count('<div class="docgen-blank-page"></div>') == 4
    assert "content: counter(page) ' of ' \"9\"" in overlay and "counter(pages)" not in overlay


@pytest.mark.parametrize("body, reason", [
    ('<section class="page-start"><p>open</section>', "closes nothing open"),
    ('<table><tr><td class="page-start">x</td></tr></table>', "inside <table><tr>"),
    ('<section class="page-start"></section><header class="cover"></header>', "after the first"),
])
def test_markup_that_cannot_be_cut(body, reason):
    with pytest.raises(NotSplittable, match=reason):
        scan(document(body))
    assert plan_document(document(body), split_weight=0) is None


@pytest.mark.parametrize("css, reason", [
    ("h2 { string-set: chapter content(text) }", "running strings"),
    ("@page :first { margin: 0 }", "numbered and sided"),
    ("h1 { counter-increment: chapter }", "counters would restart"),
    ("p::after { content: counter(page) }", "page margins only"),
    ("a::after { content: target-counter(attr(href), page) }", "target counters"),
    ("section { break-before: right }", "left and right pages"),
    ("section + section { margin-top: 0 }", "comes first"),
    ("div:first-child { margin: 0 }", "comes first"),
    ("@import url(x.css);", "@import"),
])
def test_print_css_that_parts_would_not_carry_over(css, reason):
    assert reason in css_problem(CSS + "\n" + css)


def test_our_print_css_can_be_carried_over():
    css = "\n".join(path.read_text() for path in sorted((data_dir("templates") / "css").glob("*.css"))
                    if path.name != "diff.css")
    assert css_problem(css) is None
    assert css_problem("tbody tr:nth-child(even) td { color: red }") is None


# -- the demo: short enough to have been rendered whole once ------------------------------

def demo_print_html(bundle: Path) -> str:
    """The demo's print HTML, as render_documents gives it to the PDF renderer."""
    captured: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docgen.render.documents, "plan_document", lambda html: captured.append(html))
        patch.setattr(docgen.render.documents, "render_pdf", lambda html, **where: b"")
        render_documents(load_bundle(bundle), request(jobs=1))
    return captured[0]


def test_the_demo_is_rendered_in_small_parts(demo_dir):
    plan = plan_document(demo_print_html(demo_dir / "contoso.bundle.json"))
    assert plan is not None and split.SPLIT_WEIGHT < plan.weight
    parts = plan.parts()
    assert len(parts) >= 8
    # a part weighs more than PART_WEIGHT only when it is one cut that cannot be divided
    heavy = [part for part in parts if part.weight > split.PART_WEIGHT]
    assert all(part.html.count('class="doc-section page-start') == 1 for part in heavy)


PARTED_IN_A_CHILD = """
import sys
from pathlib import Path
from docgen.bundle import load_bundle
from docgen.render.documents import RenderRequest, render_documents
import docgen.render.documents as documents
planned = []
plan_document = documents.plan_document
documents.plan_document = lambda html: planned.append(plan_document(html)) or planned[-1]
pdf = render_documents(load_bundle(Path(sys.argv[1])), RenderRequest(formats=("pdf",), stem="x", jobs=2))["x.pdf"]
print(planned[0] is not None, pdf.startswith(b"%PDF-"), "weasyprint" in sys.modules)
"""


def test_a_parted_render_leaves_weasyprint_to_the_rendering_processes(demo_dir):
    # Importing WeasyPrint takes half a second; the rendering processes' server does it
    # while this process makes the HTML, and this process never needs it.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PARTED_IN_A_CHILD, str(demo_dir / "contoso.bundle.json")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "False"], done.stderr
