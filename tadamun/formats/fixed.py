"""What every fixed-width file reader shares: bounded line iteration, the problem list, and the
per-field character checks driven by a :class:`~tadamun.formats.layout.Layout`.

The Morocco (BDS), Tunisia (DS) and Algeria (DAS) readers subclass :class:`FixedWidthReader`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from tadamun.formats.layout import Layout, Record
from tadamun.formats.problems import LineProblem, line_problem
from tadamun.registry.identifiers import IdentifierError

#: The longest line kept whole by :func:`iter_lines`; a longer one is cut (and reported too long).
MAX_LINE = 1024

Value = int | str | None


def iter_lines(stream: BinaryIO, max_length: int = MAX_LINE) -> Iterator[bytes]:
    """The lines of a binary stream, each at most ``max_length + 1`` bytes, in bounded memory.

    A line longer than ``max_length`` is cut there (the rest is skipped), so a file without line
    breaks never fills the memory; the reader then reports the line as too long.
    """
    while True:
        line = stream.readline(max_length + 1)
        if not line:
            return
        if len(line) > max_length and not line.endswith(b"\n"):
            while True:  # skip the rest of an overlong line
                rest = stream.readline(64 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def strip_newline(raw: bytes) -> bytes:
    """``raw`` without its line ending (LF or CRLF)."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
    return raw


@dataclass(frozen=True)
class ParsedRecord:
    """One line read: N fields as integers (None when blank), AN fields as text without padding."""

    line: int
    type: str
    values: Mapping[str, Value]
    invalid: frozenset[str] = frozenset()  # fields reported as unreadable


class FixedWidthReader:
    """The problem list and the field reading of a reader of ``layout``'s lines.

    ``max_problems`` bounds the list kept (``problem_count`` counts them all).
    """

    def __init__(self, layout: Layout, max_problems: int | None = 10_000) -> None:
        self.layout = layout
        chars = "".join(sorted(layout.allowed_characters))
        self._plain = re.compile(f"[{re.escape(chars)}]*")
        self.max_problems = max_problems
        self.problems: list[LineProblem] = []
        self.problem_count = 0

    def _report(self, at: int, name: str, code: str, /, **params: object) -> None:
        self.problem_count += 1
        if self.max_problems is None or len(self.problems) < self.max_problems:
            self.problems.append(line_problem(at, name, self.layout.label(name), code, **params))
        elif len(self.problems) == self.max_problems:
            self.problems.append(
                line_problem(
                    0, "file", self.layout.label("file"), "too_many_problems", max=self.max_problems
                )
            )

    def _identifier(self, line: int, name: str, exc: IdentifierError) -> None:
        self._report(line, name, exc.code, **exc.problems[0].params)

    def _wrong_length(self, number: int, raw: bytes, expected: int | None = None) -> None:
        got = str(len(raw)) if len(raw) <= MAX_LINE else f"> {MAX_LINE}"
        expected = self.layout.line_length if expected is None else expected
        self._report(number, "line", "wrong_line_length", expected=expected, got=got)
        self._encoding(number, "line", raw, 0)

    def _encoding(self, number: int, name: str, raw: bytes, offset: int) -> bool:
        """Report the first byte outside ASCII in ``raw`` (positions from ``offset + 1``)."""
        for i, byte in enumerate(raw):
            if byte >= 0x80:
                position = offset + i + 1
                for size in (2, 3, 4):
                    try:
                        char = raw[i : i + size].decode("utf-8")
                    except UnicodeDecodeError:
                        continue
                    self._report(number, name, "non_ascii", char=char, position=position)
                    return True
                self._report(number, name, "bad_encoding", byte=f"0x{byte:02X}", position=position)
                return True
        return False

    def _number(self, number: int, f_name: str, chunk: str) -> Value:
        """An N field that is not zero-padded digits (hook: the DAS pads amounts with spaces)."""
        self._report(number, f_name, "not_zero_padded", value=chunk)
        return None

    def _fields(
        self, number: int, raw: bytes, text: str, rec: Record, invalid: set[str]
    ) -> dict[str, Value]:
        """Every field of ``rec`` on the line: ASCII, digits in N fields, allowed characters in
        AN fields; each failure reported with the field's name."""
        values: dict[str, Value] = {}
        allowed = self.layout.allowed_characters
        ascii_only = raw.isascii()
        # Fast path: a line made only of allowed characters needs no per-character look.
        plain = ascii_only and self._plain.fullmatch(text) is not None
        for f in rec.fields:
            begin = f.start - 1
            chunk = text[begin : begin + f.length]
            if not ascii_only and self._encoding(
                number, f.name, raw[begin : begin + f.length], begin
            ):
                values[f.name] = None
                invalid.add(f.name)
                continue
            if f.type == "N":
                if chunk.isdigit():
                    values[f.name] = int(chunk)
                    self._format(number, f.name, f.format, chunk, values, invalid)
                elif f.blank_allowed and not chunk.strip():
                    values[f.name] = None
                else:
                    values[f.name] = self._number(number, f.name, chunk)
                    if values[f.name] is None:
                        invalid.add(f.name)
                continue
            for i, ch in enumerate("" if plain else chunk):
                if ch not in allowed:
                    code = "lowercase" if "a" <= ch <= "z" else "bad_character"
                    shown = ch if ch.isprintable() else f"0x{ord(ch):02X}"
                    self._report(number, f.name, code, char=shown, position=f.start + i)
                    break
            values[f.name] = chunk.rstrip()
        return values

    def _format(
        self,
        number: int,
        name: str,
        fmt: str | None,
        chunk: str,
        values: dict[str, Value],
        invalid: set[str],
    ) -> None:
        """Check an N field's ``format`` (none by default)."""


def format_record(layout: Layout, record: str, values: Mapping[str, Value]) -> bytes:
    """One line of ``record`` (without line ending) from ``values``; missing fields are zeros
    (N) or spaces (AN). Raises ValueError when a value does not fit its field."""
    rec = layout.records[record]
    parts: list[str] = []
    for f in rec.fields:
        value = record if f.name == "record_type" else values.get(f.name)
        if f.type == "N":
            if value is None:
                text = " " * f.length if f.blank_allowed else "0" * f.length
            else:
                text = str(value).rjust(f.length, "0")
                if not text.isdigit():
                    raise ValueError(f"{record}.{f.name}: {value!r} is not a whole number ≥ 0")
        else:
            text = ("" if value is None else str(value)).upper().ljust(f.length)
        if len(text) != f.length:
            raise ValueError(f"{record}.{f.name}: {value!r} does not fit {f.length} characters")
        parts.append(text)
    return "".join(parts).encode("ascii")
