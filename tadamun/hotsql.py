"""One SQL statement on the busiest paths (the partners' rights check), prepared once per
connection on PostgreSQL.

Django's PostgreSQL backend binds parameters on the client and never prepares a statement
(``prepare_threshold`` is ``None``, for connection poolers): every call sends the whole text,
which PostgreSQL parses and plans again. For the two statements a rights check runs (the rights
read, the log insert) that was more CPU in PostgreSQL than the index scan and the insert
themselves. Here the statement goes through a psycopg cursor with server-side binding and
``prepare=True`` on Django's own connection: parsed and planned once per connection (Django
keeps it ``CONN_MAX_AGE`` seconds), then only the parameters travel. Errors are Django's
(``wrap_database_errors``), so a failed statement marks the connection as Django expects.

No health check round trip (``SELECT 1``, ``CONN_HEALTH_CHECKS``) is spent before the statement:
when the persistent connection turns out to be broken (database restarted) and no transaction
is open, it is reopened and the statement sent once more — what the health check would have
done, without paying for it on every request. So a statement may reach the server twice when
the connection broke while its answer was on the way: fine for a read; for the append-only logs
that use it, a duplicated line after a database crash is accepted rather than a lost one.

Behind a transaction-mode pooler (PgBouncer < 1.21) prepared statements do not survive: set
``TADAMUN_PREPARED_STATEMENTS=0`` there, and the same statements go through Django's cursor.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def fetch_one(sql: str, params: Sequence[Any], *, retry: bool = True) -> tuple[Any, ...] | None:
    """Run ``sql`` (``%s`` placeholders) and return its first row, or None."""
    # The connection itself, once: each attribute read through django.db.connection goes
    # through the thread-local connection handler.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or not settings.TADAMUN_PREPARED_STATEMENTS:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            found: tuple[Any, ...] | None = cursor.fetchone()
        return found
    import psycopg

    db.ensure_connection()
    raw = db.connection
    started = time.monotonic()
    try:
        with db.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            row: tuple[Any, ...] | None = cursor.fetchone()
        if db.queries_logged:  # debug mode, CaptureQueriesContext: seen like any other query
            db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        return row
    except Exception:
        if not retry or db.in_atomic_block or not (raw.broken or raw.closed):
            raise
    # The persistent connection died since the last request (e.g. the server restarted).
    db.close()
    return fetch_one(sql, params, retry=False)
