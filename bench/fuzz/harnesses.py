"""Fuzz targets for atheris: every entry point that reads bytes from outside.

Each target feeds the fuzzer's bytes to one reader. The reader may return data
or raise docgen's own InputError/BundleError (that is its contract); any other
exception is a finding. Seeds come from docgen/samples/ and tests/data/.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from docgen.core.errors import DocgenError

REPO = Path(__file__).resolve().parents[2]


def fuzz_powershell_json(data: bytes) -> None:
    from docgen.readers.powershell import load_json
    load_json(data, "fuzz.json")


def fuzz_ldif(data: bytes) -> None:
    from docgen.readers.ldif import read_ldif
    read_ldif(data, "fuzz.ldf")


def fuzz_certificate(data: bytes) -> None:
    from docgen.readers.certificates import certificate_facts
    certificate_facts(data, "fuzz.json", "server X")


def fuzz_exchange_export(data: bytes) -> None:
    from docgen.areas.exchange_certificates.source import parse_export
    parse_export(data, "fuzz")


def fuzz_aadconnect_xml(data: bytes) -> None:
    from docgen.areas.aadconnect.config import parse_sync_rule
    from docgen.readers.xml import parse_xml
    root = parse_xml(data, "fuzz.xml")
    if root.tag == "synchronizationRule":
        parse_sync_rule(root, "fuzz.xml", {})


def fuzz_dkim_record(data: bytes) -> None:
    """The key-record parser never raises: an unusable record is a fact (valid False)."""
    from docgen.areas.dkim.record import parse_dkim_record
    facts = parse_dkim_record(data.decode("utf-8", "replace"))
    if not facts["valid"] and not facts["error"]:
        raise AssertionError("an invalid DKIM record without a reason")


def fuzz_dkim_export(data: bytes) -> None:
    from docgen.areas.dkim.source import parse_dkim_export
    parse_dkim_export(data, "fuzz.json")


def fuzz_zone_file(data: bytes) -> None:
    from docgen.readers.zones import load_zone_files
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.example.zone"
        path.write_bytes(data)
        load_zone_files([path])


def fuzz_bundle(data: bytes) -> None:
    from docgen.bundle import parse_bundle
    parse_bundle(data, "fuzz.bundle.json")


TARGETS = {
    "powershell_json": (fuzz_powershell_json, ["docgen/samples/exchange/*.json", "docgen/samples/aadconnect/*.json",
                                               "tests/data/exchange-online/*.json"]),
    "ldif": (fuzz_ldif, ["docgen/samples/exchange/*.ldf"]),
    "certificate": (fuzz_certificate, []),
    "exchange_export": (fuzz_exchange_export, ["docgen/samples/exchange/*"]),
    "aadconnect_xml": (fuzz_aadconnect_xml, ["docgen/samples/aadconnect/contoso-2016/*/*.xml"]),
    "bundle": (fuzz_bundle, []),
    "dkim_record": (fuzz_dkim_record, []),
    "dkim_export": (fuzz_dkim_export, ["docgen/samples/dns/*.json", "tests/data/exchange-online/*.json"]),
    "zone_file": (fuzz_zone_file, ["docgen/samples/dns/zones/*.zone", "tests/data/dns/*.zone"]),
}


def seed_files(patterns: list[str]) -> list[Path]:
    files = []
    for pattern in patterns:
        files.extend(sorted(REPO.glob(pattern)))
    return [path for path in files if path.is_file() and path.stat().st_size < 2_000_000]


def checked(target):
    """The target with docgen's own errors accepted: they are the documented outcome."""
    def run(data: bytes) -> None:
        try:
            target(data)
        except DocgenError as error:
            if not str(error):
                raise AssertionError("a DocgenError without a message") from error
    return run
