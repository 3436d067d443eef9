"""How declarations are shown: amounts formatted for the locale with Babel, branch and payer
names in the active language, and the form's rows rendered in Python (2,000 rows in a few
milliseconds, where the template engine would take far longer)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tadamun.errors import Problem
from tadamun.funds import get_fund
from tadamun.portal import formatting
from tadamun.rules.money import Currency

PAYERS: dict[str, dict[str, str]] = {
    "employer": {"fr": "Employeur", "ar": "صاحب العمل", "en": "Employer"},
    "employee": {"fr": "Salarié", "ar": "الأجير", "en": "Employee"},
    "social_works": {"fr": "Œuvres sociales", "ar": "الخدمات الاجتماعية", "en": "Social works"},
}
_COLUMNS = {
    "days": {"fr": "Jours", "ar": "الأيام", "en": "Days"},
    "wage": {"fr": "Salaire", "ar": "الأجر", "en": "Wage"},
    "situation": {"fr": "Situation", "ar": "الوضعية", "en": "Situation"},
    "line": {"fr": "Ligne", "ar": "السطر", "en": "Line"},
}
_LOCALES = {"fr": "fr", "ar": "ar", "en": "en"}


def lang_of(language: str | None) -> str:
    return (language or "fr").split("-")[0] if (language or "fr")[:2] in _LOCALES else "en"


def money(amount: int, currency: str, language: str) -> str:
    """``amount`` minor units of ``currency`` for the locale (TND with its 3 decimals)."""
    return formatting.money(amount, currency, language)


def number(value: int, language: str) -> str:
    return formatting.number(value, language)


def major(amount: int | None, currency: str) -> str:
    """Minor units as the plain text a wage input holds (``4500.00``)."""
    if amount is None:
        return ""
    cur = Currency.of(currency)
    return f"{Decimal(amount).scaleb(-cur.decimals):.{cur.decimals}f}"


def branch_label(fund: str, branch: str, language: str) -> str:
    pack = get_fund(fund).pack()
    found = pack.branches.get(branch)
    return found.label.get(lang_of(language), branch) if found is not None else branch


def payer_label(payer: str, language: str) -> str:
    return PAYERS.get(payer, {}).get(lang_of(language), payer)


@dataclass(frozen=True)
class AmountRow:
    branch: str
    payer: str
    amount: str


def amount_rows(
    fund: str, rows: Iterable[tuple[str, str, int]], currency: str, language: str
) -> list[AmountRow]:
    return [
        AmountRow(
            branch_label(fund, b, language), payer_label(p, language), money(a, currency, language)
        )
        for b, p, a in rows
    ]


@dataclass(frozen=True)
class FormRow:
    """One expected employee's row as posted or pre-filled (all values as text)."""

    insured_id: str
    ssn: str
    name: str
    days: str
    wage: str
    situation: str


def render_rows(
    rows: Sequence[FormRow], problems: Mapping[int, list[Problem]], language: str
) -> SafeString:
    """The ``<tr>`` of every expected employee, with each line's problems under it."""
    lang = lang_of(language)
    days_l, wage_l, sit_l = (_COLUMNS[k][lang] for k in ("days", "wage", "situation"))
    out: list[str] = []
    for n, r in enumerate(rows, start=1):
        found = problems.get(n, ())
        bad = {p.field.rsplit(".", 1)[-1] for p in found}
        ssn = escape(r.ssn)
        out.append(
            f'<tr id="line-{n}"><td>{n}</td><td><bdi dir="ltr">{ssn}</bdi></td>'
            f"<td>{escape(r.name)}</td>"
            f'<td><input type="hidden" name="i{n}" value="{escape(r.insured_id)}">'
            f'<input name="d{n}" value="{escape(r.days)}" inputmode="numeric" size="3" '
            f'maxlength="4" aria-label="{days_l} {n}"{_invalid("days" in bad)}></td>'
            f'<td><input name="w{n}" value="{escape(r.wage)}" inputmode="decimal" size="10" '
            f'maxlength="20" aria-label="{wage_l} {n}"{_invalid("wage" in bad)}></td>'
            f'<td><input name="s{n}" value="{escape(r.situation)}" list="situations" size="3" '
            f'maxlength="2" aria-label="{sit_l} {n}"{_invalid(bool(bad & _SITUATION))}>'
            "</td></tr>"
        )
        if found:
            messages = "".join(f"<li>{escape(p.message(lang))}</li>" for p in found)
            out.append(f'<tr class="line-problems"><td colspan="6"><ul>{messages}</ul></td></tr>')
    return mark_safe("".join(out))  # every value above is escaped


_SITUATION = frozenset({"situation", "insured"})


def _invalid(flag: bool) -> str:
    return ' aria-invalid="true" class="invalid"' if flag else ""
