"""The demo seeds insured persons with cards, families, rights and one account — once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.insured.models import CareCard, FamilyMember, RightsStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fund", ["dz-cnas", "ma-cnss"])
def test_seed_demo_adds_insured_persons_once(settings: SettingsWrapper, fund: str) -> None:
    settings.TADAMUN_FUND = fund
    out = io.StringIO()
    call_command("seed_demo", "--fund", fund, "--big-employer-size", "10", stdout=out)
    assert "Insured persons" in out.getvalue()
    assert CareCard.objects.count() == 3
    assert FamilyMember.objects.count() == 5
    assert RightsStatus.objects.filter(covered=True).count() == 3
    user = User.objects.get(email="insured@demo.tadamun.example")
    assert user.insured is not None and user.totp_confirmed_at is not None
    call_command("seed_demo", "--fund", fund, "--big-employer-size", "10", stdout=io.StringIO())
    assert CareCard.objects.count() == 3
    assert FamilyMember.objects.count() == 5
