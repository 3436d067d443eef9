"""The self-employed categories CASNOS affiliates and the documents each must send (pure data).

Source: rules.md §2 (seed 004 and press: "traders (commerce register), artisans (artisan card),
farmers (farmer card), auto-entrepreneurs (card), liberal professions (doctors, pharmacists,
lawyers…), industrialists, partners/managers, transporters, artists"). Every category also sends
an identity document. The register or card number each category gives is checked for presence
and shape only (no public key algorithm exists for these numbers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

Texts = Mapping[str, str]


@dataclass(frozen=True)
class DocumentSpec:
    """One document a category must upload: its code (the form field) and its name."""

    code: str
    labels: Texts

    def label(self, language: str) -> str:
        return self.labels.get(language.split("-")[0], self.labels["en"])


@dataclass(frozen=True)
class Category:
    code: str
    labels: Texts
    #: The register or card the category holds: its number is asked for in the form.
    register_labels: Texts
    documents: tuple[DocumentSpec, ...]
    #: Liberal professions name their profession (doctor, pharmacist, lawyer…).
    needs_profession: bool = False
    #: Farmers pay by 30 September instead of 30 June (dz-casnos pack, payment.farmers_due).
    farmer: bool = False

    def label(self, language: str) -> str:
        return self.labels.get(language.split("-")[0], self.labels["en"])

    def register_label(self, language: str) -> str:
        return self.register_labels.get(language.split("-")[0], self.register_labels["en"])


IDENTITY = DocumentSpec(
    "identity_document",
    {
        "fr": "Pièce d'identité (carte nationale biométrique)",
        "ar": "وثيقة الهوية (بطاقة التعريف الوطنية البيومترية)",
        "en": "Identity document (biometric national card)",
    },
)


def _doc(code: str, fr: str, ar: str, en: str) -> DocumentSpec:
    return DocumentSpec(code, {"fr": fr, "ar": ar, "en": en})


def _cat(
    code: str,
    labels: tuple[str, str, str],
    register: tuple[str, str, str],
    document: DocumentSpec,
    **flags: bool,
) -> Category:
    fr, ar, en = labels
    rfr, rar, ren = register
    return Category(
        code=code,
        labels={"fr": fr, "ar": ar, "en": en},
        register_labels={"fr": rfr, "ar": rar, "en": ren},
        documents=(IDENTITY, document),
        **flags,
    )


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        _cat(
            "trader",
            ("Commerçant", "تاجر", "Trader"),
            ("Numéro du registre du commerce", "رقم السجل التجاري", "Commerce register number"),
            _doc(
                "commerce_register",
                "Extrait du registre du commerce",
                "مستخرج السجل التجاري",
                "Commerce register extract",
            ),
        ),
        _cat(
            "artisan",
            ("Artisan", "حرفي", "Artisan"),
            ("Numéro de la carte d'artisan", "رقم بطاقة الحرفي", "Artisan card number"),
            _doc("artisan_card", "Carte d'artisan", "بطاقة الحرفي", "Artisan card"),
        ),
        _cat(
            "farmer",
            ("Agriculteur", "فلاح", "Farmer"),
            ("Numéro de la carte d'agriculteur", "رقم بطاقة الفلاح", "Farmer card number"),
            _doc("farmer_card", "Carte d'agriculteur", "بطاقة الفلاح", "Farmer card"),
            farmer=True,
        ),
        _cat(
            "auto_entrepreneur",
            ("Auto-entrepreneur", "مقاول ذاتي", "Auto-entrepreneur"),
            (
                "Numéro de la carte d'auto-entrepreneur",
                "رقم بطاقة المقاول الذاتي",
                "Auto-entrepreneur card number",
            ),
            _doc(
                "auto_entrepreneur_card",
                "Carte d'auto-entrepreneur",
                "بطاقة المقاول الذاتي",
                "Auto-entrepreneur card",
            ),
        ),
        _cat(
            "liberal_profession",
            ("Profession libérale", "مهنة حرة", "Liberal profession"),
            (
                "Numéro d'agrément ou d'inscription à l'ordre",
                "رقم الاعتماد أو التسجيل في الهيئة",
                "Approval or professional order registration number",
            ),
            _doc(
                "professional_approval",
                "Agrément ou attestation d'inscription à l'ordre",
                "الاعتماد أو شهادة التسجيل في الهيئة المهنية",
                "Approval or professional order registration certificate",
            ),
            needs_profession=True,
        ),
        _cat(
            "industrialist",
            ("Industriel", "صناعي", "Industrialist"),
            ("Numéro du registre du commerce", "رقم السجل التجاري", "Commerce register number"),
            _doc(
                "commerce_register",
                "Extrait du registre du commerce",
                "مستخرج السجل التجاري",
                "Commerce register extract",
            ),
        ),
        _cat(
            "partner_manager",
            ("Associé ou gérant", "شريك أو مسيّر", "Partner or manager"),
            (
                "Numéro du registre du commerce de la société",
                "رقم السجل التجاري للشركة",
                "Company's commerce register number",
            ),
            _doc(
                "company_statutes",
                "Statuts de la société (qualité d'associé ou de gérant)",
                "القانون الأساسي للشركة (صفة الشريك أو المسيّر)",
                "Company statutes (showing the partner or manager)",
            ),
        ),
        _cat(
            "transporter",
            ("Transporteur", "ناقل", "Transporter"),
            (
                "Numéro de la licence ou du registre de transport",
                "رقم رخصة أو سجل النقل",
                "Transport licence or register number",
            ),
            _doc("transport_licence", "Licence de transport", "رخصة النقل", "Transport licence"),
        ),
        _cat(
            "artist",
            ("Artiste", "فنان", "Artist"),
            ("Numéro de la carte d'artiste", "رقم بطاقة الفنان", "Artist card number"),
            _doc("artist_card", "Carte d'artiste", "بطاقة الفنان", "Artist card"),
        ),
    )
}

#: The liberal professions offered in the form (any other is typed as "other").
PROFESSIONS: dict[str, Texts] = {
    "doctor": {"fr": "Médecin", "ar": "طبيب", "en": "Doctor"},
    "dentist": {"fr": "Chirurgien-dentiste", "ar": "جرّاح أسنان", "en": "Dentist"},
    "pharmacist": {"fr": "Pharmacien", "ar": "صيدلي", "en": "Pharmacist"},
    "lawyer": {"fr": "Avocat", "ar": "محام", "en": "Lawyer"},
    "notary": {"fr": "Notaire", "ar": "موثّق", "en": "Notary"},
    "bailiff": {"fr": "Huissier de justice", "ar": "محضر قضائي", "en": "Bailiff"},
    "architect": {"fr": "Architecte", "ar": "مهندس معماري", "en": "Architect"},
    "accountant": {"fr": "Expert-comptable", "ar": "خبير محاسب", "en": "Chartered accountant"},
    "other": {"fr": "Autre profession libérale", "ar": "مهنة حرة أخرى", "en": "Other"},
}

#: Register and card numbers: letters, digits and the separators printed on the cards.
REGISTER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /\-.]{3,39}$")


def category(code: str) -> Category | None:
    return CATEGORIES.get(code)


def all_document_codes() -> tuple[str, ...]:
    """Every document code of every category, each once, in a stable order."""
    seen: list[str] = []
    for cat in CATEGORIES.values():
        for doc in cat.documents:
            if doc.code not in seen:
                seen.append(doc.code)
    return tuple(seen)
