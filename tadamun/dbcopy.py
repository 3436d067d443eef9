"""Writing many rows at once: PostgreSQL ``COPY``, or batched ``executemany`` elsewhere.

For the paths where the ORM's ``bulk_create`` costs more in Python than the database spends
writing (a batch of declaration files: tens of thousands of small rows). Rows are plain tuples in
the order of ``fields`` (model field names); nothing is validated here beyond what the database
checks (constraints, triggers), so the callers are services that have checked their input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

BATCH = 5_000


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``model``'s table; the number written."""
    columns = []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        columns.append(str(field.column))
    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    statement_text = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(statement_text, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(statement_text, batch)
            count += len(batch)
    return count


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` ids of ``model``'s sequence (PostgreSQL), for rows written by :func:`insert_rows`
    whose ids must be known first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]
