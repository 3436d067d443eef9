"""Reads of the declarations. Each selector costs a fixed number of queries, whatever the
employer's headcount (asserted in tests/declarations/test_selectors.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from tadamun.declarations.fundrules import rules_for
from tadamun.declarations.models import (
    Declaration,
    DeclarationContribution,
    DeclarationLine,
    Status,
)
from tadamun.funds import Period, Periodicity, get_fund
from tadamun.registry.models import Employer
from tadamun.registry.selectors import employer_workforce


def employer_period(*, employer: Employer, label: str) -> Period | None:
    """The period ``label`` (``2026-01``, ``2026-Q1``) if it is of the employer's periodicity."""
    try:
        period = Period.parse(label)
    except ValueError:
        return None
    if period.periodicity != Periodicity(employer.declaration_periodicity):
        return None
    return period


@dataclass(frozen=True)
class ExpectedLine:
    """An employee the fund expects on the declaration, pre-filled with the last declared days,
    wage (minor units) and situation, or a full period and no wage when never declared."""

    insured_id: int
    ssn: str
    surname_latin: str
    first_names_latin: str
    surname_arabic: str
    first_names_arabic: str
    days: int
    wage: int | None
    situation: str
    left_during_period: bool


def accepted_declaration(*, employer: Employer, period: Period) -> Declaration | None:
    """The version in force of ``period`` for ``employer`` (1 query), or None."""
    return Declaration.objects.filter(
        employer=employer, period_label=period.label, status=Status.ACCEPTED
    ).first()


def declaration_prefill(
    *, employer: Employer, period: Period, source: Declaration | None = None
) -> list[ExpectedLine]:
    """The employees the fund expects for ``period`` (employed at any of its start or end), with
    their last declared days, wage and situation — from ``source`` when given (a declaration
    being replaced), else from the employer's latest accepted declaration of an earlier period.

    3 queries whatever the headcount: the workforce at the period's start and at its end, and the
    lines of the reference declaration.
    """
    at_end = employer_workforce(employer=employer, on=period.end)
    at_start = employer_workforce(employer=employer, on=period.start)
    if source is not None:
        reference = DeclarationLine.objects.filter(declaration=source)
    else:
        latest = (
            Declaration.objects.filter(
                employer=employer, status=Status.ACCEPTED, period_start__lt=period.start
            )
            .order_by("-period_start")
            .values("pk")[:1]
        )
        reference = DeclarationLine.objects.filter(declaration__in=latest)
    last = {
        row[0]: row[1:]
        for row in reference.filter(insured__isnull=False).values_list(
            "insured_id", "days", "wage", "situation"
        )
    }
    rules = rules_for(employer.fund)
    full = rules.full_days[period.periodicity]
    seen: set[int] = set()
    lines: list[ExpectedLine] = []
    ending = {e.insured_id for e in at_end}
    employments = at_end + [e for e in at_start if e.insured_id not in ending]
    employments.sort(
        key=lambda e: (e.insured.surname_latin, e.insured.first_names_latin, e.insured.ssn)
    )
    for employment in employments:
        person = employment.insured
        if person.pk in seen:
            continue
        seen.add(person.pk)
        previous = last.get(person.pk)
        left = employment.end_date is not None and employment.end_date <= period.end
        if previous is not None and source is not None:
            days, wage, situation = previous
        elif previous is not None and previous[2] not in ("SO", "DE"):
            days, wage, situation = previous[0], previous[1], ""
        else:
            days, wage, situation = full, None, ""
        if left and not situation:
            situation = "SO"
        lines.append(
            ExpectedLine(
                insured_id=person.pk,
                ssn=person.ssn,
                surname_latin=person.surname_latin,
                first_names_latin=person.first_names_latin,
                surname_arabic=person.surname_arabic,
                first_names_arabic=person.first_names_arabic,
                days=days,
                wage=wage,
                situation=situation,
                left_during_period=left,
            )
        )
    return lines


class PeriodState(StrEnum):
    DECLARED = "declared"
    NOT_DECLARED = "not_declared"
    LATE = "late"


@dataclass(frozen=True)
class PeriodDue:
    period: Period
    due_date: dt.date
    state: PeriodState
    declaration: Declaration | None


def periods_due(*, employer: Employer, today: dt.date, count: int = 12) -> list[PeriodDue]:
    """The last ``count`` periods of the employer's periodicity that have started by ``today``,
    newest first, each declared, not declared (before its due date) or late (1 query)."""
    fund = get_fund(employer.fund)
    current = Period.containing(today, employer.declaration_periodicity)
    periods = [current]
    for _ in range(count - 1):
        periods.append(periods[-1].previous())
    declared = {
        d.period_label: d
        for d in Declaration.objects.filter(
            employer=employer,
            status=Status.ACCEPTED,
            period_label__in=[p.label for p in periods],
        )
    }
    rows: list[PeriodDue] = []
    for period in periods:
        due = fund.due_date(period)
        found = declared.get(period.label)
        if found is not None:
            state = PeriodState.DECLARED
        elif today > due:
            state = PeriodState.LATE
        else:
            state = PeriodState.NOT_DECLARED
        rows.append(PeriodDue(period=period, due_date=due, state=state, declaration=found))
    return rows


def declaration_history(*, employer: Employer) -> QuerySet[Declaration]:
    """Every version of every declaration of ``employer``, newest period first (1 query)."""
    return Declaration.objects.filter(employer=employer).select_related("replaces")


def declaration_get(*, employer: Employer, declaration_id: int | str) -> Declaration | None:
    """Declaration ``declaration_id`` if it belongs to ``employer`` (1 query), else None: the
    caller answers 404 either way, so nobody learns another employer's declarations exist."""
    try:
        pk = int(declaration_id)
    except (TypeError, ValueError):
        return None
    return (
        Declaration.objects.select_related("replaces", "replaced_by", "submitted_by")
        .filter(employer=employer, pk=pk)
        .first()
    )


def declaration_by_token(*, token: str) -> Declaration | None:
    return Declaration.objects.filter(token=token).first()


def declaration_contributions(*, declaration: Declaration) -> list[DeclarationContribution]:
    return list(DeclarationContribution.objects.filter(declaration=declaration).order_by("id"))


def declaration_lines_page(
    *, declaration: Declaration, page: int | str = 1, per_page: int = 100
) -> Page[DeclarationLine]:
    """One page of the lines of ``declaration`` (2 queries: the count and the page)."""
    lines = DeclarationLine.objects.filter(declaration=declaration).order_by("row")
    return Paginator(lines, per_page).get_page(page)


@dataclass(frozen=True)
class DeclaredYear:
    """What the accepted declarations of a year say about one person."""

    year: int
    currency: str
    wages: int  # minor units
    days: int
    employers: int


def insured_declared_year(*, insured_id: int, fund: str, year: int) -> DeclaredYear:
    """The wages and days declared for a person over the periods that start in ``year``, in the
    declarations in force (a cancelled-and-replaced version no longer counts) — 1 query."""
    totals = DeclarationLine.objects.filter(
        insured_id=insured_id,
        declaration__fund=fund,
        declaration__status=Status.ACCEPTED,
        declaration__period_start__year=year,
    ).aggregate(
        wages=Coalesce(Sum("wage"), 0),
        days=Coalesce(Sum("days"), 0),
        employers=Count("declaration__employer", distinct=True),
    )
    return DeclaredYear(
        year=year,
        currency=get_fund(fund).currency_code,
        wages=int(totals["wages"]),
        days=int(totals["days"]),
        employers=int(totals["employers"]),
    )


def insured_declaration_lines(*, insured_id: int, fund: str) -> list[DeclarationLine]:
    """Every line declared for a person in the declarations in force (a cancelled-and-replaced
    version no longer counts), oldest period first, each with its declaration and employer —
    the career statement's rows (1 query)."""
    return list(
        DeclarationLine.objects.filter(
            insured_id=insured_id,
            declaration__fund=fund,
            declaration__status=Status.ACCEPTED,
        )
        .select_related("declaration__employer")
        .order_by("declaration__period_start", "declaration__employer_id", "row")
    )
