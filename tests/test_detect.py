"""`docgen build` recognises raw inputs by content, through each area's recogniser."""

from __future__ import annotations

from conftest import SAMPLES
from docgen.app.build import group_by_area
from docgen.app.detect import detect_areas


def test_each_sample_is_recognised_by_its_area():
    assert detect_areas(SAMPLES / "exchange" / "contoso-exchange-certs.json") == ["exchange_certificates"]
    assert detect_areas(SAMPLES / "exchange" / "contoso-exchange-servers.ldf") == ["exchange_certificates"]
    assert detect_areas(SAMPLES / "aadconnect" / "contoso-aadconnect.json") == ["aadconnect"]
    assert detect_areas(SAMPLES / "aadconnect" / "contoso-2016") == ["aadconnect"]
    assert detect_areas(SAMPLES / "dns" / "contoso-dkim-collector.json") == ["dkim"]
    assert detect_areas(SAMPLES / "dns" / "zones" / "contoso.com.zone") == []


def test_one_export_may_feed_several_areas(tmp_path):
    both = tmp_path / "both.json"
    both.write_text('{"Collector": "Export-ExchangeCertificates", "Selector1CNAME": "x"}')
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello")
    assert detect_areas(both) == ["exchange_certificates", "dkim"]
    assert group_by_area([both, unknown]) == {"exchange_certificates": [both], "dkim": [both]}
