"""Exact money: parsing major units, formatting, and the three rounding modes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tadamun.rules.errors import InvalidAmount
from tadamun.rules.money import Currency, Money, Rounding

TND, MAD = Currency.of("TND"), Currency.of("MAD")


@pytest.mark.parametrize(
    ("currency", "text", "minor"),
    [
        (TND, "1000.000", 1_000_000),
        (TND, "1000", 1_000_000),
        (MAD, "3266.96", 326_696),
        (MAD, "0.5", 50),
    ],
)
def test_parse_major_units(currency: Currency, text: str, minor: int) -> None:
    assert currency.parse(text) == minor


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3266.961", "more than 2 decimals"),
        ("12,50", "is not an amount"),
        ("", "is not an amount"),
        ("1e3", "is not an amount"),
        ("NaN", "is not an amount"),
        ("１２", "is not an amount"),
    ],
)
def test_parse_rejects_with_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAmount, match=reason):
        MAD.parse(text, field="--base")


def test_arabic_indic_digits_are_read() -> None:
    assert MAD.parse("٣٢٦٦٫٩٦") == 326_696


def test_unknown_currency() -> None:
    with pytest.raises(InvalidAmount, match="unknown currency 'EUR'"):
        Currency.of("EUR")


def test_format_keeps_all_decimals() -> None:
    assert TND.format(267_500) == "267.500"
    assert MAD.format(-5) == "-0.05"
    assert str(Money(90_919, "MAD")) == "909.19 MAD"


def test_money_refuses_floats() -> None:
    with pytest.raises(InvalidAmount):
        Money(1.5, "MAD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mode", "n", "d", "expected"),
    [
        ("half_up", 25, 10, 3),
        ("half_up", 24, 10, 2),
        ("half_even", 25, 10, 2),
        ("half_even", 35, 10, 4),
        ("half_even", 26, 10, 3),
        ("down", 29, 10, 2),
        ("half_up", -25, 10, -3),
    ],
)
def test_rounding_modes(mode: str, n: int, d: int, expected: int) -> None:
    assert Rounding(mode, 1, "t").divide(n, d) == expected  # type: ignore[arg-type]


def test_rounding_to_a_unit() -> None:
    to_dinar = Rounding("half_up", 100, "to the whole dinar")
    assert to_dinar.divide(49_999_999, 1_000_000) == 0  # 49.99… centimes → 0 dinars
    assert to_dinar.divide(150_000_000, 1_000_000) == 200  # 150 centimes → 2 dinars (half up)


def _reference(mode: str, n: int, d: int) -> int:
    exact = Fraction(n, d)
    floor = exact.numerator // exact.denominator
    rest = exact - floor
    if mode == "down":
        return floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (mode == "half_up" or floor % 2 == 1)):
        return floor + 1
    return floor


@given(
    st.sampled_from(["half_up", "half_even", "down"]),
    st.lists(st.integers(0, 10**18), min_size=1, max_size=50),
    st.sampled_from([1_000_000, 10, 7, 2]),
)
def test_vectorised_rounding_is_exact(mode: str, numerators: list[int], d: int) -> None:
    rounding = Rounding(mode, 1, "t")  # type: ignore[arg-type]
    arr = rounding.divide_array(np.array(numerators, dtype=np.int64), d)
    assert arr.tolist() == [_reference(mode, n, d) for n in numerators]
    assert arr.tolist() == [rounding.divide(n, d) for n in numerators]
