"""Refusals of the insured person's space, named by field, in French, Arabic and English."""

from __future__ import annotations

from tadamun.errors import Catalogue
from tadamun.registry.labels import FIELD_LABELS

LABELS: dict[str, dict[str, str]] = {
    "number": {
        "fr": "Numéro d'assuré social",
        "ar": "رقم الضمان الاجتماعي",
        "en": "Social security number",
    },
    "birth_date": FIELD_LABELS.get(
        "birth_date", {"fr": "Date de naissance", "ar": "تاريخ الميلاد", "en": "Birth date"}
    ),
    "email": {"fr": "Adresse e-mail", "ar": "البريد الإلكتروني", "en": "E-mail address"},
    "code": {
        "fr": "Code reçu par e-mail",
        "ar": "الرمز المستلم بالبريد",
        "en": "Code received by e-mail",
    },
    "password": {"fr": "Mot de passe", "ar": "كلمة المرور", "en": "Password"},
    "registration": {"fr": "Inscription", "ar": "التسجيل", "en": "Registration"},
}

INSURED_REASONS: dict[str, dict[str, str]] = {
    "not_an_email": {
        "fr": "n'est pas une adresse e-mail valide",
        "ar": "ليس عنوان بريد إلكتروني صحيحًا",
        "en": "is not a valid e-mail address",
    },
    "wrong_code": {
        "fr": "le code est incorrect ou a expiré",
        "ar": "الرمز غير صحيح أو منتهي الصلاحية",
        "en": "the code is wrong or has expired",
    },
    "too_many_attempts": {
        "fr": "trop d'essais : demandez un nouveau code",
        "ar": "محاولات كثيرة: اطلب رمزًا جديدًا",
        "en": "too many attempts: ask for a new code",
    },
    "expired": {
        "fr": "cette inscription a expiré : recommencez",
        "ar": "انتهت صلاحية هذا التسجيل: أعد المحاولة",
        "en": "this registration has expired: start again",
    },
    "password_mismatch": {
        "fr": "les deux saisies ne sont pas identiques",
        "ar": "الإدخالان غير متطابقين",
        "en": "the two entries differ",
    },
    "future_date": {
        "fr": "ne peut pas être dans le futur",
        "ar": "لا يمكن أن يكون في المستقبل",
        "en": "cannot be in the future",
    },
}

CATALOGUE = Catalogue(LABELS, INSURED_REASONS)
label = CATALOGUE.label
problem = CATALOGUE.problem
refuse = CATALOGUE.refuse
