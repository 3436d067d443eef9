"""Tunisia CNSS quarterly salary declaration file (DS): streaming reader, writer, summary.

Layout: ``layouts/tn_cnss_ds_v1.yaml`` (``shared/reference/file-formats.md`` §3): 122-character
lines, no header or trailer, one insured person per line, LF or CRLF. The reader holds one line at
a time plus, per employee, the insured number (duplicates) and the salary (the summary).

Checked on every line: length, ASCII, digits in numeric fields, upper case without accents in the
name (required), quarter 1–4, year, employer number and insured number keys (8 digits + 2-digit
key, :mod:`tadamun.registry.identifiers`), employer / exploitation code / quarter / year the same
on every line (and the expected ones when given), numbering (page 001 line 01, then 02 … 12, then
the next page's line 01: every page but the last is full, as on the paper form), duplicate insured
numbers, reserved zone zeros or spaces. The salary field being zero-padded digits, it is ≥ 0.
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from tadamun.formats.fixed import (
    FixedWidthReader,
    ParsedRecord,
    Value,
    format_record,
    strip_newline,
)
from tadamun.formats.layout import Layout, load_layout
from tadamun.formats.problems import LineProblem
from tadamun.registry.identifiers import (
    IdentifierError,
    validate_tn_employer_number,
    validate_tn_insured_number,
)
from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.parameters import PackSet, load_packs
from tadamun.rules.periods import month_index

__all__ = [
    "REGIME",
    "DSCheckResult",
    "DSEmployee",
    "DSReader",
    "DSSummary",
    "check_ds",
    "summarize_ds",
    "write_ds",
]

REGIME = "tn-cnss-rsna"
LAYOUT = "tn_cnss_ds_v1"
RECORD = "DS"
_CONSTANT = ("employer_number", "exploitation_code", "quarter", "year")


class DSReader(FixedWidthReader):
    """Reads a DS file line by line: iterate it for the records; then read ``problems``.

    ``employer_number`` (10 digits), ``quarter`` and ``year``: what the file must be for.
    """

    def __init__(
        self,
        lines: Iterable[bytes],
        *,
        employer_number: str | None = None,
        quarter: int | None = None,
        year: int | None = None,
        layout: Layout | None = None,
        max_problems: int | None = 10_000,
    ) -> None:
        super().__init__(layout or load_layout(LAYOUT), max_problems)
        self._lines = lines
        self._want_employer = employer_number
        self._want_period = (quarter, year)
        self._record = self.layout.records[RECORD]
        self._ref: dict[str, tuple[str, int]] = {}
        self._seen: dict[int, int] = {}
        self._next: tuple[int, int] | None = (1, 1)
        self.salaries: array[int] = array("q")
        self.total_salary = 0
        self._last_line = 0
        self._consumed = False

    @property
    def ok(self) -> bool:
        return self._consumed and self.problem_count == 0

    def reference(self, name: str) -> str:
        """The value of a field that is the same on every line (as written in the file)."""
        return self._ref[name][0]

    def __iter__(self) -> Iterator[ParsedRecord]:
        if self._consumed:
            raise RuntimeError("a DSReader reads its lines once")
        number = 0
        for number, raw in enumerate(self._lines, start=1):
            record = self._read_line(number, raw)
            if record is not None:
                yield record
        self._last_line = number
        if number == 0:
            self._report(0, "file", "empty_file")
        self._consumed = True

    def read(self) -> list[LineProblem]:
        for _ in self:
            pass
        return self.problems

    def _read_line(self, number: int, raw: bytes) -> ParsedRecord | None:
        raw = strip_newline(raw)
        if len(raw) != self._record.line_length:
            self._wrong_length(number, raw, self._record.line_length)
            self._next = None  # the numbering resumes from the next readable line
            return None
        text = raw.decode("latin-1")
        invalid: set[str] = set()
        values = self._fields(number, raw, text, self._record, invalid)
        record = ParsedRecord(number, RECORD, values, frozenset(invalid))
        self._check(record)
        return record

    def _constant(self, record: ParsedRecord) -> None:
        for name in _CONSTANT:
            value = record.values.get(name)
            if not isinstance(value, int):
                continue
            shown = f"{value:0{self._record.field(name).length}d}"
            ref = self._ref.setdefault(name, (shown, record.line))
            if shown != ref[0]:
                self._report(
                    record.line, name, "inconsistent", value=shown, line=ref[1], expected=ref[0]
                )

    def _check(self, record: ParsedRecord) -> None:
        v, line = record.values, record.line
        limits = self.layout.limits
        self._constant(record)
        employer = v.get("employer_number")
        if isinstance(employer, int):
            shown = f"{employer:010d}"
            try:
                validate_tn_employer_number(shown, field="employer_number")
            except IdentifierError as exc:
                self._identifier(line, "employer_number", exc)
            if self._want_employer is not None and shown != self._want_employer:
                self._report(
                    line,
                    "employer_number",
                    "other_employer",
                    value=shown,
                    expected=self._want_employer,
                )
        quarter, year = v.get("quarter"), v.get("year")
        if isinstance(quarter, int) and not 1 <= quarter <= 4:
            self._report(line, "quarter", "not_a_quarter", value=quarter)
        lo, hi = limits.get("min_year", 1960), limits.get("max_year", 2100)
        if isinstance(year, int) and not lo <= year <= hi:
            self._report(line, "year", "not_a_year", value=f"{year:04d}", min=lo, max=hi)
        want_q, want_y = self._want_period
        other = (want_q is not None and quarter != want_q) or (
            want_y is not None and year != want_y
        )
        if other and isinstance(quarter, int) and isinstance(year, int):
            self._report(
                line,
                "quarter",
                "other_period",
                value=f"{quarter}/{year:04d}",
                expected=f"{want_q or quarter}/{want_y or year:04d}",
            )
        self._numbering(record)
        insured = v.get("insured_number")
        if isinstance(insured, int):
            shown = f"{insured:010d}"
            try:
                validate_tn_insured_number(shown, field="insured_number")
            except IdentifierError as exc:
                self._identifier(line, "insured_number", exc)
            first = self._seen.get(insured)
            if first is not None:
                self._report(line, "insured_number", "duplicate_insured", value=shown, line=first)
            else:
                self._seen[insured] = line
        if v.get("name") == "":
            self._report(line, "name", "required")
        reserved = v.get("reserved")
        if isinstance(reserved, str) and reserved.strip("0 ") != "":
            self._report(line, "reserved", "reserved_not_empty", value=reserved)
        salary = v.get("salary")
        if isinstance(salary, int):
            self.salaries.append(salary)
            self.total_salary += salary

    def _numbering(self, record: ParsedRecord) -> None:
        page, at = record.values.get("page"), record.values.get("page_line")
        per_page = self.layout.limits.get("lines_per_page", 12)
        if not isinstance(page, int) or not isinstance(at, int):
            self._next = None
            return
        expected = self._next
        if not 1 <= at <= per_page or (expected is not None and (page, at) != expected):
            want = expected or (page, min(max(at, 1), per_page))
            self._report(
                record.line,
                "page_line",
                "bad_numbering",
                page=f"{page:03d}",
                value=f"{at:02d}",
                expected_page=f"{want[0]:03d}",
                expected=f"{want[1]:02d}",
            )
        if 1 <= at <= per_page:
            self._next = (page, at + 1) if at < per_page else (page + 1, 1)
        else:
            self._next = None


# --- summary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DSSummary:
    """What a valid DS file declares, and what it costs, in millimes (TND)."""

    employer_number: str
    exploitation_code: str
    quarter: int
    year: int
    activity_class: str
    employees: int
    total_salary: int
    contributions: Mapping[str, Mapping[str, int]]  # branch -> payer -> millimes
    by_payer: Mapping[str, int]
    total: int
    currency: str = "TND"

    def as_dict(self) -> dict[str, object]:
        return {
            "employer_number": self.employer_number,
            "exploitation_code": self.exploitation_code,
            "quarter": self.quarter,
            "year": self.year,
            "activity_class": self.activity_class,
            "employees": self.employees,
            "total_salary": self.total_salary,
            "contributions": {b: dict(p) for b, p in self.contributions.items()},
            "by_payer": dict(self.by_payer),
            "total": self.total,
            "currency": self.currency,
        }


def summarize_ds(reader: DSReader, activity_class: str, packs: PackSet | None = None) -> DSSummary:
    """Employees, total salary and contributions by branch of a DS file read without problems.

    Contributions come from :func:`tadamun.rules.contributions.compute` over the whole array of
    salaries at once (regime ``tn-cnss-rsna``, the employer's work-accident ``activity_class``).

    The pack's base is one month's pay, but the DS file gives only the quarter's total, not the
    three months. The reading taken here: each employee's quarterly salary is ONE base line at the
    rates in force on the first day of the quarter's first month. The regime has no ceiling and
    its rates are proportional, so this equals the sum of the three monthly computations up to
    the per-month rounding (at most 1 millime per branch, payer and month), EXCEPT when a rate
    changes inside the quarter (then the first month's rate applies to the whole quarter).
    Splitting into salary/3 per month would be no more exact: the real monthly split is unknown.

    Raises :class:`tadamun.rules.errors.RulesError` for a class the regime does not know.
    """
    if not reader.ok:
        raise ValueError("only a file read without problems has a summary")
    quarter = int(reader.reference("quarter"))
    year = int(reader.reference("year"))
    base = np.frombuffer(reader.salaries, dtype=np.int64).copy()
    n = len(base)
    batch = LineBatch.of_regime(
        REGIME,
        base=base,
        period=np.full(n, month_index(year, 3 * (quarter - 1) + 1), np.int32),
        classes=(activity_class,),
        activity_class=np.zeros(n, np.int16),
    )
    result = compute(batch, packs=packs or load_packs())
    contributions: dict[str, dict[str, int]] = {}
    by_payer: dict[str, int] = {}
    for (branch, payer), amounts in result.amounts.items():
        amount = int(amounts.sum())
        contributions.setdefault(branch, {})[payer] = amount
        by_payer[payer] = by_payer.get(payer, 0) + amount
    return DSSummary(
        employer_number=reader.reference("employer_number"),
        exploitation_code=reader.reference("exploitation_code"),
        quarter=quarter,
        year=year,
        activity_class=activity_class,
        employees=n,
        total_salary=reader.total_salary,
        contributions=contributions,
        by_payer=by_payer,
        total=sum(by_payer.values()),
    )


@dataclass(frozen=True)
class DSCheckResult:
    problems: tuple[LineProblem, ...]
    problem_count: int
    summary: DSSummary | None

    @property
    def accepted(self) -> bool:
        return self.problem_count == 0


def check_ds(
    lines: Iterable[bytes],
    *,
    activity_class: str,
    employer_number: str | None = None,
    quarter: int | None = None,
    year: int | None = None,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> DSCheckResult:
    """Read a whole DS file: the complete list of problems, or its summary when it has none."""
    reader = DSReader(
        lines,
        employer_number=employer_number,
        quarter=quarter,
        year=year,
        max_problems=max_problems,
    )
    reader.read()
    summary = summarize_ds(reader, activity_class, packs) if reader.ok else None
    return DSCheckResult(tuple(reader.problems), reader.problem_count, summary)


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DSEmployee:
    insured_number: str
    name: str
    salary: int  # millimes, for the quarter
    cin: str | None = None


def plain_upper(text: str) -> str:
    """``text`` in upper case without accents (``Hédi Ben Salah`` -> ``HEDI BEN SALAH``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def write_ds(
    employer_number: str,
    exploitation_code: str,
    quarter: int,
    year: int,
    employees: Iterable[DSEmployee],
    *,
    newline: bytes = b"\r\n",
) -> Iterator[bytes]:
    """The DS file, line by line, numbered page 001 line 01 … 12, then the next page.

    Raises ValueError when a value does not fit its field.
    """
    layout = load_layout(LAYOUT)
    per_page = layout.limits.get("lines_per_page", 12)
    for i, e in enumerate(employees):
        row: dict[str, Value] = {
            "employer_number": employer_number,
            "exploitation_code": exploitation_code,
            "quarter": quarter,
            "year": year,
            "page": i // per_page + 1,
            "page_line": i % per_page + 1,
            "insured_number": e.insured_number,
            "name": plain_upper(e.name),
            "cin": e.cin,
            "salary": e.salary,
            "reserved": "0" * 10,
        }
        yield format_record(layout, RECORD, row) + newline
