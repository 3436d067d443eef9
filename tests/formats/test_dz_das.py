"""Algeria DAS: valid pair of files, one failing example per rule, round trip, CLI, fuzz."""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.formats.cli import main
from tadamun.formats.dz_das import (
    WIDE_LAYOUT,
    DASEmployee,
    DASEmployer,
    DASReader,
    check_das,
    das_file_names,
    write_das,
)
from tadamun.formats.fixed import iter_lines
from tadamun.formats.layout import load_layout
from tadamun.registry.identifiers import issue_dz_employer_number, issue_dz_nss

LAYOUT = load_layout("dz_cnas_das_v1")
FIELDS = {f.name for r in LAYOUT.records.values() for f in r.fields} | {
    "line",
    "file",
    "header_line",
    "header_file",
}
EMPLOYER_NUMBER = issue_dz_employer_number(1234)
OTHER_EMPLOYER = issue_dz_employer_number(4321)
EMPLOYER = DASEmployer(
    EMPLOYER_NUMBER,
    2025,
    paying_centre="16001",
    name_address="Sarl El Amel, 12 rue Didouche Mourad, Alger",
)


def person(i: int, **changes: object) -> DASEmployee:
    values: dict[str, object] = {
        "nss": issue_dz_nss(1000 + i),
        "surname": "Benali",
        "first_name": f"Karima {i}",
        "birth_date": dt.date(1980, 1, 1 + i),
        "salaries": (6_000_000 + i, 6_000_000, 6_000_000, 3_000_000),
        "hours": (520, 520, 520, 260),
        "entry_date": dt.date(2020, 1, 1),
    }
    values.update(changes)
    return DASEmployee(**values)  # type: ignore[arg-type]


def build(
    people: list[DASEmployee] | None = None,
    employer: DASEmployer = EMPLOYER,
    layout_name: str = "dz_cnas_das_v1",
) -> tuple[list[bytes], list[bytes]]:
    """The header file's lines and the employees file's lines, as a reader gets them."""
    detail = io.BytesIO()
    people = [person(i) for i in range(3)] if people is None else people
    header = write_das(employer, people, detail, layout=load_layout(layout_name))
    return [header], detail.getvalue().splitlines(keepends=True)


def set_field(lines: list[bytes], number: int, name: str, value: str) -> list[bytes]:
    """A copy of ``lines`` with field ``name`` of line ``number`` set to the text ``value``."""
    record = "header" if name in {f.name for f in LAYOUT.records["header"].fields} else "detail"
    f = LAYOUT.records[record].field(name)
    text = value.encode("latin-1")
    assert len(text) == f.length, (name, len(text), f.length)
    out = list(lines)
    line = out[number - 1]
    out[number - 1] = line[: f.start - 1] + text + line[f.end :]
    return out


def problems(
    header: list[bytes], detail: list[bytes], **options: object
) -> set[tuple[int, str, str]]:
    result = check_das(header, detail, **options)  # type: ignore[arg-type]
    assert (result.summary is None) == (not result.accepted)
    return {(p.line, p.field, p.code) for p in result.problems}


# --- a valid declaration -------------------------------------------------------------------------


def test_a_valid_declaration_is_accepted_with_its_summary() -> None:
    header, detail = build()
    assert len(header) == 1 and len(header[0]) == 223 and header[0].endswith(b"\r\n")
    assert [len(line) for line in detail] == [197, 197, 195]  # CRLF joins, no final CRLF
    assert header[0][20:40] == b"SARL EL AMEL  12 RUE"  # upper case, punctuation as spaces
    result = check_das(header, detail, employer_number=EMPLOYER_NUMBER, year=2025)
    assert result.accepted, result.problems
    s = result.summary
    assert s is not None
    assert (s.employer_number, s.year, s.declaration_type, s.employees) == (
        EMPLOYER_NUMBER,
        2025,
        "N",
        3,
    )
    assert s.quarter_totals == (18_000_003, 18_000_000, 18_000_000, 9_000_000)
    assert s.annual_total == 63_000_003
    assert set(s.contributions) == {
        "social_insurance",
        "work_accident",
        "retirement",
        "unemployment",
        "early_retirement",
        "social_housing",
    }
    # 34.5 % in all (25 + 9 + 0.5), each quarter of each employee rounded on its own
    assert abs(s.total - 63_000_003 * 345 // 1000) <= 12 * 10
    assert s.by_payer["social_works"] == pytest.approx(63_000_003 * 0.005, abs=12)
    assert s.as_dict()["quarter_totals"] == [18_000_003, 18_000_000, 18_000_000, 9_000_000]


def test_lf_final_newline_and_the_complementary_type_are_accepted() -> None:
    header, detail = build(employer=DASEmployer(EMPLOYER_NUMBER, 2025, declaration_type="C"))
    header = [header[0].replace(b"\r\n", b"\n")]
    detail = [line.replace(b"\r\n", b"\n") for line in detail]
    detail[-1] += b"\n"
    assert check_das(header, detail).accepted
    header = [header[0].rstrip(b"\n")]  # and a header without its line ending
    assert check_das(header, detail).accepted


def test_an_empty_quarter_is_spaces_and_is_read_as_zero() -> None:
    header, detail = build(
        [person(1, salaries=(0, 0, 5_000_000, 0), hours=(None, None, 300, None))]
    )
    line = detail[0]
    assert line[90:104] == b" " * 14 and line[118:121] == b"300"
    result = check_das(header, detail)
    assert result.accepted and result.summary is not None
    assert result.summary.quarter_totals == (0, 0, 5_000_000, 0)
    # "0H      0" is an empty quarter too
    assert check_das(*_zero_quarter(header, detail)).accepted


def _zero_quarter(header: list[bytes], detail: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    detail = set_field(detail, 1, "q1_hours", "  0")
    detail = set_field(detail, 1, "q1_unit", "H")
    return header, set_field(detail, 1, "q1_salary", "      0")


def test_round_trip() -> None:
    people = [person(i, exit_date=dt.date(2025, 6, 30), remarks="Départ") for i in range(4)]
    header, detail = build(people)
    reader = DASReader(header, detail)
    records = list(reader)
    assert reader.ok, reader.problems
    assert records[0].type == "header" and records[0].values["worker_count"] == 4
    details = records[1:]
    for p, r in zip(people, details, strict=True):
        v = r.values
        assert f"{v['nss']:012d}" == p.nss
        assert (v["surname"], v["first_name"]) == (p.surname.upper(), p.first_name.upper())
        assert v["birth_date"] == int(p.birth_date.strftime("%d%m%Y"))
        assert (v["q1_salary"], v["q2_salary"], v["q3_salary"], v["q4_salary"]) == p.salaries
        assert (v["q1_hours"], v["q4_hours"], v["q4_unit"]) == (520, 260, "H")
        assert v["annual_total"] == sum(p.salaries)
        assert (v["exit_date"], v["remarks"]) == (30062025, "DEPART")
    assert [r.values["line_number"] for r in details] == [1, 2, 3, 4]


def test_file_names() -> None:
    assert das_file_names(2025) == ("D25E1.TXT", "D25S1.TXT")
    assert das_file_names(2009, 2) == ("D09E2.TXT", "D09S2.TXT")


# --- the 7-digit quarterly salary ----------------------------------------------------------------


def test_the_writer_refuses_a_quarter_above_the_cap_naming_it() -> None:
    big = person(1, salaries=(10_000_000, 0, 0, 0))
    with pytest.raises(ValueError, match=r"line 1 .*q1_salary 10000000 centimes .*99,999\.99 DZD"):
        build([big])
    header, detail = build([big], layout_name=WIDE_LAYOUT)
    result = check_das(header, detail, layout=load_layout(WIDE_LAYOUT))
    assert result.accepted and result.summary is not None
    assert result.summary.quarter_totals == (10_000_000, 0, 0, 0)


def test_the_reader_reports_a_salary_spilling_into_the_filler() -> None:
    header, detail = build()
    detail = set_field(detail, 2, "q2_salary", "1234567")
    line = detail[1]
    detail[1] = line[:115] + b"8  " + line[118:]  # 12345678 written over the filler
    found = problems(header, detail)
    assert (2, "q2_salary", "salary_above_cap") in found
    result = check_das(header, detail)
    p = next(p for p in result.problems if p.code == "salary_above_cap")
    assert p.message("en") == (
        "Q2 salary: 12345678 centimes exceed this field's cap (99,999.99 DZD): declare with the "
        "wide layout dz_cnas_das_v2"
    )
    # a value written across the filler but under the cap: the alignment is wrong
    header, detail = build()
    line = detail[0]
    detail[0] = line[:94] + b"   6000" + b"000" + line[104:]
    assert (1, "q1_salary", "not_right_aligned") in problems(header, detail)


# --- every rule, one failing example -------------------------------------------------------------

HEADER_CASES: dict[str, tuple[str, str, str]] = {
    # name: (field, text written, expected code) — all on line 1 of the header file
    "employer key": ("header_employer_number", EMPLOYER_NUMBER[:8] + "00", "bad_key"),
    "type X": ("declaration_type", "X", "not_a_choice"),
    "type lowercase": ("declaration_type", "n", "lowercase"),
    "type blank": ("declaration_type", " ", "required"),
    "year out of range": ("header_year", "1900", "not_a_year"),
    "year without rates": ("header_year", "2010", "no_rates"),
    "year not digits": ("header_year", "20A5", "not_zero_padded"),
    "total Q1 lies": ("total_q1", "18000004".rjust(16), "total_mismatch"),
    "total Q2 left-aligned": ("total_q2", "18000000".ljust(16), "not_right_aligned"),
    "total Q3 negative": ("total_q3", "-18000000".rjust(16), "not_right_aligned"),
    "total Q4 decimal": ("total_q4", "90000.00".rjust(16), "not_right_aligned"),
    "annual total lies": ("total_annual", "63000004".rjust(16), "total_mismatch"),
    "worker count lies": ("worker_count", "     4", "total_mismatch"),
    "separator": ("separator", "X", "not_blank"),
    "name lowercase": ("name_address", "Sarl".ljust(109), "lowercase"),
    "name punctuation": ("name_address", "SARL EL-AMEL".ljust(109), "bad_character"),
}


@pytest.mark.parametrize("name", sorted(HEADER_CASES))
def test_every_header_rule_names_its_field(name: str) -> None:
    field, value, code = HEADER_CASES[name]
    header, detail = build()
    found = problems(set_field(header, 1, field, value), detail)
    assert (1, field, code) in found, found


DETAIL_CASES: dict[str, tuple[int, str, str, str, str]] = {
    # name: (line, field written, text, expected field, expected code)
    "employer differs": (
        2,
        "employer_number",
        OTHER_EMPLOYER,
        "employer_number",
        "differs_from_header",
    ),
    "year differs": (3, "year", "2024", "year", "differs_from_header"),
    "line number": (2, "line_number", "     5", "line_number", "bad_line_number"),
    "line number zero-padded but wrong": (
        2,
        "line_number",
        "000003",
        "line_number",
        "bad_line_number",
    ),
    "NSS blank": (2, "nss", " " * 12, "nss", "required"),
    "NSS key": (2, "nss", issue_dz_nss(1001)[:10] + "00", "nss", "bad_key"),
    "NSS zero": (2, "nss", "0" * 12, "nss", "reserved"),
    "NSS letters": (2, "nss", "1234567890AB", "nss", "not_zero_padded"),
    "NSS duplicate": (3, "nss", issue_dz_nss(1000), "nss", "duplicate_insured"),
    "birth date blank": (1, "birth_date", " " * 8, "birth_date", "required"),
    "birth date 31 Feb": (1, "birth_date", "31022000", "birth_date", "not_a_das_date"),
    "birth date AAAAMMJJ": (1, "birth_date", "19800101", "birth_date", "not_a_das_date"),
    "birth date part spaces": (1, "birth_date", "0101 980", "birth_date", "not_a_das_date"),
    "unit D": (1, "q2_unit", "D", "q2_unit", "bad_unit"),
    "unit lowercase": (1, "q2_unit", "h", "q2_unit", "lowercase"),
    "unit missing": (1, "q3_unit", " ", "q3_unit", "bad_unit"),
    "hours 521": (1, "q1_hours", "521", "q1_hours", "too_many_hours"),
    "hours left-aligned": (1, "q1_hours", "52 ", "q1_hours", "not_right_aligned"),
    "salary left-aligned": (2, "q1_salary", "600000 ", "q1_salary", "not_right_aligned"),
    "salary negative": (2, "q2_salary", "-600000", "q2_salary", "not_right_aligned"),
    "salary inner space": (2, "q2_salary", "600 000", "q2_salary", "not_right_aligned"),
    "quarters not the total": (2, "q4_salary", "3000001", "annual_total", "quarters_not_total"),
    "annual total lies": (3, "annual_total", "21000003", "annual_total", "quarters_not_total"),
    "annual total blank": (3, "annual_total", " " * 8, "annual_total", "not_right_aligned"),
    "exit before entry": (1, "exit_date", "31122019", "exit_date", "end_before_start"),
    "entry date": (1, "entry_date", "00002020", "entry_date", "not_a_das_date"),
    "surname lowercase": (1, "surname", "benali".ljust(25), "surname", "lowercase"),
    "surname accent (Latin-1)": (1, "surname", "BÉNALI".ljust(25), "surname", "bad_encoding"),
    "remarks": (1, "remarks", "DEPART?".ljust(20), "remarks", "bad_character"),
}


@pytest.mark.parametrize("name", sorted(DETAIL_CASES))
def test_every_detail_rule_names_its_line_and_field(name: str) -> None:
    line, field, value, want_field, code = DETAIL_CASES[name]
    header, detail = build()
    found = problems(header, set_field(detail, line, field, value))
    assert (line, want_field, code) in found, found


def test_a_header_total_that_lies_is_caught_even_when_the_details_agree() -> None:
    header, detail = build()
    header = set_field(header, 1, "total_q1", "18000004".rjust(16))
    header = set_field(header, 1, "total_annual", "63000004".rjust(16))
    # the header agrees with itself, not with the employees file
    assert problems(header, detail) == {
        (1, "total_q1", "total_mismatch"),
        (1, "total_annual", "total_mismatch"),
    }
    header = set_field(header, 1, "total_annual", "63000003".rjust(16))
    assert problems(header, detail) == {
        (1, "total_q1", "total_mismatch"),
        (1, "total_annual", "quarters_not_total"),
    }


def test_lengths_encoding_and_empty_files() -> None:
    header, detail = build()
    assert (1, "header_line", "wrong_line_length") in problems([header[0][:200] + b"\r\n"], detail)
    assert (2, "header_line", "header_one_line") in problems(header * 2, detail)
    assert (0, "header_file", "empty_file") in problems([], detail)
    assert (0, "file", "empty_file") in problems(header, [])
    truncated = [*detail[:1], detail[1][:150] + b"\r\n", *detail[2:]]
    found = problems(header, truncated)
    assert (2, "line", "wrong_line_length") in found
    assert not {f for _, f, c in found if c == "total_mismatch"} - {"worker_count"}  # no noise
    utf8 = set_field(detail, 1, "surname", "BENALI".ljust(25))
    utf8[0] = utf8[0][:32] + "É".encode() + utf8[0][33:]  # É in UTF-8: one byte too many
    found = problems(header, utf8)
    assert (1, "line", "wrong_line_length") in found and (1, "line", "non_ascii") in found
    utf16 = [(header[0].decode("ascii")).encode("utf-16")]
    assert (1, "header_line", "wrong_line_length") in problems(utf16, detail)
    bom = [b"\xef\xbb\xbf" + detail[0][3:], *detail[1:]]
    assert (1, "employer_number", "non_ascii") in problems(header, bom)


def test_another_employer_year_and_missing_employees() -> None:
    header, detail = build()
    found = problems(header, detail, employer_number=OTHER_EMPLOYER, year=2024)
    assert (1, "header_employer_number", "other_employer") in found
    assert (1, "header_year", "other_period") in found
    expected = [issue_dz_nss(1000 + i) for i in range(5)]
    found = problems(header, detail, expected_nss=expected)
    assert found == {(4, "nss", "missing_expected")}
    result = check_das(header, detail, expected_nss=expected)
    assert [p.problem.params["value"] for p in result.problems] == expected[3:]
    complementary = set_field(header, 1, "declaration_type", "C")
    assert check_das(complementary, detail, expected_nss=expected).accepted


def test_problems_have_three_languages() -> None:
    header, detail = build()
    result = check_das(header, set_field(detail, 1, "q1_hours", "600"))
    p = result.problems[0]
    assert (
        p.message("fr")
        == "Durée du 1er trimestre : 600 heures dépassent le maximum de 520 par trimestre"
    )
    assert p.message("en") == "Q1 duration: 600 hours exceed the maximum of 520 per quarter"
    assert "520" in p.message("ar")


def test_max_problems_bounds_the_list() -> None:
    header, detail = build([person(i) for i in range(30)])
    detail = [line[:100] + b"\r\n" for line in detail]
    result = check_das(header, detail, max_problems=5)
    assert result.problem_count == 30 and len(result.problems) == 6
    assert result.problems[-1].code == "too_many_problems"


# --- command line --------------------------------------------------------------------------------


def _files(tmp_path: Path, header: list[bytes], detail: list[bytes]) -> tuple[str, str]:
    h, d = tmp_path / "D25E1.TXT", tmp_path / "D25S1.TXT"
    h.write_bytes(b"".join(header))
    d.write_bytes(b"".join(detail))
    return str(h), str(d)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_cli_two_files(tmp_path: Path) -> None:
    h, d = _files(tmp_path, *build())
    code, out = _run("check", h, d, "--format", "dz-das")
    assert code == 0 and out.startswith(f"accepted: employer {EMPLOYER_NUMBER}, year 2025 (N)")
    assert "social_housing: social_works" in out
    code, out = _run("check", h, d, "--format", "dz-das", "--json", "--year", "2025")
    payload = json.loads(out)
    assert code == 0 and payload["accepted"] and payload["summary"]["employees"] == 3
    header, detail = build()
    h, d = _files(tmp_path, header, set_field(detail, 2, "q1_hours", "999"))
    code, out = _run("check", h, d, "--format", "dz-das", "--json", "--lang", "ar")
    payload = json.loads(out)
    assert code == 1 and payload["summary"] is None
    assert [(p["line"], p["field"], p["code"]) for p in payload["problems"]] == [
        (2, "q1_hours", "too_many_hours")
    ]
    expected = tmp_path / "expected.txt"
    expected.write_text(f"# employees\n{issue_dz_nss(1000)}\n{issue_dz_nss(1999)}\n")
    h, d = _files(tmp_path, *build())
    code, out = _run("check", h, d, "--format", "dz-das", "--expected", str(expected))
    assert code == 1 and "missing_expected" in out and issue_dz_nss(1999) in out


def test_cli_zip_and_usage_errors(tmp_path: Path) -> None:
    header, detail = build()
    archive = tmp_path / "das.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("DAS/D25E1.TXT", b"".join(header))
        z.writestr("DAS/d25s1.txt", b"".join(detail))
    assert _run("check", str(archive), "--format", "dz-das")[0] == 0
    code, out = _run("check", str(archive), "--format", "dz-das", "--employer", OTHER_EMPLOYER)
    assert code == 1 and "other_employer" in out
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("D25E1.TXT", b"".join(header))
        z.writestr("D25S1.TXT", b" " * 20_000_000)
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w") as z:
        z.writestr("D25E1.TXT", b"".join(header))
    h, d = _files(tmp_path, header, detail)
    for argv in (
        [str(bomb)],
        [str(one)],
        [h],  # a header alone is not a zip
        [h, "/no/such/file"],
        [h, d, "--layout", "v9"],
    ):
        assert main(["check", *argv, "--format", "dz-das"]) == 2, argv
    assert main(["check", h, d]) == 2  # ma-bds takes one file


# --- fuzzing: nothing escapes but reported problems, in bounded memory ---------------------------

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = build([person(i) for i in range(4)])


def _outcome(header: list[bytes], detail: list[bytes]) -> bool:
    result = check_das(header, detail)
    assert result.accepted == (result.summary is not None) == (not result.problems)
    for p in result.problems:
        assert p.line >= 0 and p.field in FIELDS, p
        for lang in ("fr", "ar", "en"):
            assert p.message(lang)
    return result.accepted


@FAST
@given(st.lists(st.binary(max_size=260), max_size=3), st.lists(st.binary(max_size=260), max_size=8))
def test_fuzz_random_bytes(header: list[bytes], detail: list[bytes]) -> None:
    _outcome(header, detail)


@FAST
@given(st.binary(max_size=3000))
def test_fuzz_stream(data: bytes) -> None:
    _outcome(VALID[0], list(iter_lines(io.BytesIO(data), max_length=300)))


@FAST
@given(st.integers(0, 4), st.integers(0, 220), st.sampled_from(b"0123456789 AHZh-\xe9\x00"))
def test_fuzz_one_byte_changed(line: int, pos: int, byte: int) -> None:
    header, detail = [list(part) for part in VALID]
    target = header if line == 0 else detail
    index = 0 if line == 0 else line - 1
    original = target[index]
    pos = min(pos, len(original.rstrip(b"\r\n")) - 1)
    target[index] = original[:pos] + bytes([byte]) + original[pos + 1 :]
    accepted = _outcome(header, detail)
    record = LAYOUT.records["header" if line == 0 else "detail"]
    checked = ("salary", "nss", "annual", "total", "employer", "year", "count", "line_number")
    watched = any(
        f.start - 1 <= pos < f.end and any(c in f.name for c in checked) for f in record.fields
    )
    # a digit changed into another digit (a space turned into a leading zero keeps the value)
    was_digit = chr(original[pos]).isdigit()
    if target[index] != original and watched and chr(byte).isdigit() and was_digit:
        assert not accepted


@FAST
@given(st.data())
def test_fuzz_mutated_files(data: st.DataObject) -> None:
    header, detail = [list(part) for part in VALID]
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["truncate", "extend", "drop", "dup", "swap"]))
        if not detail:
            break
        i = data.draw(st.integers(0, len(detail) - 1))
        line = detail[i]
        if kind == "truncate":
            detail[i] = line[: data.draw(st.integers(0, len(line)))]
        elif kind == "extend":
            detail[i] = line.rstrip(b"\r\n") + data.draw(st.binary(min_size=1, max_size=5))
        elif kind == "drop":
            del detail[i]
        elif kind == "dup":
            detail.insert(i, line)
        else:
            j = data.draw(st.integers(0, len(detail) - 1))
            detail[i], detail[j] = detail[j], detail[i]
    _outcome(header, detail)


def test_an_overlong_line_is_cut_in_bounded_memory() -> None:
    stream = io.BytesIO(b"0" * 5_000_000 + b"\r\n" + VALID[1][0])
    lines = list(iter_lines(stream))
    assert [len(line) for line in lines] == [1025, 197]
    found = problems(VALID[0], lines)
    assert (1, "line", "wrong_line_length") in found


def test_the_reader_streams_in_bounded_memory() -> None:
    """50,000 lines (9.8 MB) read from a generator: the reader keeps per employee only its NSS
    and four salaries, never a line, and at most ``max_problems`` problems."""
    header, detail = build([person(1)])
    line = detail[0] + b"\r\n"
    count = 50_000

    def lines() -> Iterator[bytes]:
        for _ in range(count):
            yield line

    check_das(header, [line])  # rules and layouts loaded before measuring
    tracemalloc.start()
    try:
        result = check_das(header, lines(), max_problems=50)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # duplicate NSS and line number on every line but the first, then the header totals
    assert result.problem_count > 2 * (count - 1)
    assert peak < count * len(line) / 3
