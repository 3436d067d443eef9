"""A national living abroad, in a real browser, in Arabic and in French: sign up with both
documents, pass the automatic checks, get immatriculated with no agency visit (the e-mail arrives
over real SMTP with the numbers masked), set up the second factor, see the full number in the
signed-in space, choose the current quarter and a back-payment, pay them through the SANDBOX card
gateway, open the receipt, and see the coverage status."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.voluntary.models import Membership
from tadamun.voluntary.quarters import quarter_of
from tests.browser.conftest import Console, screenshot_colours, screenshot_dir
from tests.browser.test_journey import _empty_the_ledger_for_the_flush
from tests.registry.factories import agency_for
from tests.voluntary.conftest import CONSULAR, PASSWORD, text_pdf

NIN = {"ar": "109870123456789012", "fr": "209870123456789012"}
PEOPLE = {
    "ar": ("Bensalem", "Nadia", "بن سالم", "نادية", "F"),
    "fr": ("Haddad", "Karim", "حداد", "كريم", "M"),
}


@pytest.fixture
def abroad(site: str, settings: SettingsWrapper, tmp_path: Any, mailbox: Any) -> Iterator[Any]:
    agency_for("dz-cnas", code="0100")
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"
    # E-mails are sent in the request's own thread once it commits (SQLite's shared in-memory
    # test database answers a second writer thread with "table is locked").
    settings.TADAMUN_JOBS = "inline"
    settings.TADAMUN_SANDBOX_DELIVERY = "thread"
    settings.TADAMUN_SANDBOX_DELAY_SECONDS = 1
    yield mailbox
    _empty_the_ledger_for_the_flush()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_sign_up_immatriculation_quarters_payment_and_cover(
    site: str, page: Page, browser: Browser, console: Console, abroad: Any, language: str
) -> None:
    mailbox = abroad
    surname, first, surname_ar, first_ar, sex = PEOPLE[language]
    email = f"{first.lower()}.{surname.lower()}@example.org"

    # 1. the public page, then the sign-up form
    page.goto(f"{site}/{language}/abroad/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.locator("#join-link").click()
    page.wait_for_url(re.compile(r"/abroad/join/$"))
    page.locator("#surname_latin").fill(surname)
    page.locator("#first_names_latin").fill(first)
    page.locator("#surname_arabic").fill(surname_ar)
    page.locator("#first_names_arabic").fill(first_ar)
    page.locator("#birth_date").fill("1986-03-02")
    page.locator("#sex").select_option(sex)
    page.locator("#national_id").fill(NIN[language])
    page.locator("#nationality").select_option("DZ")
    page.locator("#country").select_option("FR")
    page.locator("#city").fill("Lyon")
    page.locator("#consulate").select_option("FR-LYON")
    page.locator("#consular_number").fill(CONSULAR)
    page.locator("#activity").select_option("self_employed")
    page.locator("#consular_card").set_input_files(
        {
            "name": "carte-consulaire.pdf",
            "mimeType": "application/pdf",
            "buffer": text_pdf("Consulat general d'Algerie a Lyon", f"No {CONSULAR}"),
        }
    )
    page.locator("#activity_proof").set_input_files(
        {
            "name": "attestation.pdf",
            "mimeType": "application/pdf",
            "buffer": text_pdf("Attestation d'activite", f"{surname.upper()} {first}"),
        }
    )
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_again").fill(PASSWORD)
    page.locator("#join-submit").click()

    # 2. every eligibility check passed, immatriculated with no agency visit
    expect(page.locator("#checks li.ok")).to_have_count(5)
    expect(page.locator("#checks li.ko")).to_have_count(0)
    membership = Membership.objects.select_related("insured", "account").get(
        national_id=NIN[language]
    )
    assert membership.status == "active" and membership.insured is not None
    ssn = membership.insured.ssn
    assert ssn not in page.content()
    png = page.screenshot(path=screenshot_dir() / f"abroad-{language}-joined.png")
    assert screenshot_colours(browser, png) > 8

    # 3. the e-mail, over SMTP, in the member's language, with the numbers masked
    [message] = mailbox.messages
    assert mailbox.recipients == [[email]]
    body = mailbox.body(message)
    assert ssn not in body and ssn[-3:] in body and PASSWORD not in body
    if language == "ar":
        assert "تم تسجيلك" in str(message["Subject"])
    else:
        assert "immatriculé" in str(message["Subject"])

    # 4. the second factor, through the accounts app's enrolment
    page.locator("#enrol-link").click()
    page.wait_for_url(re.compile(r"/accounts/login/enrol/$"))
    secret = page.locator("code.secret").inner_text().strip()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.locator("main a.button").click()  # after the recovery codes: on to the space
    page.wait_for_url(re.compile(r"/abroad/me/$"))
    expect(page.locator("#full-ssn")).to_have_text(ssn)  # in full, only here

    # 5. choose the current quarter and a back-payment, see both readings, pay by card
    page.locator("#declare-link").click()
    page.wait_for_url(re.compile(r"/abroad/me/quarters/$"))
    current = quarter_of(timezone.localdate()).label
    page.locator("#monthly_base").fill("72000")
    page.locator(f"input[name=quarters][value='{current}']").check()
    back = page.locator(".quarter-list li:has(.tag-back) input[name=quarters]").first
    back_quarter = back.get_attribute("value")
    back.check()
    page.locator("#review-button").click()
    expect(page.locator("#quote tbody tr")).to_have_count(2)
    expect(page.locator("#quote-total")).to_contain_text("135")
    png = page.screenshot(path=screenshot_dir() / f"abroad-{language}-quote.png", full_page=True)
    assert screenshot_colours(browser, png) > 8
    page.locator("#pay-button").click()
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    page.locator("#card_number").fill("4242 4242 4242 4242")
    if not page.locator("#expiry").input_value():
        page.locator("#expiry").fill("12/39")
    page.locator("#cvc").fill("123")
    page.locator("main form button[type=submit]").click()

    # 6. back from the gateway: refreshed until the signed callback is applied; the receipt
    page.wait_for_url(re.compile(r"/abroad/me/paid/"))
    expect(page.locator("#receipt-link")).to_have_count(1, timeout=15_000)
    page.locator("#receipt-link").click()
    page.wait_for_url(re.compile(r"/payments/receipts/"))
    expect(page.locator("#receipt-number")).not_to_be_empty()

    # 7. the coverage status: covered now, both quarters paid
    page.goto(f"{site}/{language}/abroad/me/coverage/")
    expect(page.locator(f"#quarters-table tr[data-quarter='{current}'] .tag-paid")).to_have_count(1)
    expect(
        page.locator(f"#quarters-table tr[data-quarter='{back_quarter}'] .tag-paid")
    ).to_have_count(1)
    covered = page.locator("#covered").inner_text()
    assert ("مغطى" in covered) if language == "ar" else ("Couvert" in covered)
    png = page.screenshot(path=screenshot_dir() / f"abroad-{language}-coverage.png", full_page=True)
    assert screenshot_colours(browser, png) > 8
    assert console.csp_violations == []
    assert console.failed == []
