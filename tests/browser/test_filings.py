"""Declaration files in a real browser: send a Morocco BDS file, watch the progress bar while it
waits on the real Redis broker, see it accepted once processed (the page updates itself through
its static script) and open the receipt; then a file with errors, rejected whole, with its error
report downloaded — in French and in Arabic, under the strict CSP."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
import redis
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role
from tadamun.filings.models import Filing, FilingStatus
from tadamun.filings.services import filing_process
from tadamun.formats import ma_bds
from tadamun.funds import Period
from tadamun.jobs import app
from tadamun.registry import services as registry
from tadamun.registry.models import Employer, InsuredPerson
from tests.browser.conftest import Console
from tests.browser.test_journey import _empty_the_ledger_for_the_flush
from tests.filings.conftest import TEST_BROKER, broker_prefix, forget_broker_keys
from tests.registry.factories import agency_for, employer_for, person_fields

PASSWORD = "Files-for-the-whole-month-9"
BROKER = TEST_BROKER
FUND = "ma-cnss"


@dataclass
class Owner:
    employer: Employer
    people: list[InsuredPerson]
    email: str
    secret: str
    period: Period


@pytest.fixture
def owner(site: str, settings: SettingsWrapper, tmp_path: Path) -> Iterator[Owner]:
    settings.TADAMUN_FUND = FUND
    settings.VAR_DIR = tmp_path / "var"
    employer = employer_for(agency_for(FUND, code="01"), serial=9)
    rows = []
    for serial in range(1, 41):
        fields = person_fields(FUND, serial, surname_latin=f"Nom{chr(64 + serial % 26 + 1)}")
        fields.pop("fund")
        rows.append(registry.NewInsuredPerson(**fields))
    people = registry.insured_person_bulk_create(people=rows, fund=FUND)
    registry.employment_bulk_create(
        employer=employer, hires=[registry.NewEmployment(p, dt.date(2020, 1, 1)) for p in people]
    )
    email = "owner@files.example"
    user = get_user_model().objects.create_user(email=email, password=PASSWORD)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.save()
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    period = Period.containing(timezone.localdate(), "monthly").previous()
    yield Owner(employer, people, email, secret, period)
    _empty_the_ledger_for_the_flush()


@pytest.fixture
def queued_on_redis(settings: SettingsWrapper) -> Iterator[None]:
    """Jobs go to the real Redis broker, where no worker listens: a filing stays queued until
    the test processes it, as a worker would."""
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {BROKER}: {exc}")
    prefix = broker_prefix()
    forget_broker_keys(client, prefix)
    settings.TADAMUN_BROKER_URL = BROKER
    app.conf.broker_url = BROKER
    app.conf.broker_transport_options = {"global_keyprefix": prefix}
    yield
    app.close()
    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}
    forget_broker_keys(client, prefix)


def _url(site: str, language: str, name: str, **kwargs: object) -> str:
    with translation.override(language):
        return site + reverse(name, kwargs=kwargs or None)


def _sign_in(page: Page, site: str, language: str, owner: Owner, next_url: str) -> None:
    page.goto(_url(site, language, "accounts:login") + f"?next={next_url}")
    page.locator("#email").fill(owner.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    page.locator("#code").fill(pyotp.TOTP(owner.secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def _file(owner: Owner, tmp_path: Path, *, days: int = 26) -> Path:
    month = f"{owner.period.start.year:04d}{owner.period.start.month:02d}"
    head = ma_bds.Employer(affiliate_number=owner.employer.affiliate_number, period=month)
    declared = [
        ma_bds.DeclaredEmployee(
            insured_number=p.ssn,
            surname="NOM",
            first_names="PRENOM",
            days=days,
            actual_salary=450_000,
        )
        for p in owner.people
    ]
    path = tmp_path / f"DS_{owner.employer.affiliate_number}_{month}.txt"
    path.write_bytes(b"".join(ma_bds.write_declaration(head, declared)))
    return path


def _send(page: Page, owner: Owner, path: Path) -> None:
    page.locator("#id_fmt").select_option("ma-bds")
    page.locator("#id_period").select_option(owner.period.label)
    page.locator("#id_file").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/files/\d+/(\?.*)?$"))


def test_upload_progress_accepted_and_receipt(
    site: str, page: Page, console: Console, owner: Owner, queued_on_redis: None, tmp_path: Path
) -> None:
    upload = _url(site, "fr", "filings:upload", employer_id=owner.employer.pk)
    _sign_in(page, site, "fr", owner, upload.removeprefix(site))
    _send(page, owner, _file(owner, tmp_path))
    filing = Filing.objects.get()
    assert filing.status == FilingStatus.QUEUED
    # queued: the progress bar and its counter, updated by the page's own script
    expect(page.locator("progress#filing-bar")).to_be_visible()
    expect(page.locator("#filing-total")).to_have_text(str(40 + 6))
    filing_process(filing_id=filing.pk)  # what a worker does when it takes the message
    receipt = page.locator("#receipt-link")
    expect(receipt).to_be_visible(timeout=15_000)  # the script saw "done" and reloaded
    expect(page.locator("table.branches tbody tr").first).to_be_visible()
    receipt.click()
    page.wait_for_url(re.compile(r"/declarations/\d+/$"))
    expect(page.locator("main")).to_contain_text("DEC-MA-CNSS-")
    assert console.csp_violations == [] and console.errors == [], console.messages


def test_rejected_file_and_its_error_report(
    site: str,
    page: Page,
    console: Console,
    owner: Owner,
    settings: SettingsWrapper,
    tmp_path: Path,
) -> None:
    settings.TADAMUN_JOBS = "inline"  # processed within the upload request
    upload = _url(site, "ar", "filings:upload", employer_id=owner.employer.pk)
    _sign_in(page, site, "ar", owner, upload.removeprefix(site))
    assert page.locator("html").get_attribute("dir") == "rtl"
    _send(page, owner, _file(owner, tmp_path, days=27))
    expect(page.locator("table.filing-problems tbody tr")).to_have_count(40)
    expect(page.locator("main")).to_contain_text("27")
    with page.expect_download() as caught:
        page.locator("#report-link").click()
    report = Path(caught.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "السطر,الحقل,الرمز,الرسالة"
    assert len(report) == 41 and all(",days,too_many_days," in row for row in report[1:])
    assert console.csp_violations == [] and console.errors == [], console.messages
