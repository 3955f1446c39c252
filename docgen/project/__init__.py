"""A customer's documentation folder: docgen.toml, notes/, raw/, templates/, out/.

`docgen init` makes one; every other command run inside it finds docgen.toml
by walking up from the current folder.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from docgen.bundle.schema import format_errors
from docgen.checks.rules import default_rules, with_overrides
from docgen.core.errors import DocgenError
from docgen.core.resources import data_dir
from docgen.render.options import AcceptedRisk, DocumentOptions, Logo, Revision

PROJECT_FILE = "docgen.toml"
NOTE_NAMES = ("intro.md", "scope.md")
SECTION_NAMES = ("aadconnect", "exchange_certificates", "dkim", "mail_auth")
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_NOTE_BYTES = 1024 * 1024


class ProjectError(DocgenError):
    """docgen.toml or the project folder is wrong; `problems` lists every finding."""

    def __init__(self, message: str, *, source: str | None = None, problems: list[str] | None = None):
        super().__init__(message, source=source)
        self.problems = list(problems or [])


@dataclass(frozen=True)
class DnsSettings:
    domains: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ()
    timeout: float | None = None
    retries: int | None = None
    concurrency: int | None = None
    deadline: float | None = None
    zone_files: tuple[Path, ...] = ()
    skip: bool = False


@dataclass(frozen=True)
class Project:
    root: Path
    organization: str
    options: DocumentOptions
    dns: DnsSettings = field(default_factory=DnsSettings)
    formats: tuple[str, ...] = ("html", "pdf")
    name: str = "report"

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def bundle_path(self) -> Path:
        return self.out_dir / f"{self.name}.bundle.json"


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding docgen.toml."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def load_project(root: Path) -> Project:
    """Read and check docgen.toml and the folder; every problem is reported at once."""
    path = root / PROJECT_FILE
    settings = _read_toml(path)
    problems = format_errors(list(_validator().iter_errors(settings)))
    document = found if isinstance(found := settings.get("document"), dict) else {}
    logo_setting = document.get("logo") if isinstance(document.get("logo"), str) else None
    logo, logo_problems = _logo(root, logo_setting)
    notes, note_problems = _notes(root / "notes")
    templates, template_problems = _templates(root / "templates")
    rules_setting = found if isinstance(found := settings.get("rules"), dict) else {}
    rules, rule_problems = _rule_overrides(rules_setting)
    problems += logo_problems + note_problems + template_problems + rule_problems
    if problems:
        raise ProjectError(f"{len(problems)} problem(s) in {PROJECT_FILE} and the project folder",
                           source=str(path), problems=problems)
    organization = document["organization"]
    options = DocumentOptions(
        title=document.get("title"),
        authors=tuple(document.get("authors", ())),
        classification=document.get("classification", ""),
        accent_color=document.get("accent_color"),
        logo=logo,
        revisions=tuple(Revision(**entry) for entry in settings.get("revisions", ())),
        detail=dict(settings.get("sections", {})),
        accepted_risks=tuple(AcceptedRisk(**entry) for entry in settings.get("accepted_risks", ())),
        notes=notes,
        templates=templates,
        rule_overrides=rules,
    )
    output = settings.get("output", {})
    return Project(root=root, organization=organization, options=options,
                   dns=_dns(root, settings.get("dns", {})),
                   formats=tuple(output.get("formats", ("html", "pdf"))),
                   name=output.get("name") or _slug(organization))


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ProjectError(f"cannot read ({exc.strerror or exc})", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ProjectError(f"not UTF-8 text (byte {exc.start})", source=str(path)) from None
    try:
        return _dates_as_text(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line 3, column 5)": it names the place already
        raise ProjectError(f"not valid TOML: {exc}", source=str(path)) from None


def _dates_as_text(value: Any) -> Any:
    """TOML dates become ISO text, so the schema (and JSON records) can hold them."""
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _validator():
    from jsonschema import Draft202012Validator, FormatChecker  # only when a project is loaded

    schema = json.loads(resources.files("docgen.project").joinpath("project.schema.json").read_text("utf-8"))
    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_is_date)
    return Draft202012Validator(schema, format_checker=checker)


def _is_date(value: Any) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


def _inside(root: Path, relative: str) -> Path | None:
    """`relative` resolved under `root`, or None when it points outside."""
    candidate = (root / relative).resolve()
    return candidate if candidate.is_relative_to(root.resolve()) else None


def _logo(root: Path, relative: str | None) -> tuple[Logo | None, list[str]]:
    if relative is None:
        return None, []
    path = _inside(root, relative)
    if path is None:
        return None, [f"document.logo: {relative!r} is outside the project folder"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [f"document.logo: cannot read {relative!r} ({exc.strerror or exc})"]
    if len(data) > MAX_LOGO_BYTES:
        return None, [f"document.logo: {relative!r} is larger than 2 MB"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Logo(path.name, "image/png", data), []
    if b"<svg" in data[:4096]:
        return Logo(path.name, "image/svg+xml", data), []
    return None, [f"document.logo: {relative!r} is neither PNG nor SVG"]


def _notes(folder: Path) -> tuple[dict[str, str], list[str]]:
    notes: dict[str, str] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return notes, problems
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or path.is_dir():
            continue
        if not _known_note(name):
            problems.append(f"notes/{name}: not a note name docgen places (intro.md, scope.md, "
                            f"<section>.md with a section of {', '.join(SECTION_NAMES)}, or appendix-*.md)")
            continue
        try:
            data = path.read_bytes()
            if len(data) > MAX_NOTE_BYTES:
                problems.append(f"notes/{name}: larger than 1 MB")
                continue
            notes[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(f"notes/{name}: not UTF-8 text (byte {exc.start})")
    return notes, problems


def _known_note(name: str) -> bool:
    return (name in NOTE_NAMES or name in {f"{section}.md" for section in SECTION_NAMES}
            or (name.startswith("appendix-") and name.endswith(".md") and len(name) > len("appendix-.md")))


def _templates(folder: Path) -> tuple[dict[str, str], list[str]]:
    """Overrides of built-in templates, by the same relative name; unknown names are refused."""
    overrides: dict[str, str] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return overrides, problems
    builtin = data_dir("templates")
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(folder).as_posix()
        if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
            problems.append(f"templates/{name}: links outside the templates folder are not followed")
        elif not (builtin / name).is_file():
            problems.append(f"templates/{name}: docgen has no template of that name to override")
        else:
            try:
                overrides[name] = path.read_text("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(f"templates/{name}: not UTF-8 text (byte {exc.start})")
    return overrides, problems


def _rule_overrides(overrides: dict) -> tuple[dict, list[str]]:
    try:
        with_overrides(default_rules(), overrides, PROJECT_FILE)
    except DocgenError as exc:
        return {}, [f"rules.{problem}" for problem in exc.message.split("; ")]
    return overrides, []


def _dns(root: Path, settings: dict) -> DnsSettings:
    return DnsSettings(
        domains=tuple(settings.get("domains", ())),
        nameservers=tuple(settings.get("nameservers", ())),
        timeout=settings.get("timeout"),
        retries=settings.get("retries"),
        concurrency=settings.get("concurrency"),
        deadline=settings.get("deadline"),
        zone_files=tuple(root / name for name in settings.get("zone_files", ())),
        skip=settings.get("skip", False),
    )


def _slug(text: str) -> str:
    slug = "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")
    return "-".join(part for part in slug.split("-") if part) or "report"


def init_project(folder: Path, organization: str) -> list[Path]:
    """Scaffold a project folder; refuses to touch a folder that already has docgen.toml."""
    if (folder / PROJECT_FILE).exists():
        raise ProjectError("already a docgen project (docgen.toml exists)", source=str(folder))
    if folder.exists() and not folder.is_dir():
        raise ProjectError("exists and is not a folder", source=str(folder))
    scaffold = data_dir("templates") / "project"
    created = []
    for source in sorted(scaffold.rglob("*")):
        if source.is_file():
            target = folder / source.relative_to(scaffold)
            if target.name.endswith(".tmpl"):
                target = target.with_name(target.name[: -len(".tmpl")])
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text("utf-8").replace("{{organization}}", organization)
            text = text.replace("{{today}}", date.today().isoformat())
            target.write_text(text, "utf-8")
            created.append(target)
    collectors = folder / "collectors"
    shutil.copytree(data_dir("collectors"), collectors, dirs_exist_ok=True)
    created.append(collectors)
    return created
