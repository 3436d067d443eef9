"""Refusals of a declaration file, in French, Arabic and English (pure Python).

Two kinds: an upload refused at once (the field of the upload form — ``file``, ``fmt``,
``period`` — as a :class:`tadamun.errors.Problem`), and a line of a file that does not match the
registry (a :class:`tadamun.formats.problems.LineProblem`, as the format readers report).
"""

from __future__ import annotations

from tadamun.errors import LANGUAGES, Problem
from tadamun.formats.problems import LineProblem

LABELS: dict[str, dict[str, str]] = {
    "file": {"fr": "Fichier", "ar": "الملف", "en": "File"},
    "fmt": {"fr": "Format", "ar": "الصيغة", "en": "Format"},
    "period": {"fr": "Période", "ar": "الفترة", "en": "Period"},
    "insured_number": {"fr": "Numéro d'assuré", "ar": "رقم المؤمَّن له", "en": "Insured number"},
    "days": {"fr": "Jours", "ar": "الأيام", "en": "Days"},
    "wage": {"fr": "Salaire", "ar": "الأجر", "en": "Wage"},
    "situation": {"fr": "Situation", "ar": "الوضعية", "en": "Situation"},
    "columns": {"fr": "Colonnes", "ar": "الأعمدة", "en": "Columns"},
    "lines": {"fr": "Salariés", "ar": "الأجراء", "en": "Employees"},
    "declaration": {"fr": "Déclaration", "ar": "التصريح", "en": "Declaration"},
}

REASONS: dict[str, dict[str, str]] = {
    "required": {"fr": "est obligatoire", "ar": "حقل إلزامي", "en": "is required"},
    "unknown_format": {
        "fr": "« {value} » n'est pas un format accepté ({choices})",
        "ar": "«{value}» ليست صيغة مقبولة ({choices})",
        "en": "“{value}” is not an accepted format ({choices})",
    },
    "not_a_period": {
        "fr": "« {value} » n'est pas une période de déclaration de l'employeur ({example})",
        "ar": "«{value}» ليست فترة تصريح لصاحب العمل ({example})",
        "en": "“{value}” is not one of the employer's declaration periods ({example})",
    },
    "future_period": {
        "fr": "la période {value} n'a pas encore commencé",
        "ar": "الفترة {value} لم تبدأ بعد",
        "en": "the period {value} has not started yet",
    },
    "already_declared": {
        "fr": "la période {value} est déjà déclarée (récépissé {receipt})",
        "ar": "الفترة {value} مصرح بها مسبقًا (الوصل {receipt})",
        "en": "the period {value} is already declared (receipt {receipt})",
    },
    "empty": {"fr": "le fichier est vide", "ar": "الملف فارغ", "en": "the file is empty"},
    "too_large": {
        "fr": "dépasse la taille maximale de {max} Mo",
        "ar": "يتجاوز الحجم الأقصى {max} ميغابايت",
        "en": "exceeds the largest size accepted, {max} MB",
    },
    "zip_bad": {
        "fr": "n'est pas une archive zip lisible ({reason})",
        "ar": "ليس أرشيف zip مقروءًا ({reason})",
        "en": "is not a readable zip archive ({reason})",
    },
    "zip_members": {
        "fr": "l'archive zip doit contenir un seul fichier (elle en contient {count})",
        "ar": "يجب أن يحتوي أرشيف zip على ملف واحد فقط (يحتوي على {count})",
        "en": "the zip archive must hold exactly one file (it holds {count})",
    },
    "zip_encrypted": {
        "fr": "l'archive zip est chiffrée : envoyez-la sans mot de passe",
        "ar": "أرشيف zip مشفر: أرسله دون كلمة مرور",
        "en": "the zip archive is encrypted: send it without a password",
    },
    "zip_too_large": {
        "fr": "décompressé, « {name} » ferait {size} Mo, au-delà du maximum de {max} Mo",
        "ar": "بعد فك الضغط، سيبلغ «{name}» {size} ميغابايت، أي فوق الحد الأقصى {max} ميغابايت",
        "en": "uncompressed, “{name}” would be {size} MB, above the largest accepted, {max} MB",
    },
    "zip_ratio": {
        "fr": "« {name} » se décompresse {ratio} fois plus gros (maximum {max}) : archive refusée",
        "ar": "«{name}» يتضخم {ratio} مرة عند فك الضغط (الحد الأقصى {max}): الأرشيف مرفوض",
        "en": "“{name}” expands {ratio} times when uncompressed (at most {max}): archive refused",
    },
    "zip_lies": {
        "fr": "« {name} » ne correspond pas à la taille annoncée par l'archive ({declared} octets)",
        "ar": "«{name}» لا يطابق الحجم المعلن في الأرشيف ({declared} بايت)",
        "en": "“{name}” does not match the size the archive declares ({declared} bytes)",
    },
    "not_text": {
        "fr": "n'est pas un fichier texte ({kind}) : envoyez le fichier de déclaration",
        "ar": "ليس ملفًا نصيًا ({kind}): أرسل ملف التصريح",
        "en": "is not a text file ({kind}): send the declaration file",
    },
    "other_employer": {
        "fr": "ce fichier est celui de l'employeur {value}, pas de {expected}",
        "ar": "هذا الملف يخص صاحب العمل {value} وليس {expected}",
        "en": "this file is employer {value}'s, not {expected}'s",
    },
    "other_period": {
        "fr": "ce fichier porte sur la période {value}, pas sur {expected}",
        "ar": "هذا الملف يخص الفترة {value} وليس {expected}",
        "en": "this file is for the period {value}, not {expected}",
    },
    "not_registered": {
        "fr": "{value} n'est pas immatriculé à la caisse",
        "ar": "{value} غير مسجل لدى الصندوق",
        "en": "{value} is not registered with the fund",
    },
    "not_employed": {
        "fr": "{value} n'est pas employé par cet employeur pendant la période {period}",
        "ar": "{value} ليس أجيرًا لدى صاحب العمل هذا خلال الفترة {period}",
        "en": "{value} is not employed by this employer during the period {period}",
    },
    "missing_employee": {
        "fr": "{value} ({name}), employé pendant la période, n'est pas déclaré",
        "ar": "{value} ({name})، الأجير خلال الفترة، غير مصرح به",
        "en": "{value} ({name}), employed during the period, is not declared",
    },
    "duplicate_insured": {
        "fr": "{value} est déjà déclaré à la ligne {line}",
        "ar": "{value} مصرح به مسبقًا في السطر {line}",
        "en": "{value} is already declared on line {line}",
    },
    "bad_header": {
        "fr": "la première ligne doit être l'en-tête « {expected} » (lu : « {got} »)",
        "ar": "يجب أن يكون السطر الأول هو الترويسة «{expected}» (المقروء: «{got}»)",
        "en": "the first line must be the header “{expected}” (got “{got}”)",
    },
    "column_count": {
        "fr": "{expected} colonnes attendues, {got} lues",
        "ar": "المتوقع {expected} أعمدة، والمقروء {got}",
        "en": "{expected} columns expected, {got} read",
    },
    "not_utf8": {
        "fr": "n'est pas en UTF-8 (octet {byte} en position {position})",
        "ar": "ليس بترميز UTF-8 (البايت {byte} في الموضع {position})",
        "en": "is not UTF-8 (byte {byte} at position {position})",
    },
    "not_a_number": {
        "fr": "« {value} » n'est pas un nombre entier",
        "ar": "«{value}» ليس عددًا صحيحًا",
        "en": "“{value}” is not a whole number",
    },
    "days_range": {
        "fr": "doit être entre 0 et {max} (lu : {value})",
        "ar": "يجب أن يكون بين 0 و{max} (المقروء: {value})",
        "en": "must be between 0 and {max} (got {value})",
    },
    "not_an_amount": {
        "fr": "« {value} » n'est pas un montant en {currency} (point décimal, {decimals} déc.)",
        "ar": "«{value}» ليس مبلغًا بـ {currency} (فاصلة عشرية نقطة، {decimals} أرقام عشرية)",
        "en": "“{value}” is not an amount in {currency} (decimal point, {decimals} decimals)",
    },
    "absurd": {
        "fr": "{value} dépasse le plafond de vraisemblance de {max}",
        "ar": "{value} يتجاوز الحد المعقول {max}",
        "en": "{value} is above the plausibility bound of {max}",
    },
    "unknown_situation": {
        "fr": "« {value} » n'est pas un code de situation admis ({choices})",
        "ar": "«{value}» ليس رمز وضعية مقبولًا ({choices})",
        "en": "“{value}” is not an allowed situation code ({choices})",
    },
    "bad_number": {
        "fr": "« {value} » : {reason}",
        "ar": "«{value}»: {reason}",
        "en": "“{value}”: {reason}",
    },
    "format_unavailable": {
        "fr": "le format {value} n'est pas encore traité par la plateforme",
        "ar": "الصيغة {value} غير معالجة بعد في المنصة",
        "en": "the format {value} is not processed by the platform yet",
    },
    "too_many_problems": {
        "fr": "trop de problèmes : les {max} premiers sont listés",
        "ar": "مشاكل كثيرة جدًا: أُدرجت {max} الأولى",
        "en": "too many problems: the first {max} are listed",
    },
}

_SEPARATOR = {"fr": " : ", "ar": ": ", "en": ": "}


def problem(field: str, code: str, /, **params: object) -> Problem:
    """A refusal of the upload form's ``field``."""
    values = {key: str(value) for key, value in params.items()}
    label = LABELS.get(field, {})
    texts = {
        lang: f"{label.get(lang, field)}{_SEPARATOR[lang]}{REASONS[code][lang].format(**values)}"
        for lang in LANGUAGES
    }
    return Problem(field=field, code=code, texts=texts, params=values)


def file_problem(line: int, field: str, code: str, /, **params: object) -> LineProblem:
    """A problem on ``line`` of a file (0: the whole file)."""
    return LineProblem(line=line, problem=problem(field, code, **params))
