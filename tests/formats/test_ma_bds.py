"""Morocco BDS: a valid file passes; every control rule of file-formats.md §1 fails by name."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tadamun.formats.layout import load_layout
from tadamun.formats.ma_bds import (
    DeclarationReader,
    Employer,
    ExpectedEmployee,
    ceiling_at,
    check_declaration,
    format_record,
    read_expected_insured,
    write_prefilled,
)
from tadamun.rules.contributions import LineBatch, compute
from tests.formats.builders import (
    AFFILIATE,
    DEFAULT_DECLARED,
    EMPLOYER,
    LAYOUT,
    PERIOD,
    build,
    declared,
    found,
    insured,
    new,
    set_field,
)

Problems = set[tuple[int, str, str]]


def test_a_valid_file_is_accepted_with_its_summary() -> None:
    lines = build(new_lines=[new(10), new(11, actual_salary=900000)])
    result = check_declaration(lines, expected_insured=[d.insured_number for d in DEFAULT_DECLARED])
    assert result.problems == ()
    assert result.summary is not None
    summary = result.summary
    assert (summary.employees, summary.declared, summary.new) == (5, 3, 2)
    assert summary.affiliate_number == AFFILIATE and summary.period == PERIOD
    salaries = [500000, 600000, 700000, 300000, 900000]
    assert summary.totals["total_actual_salary"] == sum(salaries)
    assert summary.totals["total_capped_salary"] == sum(min(s, 600000) for s in salaries)
    assert summary.totals["total_days"] == 26 * 3 + 20 * 2
    # the contributions are those of the rules engine over the same salaries and period
    batch = LineBatch.from_columns(
        regime=["ma-cnss"] * 5, base=salaries, period=np.full(5, np.datetime64("2025-01"))
    )
    expected = compute(batch)
    for (branch, payer), amounts in expected.amounts.items():
        assert summary.contributions[branch][payer] == int(amounts.sum())
    assert summary.total == int(expected.total().sum())
    assert summary.as_dict()["currency"] == "MAD"


def test_crlf_and_lf_are_both_accepted_and_a_final_newline_is_optional() -> None:
    assert found(build(newline=b"\r\n")) == set()
    lines = build()
    lines[-1] = lines[-1].rstrip(b"\n")
    assert found(lines) == set()


def test_casual_worker_and_not_yet_registered_employee_are_accepted() -> None:
    lines = build(
        new_lines=[
            new(
                0,
                insured_number="999999999",
                surname="",
                first_names="",
                cin="",
                days=0,
                actual_salary=50000,
            ),
            new(0, insured_number="000000000", cin="AB12345"),
            new(0, insured_number="000000000", cin="C9876"),
        ]
    )
    assert found(lines) == set()


def test_the_ceiling_comes_from_the_rules_pack() -> None:
    assert ceiling_at("202501") == 600000
    assert ceiling_at("199001") is None  # no value in force in the pack
    assert ceiling_at("202513") is None


def test_round_trip_writer_reader() -> None:
    employees = [*DEFAULT_DECLARED, declared(4, situation="IL", actual_salary=100000, days=5)]
    lines = build(employees, [new(10, cin="")])
    reader = DeclarationReader(lines)
    records = list(reader)
    assert reader.problems == [] and reader.ok
    assert [r.type for r in records] == [
        "B00",
        "B01",
        "B02",
        "B02",
        "B02",
        "B02",
        "B03",
        "B04",
        "B05",
        "B06",
    ]
    b02 = [r.values for r in records if r.type == "B02"]
    for employee, values in zip(employees, b02, strict=True):
        assert values["insured_number"] == int(employee.insured_number)
        assert values["surname"] == employee.surname
        assert values["first_names"] == employee.first_names
        assert values["actual_salary"] == employee.actual_salary
        assert values["days"] == employee.days
        assert values["situation"] == employee.situation
    assert records[1].values["company_name"] == "ACME SARL"
    assert records[0].values["transfer_id"] == 42
    # writing the parsed values again gives the same bytes
    for record, line in zip(records, lines, strict=True):
        assert format_record(LAYOUT, record.type, record.values) + b"\n" == line


def test_prefilled_file_round_trip_and_expected_list() -> None:
    expected = [
        ExpectedEmployee(d.insured_number, d.surname, d.first_names, 2, 60000, 0, 60000)
        for d in DEFAULT_DECLARED
    ]
    prefilled = list(write_prefilled(EMPLOYER, expected, transfer_id=42))
    assert [line[:3] for line in prefilled] == [b"A00", b"A01", b"A02", b"A02", b"A02", b"A03"]
    assert all(len(line) == 261 for line in prefilled)
    a03 = prefilled[-1].decode()
    assert a03[16:22] == "000003" and a03[22:28] == "000006"
    assert int(a03[64:79]) == sum(int(d.insured_number) for d in DEFAULT_DECLARED)
    numbers = read_expected_insured(prefilled)
    assert numbers == {d.insured_number for d in DEFAULT_DECLARED}
    assert found(build(), expected_insured=numbers) == set()


def test_layout_is_data_checked_on_load() -> None:
    layout = load_layout("ma_cnss_bds_v1")
    for record in layout.records.values():
        assert sum(f.length for f in record.fields) == 260
    assert set(layout.situations) == {"", "SO", "DE", "IT", "IL", "AT", "CS", "MS", "MP"}


def test_writer_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match=r"B02\.days"):
        format_record(LAYOUT, "B02", {"days": 123})
    with pytest.raises(ValueError, match="whole number"):
        format_record(LAYOUT, "B02", {"days": -1})


# --- one failing example per control rule -------------------------------------------------------

B02 = 3  # line of the first B02 in build()


def _lines_with(fn: Callable[[list[bytes]], list[bytes]]) -> list[bytes]:
    return fn(build())


def _replace(number: int, old: bytes, new_bytes: bytes) -> Callable[[list[bytes]], list[bytes]]:
    def edit(lines: list[bytes]) -> list[bytes]:
        lines = list(lines)
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new_bytes, 1)
        return lines

    return edit


def _blank_b04() -> bytes:
    return (
        format_record(
            LAYOUT, "B04", {"affiliate_number": AFFILIATE, "period": PERIOD, "insured_number": None}
        )
        + b"\n"
    )


CASES: dict[str, tuple[Callable[[], list[bytes]], Problems]] = {
    # line length, characters, encodings
    "short line": (
        lambda: _lines_with(lambda ls: [*ls[:2], ls[2][:200] + b"\n", *ls[3:]]),
        {(3, "line", "wrong_line_length")},
    ),
    "long line": (
        lambda: _lines_with(lambda ls: [*ls[:2], ls[2][:-1] + b"  \n", *ls[3:]]),
        {(3, "line", "wrong_line_length")},
    ),
    "utf-8 accent makes the line too long": (
        lambda: _lines_with(_replace(B02, b"ALAMI", "ALAMÉ".encode())),
        {(3, "line", "wrong_line_length"), (3, "line", "non_ascii")},
    ),
    "windows-1252 accent": (
        lambda: _lines_with(_replace(B02, b"ALAMI", "ALAMÉ".encode("cp1252"))),
        {(3, "surname", "bad_encoding")},
    ),
    "utf-16": (
        lambda: [line.decode().encode("utf-16") for line in build()],
        {(n, "line", "wrong_line_length") for n in range(1, 10)}
        | {(n, "line", "bad_encoding") for n in (1,)},
    ),
    "lowercase": (
        lambda: _lines_with(_replace(B02, b"ALAMI", b"Alami")),
        {(3, "surname", "lowercase")},
    ),
    "punctuation": (
        lambda: _lines_with(_replace(B02, b"ALAMI", b"AL-MI")),
        {(3, "surname", "bad_character")},
    ),
    "control character in filler": (
        lambda: _lines_with(lambda ls: set_field(ls, B02, "filler", "\t")),
        {(3, "filler", "bad_character")},
    ),
    "numeric not zero padded": (
        lambda: _lines_with(lambda ls: set_field(ls, B02, "days", " 5")),
        {(3, "days", "not_zero_padded")},
    ),
    # record order
    "unknown record": (
        lambda: _lines_with(_replace(B02, b"B02", b"X02")),
        {(3, "record_type", "unknown_record")},
    ),
    "missing B01": (
        lambda: _lines_with(lambda ls: [ls[0], *ls[2:]]),
        {(2, "record_type", "out_of_order")},
    ),
    "B02 after B03": (
        lambda: _lines_with(lambda ls: [*ls[:4], ls[5], ls[4], *ls[6:]]),
        {
            (6, "record_type", "out_of_order"),
            (7, "record_type", "out_of_order"),
            (5, "employee_count", "total_mismatch"),
        },
    ),
    "file ends early": (lambda: build()[:-1], {(9, "record_type", "missing_record")}),
    "empty file": (lambda: [], {(0, "file", "empty_file")}),
    "no B04 at all": (
        lambda: _lines_with(lambda ls: [*ls[:6], *ls[7:]]),
        {(7, "record_type", "out_of_order")},
    ),
    # header and employer
    "supplementary category in a normal file": (
        lambda: _lines_with(lambda ls: set_field(ls, 1, "category", "E1")),
        {(1, "category", "bad_category")},
    ),
    "affiliate key": (
        lambda: build(employer=Employer("0012345", PERIOD)),
        {(2, "affiliate_number", "bad_key")},
    ),
    "affiliate inconsistent": (
        lambda: _lines_with(lambda ls: set_field(ls, B02, "affiliate_number", "0012352")),
        {(3, "affiliate_number", "inconsistent")},
    ),
    "period inconsistent": (
        lambda: _lines_with(lambda ls: set_field(ls, 9, "period", "202502")),
        {(9, "period", "inconsistent")},
    ),
    "not a period": (
        lambda: build(employer=Employer(AFFILIATE, "202513"), ceiling=600000),
        {(n, "period", "not_a_period") for n in range(2, 10)},
    ),
    "not a date": (
        lambda: _lines_with(lambda ls: set_field(ls, 2, "due_date", "20250231")),
        {(2, "due_date", "not_a_file_date")},
    ),
    "no ceiling in force": (
        lambda: build(employer=Employer(AFFILIATE, "199001"), ceiling=600000),
        {(2, "period", "no_ceiling")},
    ),
    # insured numbers
    "insured key": (
        lambda: build([declared(1, insured_number="100000019")]),
        {(3, "insured_number", "bad_key")},
    ),
    "insured 100000000": (
        lambda: build([declared(1, insured_number="100000000")]),
        {(3, "insured_number", "reserved")},
    ),
    "insured prefix": (
        lambda: build([declared(1, insured_number="200000018")]),
        {(3, "insured_number", "bad_prefix")},
    ),
    "placeholder in B02": (
        lambda: build([declared(1, insured_number="000000000")]),
        {(3, "insured_number", "reserved")},
    ),
    "not registered without CIN": (
        lambda: build(new_lines=[new(0, insured_number="000000000", cin="")]),
        {(7, "cin", "cin_required")},
    ),
    "CIN format": (lambda: build(new_lines=[new(10, cin="12345678")]), {(7, "cin", "bad_format")}),
    "casual with days": (
        lambda: build(new_lines=[new(0, insured_number="999999999", days=3)]),
        {(7, "days", "casual_days")},
    ),
    "casual capped above actual": (
        lambda: build(new_lines=[new(0, insured_number="999999999", days=0, capped_salary=400000)]),
        {(7, "capped_salary", "above_actual")},
    ),
    "duplicate in B02": (
        lambda: build([declared(1), declared(1)]),
        {(4, "insured_number", "duplicate_insured")},
    ),
    "duplicate across B02 and B04": (
        lambda: build(new_lines=[new(2)]),
        {(7, "insured_number", "duplicate_insured")},
    ),
    "new employee without name": (
        lambda: build(new_lines=[new(10, surname="", first_names="")]),
        {(7, "surname", "required"), (7, "first_names", "required")},
    ),
    # control sums and totals
    "B02 control sum": (
        lambda: _lines_with(lambda ls: set_field(ls, B02, "control_sum", 1)),
        {(3, "control_sum", "control_sum")},
    ),
    "B04 control sum": (
        lambda: set_field(build(new_lines=[new(10)]), 7, "control_sum", 1),
        {(7, "control_sum", "control_sum")},
    ),
    "B03 lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 6, "total_actual_salary", 1)),
        {(6, "total_actual_salary", "total_mismatch")},
    ),
    "B03 count lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 6, "employee_count", 9)),
        {(6, "employee_count", "total_mismatch")},
    ),
    "B03 AF lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 6, "total_af_net", 9)),
        {(6, "total_af_net", "total_mismatch")},
    ),
    "B03 sum of insured numbers lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 6, "sum_insured_numbers", 7)),
        {(6, "sum_insured_numbers", "total_mismatch")},
    ),
    "B03 AF pay-back total lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 6, "total_af_payback", 7)),
        {(6, "total_af_payback", "total_mismatch")},
    ),
    "B03 total days lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 6, "total_days", 77)),
        {(6, "total_days", "total_mismatch")},
    ),
    "B05 count lies": (
        lambda: set_field(build(new_lines=[new(10)]), 8, "employee_count", 2),
        {(8, "employee_count", "total_mismatch")},
    ),
    "B06 sum of insured numbers lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 9, "sum_insured_numbers", 7)),
        {(9, "sum_insured_numbers", "total_mismatch")},
    ),
    "duplicate in B04": (
        lambda: build(new_lines=[new(10), new(10)]),
        {(8, "insured_number", "duplicate_insured")},
    ),
    "B05 lies": (
        lambda: set_field(build(new_lines=[new(10)]), 8, "total_days", 99),
        {(8, "total_days", "total_mismatch")},
    ),
    "B06 lies": (
        lambda: _lines_with(lambda ls: set_field(ls, 9, "total_control", 5)),
        {(9, "total_control", "total_mismatch")},
    ),
    # situations
    "unknown situation": (
        lambda: build([declared(1, situation="XX")]),
        {(3, "situation", "unknown_situation")},
    ),
    "CS with days and salary": (
        lambda: build([declared(1, situation="CS", days=3, actual_salary=1000)]),
        {
            (3, "days", "must_be_zero"),
            (3, "actual_salary", "must_be_zero"),
            (3, "capped_salary", "must_be_zero"),
        },
    ),
    "MS with salary": (
        lambda: build([declared(1, situation="MS", days=0, actual_salary=1000)]),
        {(3, "actual_salary", "must_be_zero"), (3, "capped_salary", "must_be_zero")},
    ),
    "MP with days": (
        lambda: build([declared(1, situation="MP", days=4, actual_salary=0)]),
        {(3, "days", "must_be_zero")},
    ),
    "normal zero salary": (
        lambda: build([declared(1, days=0, actual_salary=0)]),
        {(3, "situation", "zero_salary_not_so")},
    ),
    "SO pays back less than net": (
        lambda: build([declared(1, situation="SO", af_payback=100)]),
        {(3, "af_payback", "payback_not_net")},
    ),
    "DE pays back nothing": (
        lambda: build([declared(1, situation="DE")]),
        {(3, "af_payback", "payback_not_net")},
    ),
    "MP pays back its family allowances": (
        lambda: build([declared(1, situation="MP", days=0, actual_salary=0, af_payback=100)]),
        {(3, "af_payback", "keeps_af")},
    ),
    "pay back above net": (
        lambda: build([declared(1, af_payback=70000)]),
        {(3, "af_payback", "payback_above_net")},
    ),
    # days, ceilings, amounts
    "27 days": (lambda: build([declared(1, days=27)]), {(3, "days", "too_many_days")}),
    "capped salary not capped": (
        lambda: build([declared(1, actual_salary=800000, capped_salary=800000)]),
        {(3, "capped_salary", "bad_capped_salary")},
    ),
    "capped salary below actual under the ceiling": (
        lambda: build([declared(1, actual_salary=500000, capped_salary=400000)]),
        {(3, "capped_salary", "bad_capped_salary")},
    ),
    "implausible salary": (
        lambda: build([declared(1, actual_salary=10**12 + 1)]),
        {(3, "actual_salary", "implausible_amount")},
    ),
    # blank B04
    "blank B04 with amounts": (
        lambda: _lines_with(lambda ls: set_field(ls, 7, "days", 5)),
        {(7, "days", "blank_not_empty")},
    ),
    "blank B04 next to a new employee": (
        lambda: (lambda ls: [*ls[:7], _blank_b04(), *ls[7:]])(build(new_lines=[new(10)])),
        {(8, "insured_number", "blank_not_alone")},
    ),
}


SUBSET = {"B02 after B03", "utf-16"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_control_rule_names_its_line_and_field(name: str) -> None:
    make, expected = CASES[name]
    result = check_declaration(make())
    assert not result.accepted and result.summary is None
    got = {(p.line, p.field, p.code) for p in result.problems}
    if name in SUBSET:  # a broken order also makes totals disagree: more problems, all named
        assert expected <= got
    else:
        assert got == expected
    for p in result.problems:
        for lang in ("fr", "ar", "en"):
            assert p.message(lang)


def test_expected_employees_must_all_be_declared_in_b02() -> None:
    numbers = {insured(1), insured(2), insured(3), insured(4)}
    assert found(build(), expected_insured=numbers) == {(6, "insured_number", "missing_employee")}
    assert found(build(), expected_insured={insured(1), insured(2)}) == {
        (5, "insured_number", "not_expected")
    }


def test_a_file_for_another_employer_or_period() -> None:
    assert found(build(), affiliate_number="0012352") == {(2, "affiliate_number", "other_employer")}
    assert found(build(), period="202502") == {(2, "period", "other_period")}


def test_messages_name_the_field_in_each_language() -> None:
    result = check_declaration(build([declared(1, days=27)]))
    (problem,) = result.problems
    assert problem.message("en") == "Days declared: 27 days exceed the maximum of 26"
    assert problem.message("fr") == "Jours déclarés : 27 jours dépassent le maximum de 26"
    assert problem.message("ar").startswith("الأيام المصرح بها: ")
    assert problem.as_dict("fr")["line"] == 3


def test_problems_are_bounded() -> None:
    lines = [b"X" * 260 + b"\n"] * 50
    result = check_declaration(lines, max_problems=10)
    assert result.problem_count > 10
    assert len(result.problems) == 11
    assert result.problems[-1].code == "too_many_problems"
