"""Registry reads: right rows, and a fixed number of queries whatever the employer's size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from tadamun.registry import selectors, services
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tests.registry.factories import employer_for, person_fields

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 15)


def _people(count: int, first: int = 1, **overrides: Any) -> list[InsuredPerson]:
    rows = [
        services.NewInsuredPerson(
            **{k: v for k, v in person_fields(serial=n, **overrides).items() if k != "fund"}
        )
        for n in range(first, first + count)
    ]
    return services.insured_person_bulk_create(people=rows, fund="dz-cnas")


def _hire(employer: Employer, people: list[InsuredPerson], start: str, **kw: str) -> None:
    services.employment_bulk_create(
        employer=employer,
        hires=[
            services.NewEmployment(p, start, kw.get("end"), kw.get("reason", "")) for p in people
        ],
    )


@pytest.fixture
def workforce(employer: Employer) -> list[InsuredPerson]:
    """30 current employees, 5 who left before ON, 5 hired after ON."""
    current = _people(30)
    for index, person in enumerate(current):
        person.surname_latin = f"Name{index:02d}"
    InsuredPerson.objects.bulk_update(current, ["surname_latin"])
    _hire(employer, current, "2020-01-01")
    _hire(employer, _people(5, first=100), "2019-01-01", end="2025-06-14", reason="resignation")
    _hire(employer, _people(5, first=200), "2025-06-16")
    return current


def test_workforce_on_a_date(employer: Employer, workforce: list[InsuredPerson]) -> None:
    links = selectors.employer_workforce(employer=employer, on=ON)
    assert [e.insured.surname_latin for e in links] == sorted(p.surname_latin for p in workforce)
    assert selectors.employer_headcount(employer=employer, on=ON) == 30
    assert selectors.employer_headcount(employer=employer, on=dt.date(2025, 6, 14)) == 35
    assert selectors.employer_headcount(employer=employer, on=dt.date(2025, 6, 16)) == 35


@pytest.mark.parametrize("size", [3, 300])
def test_workforce_is_one_query_whatever_the_size(
    employer: Employer, size: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _hire(employer, _people(size), "2020-01-01")
    with django_assert_num_queries(1):
        links = selectors.employer_workforce(employer=employer, on=ON)
        names = [(e.insured.ssn, e.insured.surname_latin) for e in links]
    assert len(names) == size
    with django_assert_num_queries(1):
        assert selectors.employer_headcount(employer=employer, on=ON) == size


def test_employer_get_brings_its_agency(
    employer: Employer, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        found = selectors.employer_get(fund="dz-cnas", affiliate_number=employer.affiliate_number)
        assert found is not None
        assert found.agency.name_fr == "Alger-Centre"
    assert (
        selectors.employer_get(fund="ma-cnss", affiliate_number=employer.affiliate_number) is None
    )


def test_employer_list(
    employer: Employer, agency: Agency, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for serial in range(2, 12):
        employer_for(agency, serial=serial)
    with django_assert_num_queries(1):
        rows = [
            (e.affiliate_number, e.agency.code) for e in selectors.employer_list(fund="dz-cnas")
        ]
    assert len(rows) == 11
    assert rows == sorted(rows)
    assert list(selectors.employer_list(fund="dz-cnas", agency=agency)) == list(
        selectors.employer_list(fund="dz-cnas")
    )


def test_person_employments(
    employer: Employer, agency: Agency, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    person = _people(1)[0]
    other = employer_for(agency, serial=2)
    services.employment_create(
        employer=other,
        insured=person,
        start_date="2012-01-01",
        end_date="2015-01-01",
        end_reason="end_of_contract",
    )
    services.employment_create(employer=employer, insured=person, start_date="2016-01-01")
    with django_assert_num_queries(1):
        history = [
            e.employer.name_latin for e in selectors.insured_person_employments(insured=person)
        ]
    assert len(history) == 2
    with django_assert_num_queries(1):
        found = selectors.insured_person_get(fund="dz-cnas", ssn=person.ssn)
    assert found == person


def test_registry_counts(
    employer: Employer,
    workforce: list[InsuredPerson],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(3):
        counts = selectors.registry_counts(fund="dz-cnas")
    assert (counts.agencies, counts.employers, counts.insured_persons) == (1, 1, 40)
    assert selectors.registry_counts(fund="tn-cnss").employers == 0


def test_agency_selectors(agency: Agency) -> None:
    assert list(selectors.agency_list(fund="dz-cnas")) == [agency]
    assert selectors.agency_get(fund="dz-cnas", code="1601") == agency
    assert selectors.agency_get(fund="dz-cnas", code="9999") is None


def test_the_same_names_search_goes_through_the_birth_date_index() -> None:
    """At national scale the duplicate search (same names and birth date) must not read the
    whole registry: the planner can answer it from ``insured_birth_date_idx``."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's plan is PostgreSQL's")
    # Born across thirty years, as a registry's people are.
    people = [
        p
        for day in range(0, 11_000, 11)
        for p in _people(1, first=day + 1, birth_date=dt.date(1960, 1, 1) + dt.timedelta(day))
    ]
    query = InsuredPerson.objects.filter(
        fund="dz-cnas",
        birth_date=people[0].birth_date,
        surname_latin__iexact=people[0].surname_latin,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_insuredperson")
        # 1,000 rows are still cheaper to scan than millions: forbid the scan (for this test's
        # transaction) to see which index the planner picks for the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()
    assert "insured_birth_date_idx" in plan, plan
