"""Periods (months) as integers, so that whole arrays of them compare and index cheaply.

A period is the number of months since 1970-01, the same integer numpy uses for datetime64[M].
"""

from __future__ import annotations

import datetime as dt
import re

from tadamun.rules.errors import InvalidDate

_PERIOD_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def month_index(year: int, month: int) -> int:
    return (year - 1970) * 12 + (month - 1)


def parse_period(text: str, *, field: str = "period") -> int:
    """``"2025-01"`` to a month index; the message names the field when the text is not a period."""
    match = _PERIOD_RE.match(str(text).strip())
    if not match:
        raise InvalidDate(f"{field}: {text!r} is not a period written YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise InvalidDate(f"{field}: {text!r} has month {month}, which is not between 01 and 12")
    if year < 1900:
        raise InvalidDate(f"{field}: {text!r} is before 1900")
    return month_index(year, month)


def parse_date(text: str, *, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidDate(f"{field}: {text!r} is not a date written YYYY-MM-DD") from None


def period_start(index: int) -> dt.date:
    """The first day of the month ``index``."""
    year, month = divmod(int(index), 12)
    return dt.date(1970 + year, month + 1, 1)


def period_label(index: int) -> str:
    start = period_start(index)
    return f"{start.year:04d}-{start.month:02d}"


def first_period_on_or_after(day: dt.date) -> int:
    """The first month whose first day is on or after ``day``: when a value dated ``day``
    applies."""
    index = month_index(day.year, day.month)
    return index if day.day == 1 else index + 1


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus a number of months, clamped to the end of a shorter month."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    month = month0 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
