"""The CLIXML reader (docgen.readers.clixml) on real Export-Clixml output from Exchange 2016 and
2019 lab servers (tests/data/css-exchange, see its README), and on constructed documents for
every element type and every way a document can be wrong."""

from __future__ import annotations

import codecs
import hashlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import TEST_DATA
from docgen.core.errors import InputError
from docgen.readers.certificates import certificate_facts
from docgen.readers.clixml import (
    NAMESPACE,
    PSDict,
    PSEnum,
    PSList,
    PSObject,
    has_type,
    looks_like_clixml,
    read_clixml,
    type_name,
    unescape,
)
from docgen.readers.nrbf import NrbfObject, enum_value, read_serialization_data

CSS = TEST_DATA / "css-exchange"
REAL_FILES = sorted(CSS.glob("*/*.xml"))
UTC = timezone.utc


def read(relative: str) -> list:
    return read_clixml((CSS / relative).read_bytes(), Path(relative).name)


def doc(body: str) -> bytes:
    return f'<Objs Version="1.1.0.1" xmlns="{NAMESPACE}">{body}</Objs>'.encode()


# -- every real file ---------------------------------------------------------------

@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_file_reads_to_typed_objects(path):
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    objects = read_clixml(data, path.name)
    assert objects and all(isinstance(obj, PSObject) for obj in objects)
    assert all(obj.type_names and obj.to_string for obj in objects)
    assert looks_like_clixml(data.decode("utf-8-sig"))


def test_real_files_hold_what_their_readme_says():
    counts = {f"{p.parent.name}/{p.name}": len(read_clixml(p.read_bytes(), p.name)) for p in REAL_FILES}
    assert counts == {
        "E16/GetAcceptedDomain.xml": 3, "E16/GetAuthConfig.xml": 1, "E16/GetExchangeCertificate.xml": 3,
        "E16/GetExchangeServer.xml": 1, "E16/GetOrganizationConfig.xml": 1,
        "E16/GetWebServicesVirtualDirectory.xml": 1,
        "E19/GetAcceptedDomain.xml": 3, "E19/GetAuthConfig.xml": 1, "E19/GetExchangeCertificate.xml": 3,
        "E19/GetExchangeServer.xml": 1, "E19/GetHybridConfiguration.xml": 1,
        "E19/GetInternalTransportCertificateFromServer.xml": 1, "E19/GetOrganizationConfig.xml": 1,
        "E19/GetPartnerApplication.xml": 5, "E19/GetReceiveConnector.xml": 5,
        "E19/GetReceiveConnectorEmptyTlsCertificateName.xml": 5,
        "E19/GetWebServicesVirtualDirectory.xml": 1}


def test_the_default_smtp_certificate_as_an_x509certificate2():
    (cert,) = read("E19/GetInternalTransportCertificateFromServer.xml")
    assert cert.type_names == ("System.Security.Cryptography.X509Certificates.X509Certificate2",
                               "System.Security.Cryptography.X509Certificates.X509Certificate",
                               "System.Object")
    assert has_type(cert, "System.Security.Cryptography.X509Certificates.X509Certificate")
    assert list(cert) == ["RawData"] and isinstance(cert["RawData"], bytes)
    assert hashlib.sha1(cert["RawData"]).hexdigest().upper() == "D003810EBE1624145889D031FBB77ED2BD280FD3"
    facts = certificate_facts(cert["RawData"], "x", "RawData")
    assert (facts["subject"], facts["issuer"], facts["self_signed"]) == ("CN=E2k16-1", "CN=E2k16-1", True)
    assert facts["not_after"] == "2027-12-30T14:39:08Z"
    assert facts["serial"] == "69FC45493FF2248140DD9D53B4D92957"
    # _x000D__x000A_ in <ToString> is CR LF; the en-US local time beside the UTC DER time
    assert cert.to_string.startswith("[Subject]\r\n  CN=E2k16-1\r\n\r\n[Issuer]")
    assert "[Not After]\r\n  12/30/2027 2:39:08 PM\r\n" in cert.to_string
    assert cert.to_string.endswith("[Thumbprint]\r\n  D003810EBE1624145889D031FBB77ED2BD280FD3\r\n")


@pytest.mark.parametrize("version, server, expected", [
    ("E19", "Solo-E19A.Solo.com", [
        ("C3EDCF181EF4F9B53D01768ECA99564014BCA6E7", "Microsoft Exchange Server Auth Certificate", 16,
         "2024-11-06T22:47:32Z"),
        ("6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28", "Microsoft Exchange", 27, "2024-12-03T22:45:58Z"),
        ("38247AD2B76244411748274C508D13446311830B", "CN=WMSvc-WIN-K300A9DA9VA", 0, "2029-11-30T20:53:13Z")]),
    ("E16", "Solo-E16A.Solo.local", [
        ("92E196F3C8D3D753FCFC5B7690C3173AA1C0ABE3", "Microsoft Exchange Server Auth Certificate", 16, None),
        ("823884A32609DCDC8C4B5462952586C30D814073", "Microsoft Exchange", 27, None),
        ("A60C6E62FF85D208DF668D597A1B077E1534147F", "CN=WMSvc-WIN-9UC94ETVM30", 0, None)]),
])
def test_get_exchange_certificate_keeps_services_only_in_serialization_data(version, server, expected):
    """Export-Clixml of an X509Certificate2 (and of ExchangeCertificate, derived from it) writes
    RawData alone as a property; Services, Status and SelfSigned are in Exchange's
    SerializationData (a .NET BinaryFormatter stream, read by docgen.readers.nrbf)."""
    certs = read(f"{version}/GetExchangeCertificate.xml")
    assert [type_name(c) for c in certs] == [
        "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate"] * 3
    assert certs[1].type_names == certs[0].type_names          # <TNRef RefId="0"/>
    for cert, (thumbprint, friendly, services, not_after) in zip(certs, expected):
        assert list(cert) == ["RawData", "PSComputerName", "RunspaceId", "PSShowComputerName",
                              "SerializationData"]
        assert hashlib.sha1(cert["RawData"]).hexdigest().upper() == thumbprint
        details = read_serialization_data(cert["SerializationData"], "x", "SerializationData")
        assert isinstance(details, NrbfObject)
        assert details.class_name == "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate"
        assert details["Identity"] == f"{server}\\{thumbprint}"
        assert enum_value(details["Services"]) == services
        assert details["Status"] == {"value__": 1}               # Valid
        assert details["SelfSigned"] is True
        assert friendly in details["CertData"].decode("utf-16-le", "replace")
        if not_after:
            assert certificate_facts(cert["RawData"], "x", "y")["not_after"] == not_after


def test_receive_connectors_with_ip_ranges_permission_groups_and_flags():
    connectors = read("E19/GetReceiveConnector.xml")
    assert [c["Name"] for c in connectors] == [
        "Default WIN-CTD3L0RGEN4", "Client Proxy WIN-CTD3L0RGEN4", "Default Frontend WIN-CTD3L0RGEN4",
        "Outbound Proxy Frontend WIN-CTD3L0RGEN4", "Client Frontend WIN-CTD3L0RGEN4"]
    for connector in connectors:
        ranges = connector["RemoteIPRanges"]
        assert isinstance(ranges, PSList)
        assert ranges.type_names[0].startswith("Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.IPRange")
        assert [r.to_string for r in ranges] == ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                                                 "0.0.0.0-255.255.255.255"]
        assert ranges[1]["LowerBound"] == "0.0.0.0" and ranges[1]["UpperBound"] == "255.255.255.255"
    groups = {c["Name"].split(" WIN-")[0]: c["PermissionGroups"] for c in connectors}
    assert groups["Default Frontend"] == PSEnum(
        "AnonymousUsers, ExchangeServers, ExchangeLegacyServers", 13,
        ("Microsoft.Exchange.Data.PermissionGroups", "System.Enum", "System.ValueType", "System.Object"))
    assert {name: (g.name, g.value) for name, g in groups.items()} == {
        "Default": ("ExchangeUsers, ExchangeServers, ExchangeLegacyServers", 14),
        "Client Proxy": ("ExchangeUsers, ExchangeServers", 6),
        "Default Frontend": ("AnonymousUsers, ExchangeServers, ExchangeLegacyServers", 13),
        "Outbound Proxy Frontend": ("ExchangeServers", 4),
        "Client Frontend": ("ExchangeUsers", 2)}
    default = connectors[0]
    assert str(default["TransportRole"]) == "HubTransport" and default["TransportRole"].value == 32
    assert str(connectors[2]["TransportRole"]) == "FrontendTransport"
    assert default["AuthMechanism"].value == 31
    assert default["AuthMechanism"].names == ["Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS",
                                              "ExchangeServer"]
    assert [(b["Address"]["IPAddressToString"], b["Port"]) for b in default["Bindings"]] == [
        ("0.0.0.0", 2525), ("::", 2525)]
    assert default["WhenChanged"] == datetime(2021, 8, 21, 8, 43, 54, tzinfo=UTC)   # +02:00 in the file
    assert default["Guid"] == "75d6aeb5-cd4a-4c58-ab2c-76304ea198ab"
    assert default["Server"].to_string == "WIN-CTD3L0RGEN4"
    # the other file: the same connectors, no TLS certificate name on any
    tls = {c["Name"]: c["TlsCertificateName"] for c in connectors}
    assert tls["Default Frontend WIN-CTD3L0RGEN4"]["CertificateSubject"] == "CN=WIN-CTD3L0RGEN4"
    empty = read("E19/GetReceiveConnectorEmptyTlsCertificateName.xml")
    assert [c["TlsCertificateName"] for c in empty] == [None] * 5


def test_ref_back_references_are_the_same_object():
    connector = read("E19/GetReceiveConnector.xml")[0]
    assert connector["Id"] is connector["Identity"]      # <Ref N="Id" RefId="31"/>
    assert connector["Identity"].to_string == "WIN-CTD3L0RGEN4\\Default WIN-CTD3L0RGEN4"
    domains = read("E19/GetAcceptedDomain.xml")
    assert all(d["Id"] is d["Identity"] for d in domains)


@pytest.mark.parametrize("version, name, fqdn, text, parts", [
    ("E19", "SOLO-E19A", "Solo-E19A.Solo.com", "Version 15.2 (Build 986.5)", (15, 2, 986, 5)),
    ("E16", "SOLO-E16A", "Solo-E16A.Solo.local", "Version 15.1 (Build 2375.7)", (15, 1, 2375, 7)),
])
def test_exchange_server_version(version, name, fqdn, text, parts):
    (server,) = read(f"{version}/GetExchangeServer.xml")
    assert (server["Name"], server["Fqdn"], str(server["ServerRole"])) == (name, fqdn, "Mailbox")
    version_obj = server["AdminDisplayVersion"]
    assert version_obj.to_string == text
    assert tuple(version_obj[k] for k in ("Major", "Minor", "Build", "Revision")) == parts


def test_partner_applications_auth_config_and_the_rest():
    apps = read("E19/GetPartnerApplication.xml")
    assert [(a["Name"], a["Enabled"]) for a in apps] == [
        ("Exchange Online", True), ("Microsoft Graph", True), ("TeamsScheduler", False),
        ("CloudVoicemail", False), ("SfBLegacy", True)]
    assert apps[0]["ApplicationIdentifier"] == "00000002-0000-0ff1-ce00-000000000000"
    assert [read(f"{v}/GetAuthConfig.xml")[0]["CurrentCertificateThumbprint"] for v in ("E19", "E16")] == [
        "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7", "92E196F3C8D3D753FCFC5B7690C3173AA1C0ABE3"]
    (ews,) = read("E19/GetWebServicesVirtualDirectory.xml")
    assert (ews["Name"], ews["ExternalUrl"], ews["InternalUrl"]) == (
        "EWS (Default Web Site)", None, "https://solo-e19a.solo.com/EWS/Exchange.asmx")
    (org,) = read("E16/GetOrganizationConfig.xml")
    assert (org["Name"], org["OAuth2ClientProfileEnabled"]) == ("SoloORG", False)
    assert org["FocusedInboxOnLastUpdateTime"] == datetime(1, 1, 1, tzinfo=UTC)   # unzoned: UTC
    assert [(d["Name"], str(d["DomainType"]), d["Default"]) for d in read("E16/GetAcceptedDomain.xml")] == [
        ("Solo.com", "Authoritative", True), ("Contoso Wild", "Authoritative", False),
        ("Wild .com", "InternalRelay", False)]
    (hybrid,) = read("E19/GetHybridConfiguration.xml")
    assert [str(f) for f in hybrid["Features"]] == [
        "FreeBusy", "MoveMailbox", "Mailtips", "MessageTracking", "OwaRedirection", "OnlineArchive",
        "SecureMail", "Photos"]
    assert hybrid["OnPremisesSmartHost"]["Domain"] == "mail.contoso.com"


def test_utf16_as_windows_powershell_writes_it_reads_the_same():
    data = (CSS / "E19" / "GetInternalTransportCertificateFromServer.xml").read_bytes()
    utf16 = codecs.BOM_UTF16_LE + data.decode("utf-8-sig").encode("utf-16-le")
    assert read_clixml(utf16, "x.xml") == read_clixml(data, "x.xml")
    assert looks_like_clixml(utf16.decode("utf-16"))


# -- every element type, constructed ------------------------------------------------

@pytest.mark.parametrize("element, expected", [
    ("<S>plain</S>", "plain"),
    ("<S>a_x000D__x000A_b_x005F_x0041_</S>", "a\r\nb_x0041_"),
    ("<S>_xD83D__xDE00_</S>", "\U0001F600"),         # a surrogate pair written as two escapes
    ("<S>_xD83D_</S>", "\ufffd"),                    # half a pair
    ("<S />", ""),
    ("<C>65</C>", "A"),
    ("<B>true</B>", True), ("<B>false</B>", False),
    ("<By>255</By>", 255), ("<SB>-128</SB>", -128), ("<U16>65535</U16>", 65535), ("<I16>-1</I16>", -1),
    ("<U32>4294967295</U32>", 4294967295), ("<I32>-2147483648</I32>", -2147483648),
    ("<U64>18446744073709551615</U64>", 2**64 - 1), ("<I64>-9223372036854775808</I64>", -2**63),
    ("<Db>1.5E+20</Db>", 1.5e20), ("<Sg>-INF</Sg>", float("-inf")),
    ("<D>12.50</D>", Decimal("12.50")),
    ("<DT>2027-12-30T14:39:08.1234567+01:00</DT>", datetime(2027, 12, 30, 13, 39, 8, 123456, tzinfo=UTC)),
    ("<DT>2027-12-30T14:39:08</DT>", datetime(2027, 12, 30, 14, 39, 8, tzinfo=UTC)),
    ("<TS>PT9.0269026S</TS>", timedelta(seconds=9.0269026)),
    ("<TS>-P1DT2H3M</TS>", -timedelta(days=1, hours=2, minutes=3)),
    ("<BA>AAEC/w==</BA>", b"\x00\x01\x02\xff"), ("<BA></BA>", b""),
    ("<G>AE4DB4CC-0000-4000-8000-000000000001</G>", "ae4db4cc-0000-4000-8000-000000000001"),
    ("<URI>https://mail.contoso.com/owa</URI>", "https://mail.contoso.com/owa"),
    ("<Version>15.2.986.5</Version>", "15.2.986.5"),
    ("<XD>&lt;a/&gt;</XD>", "<a/>"), ("<SBK>Get-Date</SBK>", "Get-Date"),
    ("<Nil />", None),
])
def test_each_primitive(element, expected):
    assert read_clixml(doc(element), "p.xml") == [expected]


def test_objects_lists_dictionaries_enums_and_wrapped_primitives():
    body = """
<Obj RefId="0"><TN RefId="0"><T>Deserialized.Contoso.Thing</T><T>System.Object</T></TN>
  <ToString>thing</ToString>
  <Props><S N="Name">one</S><I32 N="Size">3</I32><S N="Odd_x0020_Name">x</S></Props>
  <MS><S N="Name">shadowed</S><S N="Note">n</S>
    <Obj N="List" RefId="1"><TN RefId="1"><T>System.Collections.ArrayList</T></TN>
      <LST><S>a</S><I32>2</I32><Nil /></LST></Obj>
    <Obj N="Table" RefId="2"><TN RefId="2"><T>System.Collections.Hashtable</T></TN>
      <DCT><En><S N="Key">k</S><I32 N="Value">1</I32></En></DCT></Obj>
    <Obj N="Flags" RefId="3"><TN RefId="3"><T>Contoso.Flags</T><T>System.Enum</T></TN>
      <ToString>A, C</ToString><I32>5</I32></Obj>
    <Obj N="Wrapped" RefId="4"><TNRef RefId="0" /><S>just text</S><MS><S N="Extra">x</S></MS></Obj>
    <Ref N="Again" RefId="1" />
  </MS>
</Obj>"""
    (obj,) = read_clixml(doc(body), "o.xml")
    assert type_name(obj) == "Contoso.Thing" and has_type(obj, "System.Object")
    assert obj.to_string == "thing"
    assert obj["Name"] == "one" and obj["Size"] == 3 and obj["Note"] == "n" and obj["Odd Name"] == "x"
    assert isinstance(obj["List"], PSList) and obj["List"] == ["a", 2, None]
    assert obj["Again"] is obj["List"]
    assert isinstance(obj["Table"], PSDict) and obj["Table"] == {"k": 1}
    assert obj["Flags"] == PSEnum("A, C", 5, ("Contoso.Flags", "System.Enum"))
    assert obj["Flags"].names == ["A", "C"]
    assert obj["Wrapped"] == "just text"


def test_a_document_without_the_namespace_and_an_empty_one():
    assert read_clixml(b"<Objs><S>x</S></Objs>", "n.xml") == ["x"]
    assert read_clixml(doc(""), "e.xml") == []


# -- refused, with the file, the line and the object path --------------------------

def assert_one_line(error: InputError, source: str, where_start: str) -> None:
    text = str(error)
    assert "\n" not in text and "\r" not in text
    assert error.source == source and text.startswith(f"{source}: ")
    assert (error.where or "").startswith(where_start), error.where


@pytest.mark.parametrize("data", [
    b'<!DOCTYPE Objs [<!ENTITY x "boom">]><Objs xmlns="' + NAMESPACE.encode() + b'"><S>&x;</S></Objs>',
    b'<?xml version="1.0"?><!DOCTYPE Objs SYSTEM "http://example.invalid/x.dtd"><Objs/>',
    b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Objs><S N="x">&c;</S></Objs>',
], ids=["entity", "external-dtd", "billion-laughs"])
def test_a_doctype_is_refused(data):
    with pytest.raises(InputError) as caught:
        read_clixml(data, "evil.xml")
    assert "declares a DOCTYPE" in caught.value.message
    assert_one_line(caught.value, "evil.xml", "DOCTYPE")


def test_a_truncated_file_names_the_file_and_the_line():
    data = (CSS / "E19" / "GetReceiveConnector.xml").read_bytes()
    with pytest.raises(InputError) as caught:
        read_clixml(data[: len(data) // 2], "GetReceiveConnector.xml")
    assert caught.value.message.startswith("not well-formed XML (")
    assert_one_line(caught.value, "GetReceiveConnector.xml", "line ")
    line = int(caught.value.where.split()[1])
    assert line == data[: len(data) // 2].count(b"\n") + 1


@pytest.mark.parametrize("body, where, message", [
    ('<Obj RefId="0"><Props><I32 N="Port">twenty-five</I32></Props></Obj>',
     "line 1, object 1.Port", "<I32> is not a whole number: 'twenty-five'"),
    ('<Obj RefId="0"><Props><Obj N="Ranges" RefId="1"><LST><S>a</S><By>256</By></LST></Obj></Props></Obj>',
     "line 1, object 1.Ranges[1]", "<By> is out of range: 256"),
    ('<S>ok</S><Obj RefId="0"><MS><DT N="When">the day after tomorrow</DT></MS></Obj>',
     "line 1, object 2.When", "<DT> not a date: 'the day after tomorrow'"),
    ('<Obj RefId="0"><Props><Ref N="Id" RefId="7" /></Props></Obj>',
     "line 1, object 1.Id", "<Ref RefId='7'> names no earlier object"),
    ('<Obj RefId="0"><Props><Ref N="Self" RefId="0" /></Props></Obj>',
     "line 1, object 1.Self", "<Ref RefId='0'> names an object that contains it (a cycle)"),
    ('<Obj RefId="0"><TNRef RefId="3" /></Obj>', "line 1, object 1", "<TNRef RefId='3'> names no earlier <TN>"),
    ('<Obj RefId="0"><Props><S>no name</S></Props></Obj>', "line 1, object 1",
     "a property without a name in <Props>"),
    ('<Obj RefId="0"><Props><Bogus N="x" /></Props></Obj>', "line 1, object 1.x", "unknown CLIXML element <Bogus>"),
    ('<Obj RefId="0"><Props><BA N="RawData">!!!</BA></Props></Obj>', "line 1, object 1.RawData",
     "<BA> is not valid base64"),
    ('<Obj RefId="0"><Props><S N="a_x000A_b">x</S><I32 N="c_x000A_d">x</I32></Props></Obj>',
     "line 1, object 1.c?d", "<I32> is not a whole number: 'x'"),
    ('<Obj RefId="0"><S>a</S><I32>1</I32></Obj>', "line 1, object 1", "<I32> after <S>: an object holds one value"),
    ('<Obj RefId="0"></Obj><Obj RefId="0"></Obj>', "line 1, object 2", "RefId 0 is used twice"),
    ('<Obj RefId="0"><DCT><En><S N="Key">k</S></En></DCT></Obj>', "line 1, object 1",
     'a dictionary entry without N="Key" and N="Value"'),
])
def test_a_bad_value_names_the_line_and_the_object_path(body, where, message):
    with pytest.raises(InputError) as caught:
        read_clixml(doc(body), "bad.xml")
    assert caught.value.message == message
    assert caught.value.where == where
    assert_one_line(caught.value, "bad.xml", "line 1")


def test_the_line_is_the_element_line():
    data = doc('\n<Obj RefId="0">\n<Props>\n<S N="a">x</S>\n<B N="Enabled">maybe</B>\n</Props></Obj>')
    with pytest.raises(InputError) as caught:
        read_clixml(data, "lines.xml")
    assert str(caught.value) == "lines.xml: line 5, object 1.Enabled: <B> is not true or false: 'maybe'"


@pytest.mark.parametrize("data, message", [
    (b"<Objects><S>x</S></Objects>", "not a CLIXML document (Export-Clixml): the root element is <Objects>"),
    (b'<Objs xmlns="urn:other"><S>x</S></Objs>', "not a CLIXML document (Export-Clixml): the root element is <{urn:other}Objs>"),
    (b"", "the file is empty"),
])
def test_not_clixml(data, message):
    with pytest.raises(InputError) as caught:
        read_clixml(data, "other.xml")
    assert caught.value.message.startswith(message)


def test_deep_nesting_is_an_error_not_a_crash():
    depth = 120
    body = "".join(f'<Obj RefId="{i}"><LST>' for i in range(depth)) + "</LST></Obj>" * depth
    with pytest.raises(InputError) as caught:
        read_clixml(doc(body), "deep.xml")
    assert caught.value.message == "objects nested deeper than 100"
    assert caught.value.where.endswith("object 1" + "[0]" * 100)


def test_unescape_leaves_ordinary_text_alone():
    assert unescape("no escapes_here") == "no escapes_here"
    assert unescape("_x0041__x0042_") == "AB"
    assert unescape("_x004_ _xZZZZ_") == "_x004_ _xZZZZ_"
