"""DKIM key records (RFC 6376 section 3.6.1): tags, revocation, and the key's size.

A key record is a tag list such as ``v=DKIM1; k=rsa; p=MIIBIjANBg...``. An
empty ``p=`` means the key was revoked. The key size comes from the public key
itself (``cryptography``), never from what a configuration claims.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key


def parse_dkim_record(text: str) -> dict:
    """The facts of one key record; ``valid`` is False (with ``error``) when unusable."""
    facts: dict = {"valid": False, "error": None, "version": None, "key_type": "rsa",
                   "revoked": False, "testing": False, "flags": [], "service_types": ["*"],
                   "hash_algorithms": None, "key_size": None, "public_key_sha256": None}
    try:
        tags = _tag_list(text)
        facts.update(_tag_facts(tags))
        facts.update(_key_facts(facts["key_type"], tags["p"]))
    except ValueError as exc:
        facts["error"] = str(exc)
        return facts
    facts["valid"] = True
    return facts


def _tag_list(text: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for index, spec in enumerate(part.strip() for part in text.split(";")):
        if not spec:
            continue
        name, equals, value = spec.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ValueError(f"{spec[:40]!r} is not a tag=value pair")
        if name in tags:
            raise ValueError(f"the {name}= tag appears twice")
        if name == "v" and (index != 0 or value.strip() != "DKIM1"):
            raise ValueError("v= must come first and be DKIM1")
        tags[name] = value.strip()
    if "p" not in tags:
        raise ValueError("no p= tag (not a DKIM key record)")
    return tags


def _tag_facts(tags: dict[str, str]) -> dict:
    def colon_list(name: str) -> list[str] | None:
        value = tags.get(name)
        if value is None:
            return None
        return [item.strip() for item in value.split(":") if item.strip()]

    flags = colon_list("t") or []
    return {"version": tags.get("v"), "key_type": tags.get("k", "rsa").lower(),
            "revoked": "".join(tags["p"].split()) == "", "testing": "y" in flags,
            "flags": flags, "service_types": colon_list("s") or ["*"],
            "hash_algorithms": colon_list("h")}


def _key_facts(key_type: str, p_value: str) -> dict:
    encoded = "".join(p_value.split())
    if not encoded:
        return {}  # revoked: no key to measure
    try:
        # Publishers drop the final '=' padding now and then; verifiers cope.
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a public key (p= is not base64)") from None
    fingerprint = {"public_key_sha256": hashlib.sha256(raw).hexdigest()}
    if key_type == "ed25519":
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise ValueError("not a public key (k=ed25519 needs 32 key bytes)") from None
        return {**fingerprint, "key_size": 256}
    if key_type != "rsa":
        raise ValueError(f"unknown key type k={key_type}")
    try:
        key = load_der_public_key(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # UnsupportedAlgorithm: a key of an algorithm cryptography does not know (found by fuzzing)
        raise ValueError("not a public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key although k=rsa")
    return {**fingerprint, "key_size": key.key_size}


def choose_key_record(records: list[str]) -> tuple[str | None, str | None]:
    """The one key record among the TXT records at a selector, or why there is none.

    Returns (record, problem). Several records that each carry ``p=`` make the
    selector ambiguous (RFC 6376 leaves the choice to the verifier).
    """
    if not records:
        return None, None
    if len(records) == 1:
        return records[0], None
    keys = [record for record in records if "p=" in record.replace(" ", "")]
    if len(keys) == 1:
        return keys[0], None
    return None, f"{len(records)} TXT records at the selector; a verifier may use any of them"
