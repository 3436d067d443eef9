"""Issuing the next number of a series."""

from __future__ import annotations

from django.db import transaction

from tadamun.numbering.models import Counter


def number_next(*, series: str, year: int) -> int:
    """The next number of ``series`` in ``year`` (1, 2, …), without gaps or repeats.

    The counter row stays locked until the caller's transaction commits, so two concurrent
    callers get consecutive numbers and a rolled-back caller gives its number back. Must be
    called inside ``transaction.atomic``.
    """
    return number_block(series=series, year=year, count=1)


def number_block(*, series: str, year: int, count: int) -> int:
    """The first of the next ``count`` numbers of ``series`` in ``year``: the caller uses
    first … first + count − 1. Same guarantees as :func:`number_next` (the lock is held until
    commit, so a batch takes its numbers last, just before it commits)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside transaction.atomic")
    if count < 1:
        raise ValueError("count must be at least 1")
    Counter.objects.get_or_create(series=series, year=year)
    counter = Counter.objects.select_for_update().get(series=series, year=year)
    first = counter.last + 1
    Counter.objects.filter(pk=counter.pk).update(last=counter.last + count)
    return first
