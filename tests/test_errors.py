"""Messages of refused input exist in French, Arabic and English, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from tadamun.errors import LANGUAGES, REASONS, InvalidInput, problem
from tadamun.registry.labels import FIELD_LABELS


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_in_every_language(code: str) -> None:
    texts = REASONS[code]
    assert set(texts) == set(LANGUAGES)
    assert all(texts[lang].strip() for lang in LANGUAGES)
    assert _placeholders(texts["fr"]) == _placeholders(texts["ar"]) == _placeholders(texts["en"])


@pytest.mark.parametrize("field", sorted(FIELD_LABELS))
def test_every_field_label_in_every_language(field: str) -> None:
    assert set(FIELD_LABELS[field]) == set(LANGUAGES)
    assert all(FIELD_LABELS[field][lang].strip() for lang in LANGUAGES)


def test_invalid_input_lists_every_problem() -> None:
    label = {"fr": "Date de fin", "ar": "تاريخ النهاية", "en": "End date"}
    error = InvalidInput(
        [
            problem("end_date", label, "end_before_start", start="2026-01-01"),
            problem("sex", {"fr": "Sexe", "ar": "الجنس", "en": "Sex"}, "required"),
        ]
    )
    assert error.fields == ("end_date", "sex")
    assert str(error) == "End date: cannot be before the start date (2026-01-01); Sex: is required"
    assert error.messages("fr")[0] == (
        "Date de fin : ne peut pas précéder la date de début (2026-01-01)"
    )
    assert error.problems[0].message("ar-dz").startswith("تاريخ النهاية: ")
    assert error.problems[0].message("xx").startswith("End date")
    assert list(error.by_field()) == ["end_date", "sex"]


def test_invalid_input_needs_a_problem() -> None:
    with pytest.raises(ValueError):
        InvalidInput([])
