"""Regenerate the fictional Contoso Exchange organisation in samples/exchange/contoso-exchange-config.json.

    python samples/generate_exchange_config_sample.py

It is what collectors/Export-ExchangeConfig.ps1 writes (output contract: collectors/README.md):
servers, receive connectors with their AD permissions, every certificate per server, OAuth and
hybrid, client access and accepted domains. The committed file is what the tests and
`docgen demo` use; run this only to change it on purpose (certificate keys are new each run,
so every thumbprint changes). Dates are relative to COLLECTED_AT, so the findings never age.

Servers:
  EX01  Exchange 2019 CU14 (15.2.1544.4): the five default connectors; "Relay LB EX01" relays
        anonymously for 10.1.0.10, the load balancer's address (demo docgen.toml)
  EX07  Exchange 2016 CU2 (15.1.466.34, below the Teams floor CU3): "Relay Open EX07", an
        anonymous relay on HubTransport for 0.0.0.0-255.255.255.255 (an open relay); no EWS
        external URL; its IIS certificate (webmail.contoso.com, RSA 1024) covers neither its EWS
        internal URL (ex07.corp.contoso.com) nor autodiscover.contoso.com
  EX08  Exchange Server SE RTM (15.2.2562.17): "Relay Scanners EX08", a correct relay for one
        host (/32); "Relay Apps EX08", a relay for a /22
OAuth to Exchange Online is configured (AzureAD auth server, Exchange Online partner application,
intra-organisation connector); hybrid is configured.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

COLLECTED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
OUT = Path(__file__).resolve().parent / "exchange" / "contoso-exchange-config.json"
TENANT = "contoso.onmicrosoft.com"
ANONYMOUS = "NT AUTHORITY\\ANONYMOUS LOGON"
RELAY = "ms-Exch-SMTP-Accept-Any-Recipient"
ANONYMOUS_DEFAULT = ["ms-Exch-SMTP-Submit", "ms-Exch-SMTP-Accept-Any-Sender",
                     "ms-Exch-SMTP-Accept-Authoritative-Domain-Sender"]
EVERYONE = ["0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]

SERVERS = [
    ("EX01", "Version 15.2 (Build 1544.4)", "Enterprise", "10.1.0.21"),
    ("EX07", "Version 15.1 (Build 466.34)", "Standard", "10.1.0.27"),
    ("EX08", "Version 15.2 (Build 2562.17)", "Enterprise", "10.2.0.28"),
]


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_cert(subject: str, sans: list[str], days_before: int, days_after: int, *,
              serial: int, bits: int = 2048) -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Issuing CA 01")]) if sans else name
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(serial)
               .not_valid_before(COLLECTED_AT - timedelta(days=days_before))
               .not_valid_after(COLLECTED_AT + timedelta(days=days_after)))
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(san) for san in sans]), critical=False)
    return builder.sign(key, hashes.SHA256())


def cert_entry(server: str, cert: x509.Certificate, friendly: str, services: str) -> dict:
    der = cert.public_bytes(serialization.Encoding.DER)
    subject = cert.subject.rfc4514_string().replace(",", ", ")
    issuer = cert.issuer.rfc4514_string().replace(",", ", ")
    try:
        domains = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        domains = [cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value]
    return {
        "Server": server,
        "Thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 (Exchange's thumbprint)
        "FriendlyName": friendly,
        "Subject": subject,
        "Issuer": issuer,
        "CertificateDomains": list(domains),
        "NotBefore": iso(cert.not_valid_before_utc),
        "NotAfter": iso(cert.not_valid_after_utc),
        "Services": services,
        "IsSelfSigned": subject == issuer,
        "Status": "Valid" if cert.not_valid_after_utc > COLLECTED_AT else "DateInvalid",
        "RawData": base64.b64encode(der).decode(),
    }


def connector(server: str, name: str, role: str, bindings: list[str], ranges: list[str], auth: str,
              groups: str, permissions: list[tuple[str, list[str]]], *, fqdn: str | None = None,
              tls: str | None = None, logging: str = "None") -> dict:
    return {
        "Identity": f"{server}\\{name}",
        "Server": server,
        "Name": name,
        "Enabled": True,
        "TransportRole": role,
        "Bindings": bindings,
        "RemoteIPRanges": ranges,
        "AuthMechanism": auth,
        "PermissionGroups": groups,
        "RequireTLS": False,
        "Fqdn": fqdn or f"{server}.corp.contoso.com",
        "TlsCertificateName": tls,
        "MaxMessageSize": "36 MB (37,748,736 bytes)",
        "ProtocolLoggingLevel": logging,
        "Permissions": [{"User": user, "ExtendedRights": rights} for user, rights in permissions],
    }


def default_connectors(server: str) -> list[dict]:
    servers = [("NT AUTHORITY\\Authenticated Users", ["ms-Exch-SMTP-Submit"]),
               ("MS Exchange\\Hub Transport Servers", ["ms-Exch-SMTP-Submit", RELAY])]
    return [
        connector(server, f"Default {server}", "HubTransport", ["0.0.0.0:2525", "[::]:2525"], EVERYONE,
                  "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer",
                  "ExchangeUsers, ExchangeServers, ExchangeLegacyServers", servers),
        connector(server, f"Client Proxy {server}", "HubTransport", ["0.0.0.0:465", "[::]:465"], EVERYONE,
                  "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer",
                  "ExchangeUsers, ExchangeServers", servers[:1]),
        connector(server, f"Default Frontend {server}", "FrontendTransport", ["0.0.0.0:25", "[::]:25"],
                  EVERYONE, "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer",
                  "AnonymousUsers, ExchangeServers, ExchangeLegacyServers",
                  [(ANONYMOUS, ANONYMOUS_DEFAULT)], tls="mail.contoso.com", logging="Verbose"),
        connector(server, f"Outbound Proxy Frontend {server}", "FrontendTransport",
                  ["0.0.0.0:717", "[::]:717"], EVERYONE,
                  "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer", "ExchangeServers", []),
        connector(server, f"Client Frontend {server}", "FrontendTransport", ["0.0.0.0:587", "[::]:587"],
                  EVERYONE, "Tls, Integrated, BasicAuth, BasicAuthRequireTLS", "ExchangeUsers",
                  servers[:1]),
    ]


def main() -> None:
    public = make_cert("mail.contoso.com", ["mail.contoso.com", "autodiscover.contoso.com",
                                            "autodiscover.fabrikam.com"], 300, 65, serial=0x5001)
    auth = make_cert("Microsoft Exchange Server Auth Certificate", [], 900, 925, serial=0x5002)
    certificates = [
        cert_entry("EX01", public, "Contoso public 2026", "IMAP, POP, IIS, SMTP"),
        cert_entry("EX01", make_cert("EX01", [], 1200, 600, serial=0x5101), "Microsoft Exchange",
                   "IMAP, POP, SMTP"),
        cert_entry("EX01", auth, "Microsoft Exchange Server Auth Certificate", "SMTP"),
        cert_entry("EX07", make_cert("webmail.contoso.com", ["webmail.contoso.com"], 700, 20,
                                     serial=0x5102, bits=1024),
                   "Contoso webmail (old)", "IIS, SMTP"),
        cert_entry("EX07", make_cert("EX07", [], 1800, 25, serial=0x5103), "Microsoft Exchange",
                   "IMAP, POP, SMTP"),
        cert_entry("EX07", auth, "Microsoft Exchange Server Auth Certificate", "SMTP"),
        cert_entry("EX08", public, "Contoso public 2026", "IIS, SMTP"),
        cert_entry("EX08", make_cert("EX08", [], 200, 1625, serial=0x5104), "Microsoft Exchange",
                   "IMAP, POP, SMTP"),
        cert_entry("EX08", auth, "Microsoft Exchange Server Auth Certificate", "SMTP"),
    ]
    connectors = [
        *default_connectors("EX01"),
        connector("EX01", "Relay LB EX01", "FrontendTransport", ["10.1.0.21:25"],
                  ["10.1.0.10", "10.1.20.15"], "Tls", "AnonymousUsers", [(ANONYMOUS, [RELAY])]),
        connector("EX07", "Default Frontend EX07", "FrontendTransport", ["0.0.0.0:25", "[::]:25"],
                  EVERYONE, "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer",
                  "AnonymousUsers, ExchangeServers, ExchangeLegacyServers",
                  [(ANONYMOUS, ANONYMOUS_DEFAULT)]),
        connector("EX07", "Relay Open EX07", "HubTransport", ["10.1.0.27:2525"],
                  ["0.0.0.0-255.255.255.255"], "None", "AnonymousUsers", [(ANONYMOUS, [RELAY])]),
        connector("EX08", "Default Frontend EX08", "FrontendTransport", ["0.0.0.0:25", "[::]:25"],
                  EVERYONE, "Tls, Integrated, BasicAuth, BasicAuthRequireTLS, ExchangeServer",
                  "AnonymousUsers, ExchangeServers, ExchangeLegacyServers",
                  [(ANONYMOUS, ANONYMOUS_DEFAULT)], tls="mail.contoso.com"),
        connector("EX08", "Relay Scanners EX08", "FrontendTransport", ["10.2.0.28:25"],
                  ["10.2.5.17/32"], "Tls", "AnonymousUsers", [(ANONYMOUS, [RELAY])]),
        connector("EX08", "Relay Apps EX08", "FrontendTransport", ["10.2.0.29:25"],
                  ["10.20.0.0/22"], "Tls", "AnonymousUsers", [(ANONYMOUS, [RELAY])]),
    ]
    document = {
        "Collector": "Export-ExchangeConfig",
        "CollectorVersion": "1.0",
        "CollectedAt": iso(COLLECTED_AT),
        "Organization": "Contoso",
        "Servers": [{"Name": name, "Fqdn": f"{name}.corp.contoso.com", "ServerRole": "Mailbox",
                     "Edition": edition, "AdminDisplayVersion": version, "Site": "corp.contoso.com/Configuration/Sites/HQ",
                     "Errors": []} for name, version, edition, _ in SERVERS],
        "ReceiveConnectors": connectors,
        "ExchangeCertificates": certificates,
        "AuthServers": [
            {"Name": "EvoSts - 4b1c6f3e-0c1e-4b53-9f2e-5d0b3c5d2a10", "Type": "AzureAD", "Enabled": True,
             "AuthMetadataUrl": f"https://login.windows.net/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"},
            {"Name": "ACS - 4b1c6f3e-0c1e-4b53-9f2e-5d0b3c5d2a10", "Type": "MicrosoftACS", "Enabled": True,
             "AuthMetadataUrl": "https://accounts.accesscontrol.windows.net/4b1c6f3e-0c1e-4b53-9f2e-5d0b3c5d2a10/metadata/json/1"},
        ],
        "PartnerApplications": [
            {"Name": "Exchange Online", "ApplicationIdentifier": "00000002-0000-0ff1-ce00-000000000000",
             "Enabled": True, "UseAuthServer": True},
            {"Name": "Microsoft Graph", "ApplicationIdentifier": "00000003-0000-0000-c000-000000000000",
             "Enabled": True, "UseAuthServer": True},
            {"Name": "TeamsScheduler", "ApplicationIdentifier": "7557eb47-c689-4224-abcf-aef9bd7573df",
             "Enabled": True, "UseAuthServer": True},
            {"Name": "SfBLegacy", "ApplicationIdentifier": "00000004-0000-0ff1-ce00-000000000000",
             "Enabled": True, "UseAuthServer": True},
        ],
        "IntraOrganizationConnectors": [
            {"Name": "HybridIOC - 8d5f0c33-6a1b-4a1e-9d4e-2f9b1c0e7a55", "Enabled": True,
             "TargetAddressDomains": ["contoso.mail.onmicrosoft.com"],
             "DiscoveryEndpoint": "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc"},
        ],
        "HybridConfiguration": {
            "Name": "Hybrid Configuration", "Domains": ["contoso.com", "fabrikam.com"],
            "Features": ["FreeBusy", "MoveMailbox", "Mailtips", "MessageTracking", "OwaRedirection",
                         "OnlineArchive", "SecureMail", "Photos"],
            "ClientAccessServers": ["EX01", "EX08"], "SendingTransportServers": ["EX01", "EX08"],
            "ReceivingTransportServers": ["EX01", "EX08"], "OnPremisesSmartHost": "mail.contoso.com",
            "TlsCertificateName": "<I>CN=Contoso Issuing CA 01<S>CN=mail.contoso.com",
        },
        "OrganizationConfig": {"Name": "Contoso", "OAuth2ClientProfileEnabled": True},
        "AuthConfig": {"CurrentCertificateThumbprint": certificates[2]["Thumbprint"],
                       "ServiceName": "00000002-0000-0ff1-ce00-000000000000", "Realm": ""},
        "ClientAccessServices": [
            {"Name": name, "AutoDiscoverServiceInternalUri": "https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml"}
            for name, *_ in SERVERS],
        "WebServicesVirtualDirectories": [
            {"Server": name, "Identity": f"{name}\\EWS (Default Web Site)",
             # split DNS: EX01 and EX08 answer on the public name inside too; EX07 keeps its own
             # name, which its only IIS certificate (webmail.contoso.com) does not cover
             "InternalUrl": (f"https://{name.lower()}.corp.contoso.com/EWS/Exchange.asmx"
                             if name == "EX07" else "https://mail.contoso.com/EWS/Exchange.asmx"),
             "ExternalUrl": None if name == "EX07" else "https://mail.contoso.com/EWS/Exchange.asmx",
             "OAuthAuthentication": True, "MRSProxyEnabled": name != "EX07"}
            for name, *_ in SERVERS],
        "AcceptedDomains": [
            {"DomainName": "contoso.com", "DomainType": "Authoritative", "Default": True},
            {"DomainName": "fabrikam.com", "DomainType": "Authoritative", "Default": False},
            {"DomainName": "contoso.mail.onmicrosoft.com", "DomainType": "Authoritative", "Default": False},
        ],
        "Errors": [],
    }
    OUT.write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
