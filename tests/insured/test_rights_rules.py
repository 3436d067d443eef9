"""The pure rights function (tadamun.rules.rights): grounds, windows, validity dates."""

from __future__ import annotations

import datetime as dt

from tadamun.rules.rights import (
    DeclaredPeriod,
    Ground,
    Reason,
    best_decision,
    dependant_covered,
    paid_up_rights,
    salaried_rights,
)

ON = dt.date(2026, 11, 23)


def month(year: int, m: int, days: int) -> DeclaredPeriod:
    start = dt.date(year, m, 1)
    end = (dt.date(year + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)
    return DeclaredPeriod(start=start, end=end, days=days)


def test_enough_days_in_the_last_quarter_covers_three_months_after_it() -> None:
    periods = [month(2026, m, 22) for m in range(1, 11)]
    decision = salaried_rights(regime="dz-cnas", on=ON, periods=periods)
    assert decision.covered
    assert decision.ground is Ground.DECLARED_DAYS
    assert decision.reason is Reason.SHORT_WINDOW
    assert decision.window_start == dt.date(2026, 8, 1)
    assert decision.window_end == dt.date(2026, 10, 31)
    assert decision.days_counted == 66 and decision.days_required == 15
    assert decision.valid_from == dt.date(2026, 11, 1)
    assert decision.valid_until == dt.date(2027, 1, 31)
    assert decision.status == "U"


def test_the_long_window_opens_rights_when_the_short_one_does_not() -> None:
    periods = [month(2026, m, 20) for m in range(1, 6)]  # Jan-May only: 100 days
    decision = salaried_rights(regime="dz-cnas", on=ON, periods=periods)
    assert decision.covered and decision.reason is Reason.LONG_WINDOW
    assert decision.days_counted == 100 and decision.days_required == 60


def test_too_few_days_is_not_covered_and_says_how_many() -> None:
    decision = salaried_rights(regime="dz-cnas", on=ON, periods=[month(2026, 10, 5)])
    assert not decision.covered
    assert decision.reason is Reason.NOT_ENOUGH_DAYS
    assert decision.days_counted == 5


def test_nothing_declared() -> None:
    decision = salaried_rights(regime="ma-cnss", on=ON, periods=[])
    assert not decision.covered and decision.reason is Reason.NOTHING_DECLARED


def test_rights_lapse_after_their_validity() -> None:
    # Worked Jan-Mar 2026 only: the short window ending in March gives rights to June; the long
    # window (60 days in 12 months) ending in October still holds, to January.
    periods = [month(2026, m, 10) for m in range(1, 4)]  # 30 days: only the short window
    decision = salaried_rights(regime="dz-cnas", on=ON, periods=periods)
    assert not decision.covered


def test_a_quarter_counts_in_its_last_month() -> None:
    quarter = DeclaredPeriod(dt.date(2026, 7, 1), dt.date(2026, 9, 30), days=60)
    decision = salaried_rights(regime="tn-cnss-rsna", on=ON, periods=[quarter])
    assert decision.covered
    assert decision.days_counted == 60


def test_a_rule_not_yet_in_force_answers_no_rule() -> None:
    decision = salaried_rights(regime="dz-cnas", on=dt.date(1980, 1, 1), periods=[])
    assert not decision.covered and decision.reason is Reason.NO_RULE


def test_voluntary_member_paid_up_is_covered_one_quarter_beyond() -> None:
    decision = paid_up_rights(
        regime="dz-abroad",
        on=ON,
        paid_through=dt.date(2026, 9, 30),
        ground=Ground.VOLUNTARY_PAID_UP,
    )
    assert decision.covered and decision.ground is Ground.VOLUNTARY_PAID_UP
    assert decision.valid_until == dt.date(2026, 12, 31)


def test_voluntary_member_behind_is_not_covered() -> None:
    late = paid_up_rights(
        regime="dz-abroad",
        on=ON,
        paid_through=dt.date(2026, 6, 30),
        ground=Ground.VOLUNTARY_PAID_UP,
    )
    never = paid_up_rights(
        regime="dz-abroad", on=ON, paid_through=None, ground=Ground.VOLUNTARY_PAID_UP
    )
    assert not late.covered and late.reason is Reason.NOT_PAID_UP
    assert not never.covered and never.reason is Reason.NOT_PAID_UP


def test_self_employed_paid_for_the_year_is_covered_into_the_next() -> None:
    decision = paid_up_rights(
        regime="dz-casnos",
        on=dt.date(2027, 3, 1),
        paid_through=dt.date(2026, 12, 31),
        ground=Ground.SELF_EMPLOYED_PAID_UP,
    )
    assert decision.covered and decision.valid_until == dt.date(2027, 6, 30)


def test_best_decision_keeps_the_longest_cover() -> None:
    salaried = salaried_rights(regime="dz-cnas", on=ON, periods=[])
    paid = paid_up_rights(
        regime="dz-abroad",
        on=ON,
        paid_through=dt.date(2026, 9, 30),
        ground=Ground.VOLUNTARY_PAID_UP,
    )
    assert best_decision([salaried, paid]) is paid
    assert best_decision([salaried]) is salaried


def test_children_are_covered_until_the_age_limit() -> None:
    child = dependant_covered(
        regime="dz-cnas", on=ON, relation="child", birth_date=dt.date(2010, 5, 2)
    )
    assert child.covered and child.until == dt.date(2028, 5, 1) and child.age_limit == 18
    grown = dependant_covered(
        regime="dz-cnas", on=ON, relation="child", birth_date=dt.date(2006, 5, 2)
    )
    assert not grown.covered
    student = dependant_covered(
        regime="dz-cnas", on=ON, relation="child", birth_date=dt.date(2006, 5, 2), student=True
    )
    assert student.covered and student.age_limit == 21
    spouse = dependant_covered(
        regime="dz-cnas", on=ON, relation="spouse", birth_date=dt.date(1960, 1, 1)
    )
    assert spouse.covered and spouse.until is None


def test_a_child_born_on_29_february() -> None:
    cover = dependant_covered(
        regime="ma-cnss", on=ON, relation="child", birth_date=dt.date(2008, 2, 29)
    )
    assert cover.until == dt.date(2029, 2, 28)
