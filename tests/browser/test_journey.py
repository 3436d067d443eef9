"""The employer's whole month in a real browser, in Arabic and in French: sign in with both
factors (the TOTP code computed by pyotp from the account's secret), open the declaration form of
the last period, fill the wages, submit, see the numbered receipt; then pay what is due through
the SANDBOX card gateway, see the payment receipt and the balance back at zero.

Written against the URLs the apps publish (``accounts:login``, ``declarations:periods`` /
``declarations:declare`` / ``declarations:receipt``, ``ledger:account``, ``payments:pay``); it
runs as soon as the declaration pages exist (``tadamun.declarations.views``) and is skipped, with
that reason, until then.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

import tadamun
from tadamun.funds import Period, get_fund
from tadamun.registry import services
from tadamun.registry.models import Employer
from tests.browser.conftest import Console, screenshot_colours, screenshot_dir
from tests.registry.factories import agency_for, employer_for, person_fields

PASSWORD = "Journey-through-the-month-7"
EMPLOYEES = 3
WAGE = "45000.00"

_DECLARATION_PAGES = [
    Path(tadamun.__file__).parent / "declarations" / "templates" / "declarations" / name
    for name in ("form.html", "receipt.html")
]
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tadamun.declarations.views") is None
    or not all(path.exists() for path in _DECLARATION_PAGES),
    reason="the declaration pages (tadamun/declarations/views.py and its form and receipt "
    "templates) are not there yet",
)


@dataclass
class Firm:
    employer: Employer
    email: str
    totp_secret: str
    period: Period


@pytest.fixture
def firm(site: str, settings: SettingsWrapper) -> Iterator[Firm]:
    """An employer of CNAS Algeria with three employees and its owner, who has a password and
    a confirmed TOTP secret (as the demo and the accounts tests create them)."""
    from tadamun.accounts.models import EmployerMembership, Role

    fund = get_fund("dz-cnas")
    agency = agency_for(fund.code)
    employer = employer_for(agency, serial=7, declaration_periodicity="monthly")
    for serial, name in enumerate(("Amina", "Karim", "Salma"), start=1):
        person = services.insured_person_create(
            **person_fields(fund.code, serial, first_names_latin=name)
        )
        services.employment_create(
            employer=employer, insured=person, start_date=dt.date(2020, 1, 1)
        )
    email = "owner@journey.example"
    user = get_user_model().objects.create_user(email=email, password=PASSWORD)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.save()
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    period = Period.containing(timezone.localdate(), fund.default_periodicity).previous()
    # The gateway's signed callback over real HTTP, one second after the card page (the
    # default): the return page is shown first and refreshes itself until it has arrived. (With
    # no delay the callback races the return page, which SQLite's shared in-memory test
    # database answers with "table is locked" instead of waiting.)
    settings.TADAMUN_SANDBOX_DELIVERY = "thread"
    settings.TADAMUN_SANDBOX_DELAY_SECONDS = 1
    yield Firm(employer=employer, email=email, totp_secret=secret, period=period)
    _empty_the_ledger_for_the_flush()


def _empty_the_ledger_for_the_flush() -> None:
    """On SQLite, the ledger's append-only triggers refuse the row DELETEs with which Django
    empties the tables after a transactional test (PostgreSQL empties them with TRUNCATE, which
    the triggers do not see). Lift the DELETE trigger of this test database, empty the table,
    and put the trigger back exactly as the ledger's migration creates it."""
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("tadamun.ledger.migrations.0002_append_only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")  # the flush empties the referring rows
        cursor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
        cursor.execute("DELETE FROM ledger_entry")
        for statement in migration.SQLITE_UP:
            if "ledger_entry_no_delete" in statement:
                cursor.execute(statement)
        cursor.execute("PRAGMA foreign_keys = ON")


def _url(site: str, language: str, name: str, **kwargs: object) -> str:
    with translation.override(language):
        return site + reverse(name, kwargs=kwargs or None)


def _sign_in(page: Page, site: str, language: str, firm: Firm, next_url: str) -> None:
    page.goto(_url(site, language, "accounts:login") + f"?next={next_url}")
    page.locator("#email").fill(firm.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    page.locator("#code").fill(pyotp.TOTP(firm.totp_secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_sign_in_declare_pay_and_see_the_balance(
    site: str, page: Page, browser: Browser, console: Console, firm: Firm, language: str
) -> None:
    employer_id = firm.employer.pk
    declare = _url(
        site,
        language,
        "declarations:declare",
        employer_id=employer_id,
        period_label=str(firm.period),
    )
    path = declare.removeprefix(site)

    # 1. sign in with both factors; the sign-in page sends us on to the declaration form
    _sign_in(page, site, language, firm, path)
    expected_dir = "rtl" if language == "ar" else "ltr"
    assert page.locator("html").get_attribute("dir") == expected_dir

    # 2. the form is pre-filled with the three employees; fill their wages and submit
    wages = page.locator("tr[id^=line-] input[name^=w]")
    expect(wages).to_have_count(EMPLOYEES)
    for i in range(EMPLOYEES):
        wages.nth(i).fill(WAGE)
    # the contributions per branch before submitting, then the submission
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_load_state()
    expect(page.locator("button[name=action][value=submit]")).to_be_visible()
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(re.compile(r"/declarations/\d+/$"))
    png = page.screenshot(path=screenshot_dir() / f"journey-{language}-declaration-receipt.png")
    assert screenshot_colours(browser, png) > 8

    # 3. the contributor account shows what is due; pay it through the sandbox gateway
    page.goto(_url(site, language, "ledger:account", employer_id=employer_id))
    balance_before = page.locator("#balance").inner_text()
    page.locator(f"a[href$='/employers/{employer_id}/payments/pay/']").first.click()
    page.wait_for_url(re.compile(r"/payments/pay/$"))
    page.locator("main form button[type=submit]").click()  # the amount is what is owed
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    page.locator("#card_number").fill("4242 4242 4242 4242")
    if not page.locator("#expiry").input_value():
        page.locator("#expiry").fill("12/39")
    page.locator("#cvc").fill("123")
    page.locator("main form button[type=submit]").click()

    # 4. back from the gateway: the page refreshes by itself until the signed callback has
    # been applied, then links to the payment receipt
    page.wait_for_url(re.compile(r"/payments/return/"))
    receipt_link = page.locator(f"a[href*='/employers/{employer_id}/payments/receipts/']")
    expect(receipt_link).to_have_count(1, timeout=15_000)
    receipt_link.click()
    page.wait_for_url(re.compile(r"/payments/receipts/"))
    expect(page.locator("#receipt-number")).not_to_be_empty()
    png = page.screenshot(path=screenshot_dir() / f"journey-{language}-payment-receipt.png")
    assert screenshot_colours(browser, png) > 8

    # 5. the balance is back at zero
    page.goto(_url(site, language, "ledger:account", employer_id=employer_id))
    balance_after = page.locator("#balance").inner_text()
    assert balance_after != balance_before
    assert not re.search(r"[1-9]", balance_after), f"balance after paying: {balance_after}"
    assert page.locator("html").get_attribute("dir") == expected_dir

    # 6. the dashboard shows the period declared, its receipt, and nothing overdue
    page.goto(_url(site, language, "portal:dashboard", employer_id=employer_id))
    assert not re.search(r"[1-9]", page.locator("#balance").inner_text())
    expect(page.locator("#declarations")).to_contain_text("DEC-")
    png = page.screenshot(
        path=screenshot_dir() / f"journey-{language}-dashboard.png", full_page=True
    )
    assert screenshot_colours(browser, png) > 8
    assert console.csp_violations == []
    assert console.failed == []
