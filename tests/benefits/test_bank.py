from __future__ import annotations

import pytest

from tadamun.benefits.bank import clean_account, mask_account
from tadamun.errors import InvalidInput


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        ("MA", "011 519 0000012050005349 21", "011519000001205000534921"),
        ("MA", "MA64 0115 1900 0001 2050 0053 4921", "MA64011519000001205000534921"),
        ("TN", "10006035183598478831", "10006035183598478831"),
        ("TN", "tn59 1000 6035 1835 9847 8831", "TN5910006035183598478831"),
        ("DZ", "00021000011130000005", "00021000011130000005"),
    ],
)
def test_accounts_accepted(country: str, value: str, expected: str) -> None:
    assert clean_account(value, country=country) == expected


@pytest.mark.parametrize(
    ("country", "value", "code"),
    [
        ("MA", "", "required"),
        ("MA", None, "required"),
        ("MA", "011519000001205000534922", "bad_key"),
        ("MA", "MA65011519000001205000534921", "bad_key"),
        ("TN", "10006035183598478832", "bad_key"),
        ("DZ", "0002100001113000000", "bad_format"),
        ("MA", "0115190000120500053492A1", "bad_format"),
        ("DZ", "<script>", "bad_format"),
    ],
)
def test_accounts_refused_with_the_reason(country: str, value: object, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_account(value, country=country, field="bank_account")
    problem = caught.value.problems[0]
    assert (problem.field, problem.code) == ("bank_account", code)
    assert problem.message("ar") and problem.message("fr") != problem.message("en")


def test_mask_keeps_the_last_four() -> None:
    assert mask_account("011519000001205000534921") == "•" * 20 + "4921"
