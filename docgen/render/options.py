"""What the person producing a document decides (not facts): wording, branding, detail.

The options travel inside the PDF as a JSON attachment, so `docgen verify`
can produce the same document again years later.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, fields

from docgen.areas import find_area

# Detail levels per section.
OFF, SUMMARY, STANDARD, EVERYTHING = 0, 1, 2, 3
DEFAULT_DETAIL = STANDARD


@dataclass(frozen=True)
class Revision:
    version: str
    date: str
    author: str
    change: str


@dataclass(frozen=True)
class AcceptedRisk:
    """A finding the customer accepted: shown as accepted until `until` (a date)."""

    finding: str
    reason: str
    accepted_by: str
    until: str


@dataclass(frozen=True)
class Logo:
    name: str
    media_type: str       # image/png or image/svg+xml
    data: bytes

    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class DocxTemplate:
    """A Word template (.dotx) or document (.docx) whose styles, page setup, header and
    footer the DOCX uses; docgen's content goes at its `{{docgen}}` paragraph or at the end."""

    name: str
    data: bytes


@dataclass(frozen=True)
class DocumentOptions:
    title: str | None = None
    author: str = ""                      # one line; joined from `authors` when those are set
    authors: tuple[str, ...] = ()
    classification: str = ""
    accent_color: str | None = None
    logo: Logo | None = None
    revisions: tuple[Revision, ...] = ()
    detail: dict[str, int] = field(default_factory=dict)   # section -> level; missing = standard
    accepted_risks: tuple[AcceptedRisk, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)    # file name -> Markdown text
    templates: dict[str, str] = field(default_factory=dict)  # override name -> template text
    rule_overrides: dict[str, dict] = field(default_factory=dict)
    # The PDF summarises Microsoft's default sync rules unless this asks for them in full.
    full_rules: bool = False
    # The organisation of the project folder these options come from (docgen.toml): a bundle
    # of another organisation is rendered with a warning that they are not its own.
    organization: str | None = None
    # Only the DOCX uses it, so it is not part of the record the PDF carries (to_record).
    docx_template: DocxTemplate | None = None

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors) if self.authors else self.author

    def detail_of(self, section: str) -> int:
        """As set, else the area's default (docgen.toml's [sections] declares the same)."""
        if section in self.detail:
            return self.detail[section]
        area = find_area(section)
        return DEFAULT_DETAIL if area is None else area.detail

    def to_record(self) -> dict:
        """A JSON-able record of every option (the logo as base64)."""
        record = {}
        for item in fields(self):
            if item.name == "docx_template":
                continue
            value = getattr(self, item.name)
            if item.name == "logo":
                value = None if value is None else {"name": value.name, "media_type": value.media_type,
                                                    "data": base64.b64encode(value.data).decode("ascii")}
            elif item.name in ("revisions", "accepted_risks"):
                value = [vars(entry) for entry in value]
            elif isinstance(value, tuple):
                value = list(value)
            record[item.name] = value
        return record

    @classmethod
    def from_record(cls, record: dict) -> "DocumentOptions":
        logo = record.get("logo")
        return cls(
            title=record.get("title"),
            author=record.get("author", ""),
            authors=tuple(record.get("authors", ())),
            classification=record.get("classification", ""),
            accent_color=record.get("accent_color"),
            logo=None if logo is None else Logo(logo["name"], logo["media_type"],
                                                base64.b64decode(logo["data"])),
            revisions=tuple(Revision(**entry) for entry in record.get("revisions", ())),
            detail=dict(record.get("detail", {})),
            accepted_risks=tuple(AcceptedRisk(**entry) for entry in record.get("accepted_risks", ())),
            notes=dict(record.get("notes", {})),
            templates=dict(record.get("templates", {})),
            rule_overrides=dict(record.get("rule_overrides", {})),
            full_rules=bool(record.get("full_rules", False)),
            organization=record.get("organization"),
        )

    def other_organization(self, bundle_organization: str) -> str | None:
        """The project's organisation when the bundle is another's (case and spaces aside)."""
        if self.organization is None or _same_name(self.organization, bundle_organization):
            return None
        return self.organization


def _same_name(one: str, other: str) -> bool:
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()
