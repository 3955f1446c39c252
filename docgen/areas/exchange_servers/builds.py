"""Exchange build numbers: the version text Exchange prints, and the product and CU it is.

The table is data (builds.toml beside this file, from Microsoft's "Exchange Server build
numbers and release dates"); this module only reads it and looks builds up.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

Build = tuple[int, int, int, int]

# "Version 15.2 (Build 986.5)" (Exchange on-premises and Online alike: "Version 15.20 (Build
# 7452.28)"), or a dotted build "15.2.986.5" / "15.02.0986.005" (ExSetup's file version)
_DISPLAY = re.compile(r"^\s*Version\s+(\d{1,3})\.(\d{1,3})\s*\(\s*Build\s+(\d{1,6})\.(\d{1,6})\s*\)\s*$",
                      re.IGNORECASE)
_DOTTED = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,6})\.(\d{1,6})\s*$")


@dataclass(frozen=True)
class BuildInfo:
    product: str | None          # "Exchange Server 2019"; None: not a product the table knows
    update: str | None           # "CU14", "RTM"
    update_build: str | None     # the CU's own build, "15.2.1544.4"
    released: date | None        # the CU's release date
    support_ends: date | None    # the product's end of extended support; None: current
    later_update: bool           # a security or hotfix update on top of the CU (a higher revision)
    known: bool                  # the product is in the table
    note: str | None = None      # why the CU is not named (older than the table, newer than it)


def parse_version(value: Any) -> Build:
    """A build from AdminDisplayVersion as Exchange gives it: the text, a dotted build, or an
    object with Major, Minor, Build and Revision. A ValueError names what it could not read."""
    if isinstance(value, dict):
        parts = [value.get(name) for name in ("Major", "Minor", "Build", "Revision")]
        if all(isinstance(part, int) and not isinstance(part, bool) and part >= 0 for part in parts):
            return (parts[0], parts[1], parts[2], parts[3])  # type: ignore[return-value]
        text = getattr(value, "to_string", None)
        if text is None:
            raise ValueError("AdminDisplayVersion: an object without whole Major, Minor, Build and Revision")
        value = text
    if not isinstance(value, str):
        raise ValueError(f"AdminDisplayVersion: {value!r} is not a version")
    match = _DISPLAY.match(value) or _DOTTED.match(value)
    if not match:
        raise ValueError(f"AdminDisplayVersion: {_short(value)!r} is not an Exchange version "
                         "('Version 15.2 (Build 986.5)' or '15.2.986.5')")
    major, minor, build, revision = (int(part) for part in match.groups())
    return (major, minor, build, revision)


def build_text(build: Build) -> str:
    return ".".join(str(part) for part in build)


def parse_build(text: str) -> Build:
    major, minor, build, revision = (int(part) for part in text.split("."))
    return (major, minor, build, revision)


@lru_cache(maxsize=1)
def build_table() -> dict[str, Any]:
    text = resources.files("docgen.areas.exchange_servers").joinpath("builds.toml").read_text("utf-8")
    return tomllib.loads(text)


def look_up(build: Build) -> BuildInfo:
    """The product and CU of a build: the newest CU of its product whose build it has reached."""
    table = build_table()
    products = table["products"]
    family = f"{build[0]}.{build[1]}"
    product_key = family
    se = products["SE"]
    if family == "15.2" and build[:3] >= parse_build(se["first_build"])[:3]:
        product_key = "SE"
    product = products.get(product_key)
    if product is None:
        online = build[0] == 15 and build[1] >= 20
        return BuildInfo(product="Exchange Online" if online else None, update=None, update_build=None,
                         released=None, support_ends=None, later_update=False, known=False,
                         note="Exchange Online: Microsoft updates it" if online
                         else f"version {family} is not in docgen's build table")
    rows = [row for row in table["builds"] if row["product"] == product_key]
    reached = [row for row in rows if parse_build(row["build"])[:3] <= build[:3]]
    support_ends = product.get("support_ends")
    if not reached:
        return BuildInfo(product=product["name"], update=None, update_build=None, released=None,
                         support_ends=support_ends, later_update=False, known=True,
                         note=f"older than {product['name']} {rows[0]['update']} ({rows[0]['build']}): "
                              "a preview build")
    row = reached[-1]
    cu_build = parse_build(row["build"])
    note = None
    if build[:3] != cu_build[:3]:
        note = (f"newer than {row['update']} ({row['build']}), the newest build docgen's table "
                "knows" if row is rows[-1] else
                f"between {row['update']} ({row['build']}) and the next CU: not a released build "
                "docgen's table knows")
    return BuildInfo(product=product["name"], update=row["update"], update_build=row["build"],
                     released=row["released"], support_ends=support_ends,
                     later_update=build[:3] == cu_build[:3] and build[3] > cu_build[3], known=True,
                     note=note)


def product_short(product: str | None) -> str:
    """'Exchange Server 2019' -> 'Exchange 2019'; Subscription Edition -> 'Exchange SE'."""
    if not product:
        return ""
    if product == "Exchange Server Subscription Edition":
        return "Exchange SE"
    return product.replace("Exchange Server ", "Exchange ")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
