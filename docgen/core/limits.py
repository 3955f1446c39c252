"""How much docgen reads: beyond these sizes a command stops with one clear line.

Memory grows with what is read (a parsed XML tree, a bundle's objects), so every
input file and every bundle has a ceiling, checked before the file is read. The
defaults and what they cost are in the README ("Limits and hostile input",
measured with bench/bounds_bench.py); an environment variable raises or lowers
each (a number of megabytes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from docgen.core.errors import DocgenError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    what: str          # "input files", "bundles": for the message
    variable: str      # the environment variable that changes it (megabytes)
    default_mb: int

    @property
    def megabytes(self) -> float:
        text = os.environ.get(self.variable)
        if text is None:
            return self.default_mb
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if value <= 0:
            raise DocgenError(f"{self.variable}={text!r} is not a number of megabytes above 0")
        return value

    def exceeded(self, size: int, subject: str = "is") -> str | None:
        """None when `size` bytes are allowed; else the message that says why not
        (it starts with `subject`: "is 212.0 MB; docgen reads ...")."""
        limit = self.megabytes
        if size <= limit * MB:
            return None
        return (f"{subject} {_size(size)}; docgen reads {self.what} up to {limit:g} MB "
                f"(set {self.variable} to change that)")


def _size(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB else f"{size / 1024:,.1f} KB"


#: A raw export (XML, JSON, LDIF, zone file, domain list), each file on its own.
INPUT_FILE = Limit("input files", "DOCGEN_MAX_INPUT_MB", 100)
#: The raw files of one import together (an Azure AD Connect folder holds thousands).
IMPORT_TOTAL = Limit("the files of one import", "DOCGEN_MAX_IMPORT_MB", 100)
#: A bundle file (load, render, diff, validate, verify); a bigger one is not written.
BUNDLE = Limit("bundles", "DOCGEN_MAX_BUNDLE_MB", 200)
