"""An insured person asks for a certificate of affiliation in Arabic, downloads it, and a third
party checks it by following its QR code's address; an altered code is refused."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tadamun.accounts.models import User
from tadamun.registry import services
from tests.browser.conftest import Console
from tests.registry.factories import agency_for, employer_for, person_fields

PASSWORD = "Certified-and-signed-42"


@pytest.fixture
def person(site: str) -> tuple[User, str]:
    agency = agency_for("dz-cnas")
    employer = employer_for(agency, serial=9)
    insured = services.insured_person_create(**person_fields("dz-cnas", 41))
    services.employment_create(employer=employer, insured=insured, start_date=dt.date(2021, 3, 1))
    user = User.objects.create_user(email="amina@cert.example", password=PASSWORD, insured=insured)
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save()
    return user, user.totp_secret


def test_request_download_and_verify_a_certificate(
    site: str, page: Page, browser: Browser, console: Console, person: tuple[User, str]
) -> None:
    user, secret = person
    page.goto(f"{site}/ar/accounts/login/?next=/ar/certificates/")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ar/certificates/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#request-affiliation").click()
    page.wait_for_url(re.compile(r"/ar/certificates/CERT-\d{4}-\d{6}/$"))
    number = page.locator("#certificate-number").inner_text()
    expect(page.locator("#statement")).to_contain_text("يشهد الصندوق")
    expect(page.locator("figure.qr svg")).to_be_visible()
    pdf = page.request.get(site + (page.locator("#pdf-ar").get_attribute("href") or ""))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    verify_url = page.locator("#verify-link").get_attribute("href") or ""
    assert verify_url.startswith(site)

    # A bank officer, not signed in, follows the QR code's address.
    context = browser.new_context(locale="fr-FR")
    officer = context.new_page()
    officer.on("console", console.record)
    officer.goto(verify_url)
    expect(officer.locator("#outcome")).to_have_attribute("data-outcome", "valid")
    expect(officer.locator("#signed-number")).to_have_text(number)
    # The same code with one letter of the signature changed.
    tampered = verify_url[:-3] + ("AAA" if not verify_url.endswith("AAA") else "BBB")
    officer.goto(tampered)
    expect(officer.locator("#outcome")).to_have_attribute("data-outcome", "forged")
    expect(officer.locator("#signed-statement")).to_have_count(0)
    context.close()
    assert console.csp_violations == []
