"""Identifiers: known values, every kind of bad input, and key properties over generated numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tadamun.registry import identifiers as ids
from tadamun.registry.identifiers import IdentifierError


def _error(call: object, *args: object, **kwargs: object) -> IdentifierError:
    assert callable(call)
    with pytest.raises(IdentifierError) as info:
        call(*args, **kwargs)
    return info.value


# --- Morocco ----------------------------------------------------------------------------------


def test_ma_insured_key_worked_example() -> None:
    # (2+4+6+8)×2 + 3+5+7 = 55 → u = 5 → C9 = 10 − 5 = 5
    assert ids.ma_insured_key("12345678") == "5"
    assert ids.validate_ma_insured_number("123456785") == "123456785"
    assert ids.validate_ma_insured_number(" 1 2345 6785 ") == "123456785"


def test_ma_insured_key_zero_when_units_digit_is_zero() -> None:
    # (0+0+0+5)×2 + 0+0+0 = 10 → u = 0 → C9 = 0
    assert ids.ma_insured_key("10000005") == "0"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("123456784", "bad_key"),
        ("223456785", "bad_prefix"),
        ("100000000", "reserved"),
        ("000000000", "reserved"),
        ("999999999", "reserved"),
        ("12345678", "wrong_length"),
        ("1234567850", "wrong_length"),
        ("12345678a", "not_digits"),
        ("١٢٣٤٥٦٧٨٥", "not_digits"),  # Arabic-Indic digits are not accepted silently
        ("", "required"),
        (None, "required"),
    ],
)
def test_ma_insured_number_refused(value: object, code: str) -> None:
    error = _error(ids.validate_ma_insured_number, value)
    assert error.code == code
    assert error.field == "ssn"


def test_ma_placeholders_only_on_request() -> None:
    assert ids.validate_ma_insured_number("000000000", allow_placeholders=True) == "000000000"
    assert ids.validate_ma_insured_number("999999999", allow_placeholders=True) == "999999999"
    assert _error(ids.validate_ma_insured_number, "100000000", allow_placeholders=True).code == (
        "reserved"
    )


def test_ma_affiliate_key_is_last_digit() -> None:
    # (2+4+6)×2 + 1+3+5 = 33 → u = 3 → key 7
    assert ids.ma_affiliate_key("123456") == "7"
    assert ids.validate_ma_affiliate_number("1234567") == "1234567"
    assert _error(ids.validate_ma_affiliate_number, "1234568").code == "bad_key"
    assert _error(ids.validate_ma_affiliate_number, "0000000").code == "reserved"
    assert _error(ids.validate_ma_affiliate_number, "123456").code == "wrong_length"


@given(st.integers(1, 9_999_999))
def test_ma_insured_issued_numbers_validate(serial: int) -> None:
    number = ids.issue_ma_insured_number(serial)
    assert len(number) == 9 and number[0] == "1"
    assert ids.validate_ma_insured_number(number) == number


@given(st.integers(1, 9_999_999), st.integers(1, 8), st.integers(1, 9))
def test_ma_insured_single_digit_change_caught(serial: int, position: int, delta: int) -> None:
    """Weight-1 positions (C3, C5, C7) and the key catch any change; weight-2 positions (C2, C4,
    C6, C8) catch any change except by ±5 (2 × 5 ≡ 0 mod 10); C1 must stay 1."""
    number = ids.issue_ma_insured_number(serial)
    digits = list(number)
    index = position  # change C2…C9 (0-based 1…8)
    old = int(digits[index])
    new = (old + delta) % 10
    weight2 = index in (1, 3, 5, 7)
    if weight2 and (new - old) % 5 == 0:
        return  # not guaranteed by the algorithm
    digits[index] = str(new)
    with pytest.raises(IdentifierError):
        ids.validate_ma_insured_number("".join(digits))


@given(st.integers(1, 999_999))
def test_ma_affiliate_issued_numbers_validate(serial: int) -> None:
    number = ids.issue_ma_affiliate_number(serial)
    assert ids.validate_ma_affiliate_number(number) == number


@given(st.integers(1, 999_999), st.integers(0, 6), st.integers(1, 9))
def test_ma_affiliate_single_digit_change_caught(serial: int, index: int, delta: int) -> None:
    number = ids.issue_ma_affiliate_number(serial)
    digits = list(number)
    old = int(digits[index])
    new = (old + delta) % 10
    if index in (1, 3, 5) and (new - old) % 5 == 0:
        return  # weight 2: a change by 5 is not guaranteed to be caught
    digits[index] = str(new)
    with pytest.raises(IdentifierError):
        ids.validate_ma_affiliate_number("".join(digits))


def test_ma_ice_through_stdnum() -> None:
    assert ids.validate_ma_ice("00 21 36 09 30 00 040") == "002136093000040"
    assert _error(ids.validate_ma_ice, "001561191000065").code == "bad_key"
    assert _error(ids.validate_ma_ice, "12345").code == "bad_format"
    assert _error(ids.validate_ma_ice, "").code == "required"


@pytest.mark.parametrize(("value", "expected"), [("ab 123456", "AB123456"), ("K12345", "K12345")])
def test_ma_cin(value: str, expected: str) -> None:
    assert ids.validate_ma_cin(value) == expected


@pytest.mark.parametrize("value", ["123456", "ABC123", "AB1234567", "A-"])
def test_ma_cin_refused(value: str) -> None:
    error = _error(ids.validate_ma_cin, value)
    assert (error.field, error.code) == ("national_id", "bad_format")


# --- MOD 97-10 convention: Algeria NSS and employer number, Tunisia employer and insured ---------

MOD97 = [
    (ids.issue_dz_nss, ids.validate_dz_nss, 12, 10**10 - 1),
    (ids.issue_dz_employer_number, ids.validate_dz_employer_number, 10, 10**8 - 1),
    (ids.issue_tn_employer_number, ids.validate_tn_employer_number, 10, 10**8 - 1),
    (ids.issue_tn_insured_number, ids.validate_tn_insured_number, 10, 10**8 - 1),
]


def test_mod97_key_is_iso_7064() -> None:
    body = "1234567890"
    key = ids.mod97_key(body)
    assert int(body + key) % 97 == 1


@pytest.mark.parametrize(("issue", "validate", "length", "top"), MOD97)
def test_mod97_refusals(issue: object, validate: object, length: int, top: int) -> None:
    assert callable(issue) and callable(validate)
    good = issue(42)
    assert len(good) == length
    assert validate(good) == good
    wrong_key = good[:-2] + f"{(int(good[-2:]) + 1) % 100:02d}"
    assert _error(validate, wrong_key).code == "bad_key"
    assert _error(validate, good[:-1]).code == "wrong_length"
    assert _error(validate, "0" * length).code == "reserved"
    assert _error(validate, good[:-1] + "x").code == "not_digits"
    with pytest.raises(ValueError):
        issue(0)
    with pytest.raises(ValueError):
        issue(top + 1)


@given(st.data())
@pytest.mark.parametrize(("issue", "validate", "length", "top"), MOD97)
def test_mod97_any_single_digit_change_caught(
    issue: object, validate: object, length: int, top: int, data: st.DataObject
) -> None:
    assert callable(issue) and callable(validate)
    number = issue(data.draw(st.integers(1, top)))
    index = data.draw(st.integers(0, length - 1))
    delta = data.draw(st.integers(1, 9))
    digits = list(number)
    digits[index] = str((int(digits[index]) + delta) % 10)
    with pytest.raises(IdentifierError):
        validate("".join(digits))


@given(st.data())
@pytest.mark.parametrize(("issue", "validate", "length", "top"), MOD97)
def test_mod97_adjacent_swap_caught(
    issue: object, validate: object, length: int, top: int, data: st.DataObject
) -> None:
    assert callable(issue) and callable(validate)
    number = issue(data.draw(st.integers(1, top)))
    index = data.draw(st.integers(0, length - 2))
    if number[index] == number[index + 1]:
        return
    digits = list(number)
    digits[index], digits[index + 1] = digits[index + 1], digits[index]
    with pytest.raises(IdentifierError):
        validate("".join(digits))


def test_dz_nif_and_nin() -> None:
    assert ids.validate_dz_nif("408 020 000 150 039") == "408020000150039"
    assert _error(ids.validate_dz_nif, "X1600100000000V").code == "bad_format"
    assert _error(ids.validate_dz_nif, "12345").code == "bad_format"
    assert ids.validate_dz_nin("1" * 18) == "1" * 18
    assert _error(ids.validate_dz_nin, "1" * 17).code == "wrong_length"


def test_tn_mf_and_cin() -> None:
    assert ids.validate_tn_mf("1234567/M/A/E/001") == "1234567MAE001"
    assert _error(ids.validate_tn_mf, "1219773U").code == "bad_format"
    assert ids.validate_tn_cin("01234567") == "01234567"
    assert _error(ids.validate_tn_cin, "1234567").code == "wrong_length"


# --- messages -------------------------------------------------------------------------------------


def test_message_names_the_field_and_reason_in_three_languages() -> None:
    error = _error(ids.validate_dz_nss, "123456789012", field="ssn")
    assert error.problems[0].message("fr") == (
        "Numéro de sécurité sociale : la clé de contrôle ne correspond pas aux autres chiffres"
    )
    assert error.problems[0].message("ar") == (
        "رقم الضمان الاجتماعي: مفتاح التحقق لا يتوافق مع باقي الأرقام"
    )
    assert error.problems[0].message("en") == (
        "Social security number: the check key does not match the other digits"
    )
    assert str(error) == error.problems[0].message("en")


def test_the_field_name_is_the_callers() -> None:
    error = _error(ids.validate_ma_insured_number, "1", field="lines[3].insured_number")
    assert error.field == "lines[3].insured_number"


@pytest.mark.parametrize("scheme", sorted(ids.SCHEMES))
def test_every_scheme_example_validates(scheme: str) -> None:
    s = ids.SCHEMES[scheme]
    if s.issue is not None:
        assert s.validate(s.example) == s.example
        assert len(s.example) == s.length
