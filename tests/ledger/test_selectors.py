"""Ledger reads: balance, history pages, CSV — right rows in a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pytest_django import DjangoAssertNumQueries

from tadamun.ledger import selectors, services
from tadamun.registry.models import Employer

pytestmark = pytest.mark.django_db


def _month(employer: Employer, n: int, amount: int = 1_000) -> None:
    services.ledger_post_dues(employer=employer, source=f"declaration:{n}",
                              period_label=f"2025-{n:02d}", due_date=dt.date(2025, n, 28),
                              currency="DZD", amounts={"retirement": amount})  # fmt: skip


def test_balance_history_and_schedule_are_per_employer(
    employer: Employer, other_employer: Employer
) -> None:
    _month(employer, 1)
    _month(other_employer, 2, amount=999)
    assert selectors.ledger_balance(employer=employer).minor == 1_000
    assert str(selectors.ledger_balance(employer=other_employer)) == "9.99 DZD"
    assert [e.amount for e in selectors.ledger_history(employer=employer)] == [1_000]


def test_history_is_newest_first_and_paginated(employer: Employer) -> None:
    for n in range(1, 13):
        _month(employer, n, amount=n)
    page = selectors.ledger_history(employer=employer, page=1, per_page=5)
    assert [e.amount for e in page] == [12, 11, 10, 9, 8]
    assert page.paginator.num_pages == 3
    last = selectors.ledger_history(employer=employer, page=99, per_page=5)
    assert [e.amount for e in last] == [2, 1]


def test_reads_run_a_fixed_number_of_queries(
    employer: Employer, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(1, 13):
        _month(employer, n)
    with django_assert_num_queries(1):
        selectors.ledger_balance(employer=employer)
    with django_assert_num_queries(1):
        selectors.ledger_due_schedule(employer=employer, on=dt.date(2025, 6, 1))
    with django_assert_num_queries(2):
        list(selectors.ledger_history(employer=employer))
    with django_assert_num_queries(1):
        list(selectors.ledger_csv(employer=employer))


def test_the_csv_has_every_entry_oldest_first_in_major_units(employer: Employer) -> None:
    _month(employer, 1, amount=123_456)
    services.ledger_post_payment(employer=employer, source="=HYPERLINK(evil)", amount=456,
                                 currency="DZD", memo="+cmd")  # fmt: skip
    rows = list(csv.reader(io.StringIO("".join(selectors.ledger_csv(employer=employer)))))
    assert rows[0] == list(selectors.CSV_HEADER)
    assert [r[2:8] for r in rows[1:]] == [
        ["due", "retirement", "2025-01", "2025-01-28", "1234.56", "DZD"],
        ["payment", "", "", "", "-4.56", "DZD"],
    ]
    assert rows[2][8:] == ["'=HYPERLINK(evil)", "'+cmd"]  # no formula reaches a spreadsheet


def test_payment_settlement_names_the_oldest_dues_it_paid(
    employer: Employer,
    other_employer: Employer,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _month(employer, 1, amount=1_000)
    _month(employer, 2, amount=1_000)
    first = services.ledger_post_payment(employer=employer, source="payment:A", amount=1_500,
                                         currency="DZD")  # fmt: skip
    _month(employer, 3, amount=1_000)
    second = services.ledger_post_payment(employer=employer, source="payment:B", amount=2_000,
                                          currency="DZD")  # fmt: skip
    with django_assert_num_queries(1):
        settled = selectors.ledger_payment_settlement(employer=employer, entry_id=first.pk)
    assert settled is not None
    assert settled.amount == 1_500
    assert [(line.period_label, line.settled) for line in settled.lines] == [
        ("2025-01", 1_000),
        ("2025-02", 500),
    ]
    assert (settled.credit, settled.balance_after) == (0, 500)
    later = selectors.ledger_payment_settlement(employer=employer, entry_id=second.pk)
    assert later is not None
    assert [(line.period_label, line.settled) for line in later.lines] == [
        ("2025-02", 500),
        ("2025-03", 1_000),
    ]
    assert (later.credit, later.balance_after) == (500, -500)
    # Another employer's payment, or an entry that is not a payment, reads as None.
    assert selectors.ledger_payment_settlement(employer=other_employer, entry_id=first.pk) is None
    due = selectors.ledger_history(employer=employer, per_page=100)[-1]
    assert selectors.ledger_payment_settlement(employer=employer, entry_id=due.pk) is None
