"""The insured person's journey in a real browser, in French: open an account with the insured
number, birth date and an e-mail; read the code from the e-mail (a real SMTP server on
loopback); choose a password; sign in and enrol the second factor; see the career statement,
the contributions and the rights. No console error, no CSP violation."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Iterator

import pyotp
import pytest
from django.db import connection
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.insured import services as insured_services
from tadamun.registry.models import InsuredPerson
from tests.browser.conftest import Console
from tests.insured.factories import declare, make_person
from tests.registry.factories import agency_for, employer_for
from tests.support.mail import Mailbox

PASSWORD = "Insured-journey-2026!"


def _months(count: int) -> list[str]:
    year, month = dt.date.today().year, dt.date.today().month
    labels = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        labels.append(f"{year:04d}-{month:02d}")
    return labels[::-1]


@pytest.fixture
def insured(site: str, settings: SettingsWrapper) -> Iterator[InsuredPerson]:
    settings.TADAMUN_REDIS_URL = ""
    # The code's e-mail is sent in the request's own thread once it commits (SQLite's shared
    # in-memory test database answers a second writer thread with "table is locked").
    settings.TADAMUN_JOBS = "inline"
    agency = agency_for("dz-cnas")
    employer = employer_for(agency, serial=7, declaration_periodicity="monthly")
    person = make_person(21, first_names_latin="Amina")
    declare(employer, [person], _months(6))
    insured_services.family_member_add(
        insured=person,
        relation="child",
        surname_latin="Benali",
        first_names_latin="Yacine",
        birth_date=dt.date(2015, 3, 1),
    )
    yield person
    _empty_the_ledger_for_the_flush()


def _empty_the_ledger_for_the_flush() -> None:
    """SQLite: the ledger's append-only DELETE trigger would refuse the flush after the test
    (as in test_journey.py)."""
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("tadamun.ledger.migrations.0002_append_only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
        cursor.execute("DELETE FROM ledger_entry")
        for statement in migration.SQLITE_UP:
            if "ledger_entry_no_delete" in statement:
                cursor.execute(statement)
        cursor.execute("PRAGMA foreign_keys = ON")


def test_register_then_see_career_and_rights(
    site: str, page: Page, console: Console, insured: InsuredPerson, mailbox: Mailbox
) -> None:
    page.goto(f"{site}/fr/insured/register/")
    page.locator("#number").fill(insured.ssn)
    page.locator("#birth_date").fill(insured.birth_date.isoformat())
    page.locator("#email").fill("amina@journey.example")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/fr/insured/register/code/$"))
    expect(page.locator("main")).to_contain_text("un code a été envoyé")

    assert len(mailbox.wait_for(1)) == 1
    found = re.search(r"\b(\d{6})\b", Mailbox.body(mailbox.messages[0]))
    assert found is not None
    page.locator("#code").fill(found.group(1))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/fr/insured/register/password/$"))

    page.locator("#password").fill(PASSWORD)
    page.locator("#password_again").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Votre compte est ouvert")
    page.locator("main a.button").click()

    page.locator("#email").fill("amina@journey.example")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/enrol/$"))
    secret = page.locator("code.secret").inner_text().strip()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.locator("main a.button").click()  # past the recovery codes

    page.wait_for_url(re.compile(rf"/fr/insured/{insured.pk}/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Relevé de carrière")
    expect(main).to_contain_text("Atlas Industries")
    expect(page.locator("table.career tbody tr")).to_have_count(6)
    expect(page.locator("table.contributions tbody tr")).to_have_count(6)
    expect(page.locator("p.rights")).to_contain_text("Couvert")
    expect(main).to_contain_text("Yacine")
    assert insured.ssn not in main.inner_text()
    assert console.errors == [] and console.csp_violations == []
    assert console.failed == []
