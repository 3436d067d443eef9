"""Quarterly declarations and payment: the base and quarters chosen, back-payment limits, late
quarters' surcharge posted to the ledger under the dz-abroad schedule, card payment through the
sandbox gateway with its receipt, and the coverage that follows. Bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tadamun.errors import InvalidInput
from tadamun.ledger.models import Entry, EntryKind
from tadamun.ledger.selectors import ledger_balance
from tadamun.payments import sandbox
from tadamun.payments.models import PaymentIntent, Receipt
from tadamun.registry.models import Agency
from tadamun.voluntary import selectors, services
from tadamun.voluntary.models import QuarterDeclaration
from tests.voluntary.conftest import make_member

TODAY = dt.date(2026, 11, 23)


def test_current_and_back_quarters_are_declared_posted_and_paid_by_card(
    agency: Agency, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    choice = services.quarters_declare(
        membership=member,
        user=member.user,
        monthly_base="72000",
        quarters=["2026-Q4", "2024-Q2", "2024-Q3"],
        today=TODAY,
    )
    assert choice.quarters == ["2024-Q2", "2024-Q3", "2026-Q4"]
    assert [line.kind for line in choice.quote.lines] == ["back", "back", "current"]
    assert choice.quote.surcharge == 0 and choice.quote.total == 3 * 6_750_000
    rows = list(QuarterDeclaration.objects.filter(membership=member))
    assert [(r.quarter, r.kind, r.contribution) for r in rows] == [
        ("2024-Q2", "back", 6_750_000),
        ("2024-Q3", "back", 6_750_000),
        ("2026-Q4", "current", 6_750_000),
    ]
    assert member.account is not None
    dues = Entry.objects.filter(employer=member.account, kind=EntryKind.DUE)
    assert dues.count() == 6  # two branches per quarter
    assert ledger_balance(employer=member.account).minor == 20_250_000
    state = selectors.coverage(membership=member, today=TODAY)
    assert not state.covered_now and state.open_total == 20_250_000

    client.force_login(member.user)
    intent, url = services.quarters_pay_start(
        membership=member,
        user=member.user,
        idempotency_key="k-0123456789",
        return_url="http://testserver/fr/abroad/me/paid/",
        callback_url="http://testserver/payments/callback/sandbox/",
    )
    assert intent.amount == 20_250_000
    page = urlsplit(url).path
    assert client.get(page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, {"card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"})
    [delivery] = sandbox.take_outbox()
    response = client.post(
        urlsplit(delivery.url).path,
        data=delivery.body,
        content_type="application/json",
        headers={k: v for k, v in delivery.headers.items() if k != "Content-Type"},
    )
    assert response.status_code == 200
    intent.refresh_from_db()
    assert intent.status == "succeeded"
    assert Receipt.objects.get().amount == 20_250_000
    state = selectors.coverage(membership=member, today=TODAY)
    assert state.covered_now and state.covered_until == dt.date(2026, 12, 31)
    assert state.paid_count == 3 and state.last_paid == "2026-Q4" and state.open_total == 0
    paid = {q.quarter for q in state.paid}
    assert paid == {"2024-Q2", "2024-Q3", "2026-Q4"}


def test_late_quarters_carry_the_surcharge_posted_to_the_ledger(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks, today=dt.date(2025, 1, 10))
    choice = services.quarters_declare(
        membership=member,
        user=member.user,
        monthly_base="72000.00",
        quarters=["2025-Q1", "2026-Q3"],
        today=TODAY,
    )
    first, last = choice.quote.lines
    assert (first.kind, first.months_late, str(first.surcharge_rate)) == ("late", 19, "1.05")
    assert (last.kind, str(last.surcharge_rate)) == ("late", "0.15")
    assert member.account is not None
    penalties = Entry.objects.filter(employer=member.account, kind=EntryKind.PENALTY)
    assert sum(p.amount for p in penalties) == choice.quote.surcharge > 0
    by_quarter: dict[str, int] = {}
    for p in penalties:
        by_quarter[p.period_label] = by_quarter.get(p.period_label, 0) + p.amount
    assert by_quarter == {"2025-Q1": first.surcharge, "2026-Q3": last.surcharge}
    assert ledger_balance(employer=member.account).minor == choice.quote.total
    assert QuarterDeclaration.objects.get(quarter="2025-Q1").surcharge == first.surcharge


def test_back_payment_older_than_five_years_is_refused_with_the_reason(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks, today=dt.date(2029, 2, 10))
    with pytest.raises(InvalidInput) as refused:
        services.quarters_choose(
            membership=member,
            monthly_base="72000",
            quarters=["2023-Q4", "2024-Q1"],
            today=dt.date(2029, 2, 10),
        )
    [problem] = refused.value.problems
    assert (problem.field, problem.code, problem.params["quarter"]) == (
        "quarters",
        "too_old",
        "2023-Q4",
    )
    assert "2024-Q1" in problem.message("fr")
    ok = services.quarters_choose(
        membership=member, monthly_base="72000", quarters=["2024-Q1"], today=dt.date(2029, 2, 10)
    )
    assert ok.quote.lines[0].kind == "back"


@pytest.mark.parametrize(
    ("base", "quarters", "field", "code"),
    [
        ("", ["2026-Q4"], "monthly_base", "not_an_amount"),
        ("abc", ["2026-Q4"], "monthly_base", "not_an_amount"),
        ("-72000", ["2026-Q4"], "monthly_base", "not_an_amount"),
        ("0", ["2026-Q4"], "monthly_base", "not_an_amount"),
        ("72000.001", ["2026-Q4"], "monthly_base", "not_an_amount"),
        ("60000", ["2026-Q4"], "monthly_base", "below_minimum"),
        ("9999999999", ["2026-Q4"], "monthly_base", "above_maximum"),
        ("72000", [], "quarters", "none_chosen"),
        ("72000", ["2026-Q9"], "quarters", "not_a_quarter"),
        ("72000", ["Q4"], "quarters", "not_a_quarter"),
        ("72000", ["2027-Q1"], "quarters", "beyond_year"),
        ("72000", ["2022-Q3"], "quarters", "before_scheme"),
    ],
)
def test_bad_base_or_quarters_are_named_and_nothing_is_posted(
    agency: Agency,
    django_capture_on_commit_callbacks: Any,
    base: str,
    quarters: list[str],
    field: str,
    code: str,
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput) as refused:
        services.quarters_declare(
            membership=member, user=member.user, monthly_base=base, quarters=quarters, today=TODAY
        )
    assert (field, code) in [(p.field, p.code) for p in refused.value.problems]
    assert all(p.message(lang) for p in refused.value.problems for lang in ("fr", "ar", "en"))
    assert not QuarterDeclaration.objects.exists()
    assert not Entry.objects.exists()


def test_a_quarter_is_declared_once(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    services.quarters_declare(
        membership=member, user=member.user, monthly_base="72000", quarters=["2026-Q4"], today=TODAY
    )
    entries = Entry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.quarters_declare(
            membership=member,
            user=member.user,
            monthly_base="80000",
            quarters=["2026-Q3", "2026-Q4"],
            today=TODAY,
        )
    assert [p.code for p in refused.value.problems] == ["already_declared"]
    assert Entry.objects.count() == entries
    assert QuarterDeclaration.objects.count() == 1  # 2026-Q3 was not written either


def test_no_payment_without_anything_owed(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    member = make_member(django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput):
        services.quarters_pay_start(
            membership=member,
            user=member.user,
            idempotency_key="k-0123456789",
            return_url="http://testserver/x/",
            callback_url="http://testserver/y/",
        )
    assert not PaymentIntent.objects.exists()
