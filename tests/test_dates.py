"""Dates as PowerShell and its friends write them (issue 12, B): one parser for every reader,
and one unreadable date is an error on that field, never a lost row."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import EXCHANGE_SAMPLES
from docgen.app.bundles import bundle_with_sections
from docgen.app.collect_dns import DnsRequest, prepare_dns, run_dns
from docgen.areas.dkim.source import active_selector, parse_dkim_export
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle.schema import schema_errors
from docgen.core.dates import iso_utc, parse_date, parse_iso
from docgen.core.errors import InputError
from docgen.readers import powershell as ps
from support.dns_fixtures import CORPUS, SAMPLE_ZONES

UTC = timezone.utc
SCUBAGEAR = CORPUS / "scubagear"


@pytest.mark.parametrize("text, expected", [
    # ConvertTo-Json (Windows PowerShell 5.1), with and without the slashes
    ("/Date(1701717485274)/", datetime(2023, 12, 4, 19, 18, 5, 274000, tzinfo=UTC)),
    ("Date(1701717485274)", datetime(2023, 12, 4, 19, 18, 5, 274000, tzinfo=UTC)),
    # the offset names the writer's zone; the milliseconds are UTC already
    ("/Date(1701717485274+0100)/", datetime(2023, 12, 4, 19, 18, 5, 274000, tzinfo=UTC)),
    ("Date(1701717485274-0500)", datetime(2023, 12, 4, 19, 18, 5, 274000, tzinfo=UTC)),
    ("/Date(-62135596800000)/", datetime(1, 1, 1, tzinfo=UTC)),       # DateTime.MinValue
    # ISO 8601: PowerShell 7, CLIXML <DT>, .NET "o" with seven decimals, no offset = UTC
    ("2027-12-30T17:14:03Z", datetime(2027, 12, 30, 17, 14, 3, tzinfo=UTC)),
    ("2027-12-30T18:14:03+01:00", datetime(2027, 12, 30, 17, 14, 3, tzinfo=UTC)),
    ("2027-12-30T17:14:03.1234567Z", datetime(2027, 12, 30, 17, 14, 3, 123456, tzinfo=UTC)),
    ("2027-12-30T17:14:03", datetime(2027, 12, 30, 17, 14, 3, tzinfo=UTC)),
    ("2016-05-03 14:28:09.784", datetime(2016, 5, 3, 14, 28, 9, 784000, tzinfo=UTC)),
    # DateTime.ToString(): en-US and the invariant culture, month first; no zone = UTC
    ("12/30/2027 5:14:03 PM", datetime(2027, 12, 30, 17, 14, 3, tzinfo=UTC)),
    ("12/30/2027 12:14:03 AM", datetime(2027, 12, 30, 0, 14, 3, tzinfo=UTC)),
    ("12/30/2027 12:14:03 PM", datetime(2027, 12, 30, 12, 14, 3, tzinfo=UTC)),
    ("12/03/2019 14:47:32", datetime(2019, 12, 3, 14, 47, 32, tzinfo=UTC)),
    ("1/2/2027", datetime(2027, 1, 2, tzinfo=UTC)),
    ("Thursday, December 30, 2027 5:14:03 PM", datetime(2027, 12, 30, 17, 14, 3, tzinfo=UTC)),
    ("  /Date(0)/ ", datetime(1970, 1, 1, tzinfo=UTC)),
])
def test_every_form_reads_to_the_same_utc_moment(text, expected):
    assert parse_date(text) == expected
    assert ps.to_datetime(text, "f.json", "NotAfter") == expected


@pytest.mark.parametrize("text, message", [
    ("soon", "not a date: 'soon'"),
    ("30/12/2027 17:14:03", "not a date: '30/12/2027 17:14:03'"),    # day first: not read
    ("12/30/2027 13:14:03 PM", "not a date: '12/30/2027 13:14:03 PM'"),
    ("Date(1)/", "not a date: 'Date(1)/'"),
    ("Smarch 3, 2027", "not a date: 'Smarch 3, 2027'"),
    ("/Date(99999999999999999)/", "date out of range: /Date(99999999999999999)/"),
    ("0001-01-01T00:00:00+02:00", "date out of range: 0001-01-01T00:00:00+02:00"),
])
def test_what_is_not_a_date_says_so(text, message):
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert str(caught.value) == message
    with pytest.raises(InputError) as named:
        ps.to_datetime(text, "f.json", "object 1.RotateOnDate")
    assert str(named.value) == f"f.json: object 1.RotateOnDate: {message}"


def test_datetime_objects_from_clixml_are_made_utc():
    assert parse_date(datetime(2027, 12, 30, 17, 14, 3)) == datetime(2027, 12, 30, 17, 14, 3, tzinfo=UTC)


def test_the_bundle_writes_year_one_with_four_digits():
    # DateTime.MinValue is Exchange's "never"; strftime("%Y") alone wrote "1-01-01T00:00:00Z"
    moment = parse_date("/Date(-62135596800000)/")
    assert iso_utc(moment) == "0001-01-01T00:00:00Z"
    assert parse_iso(iso_utc(moment)) == moment


# -- the real ScubaGear DKIM rows ------------------------------------------------------

def _scubagear_rows(name: str) -> list[dict]:
    return json.loads((SCUBAGEAR / name).read_text(encoding="utf-8-sig"))["dkim_config"]


def test_scubagear_sample_dkim_rows_read_exactly():
    rows = _scubagear_rows("ProviderSettingsExport.sample.json")
    export = parse_dkim_export(json.dumps(rows).encode(), "ProviderSettingsExport.sample.json")
    assert export.errors == []
    records = {config.domain: config.to_record() for config in export.configs}
    assert {domain: (r["rotate_on_date"], r["key_creation_time"], r["last_checked"])
            for domain, r in records.items()} == {
        "tqhjy.onmicrosoft.com": ("2022-05-30T22:21:58Z", "2022-05-26T22:21:58Z", "2022-05-26T22:21:58Z"),
        "tqhjy.mail.onmicrosoft.com": ("2023-12-04T19:18:05Z", "2023-12-04T19:18:05Z",
                                       "2025-02-12T16:02:09Z"),
    }


def test_scubagear_rows_with_dates_written_without_slashes_read_the_same():
    """The issue reports `Date(1701717485274)` without slashes in ScubaGear reports (the stored
    sample writes `\\/Date(...)\\/`, which JSON reads as "/Date(...)/"); both forms must agree."""
    rows = _scubagear_rows("ProviderSettingsExport.sample.json")
    text = json.dumps(rows)
    bare = text.replace('"/Date(', '"Date(').replace(')/"', ')"')
    assert '"Date(1701717485274)"' in bare
    slashed = parse_dkim_export(text.encode(), "slashed.json")
    unslashed = parse_dkim_export(bare.encode(), "bare.json")
    assert unslashed.errors == []
    assert [c.to_record() for c in unslashed.configs] == [c.to_record() for c in slashed.configs]


def test_scubagear_stub_rows_and_the_exchange_online_sample():
    rows = _scubagear_rows("ProviderSettingsExport.stub.json")
    export = parse_dkim_export(json.dumps(rows).encode(), "stub.json")
    assert export.errors == []
    assert len(export.configs) == 5
    assert export.configs[0].to_record()["rotate_on_date"] == "2021-07-20T21:48:50Z"
    sample = (CORPUS / "exchange-online" / "get-dkimsigningconfig.sample.json").read_bytes()
    online = parse_dkim_export(sample, "get-dkimsigningconfig.sample.json")
    assert online.errors == [] and len(online.configs) == 2


# -- one bad field: an error on that field, the row kept -------------------------------

def _garbage_rows() -> list[dict]:
    rows = _scubagear_rows("ProviderSettingsExport.sample.json")
    rows[1]["RotateOnDate"] = "the day after tomorrow"
    rows[1]["Selector1KeySize"] = "big"
    return rows


def test_an_unreadable_date_is_that_fields_error_and_the_row_stays():
    export = parse_dkim_export(json.dumps(_garbage_rows()).encode(), "dkim.json")
    assert [config.domain for config in export.configs] == [
        "tqhjy.onmicrosoft.com", "tqhjy.mail.onmicrosoft.com"]
    row = export.configs[1]
    assert row.rotate_on_date is None and row.key_sizes == {"selector1": None, "selector2": 2048}
    assert row.key_creation_time == datetime(2023, 12, 4, 19, 18, 5, 274000, tzinfo=UTC)
    assert row.unreadable == ("Selector1KeySize", "RotateOnDate")
    assert [str(error) for error in export.errors] == [
        "dkim.json: object 2 (tqhjy.mail.onmicrosoft.com).selector1KeySize: not a number: 'big'",
        "dkim.json: object 2 (tqhjy.mail.onmicrosoft.com).RotateOnDate: "
        "not a date: 'the day after tomorrow'"]
    # The selectors differ before and after the unreadable RotateOnDate: which one signs is unknown.
    selector, reason = active_selector(row, datetime(2026, 1, 1, tzinfo=UTC))
    assert selector is None
    assert reason == "RotateOnDate could not be read, so which selector signs is not known"


def test_the_section_is_partial_and_names_the_field(tmp_path):
    rows = _garbage_rows()
    for row in rows:  # onto the sample zones, so the lookups run offline
        row["Domain"] = {"tqhjy.onmicrosoft.com": "contoso.com",
                         "tqhjy.mail.onmicrosoft.com": "contoso.net"}[row["Domain"]]
    export = tmp_path / "dkim.json"
    export.write_text(json.dumps(rows), encoding="utf-8")
    request = DnsRequest(dkim_config=export, zone_files=tuple(SAMPLE_ZONES),
                         collected_at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    collection = run_dns(prepare_dns(request))
    dkim = collection.dkim
    assert dkim is not None
    section = dkim.to_section()
    assert section["status"] == "partial"
    assert [item["domain"] for item in section["items"]] == ["contoso.com", "contoso.net"]
    net = section["items"][1]
    assert net["config"]["rotate_on_date"] is None and net["active_selector"] is None
    assert net["config"]["selector1_key_size"] is None
    assert {"source": "dkim.json", "where": "object 2 (contoso.net).RotateOnDate",
            "message": "not a date: 'the day after tomorrow'"} in section["errors"]
    # the kept row is a valid bundle fact
    assert schema_errors(bundle_with_sections(None, [dkim, collection.mail_auth], "Test")) == []


def test_an_exchange_store_certificate_with_an_unreadable_date_stays(tmp_path):
    """Before: one bad NotAfter dropped the server's whole certificate store."""
    document = json.loads((EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_text())
    store = document["Servers"][0]["ExchangeCertificates"]
    store[0]["NotAfter"] = "Date(1701717485274)"          # no slashes: read
    store[1]["NotAfter"] = "sometime in 2028"             # garbage: that field's error
    path = tmp_path / "exchange-certs.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = import_exchange_certs([path])
    ex01 = result.items[0]
    assert [(c["thumbprint"], c["not_after"]) for c in ex01["store_certificates"]] == [
        (store[0]["Thumbprint"], "2023-12-04T19:18:05Z"), (store[1]["Thumbprint"], None)]
    assert [str(e) for e in result.errors] == [
        "exchange-certs.json: server EX01, ExchangeCertificates[2].NotAfter: not a date: 'sometime in 2028'"]
    assert result.status == "partial"
