"""``{{ minor|money:currency }}``: integer minor units formatted for the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from tadamun.portal import formatting
from tadamun.rules.money import Currency

register = template.Library()


@register.filter
def money(minor: int, currency: str) -> str:
    return formatting.money(minor, currency)


@register.filter
def major(minor: int, currency: str) -> str:
    """Plain major units for a form field (``1234.50``)."""
    return Currency.of(currency).format(int(minor))


@register.filter
def branch_name(branch: str) -> str:
    """The name of a branch of the fund's employer regime in the active language."""
    from tadamun.funds import current_fund

    branches = current_fund().pack().branches
    if branch not in branches:
        return branch
    label = branches[branch].label
    return label.get((get_language() or "fr").split("-")[0], label.get("en", branch))


@register.filter
def kind_name(kind: str) -> str:
    from tadamun.ledger.models import EntryKind

    return str(EntryKind(kind).label) if kind in EntryKind.values else kind
