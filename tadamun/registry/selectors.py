"""Reads of the registry. Each selector costs a fixed number of queries, whatever the size of the
employer (asserted in tests/registry/test_selectors.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

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


def accounts_held(*, insured: InsuredPerson) -> list[Employer]:
    """The contributor accounts a person holds themselves (self-employed, voluntary member),
    oldest first (1 query)."""
    return list(Employer.objects.filter(holder=insured).order_by("created_at", "id"))


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


class PersonRow(NamedTuple):
    """The registry's copy of a person a declaration line carries (no model instance, a plain
    tuple: a file of 50,000 employees reads 50,000 of these)."""

    insured_id: int
    ssn: str
    surname_latin: str
    first_names_latin: str
    surname_arabic: str
    first_names_arabic: str
    national_id: str
    birth_date: dt.date | None


_PERSON_COLUMNS = (
    "ssn",
    "surname_latin",
    "first_names_latin",
    "surname_arabic",
    "first_names_arabic",
    "national_id",
    "birth_date",
)


def employer_workforce_rows(
    *, employer: Employer, start: dt.date, end: dt.date
) -> dict[str, PersonRow]:
    """The people ``employer`` employs on ``start`` or on ``end`` (the employees a declaration of
    that period must name), by insured number (1 query, plain rows)."""
    rows = (
        Employment.objects.filter(employer=employer)
        .filter(_active_on(start) | _active_on(end))
        .values_list("insured_id", *(f"insured__{c}" for c in _PERSON_COLUMNS))
    )
    return {row[1]: PersonRow(*row) for row in rows}


def employers_workforce_rows(
    *, employer_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, dict[str, PersonRow]]:
    """:func:`employer_workforce_rows` for many employers at once (a batch of declaration
    files): by employer id, then by insured number (1 query per 2,000 employers)."""
    ids = sorted(set(employer_ids))
    out: dict[int, dict[str, PersonRow]] = {i: {} for i in ids}
    for i in range(0, len(ids), 2_000):
        rows = (
            Employment.objects.filter(employer_id__in=ids[i : i + 2_000])
            .filter(_active_on(start) | _active_on(end))
            .values_list("employer_id", "insured_id", *(f"insured__{c}" for c in _PERSON_COLUMNS))
        )
        for row in rows:
            out[row[0]][row[2]] = PersonRow(*row[1:])
    return out


def insured_rows_by_number(*, fund: str, numbers: set[str]) -> dict[str, PersonRow]:
    """The registered people among ``numbers`` (1 query per 10,000 numbers), by number."""
    found: dict[str, PersonRow] = {}
    wanted = sorted(numbers)
    for i in range(0, len(wanted), 10_000):
        rows = InsuredPerson.objects.filter(fund=fund, ssn__in=wanted[i : i + 10_000]).values_list(
            "pk", *_PERSON_COLUMNS
        )
        found.update((row[1], PersonRow(*row)) for row in rows)
    return found
