"""Algeria CNAS annual wage declaration (DAS): streaming reader of its two files, writer, summary.

Layout: ``layouts/dz_cnas_das_v1.yaml`` (``shared/reference/file-formats.md`` §2): a header file
``D{YY}E{n}.TXT`` (one line of 221 characters) and an employees file ``D{YY}S{n}.TXT`` (lines of
195 characters). LF or CRLF, with or without a final line ending, are all accepted; the writer
writes what the reference says (header + CRLF; details joined by CRLF, no final CRLF).

The reader holds one line at a time plus, per employee, the NSS (duplicates) and the four
quarterly salaries (the summary): never the whole file. Checked: line lengths, ASCII, upper case,
amounts right-aligned and space-padded, dates jjmmaaaa or 8 spaces, employer number and NSS keys
(:mod:`tadamun.registry.identifiers`), declaration type N/C, year range, the employer number and
year of every detail line equal to the header's (and to the expected ones when given), line
numbers 1, 2, 3…, NSS and birth date required, duplicate NSS, unit ``H`` and at most 520 hours per
quarter, the four quarters adding up to the annual total, entry date not after exit date, header
totals and worker count equal to the sums of the detail lines, the expected employees all present,
and dz-cnas rates in force for the year.

The 7-digit quarterly salary (C in the reference) caps a quarter at 99,999.99 DZD: the writer
refuses a larger salary naming the employee, the quarter and the cap, and the reader reports
digits that spill over into the filler after the field (code ``salary_above_cap``). Larger wages
are declared with the wide layout ``dz_cnas_das_v2`` (same positions; the fillers after the
quarterly salaries and the annual total widen them), see the layouts' comments.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from tadamun.formats.fixed import FixedWidthReader, ParsedRecord, Value, strip_newline
from tadamun.formats.layout import Field, Layout, Record, load_layout
from tadamun.formats.problems import LineProblem
from tadamun.formats.tn_ds import plain_upper
from tadamun.registry.identifiers import (
    IdentifierError,
    validate_dz_employer_number,
    validate_dz_nss,
)
from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.errors import RulesError
from tadamun.rules.parameters import PackSet, load_packs
from tadamun.rules.periods import month_index

__all__ = [
    "LAYOUT",
    "REGIME",
    "WIDE_LAYOUT",
    "DASCheckResult",
    "DASEmployee",
    "DASEmployer",
    "DASReader",
    "DASSummary",
    "check_das",
    "das_file_names",
    "summarize_das",
    "write_das",
]

REGIME = "dz-cnas"
LAYOUT = "dz_cnas_das_v1"
WIDE_LAYOUT = "dz_cnas_das_v2"
HEADER, DETAIL = "header", "detail"
QUARTERS = (1, 2, 3, 4)
_QUARTER_FIELDS = tuple((f"q{q}_hours", f"q{q}_unit", f"q{q}_salary") for q in QUARTERS)
TYPES = ("N", "C")


def das_file_names(year: int, sequence: int = 1) -> tuple[str, str]:
    """The names of the header and employees files: ``D{YY}E{n}.TXT``, ``D{YY}S{n}.TXT``."""
    return f"D{year % 100:02d}E{sequence}.TXT", f"D{year % 100:02d}S{sequence}.TXT"


def _dmy(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[4:8]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None


def _quarter_start(year: int, quarter: int) -> int:
    return month_index(year, 3 * (quarter - 1) + 1)


def rates_in_force(year: int, packs: PackSet | None = None) -> bool:
    """Whether ``dz-cnas`` has its rates for every quarter of ``year``."""
    if packs is None:
        return _rates_in_force_shipped(year)
    return _rates_in_force(year, packs)


@functools.cache
def _rates_in_force_shipped(year: int) -> bool:
    return _rates_in_force(year, load_packs())


def _rates_in_force(year: int, packs: PackSet) -> bool:
    batch = LineBatch.of_regime(
        REGIME,
        base=np.zeros(4, np.int64),
        period=np.array([_quarter_start(year, q) for q in QUARTERS], np.int32),
    )
    try:
        compute(batch, packs=packs)
    except RulesError:
        return False
    return True


def _cap_text(length: int) -> str:
    major, minor = divmod(10**length - 1, 100)
    return f"{major:,}.{minor:02d}"


@dataclass
class _Totals:
    count: int = 0
    quarters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    annual: int = 0
    tainted: set[str] = field(default_factory=set)  # "q1".."q4", "annual", "*"


class DASReader(FixedWidthReader):
    """Reads a DAS (header file + employees file): iterate it for the records (the header first,
    then each detail line); then read ``problems``.

    Problems of the header file carry field names of the header record (``header_year``,
    ``total_q1``…, ``header_line``, ``header_file``) and its line number (1); the others are
    lines of the employees file. ``employer_number`` (10 digits) and ``year``: what the
    declaration must be for; ``expected_nss``: the employees a normal (N) declaration must list
    (a complementary one, C, adds to it and is not held to the list).
    """

    def __init__(
        self,
        header_lines: Iterable[bytes],
        detail_lines: Iterable[bytes],
        *,
        employer_number: str | None = None,
        year: int | None = None,
        expected_nss: Iterable[str] | None = None,
        packs: PackSet | None = None,
        layout: Layout | None = None,
        max_problems: int | None = 10_000,
    ) -> None:
        super().__init__(layout or load_layout(LAYOUT), max_problems)
        self._header_lines = header_lines
        self._detail_lines = detail_lines
        self._want_employer = employer_number
        self._want_year = year
        self._expected = set(expected_nss) if expected_nss is not None else None
        self._packs = packs
        self._header_rec = self.layout.records[HEADER]
        self._detail_rec = self.layout.records[DETAIL]
        self._formats = {f.name: f.format for r in self.layout.records.values() for f in r.fields}
        self._spill = _spill_fields(self._detail_rec)
        self._widths = {f.name: f.length for f in self._detail_rec.fields}
        self._max_hours = self.layout.limits.get("max_hours_per_quarter", 520)
        self.header: dict[str, Value] = {}
        self._header_ok: set[str] = set()  # header fields read and checked
        self._seen: dict[int, int] = {}
        self._sums = _Totals()
        self.salaries: tuple[array[int], ...] = tuple(array("q") for _ in QUARTERS)
        self._last_line = 0
        self._consumed = False

    @property
    def ok(self) -> bool:
        return self._consumed and self.problem_count == 0

    def __iter__(self) -> Iterator[ParsedRecord]:
        if self._consumed:
            raise RuntimeError("a DASReader reads its lines once")
        header = self._read_header()
        if header is not None:
            yield header
        number = 0
        for number, raw in enumerate(self._detail_lines, start=1):
            record = self._read_detail(number, raw)
            if record is not None:
                yield record
        self._last_line = number
        self._finish()
        self._consumed = True

    def read(self) -> list[LineProblem]:
        for _ in self:
            pass
        return self.problems

    # -- field reading: amounts padded with spaces, dates jjmmaaaa
    def _number(self, number: int, f_name: str, chunk: str) -> Value:
        fmt = self._formats.get(f_name)
        if fmt == "right_aligned":
            digits = chunk.lstrip(" ")
            if digits.isdigit():
                return int(digits)
            self._report(number, f_name, "not_right_aligned", value=chunk)
            return None
        if fmt == "dmy":
            self._report(number, f_name, "not_a_das_date", value=chunk)
            return None
        return super()._number(number, f_name, chunk)

    def _format(
        self,
        number: int,
        name: str,
        fmt: str | None,
        chunk: str,
        values: dict[str, Value],
        invalid: set[str],
    ) -> None:
        if fmt == "dmy" and _dmy(chunk) is None:
            self._report(number, name, "not_a_das_date", value=chunk)
            values[name] = None
            invalid.add(name)

    def _bad_length(self, number: int, raw: bytes, rec: Record, name: str) -> None:
        got = str(len(raw)) if len(raw) <= 1024 else "> 1024"
        self._report(number, name, "wrong_line_length", expected=rec.line_length, got=got)
        self._encoding(number, name, raw, 0)

    # -- the header file
    def _read_header(self) -> ParsedRecord | None:
        record = None
        count = 0
        for count, raw in enumerate(self._header_lines, start=1):
            if count == 1:
                record = self._header_line(raw)
            elif count == 2:
                self._report(2, "header_line", "header_one_line")
        if count == 0:
            self._report(0, "header_file", "empty_file")
        return record

    def _header_line(self, raw: bytes) -> ParsedRecord | None:
        raw = strip_newline(raw)
        if len(raw) != self._header_rec.line_length:
            self._bad_length(1, raw, self._header_rec, "header_line")
            return None
        invalid: set[str] = set()
        v = self._fields(1, raw, raw.decode("latin-1"), self._header_rec, invalid)
        self.header = v
        self._header_ok = {f.name for f in self._header_rec.fields} - invalid
        employer = v.get("header_employer_number")
        if isinstance(employer, int):
            shown = f"{employer:010d}"
            try:
                validate_dz_employer_number(shown, field="header_employer_number")
            except IdentifierError as exc:
                self._identifier(1, "header_employer_number", exc)
            if self._want_employer is not None and shown != self._want_employer:
                self._report(
                    1,
                    "header_employer_number",
                    "other_employer",
                    value=shown,
                    expected=self._want_employer,
                )
        kind = v.get("declaration_type")
        if kind == "":
            self._report(1, "declaration_type", "required")
        elif isinstance(kind, str) and kind.upper() not in TYPES:
            self._report(1, "declaration_type", "not_a_choice", value=kind, choices="N, C")
        year = v.get("header_year")
        if isinstance(year, int):
            lo, hi = self.layout.limits.get("min_year", 1983), self.layout.limits.get("max_year")
            hi = hi or 2100
            if not lo <= year <= hi:
                self._report(1, "header_year", "not_a_year", value=f"{year:04d}", min=lo, max=hi)
            elif not rates_in_force(year, self._packs):
                self._report(1, "header_year", "no_rates", value=year, regime=REGIME)
            if self._want_year is not None and year != self._want_year:
                self._report(1, "header_year", "other_period", value=year, expected=self._want_year)
        separator = v.get("separator")
        if isinstance(separator, str) and separator != "":
            self._report(1, "separator", "not_blank", value=separator)
        return ParsedRecord(1, HEADER, v, frozenset(invalid))

    # -- the employees file
    def _read_detail(self, number: int, raw: bytes) -> ParsedRecord | None:
        raw = strip_newline(raw)
        self._sums.count += 1
        if len(raw) != self._detail_rec.line_length:
            self._sums.tainted.add("*")
            self._bad_length(number, raw, self._detail_rec, "line")
            return None
        text = raw.decode("latin-1")
        invalid: set[str] = set()
        values = self._fields(number, raw, text, self._detail_rec, invalid)
        record = ParsedRecord(number, DETAIL, values, frozenset(invalid))
        self._check_detail(record, text)
        return record

    def _same_as_header(self, record: ParsedRecord, name: str, header_name: str) -> None:
        value = record.values.get(name)
        if not isinstance(value, int):
            return
        width = self._widths[name]
        shown = f"{value:0{width}d}"
        ref = self.header.get(header_name)
        if isinstance(ref, int) and header_name in self._header_ok:
            if value != ref:
                self._report(
                    record.line,
                    name,
                    "differs_from_header",
                    value=shown,
                    expected=f"{ref:0{width}d}",
                )
        elif name == "employer_number" and record.line == 1:  # no header to compare with
            try:
                validate_dz_employer_number(shown, field=name)
            except IdentifierError as exc:
                self._identifier(record.line, name, exc)

    def _check_detail(self, record: ParsedRecord, text: str) -> None:
        v, line, invalid = record.values, record.line, record.invalid
        self._same_as_header(record, "employer_number", "header_employer_number")
        self._same_as_header(record, "year", "header_year")
        at = v.get("line_number")
        if isinstance(at, int) and at != line:
            self._report(line, "line_number", "bad_line_number", value=at, expected=line)
        nss = v.get("nss")
        if nss is None and "nss" not in invalid:
            self._report(line, "nss", "required")
        elif isinstance(nss, int):
            shown = f"{nss:012d}"
            try:
                validate_dz_nss(shown, field="nss")
            except IdentifierError as exc:
                self._identifier(line, "nss", exc)
            first = self._seen.get(nss)
            if first is not None:
                self._report(line, "nss", "duplicate_insured", value=shown, line=first)
            else:
                self._seen[nss] = line
        if v.get("birth_date") is None and "birth_date" not in invalid:
            self._report(line, "birth_date", "required")
        quarters = [self._quarter(record, q, text) for q in QUARTERS]
        annual = v.get("annual_total")
        if "annual_total" in self._spill and self._spills(record, "annual_total", text):
            annual = None
        if isinstance(annual, int) and all(isinstance(s, int) for s in quarters):
            expected = sum(s for s in quarters if s is not None)
            if annual != expected:
                self._report(
                    line, "annual_total", "quarters_not_total", got=annual, expected=expected
                )
        self._dates(record)
        sums = self._sums
        for q, salary in zip(QUARTERS, quarters, strict=True):
            if salary is None:
                sums.tainted.add(f"q{q}")
                salary = 0
            sums.quarters[q - 1] += salary
            self.salaries[q - 1].append(salary)
        if isinstance(annual, int):
            sums.annual += annual
        else:
            sums.tainted.add("annual")

    def _spills(self, record: ParsedRecord, name: str, text: str) -> bool:
        """Report digits written on from ``name`` into the filler after it: a value above the
        field's cap (or one not aligned on the field's last position)."""
        f, filler = self._spill[name]
        if not text[f.end : f.end + 1].isdigit() or not text[f.end - 1].isdigit():
            return False
        chunk = text[f.start - 1 : f.end]
        after = text[f.end : f.end + filler]
        spill = after[: len(after) - len(after.lstrip("0123456789"))]
        digits = (chunk + spill).lstrip(" ")
        if digits.isdigit() and int(digits) > 10**f.length - 1:
            self._report(
                record.line,
                name,
                "salary_above_cap",
                got=int(digits),
                cap=_cap_text(f.length),
                layout=WIDE_LAYOUT,
            )
        else:
            self._report(record.line, name, "not_right_aligned", value=chunk + after)
        return True

    def _quarter(self, record: ParsedRecord, q: int, text: str) -> int | None:
        """Check quarter ``q``; its salary (0 for an empty quarter), None when unreadable."""
        v, line = record.values, record.line
        hours_name, unit_name, salary_name = _QUARTER_FIELDS[q - 1]
        hours, unit = v.get(hours_name), v.get(unit_name)
        max_hours = self._max_hours
        if isinstance(hours, int) and hours > max_hours:
            self._report(line, hours_name, "too_many_hours", got=hours, max=max_hours)
        if (
            isinstance(unit, str)
            and unit != "H"
            and unit.upper() != "H"
            and (unit or hours is not None)
        ):
            self._report(line, unit_name, "bad_unit", value=unit or " ", expected="H")
        if salary_name in record.invalid:
            return None
        if salary_name in self._spill and self._spills(record, salary_name, text):
            return None
        value = v.get(salary_name)
        return value if isinstance(value, int) else 0

    def _dates(self, record: ParsedRecord) -> None:
        entry, exit_ = record.values.get("entry_date"), record.values.get("exit_date")
        if isinstance(entry, int) and isinstance(exit_, int):
            start, end = _dmy(f"{entry:08d}"), _dmy(f"{exit_:08d}")
            if start is not None and end is not None and end < start:
                self._report(
                    record.line, "exit_date", "end_before_start", start=start.strftime("%d/%m/%Y")
                )

    # -- the end: header totals against the details
    def _finish(self) -> None:
        if self._last_line == 0:
            self._report(0, "file", "empty_file")
        if self.header:
            self._header_totals()
        # a complementary declaration (C) adds to the normal one: it need not list everyone
        if self._expected is not None and self.header.get("declaration_type") != "C":
            seen = {f"{n:012d}" for n in self._seen}
            for nss in sorted(self._expected - seen):
                self._report(self._last_line + 1, "nss", "missing_expected", value=nss)

    def _header_totals(self) -> None:
        header, ok, sums = self.header, self._header_ok, self._sums
        readable = "*" not in sums.tainted
        pairs = [(f"total_q{q}", f"q{q}", sums.quarters[q - 1]) for q in QUARTERS]
        pairs.append(("total_annual", "annual", sums.annual))
        for name, part, expected in pairs:
            got = header.get(name)
            checkable = readable and part not in sums.tainted and name in ok
            if checkable and isinstance(got, int) and got != expected:
                self._report(1, name, "total_mismatch", got=got, of="S", expected=expected)
        quarters = [header.get(f"total_q{q}") for q in QUARTERS]
        got = header.get("total_annual")
        if isinstance(got, int) and all(isinstance(t, int) for t in quarters):
            expected = sum(t for t in quarters if isinstance(t, int))
            if got != expected:
                self._report(1, "total_annual", "quarters_not_total", got=got, expected=expected)
        count = header.get("worker_count")
        if isinstance(count, int) and count != sums.count:
            self._report(
                1, "worker_count", "total_mismatch", got=count, of="S", expected=sums.count
            )


def _spill_fields(rec: Record) -> dict[str, tuple[Field, int]]:
    """Amount fields followed by a filler (the v1 layout): name -> (field, filler length)."""
    spill: dict[str, tuple[Field, int]] = {}
    fields = rec.fields
    for f, nxt in itertools.pairwise(fields):
        if f.format == "right_aligned" and nxt.name == "filler" and f.name != "line_number":
            spill[f.name] = (f, nxt.length)
    return spill


# --- summary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DASSummary:
    """What a valid DAS declares, and what it costs, in centimes (DZD)."""

    employer_number: str
    year: int
    declaration_type: str
    employees: int
    quarter_totals: tuple[int, int, int, int]
    annual_total: int
    contributions: Mapping[str, Mapping[str, int]]  # branch -> payer -> centimes
    by_payer: Mapping[str, int]
    total: int
    currency: str = "DZD"

    def as_dict(self) -> dict[str, object]:
        return {
            "employer_number": self.employer_number,
            "year": self.year,
            "declaration_type": self.declaration_type,
            "employees": self.employees,
            "quarter_totals": list(self.quarter_totals),
            "annual_total": self.annual_total,
            "contributions": {b: dict(p) for b, p in self.contributions.items()},
            "by_payer": dict(self.by_payer),
            "total": self.total,
            "currency": self.currency,
        }


def summarize_das(reader: DASReader, packs: PackSet | None = None) -> DASSummary:
    """Employees, totals per quarter and contributions by branch of a DAS read without problems.

    Contributions come from :func:`tadamun.rules.contributions.compute` over one array of every
    quarterly salary of the year at once (regime ``dz-cnas``). As for Tunisia's DS, a quarterly
    salary is one base at the rates in force on the first day of the quarter: ``dz-cnas`` has no
    ceiling and proportional rates, so this equals the three monthly computations up to the
    rounding of each month (at most 1 centime per branch, payer and month).
    """
    if not reader.ok:
        raise ValueError("only a declaration read without problems has a summary")
    year = int(str(reader.header["header_year"]))
    arrays = [
        np.frombuffer(s, dtype=np.int64) if s else np.zeros(0, np.int64) for s in reader.salaries
    ]
    base = np.concatenate(arrays)
    period = np.concatenate(
        [
            np.full(len(a), _quarter_start(year, q), np.int32)
            for q, a in zip(QUARTERS, arrays, strict=True)
        ]
    )
    result = compute(
        LineBatch.of_regime(REGIME, base=base, period=period), packs=packs or reader._packs
    )
    contributions: dict[str, dict[str, int]] = {}
    by_payer: dict[str, int] = {}
    for (branch, payer), amounts in result.amounts.items():
        amount = int(amounts.sum())
        contributions.setdefault(branch, {})[payer] = amount
        by_payer[payer] = by_payer.get(payer, 0) + amount
    quarters = tuple(int(a.sum()) for a in arrays)
    return DASSummary(
        employer_number=f"{reader.header['header_employer_number']:010d}",
        year=year,
        declaration_type=str(reader.header["declaration_type"]),
        employees=len(arrays[0]),
        quarter_totals=(quarters[0], quarters[1], quarters[2], quarters[3]),
        annual_total=sum(quarters),
        contributions=contributions,
        by_payer=by_payer,
        total=sum(by_payer.values()),
    )


@dataclass(frozen=True)
class DASCheckResult:
    problems: tuple[LineProblem, ...]
    problem_count: int
    summary: DASSummary | None

    @property
    def accepted(self) -> bool:
        return self.problem_count == 0


def check_das(
    header_lines: Iterable[bytes],
    detail_lines: Iterable[bytes],
    *,
    employer_number: str | None = None,
    year: int | None = None,
    expected_nss: Iterable[str] | None = None,
    layout: Layout | None = None,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> DASCheckResult:
    """Read a whole DAS: the complete list of problems, or its summary when it has none."""
    reader = DASReader(
        header_lines,
        detail_lines,
        employer_number=employer_number,
        year=year,
        expected_nss=expected_nss,
        packs=packs,
        layout=layout,
        max_problems=max_problems,
    )
    reader.read()
    summary = summarize_das(reader, packs) if reader.ok else None
    return DASCheckResult(tuple(reader.problems), reader.problem_count, summary)


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DASEmployer:
    employer_number: str
    year: int
    declaration_type: str = "N"
    paying_centre: str = ""
    name_address: str = ""


@dataclass(frozen=True)
class DASEmployee:
    nss: str
    surname: str
    first_name: str
    birth_date: dt.date
    salaries: tuple[int, int, int, int]  # centimes, Q1..Q4
    hours: tuple[int | None, int | None, int | None, int | None] = (None, None, None, None)
    entry_date: dt.date | None = None
    exit_date: dt.date | None = None
    remarks: str = ""


@functools.cache
def _plain(allowed: frozenset[str]) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(''.join(sorted(allowed)))}]*")


def _text(value: str, allowed: frozenset[str]) -> str:
    """Upper case A–Z, 0–9 and space: accents dropped, anything else a space."""
    upper = value.upper()
    if _plain(allowed).fullmatch(upper):  # the usual case, without a look at each character
        return upper
    return "".join(c if c in allowed else " " for c in plain_upper(value))


def _line(layout: Layout, rec: Record, values: Mapping[str, object], who: str) -> bytes:
    parts: list[str] = []
    for f in rec.fields:
        value = values.get(f.name)
        if f.type == "AN":
            text = _text("" if value is None else str(value), layout.allowed_characters)
            text = text.ljust(f.length)
        elif value is None:
            text = " " * f.length
        elif isinstance(value, dt.date):
            text = value.strftime("%d%m%Y")
        elif f.format == "right_aligned":
            text = str(value).rjust(f.length)
        else:
            text = str(value).rjust(f.length, "0")
        if f.type == "N" and not text.strip(" ").isdigit() and text.strip():
            raise ValueError(f"{who}: {f.name} {value!r} is not a whole number ≥ 0")
        if len(text) != f.length:
            if f.name.endswith("_salary") or f.name == "annual_total":
                raise ValueError(
                    f"{who}: {f.name} {value} centimes exceed the {f.length}-digit field "
                    f"(cap {_cap_text(f.length)} DZD); write with layout {WIDE_LAYOUT}"
                )
            raise ValueError(f"{who}: {f.name} {value!r} does not fit {f.length} characters")
        parts.append(text)
    return "".join(parts).encode("ascii")


def write_das(
    employer: DASEmployer,
    employees: Iterable[DASEmployee],
    detail: BinaryIO,
    *,
    layout: Layout | None = None,
    newline: bytes = b"\r\n",
) -> bytes:
    """Write the employees file to ``detail`` (lines joined by ``newline``, none after the last)
    and return the header file's content (its line and ``newline``), totals computed.

    An empty quarter (no hours, salary 0) is written as spaces. Raises ValueError naming the
    line and the field when a value does not fit (a quarterly salary above the v1 cap of
    99,999.99 DZD: use ``layout=load_layout(WIDE_LAYOUT)``).
    """
    layout = layout or load_layout(LAYOUT)
    rec = layout.records[DETAIL]
    quarters = [0, 0, 0, 0]
    count = 0
    for count, e in enumerate(employees, start=1):
        row: dict[str, object] = {
            "employer_number": employer.employer_number,
            "year": employer.year,
            "line_number": count,
            "nss": e.nss,
            "surname": e.surname,
            "first_name": e.first_name,
            "birth_date": e.birth_date,
            "annual_total": sum(e.salaries),
            "entry_date": e.entry_date,
            "exit_date": e.exit_date,
            "remarks": e.remarks,
        }
        for q, salary, hours in zip(QUARTERS, e.salaries, e.hours, strict=True):
            quarters[q - 1] += salary
            if hours is None and salary == 0:
                continue
            row[f"q{q}_hours"] = hours if hours is not None else 0
            row[f"q{q}_unit"] = "H"
            row[f"q{q}_salary"] = salary
        line = _line(layout, rec, row, f"line {count} (NSS {e.nss})")
        detail.write(line if count == 1 else newline + line)
    header = {
        "header_employer_number": employer.employer_number,
        "declaration_type": employer.declaration_type,
        "header_year": employer.year,
        "paying_centre": employer.paying_centre,
        "name_address": employer.name_address,
        **{f"total_q{q}": quarters[q - 1] for q in QUARTERS},
        "total_annual": sum(quarters),
        "worker_count": count,
    }
    return _line(layout, layout.records[HEADER], header, "header") + newline


def read_expected_nss(lines: Iterable[bytes]) -> set[str]:
    """Expected NSS: one per line (12 digits), blank lines and ``#`` comments skipped."""
    found: set[str] = set()
    for raw in lines:
        text = raw.decode("latin-1").strip()
        if text and not text.startswith("#"):
            found.add(text)
    return found
