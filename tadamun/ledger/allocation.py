"""Allocation of credits to what is owed, computed from the entries (never stored).

The ledger stays append-only: which due a payment settled is not written anywhere, it is
recomputed from the entries with one rule —

1. a credit tied to an entry (a waiver, a reversing correction: ``applies_to`` set) reduces that
   entry first; what exceeds it joins the general credit;
2. payments and other untied credits form the general credit, which settles the open items
   **oldest first**: by due date, dues before penalties on the same date, then in posting order.

A partial payment therefore always goes to the oldest dues first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from tadamun.ledger.models import Entry, EntryKind


@dataclass
class OpenItem:
    entry: Entry
    open: int  # minor units still owed on this entry (0 when settled)

    @property
    def settled(self) -> int:
        return self.entry.amount - self.open


@dataclass
class Allocation:
    items: list[OpenItem]  # every charge, oldest first
    credit: int  # general credit left over after settling everything (>= 0)
    _by_id: dict[int, OpenItem]

    def open_amount(self, entry_id: int) -> int:
        item = self._by_id.get(entry_id)
        return item.open if item is not None else 0

    @property
    def open_total(self) -> int:
        return sum(item.open for item in self.items)

    def open_on(self, day: dt.date) -> list[OpenItem]:
        """Items still open whose due date is ``day`` or earlier."""
        return [
            i
            for i in self.items
            if i.open > 0 and i.entry.due_date is not None and i.entry.due_date <= day
        ]


def _order(entry: Entry) -> tuple[dt.date, int, int]:
    return (
        entry.due_date or dt.date.max,
        0 if entry.kind == EntryKind.DUE else 1,
        entry.pk or 0,
    )


def open_items(entries: Iterable[Entry]) -> Allocation:
    """Allocate the credits of ``entries`` (one employer's, in any order) to its charges."""
    rows = list(entries)
    charges = sorted((e for e in rows if e.amount > 0), key=_order)
    items = [OpenItem(entry=e, open=e.amount) for e in charges]
    by_id = {item.entry.pk: item for item in items}
    pool = 0
    for e in rows:
        if e.amount >= 0:
            continue
        target = by_id.get(e.applies_to_id) if e.applies_to_id is not None else None
        if target is None:
            pool += -e.amount
            continue
        taken = min(target.open, -e.amount)
        target.open -= taken
        pool += -e.amount - taken
    for item in items:
        if pool <= 0:
            break
        taken = min(item.open, pool)
        item.open -= taken
        pool -= taken
    return Allocation(items=items, credit=pool, _by_id=by_id)
