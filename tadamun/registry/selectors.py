"""Reads of the registry. Each selector costs a fixed number of queries, whatever the size of the
employer (asserted in tests/registry/test_selectors.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tadamun.registry.models import Agency, Employer, Employment, InsuredPerson


def agency_list(*, fund: str) -> QuerySet[Agency]:
    return Agency.objects.filter(fund=fund).order_by("code")


def agency_get(*, fund: str, code: str) -> Agency | None:
    return Agency.objects.filter(fund=fund, code=code).first()


def employer_get(*, fund: str, affiliate_number: str) -> Employer | None:
    """The employer of that number with its agency (1 query), or None."""
    return (
        Employer.objects.select_related("agency")
        .filter(fund=fund, affiliate_number=affiliate_number)
        .first()
    )


def employer_list(*, fund: str, agency: Agency | None = None) -> QuerySet[Employer]:
    employers = Employer.objects.select_related("agency").filter(fund=fund)
    if agency is not None:
        employers = employers.filter(agency=agency)
    return employers.order_by("affiliate_number")


def insured_person_get(*, fund: str, ssn: str) -> InsuredPerson | None:
    return InsuredPerson.objects.filter(fund=fund, ssn=ssn).first()


def _active_on(day: dt.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def employer_workforce(*, employer: Employer, on: dt.date) -> list[Employment]:
    """The employment links of ``employer`` in force on ``on``, with each person (1 query),
    ordered by surname then first names: the employees a declaration form is pre-filled with."""
    return list(
        Employment.objects.filter(employer=employer)
        .filter(_active_on(on))
        .select_related("insured")
        .order_by("insured__surname_latin", "insured__first_names_latin", "insured__ssn")
    )


def employer_headcount(*, employer: Employer, on: dt.date) -> int:
    """How many people ``employer`` employs on ``on`` (1 query)."""
    return Employment.objects.filter(employer=employer).filter(_active_on(on)).count()


def insured_person_employments(*, insured: InsuredPerson) -> list[Employment]:
    """Every employment link of a person, oldest first, with each employer (1 query)."""
    return list(
        Employment.objects.filter(insured=insured)
        .select_related("employer")
        .order_by("start_date", "id")
    )


@dataclass(frozen=True)
class RegistryCounts:
    agencies: int
    employers: int
    insured_persons: int


def registry_counts(*, fund: str) -> RegistryCounts:
    """How many agencies, employers and insured persons the fund has registered (3 queries)."""
    return RegistryCounts(
        agencies=Agency.objects.filter(fund=fund).count(),
        employers=Employer.objects.filter(fund=fund).count(),
        insured_persons=InsuredPerson.objects.filter(fund=fund).count(),
    )
