"""Fixtures of the signatures tests.

Organisational signing tests reuse the approvals fixtures (staff per department, cases in
review) and add helpers to read signatures and to write signatures files for key rotation.

Issued documents: a test organisation PKI, signed PDFs made once, a real TSA. RSA key
generation and the first font parse are the slow parts, so the PKI and the PDFs every test
reads are session-scoped; tests that change a PDF change a copy. The organisation PKI: a root
(組織認証局 テスト) that issues 青葉市's key A, its later key B (key rotation), 港川市's key and a
TSA certificate; an unrelated root that issues a certificate "someone else" signs with; and the
root's CRL for hard-fail revocation checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from tests.approvals.conftest import (  # noqa: F401 (fixtures)
    admin,
    away,
    in_review,
    inkan_case,
    make_staff,
    shimin,
)
from tests.backoffice.conftest import login_staff  # noqa: F401 (the back office's sign-in fixture)

from madoguchi.signatures import pki
from madoguchi.signatures.config import MunicipalitySignatures, OrganisationKey
from madoguchi.signatures.documents.render import DocumentContent, render_pdf
from madoguchi.signatures.documents.signing import asn1_certificate, sign_document
from madoguchi.signatures.models import OrganisationSignature


def signatures_of(case) -> list[OrganisationSignature]:
    return list(OrganisationSignature.objects.for_municipality(case.municipality).filter(case=case).order_by("id"))


def org_key(issuer: pki.Issued, *, name: str, not_before: datetime | None = None, not_after: datetime | None = None):
    """An organisation certificate and key under ``issuer`` (valid ±1 year unless given)."""
    now = datetime.now(UTC)
    return pki.issue_organisation_certificate(
        issuer=issuer,
        not_before=not_before or now - pki.days(365),
        not_after=not_after or now + pki.days(365),
        common_name=f"{name}長",
        organisation=name,
    )


@pytest.fixture
def signatures_file(tmp_path, settings):
    """Return ``write(name, {code: {"keys": [...], "anchors": [Issued, ...]}})``: write the keys
    (PKCS#12 with a passphrase file, or certificate-only PEM for retired entries) and a
    signatures file, point the setting at it and return its path. Entries of ``keys`` are
    ``("sign", Issued, chain)`` or ``("retired", Issued)``."""
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)

    def write(name: str, municipalities: dict) -> Path:
        data = {}
        for code, entry in municipalities.items():
            keys = []
            for kind, issued, *chain in entry["keys"]:
                stem = f"{code}-{issued.certificate.serial_number:x}"
                if kind == "sign":
                    (directory / f"{stem}.p12").write_bytes(
                        pki.pkcs12_bytes(issued, chain=chain[0], passphrase=b"secret", label=code)
                    )
                    (directory / f"{stem}.pass").write_bytes(b"secret")
                    for file in (directory / f"{stem}.p12", directory / f"{stem}.pass"):
                        file.chmod(0o600)
                    keys.append({"pkcs12": f"{stem}.p12", "passphrase_file": f"{stem}.pass"})
                else:
                    (directory / f"{stem}.pem").write_bytes(issued.pem)
                    keys.append({"certificate": f"{stem}.pem"})
            anchors = []
            for anchor in entry["anchors"]:
                file = f"root-{anchor.certificate.serial_number:x}.pem"
                (directory / file).write_bytes(anchor.certificate.public_bytes(serialization.Encoding.PEM))
                anchors.append(file)
            data[code] = {"organisation": {"keys": keys, "trust_anchors": anchors}}
        path = directory / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"municipalities": data}, allow_unicode=True), encoding="utf-8")
        settings.MADOGUCHI_SIGNATURES_FILE = str(path)
        return path

    return write


@pytest.fixture(scope="session")
def org_root() -> pki.Issued:
    now = datetime.now(UTC)
    return pki.issue_ca("組織認証局 テスト", not_before=now - pki.days(400), not_after=now + pki.days(800))


START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2031, 1, 1, tzinfo=UTC)
PASSPHRASE = b"test-passphrase"
CRL_URL = "http://crl.invalid/org-root.crl"  # never fetched: validation contexts get the CRL itself
NAME_WITH_RARE_KANJI = "𠮷田 髙﨑"


@dataclass(frozen=True)
class DocumentPki:
    directory: Path
    root: pki.Issued
    aoba_a: pki.Issued
    aoba_b: pki.Issued
    minatogawa: pki.Issued
    tsa: pki.Issued
    other_root: pki.Issued
    other: pki.Issued
    crl_der: bytes

    def signatures(self, issued: pki.Issued, code: str = "082015", timestamp_url: str = "") -> MunicipalitySignatures:
        """Signature configuration of ``code`` signing with ``issued`` (no signatures file needed)."""
        return MunicipalitySignatures(
            code=code,
            organisation_keys=(OrganisationKey(issued.certificate, (self.root.certificate,), issued.key),),
            organisation_trust_anchors=(self.root.certificate,),
            timestamp_url=timestamp_url,
        )

    def hard_fail_context(self) -> ValidationContext:
        """Trust the organisation root only, with its CRL, and fail without revocation information."""
        return ValidationContext(
            trust_roots=[asn1_certificate(self.root.certificate)],
            crls=[asn1_crl.CertificateList.load(self.crl_der)],
            allow_fetching=False,
            revocation_mode="hard-fail",
        )


def _write_p12(directory: Path, name: str, issued: pki.Issued, chain: list) -> None:
    (directory / f"{name}.p12").write_bytes(pki.pkcs12_bytes(issued, chain=chain, passphrase=PASSPHRASE, label=name))
    (directory / f"{name}.pass").write_bytes(PASSPHRASE)


def write_signatures_file(path: Path, entries: dict) -> Path:
    path.write_text(yaml.safe_dump({"municipalities": entries}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def document_pki(tmp_path_factory) -> DocumentPki:
    directory = tmp_path_factory.mktemp("document-pki")
    root = pki.issue_ca("組織認証局 テスト", not_before=START, not_after=END, organisation="Madoguchi Test")
    # Every certificate the root issues says where its CRL is, so hard-fail validation must find it.
    common = {"issuer": root, "not_before": START, "not_after": END, "crl_url": CRL_URL}
    aoba_a = pki.issue_organisation_certificate(**common, common_name="青葉市長", organisation="青葉市")
    aoba_b = pki.issue_organisation_certificate(**common, common_name="青葉市長", organisation="青葉市")
    minatogawa = pki.issue_organisation_certificate(**common, common_name="港川市長", organisation="港川市")
    tsa = pki.issue_timestamping_certificate(**common, common_name="Madoguchi Test TSA")
    other_root = pki.issue_ca("Someone Else CA", not_before=START, not_after=END, organisation="Someone Else")
    other = pki.issue_organisation_certificate(
        issuer=other_root, not_before=START, not_after=END, common_name="青葉市長", organisation="青葉市"
    )
    crl = pki.issue_crl(root, this_update=datetime.now(UTC), next_update=END)
    (directory / "org-root.pem").write_bytes(root.pem)
    (directory / "aoba-a.pem").write_bytes(aoba_a.pem + root.pem)
    _write_p12(directory, "aoba-a", aoba_a, [root.certificate])
    _write_p12(directory, "aoba-b", aoba_b, [root.certificate])
    _write_p12(directory, "minatogawa", minatogawa, [root.certificate])
    return DocumentPki(
        directory, root, aoba_a, aoba_b, minatogawa, tsa, other_root, other,
        crl.public_bytes(serialization.Encoding.DER),
    )  # fmt: skip


def _entry(*keys: dict, timestamp_url: str = "") -> dict:
    organisation = {"keys": list(keys), "trust_anchors": ["org-root.pem"]}
    if timestamp_url:
        organisation["timestamp_url"] = timestamp_url
    return {"organisation": organisation}


def _key(name: str) -> dict:
    return {"pkcs12": f"{name}.p12", "passphrase_file": f"{name}.pass"}


@pytest.fixture
def documents_configured(document_pki, settings) -> DocumentPki:
    """Point MADOGUCHI_SIGNATURES_FILE at the test PKI: 青葉市 signs with key A, 港川市 with its own."""
    path = write_signatures_file(
        document_pki.directory / "signatures.yaml",
        {"082015": _entry(_key("aoba-a")), "082023": _entry(_key("minatogawa"))},
    )
    settings.MADOGUCHI_SIGNATURES_FILE = str(path)
    return document_pki


@pytest.fixture
def rotate_aoba_key(document_pki, settings):
    """Return ``rotate()``: key B on top for 青葉市, key A kept as a certificate-only entry."""

    def rotate() -> None:
        path = write_signatures_file(
            document_pki.directory / "signatures-rotated.yaml",
            {
                "082015": _entry(_key("aoba-b"), {"certificate": "aoba-a.pem"}),
                "082023": _entry(_key("minatogawa")),
            },
        )
        settings.MADOGUCHI_SIGNATURES_FILE = str(path)

    return rotate


def sample_content(applicant: str = NAME_WITH_RARE_KANJI) -> DocumentContent:
    return DocumentContent(
        title="道路占用許可書",
        body="令和8年6月1日付けで申請のあった道路占用許可申請について、次のとおり許可します。",
        municipality="青葉市",
        issuer="青葉市長",
        receipt_number="082015-2026-000001",
        applicant=applicant,
        procedure="道路占用許可申請",
        issued_on=date(2026, 6, 15),
        particulars=[("受付番号", "082015-2026-000001"), ("決定", "承認")],
        footer="この文書は青葉市長が電子署名したPDFです。",
    )


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    return render_pdf(sample_content(), created=datetime(2026, 6, 15, 1, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def signed_pdf(document_pki, unsigned_pdf) -> bytes:
    """青葉市's document signed with key A (no timestamp)."""
    return sign_document(
        unsigned_pdf, signatures=document_pki.signatures(document_pki.aoba_a), reason="test", location="青葉市"
    ).content


@pytest.fixture(scope="session")
def timestamp_server(document_pki):
    """A real RFC 3161 server over HTTP (pyHanko's DummyTimeStamper signing with the test TSA key)."""
    stamper = DummyTimeStamper(
        tsa_cert=asn1_certificate(document_pki.tsa.certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            document_pki.tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        certs_to_embed=[asn1_certificate(document_pki.root.certificate)],
    )
    requests: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(body)
            response = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/tsa", "requests": requests}
    server.shutdown()
    server.server_close()


def require_tool(name: str, package: str) -> None:
    """Skip without a command-line tool on a workstation; fail in CI, where a skip would hide a failure."""
    if shutil.which(name):
        return
    reason = f"{name} is missing: install Debian's {package} package"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(reason)
    pytest.skip(reason)


def pdftotext(data: bytes, tmp_path: Path) -> str:
    require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture(scope="session")
def nss_trusting_org_root(document_pki, tmp_path_factory) -> Path:
    """An NSS database (for poppler's pdfsig) that trusts the test organisation root."""
    require_tool("certutil", "libnss3-tools")
    directory = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{directory}", "-n", "org-root", "-t", "C,C,C",
         "-i", str(document_pki.directory / "org-root.pem")],
        check=True,
    )  # fmt: skip
    return directory


def pdfsig(data: bytes, tmp_path: Path, nss: Path) -> str:
    """poppler's verdict text on ``data`` (pdfsig exits 0 even for a broken signature)."""
    require_tool("pdfsig", "poppler-utils")
    path = tmp_path / "pdfsig.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True)
    return result.stdout + result.stderr


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """Change one byte of the document's own text (inside the signed byte range, outside /Contents)."""
    changed = bytearray(data)
    index = changed.index(b"/Creator")
    changed[index + len(b"/Creator (") + 1] ^= 0x01
    return bytes(changed)
