"""The HTML report, read back with CSS selectors: cover, contents, findings, servers, escaping."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@pytest.fixture(scope="module")
def page(demo_dir):
    return lxml.html.fromstring((demo_dir / "contoso.html").read_bytes())


def text(element) -> str:
    return " ".join(element.text_content().split())


def test_cover_names_the_bundle_it_was_built_from(page, demo_dir):
    assert text(page.cssselect("header.cover h1.doc-title")[0]) == "As-built documentation: Contoso"
    sha = hashlib.sha256((demo_dir / "contoso.bundle.json").read_bytes()).hexdigest()
    assert text(page.cssselect("#bundle-sha256")[0]) == sha
    facts = dict(zip([text(dt) for dt in page.cssselect("header.cover dt")],
                     [text(dd) for dd in page.cssselect("header.cover dd")]))
    assert facts["Collected"] == "2026-11-02 10:00 UTC"  # the newest section: DNS
    assert facts["Author"] == "docgen demo"
    assert facts["Produced by"].startswith("docgen 0.1.0")
    assert page.cssselect('meta[name="docgen-bundle-sha256"]')[0].get("content") == sha


def test_contents_link_to_every_section(page):
    links = [a.get("href") for a in page.cssselect("nav.toc a")]
    assert links[0] == "#summary" and links[-1] == "#provenance"
    for href in links:
        assert page.cssselect(href), href


def test_findings_summary(page):
    counts = {text(box).split()[1]: int(text(box).split()[0]) for box in page.cssselect("#summary .count")}
    assert counts == {"critical": 5, "high": 22, "warning": 18, "info": 0}
    rows = page.cssselect("#summary table.findings tbody tr")
    ids = [row.get("data-finding-id") for row in rows]
    assert len(ids) == 45
    assert [i.split("/")[0] for i in ids if i.startswith("exchange-cert-")] == [  # most severe first
        "exchange-cert-expires-soon:ex07", "exchange-cert-expires-soon:ex07",
        "exchange-cert-name-mismatch:ex07", "exchange-cert-weak-key:ex07"]
    assert [i for i in ids if i.startswith("exchange-relay-")] == [
        "exchange-relay-open:ex07\\relay open ex07", "exchange-relay-load-balancer:ex01\\relay lb ex01",
        "exchange-relay-hub-transport:ex07\\relay open ex07", "exchange-relay-wide-range:ex08\\relay apps ex08"]
    assert [i for i in ids if i.startswith("exchange-smtp-")] == [  # most severe first, then by id
        "exchange-smtp-cert-expired:ex04", "exchange-smtp-cert-expires-soon:ex03",
        "exchange-smtp-cert-missing:ex05", "exchange-smtp-cert-weak-key:ex04",
        "exchange-smtp-cert-weak-signature:ex04"]
    severities = [text(row.cssselect("td")[0]) for row in rows]
    assert severities == sorted(severities, key=["critical", "high", "warning", "info"].index)
    expired = page.cssselect('#summary tr[data-finding-id="exchange-smtp-cert-expired:ex04"] td')
    assert [text(td) for td in expired][:4] == ["critical", "Exchange certificates", "EX04",
                                                "Default SMTP certificate has expired exchange-smtp-cert-expired:ex04"]


def test_server_overview(page):
    rows = page.cssselect("#sec-exchange_certificates table.exchange-servers tbody tr")
    assert [row.get("data-server") for row in rows] == ["ex01", "ex02", "ex03", "ex04", "ex05", "ex07", "ex08"]
    cells = [text(td) for td in rows[2].cssselect("td")]
    assert cells == ["EX03 high", "Mailbox", "CN=smtp.contoso.com", "CN=Contoso Issuing CA 01,O=Contoso Ltd",
                     "2026-11-23", "21", "RSA 2048", "sha256", "no"]   # at the section's collection
    assert text(rows[4]) == "EX05 high Mailbox No default SMTP certificate (attribute not set)"
    assert text(rows[5]) == ("EX07 Mailbox Not in the export (Export-ExchangeConfig lists the store, "
                             "not msExchServerInternalTLSCert)")
    store_default = page.cssselect("#sec-exchange_certificates table.store-certificates tr.default-cert")
    # EX02-EX04 mark their default certificate in the store; EX01's store is the one
    # Export-ExchangeConfig read with RawData (the richer one), which lacks the sample's default
    assert len(store_default) == 3
    notes = [text(p) for p in page.cssselect("#sec-exchange_certificates p.muted")
             if "is not among" in text(p)]
    assert notes == ["The default SMTP certificate (9E0B0A71898770DE886D9C40928F6CB8C3414587) is not "
                     "among the certificates this store lists."]


def test_provenance_lists_inputs_with_hashes(page, demo_dir):
    bundle = json.loads((demo_dir / "contoso.bundle.json").read_text())
    cells = [[text(td) for td in row.cssselect("td")] for row in page.cssselect("#provenance table.inputs tbody tr")]
    assert [(c[0], c[3]) for c in cells] == [(i["name"], i["sha256"]) for i in bundle["inputs"]]


def test_html_is_self_contained(page):
    assert page.cssselect("link[rel=stylesheet], script[src], img") == []
    assert all(a.get("href", "").startswith("#") for a in page.cssselect("a"))
    assert "@font-face" not in text(page.cssselect("style")[0])  # fonts only for the PDF


def _cert_with_subject(common_name: str) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("a<b>.example")]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_markup_from_inputs_stays_text(run_cli, tmp_path):
    hostile = "<script>alert(1)</script>"
    export = {"Collector": "Export-ExchangeCertificates", "CollectedAt": "2026-11-02T09:30:00Z",
              "Organization": "Contoso <b>Ltd</b>",
              "Servers": [{"Name": "EX<i>9</i>", "DistinguishedName": "CN=EX9,DC=contoso,DC=com",
                           "ServerRole": "Mailbox", "Fqdn": None, "AdminDisplayVersion": None,
                           "InternalTransportCertificate": base64.b64encode(_cert_with_subject(hostile)).decode(),
                           "ExchangeCertificates": [], "Errors": []}]}
    source = tmp_path / "x.json"
    source.write_text(json.dumps(export))
    bundle = tmp_path / "x.bundle.json"
    assert run_cli("import", "exchange-certs", source, "-o", bundle).exit_code == 0
    assert run_cli("render", bundle, "-o", tmp_path, "--format", "html").exit_code == 0
    page = lxml.html.fromstring((tmp_path / "x.html").read_bytes())
    assert page.cssselect("script, b, i") == []
    assert text(page.cssselect("p.organization")[0]) == "Contoso <b>Ltd</b>"
    row = page.cssselect("table.exchange-servers tbody tr")[0]
    # RFC 4514 escapes < and > in DNs with a backslash; the text is shown as it is
    assert [text(td) for td in row.cssselect("td")][:3] == [
        "EX<i>9</i> warning", "Mailbox", r"CN=\<script\>alert(1)\</script\>"]
    assert text(page.cssselect("#sec-exchange_certificates dl.facts")[0]).count("a<b>.example") == 1
