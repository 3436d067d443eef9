"""The reader fuzzed: whatever the bytes, nothing escapes but reported problems."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.formats.layout import load_layout
from tadamun.formats.ma_bds import (
    DeclarationColumns,
    DeclarationReader,
    check_declaration,
    iter_lines,
    write_supplementary,
)
from tests.formats.builders import EMPLOYER, build, declared, new

LAYOUT = load_layout("ma_cnss_bds_v1")
FIELDS = {f.name for r in LAYOUT.records.values() for f in r.fields} | {"line", "file"}
VALID = build([declared(1), declared(2, situation="IL", days=3)], [new(10)])
BIG = build(
    [
        declared(i, situation=s, days=d, actual_salary=a, af_payback=p)
        for i, (s, d, a, p) in enumerate(
            [("", 26, 500000, 0), ("IL", 3, 100000, 0), ("CS", 0, 0, 0), ("SO", 10, 9000, 60000)]
            * 8,
            start=1,
        )
    ],
    [new(100), new(0, insured_number="000000000"), new(0, insured_number="999999999", days=0)],
)
EXPECTED = [f"{int(line[16:25]):09d}" for line in BIG if line.startswith(b"B02")]
SUPPLEMENTARY = list(
    write_supplementary(
        EMPLOYER, [new(200), new(0, insured_number="000000000"), new(1)], category="E2"
    )
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_outcome(lines: list[bytes], kind: str = "declaration") -> None:
    result = check_declaration(lines, kind=kind)
    if result.accepted:
        assert result.summary is not None and result.problems == ()
    else:
        assert result.summary is None and result.problems
    for p in result.problems:
        assert p.line >= 0
        assert p.field in FIELDS
        for lang in ("fr", "ar", "en"):
            assert p.message(lang)


@FAST
@given(st.lists(st.binary(max_size=300), max_size=12))
def test_random_bytes(lines: list[bytes]) -> None:
    _check_outcome(lines)


@FAST
@given(st.lists(st.binary(max_size=300), max_size=12), st.data())
def test_random_bytes_among_the_lines_of_a_supplementary_declaration(
    noise: list[bytes], data: st.DataObject
) -> None:
    lines = list(SUPPLEMENTARY)
    for chunk in noise:
        lines.insert(data.draw(st.integers(0, len(lines))), chunk)
    _check_outcome(lines, kind="supplementary")


@FAST
@given(
    st.lists(
        st.sampled_from([b"B0", b"B02", b"B04", b"0", b" ", b"\r", b"\n", b"\xc3\xa9"]).flatmap(
            lambda s: st.just(s)
        ),
        max_size=400,
    )
)
def test_random_stream_through_iter_lines(chunks: list[bytes]) -> None:
    _check_outcome(list(iter_lines(io.BytesIO(b"".join(chunks)), max_length=300)))


@FAST
@given(st.data())
def test_mutated_valid_files(data: st.DataObject) -> None:
    lines = list(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "truncate", "extend", "drop", "dup", "swap"]))
        i = data.draw(st.integers(0, len(lines) - 1)) if lines else 0
        if not lines:
            break
        line = lines[i]
        if kind == "flip" and line:
            pos = data.draw(st.integers(0, len(line) - 1))
            byte = data.draw(st.integers(0, 255))
            lines[i] = line[:pos] + bytes([byte]) + line[pos + 1 :]
        elif kind == "truncate":
            lines[i] = line[: data.draw(st.integers(0, len(line)))]
        elif kind == "flip":
            lines[i] = b"\x00"
        elif kind == "extend":
            lines[i] = line.rstrip(b"\n") + data.draw(st.binary(min_size=1, max_size=5)) + b"\n"
        elif kind == "drop":
            del lines[i]
        elif kind == "dup":
            lines.insert(i, line)
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    _check_outcome(lines)


@FAST
@given(st.integers(0, 259), st.sampled_from(b"0123456789ABZ "))
def test_a_changed_character_in_a_detail_line_never_passes_silently(pos: int, byte: int) -> None:
    """Any one-character change in the digits of a B02 line is caught (keys, control sums,
    totals), or leaves the line as it was."""
    lines = list(VALID)
    line = lines[2]
    changed = line[:pos] + bytes([byte]) + line[pos + 1 :]
    lines[2] = changed
    result = check_declaration(lines)
    numeric = any(
        f.type == "N" and f.start - 1 <= pos < f.end for f in LAYOUT.records["B02"].fields
    )
    if changed != line and numeric:
        assert not result.accepted


def test_an_overlong_line_is_cut_in_bounded_memory() -> None:
    stream = io.BytesIO(b"B00" + b"9" * 5_000_000 + b"\nB01\n")
    lines = list(iter_lines(stream))
    assert [len(line) for line in lines] == [1025, 4]
    result = check_declaration(lines)
    assert (1, "line", "wrong_line_length") in {(p.line, p.field, p.code) for p in result.problems}
    assert "> 1024" in result.problems[0].message("en")


def _both_paths(lines: list[bytes], **options: object) -> None:
    """The fast path (byte matrices) reports exactly what reading line by line reports."""
    slow = DeclarationReader(lines, **options)  # type: ignore[arg-type]
    for _ in slow:
        pass
    fast = DeclarationReader(lines, **options)  # type: ignore[arg-type]
    columns = fast.read_columns()
    assert [(p.line, p.field, p.code, p.problem.params) for p in fast.problems] == [
        (p.line, p.field, p.code, p.problem.params) for p in slow.problems
    ]
    assert fast.totals == slow.totals
    assert sorted(fast.salaries) == sorted(slow.salaries)
    assert list(columns.line) == sorted(columns.line)
    small = DeclarationReader(lines, **options)  # type: ignore[arg-type]
    batches = DeclarationColumns.concat(list(small.iter_columns(batch_lines=5)))
    assert small.problems == fast.problems
    assert batches.line.tolist() == columns.line.tolist()
    assert batches.surname.tolist() == columns.surname.tolist()
    if fast.ok:
        assert len(columns) == sum(
            t.get("employees", 0) for k, t in fast.totals.items() if k != "B06"
        )


@FAST
@given(st.data())
def test_fast_path_reports_what_line_by_line_reading_reports(data: st.DataObject) -> None:
    lines = list(BIG)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        pos = data.draw(st.integers(0, 261))
        byte = data.draw(st.sampled_from(b"0123456789ABSOITDEMPXa \r\n\xe9"))
        lines[i] = lines[i][:pos] + bytes([byte]) + lines[i][pos + 1 :]
        if data.draw(st.booleans()):
            j = data.draw(st.integers(0, len(lines) - 1))
            lines.insert(j, lines[i])
    expected = data.draw(st.sampled_from([None, EXPECTED, EXPECTED[:-1]]))
    _both_paths(lines, expected_insured=expected)
    _both_paths(SUPPLEMENTARY, expected_insured=expected, kind="supplementary")


@FAST
@given(st.data(), st.sampled_from(["declaration", "supplementary"]))
def test_fast_path_agrees_on_dropped_doubled_swapped_or_cut_lines(
    data: st.DataObject, kind: str
) -> None:
    lines = list(BIG if kind == "declaration" else SUPPLEMENTARY)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        edit = data.draw(st.sampled_from(["drop", "dup", "swap", "cut"]))
        i = data.draw(st.integers(0, len(lines) - 1))
        if edit == "drop":
            del lines[i]
        elif edit == "dup":
            lines.insert(i, lines[i])
        elif edit == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    _both_paths(lines, expected_insured=data.draw(st.sampled_from([None, EXPECTED])), kind=kind)
