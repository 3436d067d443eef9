"""Many BDS files read at once give, file by file, what ``read_declaration`` gives."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.formats import ma_bds_many
from tadamun.formats.fixed import iter_lines
from tadamun.formats.ma_bds import DeclarationRead, Employer, read_declaration
from tadamun.formats.ma_bds_many import FileInput, read_declarations_many
from tadamun.registry.identifiers import issue_ma_affiliate_number

from .builders import (
    AFFILIATE,
    EMPLOYER,
    PERIOD,
    build,
    declared,
    insured,
    line_of,
    new,
    set_field,
)


def _single(f: FileInput) -> DeclarationRead:
    return read_declaration(
        iter_lines(io.BytesIO(f.data)),
        expected_insured=f.expected_insured,
        affiliate_number=f.affiliate_number,
        period=f.period,
    )


def _same(got: DeclarationRead, want: DeclarationRead, where: str) -> None:
    assert got.accepted == want.accepted, where
    assert got.problem_count == want.problem_count, where
    problems = [(p.line, p.field, p.code, p.problem.params) for p in got.problems]
    assert problems == [(p.line, p.field, p.code, p.problem.params) for p in want.problems], where
    assert got.summary == want.summary, where
    assert len(got.columns) == len(want.columns), where
    for name, value in vars(want.columns).items():
        assert np.array_equal(getattr(got.columns, name), value), (where, name)


def _compare(files: Sequence[FileInput]) -> list[DeclarationRead]:
    many = read_declarations_many(files)
    assert len(many) == len(files)
    for i, (got, f) in enumerate(zip(many, files, strict=True)):
        _same(got, _single(f), f"file {i}")
    return many


def _data(lines: Sequence[bytes]) -> bytes:
    return b"".join(lines)


def _valid(rng: random.Random, n: int, *, base: int = 1, newline: bytes = b"\n") -> list[bytes]:
    situations = ["", "", "", "IL", "IT", "SO", "CS"]
    staff = []
    for s in range(base, base + n):
        situation = rng.choice(situations)
        if situation == "CS":
            staff.append(declared(s, situation="CS", days=0, actual_salary=0))
        elif situation == "SO":
            staff.append(declared(s, situation="SO", af_payback=60000))
        else:
            staff.append(declared(s, situation=situation, actual_salary=rng.randrange(1, 10**8)))
    newcomers = [new(base + n + k) for k in range(rng.choice([0, 0, 1, 3]))]
    if rng.random() < 0.2:
        newcomers.append(new(0, insured_number="999999999", days=0, cin=""))
    return build(staff, newcomers, newline=newline)


def _broken(rng: random.Random, which: int) -> FileInput:
    """One file with a fault of kind ``which``."""
    lines = _valid(rng, rng.randrange(1, 20))
    n = len(lines)
    b02 = line_of(lines, "B02")
    b03 = line_of(lines, "B03")
    kinds = [
        lambda: set_field(lines, b03, "total_days", 1),  # wrong total
        lambda: set_field(lines, n, "total_actual_salary", 7),  # wrong grand total
        lambda: [*lines[:b02], lines[b02 - 1], *lines[b02:]],  # same insured twice
        lambda: set_field(lines, 2, "affiliate_number", issue_ma_affiliate_number(99)),
        lambda: set_field(lines, 2, "period", "202502"),
        lambda: set_field(lines, b02, "insured_number", "100000019"),  # bad key
        lambda: [*lines[: b02 - 1], lines[b02 - 1][:100] + b"\n", *lines[b02:]],  # truncated
        lambda: [*lines[: b02 - 1], lines[b02 - 1].replace(b"ALAMI", b"Alami"), *lines[b02:]],
        lambda: set_field(lines, b02, "control_sum", 5),
        lambda: set_field(lines, b02, "days", 27),
        lambda: set_field(lines, b02, "capped_salary", 1),
        lambda: lines[:-1],  # no B06
        lambda: [lines[0], *lines[2:]],  # no B01
        lambda: set_field(lines, 1, "category", "B1"),
        lambda: set_field(lines, 2, "issue_date", "20250230"),
        lambda: set_field(lines, b02, "situation", "XX"),
        lambda: [*lines[:b03], lines[b02 - 1].replace(b"B02", b"B04", 1), *lines[b03:]],
        lambda: set_field(lines, b02 + 0, "period", "202412"),  # not the employer's month
        lambda: set_field(lines, 2, "period", "199913"),
        lambda: set_field(lines, 2, "period", "2X2501"),
        lambda: set_field(lines, 2, "affiliate_number", "12A4567"),
        lambda: [*lines[:b03], *lines[b03 + 1 :], lines[b03]],  # B03 last
    ]
    options: dict[str, object] = {}
    k = which % (len(kinds) + 3)
    if k < len(kinds):
        lines = kinds[k]()
    elif k == len(kinds):  # an expected employee missing
        options["expected_insured"] = {insured(s) for s in range(1, 40)}
    elif k == len(kinds) + 1:  # asked for another employer
        options["affiliate_number"] = issue_ma_affiliate_number(77)
    else:
        options["period"] = "202503"
    return FileInput(_data(lines), **options)  # type: ignore[arg-type]


def test_many_files_valid_and_invalid_agree_with_read_declaration() -> None:
    rng = random.Random(11)
    files: list[FileInput] = []
    for i in range(160):
        lines = _valid(
            rng,
            rng.randrange(1, 40),
            base=1 + (i % 3) * 100,
            newline=b"\r\n" if i % 7 == 0 else b"\n",
        )
        listed = {x[16:25].decode() for x in lines if x.startswith(b"B02")}
        if i % 2:
            files.append(
                FileInput(
                    _data(lines), expected_insured=listed, affiliate_number=AFFILIATE, period=PERIOD
                )
            )
        else:
            files.append(FileInput(_data(lines)))
    for i in range(150):
        files.append(_broken(rng, i))
    files.append(FileInput(b""))
    files.append(FileInput(b"B00\n"))
    rng.shuffle(files)
    many = _compare(files)
    accepted = sum(r.accepted for r in many)
    assert 150 <= accepted < len(files)  # both paths exercised


def test_other_employers_months_and_wrapped_totals() -> None:
    other = Employer(issue_ma_affiliate_number(555), "202406", company_name="B")
    staff = [declared(s, days=26) for s in range(1, 5)]
    files = [
        FileInput(_data(build(staff, employer=other)), period="202406"),
        FileInput(_data(build(staff)), affiliate_number=AFFILIATE),
        FileInput(_data(build(staff, [new(9, insured_number="000000000")]))),
        FileInput(_data(build(staff, [new(9, insured_number="000000000", cin="")]))),
        FileInput(_data(build(staff, [new(9, surname="")]))),
        FileInput(_data(build(staff)), expected_insured=set()),
        FileInput(_data(build(staff)), expected_insured={"12345"}),
        FileInput(_data(build(staff)), expected_insured=[insured(s) for s in range(1, 5)]),
    ]
    many = _compare(files)
    assert [r.accepted for r in many] == [True, True, True, False, False, False, False, True]
    assert many[0].summary is not None and many[0].summary.period == "202406"


def test_chunks_of_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ma_bds_many, "MAX_STACK_LINES", 30)
    rng = random.Random(5)
    files = [
        FileInput(_data(_valid(rng, rng.randrange(1, 12), newline=rng.choice([b"\n", b"\r\n"]))))
        for _ in range(20)
    ]
    files += [_broken(rng, i) for i in range(10)]
    many = _compare(files)
    assert sum(r.accepted for r in many) >= 20


def test_no_file() -> None:
    assert read_declarations_many([]) == []


VALID = _valid(random.Random(3), 5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_agree(data: st.DataObject) -> None:
    files = []
    for _ in range(data.draw(st.integers(1, 4))):
        lines = list(VALID)
        for _ in range(data.draw(st.integers(0, 3))):
            i = data.draw(st.integers(0, len(lines) - 1))
            what = data.draw(st.sampled_from(["flip", "truncate", "drop", "dup", "swap"]))
            line = lines[i]
            if what == "flip":
                pos = data.draw(st.integers(0, len(line) - 1))
                byte = data.draw(st.sampled_from(b"0123456789ABZaz \n\r\x00"))
                lines[i] = line[:pos] + bytes([byte]) + line[pos + 1 :]
            elif what == "truncate":
                lines[i] = line[: data.draw(st.integers(0, len(line)))]
            elif what == "drop" and len(lines) > 1:
                del lines[i]
            elif what == "dup":
                lines.insert(i, line)
            else:
                j = data.draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
        expected = data.draw(st.none() | st.just({insured(s) for s in range(1, 6)}))
        files.append(FileInput(_data(lines), expected_insured=expected))
    _compare(files)


def test_employer_fixture_is_the_default() -> None:
    assert EMPLOYER.affiliate_number == AFFILIATE
