"""Affiliation journeys in a real browser.

* An employer's owner immatriculates a new employee through the form and sees the number
  issued with its key.
* A trader (CASNOS) signs up with their documents, enrols the second factor at the first
  sign-in, waits for the agency (an agent decides in the back office), declares the year's
  income, pays through the SANDBOX gateway and sees the statement settled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, StaffRole, User
from tadamun.affiliation.models import (
    AffiliationStatus,
    EmployeeImmatriculation,
    IncomeDeclaration,
    SelfEmployedAffiliation,
)
from tadamun.funds import get_fund
from tadamun.registry.models import Employer
from tests.browser.conftest import Console, screenshot_colours, screenshot_dir
from tests.browser.test_journey import _empty_the_ledger_for_the_flush
from tests.documents.samples import image_bytes, pdf_bytes
from tests.registry.factories import agency_for, employer_for

PASSWORD = "Affiliation-journey-42"


def _url(site: str, language: str, name: str, **kwargs: object) -> str:
    with translation.override(language):
        return site + reverse(name, kwargs=kwargs or None)


def _make_user(email: str) -> tuple[User, str]:
    user = User.objects.create_user(email=email, password=PASSWORD)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.save()
    return user, secret


def _sign_in(page: Page, site: str, language: str, email: str, secret: str, next_url: str) -> None:
    page.goto(_url(site, language, "accounts:login") + f"?next={next_url}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


@pytest.fixture
def employer(site: str) -> tuple[Employer, str]:
    agency = agency_for("dz-cnas")
    firm = employer_for(agency, serial=41)
    user, secret = _make_user("owner@affiliation.example")
    EmployerMembership.objects.create(
        user=user, employer=firm, role=Role.OWNER, granted_at=timezone.now()
    )
    return firm, secret


def test_the_employer_immatriculates_an_employee(
    site: str, page: Page, browser: Browser, console: Console, employer: tuple[Employer, str]
) -> None:
    firm, secret = employer
    start = _url(site, "fr", "affiliation:employees", employer_id=firm.pk)
    _sign_in(page, site, "fr", "owner@affiliation.example", secret, start.removeprefix(site))
    page.locator("#new-request").click()
    page.wait_for_url(re.compile(r"/new/$"))
    page.locator("#surname_latin").fill("Benali")
    page.locator("#first_names_latin").fill("Amina")
    page.locator("#surname_arabic").fill("بن علي")
    page.locator("#first_names_arabic").fill("أمينة")
    page.locator("#birth_date").fill("1990-04-12")
    page.locator("#birth_place").fill("Alger")
    page.locator("#sex").select_option("F")
    page.locator("#national_id").fill("1" + "0" * 16 + "1")
    page.locator("#hire_date").fill(timezone.localdate().isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/affiliation/employers/\d+/\d+/$"))
    done = EmployeeImmatriculation.objects.get()
    assert done.insured is not None
    expect(page.locator("#number")).to_contain_text(done.insured.ssn)
    expect(page.locator("#dossier")).to_have_text(done.dossier.reference if done.dossier else "")
    png = page.screenshot(path=screenshot_dir() / "affiliation-employee-fr.png")
    assert screenshot_colours(browser, png) > 8
    assert not console.csp_violations and not console.errors


@pytest.fixture
def casnos(site: str, settings: SettingsWrapper) -> Iterator[tuple[User, str]]:
    settings.TADAMUN_FUND = "dz-casnos"
    settings.TADAMUN_SANDBOX_DELIVERY = "thread"
    settings.TADAMUN_SANDBOX_DELAY_SECONDS = 1
    agency = agency_for("dz-casnos", "1601")
    agent, secret = _make_user("agent@casnos.example")
    StaffProfile.objects.create(user=agent, agency=agency, role=StaffRole.AGENT)
    yield agent, secret
    _empty_the_ledger_for_the_flush()


def _file(name: str, data: bytes, mime: str) -> dict[str, object]:
    return {"name": name, "mimeType": mime, "buffer": data}


@pytest.mark.parametrize("language", ["ar"])
def test_a_trader_signs_up_is_affiliated_declares_pays_and_sees_the_statement(
    site: str,
    page: Page,
    browser: Browser,
    console: Console,
    casnos: tuple[User, str],
    language: str,
) -> None:
    # 1. sign up with the category's documents
    page.goto(_url(site, language, "affiliation:signup"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    values = {
        "#email": "karim@trader.example",
        "#password": PASSWORD,
        "#password_again": PASSWORD,
        "#surname_latin": "Haddad",
        "#first_names_latin": "Karim",
        "#surname_arabic": "حداد",
        "#first_names_arabic": "كريم",
        "#birth_date": "1985-02-03",
        "#birth_place": "Oran",
        "#national_id": "1" + "0" * 14 + "500",
        "#register_number": "16/00-1234567 B 20",
        "#activity_start": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
    }
    for selector, value in values.items():
        page.locator(selector).fill(value)
    page.locator("#sex").select_option("M")
    page.locator("#category").select_option("trader")
    page.locator("#agency").select_option("1601")
    page.locator("#identity_document").set_input_files(
        _file("cni.png", image_bytes("PNG"), "image/png")  # type: ignore[arg-type]
    )
    page.locator("#commerce_register").set_input_files(
        _file("registre.pdf", pdf_bytes(), "application/pdf")  # type: ignore[arg-type]
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/self-employed/signup/done/$"))

    # 2. first sign-in: password, then the second factor is enrolled
    page.locator("#sign-in").click()
    page.locator("#email").fill("karim@trader.example")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/enrol/$"))
    secret = page.locator("code.secret").inner_text().strip()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.locator("main a.button").click()
    page.wait_for_url(re.compile(r"/affiliation/self-employed/$"))
    affiliation = SelfEmployedAffiliation.objects.get()
    assert affiliation.status == AffiliationStatus.PENDING
    expect(page.locator("#documents li")).to_have_count(2)

    # 3. the agency's agent approves the dossier in the back office
    _agent, agent_secret = casnos
    assert affiliation.dossier is not None
    agency_page = browser.new_context(locale="fr-FR").new_page()
    staff_url = _url(site, "fr", "dossiers:staff_detail", dossier_id=affiliation.dossier.pk)
    _sign_in(
        agency_page, site, "fr", "agent@casnos.example", agent_secret, staff_url.removeprefix(site)
    )
    agency_page.locator("input[name=decision][value=approve]").check()
    agency_page.locator("#reason").fill("Registre du commerce vérifié")
    agency_page.locator("form.decide button[type=submit]").click()
    agency_page.wait_for_load_state()
    agency_page.context.close()
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.AFFILIATED

    # 4. declare the year's income: the base used and why, then the receipt
    page.goto(_url(site, language, "affiliation:income"))
    page.locator("#income").fill("100000")
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#base-used")).to_be_visible()
    expect(page.locator("button[name=action][value=submit]")).to_be_visible()
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(re.compile(r"/self-employed/income/\d{4}/$"))
    expect(page.locator("#receipt-number")).to_contain_text("REV-DZ-CASNOS-")
    # 100,000 DZD is below the minimum base (12 × the SNMG): the minimum base is used.
    declaration = IncomeDeclaration.objects.get()
    assert declaration.base_rule == "floor" and declaration.base > declaration.income
    assert get_fund("dz-casnos").currency.code == declaration.currency

    # 5. pay through the sandbox gateway
    page.locator("#pay").click()
    page.wait_for_url(re.compile(r"/payments/pay/$"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    page.locator("#card_number").fill("4242 4242 4242 4242")
    if not page.locator("#expiry").input_value():
        page.locator("#expiry").fill("12/39")
    page.locator("#cvc").fill("123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    expect(page.locator("a[href*='/payments/receipts/']")).to_have_count(1, timeout=15_000)

    # 6. the statement: declared, due, paid, nothing left
    page.goto(_url(site, language, "affiliation:statement"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    due = page.locator("#due-total").inner_text()
    paid = page.locator("#paid-total").inner_text()
    assert re.search(r"[1-9]", due) and due == paid
    assert not re.search(r"[1-9]", page.locator("#balance").inner_text())
    png = page.screenshot(path=screenshot_dir() / f"affiliation-statement-{language}.png")
    assert screenshot_colours(browser, png) > 8
    assert not console.csp_violations, console.csp_violations
    assert not console.errors, console.errors
