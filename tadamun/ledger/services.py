"""Writes of the ledger: every function appends entries, keyword-only, all or nothing.

Posting is idempotent: each entry has a ``source`` (the declaration, payment or computation that
caused it) and the database keeps ``(source, branch, kind)`` unique, so posting the same thing
twice returns what the first call posted instead of posting again. Nothing here updates or
deletes an entry (the database would refuse it anyway).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from tadamun.dbcopy import insert_rows
from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.ledger import errors
from tadamun.ledger.allocation import open_items
from tadamun.ledger.models import Entry, EntryKind
from tadamun.registry.models import Employer
from tadamun.rules.penalties import late_payment_many

if TYPE_CHECKING:
    from tadamun.accounts.models import User

MAX_SOURCE = 120
#: Largest amount one entry may carry, in minor units (10 billion major units).
MAX_AMOUNT = 10**12


class DuplicatePosting(Exception):
    """The source was already posted (with the same kind and branch): nothing was written."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__(f"{source!r} is already posted to the ledger")


def _check_currency(employer: Employer, currency: str) -> None:
    expected = get_fund(employer.fund).currency_code
    if currency != expected:
        raise InvalidInput(
            [errors.problem("currency", "wrong_currency", got=currency, expected=expected)]
        )


def _check_source(source: str, field: str = "source") -> None:
    if not source or len(source) > MAX_SOURCE:
        raise InvalidInput([errors.problem(field, "bad_source", max=MAX_SOURCE)])


def _check_amount(amount: object, field: str) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput([errors.problem(field, "bad_amount", value=amount, max=MAX_AMOUNT)])
    return amount


def _insert(entries: list[Entry]) -> list[Entry]:
    """Insert ``entries`` in one statement inside a savepoint; DuplicatePosting if any exists."""
    try:
        with transaction.atomic():
            return Entry.objects.bulk_create(entries)
    except IntegrityError as exc:
        source = entries[0].source if entries else ""
        if Entry.objects.filter(source__in={e.source for e in entries}).exists():
            raise DuplicatePosting(source) from exc
        raise


# --- dues ----------------------------------------------------------------------------------


def ledger_post_dues(
    *,
    employer: Employer,
    source: str,
    period_label: str,
    due_date: dt.date,
    currency: str,
    amounts: Mapping[str, int],
    created_by: User | None = None,
) -> list[Entry]:
    """Post the dues of a declaration: one ``due`` entry per branch with a non-zero amount.

    Idempotent on ``source``: a second call with the same source returns the entries the first
    posted (and refuses different amounts, which would mean two declarations share a source).
    """
    _check_source(source)
    _check_currency(employer, currency)
    if not period_label or len(period_label) > 16:
        raise InvalidInput([errors.problem("period_label", "bad_period")])
    wanted: dict[str, int] = {}
    for branch, amount in amounts.items():
        if amount == 0:
            continue
        if not branch or len(branch) > 40:
            raise InvalidInput([errors.problem("amounts", "bad_branch", branch=branch)])
        wanted[branch] = _check_amount(amount, f"amounts[{branch}]")
    existing = list(Entry.objects.filter(source=source, kind=EntryKind.DUE).order_by("branch"))
    if existing:
        return _same_dues(existing, employer, wanted)
    entries = [
        Entry(
            employer=employer,
            kind=EntryKind.DUE,
            branch=branch,
            period_label=period_label,
            due_date=due_date,
            amount=amount,
            currency=currency,
            source=source,
            created_by=created_by,
        )
        for branch, amount in sorted(wanted.items())
    ]
    if not entries:
        return []
    try:
        return _insert(entries)
    except DuplicatePosting:  # a concurrent call posted the same source first
        existing = list(Entry.objects.filter(source=source, kind=EntryKind.DUE).order_by("branch"))
        return _same_dues(existing, employer, wanted)


@dataclass(frozen=True)
class DuesPosting:
    """The dues of one declaration, for :func:`ledger_post_dues_many`."""

    employer_id: int
    source: str
    period_label: str
    due_date: dt.date
    currency: str
    amounts: Mapping[str, int]
    created_by_id: int | None = None


def ledger_post_dues_many(*, postings: Sequence[DuesPosting]) -> int:
    """Post the dues of many new declarations (a batch of declaration files) with one COPY
    (SQLite: batched inserts); the number of entries written. Each posting is checked as
    :func:`ledger_post_dues` checks one; a source already posted raises DuplicatePosting and
    nothing is written — the batch's sources are new declarations, so that would be a
    programming error, not a retry."""
    rows: list[tuple[object, ...]] = []
    now = timezone.now()
    for posting in postings:
        _check_source(posting.source)
        for branch, amount in sorted(posting.amounts.items()):
            if amount == 0:
                continue
            if not branch or len(branch) > 40:
                raise InvalidInput([errors.problem("amounts", "bad_branch", branch=branch)])
            rows.append(
                (
                    posting.employer_id,
                    EntryKind.DUE.value,
                    branch,
                    posting.period_label,
                    posting.due_date,
                    _check_amount(amount, f"amounts[{branch}]"),
                    posting.currency,
                    posting.source,
                    "",
                    now,
                    posting.created_by_id,
                )
            )
    if not rows:
        return 0
    fields = (
        *("employer", "kind", "branch", "period_label", "due_date", "amount", "currency"),
        *("source", "memo", "created_at", "created_by"),
    )
    try:
        with transaction.atomic():
            insert_rows(Entry, fields, rows)
    except IntegrityError as exc:
        raise DuplicatePosting(str(rows[0][7])) from exc
    return len(rows)


def _same_dues(existing: list[Entry], employer: Employer, wanted: dict[str, int]) -> list[Entry]:
    posted = {e.branch: e.amount for e in existing}
    if posted != wanted or any(e.employer_id != employer.pk for e in existing):
        raise InvalidInput([errors.problem("source", "source_reused", source=existing[0].source)])
    return existing


def ledger_post_reversal(
    *,
    employer: Employer,
    source: str,
    reverses: str,
    created_by: User | None = None,
) -> list[Entry]:
    """Reverse the dues posted by ``reverses`` with ``correction`` entries (one per branch).

    A cancel-and-replace declaration calls this with its own ``source`` and the ``source`` of the
    declaration it replaces, then posts its own dues. Nothing is deleted: the original dues stay,
    each with a correction of the opposite amount. Idempotent on ``(source, branch)``.
    """
    _check_source(source)
    _check_source(reverses, "reverses")
    dues = list(
        Entry.objects.filter(employer=employer, source=reverses, kind=EntryKind.DUE).order_by(
            "branch"
        )
    )
    if not dues:
        raise InvalidInput([errors.problem("reverses", "nothing_to_reverse", source=reverses)])
    done = list(
        Entry.objects.filter(employer=employer, source=source, kind=EntryKind.CORRECTION).order_by(
            "branch"
        )
    )
    if done:
        return done
    entries = [
        Entry(
            employer=employer,
            kind=EntryKind.CORRECTION,
            branch=due.branch,
            period_label=due.period_label,
            due_date=due.due_date,
            amount=-due.amount,
            currency=due.currency,
            source=source,
            applies_to=due,
            memo=f"reverses {reverses}"[:200],
            created_by=created_by,
        )
        for due in dues
    ]
    try:
        return _insert(entries)
    except DuplicatePosting:
        return list(
            Entry.objects.filter(source=source, kind=EntryKind.CORRECTION).order_by("branch")
        )


# --- payments and waivers ------------------------------------------------------------------


def ledger_post_payment(
    *,
    employer: Employer,
    source: str,
    amount: int,
    currency: str,
    memo: str = "",
    created_by: User | None = None,
) -> Entry:
    """Post a payment of ``amount`` (positive minor units; stored negative).

    Exactly once per ``source`` (the gateway's reference): a second posting raises
    :class:`DuplicatePosting` and writes nothing — the database's unique constraint is the last
    line of defence behind the payment service's row lock. Payments are not tied to a due: the
    selectors allocate them to the oldest open items first.
    """
    _check_source(source)
    _check_currency(employer, currency)
    amount = _check_amount(amount, "amount")
    entry = Entry(
        employer=employer,
        kind=EntryKind.PAYMENT,
        amount=-amount,
        currency=currency,
        source=source,
        memo=memo[:200],
        created_by=created_by,
    )
    return _insert([entry])[0]


def ledger_post_waiver(
    *,
    employer: Employer,
    entry_id: int,
    source: str,
    memo: str,
    amount: int | None = None,
    created_by: User | None = None,
) -> Entry:
    """Waive ``amount`` (all that is still open by default) of one of the employer's entries
    (typically a penalty), with a ``memo`` saying why. Idempotent on ``source``."""
    _check_source(source)
    if not memo.strip():
        raise InvalidInput([errors.problem("memo", "required")])
    target = Entry.objects.filter(employer=employer, pk=entry_id).first()
    if target is None or target.amount <= 0:
        raise InvalidInput([errors.problem("entry_id", "not_waivable", entry=entry_id)])
    open_amount = open_items(Entry.objects.filter(employer=employer)).open_amount(target.pk)
    if amount is None:
        amount = open_amount
    if amount <= 0 or amount > open_amount:
        raise InvalidInput([errors.problem("amount", "over_open", value=amount, open=open_amount)])
    entry = Entry(
        employer=employer,
        kind=EntryKind.WAIVER,
        branch=target.branch,
        period_label=target.period_label,
        due_date=target.due_date,
        amount=-amount,
        currency=target.currency,
        source=source,
        applies_to=target,
        memo=memo.strip()[:200],
        created_by=created_by,
    )
    return _insert([entry])[0]


# --- penalties -----------------------------------------------------------------------------


def ledger_post_penalties(
    *,
    employer: Employer,
    on: dt.date,
    created_by: User | None = None,
    regime: str | None = None,
) -> list[Entry]:
    """Post the late-payment surcharges owed on ``on`` for the employer's overdue, unpaid dues.

    For each due still open on ``on`` (after payments are allocated oldest-first), the regime's
    cumulative penalty on the open amount, from the due date to ``on``, is computed with
    :func:`tadamun.rules.penalties.late_payment_many` over whole arrays (one call per branch, as
    a branch may have its own schedule); what was already posted for that due is subtracted and
    the rest posted as one ``penalty`` entry with source ``penalty:<due id>:m<months of delay>``
    — so running this again in the same month of delay posts nothing (idempotent per due and
    month). A penalty entry is due on ``on``. ``regime`` names the pack whose schedule applies
    when it is not the employers' regime (a voluntary member's account: ``dz-abroad``).
    """
    fund = get_fund(employer.fund)
    pack = fund.pack(regime)
    with transaction.atomic():
        # One employer's penalties are computed by one caller at a time.
        Employer.objects.select_for_update().filter(pk=employer.pk).first()
        entries = list(Entry.objects.filter(employer=employer))
        items = open_items(entries)
        posted: dict[int, int] = defaultdict(int)
        for e in entries:
            if e.kind == EntryKind.PENALTY and e.applies_to_id is not None:
                posted[e.applies_to_id] += e.amount
        by_branch: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            if (
                e.kind == EntryKind.DUE
                and e.due_date is not None
                and e.due_date < on
                and items.open_amount(e.pk) > 0
            ):
                by_branch[e.branch].append(e)
        new: list[Entry] = []
        for branch, dues in sorted(by_branch.items()):
            batch = late_payment_many(
                pack,
                np.array([items.open_amount(d.pk) for d in dues], dtype=np.int64),
                [d.due_date for d in dues if d.due_date is not None],
                [on] * len(dues),
                branch=branch if branch in pack.branches else None,
            )
            for index, due in enumerate(dues):
                owed = int(batch.penalty[index]) - posted[due.pk]
                if owed <= 0:
                    continue
                new.append(
                    Entry(
                        employer=employer,
                        kind=EntryKind.PENALTY,
                        branch=due.branch,
                        period_label=due.period_label,
                        due_date=on,
                        amount=owed,
                        currency=due.currency,
                        source=f"penalty:{due.pk}:m{int(batch.months[index])}",
                        applies_to=due,
                        created_by=created_by,
                    )
                )
        if not new:
            return []
        return Entry.objects.bulk_create(new)
