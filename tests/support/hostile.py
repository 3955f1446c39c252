"""Hostile strings, and bundles that carry them through docgen's real readers.

Used by tests/test_hostile_content.py and bench/hostile_bench.py. The strings reach
the bundle through the Exchange and DKIM exports (JSON) and DNS TXT records (a zone
file answered in-process); `ascii_of` gives the same bundle in plain ASCII.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from docgen.app.bundles import bundle_with_sections
from docgen.app.collect_dns import DnsRequest, prepare_dns, run_dns
from docgen.areas.exchange_certificates.source import import_exchange_certs
from docgen.bundle import parse_bundle, save_bundle
from docgen.render.documents import RenderRequest, render_documents

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "docgen" / "samples"
EXCHANGE_SAMPLES = SAMPLES / "exchange"

DOMAIN = "hostile.test"
MARKUP = ('<script>alert("x")</script><img src="file:///etc/passwd"> "\' onmouseover="alert(1)" '
          "<b>bold</b> &amp; &lt;/td>")
LONG = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64]
               for i in range(4096))
RTL = "שלום עולם مرحبا بالعالم \u202ereversed\u202c e\u0301\u0302\u0303 Z\u0351\u0352\u0353"
CJK = "中文字符測試 日本語のテキスト 한국어 텍스트"
EMOJI = "📧 🔐 ✅ 👩\u200d💻 🇩🇪 🧬"
# Outside the bundled DejaVu fonts: a CJK ideograph, a Gothic letter, a private-use
# character, the control pictures, a newer emoji; U+2011 is there (in DejaVu Sans).
OUTSIDE = "non\u2011breaking \u4e2d \U00010348 \ue000 \u2400\u241b \U0001fa90"
CONTROLS = "nul\x00 soh\x01 bel\x07 esc\x1b ff\x0c del\x7f nel\x85 end"
CONTROLS_SHOWN = r"nul\x00 soh\x01 bel\x07 esc\x1b ff\x0c del\x7f nel\x85 end"
HOSTILE = {"markup": MARKUP, "long": LONG, "rtl": RTL, "cjk": CJK, "emoji": EMOJI,
           "outside": OUTSIDE, "controls": CONTROLS}


def ascii_of(text: str) -> str:
    """Plain ASCII of the same length, spaces kept (so words stay words)."""
    return re.sub(r"[^ ]", "a", text)


def zone_txt(text: str) -> str:
    """A TXT record's zone-file data: its UTF-8 bytes in quoted strings of at most 255."""
    data = text.encode("utf-8")
    chunks = [data[start:start + 255] for start in range(0, len(data), 255)]
    return " ".join('"' + "".join(chr(byte) if 32 <= byte < 127 and byte not in b'"\\'
                                  else f"\\{byte:03d}" for byte in chunk) + '"'
                    for chunk in chunks)


def write_inputs(folder: Path, strings: dict[str, str]) -> dict[str, Path]:
    """The Exchange export, the DKIM export and a zone file, carrying `strings`."""
    folder.mkdir()
    exchange = json.loads((EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_text("utf-8"))
    server = exchange["Servers"][0]
    server.update(Name="EX01 " + strings["emoji"], Fqdn=strings["markup"],
                  DistinguishedName="CN=EX01," + strings["long"],
                  AdminDisplayVersion=strings["outside"] + " " + strings["controls"])
    server["ExchangeCertificates"][0].update(FriendlyName=strings["rtl"],
                                             Subject="CN=" + strings["cjk"])
    (folder / "exchange.json").write_text(json.dumps(exchange), "utf-8")
    dkim = json.loads((SAMPLES / "dns" / "contoso-dkim-collector.json").read_text("utf-8"))
    dkim.update(Organization=strings["markup"] + " " + strings["rtl"], AcceptedDomains=[])
    dkim["DkimSigningConfig"] = [{**dkim["DkimSigningConfig"][0], "Domain": DOMAIN,
                                  "Status": strings["controls"] + " " + strings["cjk"]}]
    (folder / "dkim.json").write_text(json.dumps(dkim), "utf-8")
    records = {"_mta-sts": ["markup", "long", "controls"], "_smtp._tls": ["rtl", "cjk"],
               "default._bimi": ["emoji", "outside"]}
    lines = [f"$ORIGIN {DOMAIN}.", "$TTL 300", "@ SOA ns1 hostmaster 1 3600 600 86400 300",
             "@ NS ns1", "ns1 A 192.0.2.53", '@ TXT "v=spf1 -all"',
             '_dmarc TXT "v=DMARC1; p=reject"']
    lines += [f"{name} TXT {zone_txt(strings[slot])}" for name, slots in records.items()
              for slot in slots]
    (folder / f"{DOMAIN}.zone").write_text("\n".join(lines) + "\n", "utf-8")
    return {"exchange": folder / "exchange.json", "dkim": folder / "dkim.json",
            "zone": folder / f"{DOMAIN}.zone"}


def build_bundle(folder: Path, strings: dict[str, str]):
    """Import and collect through docgen's own readers, save, and load back."""
    paths = write_inputs(folder, strings)
    exchange = import_exchange_certs([paths["exchange"]])
    dns = run_dns(prepare_dns(DnsRequest(
        dkim_config=paths["dkim"],
        zone_files=(paths["zone"], SAMPLES / "dns" / "zones" / "root.zone"))))
    bundle = bundle_with_sections(None, [dns.dkim, dns.mail_auth, exchange], None,
                                  run_id="00000000-0000-4000-8000-000000000000")
    raw = save_bundle(folder / "bundle.json", bundle)
    return parse_bundle(raw, "bundle.json")


def render(loaded) -> tuple[str, bytes, float]:
    """The HTML, the PDF, and the seconds the PDF took."""
    html = render_documents(loaded, RenderRequest(("html",), "doc"))["doc.html"].decode()
    started = time.perf_counter()
    pdf = render_documents(loaded, RenderRequest(("pdf",), "doc"))["doc.pdf"]
    return html, pdf, time.perf_counter() - started
