"""The one error family docgen raises for things a user must read.

The CLI turns every DocgenError into a single line on stderr and an exit code;
anything else escaping is a bug.
"""

from __future__ import annotations

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERROR = 1          # nothing was written
EXIT_USAGE = 2          # click's own code for bad arguments
EXIT_CHANGED = 3        # docgen diff --fail-on-change found drift
EXIT_PARTIAL = 4        # output written, but some inputs or lookups failed
EXIT_INTERRUPTED = 130


class DocgenError(Exception):
    """An error for the user: a message, where it happened, and, when one message stands for
    several findings (every schema error, every docgen.toml problem), each of them."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None,
                 problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.where = where
        self.problems = list(problems or [])

    def __str__(self) -> str:
        return ": ".join(part for part in (self.source, self.where, self.message) if part)

    def as_record(self) -> dict:
        """The form a bundle stores in a section's `errors` list."""
        return {"source": self.source or "", "where": self.where or "", "message": self.message}


class InputError(DocgenError):
    """A raw input file (export, LDIF, XML, zone file) cannot be used."""


class BundleError(DocgenError):
    """A bundle is not valid, or of a schema version this docgen cannot read."""


class ProjectError(DocgenError):
    """docgen.toml or the project folder is wrong; `problems` lists every finding."""


class DomainListError(InputError):
    """One or more lines of a domain list are not domain names; all are listed."""


class RenderError(DocgenError):
    """A document could not be produced (template, PDF engine, output folder)."""


class MissingDependency(DocgenError):
    """A system library an optional output needs is not installed."""


class UsageProblem(DocgenError):
    """The request itself is contradictory (two options that exclude each other)."""

    exit_code = EXIT_USAGE


class ImportFailed(DocgenError):
    """Nothing usable came out of the inputs; every error is listed."""

    def __init__(self, errors: list[DocgenError]):
        first = errors[0] if errors else DocgenError("nothing was imported")
        super().__init__(first.message, source=first.source, where=first.where)
        self.errors = errors


def cannot_read(exc: OSError) -> str:
    """The one wording for a file the operating system would not give us."""
    return f"cannot read ({exc.strerror or exc})"
