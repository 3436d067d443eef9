"""Refusals of a declaration, each naming the line (row number and insured number) and the field,
in French, Arabic and English (pure Python, built on :class:`tadamun.errors.Problem`)."""

from __future__ import annotations

from tadamun.errors import LANGUAGES, Problem

LABELS: dict[str, dict[str, str]] = {
    "days": {"fr": "Jours", "ar": "الأيام", "en": "Days"},
    "wage": {"fr": "Salaire", "ar": "الأجر", "en": "Wage"},
    "situation": {"fr": "Situation", "ar": "الوضعية", "en": "Situation"},
    "insured": {"fr": "Assuré", "ar": "المؤمَّن له", "en": "Insured person"},
    "ssn": {
        "fr": "Numéro de sécurité sociale",
        "ar": "رقم الضمان الاجتماعي",
        "en": "Social security number",
    },
    "surname_latin": {"fr": "Nom", "ar": "اللقب", "en": "Surname"},
    "first_names_latin": {"fr": "Prénoms", "ar": "الأسماء", "en": "First names"},
    "surname_arabic": {"fr": "Nom en arabe", "ar": "اللقب بالعربية", "en": "Surname in Arabic"},
    "first_names_arabic": {
        "fr": "Prénoms en arabe",
        "ar": "الأسماء بالعربية",
        "en": "First names in Arabic",
    },
    "national_id": {
        "fr": "Numéro de la pièce d'identité",
        "ar": "رقم بطاقة التعريف",
        "en": "National ID number",
    },
    "birth_date": {"fr": "Date de naissance", "ar": "تاريخ الميلاد", "en": "Birth date"},
    "period": {"fr": "Période", "ar": "الفترة", "en": "Period"},
    "kind": {"fr": "Type de déclaration", "ar": "نوع التصريح", "en": "Declaration kind"},
    "lines": {"fr": "Salariés", "ar": "الأجراء", "en": "Employees"},
    "replaces": {
        "fr": "Déclaration remplacée",
        "ar": "التصريح المُعوَّض",
        "en": "Replaced declaration",
    },
    "token": {"fr": "Jeton d'envoi", "ar": "رمز الإرسال", "en": "Submission token"},
}

REASONS: dict[str, dict[str, str]] = {
    "required": {"fr": "est obligatoire", "ar": "حقل إلزامي", "en": "is required"},
    "not_a_number": {
        "fr": "« {value} » n'est pas un nombre entier",
        "ar": "«{value}» ليس عددًا صحيحًا",
        "en": "“{value}” is not a whole number",
    },
    "days_range": {
        "fr": "doit être entre 0 et {max} (saisi : {value})",
        "ar": "يجب أن يكون بين 0 و{max} (المُدخل: {value})",
        "en": "must be between 0 and {max} (got {value})",
    },
    "not_an_amount": {
        "fr": "« {value} » n'est pas un montant en {currency} (au plus {decimals} décimales)",
        "ar": "«{value}» ليس مبلغًا بـ {currency} (على الأكثر {decimals} أرقام عشرية)",
        "en": "“{value}” is not an amount in {currency} (at most {decimals} decimals)",
    },
    "negative": {
        "fr": "ne peut pas être négatif ({value})",
        "ar": "لا يمكن أن يكون سالبًا ({value})",
        "en": "cannot be negative ({value})",
    },
    "absurd": {
        "fr": "{value} dépasse le plafond de vraisemblance de {max} : vérifiez le montant",
        "ar": "{value} يتجاوز الحد المعقول {max}: تحقق من المبلغ",
        "en": "{value} is above the plausibility bound of {max}: check the amount",
    },
    "unknown_situation": {
        "fr": "« {value} » n'est pas un code de situation admis ({choices})",
        "ar": "«{value}» ليس رمز وضعية مقبولًا ({choices})",
        "en": "“{value}” is not an allowed situation code ({choices})",
    },
    "zero_line": {
        "fr": "la situation {code} exige 0 jour et un salaire nul",
        "ar": "الوضعية {code} تقتضي 0 يوم وأجرًا منعدمًا",
        "en": "situation {code} requires 0 days and a zero wage",
    },
    "zero_wage_normal": {
        "fr": "un salaire nul sans situation : indiquez SO (sorti) ou la situation du salarié",
        "ar": "أجر منعدم بدون وضعية: اختر SO (مغادر) أو وضعية الأجير",
        "en": "a zero wage with no situation: choose SO (left) or the employee's situation",
    },
    "not_in_workforce": {
        "fr": "{value} n'est pas un salarié de cet employeur pour la période",
        "ar": "{value} ليس أجيرًا لدى صاحب العمل هذا خلال الفترة",
        "en": "{value} is not an employee of this employer for the period",
    },
    "duplicate_line": {
        "fr": "ce salarié est déjà déclaré à la ligne {other}",
        "ar": "هذا الأجير مصرَّح به مسبقًا في السطر {other}",
        "en": "this employee is already declared on line {other}",
    },
    "missing_employee": {
        "fr": "{name} ({ssn}) est attendu par la caisse et manque à la déclaration",
        "ar": "{name} ({ssn}) منتظر من طرف الصندوق وغير موجود في التصريح",
        "en": "{name} ({ssn}) is expected by the fund and missing from the declaration",
    },
    "unknown_ssn": {
        "fr": (
            "{value} n'est pas immatriculé à la caisse : laissez le"
            " numéro vide pour une demande d'immatriculation"
        ),
        "ar": "{value} غير مسجَّل لدى الصندوق: اترك الرقم فارغًا لطلب التسجيل",
        "en": (
            "{value} is not registered with the fund: leave the"
            " number blank to request registration"
        ),
    },
    "invalid_identifier": {"fr": "{detail}", "ar": "{detail}", "en": "{detail}"},
    "not_a_date": {
        "fr": "« {value} » n'est pas une date (AAAA-MM-JJ)",
        "ar": "«{value}» ليس تاريخًا (YYYY-MM-DD)",
        "en": "“{value}” is not a date (YYYY-MM-DD)",
    },
    "implausible_date": {
        "fr": "n'est pas plausible (attendu entre le {min} et le {max})",
        "ar": "غير معقول (يجب أن يكون بين {min} و{max})",
        "en": "is not plausible (expected between {min} and {max})",
    },
    "nil_with_lines": {
        "fr": "une déclaration « néant » ne peut pas contenir de salarié ({count} lignes)",
        "ar": "تصريح «لا شيء للتصريح» لا يمكن أن يتضمن أجراء ({count} أسطر)",
        "en": "a “nothing to declare” declaration cannot list employees ({count} lines)",
    },
    "nil_with_workforce": {
        "fr": (
            "la caisse attend {count} salarié(s) pour cette période :"
            " déclarez-les (situation CS s'ils n'ont pas travaillé)"
        ),
        "ar": "ينتظر الصندوق {count} أجيرًا لهذه الفترة: صرِّح بهم (الوضعية CS إن لم يعملوا)",
        "en": (
            "the fund expects {count} employee(s) for this period:"
            " declare them (situation CS if they did not work)"
        ),
    },
    "empty": {
        "fr": "aucun salarié déclaré : utilisez « Néant » s'il n'y a rien à déclarer",
        "ar": "لا يوجد أي أجير مصرَّح به: استعمل «لا شيء للتصريح» إن لم يكن هناك ما يُصرَّح به",
        "en": "no employee declared: use “Nothing to declare” if there is nothing to declare",
    },
    "after_deadline": {
        "fr": "n'est plus possible après l'échéance du {due}",
        "ar": "لم يعد ممكنًا بعد أجل {due}",
        "en": "is no longer possible after the deadline of {due}",
    },
    "already_declared": {
        "fr": (
            "la période {period} est déjà déclarée (reçu {receipt})"
            " : utilisez « annuler et remplacer »"
        ),
        "ar": "الفترة {period} مصرَّح بها مسبقًا (الوصل {receipt}): استعمل «إلغاء وتعويض»",
        "en": "period {period} is already declared (receipt {receipt}): use “cancel and replace”",
    },
    "not_replaceable": {
        "fr": "la déclaration {receipt} n'est pas la version en vigueur de cette période",
        "ar": "التصريح {receipt} ليس النسخة السارية لهذه الفترة",
        "en": "declaration {receipt} is not the version in force for this period",
    },
    "not_a_period": {
        "fr": "« {value} » n'est pas une période de déclaration de cet employeur ({expected})",
        "ar": "«{value}» ليست فترة تصريح لصاحب العمل هذا ({expected})",
        "en": "“{value}” is not a declaration period of this employer ({expected})",
    },
    "future_period": {
        "fr": "la période {value} n'a pas encore commencé",
        "ar": "الفترة {value} لم تبدأ بعد",
        "en": "period {value} has not started yet",
    },
    "token_used": {
        "fr": "ce formulaire a déjà servi à une autre déclaration : rechargez la page",
        "ar": "هذه الاستمارة استُعملت لتصريح آخر: أعد تحميل الصفحة",
        "en": "this form was already used for another declaration: reload the page",
    },
}

_LINE = {
    "fr": "Ligne {row}{who} — ",
    "ar": "السطر {row}{who} — ",
    "en": "Line {row}{who} — ",
}
_SEPARATOR = {"fr": " : ", "ar": ": ", "en": ": "}


def line_problem(row: int | None, ssn: str, field: str, code: str, /, **params: object) -> Problem:
    """A problem on ``field`` of line ``row`` (``None``: the whole declaration)."""
    values = {key: str(value) for key, value in params.items()}
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        prefix = ""
        if row is not None:
            who = f" ({ssn})" if ssn else ""
            prefix = _LINE[lang].format(row=row, who=who)
        label = LABELS[field][lang]
        reason = REASONS[code][lang].format(**values)
        texts[lang] = f"{prefix}{label}{_SEPARATOR[lang]}{reason}"
    name = f"lines.{row}.{field}" if row is not None else field
    extra = {"row": "" if row is None else str(row), "ssn": ssn, **values}
    return Problem(field=name, code=code, texts=texts, params=extra)
