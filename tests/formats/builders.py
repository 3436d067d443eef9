"""Valid Morocco BDS files built with the writer, and byte-level edits to break them."""

from __future__ import annotations

from collections.abc import Sequence

from tadamun.formats.layout import load_layout
from tadamun.formats.ma_bds import (
    DeclaredEmployee,
    Employer,
    NewEmployee,
    check_declaration,
    write_declaration,
)
from tadamun.registry.identifiers import issue_ma_affiliate_number, issue_ma_insured_number

LAYOUT = load_layout("ma_cnss_bds_v1")
AFFILIATE = issue_ma_affiliate_number(1234)
PERIOD = "202501"
EMPLOYER = Employer(
    AFFILIATE,
    PERIOD,
    company_name="ACME SARL",
    city="CASABLANCA",
    issue_date="20250201",
    due_date="20250210",
)


def insured(serial: int) -> str:
    return issue_ma_insured_number(serial)


def declared(serial: int, **changes: object) -> DeclaredEmployee:
    values: dict[str, object] = {
        "insured_number": insured(serial) if serial else "",
        "surname": "ALAMI",
        "first_names": f"SARA {serial}",
        "children": 2,
        "af_to_pay": 60000,
        "af_net": 60000,
        "days": 26,
        "actual_salary": 400000 + serial * 100000,
    }
    values.update(changes)
    return DeclaredEmployee(**values)  # type: ignore[arg-type]


def new(serial: int, **changes: object) -> NewEmployee:
    values: dict[str, object] = {
        "insured_number": insured(serial) if serial else "",
        "surname": "BENNANI",
        "first_names": "OMAR",
        "cin": "BE123456",
        "days": 20,
        "actual_salary": 300000,
    }
    values.update(changes)
    return NewEmployee(**values)  # type: ignore[arg-type]


DEFAULT_DECLARED = (declared(1), declared(2), declared(3))


def build(
    declared_lines: Sequence[DeclaredEmployee] = DEFAULT_DECLARED,
    new_lines: Sequence[NewEmployee] = (),
    employer: Employer = EMPLOYER,
    newline: bytes = b"\n",
    ceiling: int | None = None,
) -> list[bytes]:
    return list(
        write_declaration(
            employer, declared_lines, new_lines, transfer_id=42, newline=newline, ceiling=ceiling
        )
    )


def set_field(lines: list[bytes], number: int, name: str, value: int | str) -> list[bytes]:
    """A copy of ``lines`` with field ``name`` of line ``number`` (1-based) set to ``value``."""
    line = lines[number - 1]
    record = LAYOUT.records[line[:3].decode()]
    f = record.field(name)
    text = str(value).rjust(f.length, "0") if f.type == "N" else str(value).ljust(f.length)
    assert len(text) == f.length
    body = line.rstrip(b"\r\n")
    ending = line[len(body) :]
    changed = body[: f.start - 1] + text.encode("latin-1") + body[f.end :] + ending
    return [*lines[: number - 1], changed, *lines[number:]]


def line_of(lines: Sequence[bytes], record: str, nth: int = 1) -> int:
    """The 1-based number of the ``nth`` line of type ``record``."""
    seen = 0
    for i, line in enumerate(lines, start=1):
        if line.startswith(record.encode()):
            seen += 1
            if seen == nth:
                return i
    raise AssertionError(f"no {record} #{nth}")


def found(lines: Sequence[bytes], **options: object) -> set[tuple[int, str, str]]:
    result = check_declaration(lines, **options)  # type: ignore[arg-type]
    assert (result.summary is None) == (not result.accepted)
    return {(p.line, p.field, p.code) for p in result.problems}
