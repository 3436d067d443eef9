"""Bad input, named: which field is wrong and why, in French, Arabic and English.

Pure Python (no Django), so that the identifier validators and the future file readers can use it
alone. A :class:`Problem` carries its message already written in the three languages of the
platform; :class:`InvalidInput` carries one or more problems, so a form can show every faulty
field at once. Pages pick the active language with :meth:`Problem.message`; ``str()`` is English,
for logs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("fr", "ar", "en")

Texts = Mapping[str, str]

#: Reasons, by code, in every language. ``{placeholders}`` are filled from the problem's params.
REASONS: dict[str, dict[str, str]] = {
    "required": {
        "fr": "est obligatoire",
        "ar": "حقل إلزامي",
        "en": "is required",
    },
    "not_digits": {
        "fr": "doit contenir uniquement des chiffres",
        "ar": "يجب أن يتكون من أرقام فقط",
        "en": "must contain digits only",
    },
    "wrong_length": {
        "fr": "doit comporter {expected} caractères (saisi : {got})",
        "ar": "يجب أن يتكون من {expected} خانات (المُدخل: {got})",
        "en": "must have {expected} characters (got {got})",
    },
    "bad_key": {
        "fr": "la clé de contrôle ne correspond pas aux autres chiffres",
        "ar": "مفتاح التحقق لا يتوافق مع باقي الأرقام",
        "en": "the check key does not match the other digits",
    },
    "bad_prefix": {
        "fr": "doit commencer par {prefix}",
        "ar": "يجب أن يبدأ بـ {prefix}",
        "en": "must start with {prefix}",
    },
    "reserved": {
        "fr": "{value} est un numéro réservé, pas un numéro attribué",
        "ar": "{value} رقم محجوز وليس رقمًا مُسنَدًا",
        "en": "{value} is a reserved number, not an issued one",
    },
    "bad_format": {
        "fr": "n'a pas le format attendu ({format})",
        "ar": "لا يطابق الصيغة المطلوبة ({format})",
        "en": "does not have the expected format ({format})",
    },
    "too_long": {
        "fr": "ne doit pas dépasser {max} caractères",
        "ar": "يجب ألا يتجاوز {max} حرفًا",
        "en": "must not exceed {max} characters",
    },
    "not_latin": {
        "fr": "doit être écrit en caractères latins",
        "ar": "يجب أن يُكتب بالحروف اللاتينية",
        "en": "must be written in Latin script",
    },
    "not_arabic": {
        "fr": "doit être écrit en caractères arabes",
        "ar": "يجب أن يُكتب بالحروف العربية",
        "en": "must be written in Arabic script",
    },
    "not_a_date": {
        "fr": "n'est pas une date valide",
        "ar": "ليس تاريخًا صحيحًا",
        "en": "is not a valid date",
    },
    "implausible_date": {
        "fr": "n'est pas plausible (attendu entre le {min} et le {max})",
        "ar": "غير معقول (يجب أن يكون بين {min} و{max})",
        "en": "is not plausible (expected between {min} and {max})",
    },
    "end_before_start": {
        "fr": "ne peut pas précéder la date de début ({start})",
        "ar": "لا يمكن أن يسبق تاريخ البداية ({start})",
        "en": "cannot be before the start date ({start})",
    },
    "before_birth": {
        "fr": "ne peut pas précéder la date de naissance de l'assuré ({birth})",
        "ar": "لا يمكن أن يسبق تاريخ ميلاد المؤمَّن له ({birth})",
        "en": "cannot be before the insured person's birth date ({birth})",
    },
    "not_a_choice": {
        "fr": "« {value} » n'est pas une valeur admise ({choices})",
        "ar": "«{value}» ليست قيمة مقبولة ({choices})",
        "en": "“{value}” is not an allowed value ({choices})",
    },
    "duplicate": {
        "fr": "{value} est déjà enregistré",
        "ar": "{value} مسجَّل مسبقًا",
        "en": "{value} is already registered",
    },
    "overlapping": {
        "fr": "chevauche un emploi déjà enregistré chez cet employeur (depuis le {start})",
        "ar": "يتداخل مع فترة عمل مسجَّلة لدى صاحب العمل نفسه (منذ {start})",
        "en": "overlaps an employment already recorded with this employer (since {start})",
    },
    "required_with_end": {
        "fr": "est obligatoire quand une date de fin est donnée",
        "ar": "إلزامي عند تحديد تاريخ النهاية",
        "en": "is required when an end date is given",
    },
    "only_with_end": {
        "fr": "ne peut être donné qu'avec une date de fin",
        "ar": "لا يُحدَّد إلا مع تاريخ النهاية",
        "en": "can only be given with an end date",
    },
    "already_ended": {
        "fr": "cet emploi est déjà terminé (le {end})",
        "ar": "فترة العمل هذه منتهية مسبقًا (في {end})",
        "en": "this employment has already ended (on {end})",
    },
    "other_fund": {
        "fr": "appartient à une autre caisse ({fund})",
        "ar": "تابع لصندوق آخر ({fund})",
        "en": "belongs to another fund ({fund})",
    },
}

#: Separator between the field's label and the reason, per language (French puts a space before
#: the colon; Arabic uses its own colon form and no leading space).
SEPARATOR = {"fr": " : ", "ar": ": ", "en": ": "}


@dataclass(frozen=True)
class Problem:
    """One faulty field: its name (as in the form or the file), a reason code and the message."""

    field: str
    code: str
    texts: Texts
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def message(self, language: str = "en") -> str:
        """The message in ``language`` (``ar-dz`` → ``ar``); English for an unknown language."""
        return self.texts.get(language.split("-")[0], self.texts["en"])


def problem(field: str, label: Texts, code: str, **params: object) -> Problem:
    """A :class:`Problem` for ``field`` (shown as ``label``) with the reason ``code``."""
    reason = REASONS[code]
    values = {key: str(value) for key, value in params.items()}
    texts = {
        lang: f"{label.get(lang, field)}{SEPARATOR[lang]}{reason[lang].format(**values)}"
        for lang in LANGUAGES
    }
    return Problem(field=field, code=code, texts=texts, params=values)


class InvalidInput(ValueError):
    """Input refused; nothing was written. ``problems`` names every faulty field."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InvalidInput needs at least one problem")
        super().__init__("; ".join(p.message("en") for p in self.problems))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(p.field for p in self.problems)

    def by_field(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = {}
        for p in self.problems:
            grouped.setdefault(p.field, []).append(p)
        return grouped

    def messages(self, language: str = "en") -> list[str]:
        return [p.message(language) for p in self.problems]


class Catalogue:
    """One app's field labels and reasons, over the shared :data:`REASONS`: every app's problems
    are written the same way (label, separator, reason) and differ only by their tables."""

    def __init__(
        self,
        labels: Mapping[str, Texts],
        reasons: Mapping[str, Texts],
        *,
        default_label: Texts | None = None,
    ) -> None:
        self.labels = labels
        self.reasons = reasons
        self.default_label = default_label

    def label(self, field: str) -> Texts:
        found = self.labels.get(field)
        if found is not None:
            return found
        return self.default_label or {lang: field for lang in LANGUAGES}

    def reason(self, code: str) -> Texts:
        return self.reasons.get(code) or REASONS[code]

    def problem(self, field: str, code: str, **params: object) -> Problem:
        """A problem of ``field`` with the reason ``code`` (placeholders filled from ``params``)."""
        reason = self.reason(code)
        values = {key: str(value) for key, value in params.items()}
        names = self.label(field)
        texts = {
            lang: f"{names[lang]}{SEPARATOR[lang]}{reason[lang].format(**values)}"
            for lang in LANGUAGES
        }
        return Problem(field=field, code=code, texts=texts, params=values)

    def refuse(self, field: str, code: str, **params: object) -> InvalidInput:
        """An :class:`InvalidInput` with one problem, to ``raise``."""
        return InvalidInput([self.problem(field, code, **params)])


class ProblemCollector:
    """Collects the problems of one form, raised together at the end. An app subclasses it with
    its own ``make`` (its catalogue's problem)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def make(self, field: str, code: str, **params: object) -> Problem:
        raise NotImplementedError

    def add(self, field: str, code: str, **params: object) -> None:
        self.items.append(self.make(field, code, **params))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)
