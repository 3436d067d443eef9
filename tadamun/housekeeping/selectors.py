"""Reads of the periodic jobs: how a national run is cut into chunks."""

from __future__ import annotations

from tadamun.registry.models import InsuredPerson


def insured_ranges(*, fund: str, size: int) -> list[tuple[int, int]]:
    """The fund's insured persons cut into id ranges ``(after, upto]`` of at most ``size``
    people each, ascending: the rights refresh's chunks. A range (two integers) is what a chunk
    job carries instead of its ids, so a national run queues small messages; the ids are read
    streamed (constant memory), in one query."""
    ranges: list[tuple[int, int]] = []
    after = last = count = 0
    ids = (
        InsuredPerson.objects.filter(fund=fund)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=10_000)
    )
    for pk in ids:
        count += 1
        last = pk
        if count == size:
            ranges.append((after, pk))
            after, count = pk, 0
    if count:
        ranges.append((after, last))
    return ranges
