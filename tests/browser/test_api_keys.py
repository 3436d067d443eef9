"""API keys in a real browser: the owner goes from the access page to the key page, creates a
key (shown once), the key opens the API, and revoking it closes it — in Arabic, under the strict
CSP. And the API's documentation page works under the same CSP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pyotp
from django.utils import timezone
from playwright.sync_api import Page, expect

from tadamun.accounts.models import EmployerMembership, Role, User
from tests.browser.conftest import Console
from tests.registry.factories import agency_for, employer_for

PASSWORD = "Keys-for-the-payroll-9"


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_owner_creates_uses_and_revokes_a_key_in_arabic(
    site: str, page: Page, console: Console
) -> None:
    employer = employer_for(agency_for("dz-cnas"))
    secret = pyotp.random_base32()
    owner = User.objects.create_user(email="owner@keys.example", password=PASSWORD)
    owner.totp_secret = secret
    owner.totp_confirmed_at = timezone.now()
    owner.save()
    EmployerMembership.objects.create(
        user=owner, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    access = f"/ar/accounts/employers/{employer.pk}/access/"
    page.goto(f"{site}/ar/accounts/login/?next={access}")
    page.locator("#email").fill(owner.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(re.escape(access) + "$"))

    page.get_by_role("link", name="مفاتيح الواجهة البرمجية لبرنامج الأجور الخاص بك").click()
    expect(page.locator("h1")).to_have_text("مفاتيح الواجهة البرمجية")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("#name").fill("برنامج الأجور")
    page.locator("input[name=scope][value=declare]").check()
    page.get_by_role("button", name="أنشئ المفتاح").click()
    token = page.locator(".new-key code.secret").inner_text().strip()
    assert re.fullmatch(r"tdm_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", token)

    api = f"{site}/api/v1/employers/{employer.pk}"
    assert _status(api, token) == 200
    page.reload()  # the secret is not shown again
    assert token not in page.content()
    page.get_by_role("button", name="إلغاء").click()
    expect(page.locator("tbody tr").first).to_contain_text("ملغى")
    assert _status(api, token) == 401

    assert console.errors == [] and console.csp_violations == []


def test_api_documentation_page_under_the_csp(site: str, page: Page, console: Console) -> None:
    page.goto(f"{site}/api/docs")
    expect(page.locator(".swagger-ui").first).to_be_visible()
    expect(page.get_by_text("/api/v1/validate").first).to_be_visible()
    assert console.csp_violations == []
