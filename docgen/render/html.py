"""HTML through Jinja2: autoescaped, strict about undefined names, overridable."""

from __future__ import annotations

from pathlib import Path

import jinja2

from docgen.dates import parse_iso
from docgen.diff.engine import show
from docgen.errors import RenderError

REPORT_TEMPLATE = "report.html.j2"


def make_environment(builtin: Path, overrides: dict[str, str] | None = None) -> jinja2.Environment:
    """A customer's overrides (template name -> text) first, then our templates.

    Overrides are held as text, read by the project loader from the customer's
    own templates/ folder, so an override cannot load anything outside it.
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader(dict(overrides or {})),
                                    jinja2.FileSystemLoader(str(builtin))]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(datetime=format_datetime, day=format_day, filesize=format_size,
                       dash=dash, show=show)
    return env


def render_template(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"template error: {exc.message}", source=exc.filename or exc.name,
                          where=f"line {exc.lineno}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template error: {exc.message}", source=name) from None


def format_datetime(value: str | None) -> str:
    """'2026-11-28T03:26:38Z' -> '2026-11-28 03:26 UTC'."""
    if not value:
        return "—"
    return parse_iso(value).strftime("%Y-%m-%d %H:%M UTC")


def format_day(value: str | None) -> str:
    if not value:
        return "—"
    return parse_iso(value).strftime("%Y-%m-%d")


def format_size(size: int) -> str:
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
