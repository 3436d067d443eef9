"""The vectorised engine on a synthetic pack: each line uses its own period's parameters."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.rules.contributions import MAX_BASE, LineBatch, compute, payslip
from tadamun.rules.errors import InvalidBase, PeriodOutOfRange, UnknownActivityClass, UnknownPack
from tadamun.rules.parameters import PackSet, load_packs_from
from tadamun.rules.periods import parse_period
from tests.rules.packbuilder import regime_files, regime_manifest, write_pack


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> PackSet:
    root = tmp_path_factory.mktemp("packs")
    write_pack(root, regime_manifest(), regime_files())
    other = regime_manifest("yy-other", currency="MAD")
    other["branches"] = {"main": copy.deepcopy(other["branches"]["main"])}
    del other["branches"]["main"]["ceiling"]
    files = regime_files()
    files["rates.yaml"]["main"]["employer"]["values"] = {
        "2015-01-01": files["rates.yaml"]["main"]["employer"]["values"]["2010-01-01"]
    }
    write_pack(root, other, files)
    return load_packs_from(root)


def batch(
    regime: list[str], base: list[int], period: list[str], cls: list[str | None] | None = None
) -> LineBatch:
    return LineBatch.from_columns(
        regime=regime, base=base, period=[parse_period(p) for p in period], activity_class=cls
    )


def test_batch_straddling_a_rate_change_uses_each_lines_rate(packs: PackSet) -> None:
    b = batch(["xx-test"] * 2, [1_000_000, 1_000_000], ["2019-12", "2020-01"], ["A", "A"])
    result = compute(b, packs=packs)
    assert result.amounts[("main", "employer")].tolist() == [100_000, 125_000]
    assert result.amounts[("main", "employee")].tolist() == [50_000, 50_000]
    assert result.amounts[("accident", "employer")].tolist() == [4_000, 4_000]


def test_ceiling_in_force_at_each_period(packs: PackSet) -> None:
    b = batch(["xx-test"] * 3, [9_000_000] * 3, ["2019-06", "2020-12", "2021-01"], ["A"] * 3)
    result = compute(b, packs=packs)
    # capped at 6,000.000 then 7,000.000 from 2021-01; employer rate 10% then 12.5% from 2020-01
    assert result.amounts[("main", "employer")].tolist() == [600_000, 750_000, 875_000]
    # the accident branch has no ceiling
    assert result.amounts[("accident", "employer")].tolist() == [36_000] * 3


def test_branch_at_zero_before_its_creation_contributes_nothing(packs: PackSet) -> None:
    b = batch(["xx-test"] * 2, [1_000_000] * 2, ["2022-06", "2022-07"], ["B", "B"])
    result = compute(b, packs=packs)
    assert result.amounts[("late", "employee")].tolist() == [0, 5_000]


def test_a_period_where_one_branch_has_no_value_is_refused(tmp_path: Path) -> None:
    # Without an explicit rate, the engine cannot know the branch did not exist: it refuses
    # rather than bill the line without it.
    files = regime_files()
    files["rates.yaml"]["late"]["values"] = {
        "2022-07-01": files["rates.yaml"]["late"]["values"]["2022-07-01"]
    }
    write_pack(tmp_path, regime_manifest(), files)
    strict = load_packs_from(tmp_path)
    assert strict.regime("xx-test").first_date.isoformat() == "2022-07-01"
    b = batch(["xx-test"] * 2, [1, 1], ["2022-07", "2022-06"], ["A", "A"])
    with pytest.raises(PeriodOutOfRange, match=r"line 2: period 2022-06 .* start 2022-07"):
        compute(b, packs=strict)


def test_activity_class_selects_the_rate(packs: PackSet) -> None:
    b = batch(["xx-test"] * 2, [1_000_000] * 2, ["2021-03"] * 2, ["A", "B"])
    assert compute(b, packs=packs).amounts[("accident", "employer")].tolist() == [4_000, 40_000]


def test_mixed_regimes_are_computed_each_with_its_own_pack(packs: PackSet) -> None:
    b = batch(
        ["yy-other", "xx-test", "yy-other"],
        [100_000, 9_000_000, 700_000],
        ["2016-01", "2016-01", "2020-02"],
        [None, "A", None],
    )
    result = compute(b, packs=packs)
    # yy-other has no ceiling; its employer rate starts 2015-01 at 10%
    assert result.amounts[("main", "employer")].tolist() == [10_000, 600_000, 70_000]
    assert result.amounts[("accident", "employer")].tolist() == [0, 36_000, 0]
    assert result.line_currency().tolist() == ["MAD", "TND", "MAD"]
    assert result.total().tolist() == [15_000, 600_000 + 300_000 + 36_000, 105_000]


def test_rounding_half_up_per_branch_and_payer(packs: PackSet) -> None:
    # 4 millimes × 12.5% = 0.5 → 1 (half up); 3 × 12.5% = 0.375 → 0
    b = batch(["xx-test"] * 2, [4, 3], ["2020-05"] * 2, ["A", "A"])
    assert compute(b, packs=packs).amounts[("main", "employer")].tolist() == [1, 0]


# --- bad input: each error names the line, the value and the rule ------------------------------


def test_negative_base_names_the_line(packs: PackSet) -> None:
    b = batch(["xx-test"] * 3, [5, -1, 7], ["2020-01"] * 3, ["A"] * 3)
    with pytest.raises(InvalidBase, match=r"line 2: base -1 .* is negative"):
        compute(b, packs=packs)


def test_absurd_base_is_refused(packs: PackSet) -> None:
    b = batch(["xx-test"], [MAX_BASE + 1], ["2020-01"], ["A"])
    with pytest.raises(InvalidBase, match=r"line 1: .* above the limit .* minor units"):
        compute(b, packs=packs)


def test_non_integer_base_is_refused() -> None:
    with pytest.raises(InvalidBase, match=r"whole numbers of minor units .* not float64"):
        LineBatch.from_columns(regime=["xx-test"], base=np.array([1.5]), period=[600])


def test_period_before_the_pack_names_line_and_first_date(packs: PackSet) -> None:
    b = batch(["xx-test"] * 3, [1, 1, 1], ["2020-01", "2021-01", "2009-12"], ["A"] * 3)
    with pytest.raises(PeriodOutOfRange, match=r"line 3: period 2009-12 .* xx-test.* 2010-01"):
        compute(b, packs=packs)


def test_period_before_in_a_mixed_batch_names_the_batch_line(packs: PackSet) -> None:
    b = batch(["xx-test", "yy-other"], [1, 1], ["2020-01", "2009-06"], ["A", None])
    with pytest.raises(PeriodOutOfRange, match=r"line 2: period 2009-06 .* yy-other"):
        compute(b, packs=packs)


def test_unknown_class_lists_known_ones(packs: PackSet) -> None:
    b = batch(["xx-test"] * 2, [1, 1], ["2020-01"] * 2, ["A", "Z"])
    with pytest.raises(
        UnknownActivityClass, match=r"line 2: activity class 'Z' .* known classes: A, B"
    ):
        compute(b, packs=packs)


def test_missing_class_is_refused(packs: PackSet) -> None:
    b = batch(["xx-test"], [1], ["2020-01"])
    with pytest.raises(UnknownActivityClass, match=r"needs an activity class"):
        compute(b, packs=packs)
    b = batch(["xx-test"] * 2, [1, 1], ["2020-01"] * 2, ["A", None])
    with pytest.raises(UnknownActivityClass, match=r"line 2: activity class '\(none\)'"):
        compute(b, packs=packs)


def test_unknown_regime(packs: PackSet) -> None:
    with pytest.raises(UnknownPack, match=r"unknown regime 'zz'"):
        compute(batch(["zz"], [1], ["2020-01"]), packs=packs)


# --- properties: exact, bounded, monotonic -----------------------------------------------------

periods = st.sampled_from(
    ["2010-01", "2019-12", "2020-01", "2020-12", "2021-01", "2022-06", "2022-07", "2026-11"]
)


def _exact(base: int, period: str, cls: str) -> dict[tuple[str, str], int]:
    """Reference amounts with Fraction arithmetic, straight from the pack's published figures."""
    month = parse_period(period)
    employer = Fraction(125, 1000) if month >= parse_period("2020-01") else Fraction(10, 100)
    ceiling = 7_000_000 if month >= parse_period("2021-01") else 6_000_000
    capped = min(base, ceiling)

    def half_up(x: Fraction) -> int:
        return int((x + Fraction(1, 2)) // 1)

    late = Fraction(5, 1000) if month >= parse_period("2022-07") else Fraction(0)
    return {
        ("main", "employer"): half_up(capped * employer),
        ("main", "employee"): half_up(capped * Fraction(5, 100)),
        ("accident", "employer"): half_up(
            base * (Fraction(4, 1000) if cls == "A" else Fraction(4, 100))
        ),
        ("late", "employee"): half_up(base * late),
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, MAX_BASE), periods, st.sampled_from(["A", "B"])),
        min_size=1,
        max_size=40,
    )
)
def test_engine_matches_exact_fraction_arithmetic(
    packs: PackSet, lines: list[tuple[int, str, str]]
) -> None:
    b = batch(
        ["xx-test"] * len(lines),
        [x[0] for x in lines],
        [x[1] for x in lines],
        [x[2] for x in lines],
    )
    result = compute(b, packs=packs)
    for i, (base, period, cls) in enumerate(lines):
        for col, expected in _exact(base, period, cls).items():
            assert int(result.amounts[col][i]) == expected, (col, base, period)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, MAX_BASE - 1), st.integers(1, 10**9), periods)
def test_amounts_are_monotonic_in_the_base_and_respect_the_ceiling(
    packs: PackSet, base: int, more: int, period: str
) -> None:
    higher = min(base + more, MAX_BASE)
    b = batch(["xx-test"] * 2, [base, higher], [period] * 2, ["B", "B"])
    result = compute(b, packs=packs)
    for col, amounts in result.amounts.items():
        assert amounts[0] <= amounts[1], col
    ceiling = 7_000_000 if parse_period(period) >= parse_period("2021-01") else 6_000_000
    assert result.amounts[("main", "employer")][1] <= (ceiling * 125 + 500) // 1000


def test_payslip_explains_each_branch(packs: PackSet) -> None:
    slip = payslip(
        "xx-test", base=9_000_000, period=parse_period("2022-07"), activity_class="B", packs=packs
    )
    rows = {(line.branch, line.payer): line for line in slip.lines}
    assert rows[("main", "employer")].base == 7_000_000  # capped
    assert str(rows[("main", "employer")].rate) == "0.125"
    assert rows[("accident", "employer")].amount == 360_000
    assert slip.total() == 875_000 + 350_000 + 360_000 + 45_000
    assert all(line.references for line in slip.lines)
