"""An Algerian agency, an employer with twelve months declared for one person, and that
person's own account — made through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.funds import Period, get_fund
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tadamun.rules.rights import add_months_end
from tests.insured.factories import declare, make_person
from tests.registry.factories import agency_for, employer_for


def _periods_before(month: Period, count: int) -> list[Period]:
    periods = [month.previous()]
    for _ in range(count - 1):
        periods.append(periods[-1].previous())
    return periods[::-1]


TODAY = dt.date.today()
_THIS_MONTH = Period.containing(TODAY, "monthly")
#: The twelve complete months before this one, oldest first; and two earlier ones.
MONTHS = [p.label for p in _periods_before(_THIS_MONTH, 12)]
EARLIER = [p.label for p in _periods_before(_THIS_MONTH, 14)[:2]]
#: Declared days in the last three months open rights to the end of the month after next.
VALID_UNTIL = add_months_end(TODAY, 2)


@pytest.fixture(autouse=True)
def _fund(settings: SettingsWrapper) -> Iterator[None]:
    settings.TADAMUN_FUND = "dz-cnas"
    settings.TADAMUN_REDIS_URL = ""
    settings.TADAMUN_BROKER_URL = ""
    yield


@pytest.fixture
def agency(db: None) -> Agency:
    return agency_for("dz-cnas")


@pytest.fixture
def employer(agency: Agency) -> Employer:
    return employer_for(agency, serial=7, declaration_periodicity="monthly")


@pytest.fixture
def person(db: None) -> InsuredPerson:
    return make_person(11)


@pytest.fixture
def other_person(db: None) -> InsuredPerson:
    return make_person(12, surname_latin="Haddad", first_names_latin="Karim")


@pytest.fixture
def declared(employer: Employer, person: InsuredPerson) -> InsuredPerson:
    """``person`` declared 22 days a month over the twelve months before this one."""
    declare(employer, [person], MONTHS)
    return person


@pytest.fixture
def fund_currency() -> str:
    return get_fund("dz-cnas").currency_code
