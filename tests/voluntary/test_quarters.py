"""Which quarters a member may pay and what they cost, from the dz-abroad pack: the back-payment
window (5 years before the affiliation, never before the scheme), the current year's limit, the
surcharge on late quarters, the minimum base, and both readings of the rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tadamun.rules.parameters import load_packs
from tadamun.rules.penalties import late_payment
from tadamun.voluntary.quarters import (
    check_base,
    check_quarters,
    first_quarter,
    parse_quarter,
    quote,
    surcharge_rule,
    window,
)

PACK = load_packs().regime("dz-abroad")


def q(text: str):  # type: ignore[no-untyped-def]
    period = parse_quarter(text)
    assert period is not None
    return period


def refusals(chosen: list[str], affiliated: dt.date, today: dt.date) -> list[tuple[str, str]]:
    found = check_quarters(
        PACK, [q(c) for c in chosen], affiliated_on=affiliated, today=today, declared=set()
    )
    return [(p.code, p.params.get("quarter", "")) for p in found]


def test_quarters_are_read_in_english_and_french() -> None:
    assert q("2026-Q3").label == "2026-Q3"
    assert q("2026-t3").label == "2026-Q3"
    for bad in ("2026-Q5", "2026-07", "2026", "Q3-2026", "", "2026-Q0"):
        assert parse_quarter(bad) is None


def test_back_payment_reaches_five_years_before_the_affiliation_and_no_further() -> None:
    affiliated, today = dt.date(2029, 2, 10), dt.date(2029, 2, 10)
    win = window(PACK, affiliated_on=affiliated, today=today)
    assert win.earliest.label == "2024-Q1"  # 20 quarters before 2029-Q1
    assert refusals(["2024-Q1", "2028-Q4", "2029-Q1"], affiliated, today) == []
    [(code, quarter)] = refusals(["2023-Q4"], affiliated, today)
    assert (code, quarter) == ("too_old", "2023-Q4")
    [problem] = check_quarters(
        PACK, [q("2023-Q4")], affiliated_on=affiliated, today=today, declared=set()
    )
    assert "5" in problem.message("en") and "2024-Q1" in problem.message("en")
    assert "2024-Q1" in problem.message("fr") and "2024-Q1" in problem.message("ar")


def test_no_quarter_before_the_scheme_rates() -> None:
    assert first_quarter(PACK).label == "2023-Q1"  # rates keyed 2022-10-18: first whole quarter
    affiliated = dt.date(2026, 11, 23)
    assert refusals(["2022-Q4"], affiliated, affiliated) == [("before_scheme", "2022-Q4")]
    assert refusals(["2023-Q1"], affiliated, affiliated) == []


def test_future_quarters_only_within_the_current_year() -> None:
    today = dt.date(2026, 5, 4)
    assert refusals(["2026-Q3", "2026-Q4"], today, today) == []
    assert refusals(["2027-Q1"], today, today) == [("beyond_year", "2027-Q1")]


def test_a_declared_quarter_is_not_declared_twice() -> None:
    today = dt.date(2026, 5, 4)
    found = check_quarters(
        PACK, [q("2026-Q2")], affiliated_on=today, today=today, declared={"2026-Q2"}
    )
    assert [p.code for p in found] == ["already_declared"]


def test_base_below_three_snmg_is_refused_naming_the_quarter() -> None:
    # 3 x 20,000 in 2025, 3 x 24,000 from 2026-01-01.
    assert check_base(PACK, 6_000_000, [q("2025-Q4")]) == []
    [problem] = check_base(PACK, 6_000_000, [q("2025-Q4"), q("2026-Q1")])
    assert problem.field == "monthly_base" and problem.params["quarter"] == "2026-Q1"
    assert "72000.00" in problem.message("en")
    assert check_base(PACK, 7_200_000, [q("2026-Q1")]) == []
    [too_big] = check_base(PACK, 10**12, [q("2026-Q1")])
    assert too_big.code == "above_maximum"


def test_a_quote_computes_every_quarter_at_once_with_its_own_parameters() -> None:
    today = dt.date(2026, 11, 23)
    result = quote(
        monthly_base=7_200_000,
        chosen=[q("2026-Q4"), q("2024-Q2")],
        affiliated_on=today,
        today=today,
    )
    back, current = result.lines
    assert (back.period.label, back.kind, back.surcharge) == ("2024-Q2", "back", 0)
    assert back.due == today  # a back-payment is due when it is declared, not late
    assert (current.period.label, current.kind) == ("2026-Q4", "current")
    assert current.due == dt.date(2027, 1, 30)  # 30 days after the quarter (status U)
    # 31.25 % of 3 x 72,000: 13 % and 18.25 % of 216,000.00, each rounded on its own.
    assert current.amounts == {"sickness_maternity": 2_808_000, "retirement": 3_942_000}
    assert current.contribution == 6_750_000
    # The seed's reading: a flat 60,000 a month, 180,000 a quarter (comparison only).
    assert current.flat_amount == 18_000_000 and result.flat_total == 36_000_000
    assert result.total == 13_500_000


def test_late_quarters_carry_fifteen_percent_per_quarter_of_delay() -> None:
    affiliated, today = dt.date(2025, 1, 10), dt.date(2026, 11, 23)
    result = quote(
        monthly_base=6_000_000,
        chosen=[q("2025-Q1"), q("2026-Q2"), q("2026-Q3")],
        affiliated_on=affiliated,
        today=today,
    )
    first, second, third = result.lines
    assert [line.kind for line in result.lines] == ["late", "late", "late"]
    # 2025-Q1 was due 2025-04-30: 19 months late, 7 quarters (or part): 7 x 15 %.
    assert first.due == dt.date(2025, 4, 30) and first.months_late == 19
    assert first.surcharge_rate == Decimal("1.05")
    assert first.surcharge == 5_906_250  # 105 % of 5,625,000 (18,000 x 3 x 31.25 %)
    # 2026-Q2 due 2026-07-30: 4 months late, 2 quarters.
    assert second.surcharge_rate == Decimal("0.3")
    # 2026-Q3 due 2026-10-30: 24 days, 1 quarter (a part counts whole).
    assert third.surcharge_rate == Decimal("0.15")
    # The same as the rules engine's scalar function, branch by branch.
    expected = sum(
        late_payment(PACK, amount=amount, due=first.due, paid=today, branch=branch).penalty
        for branch, amount in first.amounts.items()
    )
    assert first.surcharge == expected


def test_the_surcharge_is_shown_with_the_status_of_its_parameters() -> None:
    rule = surcharge_rule(PACK, dt.date(2026, 11, 23))
    assert (rule.first, rule.further, rule.step_months) == (Decimal("0.15"), Decimal("0.15"), 3)
    assert (rule.first_status, rule.further_status, rule.due_status) == ("S", "U", "U")
    assert rule.due_days == 30
