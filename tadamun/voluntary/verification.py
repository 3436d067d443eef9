"""Whether the sign-up documents can be read automatically, or a person must look at them.

``documents.services.document_store`` has already refused forged, oversized or dangerous files;
what passes here is a well-formed PDF, JPEG or PNG. A document is **clear** when its text layer
shows what the applicant typed: the consular registration card carries the consular registration
number, the proof of activity carries the applicant's surname. A scan or a photo (an image, or a
PDF with no text layer) and a PDF that does not show those are **unclear**: the sign-up goes to
the handling agency's queue with the reason, instead of being decided by the machine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from tadamun.documents.models import Document
from tadamun.documents.selectors import document_path

#: Pages read for the text layer: the fact sought is on the first pages of such documents.
MAX_PAGES = 5


@dataclass(frozen=True)
class Unclear:
    field: str
    texts: dict[str, str]


def _fold(text: str) -> str:
    """Lower case, accents off, only letters and digits: robust to a PDF's spacing."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z\u0600-\u06ff]", "", plain.lower())


def _pdf_text(document: Document) -> str:
    try:
        reader = PdfReader(str(document_path(document=document)))
        pages = reader.pages[:MAX_PAGES]
        return " ".join(page.extract_text() or "" for page in pages)
    except (PyPdfError, OSError, ValueError):
        return ""


def _unclear(field: str, scan: bool, what: dict[str, str]) -> Unclear:
    if scan:
        return Unclear(
            field,
            {
                "fr": f"{what['fr']} : document scanné ou photographié, un agent doit le lire.",
                "ar": f"{what['ar']}: وثيقة ممسوحة أو مصورة، يجب أن يقرأها موظف.",
                "en": f"{what['en']}: a scanned or photographed document, an agent must read it.",
            },
        )
    return Unclear(
        field,
        {
            "fr": f"{what['fr']} : le document ne montre pas {what['expect_fr']}.",
            "ar": f"{what['ar']}: الوثيقة لا تُظهر {what['expect_ar']}.",
            "en": f"{what['en']}: the document does not show {what['expect_en']}.",
        },
    )


def document_unclear(document: Document, *, field: str, expected: str) -> Unclear | None:
    """None when ``document`` shows ``expected`` in its text layer, else why it is unclear."""
    what = {
        "consular_card": {
            "fr": "Carte consulaire",
            "ar": "البطاقة القنصلية",
            "en": "Consular card",
            "expect_fr": "le numéro d'immatriculation consulaire saisi",
            "expect_ar": "رقم التسجيل القنصلي المُدخل",
            "expect_en": "the consular registration number you typed",
        },
        "activity_proof": {
            "fr": "Justificatif d'activité",
            "ar": "إثبات النشاط",
            "en": "Proof of activity",
            "expect_fr": "votre nom",
            "expect_ar": "لقبك",
            "expect_en": "your surname",
        },
    }[field]
    if document.content_type != "application/pdf":
        return _unclear(field, True, what)
    text = _fold(_pdf_text(document))
    if not text:
        return _unclear(field, True, what)
    if _fold(expected) and _fold(expected) in text:
        return None
    return _unclear(field, False, what)
