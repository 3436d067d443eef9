"""A certificate as a PDF in French, Arabic or English, with its QR code.

The QR code holds the verification address with the signed token, so a phone opens the fund's
verification page, and anyone holding the fund's public key can check the token offline
(``tadamun certificates verify``). The layout is the portal's (:mod:`tadamun.portal.pdf`).
"""

from __future__ import annotations

import io

import segno
from django.utils import translation
from django.utils.translation import gettext as _

from tadamun.certificates.models import Certificate, CertificateKind
from tadamun.certificates.presentation import fact_rows, statement_sentence
from tadamun.funds import get_fund
from tadamun.portal import formatting
from tadamun.portal.pdf import Document, fund_header, language_of


def qr_png(text: str, *, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def certificate_pdf(*, certificate: Certificate, verify_url: str, language: str) -> bytes:
    lang = language_of(language)
    with translation.override(lang):
        title = str(CertificateKind(certificate.kind).label)
        doc = Document(language=lang, title=f"{title} {certificate.number}")
        fund_header(doc, get_fund(certificate.fund))
        doc.heading(title)
        doc.pair(_("Certificate number"), certificate.number)
        doc.line(statement_sentence(certificate, lang))
        doc.gap()
        doc.table(
            (_("What is certified"), _("Value")),
            fact_rows(certificate, lang),
            widths=(55, 45),
            align=("start", "end"),
            ltr=(False, True),
        )
        doc.pair(_("Issued on"), formatting.date(certificate.issued_on, lang))
        doc.pair(_("Valid until"), formatting.date(certificate.valid_until, lang))
        doc.gap()
        size = 42
        x = doc.pdf.l_margin if not doc.rtl else doc.pdf.w - doc.pdf.r_margin - size
        doc.pdf.image(io.BytesIO(qr_png(verify_url)), x=x, w=size, h=size)
        doc.gap(2)
        doc.line(
            _(
                "Scan the code or visit the address below to check this certificate with the "
                "fund. The code is signed with the fund's published key (Ed25519) and can also "
                "be checked offline."
            ),
            size=9,
            height=5,
        )
        doc.line(doc.ltr(verify_url.split("?")[0]), size=8, height=4)
        return doc.output()
