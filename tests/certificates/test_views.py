"""The pages: requesting, reading, downloading, verifying — each only for its own subject, every
bad input answered with its reason, and the PDF in Arabic set right to left."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tadamun.certificates import keys
from tadamun.certificates.models import Certificate
from tadamun.cli import main as tadamun_main
from tests.certificates.conftest import World, client_for, declare
from tests.certificates.test_signing import _payload, _repack

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed: `make browser` installs it",
)


def _request(client: Client, lang: str = "en", **data: str) -> tuple[int, str]:
    response = client.post(f"/{lang}/certificates/request/", data)
    return response.status_code, (
        response["Location"] if response.status_code == 302 else response.content.decode()
    )


def _issued(world: World, kind: str = "affiliation") -> Certificate:
    status, location = _request(client_for(world.person_user), kind=kind)
    assert status == 302, location
    return Certificate.objects.get(number=location.rstrip("/").rsplit("/", 1)[-1])


def test_a_person_requests_a_certificate_and_reads_it(world: World) -> None:
    client = client_for(world.person_user)
    page = client.get("/fr/certificates/").content.decode()
    assert 'id="request-affiliation"' in page and 'id="request-employer"' not in page
    certificate = _issued(world)
    page = client.get(f"/fr/certificates/{certificate.number}/").content.decode()
    assert certificate.number in page
    assert "est affilié(e)" in page and world.person.ssn not in page
    assert "<svg" in page  # the QR code, inline
    assert f"/ar/certificates/{certificate.number}/certificate.pdf" in page


def test_no_one_else_sees_a_certificate_by_any_route(world: World) -> None:
    certificate = _issued(world)
    for intruder in (world.other_person_user, world.owner):
        client = client_for(intruder)
        for url in (
            f"/en/certificates/{certificate.number}/",
            f"/en/certificates/{certificate.number}/certificate.pdf",
        ):
            assert client.get(url).status_code == 404, (intruder, url)
        assert certificate.number not in client.get("/en/certificates/").content.decode()
    anonymous = Client().get(f"/en/certificates/{certificate.number}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_employer_asks_for_its_own_certificate_only(world: World) -> None:
    client = client_for(world.owner)
    status, _location = _request(
        client, kind="employer_up_to_date", employer=str(world.employer.pk)
    )
    assert status == 302
    status, page = _request(client, kind="employer_up_to_date", employer="999999")
    assert status == 400 and 'data-field="employer"' in page
    # A person has no employer to certify.
    status, page = _request(
        client_for(world.person_user), kind="employer_up_to_date", employer=str(world.employer.pk)
    )
    assert status == 400 and 'data-field="employer"' in page


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"kind": "wages", "year": "abc"}, "year", "une année entre 1950"),
        ({"kind": "wages", "year": ""}, "year", "une année entre 1950"),
        ({"kind": "wages", "year": "99999999999"}, "year", "une année entre 1950"),
        ({"kind": "wages", "year": "2019"}, "year", "aucun salaire"),
        ({"kind": "pension"}, "kind", "existe pas"),
        ({}, "kind", "existe pas"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(
    world: World, data: dict[str, str], field: str, text: str
) -> None:
    status, page = _request(client_for(world.person_user), "fr", **data)
    assert status == 400
    assert f'data-field="{field}"' in page and text in page
    assert not Certificate.objects.exists()


def test_someone_without_a_subject_gets_404(world: World, django_user_model: type) -> None:
    nobody = django_user_model.objects.create_user(email="n@example.ma", password="x-Long-1-abc")
    client = client_for(nobody)
    assert client.get("/en/certificates/").status_code == 404
    assert _request(client, kind="affiliation")[0] == 404


def test_the_verification_page_for_each_outcome(world: World) -> None:
    certificate = _issued(world)
    public = Client()
    page = public.get(f"/fr/certificates/verify/?c={certificate.token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-outcome="valid"' in html and certificate.number in html
    assert "est affilié(e)" in html
    statement = _payload(certificate.token)
    statement["exp"] = "2099-12-31"  # a longer validity, under the same signature
    for token, outcome in (
        (_repack(certificate.token, statement), "forged"),
        ("not a certificate", "malformed"),
        ("TDM1.e30.AAAA", "unknown_key"),
    ):
        response = public.post("/ar/certificates/verify/", {"token": token})
        assert response.status_code == 400, outcome
        body = response.content.decode()
        assert f'data-outcome="{outcome}"' in body and 'id="signed-statement"' not in body
    empty = public.post("/en/certificates/verify/", {"token": "  "})
    assert empty.status_code == 400 and 'data-outcome="empty"' in empty.content.decode()


def test_revoked_certificates_say_why_in_the_readers_language(world: World) -> None:
    first = declare(world, "5000.00")
    client = client_for(world.person_user)
    status, _location = _request(client, kind="wages", year="2026")
    assert status == 302
    certificate = Certificate.objects.get()
    declare(world, "5100.00", replaces=first)
    page = Client().get(f"/ar/certificates/verify/?c={certificate.token}").content.decode()
    assert 'data-outcome="revoked"' in page and "تغيّرت تصريحات تلك السنة" in page
    detail = client.get(f"/fr/certificates/{certificate.number}/").content.decode()
    assert 'id="revoked"' in detail and "ont changé" in detail


def test_the_public_key_verifies_offline_with_the_cli(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = _issued(world)
    pem = Client().get("/en/certificates/public-key.pem")
    assert pem.status_code == 200 and b"BEGIN PUBLIC KEY" in pem.content
    assert keys.current_key_id() in pem["Content-Disposition"]
    key_file = tmp_path / "fund.pem"
    key_file.write_bytes(pem.content)
    url = f"https://fund.example/fr/certificates/verify/?c={certificate.token}"
    assert tadamun_main(["certificates", "verify", url, "--public-key", str(key_file)]) == 0
    assert certificate.number in capsys.readouterr().out
    tampered = certificate.token.replace(".", ".x", 1)
    assert tadamun_main(["certificates", "verify", tampered, "--public-key", str(key_file)]) == 1
    assert "NOT VALID" in capsys.readouterr().out
    bad_key = tmp_path / "bad.pem"
    bad_key.write_text("nothing")
    assert tadamun_main(["certificates", "verify", url, "--public-key", str(bad_key)]) == 2


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftotext", "-layout", str(tmp_path / "c.pdf"), str(tmp_path / "c.txt")],
                   check=True)  # fmt: skip
    return (tmp_path / "c.txt").read_text()


@needs_poppler
def test_the_pdf_in_french_and_in_arabic_right_to_left(world: World, tmp_path: Path) -> None:
    from PIL import Image

    certificate = _issued(world)
    client = client_for(world.person_user)
    french = client.get(
        reverse("certificates:pdf", args=[certificate.number]).replace("/en/", "/fr/")
    )
    assert french["Content-Type"] == "application/pdf"
    text = _pdf_text(french.content, tmp_path)
    assert "Attestation d'affiliation" in text and certificate.number in text
    arabic = client.get(f"/ar/certificates/{certificate.number}/certificate.pdf").content
    text = _pdf_text(arabic, tmp_path)
    # Extracted in logical order, so shaped and not reversed (pdftotext splits the lam-alef
    # ligature of "الانتساب", so the title is matched on its other word).
    assert "شهادة" in text and "يشهد الصندوق" in text, text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"),
                    str(tmp_path / "c")], check=True)  # fmt: skip
    image = Image.open(next(tmp_path.glob("c*.png"))).convert("L")
    width, height = image.size
    top = image.crop((0, 0, width, height // 10))
    ink = [x for x in range(width) for y in range(top.size[1]) if top.getpixel((x, y)) < 128]
    assert ink and min(ink) > width // 2  # the header and the title are set right-aligned
    # The QR code sits on the right in Arabic: a dark square block in the right half.
    middle = image.crop((0, height // 3, width, int(height * 0.8)))
    dark = [x for x in range(middle.size[0]) for y in range(0, middle.size[1], 2)
            if middle.getpixel((x, y)) < 64]  # fmt: skip
    assert dark and sum(dark) / len(dark) > width / 2
