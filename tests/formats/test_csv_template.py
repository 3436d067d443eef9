"""The CSV template: valid files, one failing example per rule, round trip, CLI, fuzz."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.formats.cli import main
from tadamun.formats.csv_template import (
    CSVReader,
    CSVRow,
    check_csv,
    load_template,
    write_csv,
)
from tadamun.formats.fixed import iter_lines
from tadamun.registry.identifiers import (
    issue_dz_employer_number,
    issue_dz_nss,
    issue_ma_affiliate_number,
    issue_ma_insured_number,
    issue_tn_employer_number,
    issue_tn_insured_number,
)
from tadamun.rules.parameters import load_packs

DOCS = Path(__file__).resolve().parents[2] / "docs"
EMPLOYER = issue_dz_employer_number(1234)
OTHER = issue_dz_employer_number(4321)
TEMPLATE = load_template()
FIELDS = set(TEMPLATE.columns) | {"line", "file", "header"}
TN_CLASS = load_packs().regime("tn-cnss-rsna").activity_classes()[0]


def row(i: int, **changes: object) -> CSVRow:
    values: dict[str, object] = {
        "period": "2025-01",
        "employer_number": EMPLOYER,
        "insured_number": issue_dz_nss(100 + i),
        "surname": "Benali",
        "first_names": f"Karima {i}",
        "days": 22,
        "gross_wage": 4_500_000 + i,
    }
    values.update(changes)
    return CSVRow(**values)  # type: ignore[arg-type]


def build(n: int = 3, separator: str = ",", bom: bool = False) -> list[bytes]:
    return list(write_csv([row(i) for i in range(n)], currency="DZD", separator=separator, bom=bom))


def problems(
    lines: list[bytes], regime: str = "dz-cnas", **kw: object
) -> set[tuple[int, str, str]]:
    result = check_csv(lines, regime=regime, **kw)  # type: ignore[arg-type]
    assert (result.summary is None) == (not result.accepted)
    return {(p.line, p.field, p.code) for p in result.problems}


def replace(lines: list[bytes], number: int, column: str, text: str) -> list[bytes]:
    """A copy of ``lines`` with ``column`` of line ``number`` set to ``text`` (comma files)."""
    out = list(lines)
    header = out[0].decode("utf-8-sig").rstrip("\r\n").split(",")
    cells = out[number - 1].decode("utf-8").rstrip("\r\n").split(",")
    cells[header.index(column)] = text
    out[number - 1] = (",".join(cells) + "\r\n").encode("utf-8")
    return out


def test_the_documented_example_is_valid() -> None:
    lines = (DOCS / "examples" / "declaration.csv").read_bytes().splitlines(keepends=True)
    result = check_csv(lines, regime="dz-cnas", employer_number=EMPLOYER, period="2025-01")
    assert result.accepted, result.problems
    s = result.summary
    assert s is not None and (s.employees, s.total_days, s.total_wage) == (4, 58, 12_550_050)
    assert s.currency == "DZD" and "social_housing" in s.contributions
    assert s.total == sum(s.by_payer.values()) > 0
    doc = (DOCS / "csv-template.md").read_text(encoding="utf-8")
    for column in TEMPLATE.columns:
        assert f"`{column}`" in doc


@pytest.mark.parametrize("separator", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_separators_bom_and_line_endings(separator: str, bom: bool) -> None:
    lines = build(separator=separator, bom=bom)
    assert check_csv(lines, regime="dz-cnas").accepted
    lf = [line.replace(b"\r\n", b"\n") for line in lines]
    lf[-1] = lf[-1].rstrip(b"\n")
    assert check_csv([*lf, b"\n"], regime="dz-cnas").accepted  # a blank line is skipped


def test_round_trip_and_column_order() -> None:
    people = [row(1, first_names="Amel; Sara", situation="SO"), row(2, surname="بن علي")]
    lines = list(write_csv(people, currency="DZD", separator=";"))
    reader = CSVReader(lines, regime="dz-cnas")
    rows = list(reader)
    assert reader.ok, reader.problems
    assert rows[0]["first_names"] == "Amel; Sara" and rows[0]["situation"] == "SO"
    assert rows[1]["surname"] == "بن علي" and rows[1]["gross_wage"] == "45000.02"
    assert list(reader.wages) == [4_500_001, 4_500_002]
    # columns in another order, optional ones left out
    text = f"gross_wage,days,surname,insured_number,employer_number,period\n45000,1,X,{issue_dz_nss(5)},{EMPLOYER},2025-01\n"
    assert check_csv(text.encode().splitlines(keepends=True), regime="dz-cnas").accepted


def test_the_other_regimes() -> None:
    ma = [
        CSVRow(
            "2025-01", issue_ma_affiliate_number(12), issue_ma_insured_number(7), "ALAMI", 27, 100
        )
    ]
    assert problems(list(write_csv(ma, currency="MAD")), regime="ma-cnss") == {
        (2, "days", "too_many_days")
    }
    tn = [
        CSVRow(
            "2025-01", issue_tn_employer_number(3), issue_tn_insured_number(4), "X", 20, 1_000_500
        )
    ]
    lines = list(write_csv(tn, currency="TND"))
    assert lines[1].endswith(b",1000.500,\r\n")
    result = check_csv(lines, regime="tn-cnss-rsna", activity_class=TN_CLASS)
    assert result.accepted and result.summary is not None and result.summary.currency == "TND"
    assert (2, "gross_wage", "bad_amount") in problems(
        replace(lines, 2, "gross_wage", "1000.5001"), regime="tn-cnss-rsna"
    )


CASES: dict[str, tuple[int, str, str, str, str]] = {
    # name: (line, column written, text, expected field, expected code)
    "period format": (2, "period", "202501", "period", "not_a_csv_period"),
    "period month 13": (2, "period", "2025-13", "period", "not_a_csv_period"),
    "period changes": (3, "period", "2025-02", "period", "inconsistent"),
    "period without rates": (2, "period", "2010-01", "period", "no_rates"),
    "employer key": (2, "employer_number", EMPLOYER[:8] + "00", "employer_number", "bad_key"),
    "employer letters": (2, "employer_number", "00001234AB", "employer_number", "not_digits"),
    "employer changes": (3, "employer_number", OTHER, "employer_number", "inconsistent"),
    "insured key": (
        2,
        "insured_number",
        issue_dz_nss(100)[:10] + "00",
        "insured_number",
        "bad_key",
    ),
    "insured short": (2, "insured_number", "1234", "insured_number", "wrong_length"),
    "insured duplicate": (
        3,
        "insured_number",
        issue_dz_nss(100),
        "insured_number",
        "duplicate_insured",
    ),
    "surname blank": (2, "surname", "", "surname", "required"),
    "days negative": (2, "days", "-1", "days", "not_a_count"),
    "days decimal": (2, "days", "2.5", "days", "not_a_count"),
    "days 32": (2, "days", "32", "days", "too_many_days"),
    "wage comma": (2, "gross_wage", '"45000,50"', "gross_wage", "bad_amount"),
    "wage three decimals": (2, "gross_wage", "45000.505", "gross_wage", "bad_amount"),
    "wage negative": (2, "gross_wage", "-45000.00", "gross_wage", "bad_amount"),
    "wage spaces": (2, "gross_wage", "45 000.00", "gross_wage", "bad_amount"),
    "wage blank": (2, "gross_wage", "", "gross_wage", "bad_amount"),
    "wage huge": (2, "gross_wage", "999999999999999", "gross_wage", "implausible_amount"),
    "situation unknown": (2, "situation", "XX", "situation", "not_a_choice"),
    "situation lowercase": (2, "situation", "so", "situation", "not_a_choice"),
    "unpaid leave with days": (2, "situation", "CS", "days", "must_be_zero"),
    "unpaid leave with wage": (2, "situation", "MS", "gross_wage", "must_be_zero"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_rule_names_its_line_and_column(name: str) -> None:
    line, column, text, want, code = CASES[name]
    found = problems(replace(build(), line, column, text))
    assert (line, want, code) in found, found


def test_the_column_line() -> None:
    lines = build()
    head = lines[0].decode()
    assert (1, "header", "unknown_column") in problems(
        [head.replace("days", "jours").encode(), *lines[1:]]
    )
    assert (1, "header", "missing_column") in problems(
        [head.replace(",gross_wage", "").encode(), *lines[1:]]
    )
    assert (1, "header", "duplicate_column") in problems(
        [head.replace("situation", "days").encode(), *lines[1:]]
    )
    assert (1, "header", "no_header_row") in problems([b"period\tdays\n", *lines[1:]])
    assert (1, "line", "bad_format") in problems([b'period,"days\n', *lines[1:]])
    assert check_csv([head.upper().encode(), *lines[1:]], regime="dz-cnas").accepted


def test_lines_encoding_and_empty_files() -> None:
    lines = build()
    assert (3, "line", "wrong_column_count") in problems([*lines[:2], lines[2].replace(b",", b";")])
    assert (2, "line", "bad_format") in problems([lines[0], b'2025-01,"unclosed\r\n'])
    latin1 = f"2025-01,{EMPLOYER},{issue_dz_nss(9)},Saïdi,,1,1.00,\n".encode("latin-1")
    found = problems([lines[0], latin1])
    assert (2, "line", "not_utf8") in found
    result = check_csv([lines[0], latin1], regime="dz-cnas")
    assert "byte 0xEF at position 35" in result.problems[0].message("en")
    utf16 = b"".join(lines).decode("utf-8").encode("utf-16")
    assert (1, "line", "not_utf8") in problems(list(iter_lines(io.BytesIO(utf16))))
    assert (0, "file", "empty_file") in problems([])
    assert (0, "file", "empty_file") in problems(lines[:1])
    assert (2, "line", "too_long") in problems(list(iter_lines(io.BytesIO(lines[0] + b"x" * 5000))))


def test_another_employer_period_and_missing_employees() -> None:
    found = problems(build(), employer_number=OTHER, period="2025-02")
    assert (2, "employer_number", "other_employer") in found
    assert (2, "period", "other_period") in found
    expected = [issue_dz_nss(100 + i) for i in range(4)]
    assert problems(build(), expected_insured=expected) == {
        (5, "insured_number", "missing_expected")
    }


def test_messages_in_three_languages() -> None:
    result = check_csv(replace(build(), 2, "gross_wage", "45000,5"), regime="dz-cnas")
    messages = {p.code: p for p in result.problems}
    p = messages["wrong_column_count"]  # an unquoted comma is one column too many
    assert p.message("fr") == "Ligne : 9 colonnes au lieu de 8"
    result = check_csv(replace(build(), 2, "days", "x"), regime="dz-cnas")
    p = result.problems[0]
    assert p.message("en") == "Days: “x” is not a whole number zero or more"
    assert p.message("ar").startswith("الأيام")


def test_writer_refuses_bad_values() -> None:
    with pytest.raises(ValueError):
        list(write_csv([row(1, gross_wage=-1)], currency="DZD"))
    with pytest.raises(ValueError):
        list(write_csv([row(1)], currency="DZD", separator="\t"))


# --- command line --------------------------------------------------------------------------------


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_cli(tmp_path: Path) -> None:
    path = tmp_path / "declaration.csv"
    path.write_bytes(b"".join(build()))
    code, out = _run("check", str(path), "--format", "csv", "--regime", "dz-cnas")
    assert code == 0 and out.startswith(f"accepted: dz-cnas, employer {EMPLOYER}, period 2025-01")
    code, out = _run("check", str(path), "--format", "csv", "--regime", "dz-cnas", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["summary"]["total_wage"] == 13_500_003
    code, out = _run(
        "check",
        str(path),
        "--format",
        "csv",
        "--regime",
        "dz-cnas",
        "--period",
        "2025-02",
        "--json",
    )
    payload = json.loads(out)
    assert code == 1 and payload["problems"][0]["code"] == "other_period"
    assert _run("check", str(path), "--format", "csv")[0] == 2  # no --regime
    assert _run("check", str(path), "--format", "csv", "--regime", "xx")[0] == 2
    assert _run("check", str(path), str(path), "--format", "csv", "--regime", "dz-cnas")[0] == 2
    assert (
        _run("check", str(tmp_path / "none.csv"), "--format", "csv", "--regime", "dz-cnas")[0] == 2
    )
    tn = tmp_path / "tn.csv"
    tn.write_bytes(
        b"".join(
            write_csv(
                [
                    CSVRow(
                        "2025-01",
                        issue_tn_employer_number(3),
                        issue_tn_insured_number(4),
                        "X",
                        2,
                        5,
                    )
                ],
                currency="TND",
            )
        )
    )
    assert (
        _run("check", str(tn), "--format", "csv", "--regime", "tn-cnss-rsna", "--class", TN_CLASS)[
            0
        ]
        == 0
    )
    assert (
        _run("check", str(tn), "--format", "csv", "--regime", "tn-cnss-rsna", "--class", "no")[0]
        == 2
    )


# --- fuzzing -------------------------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = build(4)


def _outcome(lines: list[bytes]) -> None:
    result = check_csv(lines, regime="dz-cnas")
    assert result.accepted == (result.summary is not None) == (not result.problems)
    for p in result.problems:
        assert p.line >= 0 and p.field in FIELDS, p
        for lang in ("fr", "ar", "en"):
            assert p.message(lang)


@FAST
@given(st.lists(st.binary(max_size=200), max_size=8))
def test_fuzz_random_bytes(lines: list[bytes]) -> None:
    _outcome([VALID[0], *lines])
    _outcome(lines)


@FAST
@given(
    st.lists(
        st.sampled_from([",", ";", '"', "\n", "\r", "0", "1.5", "-", "é", "\x00", " ", "2025-01"]),
        max_size=200,
    )
)
def test_fuzz_stream(chunks: list[str]) -> None:
    data = VALID[0] + "".join(chunks).encode("utf-8")
    _outcome(list(iter_lines(io.BytesIO(data), max_length=300)))


@FAST
@given(st.integers(1, 4), st.integers(0, 80), st.integers(0, 255))
def test_fuzz_one_byte_changed(line: int, pos: int, byte: int) -> None:
    lines = list(VALID)
    original = lines[line]
    pos = min(pos, len(original) - 3)
    lines[line] = original[:pos] + bytes([byte]) + original[pos + 1 :]
    _outcome(lines)


def test_the_reader_streams_in_bounded_memory() -> None:
    head, line = build(1)
    count = 50_000

    def lines() -> Iterator[bytes]:
        yield head
        for _ in range(count):
            yield line

    check_csv([head, line], regime="dz-cnas")  # rules loaded before measuring
    tracemalloc.start()
    try:
        result = check_csv(lines(), regime="dz-cnas", max_problems=50)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.problem_count == count - 1  # every line after the first is a duplicate
    assert peak < count * len(line) / 3
