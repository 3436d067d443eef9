"""Morocco BDS: the employees' lines as columns (the fast path), and totals too large for
their field (carried modulo 10^length, see the layout)."""

from __future__ import annotations

import io

import numpy as np

from tadamun.formats.ma_bds import (
    DeclarationColumns,
    DeclarationReader,
    check_declaration,
    contributions_for,
    iter_lines,
    read_declaration,
)
from tests.formats.builders import (
    AFFILIATE,
    PERIOD,
    build,
    declared,
    found,
    insured,
    new,
    set_field,
)


def test_columns_hold_every_employee_line_in_file_order() -> None:
    employees = [declared(1), declared(2, situation="IL", days=4, actual_salary=80000)]
    newcomers = [
        new(10),
        new(0, insured_number="000000000", cin="AB12"),
        new(
            0,
            insured_number="999999999",
            surname="",
            first_names="",
            cin="",
            days=0,
            actual_salary=5000,
        ),
    ]
    lines = build(employees, newcomers, newline=b"\r\n")
    result = read_declaration(lines)
    assert result.accepted and result.summary is not None
    c = result.columns
    assert len(c) == 5
    assert c.line.tolist() == [3, 4, 6, 7, 8]
    assert c.record.tolist() == ["B02", "B02", "B04", "B04", "B04"]
    assert c.insured_text() == [insured(1), insured(2), insured(10), "000000000", "999999999"]
    assert c.surname.tolist() == ["ALAMI", "ALAMI", "BENNANI", "BENNANI", ""]
    assert c.first_names.tolist()[:2] == ["SARA 1", "SARA 2"]
    assert c.cin.tolist() == ["", "", "BE123456", "AB12", ""]
    assert c.situation.tolist() == ["", "IL", "", "", ""]
    assert c.days.tolist() == [26, 4, 20, 20, 0]
    assert c.actual_salary.tolist() == [500000, 80000, 300000, 300000, 5000]
    assert c.capped_salary.tolist() == [500000, 80000, 300000, 300000, 5000]
    assert c.af_net.tolist() == [60000, 60000, 0, 0, 0]
    assert c.new.tolist() == [False, False, True, True, True]
    assert c.actual_salary.dtype == np.int64
    # the columns' contributions are the summary's
    amounts = contributions_for(c, PERIOD)
    assert int(amounts.total().sum()) == result.summary.total


def test_columns_come_in_batches_that_add_up_to_the_whole() -> None:
    lines = build([declared(i) for i in range(1, 30)], [new(100), new(101)])
    whole = read_declaration(lines).columns
    reader = DeclarationReader(iter_lines(io.BytesIO(b"".join(lines))))
    batches = list(reader.iter_columns(batch_lines=4))
    assert len(batches) > 5 and reader.ok
    joined = DeclarationColumns.concat(batches)
    assert joined.line.tolist() == whole.line.tolist()
    assert joined.insured_number.tolist() == whole.insured_number.tolist()


def test_a_rejected_file_gives_its_problems_and_the_columns_it_could_read() -> None:
    lines = set_field(build(), 3, "days", "3X")
    result = read_declaration(lines)
    assert not result.accepted and result.summary is None
    assert {(p.line, p.field, p.code) for p in result.problems} == {(3, "days", "not_zero_padded")}
    assert result.columns.days.tolist() == [-1, 26, 26]


def test_the_slow_and_fast_paths_agree_on_an_error_file() -> None:
    lines = build([declared(1), declared(1), declared(2, days=30)])
    slow = DeclarationReader(lines)
    for _ in slow:
        pass
    assert check_declaration(lines).problems == tuple(slow.problems)


# --- totals too large for their field ------------------------------------------------------------

MANY = 38_462  # 26 days × 38,462 = 1,000,012: no longer fits B03's 6-digit total days


def test_total_days_above_the_field_are_written_and_checked_modulo() -> None:
    lines = build([declared(i) for i in range(1, MANY + 1)])
    b03 = next(line for line in lines if line.startswith(b"B03"))
    assert b03[91:97] == b"000012"  # 1,000,012 modulo 10^6
    result = check_declaration(lines)
    assert result.accepted and result.summary is not None
    assert result.summary.totals["total_days"] == 26 * MANY  # the true total, from the lines
    assert result.summary.wrapped == ("B03.total_days", "B06.total_days")
    # a total that is wrong modulo 10^6 is still caught
    lied = set_field(lines, MANY + 3, "total_days", "000013")
    assert (MANY + 3, "total_days", "total_mismatch") in found(lied)


def test_a_total_that_fits_is_checked_exactly() -> None:
    result = check_declaration(build())
    assert result.summary is not None and result.summary.wrapped == ()
    assert found(set_field(build(), 6, "total_days", 78 + 10**5)) == {
        (6, "total_days", "total_mismatch")
    }
    assert AFFILIATE
