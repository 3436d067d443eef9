"""What a certificate says, in words, for its page, its PDF and the verification page.

The same wording is built from the signed statement on the verification page, so that a reader
compares the paper with what the fund signed, not with what the database says today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext as _

from tadamun.certificates.models import Certificate, CertificateKind, RevocationReason
from tadamun.certificates.signing import Statement
from tadamun.portal import formatting


def _date(value: str, lang: str) -> str:
    try:
        return formatting.date(dt.date.fromisoformat(value), lang)
    except ValueError:
        return value


def _sentence(kind: str, holder: str, identifier: str, facts: Mapping[str, str], lang: str) -> str:
    with translation.override(lang):
        if kind == CertificateKind.AFFILIATION:
            return _(
                "The fund certifies that %(holder)s, insured number %(number)s, is affiliated "
                "and that the affiliation is in force."
            ) % {"holder": holder, "number": identifier}
        if kind == CertificateKind.WAGES:
            return _(
                "The fund certifies the wages declared for %(holder)s, insured number "
                "%(number)s, for the year %(year)s."
            ) % {"holder": holder, "number": identifier, "year": facts.get("year", "")}
        return _(
            "The fund certifies that %(holder)s, employer number %(number)s, has no "
            "contribution and no declaration overdue on %(date)s."
        ) % {"holder": holder, "number": identifier, "date": _date(facts.get("as_of", ""), lang)}


def _rows(kind: str, facts: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    with translation.override(lang):
        if kind == CertificateKind.AFFILIATION:
            return [
                (_("Affiliated since"), _date(facts.get("since", ""), lang)),
                (_("Affiliation in force"), _("yes") if facts.get("active") == "yes" else _("no")),
            ]
        currency = facts.get("currency", "")
        if kind == CertificateKind.WAGES:
            return [
                (_("Year"), facts.get("year", "")),
                (
                    _("Declared wages"),
                    formatting.money(int(facts.get("wages", "0") or 0), currency, lang),
                ),
                (_("Declared days"), facts.get("days", "")),
                (_("Employers"), facts.get("employers", "")),
            ]
        return [
            (_("Situation on"), _date(facts.get("as_of", ""), lang)),
            (
                _("Overdue contributions"),
                formatting.money(int(facts.get("overdue", "0") or 0), currency, lang),
            ),
            (_("Periods not declared in time"), facts.get("late_periods", "")),
        ]


def revocation_text(code: str) -> str:
    return str(RevocationReason(code).label) if code in RevocationReason.values else code


def statement_sentence(certificate: Certificate, lang: str) -> str:
    return _sentence(
        certificate.kind, certificate.holder, certificate.identifier_masked, certificate.facts, lang
    )


def fact_rows(certificate: Certificate, lang: str) -> list[tuple[str, str]]:
    return _rows(certificate.kind, certificate.facts, lang)


def signed_sentence(statement: Statement, lang: str) -> str:
    return _sentence(statement.kind, statement.holder, statement.identifier, statement.facts, lang)


def signed_rows(statement: Statement, lang: str) -> list[tuple[str, str]]:
    if statement.kind not in CertificateKind.values:
        return []
    return _rows(statement.kind, statement.facts, lang)
