"""Property-based tests of the raw readers: valid data comes back whole; anything else is
docgen's own InputError naming the file (and the place), never another exception and never
a silent empty result."""

from __future__ import annotations

import base64
import codecs
import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import EXCHANGE_SAMPLES
from docgen.areas.exchange_certificates.source import parse_export
from docgen.core.errors import InputError
from docgen.readers import powershell as ps
from docgen.readers.certificates import certificate_facts
from docgen.readers.ldif import read_ldif

SOURCE = "input.json"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}


def assert_named(error: InputError, source: str) -> None:
    assert error.source == source
    assert str(error).startswith(f"{source}: ")
    assert error.message


@FAST
@given(value=json_values, encoding=st.sampled_from(sorted(ENCODINGS)), indent=st.sampled_from([None, 2, 4]))
def test_json_in_any_encoding_reads_back(value, encoding, indent):
    assume(value is not None or indent is None)
    data = ENCODINGS[encoding](json.dumps(value, indent=indent, ensure_ascii=False))
    assert ps.load_json(data, SOURCE) == value


@FAST
@given(data=st.binary(max_size=300))
def test_any_bytes_are_json_or_a_named_error(data):
    try:
        ps.load_json(data, SOURCE)
    except InputError as error:
        assert_named(error, SOURCE)


@FAST
@given(milliseconds=st.integers(-2**40, 2**44), offset=st.sampled_from(["", "+0000", "+0200", "-0530"]))
def test_ms_dates_with_and_without_offset(milliseconds, offset):
    expected = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=milliseconds)
    assert ps.to_datetime(f"/Date({milliseconds}{offset})/", SOURCE, "When") == expected
    wrapped = {"value": f"/Date({milliseconds}{offset})/", "DateTime": "some day"}
    assert ps.to_datetime(wrapped, SOURCE, "When") == expected


@FAST
@given(text=st.text(max_size=30))
def test_any_text_is_a_date_or_a_named_error(text):
    try:
        result = ps.to_datetime(text, SOURCE, "When")
    except InputError as error:
        assert_named(error, SOURCE)
        assert error.where == "When"
    else:
        assert result is None or result.tzinfo is not None


@FAST
@given(value=json_values)
def test_single_object_or_array(value):
    assert ps.as_list([value]) == [value]
    assert ps.as_list(value) == ([] if value is None else value if isinstance(value, list) else [value])


@FAST
@given(data=st.binary(max_size=200))
def test_numbers_as_bytes_and_base64_round_trip(data):
    assert ps.to_bytes(list(data), SOURCE, "Cert") == data
    assert ps.to_bytes(base64.b64encode(data).decode(), SOURCE, "Cert") == data


@FAST
@given(items=st.lists(st.integers(-5, 300) | st.booleans() | st.text(max_size=2), max_size=10))
def test_number_arrays_that_are_not_bytes_are_named(items):
    try:
        result = ps.to_bytes(items, SOURCE, "Cert")
    except InputError as error:
        assert_named(error, SOURCE)
    else:
        assert result == bytes(items)


# LDIF: records written with folding, comments, CRLF or LF, base64 for binary values.
attribute_names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,15}", fullmatch=True).filter(lambda n: n.lower() != "dn")
safe_text = st.from_regex(r"[A-Za-z0-9=,() .-]{0,60}", fullmatch=True).map(str.strip)
records = st.lists(st.tuples(
    st.from_regex(r"CN=[A-Za-z0-9]{1,10},DC=[a-z]{1,8},DC=com", fullmatch=True),
    st.lists(st.tuples(attribute_names, st.one_of(safe_text, st.binary(min_size=1, max_size=80))),
             max_size=5)), min_size=1, max_size=4)


def write_ldif(entries, width: int, newline: str, comments: bool) -> bytes:
    lines = ["version: 1"]
    for dn, attributes in entries:
        if comments:
            lines.append("# an exported entry")
        logical = [f"dn: {dn}"] + [
            f"{name}:: {base64.b64encode(value).decode()}" if isinstance(value, bytes) else f"{name}: {value}"
            for name, value in attributes]
        for line in logical:
            lines.append(line[:width])
            rest = line[width:]
            while rest:
                lines.append(" " + rest[: width - 1])
                rest = rest[width - 1:]
        lines.append("")
    return newline.join(lines).encode("ascii")


@FAST
@given(entries=records, width=st.integers(10, 90), newline=st.sampled_from(["\n", "\r\n"]),
       comments=st.booleans())
def test_ldif_round_trip(entries, width, newline, comments):
    parsed = read_ldif(write_ldif(entries, width, newline, comments), "x.ldf")
    assert [record.dn for record in parsed] == [dn for dn, _ in entries]
    for record, (_, attributes) in zip(parsed, entries):
        expected: dict[str, list] = {}
        for name, value in attributes:
            expected.setdefault(name.lower(), []).append(value)
        assert record.attributes == expected
        assert record.errors == []


@FAST
@given(data=st.binary(max_size=400))
def test_any_bytes_are_ldif_or_a_named_error(data):
    try:
        parsed = read_ldif(data, "x.ldf")
    except InputError as error:
        assert_named(error, "x.ldf")
    else:
        assert parsed  # never an empty success


SAMPLE_DER = base64.b64decode(json.loads((EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_text())
                              ["Servers"][0]["InternalTransportCertificate"])


@FAST
@given(data=st.binary(max_size=300))
def test_random_bytes_are_never_a_certificate_silently(data):
    try:
        facts = certificate_facts(data, "x.json", "server EX01")
    except InputError as error:
        assert (error.source, error.where) == ("x.json", "server EX01")
    else:
        assert facts["thumbprint_sha1"]


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(SAMPLE_DER) - 1), value=st.integers(0, 255),
       cut=st.integers(1, len(SAMPLE_DER)))
def test_mutated_certificates_are_facts_or_named_errors(position, value, cut):
    mutated = bytearray(SAMPLE_DER)
    mutated[position] = value
    for data in (bytes(mutated), SAMPLE_DER[:cut]):
        try:
            facts = certificate_facts(data, "x.json", "server EX01")
        except InputError as error:
            assert error.where == "server EX01"
        else:
            assert len(facts["sha256"]) == 64


SAMPLES = [(EXCHANGE_SAMPLES / name).read_bytes() for name in
           ("contoso-exchange-certs.json", "contoso-exchange-servers.ldf", "contoso-ex02-adobject-ps51.json")]


@settings(max_examples=200, deadline=None)
@given(sample=st.sampled_from(SAMPLES), position=st.floats(0, 1), length=st.integers(1, 40),
       replacement=st.binary(max_size=40))
def test_mutated_exchange_exports_keep_good_records_or_fail_named(sample, position, length, replacement):
    start = int(position * len(sample))
    data = sample[:start] + replacement + sample[start + length:]
    try:
        parsed = parse_export(data, "export")
    except InputError as error:
        assert_named(error, "export")
    else:
        assert parsed.servers or parsed.errors  # never an empty success
        for error in parsed.errors:
            assert_named(error, "export")
