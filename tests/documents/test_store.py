"""document_store: good files are kept with their SHA-256 outside the web root; every bad file is
refused with its reason, and nothing is stored (no row, no file)."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.documents.models import Document
from tadamun.documents.services import clean_name, document_store
from tadamun.errors import InvalidInput
from tadamun.registry.models import Agency
from tests.documents import samples

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_pdf_is_stored_with_its_hash_outside_the_web_root(
    person: User, agency: Agency, document_dir: Path, settings: SettingsWrapper
) -> None:
    data = samples.pdf_bytes()
    doc = document_store(
        owner=person,
        kind="consular_registration",
        upload=samples.upload("carte.pdf", data),
        agency=agency,
    )
    assert doc.content_type == "application/pdf"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size == len(data)
    assert doc.original_name == "carte.pdf"
    [stored] = _files(document_dir)
    assert stored.read_bytes() == data
    assert stored.name == doc.storage_name and "carte" not in str(stored)
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert not str(stored).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "fmt", "mime"),
    [
        ("photo.jpg", "JPEG", "image/jpeg"),
        ("PHOTO.JPEG", "JPEG", "image/jpeg"),
        ("scan.png", "PNG", "image/png"),
    ],
)
def test_images_are_accepted(person: User, name: str, fmt: str, mime: str) -> None:
    doc = document_store(
        owner=person, kind="id", upload=samples.upload(name, samples.image_bytes(fmt))
    )
    assert doc.content_type == mime


def test_the_file_name_is_only_kept_for_display() -> None:
    assert clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_name("C:\\Users\\a\\scan.png") == "scan.png"
    assert clean_name("a\x00b\r\n.pdf") == "ab.pdf"
    assert clean_name("") == "document"


BAD = [
    ("exe renamed .pdf", "facture.pdf", samples.EXE, "bad_type"),
    ("HTML renamed .png", "photo.png", samples.HTML, "bad_type"),
    ("PNG named .pdf", "scan.pdf", samples.image_bytes("PNG"), "type_mismatch"),
    ("PDF named .jpg", "scan.jpg", samples.pdf_bytes(), "type_mismatch"),
    ("no allowed extension", "scan.exe", samples.pdf_bytes(), "bad_extension"),
    ("empty", "vide.pdf", b"", "empty"),
    ("corrupt PDF", "abime.pdf", samples.CORRUPT_PDF, "corrupt"),
    ("truncated PNG", "coupe.png", samples.truncated_png(), "corrupt"),
    ("PDF with JavaScript", "js.pdf", samples.pdf_bytes(tweak="javascript"), "active_content"),
    ("PDF with an attachment", "pj.pdf", samples.pdf_bytes(tweak="attachment"), "active_content"),
    (
        "PDF that launches a program",
        "launch.pdf",
        samples.pdf_bytes(tweak="launch"),
        "active_content",
    ),
    ("link that launches", "link.pdf", samples.pdf_bytes(tweak="launch_link"), "active_content"),
    ("escaped /JavaScript name", "esc.pdf", samples.ESCAPED_JS_PDF, "active_content"),
    ("encrypted PDF", "protege.pdf", samples.pdf_bytes(tweak="encrypted"), "encrypted"),
    ("image bomb", "bombe.png", samples.png_bomb(), "too_many_pixels"),
    ("EICAR test file", "eicar.pdf", samples.EICAR_FILE, "malware"),
    ("EICAR inside a valid PDF", "ok.pdf", samples.pdf_with_eicar(), "malware"),
]


@pytest.mark.parametrize(("case", "name", "data", "code"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_and_nothing_is_stored(
    person: User, document_dir: Path, case: str, name: str, data: bytes, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        document_store(
            owner=person,
            kind="proof",
            upload=samples.upload(name, data, "application/pdf"),
            field="proof_of_activity",
        )
    [problem] = refused.value.problems
    assert problem.field == "proof_of_activity"
    assert problem.code == code, problem.message("en")
    for language in ("fr", "ar", "en"):
        assert problem.message(language)
    assert Document.objects.count() == 0
    assert _files(document_dir) == []


def test_the_size_limit_is_a_setting(
    person: User, document_dir: Path, settings: SettingsWrapper
) -> None:
    data = samples.pdf_bytes()
    settings.TADAMUN_DOCUMENT_MAX_BYTES = len(data) - 1
    with pytest.raises(InvalidInput) as refused:
        document_store(owner=person, kind="proof", upload=samples.upload("a.pdf", data))
    assert refused.value.problems[0].code == "too_large"
    assert "Mo" in refused.value.problems[0].message("fr")
    assert Document.objects.count() == 0 and _files(document_dir) == []
    settings.TADAMUN_DOCUMENT_MAX_BYTES = len(data)
    document_store(owner=person, kind="proof", upload=samples.upload("a.pdf", data))


def test_the_pixel_limit_is_a_setting(person: User, settings: SettingsWrapper) -> None:
    settings.TADAMUN_DOCUMENT_MAX_PIXELS = 40 * 30 - 1
    with pytest.raises(InvalidInput) as refused:
        document_store(
            owner=person, kind="id", upload=samples.upload("a.png", samples.image_bytes())
        )
    assert refused.value.problems[0].code == "too_many_pixels"


def test_a_scanner_that_cannot_answer_refuses_the_upload(
    person: User, document_dir: Path, settings: SettingsWrapper
) -> None:
    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TADAMUN_DOCUMENT_SCANNER = "tadamun.documents.scanning.clamd_scanner"
    settings.TADAMUN_CLAMD_ADDRESS = f"127.0.0.1:{port}"
    with pytest.raises(InvalidInput) as refused:
        document_store(owner=person, kind="id", upload=samples.upload("a.pdf", samples.pdf_bytes()))
    assert refused.value.problems[0].code == "scan_failed"
    assert Document.objects.count() == 0 and _files(document_dir) == []


def test_a_custom_scanner_is_called_with_the_bytes(person: User, settings: SettingsWrapper) -> None:
    settings.TADAMUN_DOCUMENT_SCANNER = "tests.documents.test_store.refuse_everything"
    with pytest.raises(InvalidInput) as refused:
        document_store(owner=person, kind="id", upload=samples.upload("a.pdf", samples.pdf_bytes()))
    assert refused.value.problems[0].params["threat"] == "Test-Threat-a.pdf"


def refuse_everything(data: bytes, *, name: str = "") -> str | None:
    return f"Test-Threat-{name}" if data.startswith(b"%PDF") else None


def test_a_failed_row_write_removes_the_file(person: User, document_dir: Path) -> None:
    with pytest.raises(ValidationError):
        document_store(
            owner=person,
            kind="x" * 10,
            upload=samples.upload("a.pdf", samples.pdf_bytes()),
            now="not a date",  # type: ignore[arg-type]
        )
    assert _files(document_dir) == []
    assert os.path.isdir(document_dir)


def test_a_pdf_that_opens_on_a_page_is_not_active_content(person: User, document_dir: Path) -> None:
    """PDF producers (fpdf2 here, like the platform's own receipts) set an /OpenAction that only
    says which page and zoom to open on: that is a destination, not an action, and is accepted;
    an /OpenAction that runs JavaScript or launches a program is still refused (above)."""
    from fpdf import FPDF

    from tadamun.documents.checks import check_pdf

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Recu de paiement")
    data = bytes(pdf.output())
    assert b"/OpenAction" in data
    check_pdf(data, field="document")
