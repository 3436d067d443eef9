"""A voluntary member's rights rest on their own account's ledger: paid up to a quarter's end,
covered one quarter beyond it (dz-abroad pack, status U)."""

from __future__ import annotations

import datetime as dt

import pytest

from tadamun.funds import Period, get_fund
from tadamun.insured import selectors
from tadamun.ledger.selectors import ledger_paid_through
from tadamun.ledger.services import ledger_post_dues, ledger_post_payment
from tadamun.registry import services as registry
from tadamun.registry.models import Agency, Employer, InsuredPerson
from tadamun.rules.rights import Ground

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(agency: Agency, person: InsuredPerson) -> Employer:
    issue = get_fund("dz-cnas").employer_number.issue
    assert issue is not None
    return registry.employer_create(
        affiliate_number=issue(900),
        name_latin="Amina Benali (abroad)",
        agency=agency,
        declaration_periodicity="quarterly",
        kind="voluntary",
        holder=person,
    )


def owe(account: Employer, label: str, amount: int) -> None:
    period = Period.parse(label)
    ledger_post_dues(
        employer=account,
        source=f"voluntary:{label}",
        period_label=label,
        due_date=period.end + dt.timedelta(days=15),
        currency="DZD",
        amounts={"sickness_maternity": amount // 2, "retirement": amount - amount // 2},
    )


def test_paid_through_follows_the_oldest_first_allocation(account: Employer) -> None:
    assert ledger_paid_through(employer=account) is None
    owe(account, "2026-Q1", 1_000_000)
    owe(account, "2026-Q2", 1_000_000)
    owe(account, "2026-Q3", 1_000_000)
    ledger_post_payment(employer=account, source="pay:1", amount=1_500_000, currency="DZD")
    assert ledger_paid_through(employer=account) == dt.date(2026, 3, 31)
    ledger_post_payment(employer=account, source="pay:2", amount=1_500_000, currency="DZD")
    assert ledger_paid_through(employer=account) == dt.date(2026, 9, 30)


def test_a_paid_up_voluntary_member_is_covered(account: Employer, person: InsuredPerson) -> None:
    owe(account, "2026-Q3", 1_000_000)
    ledger_post_payment(employer=account, source="pay:1", amount=1_000_000, currency="DZD")
    covered = selectors.rights_decision(insured=person, on=dt.date(2026, 11, 23))
    assert covered.covered and covered.ground is Ground.VOLUNTARY_PAID_UP
    assert covered.valid_until == dt.date(2026, 12, 31)
    lapsed = selectors.rights_decision(insured=person, on=dt.date(2027, 1, 5))
    assert not lapsed.covered
