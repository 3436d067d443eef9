"""Whole batches of fixed-width lines as a byte matrix: the tools the fast readers share.

A batch of lines of one record type and one length becomes an ``n × length`` ``uint8`` matrix
(no per-line or per-field Python object); characters are checked with lookup tables and numeric
fields parsed as ``int64`` columns. A reader uses this only to *accept* lines quickly: a line the
tables find anything wrong with goes back to the reader's line-by-line path, which names the
problem, so the problems are exactly the same either way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from tadamun.formats.layout import Field

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

#: The longest run of digits parsed into one int64 (10^18 − 1 < 2^63).
MAX_DIGITS = 18


@functools.cache
def char_table(allowed: frozenset[str]) -> npt.NDArray[np.bool_]:
    """A 256-entry table: True for the bytes of the ``allowed`` (ASCII) characters."""
    table = np.zeros(256, dtype=np.bool_)
    for ch in allowed:
        if ord(ch) < 128:
            table[ord(ch)] = True
    return table


def digits(matrix: U8) -> U8:
    """Each byte minus ``'0'``: a digit's value, anything else 10 or more (uint8 wrap-around)."""
    return matrix - np.uint8(48)


def all_digits(values: U8, fields: Sequence[Field]) -> Mask:
    """Lines whose ``fields`` hold only digits (``values`` from :func:`digits`)."""
    ok = np.ones(values.shape[0], dtype=np.bool_)
    for f in fields:
        ok &= (values[:, f.slice] <= 9).all(axis=1)
    return ok


def parse(values: U8, start: int, length: int) -> I64:
    """The number in columns ``start … start + length`` (0-based) of lines of digits."""
    out = values[:, start].astype(np.int64)
    for j in range(start + 1, start + length):
        out *= 10
        out += values[:, j]
    return out


def parse_field(values: U8, f: Field) -> tuple[I64, Mask]:
    """An N field as int64, and the lines where it fits (its digits beyond 18 are zeros)."""
    begin = f.start - 1
    if f.length <= MAX_DIGITS:
        return parse(values, begin, f.length), np.ones(values.shape[0], dtype=np.bool_)
    high = f.length - MAX_DIGITS
    fits = (values[:, begin : begin + high] == 0).all(axis=1)
    return parse(values, begin + high, MAX_DIGITS), fits


def text_column(matrix: U8, f: Field) -> npt.NDArray[np.str_]:
    """An AN field as text without its padding (the lines are ASCII)."""
    block = np.ascontiguousarray(matrix[:, f.slice]).view(f"S{f.length}")[:, 0]
    return np.strings.rstrip(block.astype(f"U{f.length}"))


def blank(matrix: U8, f: Field) -> Mask:
    """Lines whose field ``f`` is all spaces."""
    spaces: Mask = (matrix[:, f.slice] == 32).all(axis=1)
    return spaces


def pair_codes(matrix: U8, column: int) -> npt.NDArray[np.int32]:
    """Two characters from ``column`` as one code (first × 256 + second)."""
    return matrix[:, column].astype(np.int32) * 256 + matrix[:, column + 1]


def pair_code(text: str) -> int:
    padded = text.ljust(2).encode("ascii")
    return padded[0] * 256 + padded[1]


@functools.cache
def shape_table(length: int, accepts: Callable[[str], bool]) -> npt.NDArray[np.bool_]:
    """Whether ``accepts`` a field of ``length`` characters from {A–Z, 0–9, space} (its trailing
    spaces dropped), by the *shape* of the field: each character's class (letter, digit, space)
    as a base-3 digit. Right for a check that only looks at the classes of the characters (a
    pattern); ``3**length`` entries, so for short fields only."""
    table = np.zeros(3**length, dtype=np.bool_)
    sample = "A1 "
    for code in range(3**length):
        chars, rest = [], code
        for _ in range(length):
            rest, cls = divmod(rest, 3)
            chars.append(sample[cls])
        table[code] = accepts("".join(reversed(chars)).rstrip())
    return table


def shapes(matrix: U8, f: Field) -> npt.NDArray[np.int64]:
    """The shape code of field ``f`` on every line, for a :func:`shape_table`."""
    block = matrix[:, f.slice]
    cls = np.where((block >= 65) & (block <= 90), 0, np.where(block == 32, 2, 1))
    code = np.zeros(matrix.shape[0], dtype=np.int64)
    for j in range(f.length):
        code = code * 3 + cls[:, j]
    return code


def units_key(doubled: Sequence[I64], single: Sequence[I64]) -> I64:
    """Morocco's key: 0 if the units digit u of 2 × Σdoubled + Σsingle is 0, else 10 − u."""
    total = 2 * sum(doubled, np.zeros_like(doubled[0])) + sum(single, np.zeros_like(single[0]))
    return (10 - total % 10) % 10
