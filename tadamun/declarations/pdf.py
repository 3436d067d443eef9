"""The declaration receipt as a PDF (fpdf2), in French, Arabic or English.

Arabic is shaped right-to-left by HarfBuzz (fpdf2's ``set_text_shaping``, through uharfbuzz) with
an embedded font that covers Latin and Arabic (DejaVu Sans, shipped in ``fonts/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"

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
    lang = language if language in ("fr", "ar", "en") else "en"
    rtl = lang == "ar"
    declaration = context["declaration"]
    employer = context["employer"]
    pdf = FPDF(format="A4")
    pdf.set_title(f"{LABELS['title'][lang]} {declaration.receipt_number}")
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    if rtl:
        pdf.set_text_shaping(
            use_shaping_engine=True, direction="rtl", script="arab", language="ara"
        )
    else:
        pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
    align = "R" if rtl else "L"
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: int = 11, height: float = 7) -> None:
        pdf.set_font("DejaVu", size=size)
        pdf.multi_cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def pair(key: str, value: str) -> None:
        if rtl:  # numbers, dates and codes keep their left-to-right order inside Arabic text
            value = f"\u2066{value}\u2069"
        line(f"{LABELS[key][lang]} : {value}" if lang == "fr" else f"{LABELS[key][lang]}: {value}")

    line(LABELS["title"][lang], size=16, height=10)
    pair("receipt", declaration.receipt_number)
    name = employer.name_arabic if rtl and employer.name_arabic else employer.name_latin
    pair("employer", f"{name} ({employer.affiliate_number})")
    pair("period", declaration.period_label)
    pair("version", str(declaration.version))
    pair("submitted", declaration.submitted_at.date().isoformat())
    pair("due", declaration.due_date.isoformat())
    pair("headcount", str(context["headcount"]))
    pair("wages", str(context["wages"]))
    pdf.ln(3)
    pdf.set_font("DejaVu", size=10)
    headings = (LABELS["branch"][lang], LABELS["payer"][lang], LABELS["amount"][lang])
    with pdf.table(
        first_row_as_headings=False,
        col_widths=(20, 20, 60) if rtl else (60, 20, 20),
        text_align=("LEFT", "CENTER", "RIGHT"),
    ) as table:
        cells = headings[::-1] if rtl else headings
        table.row(cells)
        for row in context["contributions"]:
            amount = f"\u2066{row.amount}\u2069" if rtl else row.amount
            values = (row.branch, row.payer, amount)
            table.row(values[::-1] if rtl else values)
    pdf.ln(3)
    pair("total", str(context["total"]))
    return bytes(pdf.output())
