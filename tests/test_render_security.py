"""What rendering may reach: WeasyPrint fetches only docgen's own files and data: URLs,
a bundle string naming a file stays text, and a customer's template override can
reach neither files outside its folder nor Python's internals.
"""

from __future__ import annotations

import logging
import os

import pytest

from docgen.core.errors import RenderError
from docgen.core.resources import data_dir
from docgen.project import ProjectError, load_project
from docgen.render.documents import RenderRequest, render_documents
from docgen.render.html import make_environment, render_template
from docgen.render.pdf import local_fetcher
from support.hostile import HOSTILE, build_bundle

TEMPLATES = data_dir("templates")
FONT = TEMPLATES / "assets" / "fonts" / "DejaVuSans.ttf"


def read(response) -> bytes:
    try:
        return response.read()
    finally:
        response.close()


@pytest.fixture
def fetch():
    return local_fetcher([TEMPLATES]).fetch


def test_the_fetcher_gives_data_urls_and_files_under_the_template_folder(fetch):
    assert read(fetch("data:text/plain;base64,aGk=")) == b"hi"
    assert read(fetch(FONT.as_uri())) == FONT.read_bytes()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.png",
    "https://example.com/logo.png",
    "ftp://example.com/x",
    "file:///etc/passwd",
    "file://fileserver/share/logo.png",
    "gopher://example.com/",
    (TEMPLATES / "assets" / ".." / ".." / ".." / "etc" / "passwd").as_uri(),
    TEMPLATES.as_uri() + "/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
])
def test_the_fetcher_refuses_everything_else(fetch, url, caplog):
    with caplog.at_level(logging.DEBUG, logger="docgen.render.pdf"):
        with pytest.raises(ValueError, match="docgen fetches only its own files; refused"):
            fetch(url)
    assert caplog.messages == [f"fetch refused: {url}"]


def test_a_link_inside_an_allowed_folder_that_leads_outside_is_refused(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "inside.txt").write_text("ok")
    os.symlink("/etc/passwd", root / "passwd.txt")
    fetch = local_fetcher([root]).fetch
    assert read(fetch((root / "inside.txt").as_uri())) == b"ok"
    with pytest.raises(ValueError):
        fetch((root / "passwd.txt").as_uri())


@pytest.mark.slow   # renders a PDF
def test_a_bundle_string_naming_a_file_stays_text_and_nothing_outside_is_fetched(tmp_path,
                                                                                caplog):
    loaded = build_bundle(tmp_path / "hostile", HOSTILE)
    warnings: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="docgen.render.pdf"):
        outputs = render_documents(loaded, RenderRequest(("html", "pdf"), "doc"), warnings)
    html = outputs["doc.html"].decode()
    assert '<img src="file:///etc/passwd">' not in html
    assert '&lt;img src=&#34;file:///etc/passwd&#34;&gt;' in html
    fetched = [message.split(": ", 1)[1] for message in caplog.messages
               if message.startswith("fetch ")]
    assert fetched, "the PDF loads its fonts through the fetcher"
    assert all(message.startswith("fetch allowed: ") for message in caplog.messages
               if message.startswith("fetch "))
    assert all(url.startswith(TEMPLATES.as_uri() + "/") or url.startswith("data:")
               for url in fetched)
    assert not [warning for warning in warnings if "passwd" in warning or "refused" in warning]


def override(template: str) -> str:
    """The cover partial overridden by `template`, rendered with an empty context."""
    env = make_environment(TEMPLATES, {"partials/cover.html.j2": template})
    return render_template(env, "partials/cover.html.j2", {})


@pytest.mark.parametrize("template, missing", [
    ('{% include "../../etc/passwd" %}', "../../etc/passwd"),
    ('{% include "/etc/passwd" %}', "/etc/passwd"),
    ('{% extends "../report.html.j2/../../../../etc/passwd" %}',
     "../report.html.j2/../../../../etc/passwd"),
    ('{% import "/etc/hostname" as h %}', "/etc/hostname"),
])
def test_an_override_cannot_include_a_file_outside_the_templates(template, missing):
    with pytest.raises(RenderError) as caught:
        override(template)
    assert str(caught.value) == f"template not found: {missing}"


@pytest.mark.parametrize("template", [
    '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].listdir('/') }}",
])
def test_an_override_cannot_reach_python_internals(template):
    with pytest.raises(RenderError) as caught:
        override(template)
    assert str(caught.value).startswith("partials/cover.html.j2: template refused: access to ")


def test_an_override_may_still_include_builtin_templates():
    assert "@font-face" in override('{% include "css/fonts.css" %}')


def test_a_linked_override_is_refused_by_the_project_loader(run_cli, tmp_path):
    folder = tmp_path / "contoso"
    assert run_cli("init", folder, "--organization", "Contoso").exit_code == 0
    (folder / "templates" / "partials").mkdir(parents=True)
    # A linked folder is not walked into: nothing in it becomes an override.
    os.symlink(TEMPLATES / "sections", folder / "templates" / "sections")
    assert load_project(folder).options.templates == {}
    os.symlink("/etc/passwd", folder / "templates" / "partials" / "cover.html.j2")
    with pytest.raises(ProjectError) as caught:
        load_project(folder)
    assert caught.value.problems == [
        "templates/partials/cover.html.j2: links outside the templates folder are not followed"]
