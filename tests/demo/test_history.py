"""Demo history: twelve periods declared and paid through the services, for each fund, never
twice; a late payment with penalties and a partial payment leaving a balance."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tadamun.accounts.demo import seed_demo_accounts
from tadamun.declarations.models import (
    Declaration,
    DeclarationLine,
    ImmatriculationRequest,
    Kind,
    Status,
)
from tadamun.declarations.selectors import PeriodState, periods_due
from tadamun.demo.history import HISTORY_PERIODS, HistoryReport, history_periods, seed_demo_history
from tadamun.demo.seed import seed_demo
from tadamun.funds import FUNDS, Periodicity, get_fund
from tadamun.ledger.models import Entry, EntryKind
from tadamun.ledger.selectors import ledger_balance
from tadamun.registry.models import Agency, Employer, Employment

pytestmark = pytest.mark.django_db

SMALL = 25  # the large employer's size in tests
#: Queries of one period of the history (declare and pay), whatever the headcount.
QUERIES_PER_PERIOD = 40


def _seed(fund: str, size: int = SMALL) -> tuple[list[Employer], HistoryReport]:
    report = seed_demo(fund=fund, big_employer_size=size)
    employers = [employer for employer, _ in report.employers]
    seed_demo_accounts(employers=employers, agencies=list(Agency.objects.filter(fund=fund)))
    return employers, seed_demo_history(employers=employers)


def _counts() -> dict[str, int]:
    return {
        "declarations": Declaration.objects.count(),
        "lines": DeclarationLine.objects.count(),
        "entries": Entry.objects.count(),
        "immatriculations": ImmatriculationRequest.objects.count(),
        "ended": Employment.objects.filter(end_date__isnull=False).count(),
    }


# CASNOS (the self-employed) has no salaried workforce for the demo's employers to declare.
@pytest.mark.parametrize("fund", sorted(f for f in FUNDS if f != "dz-casnos"))
def test_each_fund_gets_twelve_periods_once(fund: str) -> None:
    employers, report = _seed(fund)
    assert report.declarations_created == 5 * HISTORY_PERIODS
    accepted = Declaration.objects.filter(status=Status.ACCEPTED)
    assert accepted.count() == 5 * HISTORY_PERIODS
    for employer in employers:
        assert accepted.filter(employer=employer).count() == HISTORY_PERIODS
    # One declaration was cancelled and replaced, both versions kept.
    cancelled = Declaration.objects.get(status=Status.CANCELLED_REPLACED)
    replacement = Declaration.objects.get(kind=Kind.REPLACEMENT)
    assert replacement.replaces == cancelled
    assert replacement.total_contributions > cancelled.total_contributions
    # Leavers declared SO, a new hire awaiting immatriculation.
    assert DeclarationLine.objects.filter(situation="SO").count() >= 3
    assert ImmatriculationRequest.objects.count() == 1
    assert DeclarationLine.objects.filter(new_hire=True, insured__isnull=True).count() == 1
    counts = _counts()
    assert counts["ended"] == 3

    again = seed_demo_history(employers=employers)
    assert again.declarations_created == 0
    assert all(not h.created for h in again.employers)
    assert _counts() == counts
    _check_the_period_due_now_is_left_to_declare(fund, employers)


def _check_the_period_due_now_is_left_to_declare(fund: str, employers: list[Employer]) -> None:
    today = timezone.localdate()
    profile = get_fund(fund)
    for employer in employers:
        periods = history_periods(
            fund=profile,
            periodicity=Periodicity(employer.declaration_periodicity),
            today=today,
        )
        assert len(periods) == HISTORY_PERIODS
        assert all(today > profile.due_date(p) for p in periods)
        newer = periods[-1].next()
        assert not today > profile.due_date(newer)
        states = {
            row.period.label: row.state
            for row in periods_due(employer=employer, today=today, count=HISTORY_PERIODS + 3)
        }
        assert states[newer.label] == PeriodState.NOT_DECLARED
        assert all(states[p.label] == PeriodState.DECLARED for p in periods if p.label in states)


def test_late_payment_has_penalties_and_partial_payment_leaves_a_balance() -> None:
    employers, report = _seed("dz-cnas")
    big, *others = employers
    penalties = Entry.objects.filter(employer=big, kind=EntryKind.PENALTY)
    assert penalties.exists()
    assert all(p.amount > 0 for p in penalties)
    balance = ledger_balance(employer=big)
    assert balance.minor > 0
    last = Declaration.objects.filter(employer=big, status=Status.ACCEPTED).latest("period_start")
    # The balance is what the partial payment left of the last period: everything else was paid.
    assert 0 < balance.minor < last.total_contributions
    for employer in others:
        assert ledger_balance(employer=employer).minor == 0
    assert report.employers[0].balance == balance.minor
    assert Entry.objects.filter(kind=EntryKind.PAYMENT).count() == 5 * HISTORY_PERIODS


def test_no_query_per_line() -> None:
    """The large employer's history costs a few queries per period, not one per line."""
    report = seed_demo(fund="ma-cnss", big_employer_size=120)
    employers = [employer for employer, _ in report.employers]
    seed_demo_accounts(employers=employers, agencies=[])
    with CaptureQueriesContext(connection) as captured:
        seed_demo_history(employers=employers[:1])
    lines = DeclarationLine.objects.count()
    assert lines >= 100 * HISTORY_PERIODS
    print(f"{len(captured)} queries for {lines} lines")
    assert len(captured) <= QUERIES_PER_PERIOD * HISTORY_PERIODS


def test_command_prints_a_line_per_employer() -> None:
    out = StringIO()
    call_command("seed_demo", "--fund", "tn-cnss", "--big-employer-size", "10", stdout=out)
    text = out.getvalue()
    assert "History (declarations and payments, through the services):" in text
    assert text.count(f"{HISTORY_PERIODS} periods declared") == 5
    assert "paid late: penalties" in text
    out = StringIO()
    call_command("seed_demo", "--fund", "tn-cnss", "--big-employer-size", "10", stdout=out)
    assert out.getvalue().count(f"{HISTORY_PERIODS} periods already declared, kept") == 5
