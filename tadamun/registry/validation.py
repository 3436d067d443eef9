"""Field cleaners of the registry (pure Python): each returns the clean value or records a problem.

A :class:`Checker` collects every problem of a record, so a form shows them all at once; the
service raises :class:`~tadamun.errors.InvalidInput` at the end if there was any.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from tadamun.errors import InvalidInput, Problem, problem
from tadamun.registry.labels import label

T = TypeVar("T")

_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_PERSON_LATIN = re.compile(rf"^[{_LATIN_LETTERS}]+(?:[ '’\-][{_LATIN_LETTERS}]+)*$")
_PERSON_ARABIC = re.compile(rf"^[{_ARABIC}]+(?:[ \-][{_ARABIC}]+)*$")
_COMPANY_LATIN = re.compile(
    rf"^[{_LATIN_LETTERS}0-9 '’&,.()/+\-]*[{_LATIN_LETTERS}][{_LATIN_LETTERS}0-9 '’&,.()/+\-]*$"
)
_COMPANY_ARABIC = re.compile(
    rf"^[{_ARABIC}0-9\u0660-\u0669 &,.()/+\-]*[{_ARABIC}][{_ARABIC}0-9\u0660-\u0669 &,.()/+\-]*$"
)
_CODE = re.compile(r"^[A-Z0-9]{1,8}$")
_SPACES = re.compile(r"\s+")

#: Oldest plausible age of a living person, in years.
MAX_AGE = 120


def squash(value: object) -> str:
    """Text with surrounding blanks removed and inner runs of blanks reduced to one space."""
    return _SPACES.sub(" ", "" if value is None else str(value)).strip()


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, code: str, **params: object) -> None:
        self.problems.append(problem(field, label(field), code, **params))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.problems.extend(problems)

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)

    def identifier(self, field: str, validate: Callable[..., str], value: object) -> str:
        try:
            return validate(value, field=field)
        except InvalidInput as exc:
            self.extend(exc.problems)
            return ""

    def text(
        self,
        field: str,
        value: object,
        *,
        max_length: int,
        pattern: re.Pattern[str] | None = None,
        script: str = "",
        required: bool = True,
    ) -> str:
        text = squash(value)
        if not text:
            if required:
                self.add(field, "required")
            return ""
        if len(text) > max_length:
            self.add(field, "too_long", max=max_length)
        elif pattern is not None and not pattern.match(text):
            self.add(field, "not_arabic" if script == "arabic" else "not_latin")
        return text

    def person_name_latin(self, field: str, value: object) -> str:
        return self.text(field, value, max_length=100, pattern=_PERSON_LATIN)

    def person_name_arabic(self, field: str, value: object, *, required: bool) -> str:
        return self.text(
            field, value, max_length=100, pattern=_PERSON_ARABIC, script="arabic", required=required
        )

    def company_name_latin(self, field: str, value: object, *, max_length: int = 200) -> str:
        return self.text(field, value, max_length=max_length, pattern=_COMPANY_LATIN)

    def company_name_arabic(
        self, field: str, value: object, *, required: bool, max_length: int = 200
    ) -> str:
        return self.text(
            field,
            value,
            max_length=max_length,
            pattern=_COMPANY_ARABIC,
            script="arabic",
            required=required,
        )

    def code(self, field: str, value: object) -> str:
        text = squash(value).upper()
        if not text:
            self.add(field, "required")
        elif not _CODE.match(text):
            self.add(field, "bad_format", format="A-Z 0-9, 1–8")
        return text

    def choice(
        self, field: str, value: object, choices: Sequence[str], *, required: bool = True
    ) -> str:
        text = squash(value)
        if not text:
            if required:
                self.add(field, "required")
            return ""
        if text not in choices:
            self.add(field, "not_a_choice", value=text, choices=", ".join(choices) or "—")
        return text

    def date(self, field: str, value: object, *, required: bool = True) -> dt.date | None:
        if value is None or value == "":
            if required:
                self.add(field, "required")
            return None
        if isinstance(value, dt.datetime):
            self.add(field, "not_a_date")
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.add(field, "not_a_date")
            return None

    def birth_date(self, field: str, value: object, *, today: dt.date) -> dt.date | None:
        day = self.date(field, value)
        if day is not None:
            oldest = years_before(today, MAX_AGE)
            if not oldest <= day <= today:
                self.add(field, "implausible_date", min=oldest.isoformat(), max=today.isoformat())
        return day
