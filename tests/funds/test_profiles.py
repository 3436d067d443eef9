"""The three fund profiles: currency, languages, time zone, identifiers, regimes, deadlines."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from tadamun.funds import FUNDS, Period, Periodicity, UnknownFund, get_fund
from tadamun.rules.parameters import load_packs


def test_three_funds() -> None:
    assert sorted(FUNDS) == ["dz-casnos", "dz-cnas", "ma-cnss", "tn-cnss"]


@pytest.mark.parametrize(
    ("code", "currency", "decimals", "timezone", "regimes"),
    [
        ("dz-cnas", "DZD", 2, "Africa/Algiers", ("dz-cnas", "dz-casnos", "dz-abroad")),
        ("ma-cnss", "MAD", 2, "Africa/Casablanca", ("ma-cnss",)),
        ("tn-cnss", "TND", 3, "Africa/Tunis", ("tn-cnss-rsna",)),
    ],
)
def test_profile(
    code: str, currency: str, decimals: int, timezone: str, regimes: tuple[str, ...]
) -> None:
    fund = get_fund(code)
    assert fund.currency.code == currency
    assert fund.currency.decimals == decimals
    assert fund.timezone == timezone
    zoneinfo.ZoneInfo(fund.timezone)
    assert fund.regimes == regimes
    assert set(fund.languages) == {"fr", "ar", "en"}
    assert fund.default_language == "fr"
    assert all(fund.name[lang] and fund.country_name[lang] for lang in ("fr", "ar", "en"))


@pytest.mark.parametrize("code", sorted(FUNDS))
def test_regimes_exist_as_packs(code: str) -> None:
    fund = get_fund(code)
    known = load_packs().regimes()
    assert set(fund.regimes) <= set(known)
    for regime in fund.regimes:
        assert fund.pack(regime).currency.code == fund.currency_code


@pytest.mark.parametrize("code", sorted(FUNDS))
def test_identifier_schemes_issue_valid_numbers(code: str) -> None:
    fund = get_fund(code)
    for scheme in (fund.employer_number, fund.insured_number):
        assert scheme.issue is not None
        number = scheme.issue(7)
        assert scheme.validate(number) == number


def test_unknown_fund_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFund, match=r"'xx-cnss'.*dz-cnas, ma-cnss, tn-cnss"):
        get_fund("xx-cnss")


@pytest.mark.parametrize(
    ("code", "period", "due"),
    [
        # Algeria DAC: 30 days after the month or quarter (fallback; the pack has no due value)
        ("dz-cnas", "2026-01", dt.date(2026, 3, 2)),
        ("dz-cnas", "2026-Q1", dt.date(2026, 4, 30)),
        # Morocco BDS: the 10th of the following month (declarations.bds.due_day in the pack)
        ("ma-cnss", "2026-01", dt.date(2026, 2, 10)),
        ("ma-cnss", "2025-12", dt.date(2026, 1, 10)),
        # Tunisia DS: 15 days after the quarter
        ("tn-cnss", "2026-Q1", dt.date(2026, 4, 15)),
        ("tn-cnss", "2025-Q4", dt.date(2026, 1, 15)),
    ],
)
def test_due_dates(code: str, period: str, due: dt.date) -> None:
    assert get_fund(code).due_date(Period.parse(period)) == due


def test_morocco_due_day_comes_from_the_pack() -> None:
    fund = get_fund("ma-cnss")
    pack = fund.pack()
    assert fund.due.days.pack_param is not None
    day = pack.param(fund.due.days.pack_param).int_at(dt.date(2026, 1, 1))
    assert fund.due_date(Period.parse("2026-01")) == dt.date(2026, 2, day)


def test_due_date_refuses_a_periodicity_the_fund_does_not_use() -> None:
    with pytest.raises(ValueError, match="tn-cnss declares quarterly, not monthly"):
        get_fund("tn-cnss").due_date(Period.parse("2026-01"))


def test_algeria_periodicity_follows_the_pack_threshold() -> None:
    fund = get_fund("dz-cnas")
    assert fund.monthly_headcount_threshold is not None
    on = dt.date(2026, 1, 1)
    threshold = fund.monthly_headcount_threshold.value(fund.pack(), on)
    assert fund.periodicity_for(headcount=threshold, on=on) is Periodicity.MONTHLY
    assert fund.periodicity_for(headcount=threshold - 1, on=on) is Periodicity.QUARTERLY


def test_morocco_and_tunisia_have_one_periodicity() -> None:
    on = dt.date(2026, 1, 1)
    assert get_fund("ma-cnss").periodicity_for(headcount=1, on=on) is Periodicity.MONTHLY
    assert get_fund("tn-cnss").periodicity_for(headcount=500, on=on) is Periodicity.QUARTERLY


def test_activity_classes_come_from_the_employers_regime() -> None:
    for fund in FUNDS.values():
        assert fund.activity_classes() == fund.pack().activity_classes()
