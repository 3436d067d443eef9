"""From a declaration file to declaration lines as columns, checked against the registry.

One adapter per format. Each streams the file through its :mod:`tadamun.formats` reader (every
control rule of the layout), then checks each line against the registry: the insured number is
registered and employed by this employer in the period, and every employee of the period is
declared. The result is either the lines as columns (:class:`LineColumns`) or the complete list
of problems — never both. Memory: the columns (a few machine words per line), not the file.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from tadamun.declarations.fundrules import rules_for
from tadamun.declarations.lines import LineColumns
from tadamun.filings.problems import file_problem
from tadamun.formats import csv_template, ma_bds, tn_ds
from tadamun.formats.fixed import iter_lines
from tadamun.formats.problems import LineProblem
from tadamun.funds import Period, Periodicity, get_fund
from tadamun.registry.identifiers import MA_CASUAL, MA_NOT_REGISTERED
from tadamun.registry.models import Employer
from tadamun.registry.selectors import PersonRow, employer_workforce_rows, insured_rows_by_number
from tadamun.rules.errors import InvalidAmount, RulesError

Progress = Callable[[int], None]
#: The employees a declaration of the period must name, by insured number: read by the reader
#: itself (1 query), or given by a caller that read many employers' at once (a batch of files).
Workforce = dict[str, PersonRow]
MAX_PROBLEMS = 10_000
#: Progress is reported every this many lines.
PROGRESS_EVERY = 2_000

CSV_HEADER = ("insured_number", "days", "wage", "situation")


@dataclass
class ReadResult:
    lines: LineColumns | None
    problems: list[LineProblem]
    problem_count: int
    line_count: int


@dataclass
class _Builder:
    """Declaration lines accumulated column by column."""

    insured_id: list[int | None] = field(default_factory=list)
    ssn: list[str] = field(default_factory=list)
    surname_latin: list[str] = field(default_factory=list)
    first_names_latin: list[str] = field(default_factory=list)
    surname_arabic: list[str] = field(default_factory=list)
    first_names_arabic: list[str] = field(default_factory=list)
    national_id: list[str] = field(default_factory=list)
    birth_date: list[object] = field(default_factory=list)
    new_hire: list[bool] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    wage: list[int] = field(default_factory=list)
    situation: list[str] = field(default_factory=list)

    def person(
        self, p: PersonRow, *, days: int, wage: int, situation: str, new_hire: bool = False
    ) -> None:
        self.insured_id.append(p.insured_id)
        self.ssn.append(p.ssn)
        self.surname_latin.append(p.surname_latin)
        self.first_names_latin.append(p.first_names_latin)
        self.surname_arabic.append(p.surname_arabic)
        self.first_names_arabic.append(p.first_names_arabic)
        self.national_id.append(p.national_id)
        self.birth_date.append(p.birth_date)
        self.new_hire.append(new_hire)
        self.days.append(days)
        self.wage.append(wage)
        self.situation.append(situation)

    def people(
        self,
        persons: list[PersonRow],
        days: list[int],
        wages: list[int],
        situations: list[str],
    ) -> None:
        """Many expected employees at once (column by column: no per-line call)."""
        if not persons:
            return
        # One transposition in C instead of a generator per column.
        ids, ssn, surname, first, surname_ar, first_ar, national, born = zip(*persons, strict=True)
        self.insured_id.extend(ids)
        self.ssn.extend(ssn)
        self.surname_latin.extend(surname)
        self.first_names_latin.extend(first)
        self.surname_arabic.extend(surname_ar)
        self.first_names_arabic.extend(first_ar)
        self.national_id.extend(national)
        self.birth_date.extend(born)
        self.new_hire.extend([False] * len(persons))
        self.days.extend(days)
        self.wage.extend(wages)
        self.situation.extend(situations)

    def unregistered(
        self, *, surname: str, first_names: str, national_id: str, days: int, wage: int
    ) -> None:
        self.insured_id.append(None)
        self.ssn.append("")
        self.surname_latin.append(surname[:100])
        self.first_names_latin.append(first_names[:100])
        self.surname_arabic.append("")
        self.first_names_arabic.append("")
        self.national_id.append(national_id[:24])
        self.birth_date.append(None)
        self.new_hire.append(True)
        self.days.append(days)
        self.wage.append(wage)
        self.situation.append("")

    def set_person(self, i: int, p: PersonRow) -> None:
        self.insured_id[i] = p.insured_id
        self.ssn[i] = p.ssn
        self.surname_latin[i] = p.surname_latin
        self.first_names_latin[i] = p.first_names_latin
        self.surname_arabic[i] = p.surname_arabic
        self.first_names_arabic[i] = p.first_names_arabic
        self.national_id[i] = p.national_id
        self.birth_date[i] = p.birth_date

    def columns(self) -> LineColumns:
        return LineColumns(
            insured_id=self.insured_id,
            ssn=self.ssn,
            surname_latin=self.surname_latin,
            first_names_latin=self.first_names_latin,
            surname_arabic=self.surname_arabic,
            first_names_arabic=self.first_names_arabic,
            national_id=self.national_id,
            birth_date=self.birth_date,  # type: ignore[arg-type]
            new_hire=self.new_hire,
            days=np.asarray(self.days, dtype=np.int64),
            wage=np.asarray(self.wage, dtype=np.int64),
            situation=self.situation,
        )


_BLANK = PersonRow(0, "", "", "", "", "", "", None)


class _Counted:
    """The lines of a stream, counted, with progress reported every few thousand."""

    def __init__(self, lines: Iterable[bytes], progress: Progress | None) -> None:
        self._lines = lines
        self._progress = progress
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for line in self._lines:
            self.count += 1
            if self._progress is not None and self.count % PROGRESS_EVERY == 0:
                self._progress(self.count)
            yield line
        if self._progress is not None:
            self._progress(self.count)


def _workforce(employer: Employer, period: Period) -> dict[str, PersonRow]:
    return employer_workforce_rows(employer=employer, start=period.start, end=period.end)


def _missing(
    workforce: dict[str, PersonRow], seen: Iterable[str], line: int
) -> Iterator[LineProblem]:
    for number in sorted(workforce.keys() - set(seen)):
        p = workforce[number]
        name = f"{p.surname_latin} {p.first_names_latin}"
        yield file_problem(line, "insured_number", "missing_employee", value=number, name=name)


def _result(
    builder: _Builder | None,
    problems: list[LineProblem],
    count: int,
    lines: int,
) -> ReadResult:
    if count:
        return ReadResult(None, problems[:MAX_PROBLEMS], count, lines)
    assert builder is not None
    return ReadResult(builder.columns(), [], 0, lines)


# --- Morocco: B00–B06 ---------------------------------------------------------------------------


def read_ma_bds(
    stream: BinaryIO,
    *,
    employer: Employer,
    period: Period,
    progress: Progress | None = None,
    workforce: Workforce | None = None,
) -> ReadResult:
    workforce = _workforce(employer, period) if workforce is None else workforce
    counted = _Counted(iter_lines(stream), progress)
    reader = ma_bds.DeclarationReader(
        counted,
        expected_insured=workforce.keys(),
        affiliate_number=employer.affiliate_number,
        period=f"{period.start.year:04d}{period.start.month:02d}",
        max_problems=MAX_PROBLEMS,
    )
    builder = _Builder()
    pending: dict[int, tuple[str, int]] = {}  # B04 with a number: builder index -> (number, line)
    for part in reader.iter_columns():
        if reader.problem_count:
            continue  # rejected whatever follows: keep reading for the complete list only
        _ma_bds_part(builder, pending, part, workforce)
    return _ma_bds_result(
        builder, pending, list(reader.problems), reader.problem_count, counted.count, employer
    )


def ma_bds_from_read(
    read: ma_bds.DeclarationRead, *, employer: Employer, workforce: Workforce, lines: int
) -> ReadResult:
    """:func:`read_ma_bds` for a file already read by the format's reader (many files at once:
    :func:`tadamun.formats.ma_bds_many.read_declarations_many`, given this employer's
    expected employees, affiliate number and month): the registry's side of the checks."""
    builder = _Builder()
    pending: dict[int, tuple[str, int]] = {}
    if read.accepted:
        _ma_bds_part(builder, pending, read.columns, workforce)
    return _ma_bds_result(
        builder, pending, list(read.problems), read.problem_count, lines, employer
    )


def _ma_bds_part(
    builder: _Builder,
    pending: dict[int, tuple[str, int]],
    part: ma_bds.DeclarationColumns,
    workforce: Workforce,
) -> None:
    numbers = [f"{n:09d}" for n in part.insured_number.tolist()]
    records = part.record.tolist()
    days = part.days.tolist()
    wages = part.actual_salary.tolist()
    situations = part.situation.tolist()
    if all(r == "B02" for r in records):  # the usual case: whole columns at once
        builder.people([workforce.get(n, _BLANK) for n in numbers], days, wages, situations)
        return
    for i, number in enumerate(numbers):
        if records[i] == "B02":
            person = workforce.get(number, _BLANK)
            builder.person(person, days=days[i], wage=wages[i], situation=situations[i])
        elif number in (MA_NOT_REGISTERED, MA_CASUAL):
            builder.unregistered(
                surname=str(part.surname[i]),
                first_names=str(part.first_names[i]),
                national_id=str(part.cin[i]),
                days=days[i],
                wage=wages[i],
            )
        else:
            pending[len(builder.insured_id)] = (number, int(part.line[i]))
            builder.person(_BLANK, days=days[i], wage=wages[i], situation="", new_hire=True)


def _ma_bds_result(
    builder: _Builder,
    pending: dict[int, tuple[str, int]],
    problems: list[LineProblem],
    count: int,
    lines: int,
    employer: Employer,
) -> ReadResult:
    if pending:
        known = insured_rows_by_number(fund=employer.fund, numbers={n for n, _ in pending.values()})
        for i, (number, line) in pending.items():
            found = known.get(number)
            if found is None:
                problems.append(
                    file_problem(line, "insured_number", "not_registered", value=number)
                )
                count += 1
            else:
                builder.set_person(i, found)
    problems.sort(key=lambda p: p.line)
    return _result(builder, problems, count, lines)


# --- Tunisia: DS ---------------------------------------------------------------------------------


def read_tn_ds(
    stream: BinaryIO,
    *,
    employer: Employer,
    period: Period,
    progress: Progress | None = None,
    workforce: Workforce | None = None,
) -> ReadResult:
    workforce = _workforce(employer, period) if workforce is None else workforce
    counted = _Counted(iter_lines(stream), progress)
    reader = tn_ds.DSReader(
        counted,
        employer_number=employer.affiliate_number,
        quarter=(period.start.month - 1) // 3 + 1,
        year=period.start.year,
        max_problems=MAX_PROBLEMS,
    )
    builder = _Builder()
    outsiders: dict[str, int] = {}
    seen: list[str] = []
    for record in reader:
        number_value = record.values.get("insured_number")
        salary = record.values.get("salary")
        if not isinstance(number_value, int):
            continue
        number = f"{number_value:010d}"
        seen.append(number)
        person = workforce.get(number)
        if person is None:
            outsiders.setdefault(number, record.line)
            continue
        builder.person(person, days=0, wage=salary if isinstance(salary, int) else 0, situation="")
    problems = list(reader.problems)
    count = reader.problem_count
    problems.extend(_outsiders(employer, period, outsiders))
    problems.extend(_missing(workforce, seen, counted.count + 1))
    count += len(problems) - len(reader.problems)
    problems.sort(key=lambda p: p.line)
    return _result(builder, problems, count, counted.count)


def _outsiders(employer: Employer, period: Period, numbers: dict[str, int]) -> list[LineProblem]:
    """Numbers declared that are not this employer's employees in the period: not registered at
    all, or registered but employed elsewhere (1 query)."""
    if not numbers:
        return []
    known = insured_rows_by_number(fund=employer.fund, numbers=set(numbers))
    out: list[LineProblem] = []
    for number, line in numbers.items():
        if number in known:
            out.append(
                file_problem(
                    line, "insured_number", "not_employed", value=number, period=period.label
                )
            )
        else:
            out.append(file_problem(line, "insured_number", "not_registered", value=number))
    return out


# --- the CSV template (every fund) -------------------------------------------------------------


def read_csv(
    stream: BinaryIO,
    *,
    employer: Employer,
    period: Period,
    progress: Progress | None = None,
    workforce: Workforce | None = None,
) -> ReadResult:
    """The CSV template (:mod:`tadamun.formats.csv_template`, ``docs/csv-template.md``) for a
    monthly period; for a quarter or a year, which that template cannot carry, the short form
    ``insured_number,days,wage,situation`` (:func:`read_short_csv`)."""
    regime = get_fund(employer.fund).employer_regime
    if period.periodicity is Periodicity.MONTHLY and regime in csv_template.CSV_REGIMES:
        return read_template_csv(
            stream, employer=employer, period=period, progress=progress, workforce=workforce
        )
    return read_short_csv(
        stream, employer=employer, period=period, progress=progress, workforce=workforce
    )


def read_template_csv(
    stream: BinaryIO,
    *,
    employer: Employer,
    period: Period,
    progress: Progress | None = None,
    workforce: Workforce | None = None,
) -> ReadResult:
    workforce = _workforce(employer, period) if workforce is None else workforce
    counted = _Counted(iter_lines(stream), progress)
    reader = csv_template.CSVReader(
        counted,
        regime=get_fund(employer.fund).employer_regime,
        employer_number=employer.affiliate_number,
        period=period.label,
        expected_insured=workforce.keys(),
        max_problems=MAX_PROBLEMS,
    )
    builder = _Builder()
    outsiders: dict[str, int] = {}
    rows: list[tuple[str, str, str]] = []
    for row in reader:
        if not reader.problem_count:
            rows.append((row["insured_number"], row["days"], row.get("situation", "")))
    problems = list(reader.problems)
    count = reader.problem_count
    if not count:
        wages = reader.wages.tolist()
        for i, (number, days, situation) in enumerate(rows):
            person = workforce.get(number)
            if person is None:
                outsiders.setdefault(number, i + 2)  # the column line is line 1
                continue
            builder.person(person, days=int(days), wage=wages[i], situation=situation)
        found = _outsiders(employer, period, outsiders)
        problems.extend(found)
        count += len(found)
    problems.sort(key=lambda p: p.line)
    return _result(builder, problems, count, counted.count)


def read_short_csv(
    stream: BinaryIO,
    *,
    employer: Employer,
    period: Period,
    progress: Progress | None = None,
    workforce: Workforce | None = None,
) -> ReadResult:
    """``insured_number,days,wage,situation``: UTF-8, a header line, one employee per line; wage
    in major units with a decimal point (``45000.00``); situation empty for a normal month."""
    fund = get_fund(employer.fund)
    rules = rules_for(fund.code)
    currency = fund.currency
    max_days = rules.days_bound(period.periodicity)
    bound = rules.max_wage_major[period.periodicity] * currency.minor_per_major
    workforce = _workforce(employer, period) if workforce is None else workforce
    counted = _Counted(iter_lines(stream), progress)
    problems: list[LineProblem] = []
    count = 0

    def report(p: LineProblem) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(p)

    decoder = codecs.getincrementaldecoder("utf-8")()
    texts: list[tuple[int, str]] = []

    def decoded() -> Iterator[str]:
        for number, raw in enumerate(counted, start=1):
            try:
                text = decoder.decode(raw, final=True)
            except UnicodeDecodeError as exc:
                report(
                    file_problem(
                        number,
                        "file",
                        "not_utf8",
                        byte=f"0x{raw[exc.start]:02X}",
                        position=exc.start + 1,
                    )
                )
                decoder.reset()
                text = ""
            if number == 1:
                text = text.removeprefix("\ufeff")
            texts.append((number, text))
            yield text

    builder = _Builder()
    seen: dict[str, int] = {}
    outsiders: dict[str, int] = {}
    rows = csv.reader(decoded())
    header_done = header_ok = False
    for row in rows:
        line = texts[-1][0]
        texts.clear()
        if not header_done:
            header_done = True
            got = ",".join(c.strip().lower() for c in row)
            if tuple(c.strip().lower() for c in row) != CSV_HEADER:
                report(
                    file_problem(
                        line, "columns", "bad_header", expected=",".join(CSV_HEADER), got=got[:60]
                    )
                )
                break
            header_ok = True
            continue
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(CSV_HEADER):
            report(
                file_problem(
                    line, "columns", "column_count", expected=len(CSV_HEADER), got=len(row)
                )
            )
            continue
        raw_number, raw_days, raw_wage, raw_situation = (c.strip() for c in row)
        try:
            number = fund.insured_number.validate(raw_number, field="insured_number")
        except ValueError as exc:
            reason = exc.problems[0].message("en") if hasattr(exc, "problems") else str(exc)
            report(_identifier_problem(line, raw_number, exc, reason))
            continue
        if number in seen:
            report(
                file_problem(
                    line, "insured_number", "duplicate_insured", value=number, line=seen[number]
                )
            )
            continue
        seen[number] = line
        days = 0
        if not raw_days.isascii() or not raw_days.isdigit():
            report(file_problem(line, "days", "not_a_number", value=raw_days[:20]))
        else:
            days = int(raw_days)
            if days > max_days:
                report(file_problem(line, "days", "days_range", max=max_days, value=days))
        wage = 0
        try:
            wage = currency.parse(raw_wage, field="wage")
        except (InvalidAmount, RulesError, ValueError):
            report(
                file_problem(
                    line,
                    "wage",
                    "not_an_amount",
                    value=raw_wage[:20],
                    currency=currency.code,
                    decimals=currency.decimals,
                )
            )
        else:
            if wage < 0:
                report(
                    file_problem(
                        line,
                        "wage",
                        "not_an_amount",
                        value=raw_wage[:20],
                        currency=currency.code,
                        decimals=currency.decimals,
                    )
                )
            elif wage > bound:
                report(
                    file_problem(
                        line,
                        "wage",
                        "absurd",
                        value=raw_wage[:20],
                        max=bound // currency.minor_per_major,
                    )
                )
        situation = raw_situation.upper()
        if situation not in rules.situations:
            choices = ", ".join(c or "—" for c in rules.situations)
            report(
                file_problem(
                    line, "situation", "unknown_situation", value=situation[:8], choices=choices
                )
            )
        person = workforce.get(number)
        if person is None:
            outsiders.setdefault(number, line)
            continue
        builder.person(person, days=days, wage=wage, situation=situation)
    if counted.count == 0:
        report(file_problem(0, "file", "empty"))
    elif header_ok:
        for p in _outsiders(employer, period, outsiders):
            report(p)
        for p in _missing(workforce, seen, counted.count + 1):
            report(p)
    problems.sort(key=lambda p: p.line)
    return _result(builder, problems, count, counted.count)


def _identifier_problem(line: int, raw: str, exc: Exception, reason: str) -> LineProblem:
    problems = getattr(exc, "problems", None)
    if problems:
        first = problems[0]
        from tadamun.errors import Problem

        assert isinstance(first, Problem)
        return LineProblem(line=line, problem=first)
    return file_problem(line, "insured_number", "bad_number", value=raw[:20], reason=reason)


Reader = Callable[..., ReadResult]

READERS: dict[str, Reader] = {"ma-bds": read_ma_bds, "tn-ds": read_tn_ds, "csv": read_csv}
