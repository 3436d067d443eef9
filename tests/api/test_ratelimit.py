"""The rate limiter: sliding-window counts in the database or Redis, Retry-After, fallbacks."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
import redis
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.api import ratelimit
from tadamun.api.models import RateCounter
from tadamun.api.ratelimit import DatabaseCounter, Rate, RedisCounter, hit

pytestmark = pytest.mark.django_db
T0 = 1_700_000_000.0  # the start of a 10-second window (1_700_000_000 % 10 == 0)


@pytest.fixture
def redis_counter() -> Iterator[RedisCounter]:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"tadamun:test:rl:{secrets.token_hex(6)}:"
    yield RedisCounter(client, prefix=prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [
        ("60/m", 60, 60),
        ("1000/h", 1000, 3600),
        ("10/s", 10, 1),
        ("30/10s", 30, 10),
        ("5 / day", 5, 86400),
    ],
)
def test_rates_parse(text: str, count: int, seconds: int) -> None:
    assert Rate.parse(text) == Rate(count, seconds)


@pytest.mark.parametrize("text", ["", "60", "0/m", "10/fortnight", "-1/s", "a/m"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Rate.parse(text)


def _sequence(counter: ratelimit.Counter) -> None:
    rate = Rate(5, 10)
    name = f"t{secrets.token_hex(4)}"
    decisions = [
        hit(name=name, identity="a", rate=rate, counter=counter, now=T0 + 1) for _ in range(6)
    ]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    # Full window: wait for the next one, and there until the previous window's weight fits.
    # 9 s to the next window, then 6·(1 - g) + 1 ≤ 5 needs g ≥ 1/3 of it: 12.3 s, rounded up.
    assert decisions[-1].retry_after == 13
    # Another identity has its own count.
    assert hit(name=name, identity="b", rate=rate, counter=counter, now=T0 + 1).allowed
    # Halfway through the next window the previous one weighs half: 6·0.5 + 1 = 4 ≤ 5.
    assert hit(name=name, identity="a", rate=rate, counter=counter, now=T0 + 15).allowed
    # At its very start it weighs fully: 6 + 1 > 5.
    late = hit(name=name, identity="a", rate=rate, counter=counter, now=T0 + 10.01)
    assert not late.allowed and late.retry_after >= 1
    # Two windows later, all is forgotten.
    assert hit(name=name, identity="a", rate=rate, counter=counter, now=T0 + 30).allowed


def test_database_counter() -> None:
    _sequence(DatabaseCounter())
    # Counters older than the previous window are swept when a new window opens.
    assert RateCounter.objects.filter(slot__lt=int(T0 // 10) + 2).count() <= 2


def test_redis_counter(redis_counter: RedisCounter) -> None:
    _sequence(redis_counter)


def test_unreachable_redis_falls_back_to_the_database() -> None:
    dead = RedisCounter(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    decisions = [hit(name="fb", identity="x", rate=Rate(2, 60), counter=dead) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert RateCounter.objects.filter(bucket="fb:x").exists()


def test_counter_chosen_from_settings(settings: SettingsWrapper) -> None:
    settings.TADAMUN_REDIS_URL = ""
    settings.TADAMUN_BROKER_URL = "amqp://guest@127.0.0.1//"
    assert isinstance(ratelimit.default_counter(), DatabaseCounter)
    settings.TADAMUN_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert isinstance(ratelimit.default_counter(), RedisCounter)
    settings.TADAMUN_REDIS_URL = "redis://127.0.0.1:6379/3"
    counter = ratelimit.default_counter()
    assert isinstance(counter, RedisCounter)
    assert counter.client.connection_pool.connection_kwargs["db"] == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_all_counted_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database is not shared between threads")
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(10):
                decision = hit(name="conc", identity="k", rate=Rate(50, 3600), now=T0 + 1)
                with lock:
                    allowed.append(decision.allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 50 and len(allowed) == 80
    assert RateCounter.objects.get(bucket="conc:k").hits == 80


def test_redis_counter_counts_several_identities_in_one_script(
    redis_counter: RedisCounter,
) -> None:
    first = redis_counter.hit_many([("k", 10, 60), ("ip", 10, 60)])
    assert first == [(1, 0), (1, 0)]
    redis_counter.hit_many([("k", 11, 60)])
    assert redis_counter.hit_many([("k", 11, 60), ("ip", 11, 60)]) == [(2, 1), (1, 1)]
    ttl = redis_counter.client.ttl(f"{redis_counter.prefix}k:11")
    assert 0 < int(ttl) <= 121
