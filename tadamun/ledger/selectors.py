"""Reads of the ledger: balance, history, what is due when, CSV. Each runs a fixed number of
queries, whatever the number of entries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from tadamun.funds import Period, get_fund
from tadamun.ledger.allocation import open_items
from tadamun.ledger.models import Entry, EntryKind
from tadamun.registry.models import Employer
from tadamun.rules.money import Currency, Money

HISTORY_PAGE_SIZE = 50


def ledger_balance(*, employer: Employer) -> Money:
    """What the employer owes (positive) or holds as credit (negative): the sum of its entries.

    One query."""
    total = Entry.objects.filter(employer=employer).aggregate(total=Sum("amount"))["total"]
    return Money(int(total or 0), get_fund(employer.fund).currency_code)


def ledger_history(
    *, employer: Employer, page: int = 1, per_page: int = HISTORY_PAGE_SIZE
) -> Page[Entry]:
    """The employer's entries, newest first, one page at a time (two queries: count and rows).

    An out-of-range page number gives the last page."""
    entries = Entry.objects.filter(employer=employer).order_by("-created_at", "-id")
    return Paginator(entries, per_page).get_page(page)


@dataclass(frozen=True)
class ScheduleLine:
    """One open item of the account: what is still owed on one entry, and by when."""

    entry_id: int
    kind: str
    branch: str
    period_label: str
    due_date: dt.date
    amount: int  # what the entry charged
    open: int  # what is still owed on it after allocation
    overdue: bool


@dataclass(frozen=True)
class DueSchedule:
    currency: str
    lines: list[ScheduleLine]  # open items, oldest due date first
    credit: int  # unallocated credit (payments beyond everything owed)

    @property
    def total_open(self) -> int:
        return sum(line.open for line in self.lines)

    @property
    def overdue_total(self) -> int:
        return sum(line.open for line in self.lines if line.overdue)

    @property
    def next_due_date(self) -> dt.date | None:
        upcoming = [line.due_date for line in self.lines if not line.overdue]
        return min(upcoming) if upcoming else None


def ledger_due_schedule(*, employer: Employer, on: dt.date) -> DueSchedule:
    """What is due when, as of ``on``: the items still open after payments are allocated to the
    oldest first (see :mod:`tadamun.ledger.allocation`), by due date; an item is overdue when
    its due date is before ``on``. One query."""
    allocation = open_items(Entry.objects.filter(employer=employer))
    lines = [
        ScheduleLine(
            entry_id=item.entry.pk,
            kind=item.entry.kind,
            branch=item.entry.branch,
            period_label=item.entry.period_label,
            due_date=item.entry.due_date or on,
            amount=item.entry.amount,
            open=item.open,
            overdue=(item.entry.due_date or on) < on,
        )
        for item in allocation.items
        if item.open > 0
    ]
    return DueSchedule(
        currency=get_fund(employer.fund).currency_code, lines=lines, credit=allocation.credit
    )


@dataclass(frozen=True)
class SettledLine:
    """What one payment settled of one charge (a due or a penalty)."""

    entry_id: int
    kind: str
    branch: str
    period_label: str
    due_date: dt.date | None
    settled: int  # minor units of the charge this payment paid off


@dataclass(frozen=True)
class PaymentSettlement:
    """What a payment settled when it was posted, and the account just after it."""

    currency: str
    amount: int  # the payment, positive minor units
    lines: list[SettledLine]  # the charges it paid off, oldest first
    credit: int  # what was left over as credit after it (>= 0)
    balance_after: int  # the balance once it was posted (negative: a credit)


def ledger_payment_settlement(*, employer: Employer, entry_id: int) -> PaymentSettlement | None:
    """What the employer's payment entry ``entry_id`` settled, by the allocation rule of
    :mod:`tadamun.ledger.allocation` applied to the account as it stood when the payment was
    posted (the entries before it, then with it). None when ``entry_id`` is not one of the
    employer's payments. One query."""
    rows = list(Entry.objects.filter(employer=employer, pk__lte=entry_id))
    payment = next((e for e in rows if e.pk == entry_id), None)
    if payment is None or payment.kind != EntryKind.PAYMENT:
        return None
    before = open_items(e for e in rows if e.pk != entry_id)
    after = open_items(rows)
    lines = [
        SettledLine(
            entry_id=item.entry.pk,
            kind=item.entry.kind,
            branch=item.entry.branch,
            period_label=item.entry.period_label,
            due_date=item.entry.due_date,
            settled=before.open_amount(item.entry.pk) - item.open,
        )
        for item in after.items
        if before.open_amount(item.entry.pk) > item.open
    ]
    return PaymentSettlement(
        currency=payment.currency,
        amount=-payment.amount,
        lines=lines,
        credit=after.credit - before.credit,
        balance_after=sum(e.amount for e in rows),
    )


CSV_HEADER = (
    "id",
    "created_at",
    "kind",
    "branch",
    "period",
    "due_date",
    "amount",
    "currency",
    "source",
    "memo",
)


def _csv_line(row: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(row)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in free text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_csv(*, employer: Employer) -> Iterator[str]:
    """The whole account as CSV lines (header first, oldest entry first), streamed from the
    database in chunks: amounts in major units with the currency's decimals, dates ISO 8601.
    One query (a server-side cursor on PostgreSQL)."""
    currency = Currency.of(get_fund(employer.fund).currency_code)
    yield _csv_line(CSV_HEADER)
    rows = (
        Entry.objects.filter(employer=employer)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "kind",
            "branch",
            "period_label",
            "due_date",
            "amount",
            "currency",
            "source",
            "memo",
        )
    )
    for pk, created, kind, branch, period, due, amount, code, source, memo in rows.iterator(
        chunk_size=2000
    ):
        yield _csv_line(
            (
                pk,
                created.isoformat(timespec="seconds"),
                kind,
                branch,
                period,
                due.isoformat() if due else "",
                currency.format(amount),
                code,
                _safe(source),
                _safe(memo),
            )
        )


def ledger_paid_through(*, employer: Employer) -> dt.date | None:
    """The last day of the latest period whose contributions — and those of every earlier
    period — are fully paid (payments settle the oldest first), or None when the first period
    owed is still open or nothing was ever owed. What a voluntary member's or a self-employed
    person's care rights rest on. One query."""
    allocation = open_items(Entry.objects.filter(employer=employer))
    open_by_period: dict[Period, int] = {}
    for item in allocation.items:
        if item.entry.kind != EntryKind.DUE or not item.entry.period_label:
            continue
        try:
            period = Period.parse(item.entry.period_label)
        except ValueError:
            continue
        open_by_period[period] = open_by_period.get(period, 0) + item.open
    paid: dt.date | None = None
    for period in sorted(open_by_period, key=lambda p: p.start):
        if open_by_period[period] > 0:
            break
        paid = period.end
    return paid


def ledger_accounts_overdue(*, on: dt.date) -> list[int]:
    """The accounts (``Employer`` ids, ascending) that may have a due past its due date and
    still open on ``on``: what the nightly penalty run visits. One query, grouped by account,
    whatever the number of accounts.

    Under the allocation rule (oldest due date first), charges due on or after ``on`` are
    settled last, so an overdue charge is still open only if the overdue charges exceed the
    credits that go to them — payments, and credits tied to an overdue entry or to no charge.
    Credits tied to a charge not yet due are left out: they cannot settle anything overdue
    (what exceeds its charge would, but the ledger writes no waiver beyond what is open). The list
    is therefore every account with an open overdue due, plus at worst one whose only open
    overdue charge is a penalty — for which ``ledger_post_penalties`` posts nothing."""
    overdue_charge = Q(amount__gt=0, due_date__lt=on)
    settles_overdue = Q(amount__lt=0) & (
        Q(applies_to__isnull=True) | Q(applies_to__amount__lt=0) | Q(applies_to__due_date__lt=on)
    )
    rows = (
        Entry.objects.values("employer_id")
        .annotate(
            overdue_open=Coalesce(Sum("amount", filter=overdue_charge | settles_overdue), 0),
            overdue_dues=Count("pk", filter=Q(kind=EntryKind.DUE, due_date__lt=on)),
        )
        .filter(overdue_open__gt=0, overdue_dues__gt=0)
        .order_by("employer_id")
        .values_list("employer_id", flat=True)
    )
    return list(rows)
