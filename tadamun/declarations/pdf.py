"""The declaration receipt as a PDF, in French, Arabic or English.

The layout (embedded font, Arabic shaping, right-to-left lines and tables, the fund header) is the
portal's (:mod:`tadamun.portal.pdf`); what the receipt says is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tadamun.funds import get_fund
from tadamun.portal.pdf import Document, fund_header, language_of

LABELS: dict[str, dict[str, str]] = {
    "title": {
        "fr": "Accusé de réception de déclaration",
        "ar": "وصل استلام التصريح",
        "en": "Declaration receipt",
    },
    "receipt": {"fr": "Numéro de reçu", "ar": "رقم الوصل", "en": "Receipt number"},
    "employer": {"fr": "Employeur", "ar": "صاحب العمل", "en": "Employer"},
    "period": {"fr": "Période", "ar": "الفترة", "en": "Period"},
    "version": {"fr": "Version", "ar": "النسخة", "en": "Version"},
    "submitted": {"fr": "Déposée le", "ar": "تاريخ الإيداع", "en": "Submitted on"},
    "due": {"fr": "Échéance", "ar": "تاريخ الاستحقاق", "en": "Due date"},
    "headcount": {"fr": "Effectif", "ar": "عدد الأجراء", "en": "Headcount"},
    "wages": {"fr": "Masse salariale", "ar": "مجموع الأجور", "en": "Total wages"},
    "branch": {"fr": "Branche", "ar": "الفرع", "en": "Branch"},
    "payer": {"fr": "Part", "ar": "الحصة", "en": "Paid by"},
    "amount": {"fr": "Montant", "ar": "المبلغ", "en": "Amount"},
    "total": {"fr": "Total des cotisations", "ar": "مجموع الاشتراكات", "en": "Total contributions"},
}


def receipt_pdf(context: Mapping[str, Any], language: str) -> bytes:
    """The receipt of ``context`` (as built for the receipt page) as PDF bytes."""
    lang = language_of(language)
    declaration = context["declaration"]
    employer = context["employer"]
    doc = Document(language=lang, title=f"{LABELS['title'][lang]} {declaration.receipt_number}")
    fund_header(doc, get_fund(employer.fund))

    def pair(key: str, value: str) -> None:
        doc.pair(LABELS[key][lang], value)

    doc.heading(LABELS["title"][lang])
    pair("receipt", declaration.receipt_number)
    name = employer.name_arabic if doc.rtl and employer.name_arabic else employer.name_latin
    pair_text = f"{name} ({doc.ltr(employer.affiliate_number)})"
    doc.pair(LABELS["employer"][lang], pair_text, ltr=False)
    pair("period", declaration.period_label)
    pair("version", str(declaration.version))
    pair("submitted", declaration.submitted_at.date().isoformat())
    pair("due", declaration.due_date.isoformat())
    pair("headcount", str(context["headcount"]))
    pair("wages", str(context["wages"]))
    doc.gap()
    doc.table(
        (LABELS["branch"][lang], LABELS["payer"][lang], LABELS["amount"][lang]),
        ((row.branch, row.payer, row.amount) for row in context["contributions"]),
        widths=(60, 20, 20),
        align=("start", "center", "end"),
        ltr=(False, False, True),
    )
    pair("total", str(context["total"]))
    return doc.output()
