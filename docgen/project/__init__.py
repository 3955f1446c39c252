"""A customer's documentation folder: docgen.toml, notes/, raw/, templates/, out/.

`docgen init` makes one; every other command run inside it finds docgen.toml
by walking up from the current folder. docgen.toml's tables and keys are declared
once, in docgen.project.settings.
"""

from __future__ import annotations

import io
import ipaddress
import re
import shutil
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docgen.areas import AREAS, area_names
from docgen.bundle.schema import format_errors
from docgen.checks.rules import default_rules, with_overrides
from docgen.core.errors import DocgenError, ProjectError
from docgen.core.resources import data_dir
from docgen.dns.client import ResolverSettings
from docgen.project.settings import (
    DEFAULT_PASSPHRASE_ENV,
    PROJECT_FILE,
    json_schema,
    scaffold_toml,
    slug,
    table,
)
from docgen.render.options import AcceptedRisk, DocumentOptions, DocxTemplate, Logo, Revision

NOTE_NAMES = ("intro.md", "scope.md")
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_NOTE_BYTES = 1024 * 1024
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class DnsSettings:
    """docgen.toml's [dns], as given (domains and nameservers are checked by the build)."""

    domains: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ()
    resolver: ResolverSettings = ResolverSettings()
    zone_files: tuple[Path, ...] = ()
    skip: bool = False


@dataclass(frozen=True)
class SigningSettings:
    """docgen.toml's [signing]: the PKCS#12 key `--sign` uses, and where its passphrase is."""

    pkcs12: Path | None = None
    passphrase_env: str = DEFAULT_PASSPHRASE_ENV


@dataclass(frozen=True)
class Project:
    root: Path
    organization: str
    options: DocumentOptions
    formats: tuple[str, ...]
    name: str
    dns: DnsSettings = field(default_factory=DnsSettings)
    # the settings areas' importers take (Area.project_settings), by (table, key)
    settings: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def include_user_names(self) -> bool:
        """[privacy]: keep user names of people in the bundle."""
        return bool(self.settings.get(("privacy", "include_user_names")))
    # [baseline] accepted_by: who `docgen baseline accept` records when --by is not given
    baseline_by: str | None = None
    signing: SigningSettings = field(default_factory=lambda: SigningSettings())

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
    template_setting = document.get("docx_template") if isinstance(document.get("docx_template"), str) else None
    docx_template, docx_problems = _docx_template(root, template_setting)
    notes, note_problems = _notes(root / "notes")
    templates, template_problems = _templates(root / "templates")
    rules_setting = found if isinstance(found := settings.get("rules"), dict) else {}
    rules, rule_problems = _rule_overrides(_with_requirements(settings, rules_setting))
    area_settings = _area_settings(settings)
    problems += _address_problems(area_settings)
    problems += logo_problems + docx_problems + note_problems + template_problems + rule_problems
    if problems:
        raise ProjectError(f"{len(problems)} problem(s) in {PROJECT_FILE} and the project folder",
                           source=str(path), problems=problems)
    document = table("document").values(settings["document"])
    organization = document["organization"]
    options = DocumentOptions(
        title=document["title"],
        authors=tuple(document["authors"]),
        classification=document["classification"],
        accent_color=document["accent_color"],
        logo=logo,
        revisions=tuple(Revision(**entry) for entry in settings.get("revisions", ())),
        detail=dict(settings.get("sections", {})),
        accepted_risks=tuple(AcceptedRisk(**entry) for entry in settings.get("accepted_risks", ())),
        notes=notes,
        templates=templates,
        rule_overrides=rules,
        docx_template=docx_template,
        organization=organization,
    )
    output = table("output").values(settings.get("output", {}))
    return Project(root=root, organization=organization, options=options,
                   dns=_dns(root, table("dns").values(settings.get("dns", {}))),
                   formats=tuple(output["formats"]),
                   name=output["name"] or slug(organization), settings=area_settings,
                   baseline_by=table("baseline").values(settings.get("baseline", {}))["accepted_by"],
                   signing=_signing(root, table("signing").values(settings.get("signing", {}))))


def _signing(root: Path, signing: dict) -> SigningSettings:
    # the key usually lives outside the folder (not in the customer's documents): ~ and absolute paths
    key = None if signing["pkcs12"] is None else root / Path(signing["pkcs12"]).expanduser()
    return SigningSettings(pkcs12=key, passphrase_env=signing["passphrase_env"])


def _area_settings(settings: dict) -> dict[tuple[str, str], Any]:
    """The values of the keys areas' importers take (Area.project_settings), defaults filled in."""
    values: dict[tuple[str, str], Any] = {}
    for area in AREAS:
        for table_name, key in area.project_settings:
            given = found if isinstance(found := settings.get(table_name), dict) else {}
            values[(table_name, key)] = table(table_name).values(given)[key]
    return values


def _address_problems(values: dict[tuple[str, str], Any]) -> list[str]:
    addresses = values.get(("exchange", "load_balancer_addresses")) or ()
    problems = []
    for text in addresses if isinstance(addresses, (list, tuple)) else ():
        try:
            ipaddress.ip_address(str(text).strip())
        except ValueError:
            problems.append(f"exchange.load_balancer_addresses: {text!r} is not an IP address")
    return problems


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

    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_is_date)
    return Draft202012Validator(json_schema(), format_checker=checker)


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


def _docx_template(root: Path, relative: str | None) -> tuple[DocxTemplate | None, list[str]]:
    """[document] docx_template: a .dotx or .docx inside the folder (read, not changed)."""
    if relative is None:
        return None, []
    name = f"document.docx_template: {relative!r}"
    path = _inside(root, relative)
    if path is None:
        return None, [f"{name} is outside the project folder"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [f"{name}: cannot read ({exc.strerror or exc})"]
    if len(data) > MAX_TEMPLATE_BYTES:
        return None, [f"{name} is larger than 20 MB"]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError):
        return None, [f"{name} is not a Word template or document (.dotx or .docx)"]
    if b"wordprocessingml" not in types:
        return None, [f"{name} is not a Word template or document (.dotx or .docx)"]
    if b"macroEnabled" in types:
        return None, [f"{name} holds macros (.dotm or .docm): save it as .dotx or .docx"]
    return DocxTemplate(path.name, data), []


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
                            f"<section>.md with a section of {', '.join(area_names())}, or appendix-*.md)")
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


def section_note_names() -> tuple[str, ...]:
    """The notes placed at the start of a section: one per area of the registry."""
    return tuple(f"{name}.md" for name in area_names())


def _known_note(name: str) -> bool:
    return (name in NOTE_NAMES or name in section_note_names()
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


# docgen.toml keys that turn on a rule judged only when the customer asks for it
REQUIREMENTS = {("mobile", "block_native_ios_mail"): ("mobile-ios-native-mail-not-blocked", "required")}


def _with_requirements(settings: dict, overrides: dict) -> dict:
    """[rules] overrides plus what the customer's requirements ([mobile] ...) switch on."""
    merged = {rule: dict(changes) if isinstance(changes, dict) else changes for rule, changes in overrides.items()}
    for (table_name, key), (rule_id, setting) in REQUIREMENTS.items():
        section = settings.get(table_name)
        if isinstance(section, dict) and section.get(key) is True:
            entry = merged.setdefault(rule_id, {})
            if isinstance(entry, dict):
                entry[setting] = True
    return merged


def _rule_overrides(overrides: dict) -> tuple[dict, list[str]]:
    try:
        with_overrides(default_rules(), overrides, PROJECT_FILE)
    except DocgenError as exc:
        return {}, [f"rules.{problem}" for problem in exc.message.split("; ")]
    return overrides, []


def _dns(root: Path, dns: dict) -> DnsSettings:
    resolver = ResolverSettings(timeout=dns["timeout"], retries=dns["retries"],
                                concurrency=dns["concurrency"], deadline=dns["deadline"])
    return DnsSettings(
        domains=tuple(dns["domains"]),
        nameservers=tuple(dns["nameservers"]),
        resolver=resolver,
        zone_files=tuple(root / name for name in dns["zone_files"]),
        skip=dns["skip"],
    )


def organization_from_folder(folder: Path) -> str:
    """A readable organisation name from a folder's name, for `docgen init` without one.

    Words are split at "-", "_" and spaces; a word in lower case gets a capital first
    letter, any other is kept as written: contoso -> Contoso, contoso-ltd -> Contoso Ltd,
    ACME_corp -> ACME Corp, fabrikam.com -> Fabrikam.com. Empty when the name has no word.
    """
    words = re.split(r"[-_\s]+", folder.resolve().name if folder.name in ("", ".", "..") else folder.name)
    return " ".join(word[:1].upper() + word[1:] if word.islower() else word for word in words if word)


def check_new_project(folder: Path) -> None:
    """Raise unless `docgen init` may make a project of `folder`."""
    if (folder / PROJECT_FILE).exists():
        raise ProjectError("already a docgen project (docgen.toml exists)", source=str(folder))
    if folder.exists() and not folder.is_dir():
        raise ProjectError("exists and is not a folder", source=str(folder))


def init_project(folder: Path, organization: str) -> list[Path]:
    """Scaffold a project folder; refuses to touch a folder that already has docgen.toml.

    docgen.toml is written from the declaration (docgen.project.settings); the other
    files come from templates/project, with {{organization}}, {{today}} and
    {{section_notes}} filled in.
    """
    check_new_project(folder)
    today = date.today()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROJECT_FILE).write_text(scaffold_toml(organization, today), "utf-8")
    created = [folder / PROJECT_FILE]
    fills = {"{{organization}}": organization, "{{today}}": today.isoformat(),
             "{{section_notes}}": ", ".join(f"`{name}`" for name in section_note_names())}
    scaffold = data_dir("templates") / "project"
    for source in sorted(scaffold.rglob("*")):
        if source.is_file():
            target = folder / source.relative_to(scaffold)
            if target.name.endswith(".tmpl"):
                target = target.with_name(target.name[: -len(".tmpl")])
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            # one pass: a name holding "{{today}}" stays as it is
            text = re.sub(r"\{\{\w+\}\}", lambda found: fills.get(found[0], found[0]),
                          source.read_text("utf-8"))
            target.write_text(text, "utf-8")
            created.append(target)
    collectors = folder / "collectors"
    shutil.copytree(data_dir("collectors"), collectors, dirs_exist_ok=True)
    created.append(collectors)
    return created
