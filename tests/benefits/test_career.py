"""The career the pension rules read, built from declared periods."""

from __future__ import annotations

import datetime as dt

from tadamun.benefits.career import DeclaredPeriod, career, monthly
from tadamun.rules.periods import month_index


def test_a_quarter_is_spread_over_its_months_and_employers_add_up() -> None:
    months = monthly(
        [
            DeclaredPeriod(dt.date(2025, 1, 1), dt.date(2025, 3, 31), wage=1000, days=76),
            DeclaredPeriod(dt.date(2025, 2, 1), dt.date(2025, 2, 28), wage=50, days=4),
        ]
    )
    jan, feb, mar = (month_index(2025, m) for m in (1, 2, 3))
    assert months == {jan: (333, 25), feb: (383, 28), mar: (334, 26)}  # 29 days capped at 28
    assert sum(w for w, _ in months.values()) == 1050  # nothing lost to rounding


def test_future_years_repeat_the_last_twelve_months() -> None:
    periods = [
        DeclaredPeriod(dt.date(2025, m, 1), dt.date(2025, m, 28), wage=1200 * m, days=26)
        for m in range(1, 13)
    ]
    built = career(
        periods=periods, birth_date=dt.date(1980, 1, 1), sex="F", children=2, currency="MAD",
        today=dt.date(2026, 11, 23), extra_years=2,
    )  # fmt: skip
    assert built.declared_months == 12 and built.future_months == 24
    assert built.future_wage == sum(1200 * m for m in range(1, 13)) // 12
    assert built.future_days == 26
    assert built.history is not None
    first_future = built.history.career[12]
    assert first_future.period == month_index(2026, 11)  # from this month on, not 2026-01
    assert built.last_declared == dt.date(2025, 12, 1)


def test_a_given_future_wage_wins_and_nothing_declared_gives_no_history() -> None:
    built = career(
        periods=[], birth_date=dt.date(1980, 1, 1), sex="M", children=0, currency="MAD",
        today=dt.date(2026, 11, 23), extra_years=1, future_wage=500_000,
    )  # fmt: skip
    assert built.history is not None and {e.wage for e in built.history.career} == {500_000}
    empty = career(
        periods=[], birth_date=dt.date(1980, 1, 1), sex="M", children=0, currency="MAD",
        today=dt.date(2026, 11, 23),
    )  # fmt: skip
    assert empty.history is None


def test_declared_days_are_capped_at_the_days_of_the_month() -> None:
    """Algeria declares a full month as 30 days, February too; two employers may each declare a
    full month: the pension rules count at most the month's calendar days."""
    months = monthly(
        [
            DeclaredPeriod(dt.date(2026, 2, 1), dt.date(2026, 2, 28), wage=100, days=30),
            DeclaredPeriod(dt.date(2026, 3, 1), dt.date(2026, 3, 31), wage=100, days=30),
            DeclaredPeriod(dt.date(2026, 3, 1), dt.date(2026, 3, 31), wage=100, days=30),
        ]
    )
    assert months[month_index(2026, 2)] == (100, 28)
    assert months[month_index(2026, 3)] == (200, 31)
    built = career(
        periods=[DeclaredPeriod(dt.date(2026, 1, 1), dt.date(2026, 1, 31), wage=100, days=30)],
        birth_date=dt.date(1980, 1, 1), sex="F", children=0, currency="DZD",
        today=dt.date(2026, 1, 15), extra_years=1,
    )  # fmt: skip
    assert built.history is not None  # would raise InvalidHistory for February otherwise
