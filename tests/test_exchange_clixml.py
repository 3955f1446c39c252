"""Exchange certificates from CLIXML (Export-Clixml): the default SMTP certificate as an
X509Certificate2, a server's store from Get-ExchangeCertificate, and Get-ADObject output;
through the same item builders as the JSON and LDIF forms, the CLI (--server) and
`docgen build` (recognised by content)."""

from __future__ import annotations

import base64
import codecs
import json
import re
import shutil

import pytest

from conftest import EXCHANGE_SAMPLES, TEST_DATA
from docgen.app.bundles import bundle_with_sections
from docgen.app.detect import detect_areas
from docgen.areas.exchange_certificates.source import import_exchange_certs, parse_export
from docgen.bundle.schema import schema_errors
from docgen.core.errors import ImportFailed, InputError
from docgen.readers.certificates import certificate_facts
from docgen.readers.clixml import NAMESPACE, read_clixml

CSS = TEST_DATA / "css-exchange"
X509 = CSS / "E19" / "GetInternalTransportCertificateFromServer.xml"
STORE_E19 = CSS / "E19" / "GetExchangeCertificate.xml"
STORE_E16 = CSS / "E16" / "GetExchangeCertificate.xml"
FACT_FIELDS = ["subject", "issuer", "serial", "thumbprint_sha1", "sha256", "not_before",
               "not_after", "san_dns", "key_type", "key_size", "signature_hash", "self_signed",
               "der_base64"]


def x509_der() -> bytes:
    return read_clixml(X509.read_bytes(), X509.name)[0]["RawData"]


def test_x509certificate2_with_server_option():
    result = import_exchange_certs([X509], server="E2K16-1")
    assert (result.status, result.errors) == ("ok", [])
    (item,) = result.items
    assert {k: item[k] for k in ("key", "name", "dn", "fqdn", "roles", "version", "store_certificates")} == {
        "key": "e2k16-1", "name": "E2K16-1", "dn": None, "fqdn": None, "roles": [], "version": None,
        "store_certificates": None}
    assert item["source"] == {"file": "GetInternalTransportCertificateFromServer.xml", "where": "object 1"}
    cert = item["default_smtp_certificate"]
    assert cert["state"] == "present"
    assert cert["thumbprint_sha1"] == "D003810EBE1624145889D031FBB77ED2BD280FD3"
    assert (cert["subject"], cert["not_after"], cert["self_signed"]) == (
        "CN=E2k16-1", "2027-12-30T14:39:08Z", True)
    assert cert["san_dns"] == ["E2k16-1", "E2k16-1.Contoso.lab"]
    # the same facts, the same builder, as every other form
    expected = certificate_facts(x509_der(), "x", "y")
    assert {k: cert[k] for k in FACT_FIELDS} == {k: expected[k] for k in FACT_FIELDS}
    assert schema_errors(bundle_with_sections(None, [result], "Contoso")) == []


@pytest.mark.parametrize("file_name, name, fqdn", [
    ("E2K16-1.xml", "E2K16-1", None),
    ("E2K16-1.Contoso.lab.xml", "E2K16-1", "E2K16-1.Contoso.lab"),
    ("E2K16-1_smtp-certificate.xml", "E2K16-1", None),
    ("ex01.clixml", "ex01", None),
])
def test_the_server_from_the_file_name(tmp_path, file_name, name, fqdn):
    path = tmp_path / file_name
    shutil.copyfile(X509, path)
    result = import_exchange_certs([path])
    assert result.errors == []
    assert [(i["name"], i["fqdn"], i["key"]) for i in result.items] == [(name, fqdn, name.lower())]


def test_the_option_wins_over_the_file_name(tmp_path):
    path = tmp_path / "EX99.xml"
    shutil.copyfile(X509, path)
    assert [i["name"] for i in import_exchange_certs([path], server="EX01").items] == ["EX01"]


def test_a_certificate_that_names_no_server():
    result = import_exchange_certs([X509])
    assert result.status == "error" and result.items == []
    assert [str(e) for e in result.errors] == [
        "GetInternalTransportCertificateFromServer.xml: object 1: the certificate names no server: "
        "give --server NAME, or name the file after the server (EX01.xml, EX01.contoso.com.xml or "
        "EX01_anything.xml)"]


def test_a_server_option_that_is_not_a_name():
    with pytest.raises(InputError) as caught:
        parse_export(X509.read_bytes(), X509.name, server="not a server")
    assert str(caught.value) == (
        "GetInternalTransportCertificateFromServer.xml: --server 'not a server' is not a server name "
        "(a computer name of up to 15 letters, digits and hyphens, or its FQDN)")


STORE_E19_EXPECTED = [
    {"thumbprint": "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7",
     "friendly_name": "Microsoft Exchange Server Auth Certificate",
     "subject": "CN=Microsoft Exchange Server Auth Certificate", "services": ["SMTP"], "status": "Valid",
     "not_after": "2024-11-06T22:47:32Z", "self_signed": True, "domains": [],
     "issuer": "CN=Microsoft Exchange Server Auth Certificate", "not_before": "2019-12-03T22:47:32Z",
     "key_type": "RSA", "key_size": 2048, "signature_hash": "sha1"},
    {"thumbprint": "6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28", "friendly_name": "Microsoft Exchange",
     "subject": "CN=Solo-E19A", "services": ["IMAP", "POP", "IIS", "SMTP"], "status": "Valid",
     "not_after": "2024-12-03T22:45:58Z", "self_signed": True,
     "domains": ["Solo-E19A", "Solo-E19A.Solo.com"], "issuer": "CN=Solo-E19A",
     "not_before": "2019-12-03T22:45:58Z", "key_type": "RSA", "key_size": 2048, "signature_hash": "sha1"},
    {"thumbprint": "38247AD2B76244411748274C508D13446311830B", "friendly_name": "CN=WMSvc-WIN-K300A9DA9VA",
     "subject": "CN=WMSvc-WIN-K300A9DA9VA", "services": ["None"], "status": "Valid",
     "not_after": "2029-11-30T20:53:13Z", "self_signed": True, "domains": [],
     "issuer": "CN=WMSvc-WIN-K300A9DA9VA", "not_before": "2019-12-03T20:53:13Z", "key_type": "RSA",
     "key_size": 2048, "signature_hash": "sha256"},
]


def test_get_exchange_certificate_is_the_servers_store():
    result = import_exchange_certs([STORE_E19])
    (item,) = result.items
    assert (item["key"], item["name"], item["fqdn"]) == ("solo-e19a", "Solo-E19A", "Solo-E19A.Solo.com")
    assert item["store_certificates"] == STORE_E19_EXPECTED
    # Get-ExchangeCertificate does not say which certificate is the default SMTP one
    message = ("Get-ExchangeCertificate output lists the certificates of Solo-E19A but not which one is "
               "its default SMTP certificate (msExchServerInternalTLSCert): import that too (the "
               "collector, Get-ADObject, LDIF or an X509Certificate2 export)")
    assert item["default_smtp_certificate"] == {"state": "error", "error": message}
    assert [str(e) for e in result.errors] == [f"GetExchangeCertificate.xml: object 1: {message}"]
    assert result.status == "error"
    with pytest.raises(ImportFailed):
        bundle_with_sections(None, [result], "Solo")


def test_exchange_2016_store():
    (item,) = import_exchange_certs([STORE_E16]).items
    assert (item["name"], item["fqdn"]) == ("Solo-E16A", "Solo-E16A.Solo.local")
    assert [(c["thumbprint"], c["friendly_name"], c["services"]) for c in item["store_certificates"]] == [
        ("92E196F3C8D3D753FCFC5B7690C3173AA1C0ABE3", "Microsoft Exchange Server Auth Certificate", ["SMTP"]),
        ("823884A32609DCDC8C4B5462952586C30D814073", "Microsoft Exchange", ["IMAP", "POP", "IIS", "SMTP"]),
        ("A60C6E62FF85D208DF668D597A1B077E1534147F", "CN=WMSvc-WIN-9UC94ETVM30", ["None"])]


@pytest.mark.parametrize("order", ["store-first", "certificate-first"])
def test_store_and_default_certificate_of_one_server_make_one_item(order):
    """Mechanics of the merge: the lab's X509Certificate2 export is of another server (E2K16-1);
    --server pairs it with Solo-E19A's store here only to join the two records."""
    files = [STORE_E19, X509] if order == "store-first" else [X509, STORE_E19]
    result = import_exchange_certs(files, server="Solo-E19A")
    assert (result.status, result.errors) == ("ok", [])
    (item,) = result.items
    assert item["default_smtp_certificate"]["thumbprint_sha1"] == "D003810EBE1624145889D031FBB77ED2BD280FD3"
    assert item["store_certificates"] == STORE_E19_EXPECTED
    assert item["fqdn"] == "Solo-E19A.Solo.com"
    assert schema_errors(bundle_with_sections(None, [result], "Solo")) == []


def test_two_servers_one_with_only_its_store():
    result = import_exchange_certs([X509, STORE_E16, STORE_E19], server="Solo-E19A")
    assert [(i["name"], i["default_smtp_certificate"]["state"], len(i["store_certificates"] or []))
            for i in result.items] == [("Solo-E16A", "error", 3), ("Solo-E19A", "present", 3)]
    assert result.status == "partial" and len(result.errors) == 1
    assert "Solo-E16A" in result.errors[0].message
    assert schema_errors(bundle_with_sections(None, [result], "Solo")) == []


def test_store_certificates_without_serialization_data_keep_their_rows(tmp_path):
    """A local (not remote) Export-Clixml has no SerializationData: Services and Status are not in
    the file. The rows stay, each with that field's error; the server comes from --server."""
    text = re.sub(r'<BA N="SerializationData">[^<]*</BA>', "", STORE_E19.read_bytes().decode("utf-8-sig"))
    path = tmp_path / "store.xml"
    path.write_text(text, encoding="utf-8")
    result = import_exchange_certs([path], server="Solo-E19A")
    (item,) = result.items
    assert [(c["thumbprint"], c["services"], c["status"], c["friendly_name"], c["self_signed"])
            for c in item["store_certificates"]] == [
        (expected["thumbprint"], [], None, None, True) for expected in STORE_E19_EXPECTED]
    assert [str(e) for e in result.errors[:3]] == [
        f"store.xml: object {index} ({expected['thumbprint']}).SerializationData: "
        "Services and Status are not in the export (no SerializationData)"
        for index, expected in enumerate(STORE_E19_EXPECTED, start=1)]


def test_corrupt_serialization_data_is_that_fields_error(tmp_path):
    text = STORE_E19.read_bytes().decode("utf-8-sig")
    start = text.index('<BA N="SerializationData">') + len('<BA N="SerializationData">')
    path = tmp_path / "store.xml"
    path.write_text(text[:start] + "AAEAAAD/////" + text[text.index("</BA>", start):], encoding="utf-8")
    result = import_exchange_certs([path], server="Solo-E19A")
    (item,) = result.items
    assert [c["services"] for c in item["store_certificates"]] == [[], ["IMAP", "POP", "IIS", "SMTP"], ["None"]]
    assert str(result.errors[0]).startswith(
        "store.xml: object 1 (C3EDCF181EF4F9B53D01768ECA99564014BCA6E7).SerializationData: "
        "unreadable .NET serialisation data: the data ends early")


def adobject_clixml() -> bytes:
    """Constructed, not captured: `Get-ADObject -Properties msExchServerInternalTLSCert,... |
    Export-Clixml` as the AD module's ADObject would serialise, with the lab certificate."""
    der = base64.b64encode(x509_der()).decode()
    return f"""<Objs Version="1.1.0.1" xmlns="{NAMESPACE}">
  <Obj RefId="0">
    <TN RefId="0"><T>Microsoft.ActiveDirectory.Management.ADObject</T>
      <T>Microsoft.ActiveDirectory.Management.ADEntity</T><T>System.Object</T></TN>
    <ToString>CN=E2K16-1,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=Contoso,DC=lab</ToString>
    <Props>
      <S N="DistinguishedName">CN=E2K16-1,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=Contoso,DC=lab</S>
      <S N="dNSHostName">E2K16-1.Contoso.lab</S>
      <I32 N="msExchCurrentServerRoles">16423</I32>
      <BA N="msExchServerInternalTLSCert">{der}</BA>
      <S N="Name">E2K16-1</S>
      <Obj N="serialNumber" RefId="1">
        <TN RefId="1"><T>Microsoft.ActiveDirectory.Management.ADPropertyValueCollection</T>
          <T>System.Collections.CollectionBase</T><T>System.Object</T></TN>
        <LST><S>Version 15.1 (Build 2375.7)</S></LST>
      </Obj>
    </Props>
  </Obj>
</Objs>""".encode()


def test_get_adobject_clixml_goes_through_the_adobject_builder(tmp_path):
    path = tmp_path / "adobjects.xml"
    path.write_bytes(adobject_clixml())
    result = import_exchange_certs([path])
    assert (result.status, result.errors, result.organization) == ("ok", [], "Contoso.lab")
    (item,) = result.items
    assert (item["name"], item["fqdn"], item["version"]) == (
        "E2K16-1", "E2K16-1.Contoso.lab", "Version 15.1 (Build 2375.7)")
    assert item["roles"] == ["ClientAccess", "Mailbox", "HubTransport", "FrontendTransport"]
    assert item["default_smtp_certificate"]["thumbprint_sha1"] == "D003810EBE1624145889D031FBB77ED2BD280FD3"
    # the same server from its X509Certificate2 export: one server, the same certificate
    both = import_exchange_certs([path, X509], server="E2K16-1")
    assert (both.errors, len(both.items)) == ([], 1)


@pytest.mark.parametrize("name", ["GetReceiveConnector.xml", "GetExchangeServer.xml", "GetAuthConfig.xml"])
def test_other_clixml_is_refused_naming_its_type(name):
    result = import_exchange_certs([CSS / "E19" / name])
    assert result.status == "error" and result.items == []
    (error,) = result.errors
    assert error.where == "object 1"
    assert error.message.endswith(" object, not an Exchange certificate: expected an X509Certificate2, "
                                  "Get-ExchangeCertificate output, or Get-ADObject output with "
                                  "msExchServerInternalTLSCert")


def test_two_certificates_for_one_server_refuse_the_file(tmp_path):
    text = X509.read_bytes().decode("utf-8-sig")
    obj = text[text.index("<Obj "):text.rindex("</Objs>")]
    path = tmp_path / "EX01.xml"
    path.write_text(text.replace(obj, obj + obj.replace('RefId="0"', 'RefId="1"', 1)
                                 .replace('<TN RefId="0">', '<TN RefId="9">')), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_export(path.read_bytes(), path.name)
    assert str(caught.value).startswith("EX01.xml: object 2: a second certificate for server EX01 "
                                        "(object 1 was the first)")


# -- the CLI and `docgen build` ------------------------------------------------------

def test_cli_import_with_server(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", X509, "--server", "E2K16-1", "-o", bundle)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {bundle}: exchange_certificates with 1 item(s), status ok\n"
    section = json.loads(bundle.read_text())["sections"]["exchange_certificates"]
    assert section["items"][0]["default_smtp_certificate"]["thumbprint_sha1"] == (
        "D003810EBE1624145889D031FBB77ED2BD280FD3")


def test_cli_import_of_a_store_alone_is_refused_as_a_whole(run_cli, tmp_path):
    bundle = tmp_path / "b.json"
    result = run_cli("import", "exchange-certs", STORE_E19, "-o", bundle)
    assert result.exit_code == 1
    assert "not which one is its default SMTP certificate" in result.stderr
    assert not bundle.exists()


EXCHANGE = "exchange_certificates"


@pytest.mark.parametrize("path, kind", [
    (X509, EXCHANGE), (STORE_E19, EXCHANGE), (STORE_E16, EXCHANGE),
    (CSS / "E19" / "GetReceiveConnector.xml", "exchange_connectors"), (CSS / "E16" / "GetExchangeServer.xml", "exchange_servers"),
])
def test_build_recognises_certificate_clixml_by_content(tmp_path, path, kind):
    copy = tmp_path / "export.bin"
    shutil.copyfile(path, copy)
    assert detect_areas(copy) == ([kind] if kind else [])
    utf16 = tmp_path / "utf16.bin"
    utf16.write_bytes(codecs.BOM_UTF16_LE + path.read_bytes().decode("utf-8-sig").encode("utf-16-le"))
    assert detect_areas(utf16) == ([kind] if kind else [])


def test_build_reads_a_clixml_certificate_named_after_its_server(run_cli, tmp_path, monkeypatch):
    folder = tmp_path / "contoso"
    assert run_cli("init", folder, "--organization", "Contoso").exit_code == 0
    shutil.copy(EXCHANGE_SAMPLES / "contoso-exchange-certs.json", folder / "raw")
    shutil.copyfile(X509, folder / "raw" / "E2K16-1.xml")
    (folder / "docgen.toml").write_text('[document]\norganization = "Contoso"\n[output]\nformats = ["html"]\n')
    monkeypatch.chdir(folder)
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    section = json.loads((folder / "out" / "contoso.bundle.json").read_text())["sections"]["exchange_certificates"]
    assert section["status"] == "ok"
    assert [item["name"] for item in section["items"]] == ["E2K16-1", "EX01", "EX02", "EX03", "EX04", "EX05"]
