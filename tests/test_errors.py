"""Messages of refused input exist in French, Arabic and English, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from tadamun.errors import (
    LANGUAGES,
    REASONS,
    Catalogue,
    InvalidInput,
    Problem,
    ProblemCollector,
    problem,
)
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


def test_catalogue_prefers_its_own_reasons_and_labels() -> None:
    own = {"required": {"fr": "manque", "ar": "ناقص", "en": "missing"}}
    catalogue = Catalogue({"iban": {"fr": "RIB", "ar": "الحساب", "en": "Account"}}, own)
    found = catalogue.problem("iban", "required")
    assert found.message("fr") == "RIB : manque"
    assert found.message("ar") == "الحساب: ناقص"
    # A code the app does not redefine falls back to the shared reasons.
    assert catalogue.problem("iban", "not_digits").message("en") == (
        "Account: must contain digits only"
    )
    # A field without a label is named as it is, unless the catalogue has a default label.
    assert catalogue.label("zzz") == {"fr": "zzz", "ar": "zzz", "en": "zzz"}
    fallback = Catalogue({}, own, default_label={"fr": "Pièce", "ar": "وثيقة", "en": "Document"})
    assert fallback.problem("file", "required").message("en") == "Document: missing"
    with pytest.raises(KeyError):
        catalogue.problem("iban", "no_such_code")


def test_problem_collector_raises_every_problem_at_the_end() -> None:
    catalogue = Catalogue({}, {})

    class Collected(ProblemCollector):
        def make(self, field: str, code: str, **params: object) -> Problem:
            return catalogue.problem(field, code, **params)

    collected = Collected()
    collected.raise_if_any()  # nothing yet: no error
    collected.add("a", "required")
    collected.extend([catalogue.problem("b", "not_digits")])
    assert collected.has("a") and not collected.has("c")
    with pytest.raises(InvalidInput) as raised:
        collected.raise_if_any()
    assert raised.value.fields == ("a", "b")
