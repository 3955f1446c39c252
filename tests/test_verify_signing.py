"""`docgen render/build --sign` (PAdES with pyHanko) and `docgen verify` of a signed PDF.

The key and its self-signed certificate are made here with `cryptography` and written
as a PKCS#12 file; nothing is mocked: pyHanko signs and validates the real PDF.
"""

from __future__ import annotations

import datetime
import io
import shutil

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from conftest import EXCHANGE_SAMPLES

PASSPHRASE = "correct horse"


def make_key(folder, name: str, kind: str = "rsa") -> tuple:
    """A self-signed signing certificate for `name`: the PKCS#12 file and the certificate (PEM)."""
    key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa"
           else ec.generate_private_key(ec.SECP256R1()))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fabrikam Consulting")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=True, crl_sign=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .sign(key, hashes.SHA256()))
    p12 = folder / f"{name.split()[0].lower()}.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        name.encode(), key, certificate, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    pem = folder / f"{name.split()[0].lower()}.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return p12, pem


@pytest.fixture(scope="module")
def signed(tmp_path_factory, demo_pdf_dir):
    """The demo bundle rendered and signed once: `docgen render --sign-key`, passphrase from the env."""
    import os

    from click.testing import CliRunner

    from docgen.cli import cli

    folder = tmp_path_factory.mktemp("signed")
    p12, pem = make_key(folder, "Jane Consultant")
    result = CliRunner(env={**os.environ, "DOCGEN_SIGN_PASSPHRASE": PASSPHRASE}).invoke(
        cli, ["render", str(demo_pdf_dir / "contoso.bundle.json"), "-o", str(folder / "out"), "--format", "pdf",
              "--author", "docgen demo", "--no-project", "--sign-key", str(p12)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {"pdf": folder / "out" / "contoso.pdf", "p12": p12, "pem": pem, "folder": folder}


pytestmark = pytest.mark.slow   # renders the demo report


def test_the_signature_is_an_incremental_update_and_the_pdf_stays_pdfa(signed, demo_pdf_dir):
    data = signed["pdf"].read_bytes()
    unsigned = (demo_pdf_dir / "contoso.pdf").read_bytes()
    assert data.startswith(unsigned) and len(data) > len(unsigned)   # the render's bytes, then the signature
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        assert str(pdf.docinfo["/Producer"]) == meta["pdf:Producer"]   # PDF/A: Info and XMP agree
        field = pdf.Root.AcroForm.Fields[0]
        assert (field.FT, str(field.V.SubFilter)) == ("/Sig", "/ETSI.CAdES.detached")   # PAdES
        assert list(field.Rect) == [0, 0, 0, 0]   # invisible: PDF/A needs no appearance for it


def test_verify_names_the_signer_and_time(run_cli, signed):
    result = run_cli("verify", signed["pdf"], "--trust", signed["pem"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok   signature: docgen-signature: signed by Organization: Fabrikam Consulting, "
                               "Common Name: Jane Consultant at 20")
    assert lines[0].endswith("; intact, covers the whole file (PAdES)")
    assert lines[1] == "ok   signer trusted: the certificate chains to a certificate given with --trust"
    # the pages are compared with a render too: the signature's additions set apart
    assert "ok   file bytes: the file is the render, byte for byte" in result.stdout
    assert "followed by its signature" in result.stdout
    assert lines[-1] == ("verified: the pages are what docgen renders from the attached bundle; signed by "
                         "Organization: Fabrikam Consulting, Common Name: Jane Consultant")


def test_another_trusted_certificate_fails(run_cli, signed, tmp_path):
    _, other = make_key(tmp_path, "Mallory Other")
    result = run_cli("verify", signed["pdf"], "--trust", other, "--fast")
    assert result.exit_code == 1
    assert "FAIL signer trusted: the certificate does not chain to a certificate given with --trust" in result.stdout


def test_a_byte_changed_after_signing_fails(run_cli, signed, tmp_path):
    data = signed["pdf"].read_bytes()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(data.replace(b"/Author (docgen demo)", b"/Author (docgen dem0)", 1))
    assert forged.read_bytes() != data
    result = run_cli("verify", forged, "--fast")
    assert result.exit_code == 1
    assert "; the signed bytes were changed after signing" in result.stdout


def test_an_update_after_signing_fails(run_cli, signed, tmp_path):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed["pdf"].read_bytes()))
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("Approved")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    updated = tmp_path / "updated.pdf"
    updated.write_bytes(out.getvalue())
    result = run_cli("verify", updated)
    assert result.exit_code == 1
    assert "; bytes were added to the file after signing" in result.stdout
    assert "FAIL metadata: document information: Title 'As-built documentation: Contoso' rendered, " \
           "'Approved' in the file" in result.stdout


def test_build_signs_with_the_key_docgen_toml_names(run_cli, signed, tmp_path, monkeypatch):
    """[signing] pkcs12 (relative to the folder) and passphrase_env: the passphrase is not in the file."""
    project = tmp_path / "contoso"
    (project / "raw").mkdir(parents=True)
    (project / "keys").mkdir()
    shutil.copy(EXCHANGE_SAMPLES / "contoso-exchange-certs.json", project / "raw" / "exchange.json")
    shutil.copy(signed["p12"], project / "keys" / "jane.p12")
    (project / "docgen.toml").write_text(
        '[document]\norganization = "Contoso"\n[dns]\nskip = true\n[output]\nformats = ["pdf"]\n'
        'name = "contoso"\n[signing]\npkcs12 = "keys/jane.p12"\npassphrase_env = "CONTOSO_KEY"\n', "utf-8")
    monkeypatch.setenv("CONTOSO_KEY", PASSPHRASE)
    result = run_cli("build", "--project", project, "--sign")
    assert result.exit_code == 0, result.output
    result = run_cli("verify", project / "out" / "contoso.pdf", "--fast")
    assert result.exit_code == 0, result.output
    assert "Common Name: Jane Consultant" in result.stdout.splitlines()[0]
    monkeypatch.delenv("CONTOSO_KEY")   # no passphrase and no terminal to ask on
    result = run_cli("build", "--project", project, "--sign")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {project / 'keys' / 'jane.p12'}: cannot open the PKCS#12 key: it needs "
                             "a passphrase, or not a PKCS#12 file\n")


def test_a_wrong_passphrase_is_one_line(run_cli, signed, tmp_path, monkeypatch, demo_dir):
    monkeypatch.setenv("DOCGEN_SIGN_PASSPHRASE", "wrong")
    result = run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path / "out", "--format", "pdf",
                     "--no-project", "--sign-key", signed["p12"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: {signed['p12']}: cannot open the PKCS#12 key: wrong passphrase, "
                             "or not a PKCS#12 file\n")
    assert not (tmp_path / "out").exists()   # refused before rendering anything


def test_sign_without_a_key_is_a_usage_error(run_cli, tmp_path, demo_dir):
    result = run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path, "--no-project", "--sign")
    assert result.exit_code == 2
    assert "--sign needs a key: --sign-key FILE, or [signing] pkcs12 in docgen.toml" in result.stderr


def test_an_ec_key_is_refused_to_keep_pdfa(run_cli, tmp_path, demo_dir, monkeypatch):
    """pyHanko marks an ECDSA-signed PDF as PDF 2.0 (ISO 32002): not PDF/A-3b any more."""
    p12, _ = make_key(tmp_path, "Eve Elliptic", kind="ec")
    monkeypatch.setenv("DOCGEN_SIGN_PASSPHRASE", PASSPHRASE)
    result = run_cli("render", demo_dir / "contoso.bundle.json", "-o", tmp_path / "out", "--format", "pdf",
                     "--no-project", "--sign-key", p12)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {p12}: the key is not RSA: pyHanko would make the PDF declare PDF 2.0 "
                             "for it, which PDF/A-3b does not allow; sign with an RSA key\n")


def test_a_visible_signature_stamp_is_compared_like_any_annotation(run_cli, signed, demo_pdf_dir, tmp_path):
    """Signed by pyHanko directly with a visible stamp: the signature holds, the stamp is not docgen's."""
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(signed["p12"]), passphrase=PASSPHRASE.encode())
    writer = IncrementalPdfFileWriter(io.BytesIO((demo_pdf_dir / "contoso.pdf").read_bytes()))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Approval"), signer=signer,
                           new_field_spec=fields.SigFieldSpec("Approval", box=(300, 700, 500, 760)))
    stamped = tmp_path / "stamped.pdf"
    stamped.write_bytes(out.getvalue())
    result = run_cli("verify", stamped)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("ok   signature: Approval: signed by ")
    assert "FAIL annotations: page 1: added Widget" in result.stdout
