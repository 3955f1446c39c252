"""Exchange receive connectors: real CLIXML, PowerShell 5.1 JSON, the collector's JSON, relay
findings, the load-balancer setting, bad input."""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, invoke
from docgen.app.detect import detect_areas
from docgen.areas.exchange_connectors.checks import check_exchange_connectors
from docgen.areas.exchange_connectors.ranges import parse_range, size_text
from docgen.areas.exchange_connectors.source import import_exchange_connectors
from docgen.bundle import load_bundle
from docgen.checks.rules import default_rules
from docgen.core.errors import ProjectError
from docgen.project import load_project

CSS = REPO / "tests" / "data" / "css-exchange" / "E19"
CONFIG = SAMPLES / "exchange" / "contoso-exchange-config.json"
AS_OF = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def findings(result, addresses=()) -> list[tuple[str, str]]:
    section = result.to_section()
    section["load_balancer_addresses"] = list(addresses)
    return sorted((f.rule_id, f.key) for f in check_exchange_connectors(section, default_rules(), AS_OF))


# -- ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize("expression, first, last, size, cidr", [
    ("192.0.2.7", "192.0.2.7", "192.0.2.7", 1, "192.0.2.7/32"),
    ("192.0.2.1-192.0.2.99", "192.0.2.1", "192.0.2.99", 99, None),
    ("10.20.0.0/22", "10.20.0.0", "10.20.3.255", 1024, "10.20.0.0/22"),
    ("10.20.0.9/22", "10.20.0.0", "10.20.3.255", 1024, "10.20.0.0/22"),   # Exchange keeps host bits
    ("192.0.2.0(255.255.255.0)", "192.0.2.0", "192.0.2.255", 256, "192.0.2.0/24"),
    ("0.0.0.0-255.255.255.255", "0.0.0.0", "255.255.255.255", 2**32, "0.0.0.0/0"),
    ("2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", 2**64, "2001:db8::/64"),
])
def test_every_range_form_exchange_writes(expression, first, last, size, cidr):
    address_range = parse_range(expression)
    assert (str(address_range.first), str(address_range.last), address_range.size,
            address_range.cidr) == (first, last, size, cidr)


def test_public_everything_width_and_containment():
    assert parse_range("0.0.0.0-255.255.255.255").everything
    assert parse_range("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").everything
    assert not parse_range("10.0.0.0/8").public
    assert parse_range("10.0.0.0-11.0.0.0").public          # crosses into public space
    assert parse_range("198.51.100.7").public is False       # documentation range: not global
    assert parse_range("8.8.8.8").public
    assert parse_range("10.1.0.0/23").wider_than(24) and not parse_range("10.1.0.0/24").wider_than(24)
    assert parse_range("10.1.0.10").contains(ipaddress.ip_address("10.1.0.10"))
    assert not parse_range("10.1.0.0/24").contains(ipaddress.ip_address("::1"))
    assert (size_text(1), size_text(65536), size_text(2**128)) == ("1", "65,536", "2^128")


@pytest.mark.parametrize("expression", ["10.1.0.300", "relay.contoso.com", "10.0.0.9-10.0.0.1",
                                        "10.0.0.1-::1"])
def test_a_range_that_is_not_one_is_a_value_error_naming_it(expression):
    with pytest.raises(ValueError, match=f"^{expression!r} is not an address"):
        parse_range(expression)


# -- real CLIXML (CSS-Exchange) ----------------------------------------------------------------


def test_the_five_real_default_connectors_read_exactly():
    result = import_exchange_connectors([CSS / "GetReceiveConnector.xml"])
    assert result.status == "ok", result.errors
    by_name = {item["name"]: item for item in result.items}
    server = "WIN-CTD3L0RGEN4"
    assert sorted(by_name) == sorted(f"{name} {server}" for name in (
        "Default", "Client Proxy", "Default Frontend", "Outbound Proxy Frontend", "Client Frontend"))
    default = by_name[f"Default {server}"]
    assert default["identity"] == f"{server}\\Default {server}"
    assert default["key"] == f"{server.lower()}\\default {server.lower()}"
    assert (default["server"], default["transport_role"], default["enabled"]) == (server, "HubTransport", True)
    assert default["bindings"] == ["0.0.0.0:2525", "[::]:2525"]
    assert [(r["expression"], r["cidr"], r["size"], r["everything"]) for r in default["remote_ip_ranges"]] == [
        ("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0", str(2**128), True),
        ("0.0.0.0-255.255.255.255", "0.0.0.0/0", str(2**32), True)]
    assert default["auth_mechanism"] == ["Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer"]
    assert default["permission_groups"] == ["ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers"]
    assert (default["require_tls"], default["fqdn"], default["max_message_size"]) == (
        False, "WIN-CTD3L0RGEN4.exlab.dom", "36 MB (37,748,736 bytes)")
    frontend = by_name[f"Default Frontend {server}"]
    assert frontend["transport_role"] == "FrontendTransport"
    assert frontend["permission_groups"] == ["AnonymousUsers", "ExchangeServers", "ExchangeLegacyServers"]
    assert frontend["tls_certificate_name"] == "CN=WIN-CTD3L0RGEN4"
    assert frontend["protocol_logging_level"] == "Verbose"
    assert by_name[f"Client Frontend {server}"]["auth_mechanism"] == [
        "Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS"]
    # Get-ADPermission was not exported: anonymous relay is unknown, never "no"
    assert {item["relay"]["anonymous"] for item in result.items} == {None}
    assert {item["relay"]["allowed"] for item in result.items} == {None}
    assert findings(result) == []


def test_real_clixml_and_collector_json_are_recognised_by_content():
    assert detect_areas(CSS / "GetReceiveConnector.xml") == ["exchange_connectors"]
    assert "exchange_connectors" in detect_areas(CONFIG)
    assert detect_areas(CSS / "GetExchangeServer.xml") == ["exchange_servers"]   # that area reads it


# -- PowerShell 5.1 JSON: UTF-16, integer flags, one object, /Date()/ ----------------------------


def ps51(tmp_path: Path, name: str, document) -> Path:
    path = tmp_path / name
    path.write_bytes("\ufeff".encode("utf-16-le") + json.dumps(document, indent=4).encode("utf-16-le"))
    return path


RELAY_DN = ("CN=Relay EX01,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,"
            "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,"
            "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com")


def test_powershell_5_1_connector_and_permissions(tmp_path):
    connector = {"Identity": {"Name": "Relay EX01", "DistinguishedName": RELAY_DN},
                 "Server": {"Name": "EX01"}, "Name": "Relay EX01", "Enabled": True,
                 "TransportRole": 16384, "Bindings": ["10.1.0.21:25"],
                 "RemoteIPRanges": ["10.1.0.10", "20.30.40.0/24", "10.3.0.0/16"],
                 "AuthMechanism": 1, "PermissionGroups": 1, "RequireTLS": False,
                 "Fqdn": "EX01.contoso.com", "TlsCertificateName": None,
                 "MaxMessageSize": "36 MB (37,748,736 bytes)", "ProtocolLoggingLevel": 1,
                 "WhenChanged": "/Date(1793525400000)/"}
    rows = [{"Identity": RELAY_DN, "User": {"RawIdentity": "NT AUTHORITY\\ANONYMOUS LOGON"},
             "ExtendedRights": [{"RawIdentity": "ms-Exch-SMTP-Accept-Any-Recipient"}],
             "IsInherited": False, "Deny": False},
            {"Identity": RELAY_DN, "User": "NT AUTHORITY\\ANONYMOUS LOGON",
             "ExtendedRights": ["ms-Exch-SMTP-Accept-Any-Recipient"], "IsInherited": True, "Deny": False},
            {"Identity": RELAY_DN, "User": "CONTOSO\\Everyone", "ExtendedRights": ["ms-Exch-SMTP-Submit"],
             "IsInherited": False, "Deny": True}]
    result = import_exchange_connectors([ps51(tmp_path, "connector.json", connector),
                                         ps51(tmp_path, "permissions.json", rows)])
    assert result.status == "ok", result.errors
    [item] = result.items
    assert (item["transport_role"], item["auth_mechanism"], item["permission_groups"],
            item["protocol_logging_level"]) == ("FrontendTransport", ["Tls"], ["AnonymousUsers"], "Verbose")
    assert item["permissions"] == [{"user": "NT AUTHORITY\\ANONYMOUS LOGON",
                                    "extended_rights": ["ms-Exch-SMTP-Accept-Any-Recipient"]}]
    assert item["relay"] == {"anonymous": True, "externally_secured": False, "allowed": True}
    assert findings(result, ["10.1.0.10"]) == [
        ("exchange-relay-load-balancer", "ex01\\relay ex01"),
        ("exchange-relay-open", "ex01\\relay ex01"),
        ("exchange-relay-wide-range", "ex01\\relay ex01")]
    assert ("exchange-relay-load-balancer", "ex01\\relay ex01") not in findings(result)


def test_externally_secured_is_relay_and_disabled_connectors_are_not_judged(tmp_path):
    connector = {"Identity": "EX01\\Partner", "Server": "EX01", "Name": "Partner", "Enabled": True,
                 "TransportRole": "HubTransport", "Bindings": ["0.0.0.0:25"], "RemoteIPRanges": "8.8.8.8",
                 "AuthMechanism": "Tls, ExternalAuthoritative", "PermissionGroups": "ExchangeServers"}
    result = import_exchange_connectors([ps51(tmp_path, "c.json", connector)])
    assert result.items[0]["relay"] == {"anonymous": None, "externally_secured": True, "allowed": True}
    assert findings(result) == [("exchange-relay-open", "ex01\\partner")]
    connector["Enabled"] = False
    assert findings(import_exchange_connectors([ps51(tmp_path, "c.json", connector)])) == []


# -- the collector's JSON and the demo ----------------------------------------------------------


def test_collector_sample_findings():
    result = import_exchange_connectors([CONFIG], load_balancer_addresses="10.1.0.10")
    assert result.status == "ok", result.errors
    assert result.extra == {"load_balancer_addresses": ["10.1.0.10"]}
    assert len(result.items) == 11
    assert findings(result, ["10.1.0.10"]) == [
        ("exchange-relay-hub-transport", "ex07\\relay open ex07"),
        ("exchange-relay-load-balancer", "ex01\\relay lb ex01"),
        ("exchange-relay-open", "ex07\\relay open ex07"),
        ("exchange-relay-wide-range", "ex08\\relay apps ex08")]
    scanners = next(item for item in result.items if item["name"] == "Relay Scanners EX08")
    assert scanners["relay"]["allowed"] and scanners["remote_ip_ranges"][0]["cidr"] == "10.2.5.17/32"


def test_demo_shows_the_connectors_with_the_load_balancer(demo_dir):
    bundle = load_bundle(demo_dir / "contoso.bundle.json").data
    section = bundle["sections"]["exchange_connectors"]
    assert section["status"] == "ok" and section["load_balancer_addresses"] == ["10.1.0.10"]
    html = (demo_dir / "contoso.html").read_text("utf-8")
    assert 'id="sec-exchange_connectors"' in html
    assert "Relay connector trusts a load balancer&#39;s address" in html


# -- docgen.toml and the command line ---------------------------------------------------------


def project(tmp_path: Path, exchange: str) -> Path:
    (tmp_path / "docgen.toml").write_text(f'[document]\norganization = "Contoso"\n{exchange}', "utf-8")
    return tmp_path


def test_docgen_toml_load_balancer_addresses(tmp_path):
    loaded = load_project(project(tmp_path, '[exchange]\nload_balancer_addresses = ["10.1.0.10"]\n'))
    assert loaded.settings[("exchange", "load_balancer_addresses")] == ["10.1.0.10"]
    assert load_project(project(tmp_path, "")).settings[("exchange", "load_balancer_addresses")] == ()
    with pytest.raises(ProjectError) as raised:
        load_project(project(tmp_path, '[exchange]\nload_balancer_addresses = ["lb01"]\n'))
    assert raised.value.problems == ["exchange.load_balancer_addresses: 'lb01' is not an IP address"]


def test_import_command_takes_the_addresses(tmp_path):
    out = tmp_path / "b.json"
    result = invoke("import", "exchange-connectors", CONFIG, "--load-balancer-addresses", "10.1.0.10, 10.1.0.11",
                    "-o", out)
    assert result.exit_code == 0, result.output
    section = json.loads(out.read_text("utf-8"))["sections"]["exchange_connectors"]
    assert section["load_balancer_addresses"] == ["10.1.0.10", "10.1.0.11"]


# -- bad input: one line naming the file and the object -----------------------------------------


def test_a_range_that_is_not_an_address_names_file_and_connector(tmp_path):
    connector = {"Identity": "EX01\\Relay", "Server": "EX01", "Name": "Relay",
                 "RemoteIPRanges": ["10.0.0.1", "relay.contoso.com"], "PermissionGroups": 1}
    result = import_exchange_connectors([ps51(tmp_path, "bad.json", connector)])
    assert [str(error) for error in result.errors] == [
        "bad.json: object 1 (EX01\\Relay): RemoteIPRanges[2]: 'relay.contoso.com' is not an address, "
        "a range or a CIDR block"]
    assert result.status == "partial"
    assert [r["first"] for r in result.items[0]["remote_ip_ranges"]] == ["10.0.0.1", None]


def test_an_unknown_flag_name_names_file_and_connector(tmp_path):
    connector = {"Identity": "EX01\\Relay", "Server": "EX01", "Name": "Relay", "RemoteIPRanges": [],
                 "AuthMechanism": "Tls, Kerberos", "PermissionGroups": 4096}
    errors = [str(e) for e in import_exchange_connectors([ps51(tmp_path, "bad.json", connector)]).errors]
    assert errors == [
        "bad.json: object 1 (EX01\\Relay): AuthMechanism: unknown flag name 'Kerberos' (known: None, Tls, "
        "Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer, ExternalAuthoritative)",
        "bad.json: object 1 (EX01\\Relay): PermissionGroups: unknown flag value 4096"]
    assert all("\n" not in error for error in errors)


def test_a_truncated_clixml_is_one_line_naming_the_file(tmp_path):
    data = (CSS / "GetReceiveConnector.xml").read_bytes()
    path = tmp_path / "connectors.xml"
    path.write_bytes(data[: len(data) // 2])
    result = import_exchange_connectors([path])
    assert result.status == "error" and len(result.errors) == 1
    message = str(result.errors[0])
    assert message.startswith("connectors.xml: ") and "\n" not in message


def test_a_permission_row_for_an_unknown_connector_is_an_error(tmp_path):
    rows = {"Identity": RELAY_DN, "User": "NT AUTHORITY\\ANONYMOUS LOGON",
            "ExtendedRights": ["ms-Exch-SMTP-Accept-Any-Recipient"], "IsInherited": False, "Deny": False}
    result = import_exchange_connectors([ps51(tmp_path, "perm.json", rows)])
    assert [str(error) for error in result.errors] == [
        "perm.json: a Get-ADPermission row names the connector EX01\\Relay EX01, which no imported "
        "export lists"]
