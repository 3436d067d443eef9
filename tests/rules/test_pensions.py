"""Pension estimates: worked examples by hand, properties, and bad career histories."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.rules.errors import InvalidDate, InvalidHistory, UnknownParameter
from tadamun.rules.parameters import PACKS_DIR, DatedValue, Pack, load_packs, load_packs_from
from tadamun.rules.pensions import (
    CareerEntry,
    CareerHistory,
    estimate,
    parse_history,
    read_history,
)
from tadamun.rules.periods import month_index
from tests.rules.packbuilder import regime_files, regime_manifest, write_pack

D = dt.date


def pack(pack_id: str) -> Pack:
    return load_packs().regime(pack_id)


def run(first: tuple[int, int], count: int, wage: int, days: int = 26) -> tuple[CareerEntry, ...]:
    """``count`` months from ``first`` (year, month), each with ``wage`` minor units."""
    start = month_index(*first)
    return tuple(CareerEntry(start + i, wage, days) for i in range(count))


def history(
    birth: dt.date,
    career: tuple[CareerEntry, ...],
    *,
    sex: str = "M",
    children: int = 0,
    retirement: dt.date | None = None,
) -> CareerHistory:
    return CareerHistory(birth, sex, children, career, retirement)


# --- Morocco -------------------------------------------------------------------------------------

MA_BIRTH = D(1965, 3, 5)  # 60 on 5 March 2025: the pension starts 1 April 2025


def test_morocco_3240_days_exactly_gives_fifty_percent() -> None:
    # 124 months of 26 days + one month of 16 days = 3,224 + 16 = 3,240 days.
    # Reference: the last declared month (2022-05, 16 days) is left out; the 96 months before
    # it (2014-05 to 2022-04) at 8,000.00 MAD, each capped at the 6,000.00 ceiling:
    # 96 × 6,000.00 ÷ 96 = 6,000.00. Rate 50 % -> 3,000.00 MAD.
    career = (*run((2012, 1), 124, 800_000), CareerEntry(month_index(2022, 5), 800_000, 16))
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, career))
    assert e.start == D(2025, 4, 1)
    assert e.step("periods").value == "3240 days"
    assert e.outcome == "pension"
    assert e.reference_wage == 600_000
    assert e.rate == Decimal("0.5")
    assert e.monthly_gross == 300_000
    ref = e.step("reference_wage")
    assert "2014-05 to 2022-04" in ref.formula and "96 capped" in ref.formula
    # The pack's ceiling starts in 2024: earlier months use its first value, flagged U.
    assert ref.status == "U" and any("first value" in n for n in ref.notes)


def test_morocco_3456_days_gives_fifty_one_percent() -> None:
    # 132 × 26 + 24 = 3,456 days = 3,240 + 216 -> 50 % + 1 × 1 % = 51 %.
    # Reference 5,000.00 (under the ceiling) -> 2,550.00 MAD.
    career = (*run((2011, 1), 132, 500_000), CareerEntry(month_index(2022, 1), 500_000, 24))
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, career))
    assert e.step("periods").value == "3456 days"
    assert e.rate == Decimal("0.51")
    assert e.monthly_gross == 255_000


def test_morocco_one_day_short_of_a_further_216_days_stays_at_fifty_percent() -> None:
    # 132 × 26 + 23 = 3,455 days -> ⌊215 ÷ 216⌋ = 0 -> 50 %.
    career = (*run((2011, 1), 132, 500_000), CareerEntry(month_index(2022, 1), 500_000, 23))
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, career))
    assert e.rate == Decimal("0.5") and e.monthly_gross == 250_000


def test_morocco_rate_is_capped_at_seventy_percent() -> None:
    # 400 months × 26 = 10,400 days: 50 % + ⌊7,160 ÷ 216⌋ = 33 points -> 83 %, capped at 70 %.
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, run((1990, 1), 400, 500_000)))
    assert e.rate == Decimal("0.7") and e.monthly_gross == 350_000


def test_morocco_minimum_pension_is_1000_mad() -> None:
    # 3,250 days at 1,500.00 MAD: 50 % = 750.00 -> raised to the minimum, 1,000.00 MAD.
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, run((2012, 1), 125, 150_000)))
    assert e.step("gross").amount == 75_000
    assert e.monthly_gross == 100_000
    assert "minimum" in e.step("minimum").parameters[0]


def test_morocco_1500_days_after_2023_is_a_flat_600_mad() -> None:
    # 57 × 26 + 18 = 1,500 days, pension starting 1 April 2025: band 1,320-1,704 -> 600.00 MAD.
    career = (*run((2018, 1), 57, 400_000), CareerEntry(month_index(2022, 10), 400_000, 18))
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, career))
    assert e.outcome == "flat_pension"
    assert e.monthly_gross == 60_000
    assert "1320 to 1704" in e.step("flat").formula
    assert e.eligible


@pytest.mark.parametrize(
    ("days_total", "amount"),
    [
        (1320, 60_000),
        (1704, 60_000),
        (1705, 70_000),
        (2472, 80_000),
        (2857, 100_000),
        (3239, 100_000),
    ],
)
def test_morocco_flat_bands(days_total: int, amount: int) -> None:
    full, rest = divmod(days_total, 26)
    career = run((2010, 1), full, 400_000) + (
        (CareerEntry(month_index(2010, 1) + full, 400_000, rest),) if rest else ()
    )
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, career))
    assert e.outcome == "flat_pension" and e.monthly_gross == amount


def test_morocco_flat_pensions_do_not_exist_before_2023() -> None:
    # The same 1,500 days for a pension that started 1 June 2022: 3,240 days were required.
    career = (*run((2015, 1), 57, 400_000), CareerEntry(month_index(2019, 10), 400_000, 18))
    e = estimate(pack("ma-cnss"), history(D(1962, 5, 20), career), start=D(2022, 6, 1))
    assert e.outcome == "not_eligible" and e.monthly_gross == 0


def test_morocco_below_1320_days_is_a_refund_not_computed() -> None:
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, run((2018, 1), 40, 400_000)))
    assert e.outcome == "refund" and e.monthly_gross == 0 and not e.eligible
    assert any("not computed" in n for n in e.step("result").notes)


def test_morocco_days_above_26_a_month_are_not_counted() -> None:
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, run((2012, 1), 125, 500_000, days=28)))
    assert e.step("periods").value == "3250 days"


def test_morocco_before_the_age_is_not_eligible() -> None:
    e = estimate(
        pack("ma-cnss"), history(MA_BIRTH, run((2012, 1), 125, 500_000)), start=D(2025, 3, 1)
    )
    assert e.outcome == "not_eligible"
    assert e.step("age").value.startswith("not met")


# --- Algeria -------------------------------------------------------------------------------------


def test_algerian_woman_with_three_children_retires_at_52() -> None:
    # Born 12 April 1974, three children: 55 − 3 = 52, reached 12 April 2026 -> start 1 May 2026.
    # 30 years (1996-2025) at 80,000.00 DZD: 120 quarters -> 120 × 0.625 % = 75 %.
    # Best 5 years: 80,000.00 -> 60,000.00 DZD; under 15 × 24,000 and over 0.75 × 24,000.
    h = history(D(1974, 4, 12), run((1996, 1), 360, 8_000_000), sex="F", children=3)
    e = estimate(pack("dz-cnas"), h)
    assert e.start == D(2026, 5, 1)
    assert "55 − min(3 children, 3) × 1 = 52" in e.step("age").formula
    assert e.step("periods").value == "120 quarters"
    assert e.outcome == "pension"
    assert e.rate == Decimal("0.75")
    assert e.reference_wage == 8_000_000
    assert e.monthly_gross == 6_000_000
    assert all(p.startswith("dz-common:") for s in e.steps for p in s.parameters)


def test_the_same_career_for_a_man_at_52_is_not_eligible() -> None:
    h = history(D(1974, 4, 12), run((1996, 1), 360, 8_000_000), sex="M")
    e = estimate(pack("dz-cnas"), h, start=D(2026, 5, 1))
    assert e.outcome == "not_eligible" and e.monthly_gross == 0


def test_children_beyond_three_do_not_lower_the_age_further() -> None:
    h = history(D(1974, 4, 12), run((1996, 1), 360, 8_000_000), sex="F", children=5)
    assert estimate(pack("dz-cnas"), h).start == D(2026, 5, 1)


def test_algeria_rate_is_capped_at_eighty_percent_and_gross_at_15_snmg() -> None:
    # 40 years at 1,000,000.00 DZD: 160 quarters -> 100 %, capped at 80 % -> 800,000.00,
    # capped at 15 × 24,000.00 = 360,000.00 DZD (start 2026).
    h = history(D(1966, 1, 10), run((1986, 1), 480, 100_000_000))
    e = estimate(pack("dz-casnos"), h)
    assert e.rate == Decimal("0.8")
    assert e.step("gross").amount == 80_000_000
    assert e.monthly_gross == 36_000_000


def test_algeria_minimum_is_three_quarters_of_the_snmg() -> None:
    # 15 years at 10,000.00 DZD: 60 quarters -> 37.5 % -> 3,750.00, raised to 0.75 × 24,000.00
    # = 18,000.00 DZD (C: the CNR is said to pay 100 %).
    h = history(D(1966, 1, 10), run((2011, 1), 180, 1_000_000))
    e = estimate(pack("dz-cnas"), h)
    assert e.rate == Decimal("0.375")
    assert e.step("gross").amount == 375_000
    assert e.monthly_gross == 1_800_000
    assert e.step("minimum").status == "C"


def test_algeria_best_years_are_chosen_by_average_monthly_wage() -> None:
    # 2000-2004 at 100,000.00, then 2005-2025 at 50,000.00: the best five years are 2000-2004.
    career = run((2000, 1), 60, 10_000_000) + run((2005, 1), 252, 5_000_000)
    e = estimate(pack("dz-cnas"), history(D(1966, 1, 10), career))
    assert e.reference_wage == 10_000_000
    assert "2000 (12 months)" in e.step("reference_wage").formula


def test_algeria_last_years_reading_is_a_parameter() -> None:
    # The same career with `reference_wage.method: last` from 2020: the 60 months before the
    # start (2021-02 to 2026-01) at 50,000.00.
    packs = load_packs_from(PACKS_DIR)  # a private copy, safe to change
    common = packs["dz-common"]
    method = common.parameters["pension.reference_wage.method"]
    old = method.values[0]
    common.parameters["pension.reference_wage.method"] = dataclasses.replace(
        method,
        values=(old, DatedValue(D(2020, 1, 1), "last", old.references, "C", "test")),
    )
    career = run((2000, 1), 60, 10_000_000) + run((2005, 1), 252, 5_000_000)
    e = estimate(packs.regime("dz-cnas"), history(D(1966, 1, 10), career))
    assert e.reference_wage == 5_000_000
    assert "2021-02 to 2026-01" in e.step("reference_wage").formula


def test_algeria_five_to_fifteen_years_gives_an_unconfirmed_allocation() -> None:
    # 10 years at 60,000.00 DZD: 40 quarters -> 25 % -> 15,000.00, no minimum; marked U.
    e = estimate(pack("dz-cnas"), history(D(1966, 1, 10), run((2016, 1), 120, 6_000_000)))
    assert e.outcome == "allocation" and e.eligible
    assert e.monthly_gross == 1_500_000
    assert e.step("result").status == "U" and e.status == "U"


def test_algeria_under_five_years_is_not_eligible() -> None:
    e = estimate(pack("dz-cnas"), history(D(1966, 1, 10), run((2022, 1), 48, 6_000_000)))
    assert e.outcome == "not_eligible"


def test_algeria_a_quarter_needs_fifteen_days() -> None:
    # 60 quarters, each with one month of 14 days: none is validated.
    career = tuple(CareerEntry(month_index(2010, 1) + 3 * q, 6_000_000, 14) for q in range(60))
    e = estimate(pack("dz-cnas"), history(D(1966, 1, 10), career))
    assert e.step("periods").value == "0 quarters"


# --- Tunisia -------------------------------------------------------------------------------------

TN_BIRTH = D(1966, 1, 12)  # 60 on 12 January 2026: the pension starts 1 February 2026


def test_tunisian_with_40_quarters_gets_forty_percent() -> None:
    # 120 months (2016-02 to 2026-01) at 1,000.000 TND: 40 quarters × 1 % = 40 %.
    # Reference 1,000.000 (under 6 × SMIG) -> 400.000 TND; minimum 2/3 × 554.736 ÷ 208 × 2,400
    # ÷ 12 = 355.600 TND.
    e = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((2016, 2), 120, 1_000_000)))
    assert e.start == D(2026, 2, 1)
    assert e.rate == Decimal("0.4")
    assert e.reference_wage == 1_000_000
    assert e.monthly_gross == 400_000
    assert "355.600 TND" in e.step("minimum").formula


def test_tunisian_with_120_quarters_gets_eighty_percent() -> None:
    # 360 months: 40 × 1 % + 80 × 0.5 % = 80 % (the cap) -> 800.000 TND.
    e = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((1996, 2), 360, 1_000_000)))
    assert e.rate == Decimal("0.8") and e.monthly_gross == 800_000
    more = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((1986, 2), 480, 1_000_000)))
    assert more.rate == Decimal("0.8")


def test_tunisian_quarters_are_complete_three_month_periods() -> None:
    # 131 months -> 43 quarters -> 40 % + 3 × 0.5 % = 41.5 %.
    e = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((2015, 3), 131, 1_000_000)))
    assert e.rate == Decimal("0.415")


def test_tunisian_minimum_pension() -> None:
    # 300.000 TND × 40 % = 120.000 -> raised to 355.600 TND.
    e = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((2016, 2), 120, 300_000)))
    assert e.step("gross").amount == 120_000 and e.monthly_gross == 355_600


def test_tunisian_wages_are_limited_to_six_smig_a_year() -> None:
    # 5,000.000 TND a month: in 2025 the year's wages, 60,000.000, count up to
    # 6 × (528.320 ÷ 208 = 2.540) × 2,400 = 36,576.000 TND.
    e = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((2016, 2), 120, 5_000_000)))
    notes = " ".join(e.step("reference_wage").notes)
    assert "2025: 60000.000 TND → 36576.000 TND" in notes
    assert e.reference_wage is not None and e.reference_wage < 5_000_000


def test_tunisian_under_ten_years_is_not_eligible() -> None:
    e = estimate(pack("tn-cnss-rsna"), history(TN_BIRTH, run((2017, 1), 119, 1_000_000)))
    assert e.outcome == "not_eligible"


def test_months_at_or_after_the_start_are_not_counted() -> None:
    e = estimate(
        pack("tn-cnss-rsna"), history(TN_BIRTH, run((2016, 2), 130, 1_000_000))
    )  # 10 months after the start
    assert e.rate == Decimal("0.4")
    assert any("10 month(s)" in n for n in e.step("periods").notes)


# --- properties ----------------------------------------------------------------------------------

CAPS = {"dz-cnas": Decimal("0.8"), "ma-cnss": Decimal("0.7"), "tn-cnss-rsna": Decimal("0.8")}
MINIMUM = {"dz-cnas": 1_800_000, "ma-cnss": 100_000, "tn-cnss-rsna": 355_600}  # for a 2026 start


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pack_id=st.sampled_from(sorted(CAPS)),
    first_year=st.integers(min_value=1985, max_value=2024),
    months=st.integers(min_value=1, max_value=480),
    wage=st.integers(min_value=0, max_value=5_000_000),
    days=st.integers(min_value=0, max_value=28),
    sex=st.sampled_from(["F", "M"]),
    children=st.integers(min_value=0, max_value=6),
)
def test_rate_never_above_cap_and_pension_never_below_minimum(
    pack_id: str, first_year: int, months: int, wage: int, days: int, sex: str, children: int
) -> None:
    start = month_index(first_year, 1)
    stop = min(start + months, month_index(2026, 1))
    career = tuple(CareerEntry(m, wage, days) for m in range(start, stop))
    if not career:
        career = (CareerEntry(start, wage, days),)
    h = CareerHistory(D(1960, 6, 15), sex, children, career)
    e = estimate(pack(pack_id), h, start=D(2026, 2, 1))
    assert e.monthly_gross >= 0
    if e.rate is not None:
        assert Decimal(0) <= e.rate <= CAPS[pack_id]
    if e.outcome == "pension":
        assert e.monthly_gross >= MINIMUM[pack_id]
    if not e.eligible:
        assert e.monthly_gross == 0
    assert [s.key for s in e.steps][:2] == ["start", "age"]
    assert e.steps[-1].key == "result"


# --- reading histories ---------------------------------------------------------------------------

EXAMPLE = """\
birth_date: 1966-04-12
sex: F
children: 2
retirement_date: 2026-06-01   # optional
career:
  - {period: 2010-01, wage: "45000.00", days: 26}
  - {from: 2011-01, to: 2015-12, wage: "52000.00", days: 26}
"""


def write(tmp_path: Path, text: str, name: str = "history.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_read_the_documented_example(tmp_path: Path) -> None:
    h = read_history(write(tmp_path, EXAMPLE), currency="DZD")
    assert h.birth_date == D(1966, 4, 12) and h.sex == "F" and h.children == 2
    assert h.retirement_date == D(2026, 6, 1)
    assert len(h.career) == 1 + 60
    assert h.career[0] == CareerEntry(month_index(2010, 1), 4_500_000, 26)
    assert h.career[-1] == CareerEntry(month_index(2015, 12), 5_200_000, 26)
    e = estimate(pack("dz-cnas"), h)
    assert e.start == D(2026, 6, 1) and e.outcome == "allocation"


def test_read_json_and_unquoted_numbers_exactly(tmp_path: Path) -> None:
    data = {
        "birth_date": "1966-04-12",
        "sex": "m",
        "children": 0,
        "currency": "TND",
        "career": [{"period": "2020-02", "wage": 1234.567, "days": 29}],
    }
    h = read_history(write(tmp_path, json.dumps(data), "h.json"))
    assert h.career == (CareerEntry(month_index(2020, 2), 1_234_567, 29),)
    assert h.sex == "M" and h.currency == "TND"
    yaml_h = read_history(
        write(tmp_path, EXAMPLE.replace('"45000.00"', "45000.10")), currency="DZD"
    )
    assert yaml_h.career[0].wage == 4_500_010


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("1966-04-12", "1966-02-30"), r"birth_date: '1966-02-30' is not a date"),
        (
            ('"45000.00"', '"45000.001"'),
            r"career entry 1: wage: '45000.001' has more than 2 decimals",
        ),
        (('"52000.00"', '"-5.00"'), r"career entry 2: wage: .*negative"),
        (("sex: F", "sex: X"), r"sex: 'X' is not one of 'F', 'M'"),
        (("period: 2010-01", "period: 2010-13"), r"career entry 1: period: '2010-13' has month 13"),
        (
            ("days: 26}\n  - {from", "days: 40}\n  - {from"),
            r"career entry 1: days: 40 is not between 0 and 31",
        ),
        (('wage: "45000.00"', 'wages: "45000.00"'), r"career entry 1: unknown field 'wages'"),
        (("to: 2015-12", "to: 2010-12"), r"career entry 2: to: 2010-12 is before from 2011-01"),
        (("children: 2", "children: -1"), r"children: -1 is negative"),
        (("children: 2", "children: two"), r"children: 'two' is not a whole number"),
        (
            ("retirement_date: 2026-06-01", "retirement_date: 2026-06"),
            r"retirement_date: '2026-06'",
        ),
        (("birth_date", "birthday"), r"unknown field 'birthday'"),
    ],
)
def test_bad_histories_name_the_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = EXAMPLE.replace(*change)
    assert text != EXAMPLE
    with pytest.raises(InvalidHistory, match=message):
        read_history(write(tmp_path, text), currency="DZD")


def test_empty_career_is_refused(tmp_path: Path) -> None:
    text = EXAMPLE.split("career:")[0] + "career: []\n"
    with pytest.raises(InvalidHistory, match=r"career: the career is empty"):
        read_history(write(tmp_path, text), currency="DZD")


def test_february_days_depend_on_the_year(tmp_path: Path) -> None:
    ok = EXAMPLE.replace("period: 2010-01", "period: 2016-02").replace(
        "days: 26}\n  - {from", "days: 29}\n  - {from"
    )
    assert read_history(write(tmp_path, ok), currency="DZD").career[-1].days == 29
    bad = ok.replace("2016-02", "2017-02")
    with pytest.raises(InvalidHistory, match=r"days: 29 is not between 0 and 28 .*2017-02"):
        read_history(write(tmp_path, bad), currency="DZD")


def test_a_month_given_twice_is_refused(tmp_path: Path) -> None:
    text = EXAMPLE.replace("period: 2010-01", "period: 2011-03")
    with pytest.raises(InvalidHistory, match=r"period: 2011-03 is already given"):
        read_history(write(tmp_path, text), currency="DZD")


def test_currency_must_be_known_and_match(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    with pytest.raises(InvalidHistory, match=r"currency: unknown"):
        read_history(path)
    with pytest.raises(InvalidHistory, match=r"currency: the file says MAD.*DZD"):
        read_history(write(tmp_path, EXAMPLE + "currency: MAD\n"), currency="DZD")
    mad = read_history(path, currency="MAD")
    with pytest.raises(InvalidHistory, match=r"wages are in MAD, but regime dz-cnas pays in DZD"):
        estimate(pack("dz-cnas"), mad)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidHistory, match="no such file"):
        read_history(tmp_path / "missing.yaml", currency="DZD")
    with pytest.raises(InvalidHistory, match="not valid JSON"):
        read_history(write(tmp_path, "{", "h.json"), currency="DZD")
    with pytest.raises(InvalidHistory, match="not valid YAML"):
        read_history(write(tmp_path, "career: [\n"), currency="DZD")
    with pytest.raises(InvalidHistory, match="must be a mapping"):
        read_history(write(tmp_path, "- 1\n"), currency="DZD")


def test_parse_history_from_data() -> None:
    h = parse_history(
        {
            "birth_date": "1970-01-01",
            "sex": "F",
            "children": 1,
            "career": [{"period": "2000-01", "wage": "100.00", "days": 0}],
        },
        currency="MAD",
    )
    assert h.career[0].wage == 10_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sex": "X"}, r"sex: 'X'"),
        ({"career": ()}, r"career: the career is empty"),
        ({"children": -2}, r"children: -2 is negative"),
        ({"career": (CareerEntry(month_index(2000, 1), -1, 10),)}, r"career entry 1: wage: -1"),
        (
            {"career": (CareerEntry(month_index(2000, 2), 1, 30),)},
            r"days: 30 is not between 0 and 29",
        ),
        (
            {"career": (CareerEntry(month_index(1950, 1), 1, 1),)},
            r"period: 1950-01 is before the birth",
        ),
        ({"birth_date": "1960-01-01"}, r"birth_date: '1960-01-01' is not a date"),
    ],
)
def test_career_history_validates_itself(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "birth_date": D(1960, 1, 1),
        "sex": "M",
        "children": 0,
        "career": (CareerEntry(month_index(2000, 1), 100, 10),),
    }
    fields.update(kwargs)
    with pytest.raises(InvalidHistory, match=message):
        CareerHistory(**fields)  # type: ignore[arg-type]


def test_start_must_be_a_date_after_birth() -> None:
    h = history(MA_BIRTH, run((2012, 1), 125, 500_000))
    with pytest.raises(InvalidDate, match="start:"):
        estimate(pack("ma-cnss"), h, start=D(1960, 1, 1))


def test_a_regime_without_pension_rules_says_so(tmp_path: Path) -> None:
    write_pack(tmp_path, regime_manifest(), regime_files())
    bare = load_packs_from(tmp_path).regime("xx-test")
    with pytest.raises(UnknownParameter, match=r"xx-test has no pension rules"):
        estimate(bare, history(MA_BIRTH, run((2012, 1), 125, 500_000)))


def test_estimates_serialise_for_the_command_line() -> None:
    e = estimate(pack("ma-cnss"), history(MA_BIRTH, run((2012, 1), 125, 500_000)))
    data = e.to_json()
    assert data["monthly_gross"] == "2500.00" and data["monthly_gross_minor"] == 250_000
    assert data["outcome"] == "pension" and data["rate"] == "0.5"
    keys = [s["key"] for s in data["steps"]]
    assert keys == [
        "start",
        "age",
        "periods",
        "eligibility",
        "reference_wage",
        "rate",
        "gross",
        "minimum",
        "result",
    ]
    assert all(set(s["label"]) == {"fr", "ar", "en"} for s in data["steps"])
    text = e.to_text()
    assert "Monthly gross pension: 2500.00 MAD" in text and "cnss.ma" in text
