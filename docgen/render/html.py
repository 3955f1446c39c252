"""HTML through Jinja2: autoescaped, strict about undefined names, overridable."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from docgen.core.dates import parse_iso
from docgen.core.errors import RenderError
from docgen.diff.engine import show

REPORT_TEMPLATE = "report.html.j2"

# Characters that HTML (and XML 1.0, which the PDF's metadata is written in) cannot
# carry: C0 controls other than tab, line feed and carriage return; DEL and the C1
# controls; noncharacters; unpaired surrogates. JSON bundles and DNS answers can hold
# them. Documents show each as a visible escape (NUL as \x00), as the DNS source
# already shows bytes that are not UTF-8; the bundle keeps the original.
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
                         for plane in range(0x10000, 0x110000, 0x10000))
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
                         f"\ufffe\uffff\ud800-\udfff{_NONCHARACTERS}]")


def make_environment(builtin: Path, overrides: dict[str, str] | None = None) -> jinja2.Environment:
    """A customer's overrides (template name -> text) first, then our templates.

    Overrides are held as text, read by the project loader from the customer's
    own templates/ folder, so an override cannot load anything outside it; and the
    environment is sandboxed, so a template cannot reach Python's internals either
    (in a plain one, ``cycler.__init__.__globals__.os`` runs any command).
    """
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader(dict(overrides or {})),
                                    jinja2.FileSystemLoader(str(builtin))]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=visible_text,
    )
    env.filters.update(datetime=format_datetime, day=format_day, filesize=format_size,
                       dash=dash, show=show)
    return env


def visible_text(value):
    """Every value a template prints, before it is escaped: characters HTML cannot
    carry become visible escapes (also inside Markup: notes, charts)."""
    if isinstance(value, str) and _UNSHOWABLE.search(value):
        shown = _UNSHOWABLE.sub(_escape_character, value)
        return Markup(shown) if isinstance(value, Markup) else shown
    return value


def _escape_character(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else (
        f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def render_template(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        return without_dangling_links(env.get_template(name).render(context))
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"template error: {exc.message}", source=exc.filename or exc.name,
                          where=f"line {exc.lineno}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template error: {exc.message}", source=name) from None
    except jinja2.sandbox.SecurityError as exc:
        raise RenderError(f"template refused: {exc}", source=name) from None


_ID = re.compile(r'\sid="([^"]*)"')
_LOCAL_LINK = re.compile(r'<a href="#([^"]*)"')


def without_dangling_links(html: str) -> str:
    """`html` whose in-document links all lead somewhere: a link to an element the
    document leaves out (the per-domain details at detail level 1) becomes plain text."""
    ids = set(_ID.findall(html))
    return _LOCAL_LINK.sub(lambda link: link.group(0) if link.group(1) in ids else "<a", html)


def format_datetime(value: str | None) -> str:
    """'2026-11-28T03:26:38Z' -> '2026-11-28 03:26 UTC'."""
    if not value:
        return "—"
    return parse_iso(value).strftime("%Y-%m-%d %H:%M UTC")


def format_day(value: str | None) -> str:
    if not value:
        return "—"
    return parse_iso(value).strftime("%Y-%m-%d")


def format_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def dash(value) -> str:
    """Empty values shown as a dash rather than as nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)
