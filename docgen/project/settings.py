"""docgen.toml, declared once: every table and key, its value, default and one-line help.

From this declaration come:

- the JSON Schema a docgen.toml is checked against (`json_schema`);
- the docgen.toml `docgen init` writes, with a comment line above every key
  (`scaffold_toml`);
- the README's table of keys (`readme_table`; tests/test_project_settings.py fails when
  the README's copy differs, and prints the table to paste);
- what a missing key means when a project is loaded (`Table.values`).

[sections] has one key per area of the registry (docgen.areas), defaulting to that
area's detail level. [dns]'s lookup settings, with their defaults, ranges and help, are
the fields of docgen.dns.settings.ResolverSettings.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from docgen.areas import AREAS
from docgen.dns.settings import ResolverSettings
from docgen.render.formats import FORMATS

PROJECT_FILE = "docgen.toml"
# Where `--sign` finds the key's passphrase unless [signing] passphrase_env names another variable.
DEFAULT_PASSPHRASE_ENV = "DOCGEN_SIGN_PASSPHRASE"

HEADER = """\
# docgen project: the as-built documentation of one customer.
# Run `docgen build` in this folder: it imports everything under raw/, collects DNS,
# writes the bundle and the documents to out/. Every key is described in docgen's
# README; unknown keys and wrong types are reported, all at once, by name."""


@dataclass(frozen=True)
class Scaffold:
    """What `docgen init` knows when it writes docgen.toml."""

    organization: str
    today: date


@dataclass(frozen=True)
class Key:
    """One key of a table."""

    name: str
    schema: dict[str, Any]             # JSON Schema of the value
    help: str                          # one line: the README's meaning, the scaffold's comment
    default: Any = None                # what a missing key means (None, "", (): nothing)
    default_text: str | None = None    # a default docgen works out, in words
    required: bool = False
    value_text: str | None = None      # the README's words for the value, where the schema's fall short
    # What `docgen init` writes (a value, or Scaffold -> value); None: the default.
    example: Any = None
    written: bool = False              # written as a setting; else as a comment to uncomment


@dataclass(frozen=True)
class Entries:
    """Tables by a free name, `[rules.<rule id>]`: each one's value is checked by `schema`."""

    label: str                         # how the README names an entry: "<rule id>"
    schema: dict[str, Any]
    example_name: str
    example: dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A table of docgen.toml: `[name]`, `[[name]]` (array) or `[name.<entry>]` (entries)."""

    name: str
    help: str
    keys: tuple[Key, ...] = ()
    array: bool = False                # [[name]]: any number of them
    required: bool = False
    written: bool = True               # `docgen init` writes it; else as comments
    entries: Entries | None = None

    @property
    def header(self) -> str:
        if self.entries is not None:
            return f"[{self.name}.{self.entries.label}]"
        return f"[[{self.name}]]" if self.array else f"[{self.name}]"

    def key(self, name: str) -> Key:
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(f"docgen.toml declares no key {name!r} in [{self.name}]")

    def values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every key of the table: as given, else its declared default."""
        return {key.name: given.get(key.name, key.default) for key in self.keys}

    def schema(self) -> dict[str, Any]:
        table: dict[str, Any] = {"type": "object", "description": self.help}
        required = [key.name for key in self.keys if key.required]
        if required:
            table["required"] = required
        if self.entries is not None:
            table["additionalProperties"] = self.entries.schema
        else:
            table["additionalProperties"] = False
            table["properties"] = {key.name: {**key.schema, "description": key.help}
                                   for key in self.keys}
        return {"type": "array", "items": table} if self.array else table


TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
TEXTS: dict[str, Any] = {"type": "array", "items": TEXT}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
DETAIL: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 3}


def slug(text: str) -> str:
    """A file name from a name: 'Contoso Ltd.' -> 'contoso-ltd'."""
    name = "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")
    return "-".join(part for part in name.split("-") if part) or "report"


def _resolver_keys() -> tuple[Key, ...]:
    """[dns] timeout, retries, concurrency, deadline: ResolverSettings' fields."""
    keys = []
    for item in dataclasses.fields(ResolverSettings):
        bound = "exclusiveMinimum" if item.metadata["above"] else "minimum"
        kind = "number" if isinstance(item.default, float) else "integer"
        keys.append(Key(item.name, {"type": kind, bound: item.metadata["minimum"]},
                        item.metadata["help"], default=item.default))
    return tuple(keys)


TABLES: tuple[Table, ...] = (
    Table("document", "cover, page headers and footers, PDF metadata", required=True, keys=(
        Key("organization", TEXT, "the customer's name", required=True, written=True,
            example=lambda scaffold: scaffold.organization),
        Key("title", TEXT, "the document's title", default_text="`As-built documentation: <organization>`",
            written=True, example=lambda scaffold: f"As-built documentation: {scaffold.organization}"),
        Key("authors", TEXTS, "the authors, on the cover and in the PDF metadata", default=(), written=True,
            example=["Your Name"]),
        Key("classification", {"type": "string"}, "label on the cover and every page header",
            default="", written=True, example="CONFIDENTIAL"),
        Key("logo", {"type": "string", "minLength": 1},
            "a PNG or SVG file inside the folder, embedded in both documents",
            value_text="file name", example="logo.svg"),
        Key("accent_color", {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "colour of headings, links and table headers (white text on it under WCAG's 4.5:1 "
            "contrast is a warning)", default_text="dark blue",
            value_text="`#rrggbb`", example="#1f4e79"),
        Key("docx_template", {"type": "string", "minLength": 1},
            "a Word template (.dotx) or document (.docx) inside the folder whose styles, page size, "
            "header and footer the DOCX uses; docgen's content goes at its paragraph `{{docgen}}`, "
            "or at the end", value_text="file name", default_text="docgen's own (A4)",
            example="branding/contoso.dotx"),
    )),
    Table("revisions", "the revision history table after the cover, one per version", array=True, keys=(
        Key("version", TEXT, "the version's number", required=True, written=True, example="0.1"),
        Key("date", DATE, "when it was issued", required=True, written=True,
            example=lambda scaffold: scaffold.today),
        Key("author", TEXT, "who wrote it", required=True, written=True, example="Your Name"),
        Key("change", TEXT, "what changed", required=True, written=True, example="First draft"),
    )),
    Table("sections", "detail per section: 0 off, 1 summary, 2 standard, 3 everything", keys=tuple(
        Key(area.name, DETAIL, f"detail of {area.title}", default=area.detail, written=True)
        for area in AREAS)),
    Table("rules", "finding thresholds and severities by rule id (ids and settings: "
          "`docgen/checks/rules.toml`)", written=False,
          entries=Entries("<rule id>", {"type": "object"}, "exchange-smtp-cert-expires-soon", {"days": 14})),
    Table("accepted_risks", "shown as accepted until the date (judged at its section's collection "
          "time); after it the finding counts again", array=True, written=False, keys=(
              Key("finding", {"type": "string", "pattern": "^[A-Za-z0-9-]+:.+$"},
                  "the finding's id, as the report's Id column lists it (any case)", required=True,
                  value_text="`<rule id>:<key>`", example="exchange-smtp-cert-weak-key:ex04"),
              Key("reason", TEXT, "why the risk is accepted", required=True,
                  example="EX04 is decommissioned in March"),
              Key("accepted_by", TEXT, "who accepted it", required=True, example="J. Smith, CISO"),
              Key("until", DATE, "the last day the acceptance holds", required=True,
                  example=date(2027, 3, 31)),
          )),
    Table("dns", "the DNS lookups of `docgen build` (DKIM, DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI)", keys=(
        Key("domains", TEXTS, "domains to look up besides those of the DKIM export in raw/", default=(),
            example=["contoso.com"]),
        Key("nameservers", TEXTS, "nameservers to ask; the next is asked when one fails", default=(),
            default_text="this machine's resolvers", value_text="list of `HOST[:PORT]`",
            example=["192.0.2.53"]),
        *_resolver_keys(),
        Key("zone_files", TEXTS, "answer from these zone files instead of DNS, to document a zone "
            "before it is published", default=(), example=["planned/contoso.com.zone"]),
        Key("skip", {"type": "boolean"}, "no DNS lookups at all", default=False, example=True),
    )),
    Table("exchange", "Exchange on-premises: what the exports cannot tell", keys=(
        Key("load_balancer_addresses", TEXTS, "the load balancers' addresses in front of Exchange: a "
            "relay connector whose remote ranges hold one lets every client behind it relay",
            default=(), value_text="list of IP addresses", example=["10.1.0.10"]),
    )),
    Table("mobile", "what the customer asked of mobile mail access", keys=(
        Key("block_native_ios_mail", {"type": "boolean"},
            "the iOS native mail app must be blocked (on premises and in Exchange Online); a finding when it "
            "is not", default=False, example=True),
    )),
    Table("privacy", "personal data in the bundle and the report", keys=(
        Key("include_user_names", {"type": "boolean"},
            "keep user names (risky users, detections) in the bundle; the report lists people only at "
            "detail level 3", default=False, example=True),
    )),
    Table("output", "what `docgen build` writes to out/", keys=(
        Key("formats", {"type": "array", "items": {"enum": list(FORMATS)}, "minItems": 1},
            "the documents, as `docgen render --format` names them", default=("html", "pdf"), written=True,
            value_text="list of " + ", ".join(f"`{name}`" for name in FORMATS)),
        Key("name", {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"},
            "the files' name without extension", default_text="the organization, as a file name",
            value_text="letters, digits, `.`, `_`, `-`",
            example=lambda scaffold: f"{slug(scaffold.organization)}-as-built"),
    )),
    Table("signing", "the key `docgen render --sign` and `docgen build --sign` sign PDFs with (PAdES); "
          "the passphrase is never kept in this file", keys=(
              Key("pkcs12", {"type": "string", "minLength": 1},
                  "the PKCS#12 file (.p12, .pfx) holding the signer's key and certificate, relative to the "
                  "project folder or absolute", value_text="file name", example="~/keys/consultant.p12"),
              Key("passphrase_env", {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                  "the environment variable holding the key's passphrase (unset: asked on a terminal)",
                  default=DEFAULT_PASSPHRASE_ENV, value_text="variable name"),
          )),
    Table("baseline", "the approved bundle `docgen baseline accept` records and `docgen batch --baseline` "
          "compares with", keys=(
              Key("accepted_by", TEXT, "who approves a baseline when `docgen baseline accept --by` is not "
                  "given", example="J. Smith, Contoso IT"),
          )),
)


def table(name: str) -> Table:
    for declared in TABLES:
        if declared.name == name:
            return declared
    raise KeyError(f"docgen.toml declares no table [{name}]")


def setting_name(table_name: str, key: str) -> str:
    """How messages name a setting: '[dns] nameservers'. Refuses an undeclared one."""
    table(table_name).key(key)
    return f"[{table_name}] {key}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of docgen.toml."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:docgen:project:1",
        "title": "docgen.toml: one customer's documentation project",
        "type": "object",
        "required": [declared.name for declared in TABLES if declared.required],
        "additionalProperties": False,
        "properties": {declared.name: declared.schema() for declared in TABLES},
    }


# -- the scaffold ---------------------------------------------------------------------


def scaffold_toml(organization: str, today: date, *, every_key: bool = False) -> str:
    """The docgen.toml `docgen init` writes. `every_key`: the commented examples too."""
    scaffold = Scaffold(organization, today)
    blocks = [HEADER] + [_scaffold_table(declared, scaffold, every_key) for declared in TABLES]
    return "\n\n".join(blocks) + "\n"


def _scaffold_table(declared: Table, scaffold: Scaffold, every_key: bool) -> str:
    written = declared.written or every_key
    lines = [f"# {_sentence(declared.help)}."]
    if declared.entries is not None:
        entries = declared.entries
        lines.append(_setting(f"[{declared.name}.{entries.example_name}]", written))
        lines += [_setting(f"{name} = {toml_value(value)}", written)
                  for name, value in entries.example.items()]
    else:
        lines.append(_setting(declared.header, written))
    for key in declared.keys:
        lines.append(f"# {_sentence(key.help)}{_comment_default(key)}.")
        lines.append(_setting(f"{key.name} = {toml_value(scaffold_value(key, scaffold))}",
                              every_key or (written and key.written)))
    return "\n".join(lines)


def scaffold_value(key: Key, scaffold: Scaffold) -> Any:
    """What `docgen init` writes for a key (commented out unless `key.written`)."""
    if key.example is None:
        return key.default
    return key.example(scaffold) if callable(key.example) else key.example


def _setting(line: str, written: bool) -> str:
    return line if written else f"# {line}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _comment_default(key: Key) -> str:
    if key.required:
        return " (required)"
    shown = default_text(key)
    return "" if shown == "none" else f" (default: {shown.replace('`', '')})"


def toml_value(value: Any) -> str:
    """A TOML literal: strings, numbers, booleans, dates and lists of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # JSON's string escapes are TOML's; TOML also wants DEL escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML literal for {value!r}")


# -- the README's table -----------------------------------------------------------------


README_HEADER = ("| key | value | default | meaning |", "|---|---|---|---|")


def readme_table() -> list[str]:
    """The README's table of docgen.toml keys, line by line."""
    rows = list(README_HEADER)
    for declared in TABLES:
        kind = "list of tables" if declared.array else "table"
        rows.append(_row(f"`{declared.header}`", kind, "required" if declared.required else "",
                         declared.help))
        for key in declared.keys:
            rows.append(_row(f"`{declared.header}` `{key.name}`", value_text(key), default_text(key),
                             key.help))
    return rows


def value_text(key: Key) -> str:
    return key.value_text or _schema_words(key.schema)


def default_text(key: Key) -> str:
    if key.required:
        return "required"
    if key.default_text is not None:
        return key.default_text
    if key.default in (None, "", ()):
        return "none"
    return f"`{toml_value(key.default)}`"


def _schema_words(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if kind == "string":
        return "date" if schema.get("format") == "date" else "text"
    if kind == "array":
        return f"list of {_schema_words(schema['items'])}"
    if kind == "boolean":
        return "`true` or `false`"
    if kind in ("integer", "number"):
        word = "whole number" if kind == "integer" else "number"
        if "maximum" in schema:
            return f"{word} {schema['minimum']} to {schema['maximum']}"
        if "exclusiveMinimum" in schema:
            return f"{word} above {schema['exclusiveMinimum']}"
        return f"{word}, {schema['minimum']} or more"
    raise ValueError(f"no words for the schema {dict(schema)!r}: give the key a value_text")


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
