"""Rate limits for the API, per key and per client address, shared by every web process.

A limit is ``N`` hits per window (``"60/m"``, ``"1000/h"``, ``"10/s"``, ``"30/10s"``), counted with
a sliding-window counter: the current fixed window's hits plus the previous window's, weighted by
how much of it still overlaps the sliding window. Unlike a plain fixed window, a client cannot
send 2N requests across a window boundary; unlike a log of timestamps, it costs two integers per
client and window.

Where the counters live:

- **Redis** when ``TADAMUN_REDIS_URL`` is set, or ``TADAMUN_BROKER_URL`` is a ``redis://`` URL:
  one round trip for the key and the address together (INCR + EXPIRE + GET of each, in one
  Lua script). If Redis cannot be reached the database is used for that request, so an outage
  of Redis neither opens nor closes the API.
- **The database** otherwise (table ``api_ratecounter``): one ``INSERT … ON CONFLICT DO UPDATE …
  RETURNING`` and one indexed read; works the same on SQLite and PostgreSQL, across processes.

The process-local Django cache (LocMemCache) is never used: with several web processes each
would count alone and a client would get N times its limit.

Usage with django-ninja (``throttle=`` runs after authentication, so ``request.auth`` is the
key)::

    from tadamun.api.ratelimit import limit

    @router.get("/rights/{number}", auth=PartnerKeyAuth(), throttle=limit("rights", "600/m"))
    def rights(request, number: str): ...

Every hit counts, refused ones included: a client that keeps hammering stays refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from tadamun.api.models import RateCounter

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
#: Probability that a request which opens a new window also sweeps every expired counter (the
#: table stays bounded by the clients seen in the last two windows).
_SWEEP_PROBABILITY = 0.01


@dataclass(frozen=True)
class Rate:
    """``count`` hits per ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        match = _RATE.match(text.lower())
        if match is None or match.group(3) not in _UNITS:
            raise ValueError(f"rate {text!r}: write N/unit, e.g. 60/m, 1000/h, 30/10s")
        count = int(match.group(1))
        seconds = int(match.group(2) or 1) * _UNITS[match.group(3)]
        if count < 1 or seconds < 1:
            raise ValueError(f"rate {text!r}: count and window must be positive")
        return cls(count=count, seconds=seconds)

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Whole seconds after which a new request would be allowed (0 when allowed).
    retry_after: int
    #: The sliding-window estimate of hits, this one included.
    hits: float


class Counter(Protocol):
    """Adds one hit to ``bucket`` in ``slot``; returns (hits in slot, hits in slot - 1)."""

    name: str

    def hit(self, bucket: str, slot: int, seconds: int) -> tuple[int, int]: ...


class DatabaseCounter:
    name = "database"

    _UPSERT = (
        "INSERT INTO api_ratecounter (bucket, slot, hits, expires_at) VALUES (%s, %s, 1, %s) "
        "ON CONFLICT (bucket, slot) DO UPDATE SET hits = api_ratecounter.hits + 1 "
        "RETURNING hits"
    )
    _PREVIOUS = "SELECT hits FROM api_ratecounter WHERE bucket = %s AND slot = %s"

    def hit(self, bucket: str, slot: int, seconds: int) -> tuple[int, int]:
        now = dt.datetime.now(dt.UTC)
        # The counter is needed for this window and weighs on the next one, then it is garbage.
        expires_at = now + dt.timedelta(seconds=2 * seconds)
        with connection.cursor() as cursor:
            cursor.execute(self._UPSERT, [bucket, slot, expires_at])
            row = cursor.fetchone()
            current = int(row[0]) if row else 1
            cursor.execute(self._PREVIOUS, [bucket, slot - 1])
            row = cursor.fetchone()
            previous = int(row[0]) if row else 0
        if current == 1:
            self._sweep(bucket, slot, now)
        return current, previous

    @staticmethod
    def _sweep(bucket: str, slot: int, now: dt.datetime) -> None:
        RateCounter.objects.filter(bucket=bucket, slot__lt=slot - 1).delete()
        if random.random() < _SWEEP_PROBABILITY:
            RateCounter.objects.filter(expires_at__lt=now).delete()


#: INCR + EXPIRE of each current window and GET of its previous one, for every (current,
#: previous) pair of KEYS, in one command: one request and one flat array of integers to parse.
_HIT_SCRIPT = """
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[(i + 1) / 2])
  out[#out + 1] = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
end
return out
"""


class RedisCounter:
    name = "redis"

    def __init__(self, client: redis.Redis, prefix: str = "tadamun:rl:") -> None:
        self.client = client
        self.prefix = prefix
        # A Lua script rather than a pipeline of 3 commands per identity: redis-py's packing
        # and parsing of 6 commands and replies cost more CPU than the rest of the limiter.
        self._script = client.register_script(_HIT_SCRIPT)

    def hit(self, bucket: str, slot: int, seconds: int) -> tuple[int, int]:
        return self.hit_many([(bucket, slot, seconds)])[0]

    def hit_many(self, hits: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
        """:meth:`hit` for several (bucket, slot, seconds) in one round trip."""
        keys: list[str] = []
        expiries: list[int] = []
        for bucket, slot, seconds in hits:
            keys.append(f"{self.prefix}{bucket}:{slot}")
            keys.append(f"{self.prefix}{bucket}:{slot - 1}")
            expiries.append(2 * seconds + 1)
        replies = self._script(keys=keys, args=expiries)
        return [(int(replies[i]), int(replies[i + 1])) for i in range(0, len(replies), 2)]


def redis_url() -> str:
    """The Redis used for counters: ``TADAMUN_REDIS_URL``, else a ``redis://`` broker, else ""."""
    url = str(getattr(settings, "TADAMUN_REDIS_URL", "") or "")
    if url:
        return url
    broker = str(getattr(settings, "TADAMUN_BROKER_URL", "") or "")
    return broker if broker.startswith(("redis://", "rediss://", "unix://")) else ""


@lru_cache(maxsize=4)
def _redis_counter(url: str) -> RedisCounter:
    import redis as redis_lib

    client = redis_lib.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return RedisCounter(client)


def default_counter() -> Counter:
    url = redis_url()
    return _redis_counter(url) if url else DatabaseCounter()


def hit(
    *,
    name: str,
    identity: str,
    rate: Rate,
    counter: Counter | None = None,
    now: float | None = None,
) -> Decision:
    """Count one hit of ``identity`` (a key, an address) against limit ``name``; decide."""
    return hit_all(name=name, identities=[(identity, rate)], counter=counter, now=now)[0]


def hit_all(
    *,
    name: str,
    identities: list[tuple[str, Rate]],
    counter: Counter | None = None,
    now: float | None = None,
) -> list[Decision]:
    """:func:`hit` for several identities; one Redis round trip for all of them."""
    moment = time.time() if now is None else now
    hits: list[tuple[str, int, int]] = []
    fractions: list[float] = []
    for identity, rate in identities:
        slot, into = divmod(moment, rate.seconds)
        fractions.append(into / rate.seconds)
        hits.append((f"{name}:{identity}"[:200], int(slot), rate.seconds))
    chosen = counter or default_counter()
    try:
        if isinstance(chosen, RedisCounter):
            counts = chosen.hit_many(hits)
        else:
            counts = [chosen.hit(*one) for one in hits]
    except Exception:  # Redis down or timing out: count in the database instead
        if isinstance(chosen, DatabaseCounter):
            raise
        log.warning("rate-limit counter %s failed; using the database", chosen.name, exc_info=True)
        counts = [DatabaseCounter().hit(*one) for one in hits]
    return [
        _decide(rate, current, previous, fraction)
        for (_, rate), (current, previous), fraction in zip(
            identities, counts, fractions, strict=True
        )
    ]


def _decide(rate: Rate, current: int, previous: int, fraction: float) -> Decision:
    estimate = previous * (1 - fraction) + current
    if estimate <= rate.count:
        return Decision(allowed=True, retry_after=0, hits=estimate)
    return Decision(
        allowed=False,
        retry_after=_retry_after(rate, current, previous, fraction),
        hits=estimate,
    )


def _retry_after(rate: Rate, current: int, previous: int, fraction: float) -> int:
    """Seconds until one more hit fits: ``previous·(1-f) + current + 1 <= count`` later in this
    window, or else ``current·(1-g) + 1 <= count`` at some point g of the next one."""
    room = rate.count - current - 1
    if room >= 0 and previous > 0:
        wait = (1 - room / previous - fraction) * rate.seconds
    else:
        overlap = 1 - (rate.count - 1) / max(current, 1)
        wait = (1 - fraction + max(overlap, 0.0)) * rate.seconds
    return max(1, math.ceil(wait))


def client_address(request: HttpRequest) -> str:
    """The client's address as the web server saw it (a trusted proxy sets REMOTE_ADDR)."""
    value = request.META.get("REMOTE_ADDR")
    return value if isinstance(value, str) and value else "unknown"


class RateLimit(BaseThrottle):
    """A django-ninja throttle checking one limit per key and/or per client address.

    ``per`` lists what is counted: ``"key"`` (the authenticated key, skipped when the endpoint
    has none) and ``"ip"``. The request is refused when any of them is over its rate; ninja then
    answers 429 with ``Retry-After`` (the largest wait).
    """

    def __init__(
        self,
        name: str,
        rate: str | Rate,
        *,
        per: Iterable[str] = ("key", "ip"),
        ip_rate: str | Rate | None = None,
        counter: Counter | None = None,
    ) -> None:
        self.name = name
        self.rate = rate if isinstance(rate, Rate) else Rate.parse(rate)
        self.ip_rate = (
            self.rate
            if ip_rate is None
            else (ip_rate if isinstance(ip_rate, Rate) else Rate.parse(ip_rate))
        )
        self.per = tuple(per)
        unknown = set(self.per) - {"key", "ip"}
        if unknown or not self.per:
            raise ValueError(f"per must list 'key' and/or 'ip', not {sorted(unknown)}")
        self.counter = counter
        self._local = threading.local()

    def identities(self, request: HttpRequest) -> list[tuple[str, Rate]]:
        found: list[tuple[str, Rate]] = []
        if "key" in self.per:
            key: Any = getattr(request, "auth", None)
            key_id = getattr(key, "pk", None)
            if key_id is not None:
                found.append((f"key:{key_id}", self.rate))
        if "ip" in self.per:
            found.append((f"ip:{client_address(request)}", self.ip_rate))
        return found

    def check(self, request: HttpRequest) -> Decision:
        """Count the request in every dimension; the most restrictive decision."""
        worst = Decision(allowed=True, retry_after=0, hits=0.0)
        found = self.identities(request)
        for decision in hit_all(name=self.name, identities=found, counter=self.counter):
            if not decision.allowed and decision.retry_after >= worst.retry_after:
                worst = decision
        return worst

    def allow_request(self, request: HttpRequest) -> bool:
        decision = self.check(request)
        # One instance serves every thread; ninja asks wait() right after allow_request() in the
        # same thread.
        self._local.wait = float(decision.retry_after) if not decision.allowed else None
        return decision.allowed

    def wait(self) -> float | None:
        value: float | None = getattr(self._local, "wait", None)
        return value


def limit(
    name: str,
    rate: str | Rate,
    *,
    per: Iterable[str] = ("key", "ip"),
    ip_rate: str | Rate | None = None,
    counter: Counter | None = None,
) -> RateLimit:
    """A throttle for ``throttle=`` of a ninja operation (or call ``.check(request)`` anywhere):
    ``rate`` per key and ``ip_rate`` (default: the same) per client address."""
    return RateLimit(name, rate, per=per, ip_rate=ip_rate, counter=counter)
