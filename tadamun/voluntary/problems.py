"""Refusals of the voluntary membership, named by field, in French, Arabic and English (pure data).

Same shape as the registry's and the accounts app's: one :class:`~tadamun.errors.Problem` per
faulty field, raised together as :class:`~tadamun.errors.InvalidInput`. Registry labels (names,
birth date, national identity number, social security number) are reused so that a key error
reads the same everywhere.
"""

from __future__ import annotations

from tadamun.errors import SEPARATOR, Catalogue, InvalidInput, Problem, ProblemCollector
from tadamun.registry.labels import FIELD_LABELS

LABELS: dict[str, dict[str, str]] = {
    **FIELD_LABELS,
    "national_id": {
        "fr": "Numéro d'identification national (NIN)",
        "ar": "رقم التعريف الوطني",
        "en": "National identification number (NIN)",
    },
    "previous_ssn": {
        "fr": "Numéro de sécurité sociale algérien (si vous en avez un)",
        "ar": "رقم الضمان الاجتماعي الجزائري (إن وُجد)",
        "en": "Algerian social security number (if you have one)",
    },
    "nationality": {"fr": "Nationalité", "ar": "الجنسية", "en": "Nationality"},
    "country": {
        "fr": "Pays de résidence",
        "ar": "بلد الإقامة",
        "en": "Country of residence",
    },
    "city": {"fr": "Ville de résidence", "ar": "مدينة الإقامة", "en": "City of residence"},
    "consulate": {"fr": "Consulat d'inscription", "ar": "القنصلية المسجَّل بها", "en": "Consulate"},
    "consular_number": {
        "fr": "Numéro d'immatriculation consulaire",
        "ar": "رقم التسجيل القنصلي",
        "en": "Consular registration number",
    },
    "activity": {
        "fr": "Activité professionnelle à l'étranger",
        "ar": "النشاط المهني بالخارج",
        "en": "Professional activity abroad",
    },
    "email": {"fr": "Adresse e-mail", "ar": "البريد الإلكتروني", "en": "E-mail address"},
    "language": {"fr": "Langue préférée", "ar": "اللغة المفضلة", "en": "Preferred language"},
    "consular_card": {
        "fr": "Carte d'immatriculation consulaire",
        "ar": "بطاقة التسجيل القنصلي",
        "en": "Consular registration card",
    },
    "activity_proof": {
        "fr": "Justificatif d'activité professionnelle à l'étranger",
        "ar": "إثبات النشاط المهني بالخارج",
        "en": "Proof of professional activity abroad",
    },
    "monthly_base": {
        "fr": "Assiette mensuelle déclarée",
        "ar": "الوعاء الشهري المصرَّح به",
        "en": "Declared monthly base",
    },
    "quarters": {"fr": "Trimestres", "ar": "الثلاثيات", "en": "Quarters"},
    "membership": {"fr": "Adhésion", "ar": "الانخراط", "en": "Membership"},
    "reason": {"fr": "Motif", "ar": "السبب", "en": "Reason"},
}

VOLUNTARY_REASONS: dict[str, dict[str, str]] = {
    "already_signed_up": {
        "fr": "une adhésion existe déjà pour cette personne ({how})",
        "ar": "يوجد انخراط مسبق لهذا الشخص ({how})",
        "en": "a membership already exists for this person ({how})",
    },
    "not_a_quarter": {
        "fr": "« {value} » n'est pas un trimestre (AAAA-Tn)",
        "ar": "«{value}» ليس ثلاثيًا (YYYY-Qn)",
        "en": "“{value}” is not a quarter (YYYY-Qn)",
    },
    "too_old": {
        "fr": "{quarter} est antérieur de plus de {years} ans à votre affiliation (le plus ancien "
        "rachetable : {earliest})",
        "ar": "{quarter} سابق لانتسابك بأكثر من {years} سنوات (أقدم ثلاثي قابل للتسديد: "
        "{earliest})",
        "en": "{quarter} is more than {years} years before your affiliation (the oldest you may "
        "pay back: {earliest})",
    },
    "before_scheme": {
        "fr": "{quarter} précède l'entrée en vigueur du régime (premier trimestre : {earliest})",
        "ar": "{quarter} سابق لدخول النظام حيز التنفيذ (أول ثلاثي: {earliest})",
        "en": "{quarter} is before the scheme's rates came into force (first quarter: {earliest})",
    },
    "beyond_year": {
        "fr": "{quarter} est au-delà de l'année en cours (au plus tard : {latest})",
        "ar": "{quarter} يتجاوز السنة الجارية (آخر ثلاثي ممكن: {latest})",
        "en": "{quarter} is beyond the current year (the latest you may pay: {latest})",
    },
    "already_declared": {
        "fr": "{quarter} est déjà déclaré",
        "ar": "{quarter} مصرَّح به مسبقًا",
        "en": "{quarter} is already declared",
    },
    "none_chosen": {
        "fr": "choisissez au moins un trimestre",
        "ar": "اختر ثلاثيًا واحدًا على الأقل",
        "en": "choose at least one quarter",
    },
    "too_many": {
        "fr": "au plus {max} trimestres à la fois",
        "ar": "{max} ثلاثيًا على الأكثر في المرة الواحدة",
        "en": "at most {max} quarters at once",
    },
    "not_an_amount": {
        "fr": "saisissez un montant en {currency}, par exemple {example}",
        "ar": "أدخل مبلغًا بـ {currency}، مثلًا {example}",
        "en": "enter an amount in {currency}, for example {example}",
    },
    "below_minimum": {
        "fr": "doit être d'au moins {minimum} par mois (3 × SNMG en vigueur en {quarter})",
        "ar": "يجب ألا يقل عن {minimum} شهريًا (3 × الأجر الوطني الأدنى المضمون الساري في "
        "{quarter})",
        "en": "must be at least {minimum} a month (3 × the SNMG in force in {quarter})",
    },
    "above_maximum": {
        "fr": "ne peut dépasser {maximum} par mois",
        "ar": "لا يمكن أن يتجاوز {maximum} شهريًا",
        "en": "cannot exceed {maximum} a month",
    },
    "not_active": {
        "fr": "votre adhésion n'est pas encore active",
        "ar": "انخراطك غير مفعَّل بعد",
        "en": "your membership is not active yet",
    },
    "already_decided": {
        "fr": "cette demande a déjà été traitée",
        "ar": "سبقت معالجة هذا الطلب",
        "en": "this request has already been decided",
    },
    "ineligible": {
        "fr": "{reason}",
        "ar": "{reason}",
        "en": "{reason}",
    },
}

CATALOGUE = Catalogue(LABELS, VOLUNTARY_REASONS)
label = CATALOGUE.label
problem = CATALOGUE.problem
refuse = CATALOGUE.refuse


_FOUND_BY = {
    "national_id": {
        "fr": "même numéro d'identification national",
        "ar": "نفس رقم التعريف الوطني",
        "en": "same national identification number",
    },
    "names": {
        "fr": "mêmes noms et date de naissance",
        "ar": "نفس الاسم وتاريخ الميلاد",
        "en": "same names and birth date",
    },
    "account": {
        "fr": "un compte personnel existe déjà pour ce dossier",
        "ar": "يوجد حساب شخصي لهذا الملف",
        "en": "a personal account already exists for this record",
    },
}


def already_signed_up(how: str) -> InvalidInput:
    """A second sign-up of the same person, saying in each language how it was recognised."""
    names = label("national_id")
    found = _FOUND_BY[how]
    reason = VOLUNTARY_REASONS["already_signed_up"]
    texts = {
        lang: f"{names[lang]}{SEPARATOR[lang]}{reason[lang].format(how=found[lang])}"
        for lang in ("fr", "ar", "en")
    }
    return InvalidInput(
        [Problem(field="national_id", code="already_signed_up", texts=texts, params={"how": how})]
    )


class Problems(ProblemCollector):
    def make(self, field: str, code: str, **params: object) -> Problem:
        return problem(field, code, **params)
