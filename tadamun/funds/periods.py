"""Declaration periods: a month, a quarter or a year, with its first and last day (pure Python)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class Periodicity(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "annual": 12}[self.value]


_LABEL_RE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


@dataclass(frozen=True, order=True)
class Period:
    """A declaration period starting on ``start`` (the first day of a month, quarter or year)."""

    start: dt.date
    periodicity: Periodicity

    def __post_init__(self) -> None:
        first_month = {Periodicity.MONTHLY: 1, Periodicity.QUARTERLY: 3, Periodicity.ANNUAL: 12}
        step = first_month[self.periodicity]
        if self.start.day != 1 or (self.start.month - 1) % step != 0:
            raise ValueError(f"{self.start.isoformat()} does not start a {self.periodicity} period")

    @classmethod
    def containing(cls, day: dt.date, periodicity: Periodicity | str) -> Period:
        """The period of ``periodicity`` that contains ``day``."""
        p = Periodicity(periodicity)
        month = day.month - (day.month - 1) % p.months
        return cls(dt.date(day.year, month, 1), p)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-01`` (month), ``2026-Q1`` (quarter) or ``2026`` (year)."""
        match = _LABEL_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a period (YYYY-MM, YYYY-Qn or YYYY)")
        year = int(match.group(1))
        if match.group(2):
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"{text!r}: month {month} is not between 01 and 12")
            return cls(dt.date(year, month, 1), Periodicity.MONTHLY)
        if match.group(3):
            return cls(dt.date(year, 3 * int(match.group(3)) - 2, 1), Periodicity.QUARTERLY)
        return cls(dt.date(year, 1, 1), Periodicity.ANNUAL)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        year, month = _add_months(self.start.year, self.start.month, self.periodicity.months - 1)
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    @property
    def label(self) -> str:
        if self.periodicity is Periodicity.MONTHLY:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.periodicity is Periodicity.QUARTERLY:
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year:04d}"

    def next(self) -> Period:
        year, month = _add_months(self.start.year, self.start.month, self.periodicity.months)
        return Period(dt.date(year, month, 1), self.periodicity)

    def previous(self) -> Period:
        year, month = _add_months(self.start.year, self.start.month, -self.periodicity.months)
        return Period(dt.date(year, month, 1), self.periodicity)

    def __str__(self) -> str:
        return self.label
