"""Refusals of the dossiers app, named by field, in French, Arabic and English (pure data)."""

from __future__ import annotations

from tadamun.errors import Catalogue

LABELS: dict[str, dict[str, str]] = {
    "reason": {"fr": "Motif", "ar": "السبب", "en": "Reason"},
    "assignee": {"fr": "Agent désigné", "ar": "الموظف المكلَّف", "en": "Assignee"},
    "decision": {"fr": "Décision", "ar": "القرار", "en": "Decision"},
    "status": {"fr": "Statut", "ar": "الحالة", "en": "Status"},
    "dossier": {"fr": "Dossier", "ar": "الملف", "en": "Dossier"},
    "expected_next": {"fr": "Étape suivante", "ar": "الخطوة التالية", "en": "Next step"},
    "message": {"fr": "Message", "ar": "الرسالة", "en": "Message"},
    "expected_document": {
        "fr": "Pièce attendue",
        "ar": "الوثيقة المطلوبة",
        "en": "Document expected",
    },
    "note": {"fr": "Note", "ar": "ملاحظة", "en": "Note"},
    "document": {"fr": "Document", "ar": "الوثيقة", "en": "Document"},
}

DOSSIER_REASONS: dict[str, dict[str, str]] = {
    "already_decided": {
        "fr": "ce dossier est déjà clos ({status})",
        "ar": "هذا الملف مُغلق مسبقًا ({status})",
        "en": "this dossier is already closed ({status})",
    },
    "not_same_agency": {
        "fr": "cette personne ne fait pas partie du personnel de l'agence du dossier",
        "ar": "هذا الشخص ليس من موظفي الوكالة المكلَّفة بالملف",
        "en": "this person is not on the staff of the dossier's agency",
    },
    "holds_identifier": {
        "fr": "ne doit pas contenir de numéro d'identification complet",
        "ar": "يجب ألا يحتوي على رقم تعريف كامل",
        "en": "must not contain a full identification number",
    },
    "use_decision": {
        "fr": "une décision se prend avec son motif par la décision de l'agence",
        "ar": "يُتَّخذ القرار مع سببه عبر قرار الوكالة",
        "en": "a decision is taken, with its reason, through the agency's decision",
    },
    "not_waiting": {
        "fr": "ce dossier n'attend pas de réponse de votre part ({status})",
        "ar": "هذا الملف لا ينتظر ردًّا منك ({status})",
        "en": "this dossier is not waiting for your answer ({status})",
    },
    "no_applicant": {
        "fr": "ce dossier n'a pas de demandeur inscrit à qui poser la question",
        "ar": "ليس لهذا الملف صاحب طلب مسجَّل يمكن سؤاله",
        "en": "this dossier has no signed-up applicant to ask",
    },
}

CATALOGUE = Catalogue(LABELS, DOSSIER_REASONS)
label = CATALOGUE.label
refuse = CATALOGUE.refuse
problem = CATALOGUE.problem
