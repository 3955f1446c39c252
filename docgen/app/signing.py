"""PDF signatures with pyHanko: PAdES baseline B-B, added as an incremental update.

`docgen render --sign` and `docgen build --sign` sign each PDF right after rendering it
(the rendered bytes stay, unchanged, at the start of the file); `docgen verify` checks
every signature a PDF holds. The PDF stays PDF/A-3b: an incremental update is allowed,
the signature's widget is invisible (a zero-size rectangle needs no appearance), and the
document information's producer is made the one pyHanko writes into the XMP metadata,
since PDF/A wants the two to agree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docgen.app.pdf_compare import quiet_pdf_logs
from docgen.core.errors import DocgenError, cannot_read

FIELD_NAME = "docgen-signature"


@dataclass(frozen=True)
class SigningKey:
    """A PKCS#12 file and its passphrase (None: the file has none)."""

    path: Path
    passphrase: bytes | None


@dataclass(frozen=True)
class SignatureReport:
    """What pyHanko's validation says of one signature, in the terms verify prints."""

    field: str
    signer: str
    signed_at: datetime | None
    intact: bool            # the signed bytes hash to what the signature holds
    valid: bool             # and the signature over that hash is the certificate's key's
    whole_file: bool        # nothing was added after it
    trusted: bool | None    # the certificate chains to a root given (--trust); None: none given
    problem: str = ""


def load_signer(key: SigningKey) -> Any:
    """A pyHanko signer of the key, or one line saying why not."""
    from pyhanko.sign import signers

    try:
        data = key.path.read_bytes()
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(key.path)) from None
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        private_key = pkcs12.load_key_and_certificates(data, key.passphrase)[0]
    except ValueError:
        why = "wrong passphrase" if key.passphrase else "it needs a passphrase"
        raise DocgenError(f"cannot open the PKCS#12 key: {why}, or not a PKCS#12 file",
                          source=str(key.path)) from None
    if private_key is not None and not isinstance(private_key, rsa.RSAPrivateKey):
        # pyHanko declares PDF 2.0 (ISO 32002) for ECDSA and EdDSA signatures: no longer PDF/A-3b
        raise DocgenError("the key is not RSA: pyHanko would make the PDF declare PDF 2.0 for it, "
                          "which PDF/A-3b does not allow; sign with an RSA key", source=str(key.path))
    signer = signers.SimpleSigner.load_pkcs12(str(key.path), passphrase=key.passphrase)
    if signer is None:
        raise DocgenError("the PKCS#12 file holds no private key and certificate", source=str(key.path))
    return signer


def sign_pdf(data: bytes, signer: Any) -> bytes:
    """`data` with a PAdES signature appended (the bytes of `data` come first, unchanged)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import VENDOR
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    if "/Info" in writer.trailer:
        # pyHanko writes itself as the XMP producer and appends itself to the Info's: make them equal
        info = writer.trailer["/Info"]
        info["/Producer"] = generic.TextStringObject(VENDOR)
        writer.update_container(info)
    metadata = signers.PdfSignatureMetadata(field_name=FIELD_NAME, md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES)
    output = signers.sign_pdf(writer, metadata, signer=signer)
    return output.getvalue()


def signature_reports(data: bytes, trust_roots: list[Path] | None = None) -> list[SignatureReport]:
    """Every signature of the PDF, validated; [] when it has none."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [_certificate(path) for path in trust_roots or []]
    reports = []
    try:
        with quiet_pdf_logs():
            signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:   # noqa: BLE001 - pyHanko reads more strictly than pypdf did
        if b"/ByteRange" not in data:
            return []   # no signature to find: the other checks judge the file
        return [SignatureReport("?", "?", None, False, False, False, None,
                                f"the signature cannot be read ({type(exc).__name__}: {exc})")]
    for embedded in signatures:
        # only the roots given (--trust): the OS trust list is deprecated in pyhanko-certvalidator,
        # and nothing is fetched over the network
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            with quiet_pdf_logs():
                status = validate_pdf_signature(embedded, context)
        except Exception as exc:   # noqa: BLE001 - pyHanko's many ways to refuse a malformed signature
            reports.append(SignatureReport(embedded.field_name, "?", None, False, False, False, None,
                                           f"cannot be validated ({type(exc).__name__}: {exc})"))
            continue
        reports.append(SignatureReport(
            field=embedded.field_name,
            signer=status.signing_cert.subject.human_friendly,
            signed_at=status.signer_reported_dt,
            intact=status.intact,
            valid=status.valid,
            whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
            trusted=status.trusted if roots else None,
        ))
    return reports


def _certificate(path: Path) -> Any:
    """A certificate file (PEM or DER) as pyHanko's validation takes it."""
    from pyhanko.keys import load_cert_from_pemder

    try:
        certificate = load_cert_from_pemder(str(path))
        certificate.native   # parses it all: a bad file fails here, not in validation
    except OSError as exc:
        raise DocgenError(cannot_read(exc), source=str(path)) from None
    except (ValueError, TypeError):
        raise DocgenError("not a certificate (PEM or DER)", source=str(path)) from None
    return certificate
