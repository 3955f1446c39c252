"""The bundle: schema v1, canonical atomic writes, validation with key paths, versions."""

from __future__ import annotations

import copy
import json
import os

import pytest

from conftest import EXCHANGE_SAMPLES
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle import dump_bundle, load_bundle, new_bundle, parse_bundle, put_section, save_bundle
from docgen.bundle.schema import schema_errors, schema_text
from docgen.core.atomic import write_atomic
from docgen.core.errors import BundleError


@pytest.fixture(scope="module")
def bundle() -> dict:
    result = import_exchange_certs([EXCHANGE_SAMPLES / "contoso-exchange-certs.json"])
    return put_section(new_bundle("Contoso", "2026-11-02T09:30:00Z"), result)


def test_a_fresh_bundle_has_the_documented_top_level(bundle):
    assert sorted(bundle) == ["collected_at", "inputs", "organization", "run_id", "schema_version",
                              "sections", "skipped_inputs", "tool_version"]
    assert bundle["schema_version"] == 2
    assert bundle["skipped_inputs"] == []
    assert bundle["collected_at"] == "2026-11-02T09:30:00Z"
    section = bundle["sections"]["exchange_certificates"]
    assert (section["status"], section["errors"]) == ("ok", [])
    assert schema_errors(bundle) == []


def test_schema_is_published_inside_the_package():
    schema = json.loads(schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "exchange_certificates" in schema["properties"]["sections"]["properties"]


def test_canonical_bytes_are_sorted_utf8_and_stable(bundle):
    raw = dump_bundle(bundle)
    assert raw == dump_bundle(json.loads(raw))
    assert raw.endswith(b"}\n")
    assert list(json.loads(raw)) == sorted(json.loads(raw))


def test_round_trip_keeps_bytes_and_hash(tmp_path, bundle):
    path = tmp_path / "b.json"
    raw = save_bundle(path, bundle)
    loaded = load_bundle(path)
    assert loaded.raw == raw == path.read_bytes()
    assert loaded.data == bundle
    assert len(loaded.sha256) == 64


def test_every_schema_error_is_reported_with_its_key_path(bundle):
    broken = copy.deepcopy(bundle)
    items = broken["sections"]["exchange_certificates"]["items"]
    items[3]["default_smtp_certificate"]["not_after"] = "yesterday"
    items[1]["default_smtp_certificate"]["thumbprint_sha1"] = "abc"
    del items[0]["name"]
    broken["sections"]["exchange_certificates"]["status"] = "fine"
    broken["inputs"][0]["size"] = -1
    broken["surprise"] = True
    with pytest.raises(BundleError) as caught:
        parse_bundle(dump_bundle(broken), "b.json")
    assert str(caught.value) == "b.json: not a valid bundle (6 errors)"
    assert caught.value.problems == [
        "(top): unknown key 'surprise'",
        "inputs[0].size: -1 is less than the minimum of 0",
        "sections.exchange_certificates.items[0]: missing 'name'",
        "sections.exchange_certificates.items[1].default_smtp_certificate.thumbprint_sha1: "
        "'abc' does not match '^[0-9A-F]{40}$'",
        "sections.exchange_certificates.items[3].default_smtp_certificate.not_after: "
        "not a date ('yesterday')",
        "sections.exchange_certificates.status: 'fine' is not one of 'ok', 'partial', 'error', 'skipped'",
    ]


def test_a_newer_schema_version_is_refused(bundle):
    newer = dict(bundle, schema_version=3)
    with pytest.raises(BundleError) as caught:
        parse_bundle(dump_bundle(newer), "future.json")
    assert str(caught.value) == ("future.json: schema_version 3 is newer than this docgen understands "
                                 "(up to 2); upgrade docgen to read it")


def test_a_bundle_with_half_a_surrogate_pair_loads_and_can_be_written_again(bundle):
    raw = dump_bundle(bundle).replace(b'"organization": "', b'"organization": "\\udc00', 1)
    loaded = parse_bundle(raw, "b.json")
    assert loaded.data["organization"].startswith("\ufffd")
    assert dump_bundle(loaded.data)  # orjson refuses lone surrogates


@pytest.mark.parametrize("raw, message", [
    (b'{"schema_version": 1,', "b.json: line 1 column 22: not valid JSON (Expecting property name "
                               "enclosed in double quotes)"),
    (b"[1, 2]", "b.json: not a bundle (the top level is not an object)"),
    (b'{"sections": {}}', "b.json: not a bundle (no schema_version)"),
    (b'{"schema_version": "one"}', "b.json: schema_version 'one' is not a version number"),
    (b"\xff\xfe{}", "b.json: byte 0: not UTF-8 text"),
])
def test_unreadable_bundles(raw, message):
    with pytest.raises(BundleError) as caught:
        parse_bundle(raw, "b.json")
    assert str(caught.value) == message


def test_put_section_replaces_the_section_and_its_inputs(bundle):
    again = import_exchange_certs([EXCHANGE_SAMPLES / "contoso-exchange-servers.ldf"])
    updated = put_section(bundle, again)
    assert [i["name"] for i in updated["inputs"]] == ["contoso-exchange-servers.ldf"]
    assert updated["run_id"] != bundle["run_id"]
    assert bundle["inputs"][0]["name"] == "contoso-exchange-certs.json"  # the original is untouched


def test_an_invalid_bundle_is_never_written(tmp_path, bundle):
    broken = dict(bundle, organization=None)
    with pytest.raises(BundleError, match="refusing to write an invalid bundle: organization: "
                                          "None is not of type 'string'"):
        save_bundle(tmp_path / "b.json", broken)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_old_file_or_new_never_half(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    with pytest.raises(TypeError):
        write_atomic(target, None)  # fails while writing: the temp file goes away
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_migrations_run_in_order_up_to_the_current_version(bundle):
    from docgen.bundle.migrations import migrate

    def one_to_two(document: dict) -> dict:
        document["organisation"] = document.pop("organization")
        return document

    def two_to_three(document: dict) -> dict:
        document["organisation"] = document["organisation"].upper()
        return document

    migrated = migrate(dict(copy.deepcopy(bundle), schema_version=1), {1: one_to_two, 2: two_to_three},
                       current=3)
    assert migrated["schema_version"] == 3
    assert migrated["organisation"] == "CONTOSO" and "organization" not in migrated
    # the current version needs no step
    assert migrate(copy.deepcopy(bundle), {}) == bundle


def test_docgen_schema_prints_the_assembled_schema(run_cli):
    result = run_cli("schema", "bundle")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == json.loads(schema_text())
    assert set(printed["properties"]["sections"]["properties"]) == {
        "aadconnect", "conditional_access", "identity_protection", "exchange_certificates",
        "exchange_connectors", "exchange_servers", "mobile_access", "dkim", "mail_auth"}
    assert "exchange_server" in printed["$defs"] and "lookup" in printed["$defs"]


def test_a_version_1_bundle_loads_with_no_skipped_inputs(bundle):
    """Version 1 had no skipped_inputs: its bundles load through the 1 -> 2 step."""
    old = {key: value for key, value in bundle.items() if key != "skipped_inputs"}
    old["schema_version"] = 1
    loaded = parse_bundle(dump_bundle(old), "v1.json")
    assert loaded.data["schema_version"] == 2
    assert loaded.data["skipped_inputs"] == []
    assert {k: v for k, v in loaded.data.items() if k not in ("schema_version", "skipped_inputs")} == {
        k: v for k, v in old.items() if k != "schema_version"}


@pytest.fixture
def without_jsonschema_rs(monkeypatch):
    """schema_errors as on a platform without jsonschema-rs: jsonschema answers alone."""
    import sys

    from docgen.bundle import schema

    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # its import raises ImportError
    schema._fast_validator.cache_clear()
    yield
    schema._fast_validator.cache_clear()


def test_validation_uses_jsonschema_rs_when_it_is_installed():
    from docgen.bundle import schema

    assert type(schema._fast_validator()).__module__.startswith("jsonschema_rs")


def test_without_jsonschema_rs_the_same_bundles_pass_and_fail(without_jsonschema_rs, bundle):
    from docgen.bundle import schema

    assert type(schema._fast_validator()).__module__.startswith("jsonschema")
    assert schema_errors(bundle) == []
    broken = copy.deepcopy(bundle)
    broken["inputs"][0]["size"] = -1
    assert schema_errors(broken) == ["inputs[0].size: -1 is less than the minimum of 0"]


@pytest.fixture(scope="module")
def servers_bundle() -> dict:
    from conftest import TEST_DATA
    from docgen.areas.exchange_servers.source import import_exchange_servers

    result = import_exchange_servers([TEST_DATA / "css-exchange" / "E19" / "GetExchangeServer.xml"])
    return put_section(new_bundle("Solo", "2026-11-02T09:30:00Z"), result)


@pytest.mark.parametrize("day", ["2021-09-31", "20210928", "28.09.2021"])
def test_a_calendar_day_that_is_not_one_is_named(servers_bundle, day):
    """Both validators check `format: date` days with the same function (null or a day: oneOf)."""
    broken = copy.deepcopy(servers_bundle)
    broken["sections"]["exchange_servers"]["items"][0]["released"] = day
    assert schema_errors(servers_bundle) == []
    assert schema_errors(broken) == [
        f"sections.exchange_servers.items[0].released: {day!r} is not valid under any of the given schemas"]
