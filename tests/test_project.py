"""Project folders: init, docgen.toml checks, build, notes, branding, detail, accepted risks."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from conftest import EXCHANGE_SAMPLES
from docgen.app.build import BUILD_DNS_NAMES
from docgen.app.collect_dns import DnsRequest, prepare_dns
from docgen.cli import cli
from docgen.core.errors import DocgenError
from docgen.project import ProjectError, load_project, organization_from_folder, section_note_names

PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082")


@pytest.fixture
def project(run_cli, tmp_path) -> Path:
    folder = tmp_path / "contoso"
    result = run_cli("init", folder, "--organization", "Contoso")
    assert result.exit_code == 0, result.output
    shutil.copy(EXCHANGE_SAMPLES / "contoso-exchange-certs.json", folder / "raw")
    return folder


def write_toml(folder: Path, body: str) -> None:
    # HTML only unless a test asks for more: PDFs are read back in test_render_pdf.py
    if "[output]" not in body:
        body += '\n[output]\nformats = ["html"]\n'
    (folder / "docgen.toml").write_text(body)


def build(run_cli, folder: Path, monkeypatch):
    monkeypatch.chdir(folder)
    return run_cli("build")


def without_progress(stderr: str) -> str:
    """stderr without the stage lines a build prints when not on a terminal."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("docgen build: "))


def page(folder: Path, name: str = "contoso.html"):
    return lxml.html.fromstring((folder / "out" / name).read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split())


def test_init_scaffolds_the_folder(project):
    names = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert "docgen.toml" in names and "HOWTO.md" in names and "notes/intro.md" in names
    assert "raw/README.md" in names and "collectors/Export-ExchangeCertificates.ps1" in names
    assert 'organization = "Contoso"' in (project / "docgen.toml").read_text()


def test_init_refuses_an_existing_project(run_cli, project):
    result = run_cli("init", project, "--organization", "Other")
    assert result.exit_code == 1
    assert result.stderr == f"error: {project}: already a docgen project (docgen.toml exists)\n"


def test_build_from_a_subfolder_finds_the_project(run_cli, project, monkeypatch):
    result = build(run_cli, project / "notes", monkeypatch)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "out").iterdir()) == ["contoso.bundle.json", "contoso.html",
                                                                   "contoso.pdf"]
    doc = page(project)
    assert text(doc.cssselect("p.classification")[0]) == "CONFIDENTIAL"
    assert [text(td) for td in doc.cssselect("table.revisions td")][:3] == ["0.1", text(doc.cssselect(
        "table.revisions td")[1]), "Your Name"]
    assert text(doc.cssselect("#note-intro h1")[0]) == "Introduction"


def test_build_outside_a_project(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("build")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {tmp_path}: not inside a docgen project (no docgen.toml here or "
                             "above); create one with 'docgen init'\n")


def test_unrecognised_raw_files_are_named_not_lost(run_cli, project, monkeypatch):
    (project / "raw" / "notes.txt").write_text("hello")
    (project / "raw" / "old-exports").mkdir()
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 4
    assert without_progress(result.stderr) == (
        "warning: raw/notes.txt: not an input docgen recognises; skipped (recorded in the bundle "
        "and listed in the report)\n"
        "warning: raw/old-exports: not an input docgen recognises; skipped (recorded in the "
        "bundle and listed in the report)\n")
    bundle = json.loads(next((project / "out").glob("*.bundle.json")).read_text())
    assert bundle["skipped_inputs"] == [
        {"name": "raw/notes.txt", "size": 5, "reason": "not an input docgen recognises",
         "sha256": hashlib.sha256(b"hello").hexdigest()},
        {"name": "raw/old-exports", "size": None, "sha256": None,
         "reason": "not an input docgen recognises (a folder)"}]
    page = lxml.html.fromstring(next((project / "out").glob("*.html")).read_bytes())
    rows = page.cssselect('table[data-table="skipped-inputs"] tbody tr')
    assert [row.cssselect("td")[0].text_content() for row in rows] == ["raw/notes.txt", "raw/old-exports"]
    assert hashlib.sha256(b"hello").hexdigest() in rows[0].text_content()


def test_inputs_in_subfolders_of_raw_are_found(run_cli, project, monkeypatch):
    """raw/exchange/certs.json is an input like raw/certs.json; what is not is named by its path."""
    (project / "raw" / "exchange").mkdir()
    (project / "raw" / "contoso-exchange-certs.json").rename(project / "raw" / "exchange" / "certs.json")
    (project / "raw" / "exchange" / "handover.txt").write_text("notes")
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 4
    bundle = json.loads(next((project / "out").glob("*.bundle.json")).read_text())
    assert bundle["sections"]["exchange_certificates"]["status"] == "ok"
    assert [entry["name"] for entry in bundle["skipped_inputs"]] == ["raw/exchange/handover.txt"]


def test_every_toml_problem_is_reported_at_once(run_cli, project, monkeypatch):
    write_toml(project, """
[document]
organisation = "Contoso"
authors = "me"
accent_color = "red"

[sections]
exchange_certificates = 5
dns = 1

[[accepted_risks]]
finding = "exchange-smtp-cert-weak-key:ex04"
reason = "old"
until = "soon"

[rules.exchange-smtp-cert-expires]
days = "sixty"
""")
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"error: {project / 'docgen.toml'}: 9 problem(s) in "
                                             "docgen.toml and the project folder")
    problems = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert problems == [
        "accepted_risks[0]: missing 'accepted_by'",
        "accepted_risks[0].until: 'soon' is not a 'date'",
        "document: missing 'organization'",
        "document: unknown key 'organisation'",
        "document.accent_color: 'red' does not match '^#[0-9a-fA-F]{6}$'",
        "document.authors: 'me' is not of type 'array'",
        "sections: unknown key 'dns'",
        "sections.exchange_certificates: 5 is greater than the maximum of 3",
        "rules.exchange-smtp-cert-expires.days: expected int",
    ]


def test_toml_syntax_error_names_the_line(project):
    write_toml(project, '[document]\norganization = "Contoso\n')
    with pytest.raises(ProjectError) as caught:
        load_project(project)
    assert "not valid TOML: Illegal character '\\n' (at line 2, column 24)" in str(caught.value)


def test_folder_problems_are_reported_at_once(project):
    (project / "notes" / "todo.md").write_text("x")
    (project / "templates").mkdir()
    (project / "templates" / "cover.html.j2").write_text("x")
    write_toml(project, '[document]\norganization = "Contoso"\nlogo = "../secret.png"\n'
                        '[rules.no-such-rule]\ndays = 1\n')
    with pytest.raises(ProjectError) as caught:
        load_project(project)
    assert caught.value.problems == [
        "document.logo: '../secret.png' is outside the project folder",
        "notes/todo.md: not a note name docgen places (intro.md, scope.md, <section>.md with a section of "
        "aadconnect, conditional_access, identity_protection, exchange_certificates, exchange_connectors, "
        "exchange_servers, mobile_access, dkim, mail_auth, or appendix-*.md)",
        "templates/cover.html.j2: docgen has no template of that name to override",
        "rules.no-such-rule: no such rule",
    ]


def test_notes_are_placed_by_name_and_html_in_them_is_text(run_cli, project, monkeypatch):
    notes = project / "notes"
    (notes / "scope.md").write_text("In scope: <script>alert(1)</script> the **Exchange** servers.\n\n"
                                    "| Server | Site |\n|---|---|\n| EX01 | HQ |\n")
    (notes / "exchange_certificates.md").write_text("# Why\nWe renewed EX03 on 1 Dec.\n\n```\nGet-ExchangeCertificate\n```\n")
    (notes / "appendix-glossary.md").write_text("DKIM: DomainKeys Identified Mail. [x](javascript:alert(1))")
    assert build(run_cli, project, monkeypatch).exit_code == 0
    doc = page(project)
    assert doc.cssselect("script") == []
    scope = doc.cssselect("#note-scope")[0]
    assert text(scope.cssselect("h1")[0]) == "Scope"
    assert "<script>alert(1)</script>" in text(scope)
    assert [text(td) for td in scope.cssselect("table td")] == ["EX01", "HQ"]
    section_note = doc.cssselect("#sec-exchange_certificates .section-note")[0]
    assert text(section_note.cssselect("h2")[0]) == "Why"  # headings move one level down
    assert text(section_note.cssselect("pre code")[0]) == "Get-ExchangeCertificate"
    appendix = doc.cssselect("#note-appendix-glossary")[0]
    assert text(appendix.cssselect("h1")[0]) == "Appendix: glossary"
    assert appendix.cssselect("a")[0].get("href") is None
    toc = [text(a) for a in doc.cssselect("nav.toc a")]
    assert toc == ["Introduction", "Scope", "Summary of findings", "Exchange certificates",
                   "Appendix: glossary", "Inputs and provenance"]


def test_logo_accent_and_authors(run_cli, project, monkeypatch):
    (project / "logo.png").write_bytes(PNG_1PX)
    write_toml(project, '[document]\norganization = "Contoso"\nauthors = ["A. One", "B. Two"]\n'
                        'logo = "logo.png"\naccent_color = "#aa3300"\n')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    doc = page(project)
    assert doc.cssselect("img.logo")[0].get("src").startswith("data:image/png;base64,iVBORw0KGgo")
    assert ":root { --accent: #aa3300; }" in doc.cssselect("style")[0].text
    facts = dict(zip([text(d) for d in doc.cssselect("header.cover dt")],
                     [text(d) for d in doc.cssselect("header.cover dd")]))
    assert facts["Author"] == "A. One, B. Two"


def test_detail_levels(run_cli, project, monkeypatch):
    write_toml(project, '[document]\norganization = "Contoso"\n[sections]\nexchange_certificates = 1\n')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    doc = page(project)
    assert doc.cssselect("#sec-exchange_certificates table.exchange-servers")
    assert doc.cssselect("#sec-exchange_certificates dl.facts") == []
    write_toml(project, '[document]\norganization = "Contoso"\n[sections]\nexchange_certificates = 3\n')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    assert len(page(project).cssselect("#sec-exchange_certificates dd.der")) == 4
    write_toml(project, '[document]\norganization = "Contoso"\n[sections]\nexchange_certificates = 0\n')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    doc = page(project)
    assert doc.cssselect("#sec-exchange_certificates") == []
    assert doc.cssselect("#summary table.findings") == []  # its findings go with it


def test_accepted_risks_and_expired_ones(run_cli, project, monkeypatch):
    write_toml(project, """[document]
organization = "Contoso"
[[accepted_risks]]
finding = "exchange-smtp-cert-weak-key:ex04"
reason = "EX04 leaves in March"
accepted_by = "J. Smith, CISO"
until = 2027-03-31
[[accepted_risks]]
finding = "exchange-smtp-cert-missing:ex05"
reason = "was being installed"
accepted_by = "J. Smith, CISO"
until = 2026-10-01
""")
    assert build(run_cli, project, monkeypatch).exit_code == 0
    doc = page(project)
    accepted = doc.cssselect("#summary table.accepted tbody tr")
    assert [row.get("data-finding-id") for row in accepted] == ["exchange-smtp-cert-weak-key:ex04"]
    open_ids = [row.get("data-finding-id") for row in doc.cssselect("#summary table.findings tbody tr")]
    assert "exchange-smtp-cert-weak-key:ex04" not in open_ids
    assert "exchange-smtp-cert-missing:ex05" in open_ids  # accepted until before collection: counts again
    counts = {text(b).split()[1]: int(text(b).split()[0]) for b in doc.cssselect("#summary .count")}
    assert counts["high"] == 3
    expired = doc.cssselect('#summary tr[data-finding-id="exchange-smtp-cert-missing:ex05"] em.expired-acceptance')
    assert text(expired[0]) == "(accepted by J. Smith, CISO until 2026-10-01; that acceptance has expired)"


def test_template_override_by_name(run_cli, project, monkeypatch):
    (project / "templates" / "partials").mkdir(parents=True)
    (project / "templates" / "partials" / "provenance.html.j2").write_text(
        '<section id="provenance"><h1>Sources</h1><p class="custom">{{ inputs | length }} file(s)</p></section>')
    assert build(run_cli, project, monkeypatch).exit_code == 0
    assert text(page(project).cssselect("#provenance p.custom")[0]) == "1 file(s)"


def test_render_inside_a_project_uses_its_options(run_cli, project, monkeypatch, tmp_path):
    assert build(run_cli, project, monkeypatch).exit_code == 0
    out = tmp_path / "again"
    result = run_cli("render", project / "out" / "contoso.bundle.json", "-o", out, "--format", "html",
                     "--classification", "INTERNAL")
    assert result.exit_code == 0
    doc = lxml.html.fromstring((out / "contoso.html").read_bytes())
    assert text(doc.cssselect("p.classification")[0]) == "INTERNAL"
    assert doc.cssselect("#note-intro")
    result = run_cli("render", project / "out" / "contoso.bundle.json", "-o", out, "--format", "html",
                     "--no-project")
    assert lxml.html.fromstring((out / "contoso.html").read_bytes()).cssselect("#note-intro") == []


def test_build_reads_every_source_and_collects_dns_from_zone_files(run_cli, project, monkeypatch):
    samples = EXCHANGE_SAMPLES.parent
    shutil.copy(samples / "aadconnect" / "contoso-aadconnect.json", project / "raw")
    shutil.copytree(samples / "aadconnect" / "contoso-2016", project / "raw" / "contoso-2016")
    shutil.copy(samples / "dns" / "contoso-dkim-collector.json", project / "raw")
    shutil.copytree(samples / "dns" / "zones", project / "planned")
    zones = ", ".join(f'"planned/{p.name}"' for p in sorted((project / "planned").glob("*.zone")))
    write_toml(project, f'[document]\norganization = "Contoso"\n[dns]\nzone_files = [{zones}]\n')
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 0, result.output
    bundle = json.loads((project / "out" / "contoso.bundle.json").read_text())
    assert {name: (s["status"], len(s["items"])) for name, s in bundle["sections"].items()} == {
        "aadconnect": ("ok", 1), "exchange_certificates": ("ok", 5), "dkim": ("ok", 10), "mail_auth": ("ok", 10)}
    # the export folder the collector JSON names is read once, through the JSON
    aad_inputs = [entry["name"] for entry in bundle["inputs"] if entry["section"] == "aadconnect"]
    assert len(aad_inputs) == len(set(aad_inputs))
    assert "contoso-aadconnect.json" in aad_inputs
    assert page(project).cssselect("#sec-mail_auth figure.mail-matrix")


def test_build_refuses_two_dkim_exports(run_cli, project, monkeypatch):
    samples = EXCHANGE_SAMPLES.parent / "dns"
    shutil.copy(samples / "contoso-dkim-collector.json", project / "raw" / "a.json")
    shutil.copy(samples / "contoso-dkim-collector.json", project / "raw" / "b.json")
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 1
    assert without_progress(result.stderr) == f"error: {project / 'raw'}: raw/ holds 2 DKIM exports (a.json, b.json); keep one\n"


# -- `docgen init` without --organization ---------------------------------------------


def init(folder: Path, *args: str, terminal: bool = False, answer: str | None = None,
         monkeypatch=None):
    """`docgen init` with stdin a terminal (answering `answer`) or not."""
    if monkeypatch is not None:
        monkeypatch.setattr("docgen.cli._on_terminal", lambda: terminal)
    return CliRunner().invoke(cli, ["init", str(folder), *args], input=answer, prog_name="docgen",
                              catch_exceptions=False)


@pytest.mark.parametrize("name, organization", [
    ("contoso", "Contoso"), ("contoso-ltd", "Contoso Ltd"), ("ACME_corp", "ACME Corp"),
    ("fabrikam.com", "Fabrikam.com"), ("northwind  traders", "Northwind Traders"),
])
def test_the_organization_made_from_a_folder_name(tmp_path, name, organization):
    assert organization_from_folder(tmp_path / name) == organization


def test_init_without_a_terminal_takes_the_folder_name_and_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "customers" / "contoso-ltd"
    result = init(folder, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert ("organization: Contoso Ltd (from the folder's name; to change it, edit "
            "[document] organization in docgen.toml)") in result.stdout.splitlines()
    project = load_project(folder)
    assert (project.organization, project.name) == ("Contoso Ltd", "contoso-ltd")


def test_init_on_a_terminal_asks(tmp_path, monkeypatch):
    result = init(tmp_path / "contoso-ltd", terminal=True, answer="Contoso Limited\n",
                  monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Organisation (the customer's name) [Contoso Ltd]: ")
    assert ("organization: Contoso Limited (to change it, edit [document] organization in "
            "docgen.toml)") in result.stdout.splitlines()
    assert load_project(tmp_path / "contoso-ltd").organization == "Contoso Limited"
    # an empty answer takes the name shown; a blank one is asked again
    result = init(tmp_path / "fabrikam", terminal=True, answer="  \n\n", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "the organisation's name is empty" in result.output
    assert load_project(tmp_path / "fabrikam").organization == "Fabrikam"


def test_the_organization_option_wins_and_asks_nothing(tmp_path, monkeypatch):
    result = init(tmp_path / "contoso-ltd", "--organization", "Contoso", terminal=True,
                  monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Organisation" not in result.stdout and "organization:" not in result.stdout
    assert load_project(tmp_path / "contoso-ltd").organization == "Contoso"
    result = init(tmp_path / "other", "--organization", " ", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "the organisation's name is empty" in result.stderr


def test_init_refuses_an_existing_project_before_asking(tmp_path, monkeypatch, project):
    result = init(project, terminal=True, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {project}: already a docgen project (docgen.toml exists)\n"


def test_the_intro_note_names_the_registrys_section_notes(project):
    intro = (project / "notes" / "intro.md").read_text()
    assert f"({', '.join(f'`{name}`' for name in section_note_names())})" in intro


# -- DNS messages name what a `docgen build` user can change -------------------------


def test_build_names_docgen_toml_keys_not_options(run_cli, project, monkeypatch):
    write_toml(project, '[document]\norganization = "Contoso"\n[dns]\ndomains = ["contoso.com"]\n'
                        'nameservers = ["192.0.2.53"]\nzone_files = ["contoso.com.zone"]\n')
    result = build(run_cli, project, monkeypatch)
    assert (result.exit_code, without_progress(result.stderr)) == (
        1, "error: give [dns] nameservers or [dns] zone_files in docgen.toml, not both\n")
    monkeypatch.setattr("docgen.app.collect_dns.system_nameservers", lambda: [])
    write_toml(project, '[document]\norganization = "Contoso"\n[dns]\ndomains = ["contoso.com"]\n')
    result = build(run_cli, project, monkeypatch)
    assert (result.exit_code, without_progress(result.stderr)) == (
        1, "error: no nameserver configured on this machine: give [dns] nameservers in docgen.toml\n")


def test_collect_dns_names_its_options(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr("docgen.app.collect_dns.system_nameservers", lambda: [])
    result = run_cli("collect", "dns", "--domain", "contoso.com", "-o", tmp_path / "b.json")
    assert (result.exit_code, without_progress(result.stderr)) == (
        1, "error: no nameserver configured on this machine: give --nameserver\n")


def test_no_domains_is_worded_for_the_caller():
    with pytest.raises(DocgenError) as caught:
        prepare_dns(DnsRequest(names=BUILD_DNS_NAMES))
    assert caught.value.message == ("no domains to look up: give [dns] domains in docgen.toml, "
                                    "or a DKIM export in raw/")


def test_an_unknown_output_format_is_refused_not_skipped(run_cli, project, monkeypatch):
    (project / "docgen.toml").write_text('[document]\norganization = "Contoso"\n[output]\nformats = ["html", "pdff"]\n')
    result = build(run_cli, project, monkeypatch)
    assert result.exit_code == 1
    assert "output.formats[1]: 'pdff' is not one of 'html', 'pdf'" in result.stderr
    assert not (project / "out").exists() or not list((project / "out").iterdir())
