"""The automatic eligibility checks: exact birthday arithmetic on the age limit, nationality,
residence, activity, compulsory affiliation — each with its reason."""

from __future__ import annotations

import datetime as dt

import pytest

from tadamun.rules.parameters import load_packs
from tadamun.voluntary.eligibility import Facts, age_on, checks, eligible

PACK = load_packs().regime("dz-abroad")
DAY = dt.date(2026, 11, 23)


def facts(**overrides: object) -> Facts:
    fields: dict[str, object] = {
        "nationality": "DZ",
        "country": "FR",
        "consular_number": "PAR-1",
        "activity": "salaried",
        "birth_date": dt.date(1988, 6, 15),
        "affiliation_date": DAY,
        "open_employment": False,
        "contributor_account": False,
    }
    fields.update(overrides)
    return Facts(**fields)  # type: ignore[arg-type]


def failed(found: Facts) -> list[str]:
    return [c.code for c in checks(found, PACK) if not c.ok]


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (dt.date(1971, 11, 24), DAY, 54),  # 55 tomorrow: 54 years and 364 days
        (dt.date(1971, 11, 23), DAY, 55),  # 55 today
        (dt.date(1971, 11, 22), DAY, 55),
        (dt.date(1972, 2, 29), dt.date(2027, 2, 28), 54),  # born on 29 February: not yet
        (dt.date(1972, 2, 29), dt.date(2027, 3, 1), 55),
        (dt.date(1972, 2, 29), dt.date(2028, 2, 29), 56),
    ],
)
def test_age_is_counted_in_whole_years_to_the_day(birth: dt.date, day: dt.date, age: int) -> None:
    assert age_on(birth, day) == age


def test_54_years_and_364_days_is_eligible_and_55_is_not() -> None:
    young = facts(birth_date=dt.date(1971, 11, 24))
    assert eligible(checks(young, PACK))
    old = facts(birth_date=dt.date(1971, 11, 23))
    assert failed(old) == ["age"]
    [reason] = [c for c in checks(old, PACK) if c.code == "age"]
    assert "55" in reason.message("en") and "under 55" in reason.message("en")
    assert "55 ans" in reason.message("fr") and "55" in reason.message("ar")


def test_every_check_is_returned_with_its_reason_passed_or_not() -> None:
    found = checks(facts(), PACK)
    assert [c.code for c in found] == [
        "nationality",
        "consular_registration",
        "activity_abroad",
        "age",
        "not_compulsory",
    ]
    assert all(c.ok for c in found)
    assert all(c.message(lang) for c in found for lang in ("fr", "ar", "en"))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"nationality": "FR"}, "nationality"),
        ({"country": "DZ"}, "consular_registration"),
        ({"consular_number": ""}, "consular_registration"),
        ({"activity": ""}, "activity_abroad"),
        ({"open_employment": True}, "not_compulsory"),
        ({"contributor_account": True}, "not_compulsory"),
    ],
)
def test_each_condition_refuses_on_its_own(overrides: dict[str, object], code: str) -> None:
    assert failed(facts(**overrides)) == [code]


def test_wrong_nationality_says_why() -> None:
    [check] = [c for c in checks(facts(nationality="MA"), PACK) if not c.ok]
    assert "Algerian nationality: no" in check.message("en")
    assert "22-351" in check.message("fr")
