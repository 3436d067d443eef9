"""The text the declaration lines' ``COPY`` is fed: COPY's escapes and NULLs, built column by
column (no database needed)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tadamun.declarations.lines import LineColumns, _copy_text


def _lines(surnames: list[str]) -> LineColumns:
    n = len(surnames)
    return LineColumns(
        insured_id=[7, None][:n],
        ssn=["123456789", ""][:n],
        surname_latin=surnames,
        first_names_latin=["ALI", "SARA"][:n],
        surname_arabic=["علي", ""][:n],
        first_names_arabic=["", ""][:n],
        national_id=["AB123", ""][:n],
        birth_date=[dt.date(1990, 2, 3), None][:n],
        new_hire=[False, True][:n],
        days=np.array([26, 0][:n], dtype=np.int64),
        wage=np.array([450_000, 12][:n], dtype=np.int64),
        situation=["", "CS"][:n],
    )


def test_rows_are_numbered_with_nulls_for_what_is_missing() -> None:
    text = _copy_text(42, _lines(["BENALI", "NOUR"]), np.array([9_000, 1], dtype=np.int64))
    assert text.splitlines() == [
        "42\t1\t7\t123456789\tBENALI\tALI\tعلي\t\tAB123\t1990-02-03\tf\t26\t450000\t\t9000",
        "42\t2\t\\N\t\tNOUR\tSARA\t\t\t\t\\N\tt\t0\t12\tCS\t1",
    ]


def test_tabs_newlines_and_backslashes_are_escaped() -> None:
    text = _copy_text(1, _lines(["A\tB\\C\nD\rE"]), np.array([0], dtype=np.int64))
    assert text.split("\t")[4] == "A\\tB\\\\C\\nD\\rE"
    assert text.count("\n") == 1


def test_no_lines_no_text() -> None:
    assert _copy_text(1, _lines([]), np.array([], dtype=np.int64)) == ""
