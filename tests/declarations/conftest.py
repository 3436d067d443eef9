from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import EmployerMembership, Role, User
from tadamun.funds import Period
from tadamun.registry import services as registry
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tests.registry.factories import agency_for, employer_for, person_fields

FUND = "ma-cnss"
#: January 2026 is due on 10 February 2026 (Morocco: the 10th of the next month).
PERIOD = Period.parse("2026-01")
BEFORE_DUE = dt.date(2026, 2, 5)
AFTER_DUE = dt.date(2026, 2, 11)


@pytest.fixture(autouse=True)
def _morocco(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = FUND


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for(FUND, code="01")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency)


@pytest.fixture
def other_employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=2, name_latin="Other Firm")


Hire = Callable[..., list[InsuredPerson]]


@pytest.fixture
def hire(db: None) -> Hire:
    """Register ``count`` people and employ them at ``employer`` since 2025-01-01."""
    serials = iter(range(1, 100_000))

    def make(
        employer: Employer, count: int, start: dt.date = dt.date(2025, 1, 1)
    ) -> list[InsuredPerson]:
        rows = []
        for i in range(count):
            fields = person_fields(FUND, next(serials), surname_latin=f"Nom{chr(65 + i % 26)}")
            fields.pop("fund")
            rows.append(registry.NewInsuredPerson(**fields))
        people = registry.insured_person_bulk_create(people=rows, fund=FUND)
        registry.employment_bulk_create(
            employer=employer,
            hires=[registry.NewEmployment(p, start) for p in people],
        )
        return people

    return make


def make_user(employer: Employer, email: str) -> User:
    user = get_user_model().objects.create_user(email=email, password=secrets.token_urlsafe(16))
    assert isinstance(user, User)
    EmployerMembership.objects.create(
        user=user, employer=employer, role=Role.OWNER, granted_at=timezone.now()
    )
    return user


@pytest.fixture
def user(employer: Employer) -> User:
    return make_user(employer, "owner@example.ma")


def token() -> str:
    return secrets.token_urlsafe(24)
