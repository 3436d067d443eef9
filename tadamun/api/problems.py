"""Refusals of the API and of the key pages, named by field, in French, Arabic and English.

Same shape as the other apps: a :class:`~tadamun.errors.Problem` per faulty field, raised together
as :class:`~tadamun.errors.InvalidInput`; the API answers them as
``{"problems": [{"field", "code", "message"}]}`` in the language asked for.
"""

from __future__ import annotations

from tadamun.errors import Catalogue

LABELS: dict[str, dict[str, str]] = {
    "name": {"fr": "Nom", "ar": "الاسم", "en": "Name"},
    "scope": {"fr": "Droits de la clé", "ar": "صلاحيات المفتاح", "en": "Key scope"},
    "expires_on": {
        "fr": "Date d'expiration",
        "ar": "تاريخ انتهاء الصلاحية",
        "en": "Expiry date",
    },
    "kind": {"fr": "Type de partenaire", "ar": "نوع الشريك", "en": "Partner type"},
    "key": {"fr": "Clé d'API", "ar": "مفتاح الواجهة البرمجية", "en": "API key"},
    "partner": {"fr": "Partenaire", "ar": "الشريك", "en": "Partner"},
    "Authorization": {
        "fr": "En-tête Authorization",
        "ar": "ترويسة Authorization",
        "en": "Authorization header",
    },
    "file": {"fr": "Fichier", "ar": "الملف", "en": "File"},
    "expected": {"fr": "Fichier pré-rempli", "ar": "الملف المعبأ مسبقًا", "en": "Pre-filled file"},
    "detail": {
        "fr": "Fichier des salariés (DAS)",
        "ar": "ملف الأجراء (DAS)",
        "en": "Employees file (DAS)",
    },
    "format": {"fr": "Format", "ar": "الصيغة", "en": "Format"},
    "regime": {"fr": "Régime", "ar": "النظام", "en": "Regime"},
    "layout": {"fr": "Version du format", "ar": "إصدار الصيغة", "en": "Layout version"},
    "activity_class": {
        "fr": "Classe d'activité",
        "ar": "فئة النشاط",
        "en": "Activity class",
    },
    "affiliate": {"fr": "Numéro d'affiliation", "ar": "رقم الانخراط", "en": "Affiliate number"},
    "employer": {"fr": "Numéro d'employeur", "ar": "رقم صاحب العمل", "en": "Employer number"},
    "quarter": {"fr": "Trimestre", "ar": "الثلاثي", "en": "Quarter"},
    "year": {"fr": "Année", "ar": "السنة", "en": "Year"},
    "period": {"fr": "Période", "ar": "الفترة", "en": "Period"},
    "employer_id": {"fr": "Employeur", "ar": "صاحب العمل", "en": "Employer"},
    "filing_id": {"fr": "Dépôt", "ar": "الإيداع", "en": "Filing"},
    "request": {"fr": "Requête", "ar": "الطلب", "en": "Request"},
    "lang": {"fr": "Langue", "ar": "اللغة", "en": "Language"},
}

API_REASONS: dict[str, dict[str, str]] = {
    "invalid_key": {
        "fr": "clé absente, inconnue, expirée ou révoquée",
        "ar": "المفتاح غائب أو غير معروف أو منتهي الصلاحية أو ملغى",
        "en": "the key is missing, unknown, expired or revoked",
    },
    "scope": {
        "fr": "cette clé ne permet pas cette action (droits : {scope})",
        "ar": "هذا المفتاح لا يسمح بهذا الإجراء (الصلاحيات: {scope})",
        "en": "this key does not allow this action (scope: {scope})",
    },
    "not_found": {
        "fr": "introuvable",
        "ar": "غير موجود",
        "en": "not found",
    },
    "rate_limited": {
        "fr": "trop de requêtes ; réessayez dans {seconds} s",
        "ar": "طلبات كثيرة جدًا؛ أعد المحاولة بعد {seconds} ثانية",
        "en": "too many requests: try again in {seconds} s",
    },
    "too_large": {
        "fr": "dépasse la taille maximale de {max} octets",
        "ar": "يتجاوز الحجم الأقصى البالغ {max} بايت",
        "en": "exceeds the maximum size of {max} bytes",
    },
    "invalid": {
        "fr": "valeur invalide ({detail})",
        "ar": "قيمة غير صالحة ({detail})",
        "en": "invalid value ({detail})",
    },
    "in_past": {
        "fr": "doit être dans le futur",
        "ar": "يجب أن يكون في المستقبل",
        "en": "must be in the future",
    },
    "too_far": {
        "fr": "ne peut pas dépasser {max} jours",
        "ar": "لا يمكن أن يتجاوز {max} يومًا",
        "en": "cannot be more than {max} days away",
    },
    "already_revoked": {
        "fr": "cette clé est déjà révoquée",
        "ar": "هذا المفتاح ملغى مسبقًا",
        "en": "this key is already revoked",
    },
    "suspended": {
        "fr": "ce partenaire est suspendu",
        "ar": "هذا الشريك موقوف",
        "en": "this partner is suspended",
    },
    "method": {
        "fr": "méthode non admise",
        "ar": "طريقة غير مسموح بها",
        "en": "method not allowed",
    },
    "server_error": {
        "fr": "erreur interne ; la requête n'a rien modifié",
        "ar": "خطأ داخلي؛ لم يغيّر الطلب شيئًا",
        "en": "internal error: the request changed nothing",
    },
    "no_report": {
        "fr": "ce dépôt n'a pas de rapport d'erreurs (état : {status})",
        "ar": "لا يوجد تقرير أخطاء لهذا الإيداع (الحالة: {status})",
        "en": "this filing has no error report (status: {status})",
    },
    "usage": {
        "fr": "le validateur a refusé le fichier ou ses options ({detail})",
        "ar": "رفض المدقق الملف أو خياراته ({detail})",
        "en": "the validator refused the file or its options ({detail})",
    },
}

CATALOGUE = Catalogue(LABELS, API_REASONS)
label = CATALOGUE.label
refuse = CATALOGUE.refuse
problem = CATALOGUE.problem
