"""On a phone (375 px wide) in Arabic, the employer's pages never get wider than the screen: wide
tables (the declaration form's lines, the account's schedule and history) scroll sideways inside
their ``.table-scroll`` wrapper instead. The portal's icon is served (no 404 in the console)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page

from tadamun.funds import Period, get_fund
from tadamun.ledger import services as ledger
from tadamun.registry import services
from tests.browser.conftest import Console
from tests.browser.test_journey import (
    PASSWORD,
    Firm,
    _empty_the_ledger_for_the_flush,
    _sign_in,
    _url,
)
from tests.registry.factories import agency_for, employer_for, person_fields

pytestmark = pytest.mark.usefixtures("transactional_db")

#: The page's width beyond the screen's, and the widest scrolling wrapper's hidden width.
_OVERFLOW = """() => {
  const root = document.documentElement;
  const wrappers = [...document.querySelectorAll(".table-scroll")];
  return {
    page: root.scrollWidth - root.clientWidth,
    body: document.body.scrollWidth - root.clientWidth,
    hidden: Math.max(0, ...wrappers.map((w) => w.scrollWidth - w.clientWidth)),
    wrappers: wrappers.length,
  };
}"""


@pytest.fixture
def small_firm(site: str) -> Iterator[Firm]:
    """An employer of CNAS Algeria with three employees, a year of dues and a payment, and its
    owner with a password and a confirmed TOTP secret."""
    from tadamun.accounts.models import EmployerMembership, Role

    fund = get_fund("dz-cnas")
    employer = employer_for(agency_for(fund.code), serial=8, declaration_periodicity="monthly",
                            name_arabic="شركة الأطلس للصناعات الغذائية والتحويلية")  # fmt: skip
    for serial, name in enumerate(("Amina", "Karim", "Salma"), start=1):
        person = services.insured_person_create(
            **person_fields(fund.code, serial, first_names_latin=name)
        )
        services.employment_create(
            employer=employer, insured=person, start_date=dt.date(2020, 1, 1)
        )
    for month in range(1, 13):
        ledger.ledger_post_dues(employer=employer, source=f"declaration:{month}",
                                period_label=f"2025-{month:02d}",
                                due_date=dt.date(2026, 1, 1) + dt.timedelta(days=30 * month),
                                currency="DZD",
                                amounts={"retirement": 1_234_567_89, "social_insurance": 98_765_43})  # fmt: skip
    ledger.ledger_post_payment(employer=employer, source="payment:PHONE-1",
                               amount=2_000_000_00, currency="DZD")  # fmt: skip
    email = "owner@phone.example"
    user = get_user_model().objects.create_user(email=email, password=PASSWORD)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.save()
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    period = Period.containing(timezone.localdate(), fund.default_periodicity).previous()
    yield Firm(employer=employer, email=email, totp_secret=secret, period=period)
    _empty_the_ledger_for_the_flush()


def test_declaration_form_and_account_fit_a_phone_in_arabic(
    site: str, phone: Page, console: Console, small_firm: Firm
) -> None:
    employer_id = small_firm.employer.pk
    declare = _url(site, "ar", "declarations:declare", employer_id=employer_id,
                   period_label=str(small_firm.period))  # fmt: skip
    _sign_in(phone, site, "ar", small_firm, declare.removeprefix(site))
    pages = {
        "declaration form": declare,
        "declarations": _url(site, "ar", "declarations:periods", employer_id=employer_id),
        "account": _url(site, "ar", "ledger:account", employer_id=employer_id),
    }
    for name, url in pages.items():
        phone.goto(url)
        assert phone.locator("html").get_attribute("dir") == "rtl"
        overflow = phone.evaluate(_OVERFLOW)
        assert overflow["page"] <= 0 and overflow["body"] <= 0, (name, overflow)
        if name != "declarations":
            # The wide tables are there, and they scroll inside their wrapper.
            assert overflow["wrappers"] >= 1 and overflow["hidden"] > 0, (name, overflow)
    icon = phone.locator("link[rel=icon]").get_attribute("href")
    assert icon and phone.request.get(site + icon).ok
    assert console.failed == []
    assert console.csp_violations == []
