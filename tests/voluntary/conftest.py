"""Fixtures of the voluntary membership tests: the fund, a handling agency, documents stored in a
temporary directory, the sandbox gateway keeping its callbacks for the test to deliver, and
sign-up forms and files built in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.payments import sandbox
from tadamun.registry.models import Agency
from tests.registry.factories import agency_for

PASSWORD = "Diaspora-quarters-2026!"
NIN = "109870123456789012"
CONSULAR = "PAR-2019-0042"
SANDBOX_SECRET = "test-sandbox-secret-0123456789"


@pytest.fixture(autouse=True)
def _voluntary(settings: SettingsWrapper, tmp_path: Path) -> Iterator[None]:
    settings.TADAMUN_FUND = "dz-cnas"
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"
    settings.TADAMUN_JOBS = "inline"  # e-mails sent in the committing thread, before asserts
    settings.TADAMUN_SANDBOX_GATEWAY_SECRET = SANDBOX_SECRET
    settings.TADAMUN_SANDBOX_DELIVERY = "outbox"
    settings.TADAMUN_SANDBOX_DELAY_SECONDS = 0
    settings.TADAMUN_SANDBOX_DUPLICATES = 0
    sandbox.take_outbox()
    yield
    sandbox.take_outbox()


@pytest.fixture
def document_dir(settings: SettingsWrapper) -> Path:
    return Path(settings.TADAMUN_DOCUMENT_DIR)


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas", code="0100")


def text_pdf(*lines: str) -> bytes:
    """A PDF with a real text layer, as a consulate's or an employer's PDF has (written by hand:
    no automatic action, which the document checks refuse)."""
    text = (
        b"BT /F1 12 Tf 72 760 Td 14 TL "
        + b" ".join(
            b"(" + line.encode("latin-1").replace(b"(", b"[").replace(b")", b"]") + b") '"
            for line in lines
        )
        + b" ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj " % number + body + b" endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def card_pdf(number: str = CONSULAR) -> SimpleUploadedFile:
    data = text_pdf("Consulat general d'Algerie a Paris", f"Carte consulaire No {number}")
    return SimpleUploadedFile("carte.pdf", data, content_type="application/pdf")


def proof_pdf(surname: str = "Haddad") -> SimpleUploadedFile:
    data = text_pdf("Bulletin de paie - octobre 2026", f"Salarie : {surname.upper()} Karim")
    return SimpleUploadedFile("bulletin.pdf", data, content_type="application/pdf")


def values(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "surname_latin": "Haddad",
        "first_names_latin": "Karim",
        "surname_arabic": "حداد",
        "first_names_arabic": "كريم",
        "birth_date": "1988-06-15",
        "sex": "M",
        "national_id": NIN,
        "previous_ssn": "",
        "nationality": "DZ",
        "country": "FR",
        "city": "Paris",
        "consulate": "FR-PARIS",
        "consular_number": CONSULAR,
        "activity": "salaried",
        "email": "karim.haddad@example.org",
        "language": "fr",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    fields.update(overrides)
    return fields


def make_member(
    capture: Any,
    *,
    today: Any = None,
    totp: bool = True,
    **overrides: Any,
) -> Any:
    """An immatriculated member (through the sign-up service), with a confirmed second factor."""
    import datetime as dt

    import pyotp
    from django.utils import timezone

    from tadamun.voluntary import services
    from tadamun.voluntary.models import Membership

    surname = overrides.get("surname_latin", "Haddad")
    with capture(execute=True):
        outcome = services.membership_signup(
            values=values(**overrides),
            consular_card=card_pdf(overrides.get("consular_number", CONSULAR)),
            activity_proof=proof_pdf(surname),
            today=today or dt.date(2026, 11, 23),
        )
    assert outcome.immatriculated
    user = outcome.user
    if totp:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = timezone.now()
        user.save()
    return Membership.objects.select_related("user", "account", "insured").get(
        pk=outcome.membership.pk
    )
