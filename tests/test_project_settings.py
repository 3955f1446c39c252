"""docgen.toml is declared once (docgen/project/settings.py): the schema, the scaffold,
the README's table and the defaults of a loaded project all come from that declaration."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from docgen.areas import AREAS, area_names
from docgen.dns.client import ResolverSettings
from docgen.project import ProjectError, load_project, section_note_names
from docgen.project.settings import (
    TABLES,
    json_schema,
    readme_table,
    scaffold_toml,
    setting_name,
    table,
)
from support.wordtemplate import make_dotx

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_section(heading: str) -> str:
    text = README.read_text("utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def test_the_readme_table_is_the_declaration():
    """Like Datasette's docs check: edit the declaration, then paste the table it prints here."""
    lines = readme_section("A customer folder").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| key |"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    expected = readme_table()
    assert lines[start:end] == expected, (
        "README.md's docgen.toml table differs from docgen/project/settings.py; the table is:\n"
        + "\n".join(expected))


def test_the_readme_names_each_areas_note():
    listed = re.search(r"`<section>\.md` \(([^)]*)\)", readme_section("A customer folder"))
    assert listed is not None
    assert re.findall(r"`([^`]+)`", listed[1]) == list(section_note_names())


def test_sections_are_the_registrys_areas_with_their_default_detail():
    sections = table("sections")
    assert [(key.name, key.default) for key in sections.keys] == [(a.name, a.detail) for a in AREAS]
    assert list(json_schema()["properties"]["sections"]["properties"]) == list(area_names())
    assert all(area.title in key.help for area, key in zip(AREAS, sections.keys))


def test_dns_defaults_ranges_and_help_are_the_resolver_settings():
    dns = table("dns")
    for item in dataclasses.fields(ResolverSettings):
        key = dns.key(item.name)
        assert (key.default, key.help) == (item.default, item.metadata["help"])
        bound = "exclusiveMinimum" if item.metadata["above"] else "minimum"
        assert key.schema[bound] == item.metadata["minimum"]


def make_project(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "contoso"
    folder.mkdir(parents=True)
    (folder / "docgen.toml").write_text(text, "utf-8")
    return folder


def test_a_loaded_project_takes_the_declared_defaults(tmp_path):
    project = load_project(make_project(tmp_path, '[document]\norganization = "Contoso Ltd."\n'))
    assert project.dns.resolver == ResolverSettings()
    assert (project.dns.domains, project.dns.nameservers, project.dns.zone_files, project.dns.skip) == (
        (), (), (), False)
    assert (project.formats, project.name) == (("html", "pdf"), "contoso-ltd")
    options = project.options
    assert (options.title, options.authors, options.classification, options.accent_color) == (
        None, (), "", None)
    assert {name: options.detail_of(name) for name in area_names()} == {a.name: a.detail for a in AREAS}


def test_dns_settings_reach_the_resolver(tmp_path):
    project = load_project(make_project(tmp_path, '[document]\norganization = "Contoso"\n'
                                        '[dns]\ntimeout = 5\nretries = 0\n'))
    assert project.dns.resolver == ResolverSettings(timeout=5, retries=0)


def test_wrong_dns_settings_are_named(tmp_path):
    folder = make_project(tmp_path, '[document]\norganization = "Contoso"\n'
                          '[dns]\ntimeout = 0\nretries = -1\nskip = "yes"\nnameserver = "192.0.2.1"\n')
    with pytest.raises(ProjectError) as caught:
        load_project(folder)
    assert caught.value.problems == [
        "dns: unknown key 'nameserver'",
        "dns.retries: -1 is less than the minimum of 0",
        "dns.skip: 'yes' is not of type 'boolean'",
        "dns.timeout: 0 is less than or equal to the minimum of 0",
    ]


def test_the_scaffold_comments_every_key():
    text = scaffold_toml("Contoso", date(2026, 5, 1))
    lines = text.splitlines()
    for declared in TABLES:
        header = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith(
            declared.header if declared.entries is None else f"[{declared.name}."))
        assert lines[header - 1].lower().startswith(f"# {declared.help.lower()}")
        body = lines[header:]
        for key in declared.keys:
            at = next(i for i, line in enumerate(body) if re.match(rf"(# )?{key.name} = ", line))
            assert body[at - 1].lower().startswith(f"# {key.help.lower()}"), key.name


def test_the_scaffold_is_a_valid_project_and_so_is_every_example(tmp_path):
    today = date(2026, 5, 1)
    written = tomllib.loads(scaffold_toml("Contoso", today))
    assert written["document"] == {"organization": "Contoso", "title": "As-built documentation: Contoso",
                                   "authors": ["Your Name"], "classification": "CONFIDENTIAL"}
    assert written["revisions"] == [{"version": "0.1", "date": today, "author": "Your Name",
                                     "change": "First draft"}]
    assert written["sections"] == {area.name: area.detail for area in AREAS}
    assert written["dns"] == {} and written["output"] == {"formats": ["html", "pdf"]}
    assert "rules" not in written and "accepted_risks" not in written
    load_project(make_project(tmp_path, scaffold_toml("Contoso", today)))
    # every commented example, uncommented: still valid (schema, rule ids, the logo's kind)
    folder = make_project(tmp_path / "all", scaffold_toml("Contoso", today, every_key=True))
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (folder / "branding").mkdir()
    (folder / "branding" / "contoso.dotx").write_bytes(make_dotx())
    project = load_project(folder)
    assert project.options.docx_template is not None
    assert project.options.docx_template.name == "contoso.dotx"
    # [mobile] block_native_ios_mail = true turns its rule on
    assert project.options.rule_overrides == {"exchange-smtp-cert-expires-soon": {"days": 14},
                                              "mobile-ios-native-mail-not-blocked": {"required": True}}
    assert project.include_user_names is True
    assert project.dns.skip is True


def test_a_name_with_quotes_and_backslashes_survives_the_scaffold(tmp_path):
    name = 'Contoso "Q" \\ Ltd\x7f'
    project = load_project(make_project(tmp_path, scaffold_toml(name, date(2026, 5, 1))))
    assert project.organization == name


def test_messages_name_only_declared_settings():
    assert setting_name("dns", "nameservers") == "[dns] nameservers"
    with pytest.raises(KeyError):
        setting_name("dns", "nameserver")
    with pytest.raises(KeyError):
        setting_name("dnss", "nameservers")
