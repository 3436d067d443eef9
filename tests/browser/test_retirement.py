"""An insured person of CNSS Morocco sees their pension estimate from their record, asks for
their retirement online with their documents, and sees the pension the agency awards."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import StaffProfile, StaffRole, User
from tadamun.benefits.models import RetirementRequest
from tadamun.dossiers import services as dossiers
from tests.benefits.conftest import Person, career_rows, make_person
from tests.benefits.test_services import MA_RIB, pdf_file
from tests.browser.conftest import Console

PASSWORD = "Retiring-at-sixty-2026"


@pytest.fixture
def retiree(site: str, settings: SettingsWrapper) -> Person:
    settings.TADAMUN_FUND = "ma-cnss"
    made = make_person()
    made.user.set_password(PASSWORD)
    made.user.totp_secret = pyotp.random_base32()
    made.user.totp_confirmed_at = timezone.now()
    made.user.save()
    career_rows(made, first=dt.date(2015, 1, 1), months=130)
    return made


def test_estimate_then_request_then_award(
    site: str, page: Page, console: Console, retiree: Person, tmp_path: Path
) -> None:
    page.goto(f"{site}/ar/accounts/login/?next=/ar/benefits/pension/")
    page.locator("#email").fill(retiree.user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    page.locator("#code").fill(pyotp.TOTP(retiree.user.totp_secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ar/benefits/pension/$"))
    expect(page.locator("#estimate")).to_have_attribute("data-outcome", "pension")
    expect(page.locator("#steps li").first).to_be_visible()
    page.locator("#extra_years").fill("2")
    page.locator("#estimate-form button[type=submit]").click()
    expect(page.locator("#estimate")).to_contain_text("24")

    page.goto(f"{site}/ar/benefits/retirement/")
    start = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    page.locator("#start").fill(start.isoformat())
    page.locator("#bank_account").fill(MA_RIB)
    for field in ("identity_document", "bank_proof"):
        path = tmp_path / f"{field}.pdf"
        path.write_bytes(pdf_file().read())
        page.locator(f"#{field}").set_input_files(str(path))
    page.locator("#submit-retirement").click()
    expect(page.locator("#requests tbody tr")).to_have_attribute("data-status", "submitted")

    request = RetirementRequest.objects.get()
    staff = User.objects.create_user(email="agent@cnss.example", password="x-Long-enough-1")
    StaffProfile.objects.create(user=staff, agency=retiree.employer.agency, role=StaffRole.AGENT)
    assert request.dossier is not None
    dossiers.dossier_decide(dossier=request.dossier, staff=staff, approve=True, reason="Complet.")
    page.reload()
    row = page.locator("#requests tbody tr")
    expect(row).to_have_attribute("data-status", "approved")
    expect(row.locator(".awarded")).not_to_be_empty()
    assert console.csp_violations == []
