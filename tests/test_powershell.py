"""The PowerShell export reader: encodings, dates, arrays, bytes, with places in errors."""

from __future__ import annotations

import codecs
from datetime import datetime, timezone

import pytest

from docgen.core.errors import InputError
from docgen.readers import powershell as ps
from docgen.readers.textfile import decode_text

DOC = '[{"Name": "EX01", "When": "/Date(1653603718610)/"}]'


@pytest.mark.parametrize("encoded", [
    DOC.encode("utf-8"),
    codecs.BOM_UTF8 + DOC.encode("utf-8"),
    codecs.BOM_UTF16_LE + DOC.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + DOC.encode("utf-16-be"),
    DOC.encode("utf-16-le"),  # no BOM: recognised by its NUL bytes
], ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom"])
def test_every_encoding_powershell_writes_reads_the_same(encoded):
    assert ps.load_json(encoded, "x.json") == [{"Name": "EX01", "When": "/Date(1653603718610)/"}]


def test_truncated_json_names_line_and_column():
    with pytest.raises(InputError) as caught:
        ps.load_json(b'{\n  "Servers": [\n    {"Name": "EX01"', "export.json")
    assert str(caught.value) == ("export.json: line 3 column 20: not valid JSON "
                                 "(Expecting ',' delimiter)")


def test_half_a_surrogate_pair_is_read_as_the_replacement_character():
    # json reads "\ud800" as a lone surrogate, which no UTF-8 writer accepts: importing
    # such an export ended in an internal error when the bundle was written.
    data = ps.load_json(b'{"Name": "EX\\ud800", "Pair": "\\ud83d\\ude00", "Text": "\\\\ud800"}',
                        "export.json")
    assert data == {"Name": "EX\ufffd", "Pair": "\U0001f600", "Text": "\\ud800"}


def test_empty_file_is_an_error_not_empty_data():
    with pytest.raises(InputError, match="x.json: the file is empty"):
        ps.load_json(b"  \r\n", "x.json")


def test_invalid_utf8_names_the_byte():
    with pytest.raises(InputError) as caught:
        decode_text(b'{"a": "\xff\xfe\xfa"}', "bad.json")
    assert str(caught.value) == "bad.json: byte 7: not valid UTF-8 text"


@pytest.mark.parametrize("value, expected", [
    ("/Date(1653603718610)/", datetime(2022, 5, 26, 22, 21, 58, 610000, tzinfo=timezone.utc)),
    # the offset says where the writer was; the milliseconds are UTC already
    ("/Date(1653603718610+0200)/", datetime(2022, 5, 26, 22, 21, 58, 610000, tzinfo=timezone.utc)),
    ("/Date(-1000)/", datetime(1969, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    ("2022-05-26T22:21:58.61+00:00", datetime(2022, 5, 26, 22, 21, 58, 610000, tzinfo=timezone.utc)),
    ("2022-05-27T00:21:58+02:00", datetime(2022, 5, 26, 22, 21, 58, tzinfo=timezone.utc)),
    ("2022-05-26T22:21:58Z", datetime(2022, 5, 26, 22, 21, 58, tzinfo=timezone.utc)),
    ({"value": "/Date(1653603718610)/", "DisplayHint": 2, "DateTime": "Thursday, May 26, 2022"},
     datetime(2022, 5, 26, 22, 21, 58, 610000, tzinfo=timezone.utc)),
    (None, None),
])
def test_dates_in_every_form(value, expected):
    assert ps.to_datetime(value, "f.json", "NotAfter") == expected


def test_a_date_that_is_not_one_names_the_field():
    with pytest.raises(InputError) as caught:
        ps.to_datetime("next tuesday", "f.json", "server EX01.NotAfter")
    assert str(caught.value) == "f.json: server EX01.NotAfter: not a date: 'next tuesday'"


def test_single_object_becomes_a_list():
    assert ps.as_list({"a": 1}) == [{"a": 1}]
    assert ps.as_list([1, 2]) == [1, 2]
    assert ps.as_list(None) == []


def test_bytes_from_number_arrays_and_base64():
    assert ps.to_bytes([48, 130, 0, 255], "f", "w") == b"\x30\x82\x00\xff"
    assert ps.to_bytes("MIIB\nAA==", "f", "w") == b"0\x82\x01\x00"


@pytest.mark.parametrize("value, message", [
    ([48, 256], "byte array holds values that are not bytes (0-255)"),
    ([48, True], "byte array holds values that are not bytes (0-255)"),
    ("not base64!", "not valid base64"),
    ("System.Byte[]", "the bytes were cut by ConvertTo-Json's depth limit (export again with -Depth 4)"),
    (12, "expected bytes (base64 or a number array), found a number"),
])
def test_bad_bytes_are_named(value, message):
    with pytest.raises(InputError) as caught:
        ps.to_bytes(value, "f.json", "server EX03")
    assert str(caught.value) == f"f.json: server EX03: {message}"


def test_booleans_and_enums():
    assert ps.to_bool("True", "f", "w") is True
    assert ps.to_bool(False, "f", "w") is False
    with pytest.raises(InputError):
        ps.to_bool("maybe", "f", "w")
    flags = {0: "None", 1: "IMAP", 2: "POP", 16: "SMTP"}
    assert ps.enum_names(19, flags) == ["IMAP", "POP", "SMTP"]
    assert ps.enum_names("IMAP, POP, SMTP", flags) == ["IMAP", "POP", "SMTP"]
    assert ps.enum_names(0, flags) == ["None"]
    assert ps.enum_name(3, {3: "DateInvalid"}) == "DateInvalid"
