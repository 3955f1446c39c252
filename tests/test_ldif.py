"""The LDIF reader: folding, base64, comments, CRLF, and errors with line numbers."""

from __future__ import annotations

import pytest

from docgen.core.errors import InputError
from docgen.readers.ldif import read_ldif

LDIF = (
    "version: 1\r\n"
    "# exported by ldifde\r\n"
    "dn: CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Adm\r\n"
    " inistrative Groups,DC=corp,DC=contoso,DC=com\r\n"
    "changetype: add\r\n"
    "name: EX01\r\n"
    "msExchServerInternalTLSCert:: AAEC\r\n"
    " AwQF\r\n"
    "\r\n"
    "\r\n"
    "dn: CN=EX02,CN=Servers,DC=corp,DC=contoso,DC=com\r\n"
    "name:EX02\r\n"
    "objectClass: top\r\n"
    "objectClass: server\r\n"
)


def test_records_folding_base64_comments_crlf():
    first, second = read_ldif(LDIF.encode("ascii"), "servers.ldf")
    assert first.dn == ("CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),"
                        "CN=Administrative Groups,DC=corp,DC=contoso,DC=com")
    assert first.line == 3
    assert first.first("msExchServerInternalTLSCert") == b"\x00\x01\x02\x03\x04\x05"
    assert first.first("NAME") == "EX01"
    assert second.line == 11
    assert second.first("name") == "EX02"
    assert second.attributes["objectclass"] == ["top", "server"]


def test_utf16_ldif_from_ldifde_u():
    records = read_ldif(b"\xff\xfe" + LDIF.encode("utf-16-le"), "servers.ldf")
    assert [record.first("name") for record in records] == ["EX01", "EX02"]


def test_folded_comment_is_still_a_comment():
    records = read_ldif(b"# a long\n  comment\ndn: CN=A\nname: A\n", "x.ldf")
    assert records[0].dn == "CN=A"


@pytest.mark.parametrize("text, message", [
    (" dangling\ndn: CN=A\n", "x.ldf: line 1: a folded line (starting with a space) has no line to continue"),
    ("dn: CN=A\n\n continued\n", "x.ldf: line 3: a folded line (starting with a space) has no line to continue"),
    ("dn: CN=A\nmsExchServerInternalTLSCert:: AAEC\nAwQF\n",
     "x.ldf: line 3: expected 'attribute: value' (a folded line may have lost its leading space)"),
    ("name: A\ndn: CN=A\n", "x.ldf: line 1: a record must start with 'dn:', found 'name:'"),
])
def test_broken_ldif_names_the_line(text, message):
    with pytest.raises(InputError) as caught:
        read_ldif(text.encode(), "x.ldf")
    assert str(caught.value) == message


def test_bad_values_cost_only_themselves():
    (record,) = read_ldif(b"dn: CN=A\nname: A\ncert:: !!!notbase64\njpegPhoto:< file:///etc/passwd\n",
                          "x.ldf")
    assert record.attributes == {"name": ["A"]}
    assert [str(error) for error in record.errors] == [
        "x.ldf: line 3: attribute 'cert' is not valid base64",
        "x.ldf: line 4: attribute 'jpegphoto' refers to a URL; only inline values are read",
    ]
