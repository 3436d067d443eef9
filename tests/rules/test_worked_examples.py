"""The published worked examples, through the shipped packs (rules.md cites each source)."""

from __future__ import annotations

import pytest

from tadamun.rules.contributions import Payslip, payslip
from tadamun.rules.money import Currency
from tadamun.rules.parameters import load_packs
from tadamun.rules.periods import parse_period

TND, MAD, DZD = Currency.of("TND"), Currency.of("MAD"), Currency.of("DZD")


def slip(regime: str, base: str, period: str, **kwargs: str) -> Payslip:
    pack = load_packs().regime(regime)
    return payslip(regime, base=pack.currency.parse(base), period=parse_period(period), **kwargs)


def sourced_total(s: Payslip, payer: str) -> int:
    """RSNA totals as published exclude the employer's class-based work-accident rate."""
    return sum(
        line.amount for line in s.lines if line.payer == payer and line.branch != "work_accident"
    )


@pytest.mark.parametrize(
    ("period", "employer", "employee"),
    [("2016-01", "165.700", "91.800"), ("2007-01", "160.000", "77.500")],
)
def test_tunisia_openfisca_examples(period: str, employer: str, employee: str) -> None:
    classes = load_packs().regime("tn-cnss-rsna").activity_classes()
    s = slip("tn-cnss-rsna", "1000.000", period, activity_class=classes[0])
    assert sourced_total(s, "employer") == TND.parse(employer)
    assert sourced_total(s, "employee") == TND.parse(employee)


def test_tunisia_2025_total_with_job_loss_fund() -> None:
    classes = load_packs().regime("tn-cnss-rsna").activity_classes()
    s = slip("tn-cnss-rsna", "1000.000", "2025-03", activity_class=classes[0])
    assert sourced_total(s, "employer") + sourced_total(s, "employee") == TND.parse("267.500")
    job_loss = {line.payer: line.amount for line in s.lines if line.branch == "job_loss"}
    assert job_loss == {"employer": 5_000, "employee": 5_000}


def test_tunisia_work_accident_rate_follows_the_class() -> None:
    pack = load_packs().regime("tn-cnss-rsna")
    amounts = set()
    for cls in pack.activity_classes():
        s = slip("tn-cnss-rsna", "1000.000", "2025-03", activity_class=cls)
        accident = [line for line in s.lines if line.branch == "work_accident"]
        assert len(accident) == 1 and accident[0].payer == "employer"
        assert TND.parse("4.000") <= accident[0].amount <= TND.parse("40.000")  # 0.4 % … 4 %
        amounts.add(accident[0].amount)
    assert len(amounts) > 1


@pytest.mark.parametrize(
    ("period", "base", "total"),
    [("2025-01", "3266.96", "909.19"), ("2024-06", "3111.39", "865.90")],
)
def test_morocco_smig_examples(period: str, base: str, total: str) -> None:
    s = slip("ma-cnss", base, period)
    assert s.total() == MAD.parse(total)


def test_morocco_ceiling_applies_to_short_term_and_pension_only() -> None:
    s = slip("ma-cnss", "10000.00", "2025-01")
    bases = {line.branch: line.base for line in s.lines}
    capped = {b for b, v in bases.items() if v == MAD.parse("6000.00")}
    uncapped = {b for b, v in bases.items() if v == MAD.parse("10000.00")}
    assert "pension" in capped and any(b in capped for b in ("short_term", "job_loss"))
    assert {"family_allowances", "amo", "amo_solidarity", "vocational_training"} <= uncapped


def test_casnos_minimum_contribution_at_snmg_18000() -> None:
    # 15 % × 12 × 18,000 = 32,400 DZD: a declared income below the floor pays on the floor.
    s = slip("dz-casnos", "0.00", "2019-01")
    assert s.total() == DZD.parse("32400.00")


def test_casnos_maximum_base_is_20_snmg_a_year() -> None:
    s = slip("dz-casnos", "100000000.00", "2021-01")  # SNMG 20,000 → 4,800,000 a year at most
    assert s.total() == DZD.parse("720000.00")


def test_cnas_split_totals_34_5_percent() -> None:
    s = slip("dz-cnas", "100000.00", "2026-01")
    assert s.total("employer") == DZD.parse("25000.00")
    assert s.total("employee") == DZD.parse("9000.00")
    assert s.total() == DZD.parse("34500.00")


def test_abroad_quarterly_floor_is_three_snmg_a_month() -> None:
    # 31.25 % × 3 × 20,000 × 3 months = 56,250 DZD for a quarter of 2025 declared below the floor
    s = slip("dz-abroad", "1000.00", "2025-04")
    assert s.total() == DZD.parse("56250.00")


def test_abroad_seed_reading_is_a_documented_variant() -> None:
    s = slip("dz-abroad", "1000.00", "2025-04", variant="seed-flat")
    assert s.total() == DZD.parse("180000.00")  # 60,000 a month, 180,000 a quarter
