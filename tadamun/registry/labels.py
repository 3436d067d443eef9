"""How the registry's fields are named to people, in French, Arabic and English (pure data)."""

from __future__ import annotations

FIELD_LABELS: dict[str, dict[str, str]] = {
    # employers
    "affiliate_number": {
        "fr": "Numéro d'affiliation de l'employeur",
        "ar": "رقم انخراط صاحب العمل",
        "en": "Employer affiliate number",
    },
    "legal_identifier": {
        "fr": "Identifiant légal de l'entreprise",
        "ar": "المعرّف القانوني للمؤسسة",
        "en": "Company legal identifier",
    },
    "name_latin": {
        "fr": "Raison sociale (caractères latins)",
        "ar": "الاسم التجاري (بالحروف اللاتينية)",
        "en": "Company name (Latin script)",
    },
    "name_arabic": {
        "fr": "Raison sociale (caractères arabes)",
        "ar": "الاسم التجاري (بالحروف العربية)",
        "en": "Company name (Arabic script)",
    },
    "agency": {"fr": "Agence", "ar": "الوكالة", "en": "Agency"},
    "activity_class": {
        "fr": "Classe d'activité (accidents du travail)",
        "ar": "فئة النشاط (حوادث العمل)",
        "en": "Activity class (work accidents)",
    },
    "declaration_periodicity": {
        "fr": "Périodicité de déclaration",
        "ar": "دورية التصريح",
        "en": "Declaration periodicity",
    },
    # insured persons
    "ssn": {
        "fr": "Numéro de sécurité sociale",
        "ar": "رقم الضمان الاجتماعي",
        "en": "Social security number",
    },
    "national_id": {
        "fr": "Numéro de la pièce d'identité nationale",
        "ar": "رقم بطاقة التعريف الوطنية",
        "en": "National identity card number",
    },
    "surname_latin": {
        "fr": "Nom (caractères latins)",
        "ar": "اللقب (بالحروف اللاتينية)",
        "en": "Surname (Latin script)",
    },
    "first_names_latin": {
        "fr": "Prénoms (caractères latins)",
        "ar": "الأسماء (بالحروف اللاتينية)",
        "en": "First names (Latin script)",
    },
    "surname_arabic": {
        "fr": "Nom (caractères arabes)",
        "ar": "اللقب (بالحروف العربية)",
        "en": "Surname (Arabic script)",
    },
    "first_names_arabic": {
        "fr": "Prénoms (caractères arabes)",
        "ar": "الأسماء (بالحروف العربية)",
        "en": "First names (Arabic script)",
    },
    "birth_date": {"fr": "Date de naissance", "ar": "تاريخ الميلاد", "en": "Birth date"},
    "sex": {"fr": "Sexe", "ar": "الجنس", "en": "Sex"},
    # employment links
    "employer": {"fr": "Employeur", "ar": "صاحب العمل", "en": "Employer"},
    "insured": {"fr": "Assuré", "ar": "المؤمَّن له", "en": "Insured person"},
    "start_date": {"fr": "Date de début", "ar": "تاريخ البداية", "en": "Start date"},
    "end_date": {"fr": "Date de fin", "ar": "تاريخ النهاية", "en": "End date"},
    "end_reason": {"fr": "Motif de fin", "ar": "سبب الانتهاء", "en": "End reason"},
    # agencies
    "code": {"fr": "Code de l'agence", "ar": "رمز الوكالة", "en": "Agency code"},
    "name_fr": {"fr": "Nom en français", "ar": "الاسم بالفرنسية", "en": "Name in French"},
    "name_ar": {"fr": "Nom en arabe", "ar": "الاسم بالعربية", "en": "Name in Arabic"},
    "name_en": {"fr": "Nom en anglais", "ar": "الاسم بالإنجليزية", "en": "Name in English"},
}


def label(field: str) -> dict[str, str]:
    """The label of ``field``, or the field's own name in every language when it has none."""
    return FIELD_LABELS.get(field, {"fr": field, "ar": field, "en": field})
