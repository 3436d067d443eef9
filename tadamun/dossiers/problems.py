"""Refusals of the dossiers app, named by field, in French, Arabic and English (pure data)."""

from __future__ import annotations

from tadamun.errors import REASONS, InvalidInput, Problem

LABELS: dict[str, dict[str, str]] = {
    "reason": {"fr": "Motif", "ar": "السبب", "en": "Reason"},
    "assignee": {"fr": "Agent désigné", "ar": "الموظف المكلَّف", "en": "Assignee"},
    "decision": {"fr": "Décision", "ar": "القرار", "en": "Decision"},
    "status": {"fr": "Statut", "ar": "الحالة", "en": "Status"},
    "dossier": {"fr": "Dossier", "ar": "الملف", "en": "Dossier"},
    "expected_next": {"fr": "Étape suivante", "ar": "الخطوة التالية", "en": "Next step"},
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
}

SEPARATOR = {"fr": " : ", "ar": ": ", "en": ": "}


def problem(field: str, code: str, **params: object) -> Problem:
    reason = DOSSIER_REASONS.get(code) or REASONS[code]
    values = {key: str(value) for key, value in params.items()}
    names = LABELS.get(field, {"fr": field, "ar": field, "en": field})
    texts = {
        lang: f"{names[lang]}{SEPARATOR[lang]}{reason[lang].format(**values)}"
        for lang in ("fr", "ar", "en")
    }
    return Problem(field=field, code=code, texts=texts, params=values)


def refuse(field: str, code: str, **params: object) -> InvalidInput:
    """An :class:`InvalidInput` with one problem, to ``raise``."""
    return InvalidInput([problem(field, code, **params)])
