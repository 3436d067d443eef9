"""Tunisia DS: valid file, one failing example per rule, round trip, CLI, fuzz."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.formats.cli import main
from tadamun.formats.fixed import iter_lines
from tadamun.formats.layout import load_layout
from tadamun.formats.tn_ds import DSEmployee, DSReader, check_ds, write_ds
from tadamun.registry.identifiers import issue_tn_employer_number, issue_tn_insured_number
from tadamun.rules.parameters import load_packs

LAYOUT = load_layout("tn_cnss_ds_v1")
REC = LAYOUT.records["DS"]
FIELDS = {f.name for f in REC.fields} | {"line", "file"}
EMPLOYER = issue_tn_employer_number(4321)
CLASS = load_packs().regime("tn-cnss-rsna").activity_classes()[0]


def build(n: int = 14, newline: bytes = b"\r\n") -> list[bytes]:
    people = [
        DSEmployee(
            issue_tn_insured_number(100 + i), f"Hédi Ben Salah {i}", 3_000_000 + i, "01234567"
        )
        for i in range(n)
    ]
    return list(write_ds(EMPLOYER, "0001", 1, 2025, people, newline=newline))


def set_field(lines: list[bytes], number: int, name: str, value: str) -> list[bytes]:
    f = REC.field(name)
    out = list(lines)
    line = out[number - 1]
    text = value.encode("latin-1")
    assert len(text) == f.length
    out[number - 1] = line[: f.start - 1] + text + line[f.end :]
    return out


def problems(lines: list[bytes], **kw: object) -> set[tuple[int, str, str]]:
    result = check_ds(lines, activity_class=CLASS, **kw)  # type: ignore[arg-type]
    return {(p.line, p.field, p.code) for p in result.problems}


def test_a_valid_file_is_accepted_with_its_summary() -> None:
    lines = build()
    assert all(len(line) == 124 for line in lines)
    assert lines[12][19:24] == b"00201"  # page 2, line 01 after twelve lines
    result = check_ds(lines, activity_class=CLASS, employer_number=EMPLOYER, quarter=1, year=2025)
    assert result.accepted and result.summary is not None
    s = result.summary
    assert (s.employees, s.quarter, s.year) == (14, 1, 2025)
    assert s.total_salary == sum(3_000_000 + i for i in range(14))
    assert {"social_security", "job_loss", "work_accident"} <= set(s.contributions)
    assert s.total == sum(s.by_payer.values()) > 0
    assert b"HEDI BEN SALAH 0" in lines[0]


def test_lf_and_no_final_newline() -> None:
    lines = build(3, newline=b"\n")
    lines[-1] = lines[-1].rstrip(b"\n")
    assert check_ds(lines, activity_class=CLASS).accepted


def test_round_trip() -> None:
    lines = build(5)
    reader = DSReader(lines)
    records = list(reader)
    assert reader.ok
    assert [r.values["insured_number"] for r in records] == [
        int(issue_tn_insured_number(100 + i)) for i in range(5)
    ]
    assert records[0].values["name"] == "HEDI BEN SALAH 0"
    assert records[4].values["salary"] == 3_000_004


def test_writer_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        list(write_ds(EMPLOYER, "0001", 1, 2025, [DSEmployee("1", "X", -5)]))


OTHER_EMPLOYER = issue_tn_employer_number(9999)
CASES: dict[str, tuple[int, str, str, str, str]] = {
    # name: (line, field, value written, expected field, expected code)
    "not digits": (2, "salary", "00000012A4", "salary", "not_zero_padded"),
    "negative salary": (2, "salary", "-000001234", "salary", "not_zero_padded"),
    "quarter 5": (1, "quarter", "5", "quarter", "not_a_quarter"),
    "year": (1, "year", "1800", "year", "not_a_year"),
    "employer key": (1, "employer_number", EMPLOYER[:8] + "00", "employer_number", "bad_key"),
    "employer changes": (2, "employer_number", OTHER_EMPLOYER, "employer_number", "inconsistent"),
    "code changes": (2, "exploitation_code", "0002", "exploitation_code", "inconsistent"),
    "insured key": (3, "insured_number", "0000010099", "insured_number", "bad_key"),
    "duplicate": (
        3,
        "insured_number",
        issue_tn_insured_number(100),
        "insured_number",
        "duplicate_insured",
    ),
    "line 13": (3, "page_line", "13", "page_line", "bad_numbering"),
    "line skipped": (3, "page_line", "04", "page_line", "bad_numbering"),
    "page skipped": (13, "page", "003", "page_line", "bad_numbering"),
    "lowercase name": (2, "name", "ben salah".ljust(60), "name", "lowercase"),
    "punctuation": (2, "name", "BEN-SALAH".ljust(60), "name", "bad_character"),
    "blank name": (2, "name", " " * 60, "name", "required"),
    "reserved": (2, "reserved", "ABC".ljust(10), "reserved", "reserved_not_empty"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_rule_names_its_line_and_field(name: str) -> None:
    line, field, value, want_field, code = CASES[name]
    found = problems(set_field(build(), line, field, value))
    assert (line, want_field, code) in found, found


def test_accented_name_line_length_empty_file_other_employer_and_period() -> None:
    lines = build(3)
    lines[1] = lines[1][:40] + "É".encode() + lines[1][42:]
    assert (2, "name", "non_ascii") in problems(lines)
    lines = build(3)
    lines[1] = lines[1][:100] + b"\r\n"
    assert (2, "line", "wrong_line_length") in problems(lines)
    assert (0, "file", "empty_file") in problems([])
    found = problems(build(2), employer_number=OTHER_EMPLOYER, quarter=2, year=2025)
    assert {(1, "employer_number", "other_employer"), (1, "quarter", "other_period")} <= found


def test_problems_have_three_languages() -> None:
    result = check_ds(set_field(build(2), 1, "quarter", "7"), activity_class=CLASS)
    p = result.problems[0]
    assert p.message("fr").startswith("Trimestre : ")
    assert p.message("ar") and p.message("en") == "Quarter: “7” is not a quarter (1 to 4)"


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_cli(tmp_path: Path) -> None:
    path = tmp_path / "DS.12025"
    path.write_bytes(b"".join(build(3)))
    code, out = _run("check", str(path), "--format", "tn-ds", "--class", CLASS)
    assert code == 0 and out.startswith(f"accepted: employer {EMPLOYER}, code 0001")
    assert "work_accident: employer" in out
    code, out = _run("check", str(path), "--format", "tn-ds", "--class", CLASS, "--json")
    assert code == 0 and '"total_salary": 9000003' in out
    assert _run("check", str(path), "--format", "tn-ds")[0] == 2
    assert _run("check", str(path), "--format", "tn-ds", "--class", "no-such")[0] == 2
    path.write_bytes(b"".join(set_field(build(3), 2, "quarter", "9")))
    code, out = _run("check", str(path), "--format", "tn-ds", "--class", CLASS)
    assert code == 1 and "line 2, quarter [not_a_quarter]" in out


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = build(13)


def _outcome(lines: list[bytes]) -> None:
    result = check_ds(lines, activity_class=CLASS)
    assert result.accepted == (result.summary is not None)
    assert result.accepted == (not result.problems)
    for p in result.problems:
        assert p.line >= 0 and p.field in FIELDS
        for lang in ("fr", "ar", "en"):
            assert p.message(lang)


@FAST
@given(st.lists(st.binary(max_size=200), max_size=10))
def test_fuzz_random_bytes(lines: list[bytes]) -> None:
    _outcome(lines)


@FAST
@given(st.binary(max_size=2000))
def test_fuzz_stream(data: bytes) -> None:
    _outcome(list(iter_lines(io.BytesIO(data), max_length=300)))


@FAST
@given(st.integers(0, 12), st.integers(0, 121), st.integers(0, 255))
def test_fuzz_one_byte_changed(line: int, pos: int, byte: int) -> None:
    lines = list(VALID)
    original = lines[line]
    lines[line] = original[:pos] + bytes([byte]) + original[pos + 1 :]
    _outcome(lines)
    numeric = any(
        f.type == "N" and f.name not in ("salary", "cin") and f.start - 1 <= pos < f.end
        for f in REC.fields
    )
    if lines[line] != original and numeric:
        assert not check_ds(lines, activity_class=CLASS).accepted
