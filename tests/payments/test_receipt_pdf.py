"""The payment receipt as a PDF: in French, Arabic (shaped, right to left) and English, with what
the payment settled, the SANDBOX label, for its own employer only, in a fixed number of queries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tadamun.payments import sandbox
from tadamun.payments.models import Receipt
from tadamun.registry.models import Employer
from tests.payments.conftest import deliver, member
from tests.payments.test_flow import CARD_OK, _card, _post_dues, _start

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed: `make browser` installs it",
)


def _paid(client: Client, employer: Employer, amount: str, capture: object) -> Receipt:
    _post_dues(employer)
    page = _start(client, employer, amount)
    _card(client, page, CARD_OK, capture)
    for delivery in sandbox.take_outbox():
        assert deliver(client, delivery)[0] == 200
    return Receipt.objects.get()


def _url(employer: Employer, number: str, lang: str = "fr") -> str:
    url = reverse("payments:receipt_pdf", kwargs={"employer_id": employer.pk, "number": number})
    return url.replace("/fr/", f"/{lang}/")


def _text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), str(tmp_path / "r.txt")],
                   check=True)  # fmt: skip
    return (tmp_path / "r.txt").read_text()


def test_the_receipt_page_links_to_its_pdf_in_each_language(
    client_a: Client, employer: Employer, django_capture_on_commit_callbacks: object
) -> None:
    receipt = _paid(client_a, employer, "7000.00", django_capture_on_commit_callbacks)
    page = client_a.get(
        reverse("payments:receipt", kwargs={"employer_id": employer.pk, "number": receipt.number})
    ).content.decode()
    assert f'href="{_url(employer, receipt.number)}"' in page
    for lang in ("fr", "ar", "en"):
        pdf = client_a.get(_url(employer, receipt.number, lang))
        assert pdf.status_code == 200, lang
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"] == f'inline; filename="{receipt.number}.pdf"'
        assert pdf.content.startswith(b"%PDF")


@needs_poppler
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Quittance de paiement", "Numéro de reçu", "7 000,00", "Solde après ce paiement"]),
        ("en", ["Payment receipt", "Receipt number", "7,000.00", "Balance after this payment"]),
    ],
)
def test_the_pdf_says_what_the_payment_settled(
    client_a: Client,
    employer: Employer,
    django_capture_on_commit_callbacks: object,
    tmp_path: Path,
    lang: str,
    words: list[str],
) -> None:
    receipt = _paid(client_a, employer, "7000.00", django_capture_on_commit_callbacks)
    text = _text(client_a.get(_url(employer, receipt.number, lang)).content, tmp_path)
    for word in [*words, receipt.number, employer.affiliate_number, "SANDBOX", "2025-12", "4242"]:
        assert word in text, (word, text)
    # 7,000.00 settled the oldest dues first: 6,000.00 of retirement, then 1,000.00 of the
    # other branch of 2025-12; nothing of 2026-01; 8,000.00 is still owed.
    assert ("6 000,00" if lang == "fr" else "6,000.00") in text
    assert "2026-01" not in text
    assert ("8 000,00" if lang == "fr" else "8,000.00") in text


@needs_poppler
def test_the_arabic_pdf_is_shaped_and_set_right_to_left(
    client_a: Client,
    employer: Employer,
    django_capture_on_commit_callbacks: object,
    tmp_path: Path,
) -> None:
    from PIL import Image

    receipt = _paid(client_a, employer, "7000.00", django_capture_on_commit_callbacks)
    pdf = client_a.get(_url(employer, receipt.number, "ar")).content
    text = _text(pdf, tmp_path)
    assert "وصل الدفع" in text, text
    assert receipt.number in text and "SANDBOX" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / "r.pdf"),
                    str(tmp_path / "r")], check=True)  # fmt: skip
    image = Image.open(next(tmp_path.glob("r*.png"))).convert("L")
    width, height = image.size
    top = image.crop((0, 0, width, height // 10))  # down to the title, above the SANDBOX box
    ink = [x for x in range(width) for y in range(top.size[1]) if top.getpixel((x, y)) < 128]
    # The fund header and the title are set right-aligned: their ink is in the right half.
    assert ink and min(ink) > width // 2


def test_another_employer_gets_404(
    client_a: Client,
    employer: Employer,
    other_employer: Employer,
    django_capture_on_commit_callbacks: object,
) -> None:
    receipt = _paid(client_a, employer, "100.00", django_capture_on_commit_callbacks)
    intruder = Client()
    intruder.force_login(member(other_employer, "b@other.example"))
    assert intruder.get(_url(employer, receipt.number)).status_code == 404
    assert intruder.get(_url(other_employer, receipt.number)).status_code == 404
    assert client_a.get(_url(employer, "PAY-1999-000001")).status_code == 404


def test_the_pdf_runs_a_fixed_number_of_queries(
    client_a: Client,
    employer: Employer,
    django_capture_on_commit_callbacks: object,
    django_assert_max_num_queries: object,
) -> None:
    receipt = _paid(client_a, employer, "7000.00", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert client_a.get(_url(employer, receipt.number)).status_code == 200
