"""The payment receipt as a PDF, in French, Arabic or English.

The layout (embedded font, Arabic shaping, right-to-left lines and tables, the fund header) is the
portal's (:mod:`tadamun.portal.pdf`); the texts come from the translation catalogues, like the
receipt page's; amounts and dates are formatted for the locale by
:mod:`tadamun.portal.formatting`.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tadamun.funds import get_fund
from tadamun.ledger.models import EntryKind
from tadamun.ledger.selectors import PaymentSettlement
from tadamun.payments.models import Receipt
from tadamun.portal import formatting
from tadamun.portal.pdf import Document, fund_header, language_of
from tadamun.registry.models import Employer


def _item(fund: str, kind: str, branch: str, language: str) -> str:
    what = str(EntryKind(kind).label) if kind in EntryKind.values else kind
    branches = get_fund(fund).pack().branches
    if branch in branches:
        label = branches[branch].label
        what = f"{what} · {label.get(language, label.get('en', branch))}"
    elif branch:
        what = f"{what} · {branch}"
    return what


def receipt_pdf(
    *,
    employer: Employer,
    receipt: Receipt,
    settlement: PaymentSettlement | None,
    language: str,
) -> bytes:
    """The receipt of ``employer``'s succeeded payment (with ``receipt.intent`` loaded) and
    what it settled, as PDF bytes."""
    lang = language_of(language)
    intent = receipt.intent
    with translation.override(lang):
        doc = Document(language=lang, title=f"{_('Payment receipt')} {receipt.number}")
        fund_header(doc, get_fund(employer.fund))
        doc.heading(_("Payment receipt"))
        if intent.gateway == "sandbox":
            doc.notice(_("SANDBOX — test payments only, no real money is moved."))
        doc.pair(_("Receipt number"), receipt.number)
        name = employer.name_arabic if doc.rtl and employer.name_arabic else employer.name_latin
        doc.pair(_("Employer"), f"{name} ({doc.ltr(employer.affiliate_number)})", ltr=False)
        doc.pair(_("Amount"), formatting.money(receipt.amount, receipt.currency, lang))
        issued = timezone.localtime(receipt.issued_at)
        doc.pair(_("Date"), f"{formatting.date(issued.date(), lang)} {issued:%H:%M}")
        reference = doc.ltr(intent.gateway_reference)
        if intent.card_last4:
            card = _("card ending %(last4)s") % {"last4": doc.ltr(intent.card_last4)}
            reference = f"{reference} · {card}"
        doc.pair(_("Payment reference"), reference, ltr=False)
        if settlement is not None:
            doc.gap()
            doc.line(_("What this payment settled"), size=13, height=8)
            if settlement.lines:
                doc.table(
                    (_("Due date"), _("Period"), _("Item"), _("Amount")),
                    (
                        (
                            formatting.date(line.due_date, lang),
                            line.period_label,
                            _item(employer.fund, line.kind, line.branch, lang),
                            formatting.money(line.settled, settlement.currency, lang),
                        )
                        for line in settlement.lines
                    ),
                    widths=(22, 15, 43, 20),
                    align=("start", "start", "start", "end"),
                    ltr=(True, True, False, True),
                )
            if settlement.credit > 0:
                doc.pair(
                    _("Kept as credit for your next dues"),
                    formatting.money(settlement.credit, settlement.currency, lang),
                )
            doc.pair(
                _("Balance after this payment"),
                formatting.money(settlement.balance_after, settlement.currency, lang),
            )
        return doc.output()
