"""Property-based tests of the CLIXML reader, the .NET serialisation reader and the date
parser: whatever the bytes, the answer is data or docgen's own InputError naming the file (the
place on one line), never another exception; valid documents read back to what was written."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TEST_DATA
from docgen.areas.exchange_certificates.source import parse_export
from docgen.core.dates import parse_date
from docgen.core.errors import InputError
from docgen.readers.clixml import NAMESPACE, read_clixml
from docgen.readers.nrbf import read_nrbf, read_serialization_data

SOURCE = "export.xml"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL = (TEST_DATA / "css-exchange" / "E19" / "GetExchangeCertificate.xml").read_bytes()


def assert_named(error: InputError, source: str = SOURCE) -> None:
    assert error.source == source
    assert str(error).startswith(f"{source}: ")
    assert error.message
    assert "\n" not in str(error) and "\r" not in str(error)


# -- a small CLIXML writer, for round trips ------------------------------------------

def clixml_text(text: str) -> str:
    """PowerShell's escaping: control characters (and '_', so '_x' stays literal) as _xHHHH_."""
    out = []
    for char in text:
        code = ord(char)
        out.append(f"_x{code:04X}_" if char == "_" or code < 0x20 or code in (0xFFFE, 0xFFFF) else char)
    return "".join(out)


class Writer:
    def __init__(self) -> None:
        self.ref = 0

    def value(self, value, name: str | None = None) -> str:
        attr = f" N={quoteattr(clixml_text(name))}" if name is not None else ""
        if value is None:
            return f"<Nil{attr} />"
        if isinstance(value, bool):
            return f"<B{attr}>{'true' if value else 'false'}</B>"
        if isinstance(value, int):
            return f"<I64{attr}>{value}</I64>"
        if isinstance(value, str):
            return f"<S{attr}>{escape(clixml_text(value))}</S>"
        if isinstance(value, bytes):
            return f"<BA{attr}>{base64.b64encode(value).decode()}</BA>"
        if isinstance(value, datetime):
            return f"<DT{attr}>{value.isoformat()}</DT>"
        self.ref += 1
        ref = self.ref
        if isinstance(value, list):
            items = "".join(self.value(item) for item in value)
            return (f'<Obj{attr} RefId="{ref}"><TN RefId="{ref}"><T>System.Collections.ArrayList</T>'
                    f"<T>System.Object</T></TN><LST>{items}</LST></Obj>")
        members = "".join(self.value(item, key) for key, item in value.items())
        return (f'<Obj{attr} RefId="{ref}"><TN RefId="{ref}"><T>Test.Thing</T></TN>'
                f"<ToString>thing</ToString><MS>{members}</MS></Obj>")


def document(values: list) -> bytes:
    writer = Writer()
    body = "".join(writer.value(value) for value in values)
    return f'<Objs Version="1.1.0.1" xmlns="{NAMESPACE}">{body}</Objs>'.encode()


text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                       timezones=st.just(timezone.utc))
leaves = (st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | text
          | st.binary(max_size=16) | moments)
values = st.recursive(leaves, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(text, children, max_size=4), max_leaves=16)


@FAST
@given(objects=st.lists(values, max_size=4), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_what_is_written_reads_back(objects, encoding):
    data = document(objects).decode().encode(encoding)
    assert read_clixml(data, SOURCE) == objects


@FAST
@given(objects=st.lists(values, min_size=1, max_size=3), cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_document_is_one_line_naming_the_line(objects, cut):
    data = document(objects)
    try:
        read_clixml(data[: int(len(data) * cut)], SOURCE)
    except InputError as error:
        assert_named(error)
    else:
        raise AssertionError("a truncated document was read")


# -- anything at all -----------------------------------------------------------------

@FAST
@given(data=st.binary(max_size=400))
def test_any_bytes_are_clixml_or_a_named_error(data):
    try:
        assert isinstance(read_clixml(data, SOURCE), list)
    except InputError as error:
        assert_named(error)


TAGS = ["Obj", "Ref", "TN", "TNRef", "T", "ToString", "Props", "MS", "LST", "IE", "DCT", "En", "S", "C",
        "B", "DT", "TS", "By", "I32", "U64", "Db", "D", "BA", "G", "Nil", "PR", "Bogus"]
ATTRIBUTES = st.dictionaries(st.sampled_from(["N", "RefId"]),
                             st.sampled_from(["0", "1", "2", "Key", "Value", "a_x000A_b", ""]), max_size=2)
TEXTS = st.sampled_from(["", "0", "1", "-1", "true", "maybe", "1e400", "INF", "PT1S", "P1D", "_xD800_",
                         "2027-12-30T14:39:08Z", "12/30/2027 2:39:08 PM", "AAEC", "!!", "x" * 30,
                         "49ef970b-7f97-475c-a415-91e2b7744875", "99999999999999999999999"])


def element(tag: str, attributes: dict, body: str, children: list[str]) -> str:
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in attributes.items())
    return f"<{tag}{attrs}>{escape(body)}{''.join(children)}</{tag}>"


# Trees of CLIXML elements with CLIXML's attributes and awkward texts, in any arrangement.
elements = st.recursive(
    st.builds(element, st.sampled_from(TAGS), ATTRIBUTES, TEXTS, st.just([])),
    lambda children: st.builds(element, st.sampled_from(TAGS), ATTRIBUTES, TEXTS,
                               st.lists(children, max_size=3)),
    max_leaves=12)


@FAST
@given(body=st.lists(elements, max_size=3))
def test_any_clixml_shaped_document_is_data_or_a_named_error(body):
    data = f'<Objs xmlns="{NAMESPACE}">{"".join(body)}</Objs>'.encode()
    try:
        read_clixml(data, SOURCE)
    except InputError as error:
        assert_named(error)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(elements, max_size=3))
def test_exchange_import_of_any_clixml_is_data_or_a_named_error(body):
    data = f'<Objs xmlns="{NAMESPACE}">{"".join(body)}</Objs>'.encode()
    try:
        parse_export(data, SOURCE, server="EX01")
    except InputError as error:
        assert_named(error)


# -- .NET serialisation ---------------------------------------------------------------

def _serialization_blobs() -> list[bytes]:
    return [obj["SerializationData"] for obj in read_clixml(REAL, "real.xml")]


BLOBS = _serialization_blobs()


@FAST
@given(data=st.binary(max_size=300))
def test_any_bytes_are_nrbf_or_a_named_error(data):
    for candidate in (data, b"\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00" + data,
                      b"#sig#" + data):
        try:
            read_serialization_data(candidate, SOURCE, "SerializationData")
        except InputError as error:
            assert_named(error)
            assert error.where.startswith("SerializationData, byte ")


@FAST
@given(index=st.integers(0, 2), position=st.integers(0, 10**6), byte=st.integers(0, 255),
       cut=st.booleans())
def test_a_damaged_real_stream_is_data_or_a_named_error(index, position, byte, cut):
    blob = bytearray(BLOBS[index])
    position %= len(blob)
    if cut:
        del blob[position:]
    else:
        blob[position] = byte
    try:
        read_nrbf(bytes(blob), SOURCE, "SerializationData")
    except InputError as error:
        assert_named(error)


# -- dates ---------------------------------------------------------------------------

@FAST
@given(value=st.text(max_size=40) | st.from_regex(r"/?Date\(-?\d{1,22}([+-]\d{4})?\)/?", fullmatch=True)
       | st.from_regex(r"\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?( [AP]M)?)?", fullmatch=True))
def test_any_text_is_a_utc_date_or_a_value_error(value):
    try:
        moment = parse_date(value)
    except ValueError as error:
        assert str(error).startswith(("not a date: ", "date out of range: "))
    else:
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


@FAST
@given(moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                           timezones=st.just(timezone.utc)))
def test_every_form_of_one_moment_reads_the_same(moment):
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    milliseconds = (moment - epoch) // timedelta(milliseconds=1)
    assert parse_date(f"/Date({milliseconds})/") == moment
    assert parse_date(f"Date({milliseconds}+0200)") == moment
    assert parse_date(moment.isoformat()) == moment
    assert parse_date(moment.astimezone(timezone(timedelta(hours=-5))).isoformat()) == moment
    whole = moment.replace(microsecond=0)
    hour12 = whole.hour % 12 or 12
    half = "AM" if whole.hour < 12 else "PM"
    assert parse_date(f"{whole.month}/{whole.day}/{whole.year:04d} {hour12}:{whole.minute:02d}:"
                      f"{whole.second:02d} {half}") == whole
    assert parse_date(whole.strftime("%m/%d/") + f"{whole.year:04d}" + whole.strftime(" %H:%M:%S")) == whole
