"""Partner keys remembered in the web process for a few seconds (the rights check's hot path).

A pharmacy's counter looks numbers up back to back with the same key; reading the key, its
partner and comparing hashes in the database for every look-up costs more than the look-up. A
live partner key is therefore kept here, per process, for ``TADAMUN_API_KEY_CACHE_SECONDS``
(default 5; 0 turns the cache off), keyed by the SHA-256 of the token (never the token).

What this changes for revocation and suspension:

* in the process that revokes the key or suspends the partner (the services call
  :func:`forget_all`), at once;
* in every other web process, **within ``TADAMUN_API_KEY_CACHE_SECONDS``** — the delay a revoked
  or suspended partner's key may still be answered. An expired key is refused at once everywhere:
  its expiry is checked at each use from the remembered row.

Only live keys are remembered: a wrong or dead key goes to the database every time (and gets the
same 401), so nothing here helps to guess a key. Employer keys are never cached (their validity
also depends on the owner's access, changed elsewhere).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from tadamun.api.models import ApiKey

#: A process never holds more; past it the cache starts again empty (keys are few: a few
#: thousand counters).
MAX_ENTRIES = 10_000

_lock = threading.Lock()
_entries: dict[str, tuple[float, ApiKey]] = {}


def ttl_seconds() -> float:
    return float(getattr(settings, "TADAMUN_API_KEY_CACHE_SECONDS", 5))


def get(digest: str, *, clock: float | None = None) -> ApiKey | None:
    """The key remembered for this token digest, if remembered less than the delay ago."""
    found = _entries.get(digest)
    if found is None:
        return None
    stored_at, key = found
    now = time.monotonic() if clock is None else clock
    if now - stored_at >= ttl_seconds():
        _entries.pop(digest, None)
        return None
    return key


def put(digest: str, key: ApiKey, *, clock: float | None = None) -> None:
    if ttl_seconds() <= 0:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[digest] = (time.monotonic() if clock is None else clock, key)


def forget_all() -> None:
    """Called by the services that revoke a key or suspend a partner."""
    with _lock:
        _entries.clear()
