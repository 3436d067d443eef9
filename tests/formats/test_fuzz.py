"""The reader fuzzed: whatever the bytes, nothing escapes but reported problems."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tadamun.formats.layout import load_layout
from tadamun.formats.ma_bds import check_declaration, iter_lines
from tests.formats.builders import build, declared, new

LAYOUT = load_layout("ma_cnss_bds_v1")
FIELDS = {f.name for r in LAYOUT.records.values() for f in r.fields} | {"line", "file"}
VALID = build([declared(1), declared(2, situation="IL", days=3)], [new(10)])
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_outcome(lines: list[bytes]) -> None:
    result = check_declaration(lines)
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
