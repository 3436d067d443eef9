"""Demo accounts: created for each demo employer and agency, printed, never twice."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from tadamun.accounts import selectors
from tadamun.accounts.demo import seed_demo_accounts
from tadamun.accounts.models import EmployerMembership, Role, StaffProfile, User
from tadamun.demo.seed import seed_demo
from tadamun.registry.selectors import agency_list

pytestmark = pytest.mark.django_db


def test_demo_accounts_idempotent_and_usable(client: Client) -> None:
    report = seed_demo(fund="dz-cnas", big_employer_size=20)
    employers = [employer for employer, _ in report.employers]
    agencies = list(agency_list(fund="dz-cnas"))
    lines = seed_demo_accounts(employers=employers, agencies=agencies)
    assert "DEMO DATA ONLY" in lines[0]
    assert sum("otpauth://totp/" in line for line in lines) == len(employers) + 1 + len(agencies)
    assert EmployerMembership.objects.filter(role=Role.OWNER).count() == len(employers)
    assert StaffProfile.objects.count() == len(agencies)
    accountant = User.objects.get(email="accountant@demo.tadamun.example")
    assert selectors.employer_for_user(user=accountant, employer_id=employers[0].pk) == employers[0]
    users = User.objects.count()
    again = seed_demo_accounts(employers=employers, agencies=agencies)
    assert User.objects.count() == users
    assert all("(unchanged)" in line for line in again if "password:" in line)  # DEBUG is off
    # a printed login works, with the printed TOTP secret
    owner_line = next(line for line in lines if "owner of Atlas Industries" in line)
    email, password = owner_line.split()[-3], owner_line.split()[-1]
    uri = lines[lines.index(owner_line) + 1].split("TOTP: ")[1]
    response = client.post("/en/accounts/login/", {"email": email, "password": password})
    assert response["Location"] == "/en/accounts/login/verify/"
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    code = totp.now()
    assert client.post("/en/accounts/login/verify/", {"code": code}).status_code == 302
    assert "Atlas Industries" in client.get("/en/accounts/").content.decode()
