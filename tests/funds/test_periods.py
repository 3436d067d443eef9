from __future__ import annotations

import datetime as dt

import pytest

from tadamun.funds import Period, Periodicity


@pytest.mark.parametrize(
    ("text", "start", "end", "periodicity"),
    [
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), Periodicity.MONTHLY),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), Periodicity.MONTHLY),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), Periodicity.QUARTERLY),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), Periodicity.ANNUAL),
    ],
)
def test_parse(text: str, start: dt.date, end: dt.date, periodicity: Periodicity) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.periodicity) == (start, end, periodicity)
    assert period.label == text == str(period)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-01", "2026/01", ""])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_containing_next_previous() -> None:
    day = dt.date(2026, 5, 17)
    assert Period.containing(day, "monthly").label == "2026-05"
    assert Period.containing(day, "quarterly").label == "2026-Q2"
    assert Period.containing(day, "annual").label == "2026"
    assert Period.parse("2026-12").next().label == "2027-01"
    assert Period.parse("2026-Q1").previous().label == "2025-Q4"
    assert Period.parse("2026").next().label == "2027"


def test_a_period_starts_on_its_boundary() -> None:
    with pytest.raises(ValueError):
        Period(dt.date(2026, 2, 1), Periodicity.QUARTERLY)
    with pytest.raises(ValueError):
        Period(dt.date(2026, 1, 2), Periodicity.MONTHLY)
