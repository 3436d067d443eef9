"""number_next: consecutive, per series and year, never twice even under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tadamun.numbering.services import number_block, number_next


@pytest.mark.django_db
def test_numbers_are_consecutive_per_series_and_year() -> None:
    with transaction.atomic():
        assert [number_next(series="a", year=2026) for _ in range(3)] == [1, 2, 3]
        assert number_next(series="b", year=2026) == 1
        assert number_next(series="a", year=2027) == 1


@pytest.mark.django_db
def test_a_rolled_back_number_is_given_again() -> None:
    with transaction.atomic():
        assert number_next(series="a", year=2026) == 1
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic():
        assert number_next(series="a", year=2026) == 2
        raise RuntimeError("boom")
    with transaction.atomic():
        assert number_next(series="a", year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        number_next(series="a", year=2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_share_a_number() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrency need PostgreSQL (SQLite serialises writers)")
    with transaction.atomic():
        number_next(series="c", year=2026)  # the counter row exists: callers race on its lock
    issued: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    n = number_next(series="c", year=2026)
                with lock:
                    issued.append(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(issued) == list(range(2, 42))


@pytest.mark.django_db(transaction=True)
def test_a_block_of_numbers_follows_and_precedes_single_numbers() -> None:
    with transaction.atomic():
        assert number_next(series="block-test", year=2026) == 1
        assert number_block(series="block-test", year=2026, count=1000) == 2
        assert number_next(series="block-test", year=2026) == 1002
    with pytest.raises(ValueError), transaction.atomic():
        number_block(series="block-test", year=2026, count=0)
    with pytest.raises(RuntimeError):
        number_block(series="block-test", year=2026, count=3)
