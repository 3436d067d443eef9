"""Properties of every shipped regime: exact against Fraction arithmetic, bounded, monotonic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tadamun.rules.contributions import MAX_BASE, LineBatch, _bound_value, compute
from tadamun.rules.parameters import Pack, load_packs
from tadamun.rules.periods import first_period_on_or_after, month_index, period_start

PACKS = load_packs()
REGIMES = PACKS.regimes()


def _period_range(pack: Pack) -> st.SearchStrategy[int]:
    return st.integers(first_period_on_or_after(pack.first_date), month_index(2027, 12))


@st.composite
def regime_lines(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str | None]]]:
    regime = draw(st.sampled_from(REGIMES))
    pack = PACKS.regime(regime)
    classes = pack.activity_classes()
    cls = st.sampled_from(classes) if classes else st.none()
    lines = draw(
        st.lists(
            st.tuples(st.integers(0, MAX_BASE), _period_range(pack), cls), min_size=1, max_size=20
        )
    )
    return regime, lines


def _batch(regime: str, lines: list[tuple[int, int, str | None]]) -> LineBatch:
    pack = PACKS.regime(regime)
    return LineBatch.from_columns(
        regime=[regime] * len(lines),
        base=np.array([x[0] for x in lines], dtype=np.int64),
        period=[x[1] for x in lines],
        activity_class=[x[2] for x in lines] if pack.activity_classes() else None,
    )


def _half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)) // 1)


@settings(max_examples=150, deadline=None)
@given(regime_lines())
def test_every_amount_is_the_exact_rounded_product(
    case: tuple[str, list[tuple[int, int, str | None]]],
) -> None:
    regime, lines = case
    pack = PACKS.regime(regime)
    assert (
        pack.rounding["contribution"].mode == "half_up" and pack.rounding["contribution"].unit == 1
    )
    result = compute(_batch(regime, lines), packs=PACKS)
    for i, (base, period, cls) in enumerate(lines):
        when = period_start(period)
        for branch in pack.branches.values():
            bounded = base
            if branch.floor is not None:
                bounded = max(bounded, _bound_value(pack, branch, "floor", when))
            if branch.ceiling is not None:
                bounded = min(bounded, _bound_value(pack, branch, "ceiling", when))
            for payer, spec in branch.rates.items():
                path = f"{spec.param}.{cls}" if spec.by_class else spec.param
                rate = Fraction(pack.param(path).decimal_at(when))
                assert int(result.amounts[(branch.id, payer)][i]) == _half_up(bounded * rate)


@settings(max_examples=150, deadline=None)
@given(regime_lines(), st.integers(1, 10**10))
def test_amounts_grow_with_the_base_and_stay_within_ceilings(
    case: tuple[str, list[tuple[int, int, str | None]]], more: int
) -> None:
    regime, lines = case
    pack = PACKS.regime(regime)
    higher = [(min(b + more, MAX_BASE), p, c) for b, p, c in lines]
    low = compute(_batch(regime, lines), packs=PACKS)
    high = compute(_batch(regime, higher), packs=PACKS)
    for col in low.columns:
        assert (low.amounts[col] <= high.amounts[col]).all(), col
    for i, (_, period, _) in enumerate(higher):
        when = period_start(period)
        for branch in pack.branches.values():
            for payer, spec in branch.rates.items():
                if spec.by_class:
                    continue
                rate = Fraction(pack.param(spec.param).decimal_at(when))
                amount = int(high.amounts[(branch.id, payer)][i])
                if branch.ceiling is not None:
                    assert amount <= _half_up(_bound_value(pack, branch, "ceiling", when) * rate)
                if branch.floor is not None:
                    assert amount >= _half_up(_bound_value(pack, branch, "floor", when) * rate)
