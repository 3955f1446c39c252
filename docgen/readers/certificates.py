"""X.509 certificate facts from DER bytes, through `cryptography`."""

from __future__ import annotations

import base64
import struct

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from docgen.core.dates import iso_utc
from docgen.core.errors import InputError


def certificate_facts(der: bytes, source: str, where: str) -> dict:
    """Everything the report and the checks need, plus the DER to re-derive it later."""
    try:
        cert = x509.load_der_x509_certificate(der)
        facts = {
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "serial": format(cert.serial_number, "X"),
            "thumbprint_sha1": cert.fingerprint(hashes.SHA1()).hex().upper(),
            "sha256": cert.fingerprint(hashes.SHA256()).hex().upper(),
            "not_before": iso_utc(cert.not_valid_before_utc),
            "not_after": iso_utc(cert.not_valid_after_utc),
            "san_dns": _san_dns_names(cert),
            "signature_hash": _signature_hash(cert),
            "self_signed": cert.issuer == cert.subject,
            "der_base64": base64.b64encode(der).decode("ascii"),
        }
        facts.update(_key_facts(cert))
    except (ValueError, TypeError, x509.InvalidVersion):
        # cryptography raises ValueError for DER that is not a certificate, and for
        # certificates with fields it cannot decode, InvalidVersion for a version
        # field other than v1-v3 (found by fuzzing); all are the input's fault. Its
        # own text is a parser trace, not something a reader can act on.
        raise InputError("the bytes are not a readable X.509 certificate (DER)",
                         source=source, where=where) from None
    except (x509.UnsupportedGeneralNameType, x509.DuplicateExtension) as exc:
        # cryptography decodes every extension at once; these stop it (found by fuzzing)
        raise InputError(f"the certificate's extensions cannot be read ({_first_line(exc)})",
                         source=source, where=where) from None
    return facts


# Certificate property ids of a Windows certificate store (wincrypt.h CERT_*_PROP_ID).
FRIENDLY_NAME_PROPERTY = 11
CERTIFICATE_PROPERTY = 32


def store_element_properties(data: bytes, source: str, where: str) -> dict[int, bytes]:
    """A certificate as a Windows store serialises it (CertSerializeCertificateStoreElement,
    what Exchange keeps as `CertData`): property id -> bytes. Each property is its id,
    an encoding word and a length (three little-endian UInt32), then that many bytes;
    the certificate itself is property 32, the friendly name property 11."""
    properties: dict[int, bytes] = {}
    position = 0
    while position < len(data):
        if len(data) - position < 12:
            raise InputError("a certificate store element that ends early", source=source,
                             where=f"{where}, byte {position}")
        prop_id, _encoding, length = struct.unpack_from("<III", data, position)
        position += 12
        if length > len(data) - position:
            raise InputError(f"certificate property {prop_id} runs past the end", source=source,
                             where=f"{where}, byte {position}")
        properties.setdefault(prop_id, data[position:position + length])
        position += length
    return properties


def friendly_name(properties: dict[int, bytes]) -> str | None:
    """The store's friendly name (UTF-16 LE, NUL-terminated), None when it has none."""
    raw = properties.get(FRIENDLY_NAME_PROPERTY)
    if not raw:
        return None
    name = raw[:len(raw) - len(raw) % 2].decode("utf-16-le", "replace").split("\x00", 1)[0]
    return name or None


def _san_dns_names(cert: x509.Certificate) -> list[str]:
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return list(extension.value.get_values_for_type(x509.DNSName))


def _signature_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return None
    return algorithm.name if algorithm is not None else None


def _key_facts(cert: x509.Certificate) -> dict:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        return {"key_type": f"unsupported ({_first_line(exc)})", "key_size": None}
    if isinstance(key, rsa.RSAPublicKey):
        return {"key_type": "RSA", "key_size": key.key_size}
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"key_type": f"EC {key.curve.name}", "key_size": key.key_size}
    if isinstance(key, dsa.DSAPublicKey):
        return {"key_type": "DSA", "key_size": key.key_size}
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"key_type": "Ed25519", "key_size": 256}
    if isinstance(key, ed448.Ed448PublicKey):
        return {"key_type": "Ed448", "key_size": 456}
    return {"key_type": type(key).__name__, "key_size": None}


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def dns_name_matches(pattern: str, host: str) -> bool:
    """Whether a certificate's DNS name covers a host name (RFC 6125 section 6.4, as RFC 9525
    narrows it): names compare case-insensitively, without a trailing dot; a wildcard is the
    whole left-most label (`*.contoso.com`) and stands for exactly one label, so it covers
    mail.contoso.com but neither contoso.com nor a.b.contoso.com; a partial wildcard
    (`w*.contoso.com`), one elsewhere, or one over fewer than two labels (`*.com`) covers
    nothing but its own text."""
    pattern = pattern.strip().rstrip(".").lower()
    host = host.strip().rstrip(".").lower()
    if not pattern or not host:
        return False
    if not pattern.startswith("*."):
        return "*" not in pattern and pattern == host
    base = pattern[2:]
    if "*" in base or base.count(".") < 1:
        return False
    label, _, rest = host.partition(".")
    return bool(label) and rest == base
