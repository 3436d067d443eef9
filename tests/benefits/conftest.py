from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.declarations.models import Declaration, DeclarationLine, Status
from tadamun.registry import services as registry
from tadamun.registry.models import Employer, InsuredPerson
from tests.registry.factories import agency_for, employer_for, person_fields

FUND = "ma-cnss"
WAGE = 600_000  # 6,000.00 MAD a month


@pytest.fixture(autouse=True)
def _morocco(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = FUND


@dataclass
class Person:
    insured: InsuredPerson
    user: User
    employer: Employer


def career_rows(person: Person, *, first: dt.date, months: int, wage: int = WAGE) -> None:
    """``months`` monthly declarations of ``wage`` and 26 days from ``first``: test data written
    straight to the tables (the declaration path itself is tested in tests/declarations)."""
    declarations = []
    year, month = first.year, first.month
    for _ in range(months):
        start = dt.date(year, month, 1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        declarations.append(
            Declaration(
                fund=FUND,
                employer=person.employer,
                period_label=f"{year:04d}-{month:02d}",
                period_start=start,
                period_end=end,
                periodicity="monthly",
                version=1,
                kind="normal",
                status=Status.ACCEPTED,
                submitted_by=person.user,
                submitted_at=timezone.now(),
                token=secrets.token_urlsafe(24),
                receipt_number=f"T-{secrets.token_hex(8)}",
                currency="MAD",
                due_date=end + dt.timedelta(days=10),
                headcount=1,
                total_wages=wage,
                total_contributions=0,
            )
        )
        month += 1
        if month == 13:
            year, month = year + 1, 1
    created = Declaration.objects.bulk_create(declarations)
    DeclarationLine.objects.bulk_create(
        DeclarationLine(
            declaration=d,
            row=1,
            insured=person.insured,
            ssn=person.insured.ssn,
            surname_latin=person.insured.surname_latin,
            first_names_latin=person.insured.first_names_latin,
            days=26,
            wage=wage,
            contribution=0,
        )
        for d in created
    )


@pytest.fixture
def person(db: None) -> Person:
    return make_person()


def make_person() -> Person:
    """Born in May 1966: 60 in May 2026, the Moroccan pension age."""
    agency = agency_for(FUND, code="01")
    employer = employer_for(agency)
    fields = person_fields(FUND, 1, birth_date=dt.date(1966, 5, 10), sex="M")
    fields.pop("fund")
    insured = registry.insured_person_bulk_create(
        people=[registry.NewInsuredPerson(**fields)], fund=FUND
    )[0]
    registry.employment_bulk_create(
        employer=employer, hires=[registry.NewEmployment(insured, dt.date(2010, 1, 1))]
    )
    user = User.objects.create_user(
        email="karim@example.ma", password="x-Long-enough-1", insured=insured
    )
    return Person(insured, user, employer)
