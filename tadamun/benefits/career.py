"""A person's career as the pension rules read it, built from their record.

The record holds declared periods (a month, or a quarter in Tunisia); the pension rules read
months. A period's wage and days are spread evenly over its months (what is left over goes to
the last month), and the months of several employers add up. Future years, when asked for,
repeat the person's last twelve declared months: their average monthly wage (or the wage given)
and their usual days per month — an assumption the estimate page states.
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from tadamun.rules.pensions import CareerEntry, CareerHistory
from tadamun.rules.periods import month_index, period_start


@dataclass(frozen=True)
class DeclaredPeriod:
    start: dt.date
    end: dt.date
    wage: int  # minor units
    days: int


@dataclass(frozen=True)
class Career:
    history: CareerHistory | None  # None when nothing was ever declared
    declared_months: int
    future_months: int
    future_wage: int  # minor units a month (0 when no future years were added)
    future_days: int
    last_declared: dt.date | None


#: A full month of work when nothing else is known (Morocco's 26 days; the other regimes read
#: months, for which the figure only has to be positive).
FULL_MONTH_DAYS = 26


def _months(start: dt.date, end: dt.date) -> list[int]:
    first, last = month_index(start.year, start.month), month_index(end.year, end.month)
    return list(range(first, last + 1))


def monthly(periods: Iterable[DeclaredPeriod]) -> dict[int, tuple[int, int]]:
    """Month index -> (wage, days), every employer's periods added up."""
    months: dict[int, list[int]] = {}
    for period in periods:
        indexes = _months(period.start, period.end)
        n = len(indexes)
        for i, index in enumerate(indexes):
            last = i == n - 1
            wage = period.wage // n + (period.wage % n if last else 0)
            days = period.days // n + (period.days % n if last else 0)
            acc = months.setdefault(index, [0, 0])
            acc[0] += wage
            acc[1] += days
    # A month's declared days may exceed its calendar days (a full month is "30 days" in
    # Algeria, also in February; two employers may each declare a full month): the pension rules
    # count at most the days of the month.
    return {k: (v[0], min(v[1], _calendar_days(k))) for k, v in months.items()}


def _calendar_days(index: int) -> int:
    start = period_start(index)
    return calendar.monthrange(start.year, start.month)[1]


def career(
    *,
    periods: Iterable[DeclaredPeriod],
    birth_date: dt.date,
    sex: str,
    children: int,
    currency: str,
    today: dt.date,
    extra_years: int = 0,
    future_wage: int | None = None,
) -> Career:
    months = monthly(periods)
    declared = sorted(m for m, (wage, days) in months.items() if wage > 0 or days > 0)
    if not declared and not extra_years:
        return Career(None, 0, 0, 0, 0, None)
    recent = declared[-12:]
    wage = (
        future_wage
        if future_wage is not None
        else (sum(months[m][0] for m in recent) // len(recent) if recent else 0)
    )
    days = int(statistics.median(months[m][1] for m in recent)) if recent else FULL_MONTH_DAYS
    days = days or FULL_MONTH_DAYS
    entries = [CareerEntry(m, months[m][0], months[m][1]) for m in declared]
    start = max(month_index(today.year, today.month), (declared[-1] + 1) if declared else 0)
    future = [
        CareerEntry(start + i, wage, min(days, _calendar_days(start + i)))
        for i in range(extra_years * 12)
    ]
    history = CareerHistory(
        birth_date=birth_date,
        sex=sex,
        children=children,
        career=tuple(entries + future),
        currency=currency,
    )
    last = declared[-1] if declared else None
    return Career(
        history=history,
        declared_months=len(entries),
        future_months=len(future),
        future_wage=wage if future else 0,
        future_days=days if future else 0,
        last_declared=period_start(last) if last is not None else None,
    )
