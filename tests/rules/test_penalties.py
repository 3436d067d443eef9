"""Late-payment penalties: worked examples by hand, edge cases, properties and bad input.

Conventions under test (tadamun/rules/penalties.py): month k of delay runs from the day after
add_months(due, k - 1) to add_months(due, k); a part of a month counts as a month; each step uses
the rate in force on its first day; each step's surcharge is rounded on its own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.rules.errors import InvalidAmount, InvalidDate, NotInForce, UnknownParameter
from tadamun.rules.parameters import Pack, load_packs, load_packs_from
from tadamun.rules.penalties import (
    UnknownBranch,
    late_declaration,
    late_payment,
    late_payment_many,
    months_of_delay,
    months_of_delay_array,
)
from tests.rules.packbuilder import param, regime_files, regime_manifest, write_pack

D = dt.date


def pack(pack_id: str) -> Pack:
    return load_packs().regime(pack_id)


# --- worked examples ----------------------------------------------------------------------------


def test_algeria_three_months_and_a_day_is_four_months() -> None:
    # 100,000.00 DZD due 15 January 2024, paid 16 April 2024: three whole months (to 15 April)
    # and one day of a fourth month -> 4 months of delay.
    # 5 % + 1 % + 1 % + 1 % = 8 % -> 5,000.00 + 1,000.00 + 1,000.00 + 1,000.00 = 8,000.00 DZD.
    r = late_payment(pack("dz-cnas"), amount=10_000_000, due=D(2024, 1, 15), paid=D(2024, 4, 16))
    assert r.months == 4
    assert r.rate == Decimal("0.08")
    assert r.penalty == 800_000
    assert r.total == 10_800_000
    assert [s.amount for s in r.steps] == [500_000, 100_000, 100_000, 100_000]
    assert [s.cumulative_rate for s in r.steps] == [
        Decimal("0.05"),
        Decimal("0.06"),
        Decimal("0.07"),
        Decimal("0.08"),
    ]
    assert r.steps[0].start == D(2024, 1, 16) and r.steps[0].end == D(2024, 2, 15)
    assert r.steps[3].start == D(2024, 4, 16)
    assert r.steps[0].parameter == "penalties.late_payment.first"
    assert r.steps[1].parameter == "penalties.late_payment.further"
    assert "83-14" in r.steps[0].reference
    assert r.steps[0].label["en"].startswith("Month 1 of delay")
    assert r.steps[0].label["fr"].startswith("Mois 1 de retard")
    assert r.steps[0].label["ar"]


def test_algeria_exactly_three_months_is_three_months() -> None:
    # Paid 15 April, exactly three months after 15 January: 5 + 1 + 1 = 7 % -> 7,000.00 DZD.
    r = late_payment(pack("dz-cnas"), amount=10_000_000, due=D(2024, 1, 15), paid=D(2024, 4, 15))
    assert (r.months, r.penalty) == (3, 700_000)


def test_one_day_late_is_a_whole_first_month() -> None:
    r = late_payment(pack("dz-cnas"), amount=10_000_000, due=D(2024, 1, 15), paid=D(2024, 1, 16))
    assert (r.months, r.rate, r.penalty) == (1, Decimal("0.05"), 500_000)


@pytest.mark.parametrize("paid", [D(2024, 1, 15), D(2024, 1, 14), D(2020, 1, 1)])
def test_paid_on_or_before_the_due_date_is_zero_with_a_step_saying_so(paid: dt.date) -> None:
    r = late_payment(pack("dz-cnas"), amount=10_000_000, due=D(2024, 1, 15), paid=paid)
    assert (r.months, r.penalty, r.rate) == (0, 0, Decimal(0))
    assert len(r.steps) == 1
    assert r.steps[0].component == "on_time"
    assert "on or before the due date" in r.steps[0].label["en"]


def test_morocco_delay_straddling_the_2025_reform_uses_both_rates() -> None:
    # 1,000.00 MAD due 10 January 2025, paid 1 June 2025: 5 months of delay, starting on
    # 11 Jan, 11 Feb, 11 Mar, 11 Apr, 11 May. The reform's 0.5 % applies from 14 March 2025 (the
    # pack's date, U): month 3 began on 11 March, before it -> still 1 %.
    # 3 % + 1 % + 1 % + 0.5 % + 0.5 % = 6 % -> 30.00 + 10.00 + 10.00 + 5.00 + 5.00 = 60.00 MAD.
    r = late_payment(pack("ma-cnss"), amount=100_000, due=D(2025, 1, 10), paid=D(2025, 6, 1))
    assert r.months == 5
    assert [s.rate for s in r.steps] == [
        Decimal("0.03"),
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.005"),
        Decimal("0.005"),
    ]
    assert r.rate == Decimal("0.06") and r.penalty == 6_000
    assert [s.status for s in r.steps] == ["S", "S", "S", "U", "U"]
    assert r.steps[3].note is not None and "14 March 2025" in r.steps[3].note


def test_morocco_month_starting_on_the_reform_date_uses_the_new_rate() -> None:
    # Due 13 February 2025: month 2 starts 14 March 2025, the reform date -> 0.5 %.
    r = late_payment(pack("ma-cnss"), amount=100_000, due=D(2025, 2, 13), paid=D(2025, 3, 20))
    assert [s.rate for s in r.steps] == [Decimal("0.03"), Decimal("0.005")]
    assert r.penalty == 3_500


def test_morocco_amo_has_its_own_schedule_and_other_branches_the_general_one() -> None:
    # AMO: 1 % per month: 3 months -> 3 % of 1,000.00 = 30.00 MAD.
    amo = late_payment(
        pack("ma-cnss"), amount=100_000, due=D(2024, 1, 10), paid=D(2024, 4, 10), branch="amo"
    )
    assert (amo.months, amo.rate, amo.penalty) == (3, Decimal("0.03"), 3_000)
    assert amo.steps[0].parameter == "penalties.late_payment.by_branch.amo.first"
    assert "AMO" in amo.steps[0].label["fr"] or "maladie" in amo.steps[0].label["fr"]
    # The pension branch has no schedule of its own: 3 % + 1 % + 1 % = 5 % -> 50.00 MAD.
    other = late_payment(
        pack("ma-cnss"), amount=100_000, due=D(2024, 1, 10), paid=D(2024, 4, 10), branch="pension"
    )
    assert (other.rate, other.penalty) == (Decimal("0.05"), 5_000)


def test_tunisia_undeclared_wages_add_half_a_percent_a_month() -> None:
    # 1,000.000 TND due 15 January 2025, paid 1 March 2025: 2 months (16 Jan-15 Feb, and part of
    # 16 Feb-15 Mar). Declared: 1 % + 1 % = 2 % -> 20.000 TND.
    # Not declared: + 0.5 % + 0.5 % -> 3 % -> 30.000 TND, shown month by month.
    tn = pack("tn-cnss-rsna")
    declared = late_payment(tn, amount=1_000_000, due=D(2025, 1, 15), paid=D(2025, 3, 1))
    assert (declared.months, declared.penalty) == (2, 20_000)
    hidden = late_payment(
        tn, amount=1_000_000, due=D(2025, 1, 15), paid=D(2025, 3, 1), declared=False
    )
    assert (hidden.rate, hidden.penalty) == (Decimal("0.03"), 30_000)
    assert [(s.index, s.component, s.amount) for s in hidden.steps] == [
        (1, "late_payment", 10_000),
        (1, "not_declared", 5_000),
        (2, "late_payment", 10_000),
        (2, "not_declared", 5_000),
    ]
    assert "2007-51" in hidden.steps[1].reference


def test_members_abroad_pay_fifteen_percent_per_quarter_or_part() -> None:
    # 180,000.00 DZD due 30 April 2025, paid 1 August 2025: 4 months of delay (the fourth began
    # 31 July) -> 2 quarters -> 15 % + 15 % = 30 % -> 54,000.00 DZD.
    r = late_payment(pack("dz-abroad"), amount=18_000_000, due=D(2025, 4, 30), paid=D(2025, 8, 1))
    assert r.months == 4
    assert [s.index for s in r.steps] == [1, 2]
    assert r.steps[0].end == D(2025, 7, 30) and r.steps[1].start == D(2025, 7, 31)
    assert r.penalty == 5_400_000
    assert r.steps[0].label["en"].startswith("Quarter 1 of delay")


def test_casnos_initial_seven_percent_is_marked_unconfirmed() -> None:
    # Minimum contribution 32,400.00 DZD paid one day late: 7 % -> 2,268.00 DZD (status U).
    r = late_payment(pack("dz-casnos"), amount=3_240_000, due=D(2025, 6, 30), paid=D(2025, 7, 1))
    assert (r.months, r.penalty) == (1, 226_800)
    assert r.steps[0].status == "U" and r.steps[0].note


def test_algeria_late_declarations() -> None:
    # DAS filed a month late on 1,000,000.00 DZD of contributions: 15 % -> 150,000.00 (C); the
    # monthly increase defaults to 0, so three months late is still 15 %.
    cnas = pack("dz-cnas")
    das = late_declaration(
        cnas, kind="das", amount=100_000_000, due=D(2025, 1, 31), filed=D(2025, 3, 1)
    )
    assert (das.months, das.penalty) == (2, 15_000_000)
    assert das.steps[0].status == "C"
    dac = late_declaration(
        cnas, kind="dac", amount=100_000_000, due=D(2025, 1, 20), filed=D(2025, 5, 1)
    )
    assert dac.penalty == 5_000_000
    on_time = late_declaration(cnas, kind="das", amount=1, due=D(2025, 1, 31), filed=D(2025, 1, 31))
    assert on_time.penalty == 0
    with pytest.raises(UnknownParameter, match=r"kind: 'xyz'.*das, dac"):
        late_declaration(cnas, kind="xyz", amount=1, due=D(2025, 1, 31), filed=D(2025, 3, 1))


# --- month counting at month ends and leap years ---------------------------------------------


@pytest.mark.parametrize(
    ("due", "paid", "months"),
    [
        # Due on 31 January of a leap year: month 1 ends 29 February, month 2 ends 31 March.
        (D(2024, 1, 31), D(2024, 2, 29), 1),
        (D(2024, 1, 31), D(2024, 3, 1), 2),
        (D(2024, 1, 31), D(2024, 3, 31), 2),
        (D(2024, 1, 31), D(2024, 4, 1), 3),
        # Not a leap year: month 1 ends 28 February.
        (D(2023, 1, 31), D(2023, 2, 28), 1),
        (D(2023, 1, 31), D(2023, 3, 1), 2),
        # Due on 29 February: month 1 ends 29 March; a year later, 28 February 2025 is 12 months.
        (D(2024, 2, 29), D(2024, 3, 29), 1),
        (D(2024, 2, 29), D(2024, 3, 30), 2),
        (D(2024, 2, 29), D(2025, 2, 28), 12),
        (D(2024, 2, 29), D(2025, 3, 1), 13),
        # Due 31 March: months end 30 April, then 31 May (counted from the 31st, not the 30th).
        (D(2024, 3, 31), D(2024, 4, 30), 1),
        (D(2024, 3, 31), D(2024, 5, 1), 2),
        (D(2024, 3, 31), D(2024, 5, 31), 2),
        (D(2024, 3, 31), D(2024, 6, 1), 3),
        # Across a year end.
        (D(2024, 12, 15), D(2025, 1, 15), 1),
        (D(2024, 12, 15), D(2025, 1, 16), 2),
        (D(2024, 12, 15), D(2024, 12, 15), 0),
    ],
)
def test_months_of_delay_at_month_ends(due: dt.date, paid: dt.date, months: int) -> None:
    assert months_of_delay(due, paid) == months
    vec = months_of_delay_array(
        np.array([due], dtype="datetime64[D]"), np.array([paid], dtype="datetime64[D]")
    )
    assert int(vec[0]) == months


def test_each_step_is_rounded_on_its_own() -> None:
    # 0.50 DZD two months late: month 1: 5 % of 50 centimes = 2.5 -> 3 (half up); month 2: 1 % of
    # 50 = 0.5 -> 1. Penalty 4 centimes, although 6 % of 50 is exactly 3: the packs round each
    # month's surcharge before it is posted.
    r = late_payment(pack("dz-cnas"), amount=50, due=D(2024, 1, 15), paid=D(2024, 3, 1))
    assert [s.amount for s in r.steps] == [3, 1]
    assert r.penalty == 4
    batch = late_payment_many(
        pack("dz-cnas"),
        np.array([50], dtype=np.int64),
        np.array(["2024-01-15"], dtype="datetime64[D]"),
        np.array(["2024-03-01"], dtype="datetime64[D]"),
    )
    assert int(batch.penalty[0]) == 4


def _capped_pack(tmp_path: Path) -> Pack:
    files = regime_files()
    files["penalties.yaml"] = {
        "late_payment": {
            "step_months": param("month", {"2010-01-01": 1}),
            "first": param("/1", {"2010-01-01": "0.05"}),
            "further": param("/1", {"2010-01-01": "0.01"}),
            "cap": param("/1", {"2010-01-01": "0.07", "2024-03-01": "0.075"}),
        }
    }
    write_pack(tmp_path, regime_manifest(), files)
    return load_packs_from(tmp_path).regime("xx-test")


def test_a_cap_stops_the_cumulative_rate(tmp_path: Path) -> None:
    # Cap 7 % until 2024-02-29, 7.5 % from 2024-03-01. Due 10 Jan 2024, paid 1 Jul 2024: 6 months
    # starting 11 Jan, 11 Feb, 11 Mar, 11 Apr, 11 May, 11 Jun.
    # 5 % (5) + 1 % (6) + 1 % (7) + 0.5 % (7.5, capped) + 0 + 0 = 7.5 %.
    capped = _capped_pack(tmp_path)
    r = late_payment(capped, amount=1_000_000, due=D(2024, 1, 10), paid=D(2024, 7, 1))
    assert [s.rate for s in r.steps] == [
        Decimal("0.05"),
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.005"),
        Decimal(0),
        Decimal(0),
    ]
    assert r.rate == Decimal("0.075") and r.penalty == 75_000
    batch = late_payment_many(
        capped,
        np.array([1_000_000], dtype=np.int64),
        np.array(["2024-01-10"], dtype="datetime64[D]"),
        np.array(["2024-07-01"], dtype="datetime64[D]"),
    )
    assert int(batch.rate_ppm[0]) == 75_000 and int(batch.penalty[0]) == 75_000


# --- vectorised = scalar ---------------------------------------------------------------------

CASES = [
    ("dz-cnas", True, None),
    ("dz-casnos", True, None),
    ("dz-abroad", True, None),
    ("ma-cnss", True, None),
    ("ma-cnss", True, "amo"),
    ("tn-cnss-rsna", True, None),
    ("tn-cnss-rsna", False, None),
]

lines = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10**11),
        st.dates(min_value=D(2023, 1, 1), max_value=D(2030, 12, 31)),
        st.integers(min_value=-60, max_value=1500),
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize(("pack_id", "declared", "branch"), CASES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=lines)
def test_vectorised_equals_scalar(
    pack_id: str, declared: bool, branch: str | None, data: list[tuple[int, dt.date, int]]
) -> None:
    regime = pack(pack_id)
    amounts = np.array([a for a, _, _ in data], dtype=np.int64)
    due = np.array([d for _, d, _ in data], dtype="datetime64[D]")
    paid = np.array([d + dt.timedelta(days=k) for _, d, k in data], dtype="datetime64[D]")
    batch = late_payment_many(regime, amounts, due, paid, declared=declared, branch=branch)
    for i, (amount, d, k) in enumerate(data):
        one = late_payment(
            regime,
            amount=amount,
            due=d,
            paid=d + dt.timedelta(days=k),
            declared=declared,
            branch=branch,
        )
        assert int(batch.months[i]) == one.months
        assert batch.rate(i) == one.rate
        assert int(batch.penalty[i]) == one.penalty


def test_vectorised_on_a_large_random_batch_equals_scalar() -> None:
    rng = np.random.default_rng(20250314)
    n = 3_000
    regime = pack("ma-cnss")
    amounts = rng.integers(0, 10**9, n, dtype=np.int64)
    due = np.datetime64("2020-01-01") + rng.integers(0, 365 * 8, n).astype("timedelta64[D]")
    paid = due + rng.integers(-30, 900, n).astype("timedelta64[D]")
    batch = late_payment_many(regime, amounts, due, paid)
    for i in range(n):
        one = late_payment(
            regime,
            amount=int(amounts[i]),
            due=due[i].astype(dt.date),
            paid=paid[i].astype(dt.date),
        )
        assert (int(batch.months[i]), int(batch.penalty[i])) == (one.months, one.penalty)


def test_vectorised_accepts_an_empty_batch() -> None:
    batch = late_payment_many(
        pack("dz-cnas"),
        np.array([], dtype=np.int64),
        np.array([], dtype="datetime64[D]"),
        np.array([], dtype="datetime64[D]"),
    )
    assert batch.penalty.shape == (0,)


# --- properties --------------------------------------------------------------------------------

REGIMES = ["dz-cnas", "dz-casnos", "dz-abroad", "ma-cnss", "tn-cnss-rsna"]


@settings(max_examples=150, deadline=None)
@given(
    pack_id=st.sampled_from(REGIMES),
    amount=st.integers(min_value=0, max_value=10**11),
    due=st.dates(min_value=D(2023, 1, 1), max_value=D(2030, 12, 31)),
    a=st.integers(min_value=-40, max_value=2000),
    b=st.integers(min_value=-40, max_value=2000),
)
def test_penalty_is_monotonic_in_delay(
    pack_id: str, amount: int, due: dt.date, a: int, b: int
) -> None:
    early, late = sorted((a, b))
    regime = pack(pack_id)
    first = late_payment(regime, amount=amount, due=due, paid=due + dt.timedelta(days=early))
    second = late_payment(regime, amount=amount, due=due, paid=due + dt.timedelta(days=late))
    assert first.months <= second.months
    assert first.penalty <= second.penalty
    assert first.rate <= second.rate


@settings(max_examples=150, deadline=None)
@given(
    pack_id=st.sampled_from(REGIMES),
    x=st.integers(min_value=0, max_value=10**11),
    y=st.integers(min_value=0, max_value=10**11),
    due=st.dates(min_value=D(2023, 1, 1), max_value=D(2030, 12, 31)),
    delay=st.integers(min_value=0, max_value=2000),
)
def test_penalty_is_monotonic_in_amount(
    pack_id: str, x: int, y: int, due: dt.date, delay: int
) -> None:
    small, big = sorted((x, y))
    regime = pack(pack_id)
    paid = due + dt.timedelta(days=delay)
    assert (
        late_payment(regime, amount=small, due=due, paid=paid).penalty
        <= late_payment(regime, amount=big, due=due, paid=paid).penalty
    )


# --- bad input ---------------------------------------------------------------------------------


def test_negative_amount_is_refused_with_its_value() -> None:
    with pytest.raises(InvalidAmount, match=r"amount: -1 .*negative"):
        late_payment(pack("dz-cnas"), amount=-1, due=D(2024, 1, 15), paid=D(2024, 2, 1))


@pytest.mark.parametrize("amount", [10.5, "1000.00", True, Decimal("10")])
def test_amount_must_be_minor_units(amount: object) -> None:
    with pytest.raises(InvalidAmount, match="amount:"):
        late_payment(pack("dz-cnas"), amount=amount, due=D(2024, 1, 15), paid=D(2024, 2, 1))  # type: ignore[arg-type]


def test_unknown_branch_names_the_branch_and_the_known_ones() -> None:
    with pytest.raises(UnknownBranch, match=r"branch: 'nope'.*ma-cnss.*amo"):
        late_payment(
            pack("ma-cnss"), amount=1, due=D(2024, 1, 15), paid=D(2024, 2, 1), branch="nope"
        )


def test_undeclared_wages_in_a_regime_without_that_surcharge() -> None:
    with pytest.raises(UnknownParameter, match=r"declared: regime dz-cnas has no surcharge"):
        late_payment(
            pack("dz-cnas"), amount=1, due=D(2024, 1, 15), paid=D(2024, 2, 1), declared=False
        )


@pytest.mark.parametrize(
    ("due", "paid", "field"),
    [
        ("2024-01-15", D(2024, 2, 1), "due"),
        (D(2024, 1, 15), dt.datetime(2024, 2, 1, 10, 0), "paid"),
    ],
)
def test_dates_must_be_dates(due: object, paid: object, field: str) -> None:
    with pytest.raises(InvalidDate, match=f"{field}:"):
        late_payment(pack("dz-cnas"), amount=1, due=due, paid=paid)  # type: ignore[arg-type]


def test_a_delay_before_the_first_rate_is_not_in_force() -> None:
    with pytest.raises(NotInForce, match=r"penalties.late_payment.step_months.*2000-01-16"):
        late_payment(pack("tn-cnss-rsna"), amount=1, due=D(2000, 1, 15), paid=D(2000, 3, 1))


def test_a_regime_without_penalties_says_so(tmp_path: Path) -> None:
    write_pack(tmp_path, regime_manifest(), regime_files())
    bare = load_packs_from(tmp_path).regime("xx-test")
    with pytest.raises(UnknownParameter, match=r"xx-test has no late-payment penalties"):
        late_payment(bare, amount=1, due=D(2024, 1, 15), paid=D(2024, 2, 1))


def test_vectorised_bad_input_names_the_line() -> None:
    regime = pack("dz-cnas")
    due = np.array(["2024-01-15", "2024-01-15"], dtype="datetime64[D]")
    paid = np.array(["2024-02-15", "2024-03-15"], dtype="datetime64[D]")
    with pytest.raises(InvalidAmount, match=r"line 2: amount -5"):
        late_payment_many(regime, np.array([10, -5], dtype=np.int64), due, paid)
    with pytest.raises(InvalidAmount, match="whole numbers of minor units"):
        late_payment_many(regime, np.array([1.5, 2.0]), due, paid)
    with pytest.raises(InvalidDate, match=r"paid: 1 lines, but amounts has 2"):
        late_payment_many(regime, np.array([1, 2], dtype=np.int64), due, paid[:1])
    with pytest.raises(InvalidDate, match=r"due: dates must be datetime64"):
        late_payment_many(regime, np.array([1, 2], dtype=np.int64), np.array([1, 2]), paid)
    with pytest.raises(NotInForce, match=r"line 2: penalties.late_payment"):
        late_payment_many(
            pack("tn-cnss-rsna"),
            np.array([1, 2], dtype=np.int64),
            np.array(["2024-01-15", "2001-01-15"], dtype="datetime64[D]"),
            paid,
        )


def test_results_serialise_for_the_command_line() -> None:
    r = late_payment(pack("dz-cnas"), amount=10_000_000, due=D(2024, 1, 15), paid=D(2024, 4, 16))
    data = r.to_json()
    assert data["penalty"] == "8000.00" and data["penalty_minor"] == 800_000
    assert data["months_of_delay"] == 4 and data["rate"] == "0.08"
    assert data["steps"][0]["references"][0]["href"].startswith("https://")
    text = r.to_text()
    assert "Month 4 of delay" in text and "8000.00 DZD" in text
    on_time = late_payment(pack("dz-cnas"), amount=1, due=D(2024, 1, 15), paid=D(2024, 1, 1))
    assert "no penalty" in on_time.to_text()
