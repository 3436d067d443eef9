"""Refusals of affiliation, named by field, in French, Arabic and English (pure data).

Registry labels (names, birth date, national identity number…) are reused so that a key error
reads the same everywhere; the platform's shared reasons come from :data:`tadamun.errors.REASONS`.
"""

from __future__ import annotations

from collections.abc import Sequence

from tadamun.affiliation.categories import CATEGORIES
from tadamun.errors import Catalogue, Problem, ProblemCollector
from tadamun.registry.labels import FIELD_LABELS

LABELS: dict[str, dict[str, str]] = {
    **FIELD_LABELS,
    "birth_place": {"fr": "Lieu de naissance", "ar": "مكان الميلاد", "en": "Place of birth"},
    "hire_date": {"fr": "Date d'embauche", "ar": "تاريخ التوظيف", "en": "Hire date"},
    "file": {"fr": "Fichier", "ar": "الملف", "en": "File"},
    "category": {"fr": "Catégorie d'activité", "ar": "فئة النشاط", "en": "Activity category"},
    "profession": {"fr": "Profession", "ar": "المهنة", "en": "Profession"},
    "register_number": {
        "fr": "Numéro du registre ou de la carte",
        "ar": "رقم السجل أو البطاقة",
        "en": "Register or card number",
    },
    "activity_start": {
        "fr": "Date de début d'activité",
        "ar": "تاريخ بداية النشاط",
        "en": "Start of activity",
    },
    "email": {"fr": "Adresse e-mail", "ar": "البريد الإلكتروني", "en": "E-mail address"},
    "year": {"fr": "Année de cotisation", "ar": "سنة الاشتراك", "en": "Contribution year"},
    "income": {"fr": "Revenu annuel", "ar": "الدخل السنوي", "en": "Annual income"},
    "request": {"fr": "Demande", "ar": "الطلب", "en": "Request"},
    "account": {"fr": "Compte cotisant", "ar": "حساب المشترك", "en": "Contributor account"},
    "fund": {"fr": "Caisse", "ar": "الصندوق", "en": "Fund"},
    # Each category's documents, named as the form names them.
    **{
        doc.code: dict(doc.labels) for category in CATEGORIES.values() for doc in category.documents
    },
}

AFFILIATION_REASONS: dict[str, dict[str, str]] = {
    "nin_other_person": {
        "fr": "ce numéro est déjà enregistré pour une autre personne (assuré {ssn}) ; "
        "vérifiez la saisie ou adressez-vous à l'agence",
        "ar": "هذا الرقم مسجَّل لشخص آخر (المؤمَّن له {ssn})؛ تحقق من الإدخال أو راجع الوكالة",
        "en": "this number is already registered to another person (insured {ssn}); "
        "check what you typed or contact the agency",
    },
    "already_employed": {
        "fr": "cette personne (assuré {ssn}) est déjà déclarée chez vous depuis le {start}",
        "ar": "هذا الشخص (المؤمَّن له {ssn}) مصرَّح به لديكم منذ {start}",
        "en": "this person (insured {ssn}) is already employed by you since {start}",
    },
    "twice_in_file": {
        "fr": "figure déjà à la ligne {first} du même envoi",
        "ar": "مذكور في السطر {first} من الإرسال نفسه",
        "en": "already appears on line {first} of the same submission",
    },
    "pending_request": {
        "fr": "une demande pour cette personne attend déjà la décision de l'agence",
        "ar": "طلب يخص هذا الشخص ينتظر قرار الوكالة",
        "en": "a request for this person is already waiting for the agency's decision",
    },
    "too_young": {
        "fr": "la personne aurait moins de {age} ans à cette date",
        "ar": "سيكون عمر الشخص أقل من {age} سنة في هذا التاريخ",
        "en": "the person would be under {age} at that date",
    },
    "too_far_ahead": {
        "fr": "ne peut pas dépasser le {max}",
        "ar": "لا يمكن أن يتجاوز {max}",
        "en": "cannot be after {max}",
    },
    "in_future": {
        "fr": "ne peut pas être dans le futur (aujourd'hui : {today})",
        "ar": "لا يمكن أن يكون في المستقبل (اليوم: {today})",
        "en": "cannot be in the future (today: {today})",
    },
    "not_csv": {
        "fr": "n'est pas un fichier CSV lisible en UTF-8 ({detail})",
        "ar": "ليس ملف CSV مقروءًا بترميز UTF-8 ({detail})",
        "en": "is not a CSV file readable as UTF-8 ({detail})",
    },
    "empty_file": {
        "fr": "ne contient aucune ligne d'employé",
        "ar": "لا يحتوي على أي سطر لعامل",
        "en": "holds no employee line",
    },
    "too_many_lines": {
        "fr": "contient plus de {max} lignes ; découpez-le",
        "ar": "يحتوي على أكثر من {max} سطر؛ قسّمه",
        "en": "holds more than {max} lines; split it",
    },
    "too_big": {
        "fr": "dépasse {max} octets",
        "ar": "يتجاوز {max} بايت",
        "en": "is larger than {max} bytes",
    },
    "missing_columns": {
        "fr": "colonnes manquantes dans l'en-tête : {columns}",
        "ar": "أعمدة ناقصة في السطر الأول: {columns}",
        "en": "columns missing from the header: {columns}",
    },
    "wrong_column_count": {
        "fr": "la ligne a {got} colonnes au lieu de {expected}",
        "ar": "السطر يحتوي على {got} أعمدة بدل {expected}",
        "en": "the line has {got} columns instead of {expected}",
    },
    "not_an_amount": {
        "fr": "« {value} » n'est pas un montant en {currency} (par exemple 850000.00)",
        "ar": "«{value}» ليس مبلغًا بـ {currency} (مثلًا 850000.00)",
        "en": "“{value}” is not an amount in {currency} (for example 850000.00)",
    },
    "negative": {
        "fr": "ne peut pas être négatif",
        "ar": "لا يمكن أن يكون سالبًا",
        "en": "cannot be negative",
    },
    "absurd": {
        "fr": "dépasse {max} : vérifiez l'unité (dinars, pas centimes)",
        "ar": "يتجاوز {max}: تحقق من الوحدة (دينار لا سنتيم)",
        "en": "is more than {max}: check the unit (dinars, not centimes)",
    },
    "year_range": {
        "fr": "doit être comprise entre {min} et {max}",
        "ar": "يجب أن تكون بين {min} و{max}",
        "en": "must be between {min} and {max}",
    },
    "already_declared": {
        "fr": "le revenu de {year} est déjà déclaré (reçu {receipt})",
        "ar": "دخل سنة {year} مصرَّح به مسبقًا (الوصل {receipt})",
        "en": "the income for {year} is already declared (receipt {receipt})",
    },
    "not_affiliated": {
        "fr": "votre affiliation n'est pas encore acceptée par l'agence",
        "ar": "انتسابك لم تقبله الوكالة بعد",
        "en": "your affiliation has not been accepted by the agency yet",
    },
    "already_signed_up": {
        "fr": "cette personne a déjà un compte en ligne ; connectez-vous avec son adresse",
        "ar": "لهذا الشخص حساب إلكتروني مسبقًا؛ سجّل الدخول بعنوانه",
        "en": "this person already has an online account; sign in with its address",
    },
    "already_affiliated": {
        "fr": "cette personne est déjà affiliée comme non-salariée (compte {number})",
        "ar": "هذا الشخص منتسب مسبقًا كغير أجير (الحساب {number})",
        "en": "this person is already affiliated as self-employed (account {number})",
    },
    "no_self_employed": {
        "fr": "cette caisse n'affilie pas les non-salariés",
        "ar": "هذا الصندوق لا يقبل انتساب غير الأجراء",
        "en": "this fund does not affiliate the self-employed",
    },
    "already_decided": {
        "fr": "cette demande a déjà été tranchée",
        "ar": "تم الفصل في هذا الطلب مسبقًا",
        "en": "this request has already been decided",
    },
    "missing_document": {
        "fr": "ce document est obligatoire pour la catégorie choisie",
        "ar": "هذه الوثيقة إلزامية للفئة المختارة",
        "en": "this document is required for the chosen category",
    },
    "not_a_file": {
        "fr": "n'est pas un fichier envoyé",
        "ar": "ليس ملفًا مرسلًا",
        "en": "is not an uploaded file",
    },
}


CATALOGUE = Catalogue(LABELS, AFFILIATION_REASONS)
label = CATALOGUE.label
refuse = CATALOGUE.refuse


def problem(field: str, code: str, **params: object) -> Problem:
    """A problem of ``field``; ``row=`` (an int) puts it on that line of a file."""
    row = params.pop("row", None)
    found = CATALOGUE.problem(field, code, **params)
    if not isinstance(row, int):
        return found
    return Problem(
        field=field,
        code=code,
        texts={lang: _row_head(lang, row) + text for lang, text in found.texts.items()},
        params={**found.params, "row": str(row)},
    )


def _row_head(language: str, row: int) -> str:
    return {"fr": f"Ligne {row} — ", "ar": f"السطر {row} — "}.get(language, f"Line {row} — ")


def on_row(problems: Sequence[Problem], row: int) -> list[Problem]:
    """Problems of one record moved onto line ``row`` of a file (``lines.<row>.<field>``)."""
    return [
        Problem(
            field=f"lines.{row}.{p.field}",
            code=p.code,
            texts={lang: _row_head(lang, row) + text for lang, text in p.texts.items()},
            params={**p.params, "row": str(row)},
        )
        for p in problems
    ]


class Problems(ProblemCollector):
    def make(self, field: str, code: str, **params: object) -> Problem:
        return problem(field, code, **params)
