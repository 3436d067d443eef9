"""Writing many declaration lines at once: PostgreSQL ``COPY``, SQLite batched ``executemany``,
or the ORM's ``bulk_create`` (the naive peer the benchmarks compare against).

A file of 50,000 employees is one declaration: its lines are written inside the declaration's
transaction, so a failure (or a killed worker) leaves none of them behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import Field

from tadamun.declarations.models import DeclarationLine

Method = Literal["auto", "copy", "executemany", "orm"]
#: Rows per ``executemany`` call on SQLite (and per ``bulk_create`` batch).
BATCH = 5000


@dataclass(frozen=True)
class LineColumns:
    """Declaration lines as columns, one entry per line in file order.

    ``insured_id`` is None for a new hire with no number yet; the names are the registry's (what
    was declared stays as declared). ``days`` and ``wage`` (minor units) are integer arrays.
    """

    insured_id: Sequence[int | None]
    ssn: Sequence[str]
    surname_latin: Sequence[str]
    first_names_latin: Sequence[str]
    surname_arabic: Sequence[str]
    first_names_arabic: Sequence[str]
    national_id: Sequence[str]
    birth_date: Sequence[dt.date | None]
    new_hire: Sequence[bool]
    days: npt.NDArray[np.int64]
    wage: npt.NDArray[np.int64]
    situation: Sequence[str]

    def __len__(self) -> int:
        return len(self.insured_id)

    def check(self) -> None:
        """Every column has one entry per line (a programming error otherwise)."""
        n = len(self)
        for name, column in vars(self).items():
            if len(column) != n:
                raise ValueError(f"LineColumns.{name} has {len(column)} entries, not {n}")


_FIELDS = (
    "declaration",
    "row",
    "insured",
    "ssn",
    "surname_latin",
    "first_names_latin",
    "surname_arabic",
    "first_names_arabic",
    "national_id",
    "birth_date",
    "new_hire",
    "days",
    "wage",
    "situation",
    "contribution",
)


def _columns() -> list[str]:
    fields = (DeclarationLine._meta.get_field(name) for name in _FIELDS)
    return [str(f.column) for f in fields if isinstance(f, Field)]


Row = tuple[
    int, int, int | None, str, str, str, str, str, str, dt.date | None, bool, int, int, str, int
]


def _rows(
    declaration_id: int, lines: LineColumns, contributions: npt.NDArray[np.int64]
) -> Iterator[Row]:
    days = lines.days.tolist()
    wages = lines.wage.tolist()
    amounts = contributions.tolist()
    for i in range(len(lines)):
        yield (
            declaration_id,
            i + 1,
            lines.insured_id[i],
            lines.ssn[i],
            lines.surname_latin[i],
            lines.first_names_latin[i],
            lines.surname_arabic[i],
            lines.first_names_arabic[i],
            lines.national_id[i],
            lines.birth_date[i],
            lines.new_hire[i],
            days[i],
            wages[i],
            lines.situation[i],
            amounts[i],
        )


def lines_write(
    *,
    declaration_id: int,
    lines: LineColumns,
    contributions: npt.NDArray[np.int64],
    method: Method = "auto",
) -> int:
    """Write ``lines`` (rows numbered 1…n) of declaration ``declaration_id`` with each line's
    total contribution; return how many. ``auto`` is ``copy`` on PostgreSQL, ``executemany``
    elsewhere. Call it inside the declaration's transaction."""
    return lines_write_many(parts=[(declaration_id, lines, contributions)], method=method)


Part = tuple[int, LineColumns, npt.NDArray[np.int64]]


def lines_write_many(*, parts: Sequence[Part], method: Method = "auto") -> int:
    """:func:`lines_write` for many declarations at once (a batch of declaration files): one
    ``COPY`` (or one series of ``executemany``) for all their lines; each part is
    ``(declaration_id, lines, contributions)``."""
    for _, lines, contributions in parts:
        lines.check()
        if len(contributions) != len(lines):
            raise ValueError("one contribution per line")
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "executemany"
    rows = (
        row
        for declaration_id, lines, amounts in parts
        for row in _rows(declaration_id, lines, amounts)
    )
    count = sum(len(lines) for _, lines, _ in parts)
    if method == "copy":
        _copy(parts)
    elif method == "executemany":
        _executemany(rows)
    else:
        _orm(rows)
    return count


#: COPY's text format: these four characters are escaped in a value, ``\\N`` is NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"
#: Lines per ``COPY`` buffer (a few MB of text).
COPY_CHUNK = 50_000


def _texts(column: Sequence[str]) -> Sequence[str]:
    """A text column for COPY: escaped only when some value needs it (names almost never do:
    one scan of the joined column instead of one call per value)."""
    joined = "".join(column)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [value.translate(_ESCAPES) for value in column]
    return column


def _copy_text(declaration_id: int, lines: LineColumns, amounts: npt.NDArray[np.int64]) -> str:
    """One declaration's lines in COPY's text format, built column by column: psycopg's
    ``write_row`` adapts every value of every row through its dumpers, the largest cost of a
    national month's batch before."""
    n = len(lines)
    if n == 0:
        return ""
    prefix = f"{declaration_id}\t"
    insured = [_NULL if i is None else i for i in lines.insured_id]
    born = [_NULL if d is None else d.isoformat() for d in lines.birth_date]
    hired = ["t" if h else "f" for h in lines.new_hire]
    rows = zip(
        range(1, n + 1),
        insured,
        _texts(lines.ssn),
        _texts(lines.surname_latin),
        _texts(lines.first_names_latin),
        _texts(lines.surname_arabic),
        _texts(lines.first_names_arabic),
        _texts(lines.national_id),
        born,
        hired,
        lines.days.tolist(),
        lines.wage.tolist(),
        _texts(lines.situation),
        amounts.tolist(),
        strict=True,
    )
    return "".join(
        [
            f"{prefix}{r}\t{i}\t{s}\t{sl}\t{fl}\t{sa}\t{fa}\t{ni}\t{b}\t{h}\t{d}\t{w}\t{si}\t{c}\n"
            for r, i, s, sl, fl, sa, fa, ni, b, h, d, w, si, c in rows
        ]
    )


def _copy(parts: Sequence[Part]) -> None:
    if connection.vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL")
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(DeclarationLine._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(c) for c in _columns()),
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3's own cursor: Django's wrapper has no copy()
        with raw.copy(statement) as copy:
            buffer: list[str] = []
            size = 0
            for declaration_id, lines, amounts in parts:
                buffer.append(_copy_text(declaration_id, lines, amounts))
                size += len(lines)
                if size >= COPY_CHUNK:
                    copy.write("".join(buffer))
                    buffer, size = [], 0
            if buffer:
                copy.write("".join(buffer))


def _executemany(rows: Iterable[Row]) -> None:
    names = _columns()
    quoted = ", ".join(connection.ops.quote_name(c) for c in names)
    table = connection.ops.quote_name(DeclarationLine._meta.db_table)
    statement = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"
    batch: list[Row] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(statement, batch)
                batch.clear()
        if batch:
            cursor.executemany(statement, batch)


def _orm(rows: Iterable[Row]) -> None:
    DeclarationLine.objects.bulk_create(
        (
            DeclarationLine(
                declaration_id=row[0],
                row=row[1],
                insured_id=row[2],
                ssn=row[3],
                surname_latin=row[4],
                first_names_latin=row[5],
                surname_arabic=row[6],
                first_names_arabic=row[7],
                national_id=row[8],
                birth_date=row[9],
                new_hire=row[10],
                days=row[11],
                wage=row[12],
                situation=row[13],
                contribution=row[14],
            )
            for row in rows
        ),
        batch_size=BATCH,
    )
