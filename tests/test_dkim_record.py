"""Our DKIM key-record parser (docgen/sources/dkim_record.py)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given
from hypothesis import strategies as st

from docgen.areas.dkim.record import choose_key_record, parse_dkim_record
from docgen.areas.dkim.source import read_dkim_export
from support.dns_fixtures import CORPUS


def spki(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def rsa_key(bits: int) -> str:
    return spki(rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key())


def weak_rsa_key(bits: int) -> str:
    """A public key of any size (cryptography will not generate under 1024 bits)."""
    modulus = (1 << (bits - 1)) | 0xF1  # odd, top bit set: a `bits`-bit modulus
    return spki(rsa.RSAPublicNumbers(65537, modulus).public_key())


@pytest.mark.parametrize("bits", [2048, 1024])
def test_key_size_comes_from_the_key(bits):
    facts = parse_dkim_record(f"v=DKIM1; k=rsa; p={rsa_key(bits)}")
    assert (facts["valid"], facts["key_size"], facts["revoked"], facts["error"]) == (
        True, bits, False, None)
    assert len(facts["public_key_sha256"]) == 64


def test_a_512_bit_key_is_measured_too():
    assert parse_dkim_record(f"p={weak_rsa_key(512)}")["key_size"] == 512


def test_all_tags():
    key = rsa_key(1024)
    facts = parse_dkim_record(f"v=DKIM1; h=sha256:sha1; k=rsa; s=email; t=y:s; "
                              f"p={key[:40]} {key[40:]}")  # FWS inside p= is allowed
    assert facts == {**facts, "version": "DKIM1", "key_type": "rsa", "flags": ["y", "s"],
                     "testing": True, "service_types": ["email"],
                     "hash_algorithms": ["sha256", "sha1"], "key_size": 1024, "valid": True}


def test_defaults_when_tags_are_absent():
    facts = parse_dkim_record(f"p={rsa_key(1024)}")
    assert (facts["version"], facts["key_type"], facts["service_types"], facts["flags"],
            facts["hash_algorithms"], facts["testing"]) == (None, "rsa", ["*"], [], None, False)


def test_empty_p_means_revoked():
    facts = parse_dkim_record("v=DKIM1; k=rsa; p=")
    assert (facts["valid"], facts["revoked"], facts["key_size"]) == (True, True, None)


def test_ed25519():
    raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    facts = parse_dkim_record(f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode()}")
    assert (facts["valid"], facts["key_type"], facts["key_size"]) == (True, "ed25519", 256)


@pytest.mark.parametrize("record, error", [
    # ScubaGear's placeholder: base64 of a sentence, without its padding
    ("v=DKIM1; k=rsa; p=Tm90aGluZyB0byBzZWUgaGVyZS4gIE1vdmUgYWxvbmcuLi4gbW92ZSBhbG9uZy4;",
     "not a public key"),
    ("v=DKIM1; p=@@@@", "not a public key (p= is not base64)"),
    ("v=DKIM1; k=rsa", "no p= tag (not a DKIM key record)"),
    ("k=rsa; v=DKIM1; p=", "v= must come first and be DKIM1"),
    ("v=DKIM2; p=", "v= must come first and be DKIM1"),
    ("v=DKIM1; p=; p=", "the p= tag appears twice"),
    ("hello world", "'hello world' is not a tag=value pair"),
    ("v=DKIM1; k=dsa; p=AAAA", "unknown key type k=dsa"),
])
def test_unusable_records_say_why(record, error):
    facts = parse_dkim_record(record)
    assert (facts["valid"], facts["error"]) == (False, error)


def test_a_non_rsa_key_under_k_rsa():
    ec_key = spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    assert parse_dkim_record(f"k=rsa; p={ec_key}")["error"] == "not an RSA public key although k=rsa"


@given(st.text(max_size=300))
def test_any_text_gives_facts_never_an_exception(text):
    facts = parse_dkim_record(text)
    assert facts["valid"] in (True, False)
    assert facts["valid"] or facts["error"]


def test_choosing_the_key_record_among_several_txt_records():
    assert choose_key_record([]) == (None, None)
    assert choose_key_record(["v=DKIM1; p="]) == ("v=DKIM1; p=", None)
    assert choose_key_record(["unrelated", "v=DKIM1; p=AB"]) == ("v=DKIM1; p=AB", None)
    record, problem = choose_key_record(["p=AA", "p=BB"])
    assert record is None and problem.startswith("2 TXT records at the selector")


def test_scubagear_export_placeholder_keys_are_not_public_keys():
    export = read_dkim_export(CORPUS / "exchange-online" / "get-dkimsigningconfig.sample.json")
    assert export.errors == []
    assert [config.domain for config in export.configs] == [
        "tqhjy.onmicrosoft.com", "tqhjy.mail.onmicrosoft.com"]
    for config in export.configs:
        for selector in ("selector1", "selector2"):
            facts = parse_dkim_record(config.public_keys[selector])
            assert (facts["valid"], facts["error"]) == (False, "not a public key")
