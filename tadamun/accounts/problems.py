"""Refusals of the accounts app, named by field, in French, Arabic and English (pure data).

Same shape as the registry's: a :class:`~tadamun.errors.Problem` per faulty field, raised together
as :class:`~tadamun.errors.InvalidInput`. Registry field labels (affiliate number, legal
identifier) are reused so a key error reads the same everywhere.
"""

from __future__ import annotations

from tadamun.errors import Catalogue, Problem, ProblemCollector
from tadamun.registry.labels import FIELD_LABELS

LABELS: dict[str, dict[str, str]] = {
    "affiliate_number": FIELD_LABELS["affiliate_number"],
    "legal_identifier": FIELD_LABELS["legal_identifier"],
    "company_name": {"fr": "Raison sociale", "ar": "الاسم التجاري", "en": "Company name"},
    "contact_name": {
        "fr": "Nom de la personne à contacter",
        "ar": "اسم الشخص المُكلَّف بالتواصل",
        "en": "Contact name",
    },
    "email": {"fr": "Adresse e-mail", "ar": "البريد الإلكتروني", "en": "E-mail address"},
    "password": {"fr": "Mot de passe", "ar": "كلمة المرور", "en": "Password"},
    "code": {
        "fr": "Code de vérification",
        "ar": "رمز التحقق",
        "en": "Verification code",
    },
    "token": {"fr": "Lien d'activation", "ar": "رابط التفعيل", "en": "Activation link"},
    "reason": {"fr": "Motif du refus", "ar": "سبب الرفض", "en": "Reason for refusal"},
    "request": {"fr": "Demande d'inscription", "ar": "طلب التسجيل", "en": "Sign-up request"},
    "membership": {"fr": "Délégation", "ar": "التفويض", "en": "Delegation"},
}

#: Reasons of this app; the platform's shared ones (``required``, ``too_long`` …) come from
#: :data:`tadamun.errors.REASONS`.
ACCOUNT_REASONS: dict[str, dict[str, str]] = {
    "unknown_employer": {
        "fr": "aucun employeur n'est immatriculé sous ce numéro",
        "ar": "لا يوجد صاحب عمل مسجَّل بهذا الرقم",
        "en": "no employer is registered under this number",
    },
    "mismatch": {
        "fr": "ne correspond pas à celui de l'employeur immatriculé sous ce numéro",
        "ar": "لا يطابق معرّف صاحب العمل المسجَّل بهذا الرقم",
        "en": "does not match the employer registered under this number",
    },
    "not_an_email": {
        "fr": "n'est pas une adresse e-mail valide",
        "ar": "ليس عنوان بريد إلكتروني صحيحًا",
        "en": "is not a valid e-mail address",
    },
    "pending_exists": {
        "fr": "une demande est déjà en attente pour cet employeur",
        "ar": "يوجد طلب قيد الانتظار لصاحب العمل هذا",
        "en": "a request for this employer is already waiting for the agency",
    },
    "has_owner": {
        "fr": "cet employeur a déjà un compte ; demandez l'accès à son titulaire",
        "ar": "لصاحب العمل هذا حساب مسبقًا؛ اطلب الإذن من صاحبه",
        "en": "this employer already has an account: ask its owner for access",
    },
    "wrong_code": {
        "fr": "le code est incorrect ou a expiré",
        "ar": "الرمز غير صحيح أو منتهي الصلاحية",
        "en": "the code is wrong or has expired",
    },
    "expired": {
        "fr": "ce lien a expiré ; demandez-en un nouveau",
        "ar": "انتهت صلاحية هذا الرابط؛ اطلب رابطًا جديدًا",
        "en": "this link has expired: ask for a new one",
    },
    "used": {
        "fr": "ce lien a déjà été utilisé",
        "ar": "سبق استعمال هذا الرابط",
        "en": "this link has already been used",
    },
    "unknown_token": {
        "fr": "ce lien n'est pas valide",
        "ar": "هذا الرابط غير صالح",
        "en": "this link is not valid",
    },
    "already_decided": {
        "fr": "cette demande a déjà été traitée",
        "ar": "سبقت معالجة هذا الطلب",
        "en": "this request has already been decided",
    },
    "already_member": {
        "fr": "cette personne a déjà accès à cet employeur",
        "ar": "لهذا الشخص حق الوصول إلى صاحب العمل هذا مسبقًا",
        "en": "this person already has access to this employer",
    },
    "is_staff": {
        "fr": "ce compte appartient au personnel d'une agence",
        "ar": "هذا الحساب تابع لموظفي وكالة",
        "en": "this account belongs to agency staff",
    },
    "not_accountant": {
        "fr": "seule une délégation à un comptable peut être retirée ici",
        "ar": "لا يمكن هنا إنهاء إلا تفويض محاسب",
        "en": "only an accountant's delegation can be ended here",
    },
    "already_ended": {
        "fr": "cette délégation est déjà terminée",
        "ar": "هذا التفويض منتهٍ مسبقًا",
        "en": "this delegation has already ended",
    },
    "password_mismatch": {
        "fr": "les deux saisies ne sont pas identiques",
        "ar": "الإدخالان غير متطابقين",
        "en": "the two entries differ",
    },
}

CATALOGUE = Catalogue(LABELS, ACCOUNT_REASONS)
label = CATALOGUE.label
problem = CATALOGUE.problem
refuse = CATALOGUE.refuse


class Problems(ProblemCollector):
    def make(self, field: str, code: str, **params: object) -> Problem:
        return problem(field, code, **params)
