"""How DNS lookups are made (timeouts, retries, concurrency, deadline): light, so that the
CLI's options and docgen.toml's [dns] keys can read their defaults without dnspython."""

from __future__ import annotations

import dataclasses
from typing import Any


def _setting(default: float, help: str, minimum: float, *, above: bool = False) -> Any:
    """A ResolverSettings field with what `docgen collect dns` and docgen.toml's [dns] say
    of it: its help and its lowest value (`above`: the minimum itself is refused)."""
    return dataclasses.field(default=default,
                             metadata={"help": help, "minimum": minimum, "above": above})


@dataclasses.dataclass(frozen=True)
class ResolverSettings:
    """How lookups are made; recorded in the bundle beside their outcomes.

    The one place of these defaults: the options of `docgen collect dns` and the keys
    of docgen.toml's [dns] read them (and their help and ranges) from these fields.
    """

    timeout: float = _setting(2.0, "seconds to wait for each answer", 0, above=True)
    retries: int = _setting(1, "extra rounds over the nameservers when a query fails", 0)
    concurrency: int = _setting(32, "domains looked up at once", 1)
    deadline: float = _setting(120.0, "seconds for the whole run; lookups not made by then "
                               "are recorded as not attempted", 0, above=True)
