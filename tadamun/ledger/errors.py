"""Refusals of the ledger, named in French, Arabic and English (as :mod:`tadamun.errors`)."""

from __future__ import annotations

from tadamun.errors import LANGUAGES, Problem

_LABELS: dict[str, dict[str, str]] = {
    "currency": {"fr": "Devise", "ar": "العملة", "en": "Currency"},
    "source": {"fr": "Origine", "ar": "المصدر", "en": "Source"},
    "reverses": {"fr": "Écriture annulée", "ar": "القيد الملغى", "en": "Reversed source"},
    "period_label": {"fr": "Période", "ar": "الفترة", "en": "Period"},
    "amounts": {"fr": "Montants", "ar": "المبالغ", "en": "Amounts"},
    "amount": {"fr": "Montant", "ar": "المبلغ", "en": "Amount"},
    "memo": {"fr": "Motif", "ar": "السبب", "en": "Reason"},
    "entry_id": {"fr": "Écriture", "ar": "القيد", "en": "Entry"},
}

_REASONS: dict[str, dict[str, str]] = {
    "wrong_currency": {
        "fr": "{got} n'est pas la devise de la caisse ({expected})",
        "ar": "{got} ليست عملة الصندوق ({expected})",
        "en": "{got} is not the fund's currency ({expected})",
    },
    "bad_source": {
        "fr": "doit être un texte de 1 à {max} caractères",
        "ar": "يجب أن يكون نصًا من 1 إلى {max} حرفًا",
        "en": "must be a text of 1 to {max} characters",
    },
    "bad_period": {
        "fr": "doit être une période comme 2026-01 ou 2026-T1",
        "ar": "يجب أن تكون فترة مثل 2026-01 أو 2026-Q1",
        "en": "must be a period such as 2026-01 or 2026-Q1",
    },
    "bad_branch": {
        "fr": "la branche « {branch} » n'est pas valide",
        "ar": "الفرع «{branch}» غير صالح",
        "en": "branch “{branch}” is not valid",
    },
    "bad_amount": {
        "fr": "{value} doit être un nombre entier de centimes entre 1 et {max}",
        "ar": "{value} يجب أن يكون عددًا صحيحًا من الوحدات الصغرى بين 1 و{max}",
        "en": "{value} must be a whole number of minor units between 1 and {max}",
    },
    "source_reused": {
        "fr": "{source} a déjà été comptabilisé avec d'autres montants",
        "ar": "سبق تسجيل {source} بمبالغ أخرى",
        "en": "{source} was already posted with other amounts",
    },
    "nothing_to_reverse": {
        "fr": "aucune cotisation due n'a été comptabilisée par {source}",
        "ar": "لم تُسجَّل أي اشتراكات مستحقة من {source}",
        "en": "no dues were posted by {source}",
    },
    "required": {"fr": "est obligatoire", "ar": "حقل إلزامي", "en": "is required"},
    "not_waivable": {
        "fr": "l'écriture {entry} n'existe pas sur ce compte ou n'est pas un montant dû",
        "ar": "القيد {entry} غير موجود في هذا الحساب أو ليس مبلغًا مستحقًا",
        "en": "entry {entry} is not on this account or is not an amount owed",
    },
    "over_open": {
        "fr": "{value} dépasse ce qui reste dû sur l'écriture ({open})",
        "ar": "{value} يتجاوز ما تبقى مستحقًا على القيد ({open})",
        "en": "{value} is more than what is still open on the entry ({open})",
    },
}

_SEPARATOR = {"fr": " : ", "ar": ": ", "en": ": "}


def problem(field: str, code: str, **params: object) -> Problem:
    label = _LABELS.get(field.split("[")[0], {})
    values = {key: str(value) for key, value in params.items()}
    texts = {
        lang: f"{label.get(lang, field)}{_SEPARATOR[lang]}{_REASONS[code][lang].format(**values)}"
        for lang in LANGUAGES
    }
    return Problem(field=field, code=code, texts=texts, params=values)
