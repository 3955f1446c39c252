"""The list of domains to look up: normalised, checked, merged from every source.

Domains come from a DKIM signing export, from `--domain` options and from a
file with one domain a line (`#` starts a comment). Every form is brought to one
key: lower case, no final dot, internationalised names in their ASCII (IDNA)
form, so `Contoso.COM.` and `contoso.com` are the same domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import dns.exception
import dns.name

from docgen.core.errors import DomainListError
from docgen.readers.inputs import read_input
from docgen.readers.textfile import decode_text

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MAX_NAME_LENGTH = 253
_IDNA = dns.name.IDNA_2008_Practical if dns.name.have_idna_2008 else dns.name.IDNA_2003


def normalize_domain(text: str) -> str:
    """A domain as its key; ValueError with the reason when it is not a domain name."""
    cleaned = text.strip()
    if cleaned.endswith("."):
        cleaned = cleaned[:-1]
    if not cleaned:
        raise ValueError("empty")
    try:
        name = dns.name.from_unicode(cleaned, idna_codec=_IDNA)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        raise ValueError(f"not a valid name ({exc})") from None
    labels = [label.decode("ascii", errors="replace").lower() for label in name.labels if label]
    given = cleaned.split(".")
    for index, label in enumerate(labels):
        if not _LABEL.match(label):
            shown = given[index] if len(given) == len(labels) else label
            raise ValueError(f"label {shown!r} is not letters, digits and inner hyphens")
    if len(labels) < 2:
        raise ValueError("a domain needs at least two labels (like contoso.com)")
    key = ".".join(labels)
    if len(key) > MAX_NAME_LENGTH:
        raise ValueError(f"longer than {MAX_NAME_LENGTH} characters")
    return key


def read_domains_file(path: Path, section: str) -> tuple[list[str], dict]:
    """The domains in a text file, and the file's `inputs` record.

    Every line that is not a domain is reported, each with its line number.
    """
    data, record = read_input(path, section)
    text = decode_text(data, str(path))
    domains, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        try:
            domains.append(normalize_domain(content))
        except ValueError as exc:
            problems.append(f"line {number}: {content!r}: {exc}")
    if problems:
        first = problems[0]
        where, _, message = first.partition(": ")
        raise DomainListError(f"not a domain name: {message}"
                              + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                              source=str(path), where=where,
                              problems=problems if len(problems) > 1 else [])
    return domains, record


def merge_domains(*lists: Iterable[str]) -> list[str]:
    """Every domain once, sorted (the order of the bundle's items)."""
    return sorted({domain for domains in lists for domain in domains})
