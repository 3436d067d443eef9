"""The CSV declaration template (format ``csv``): streaming reader, writer, summary.

For funds and employers without a fixed-width format of their own. Its columns are described as
data in ``layouts/csv_v1.yaml`` and for people in ``docs/csv-template.md``. The reader takes any
iterable of byte lines, holds one line at a time plus, per employee, the insured number
(duplicates) and the wage (the summary). Every problem is a
:class:`~tadamun.formats.problems.LineProblem` (line, column, code, messages in French, Arabic and
English), as for the fixed-width formats; a file with any problem is rejected whole.

Checked: UTF-8 (with or without a byte-order mark), the column line (separator ``,`` or ``;``
detected there, required columns present, no unknown or repeated column), the number of fields of
each line, quotes, period AAAA-MM with the regime's rates in force, employer number and insured
number keys for the regime's country (:mod:`tadamun.registry.identifiers`), one employer and one
period per file (and the expected ones when given), surname required, days a whole number up to
the limit, gross wage with a decimal point and at most the currency's minor digits, situation
codes (CS, MS and MP: 0 days and 0 wage), duplicate insured numbers, expected employees missing.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from tadamun.formats.fixed import MAX_LINE, strip_newline
from tadamun.formats.layout import LAYOUTS_DIR
from tadamun.formats.problems import LineProblem, line_problem
from tadamun.registry.identifiers import (
    IdentifierError,
    validate_dz_employer_number,
    validate_dz_nss,
    validate_ma_affiliate_number,
    validate_ma_insured_number,
    validate_tn_employer_number,
    validate_tn_insured_number,
)
from tadamun.rules.contributions import MAX_BASE, LineBatch, compute
from tadamun.rules.errors import RulesError
from tadamun.rules.money import Currency
from tadamun.rules.parameters import PackSet, load_packs
from tadamun.rules.periods import month_index

__all__ = [
    "CSV_REGIMES",
    "CSVCheckResult",
    "CSVReader",
    "CSVRow",
    "CSVSummary",
    "CSVTemplate",
    "check_csv",
    "load_template",
    "summarize_csv",
    "write_csv",
]

LAYOUT = "csv_v1"
SEPARATORS = (",", ";")
BOM = b"\xef\xbb\xbf"

Validator = Callable[..., str]

#: The regimes a CSV declaration can be for: (employer number, insured number) validators.
CSV_REGIMES: dict[str, tuple[Validator, Validator]] = {
    "dz-cnas": (validate_dz_employer_number, validate_dz_nss),
    "ma-cnss": (validate_ma_affiliate_number, validate_ma_insured_number),
    "tn-cnss-rsna": (validate_tn_employer_number, validate_tn_insured_number),
}


@dataclass(frozen=True)
class CSVTemplate:
    id: str
    version: int
    columns: tuple[str, ...]
    required: frozenset[str]
    situations: tuple[str, ...]
    zero_situations: frozenset[str]
    max_days: Mapping[str, int]
    labels: Mapping[str, Mapping[str, str]]

    def label(self, name: str) -> Mapping[str, str]:
        return self.labels.get(name, {"fr": name, "ar": name, "en": name})

    def days_limit(self, regime: str) -> int:
        return self.max_days.get(regime, self.max_days["default"])


@functools.cache
def load_template(name: str = LAYOUT) -> CSVTemplate:
    """The CSV template ``name`` (a file under ``layouts/``), loaded once."""
    raw: Any = yaml.safe_load((LAYOUTS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    columns = tuple(str(c["name"]) for c in raw["columns"])
    return CSVTemplate(
        id=str(raw["id"]),
        version=int(raw["version"]),
        columns=columns,
        required=frozenset(str(c["name"]) for c in raw["columns"] if c.get("required")),
        situations=tuple(str(s) for s in raw["situations"]),
        zero_situations=frozenset(str(s) for s in raw["zero_situations"]),
        max_days={str(k): int(v) for k, v in raw["max_days"].items()},
        labels={str(k): dict(v) for k, v in raw["labels"].items()},
    )


_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAYS = re.compile(r"[0-9]{1,3}")


def _period(text: str) -> int | None:
    match = _PERIOD.fullmatch(text)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if year < 1900 or not 1 <= month <= 12:
        return None
    return month_index(year, month)


class CSVReader:
    """Reads a CSV declaration line by line: iterate it for the rows (dicts by column name);
    then read ``problems``.

    ``regime``: the rules the file is declared under (one of :data:`CSV_REGIMES`): it decides
    the identifiers' keys, the currency's minor digits and the rates. ``employer_number`` /
    ``period`` (AAAA-MM): what the file must be for; ``expected_insured``: who it must list.
    """

    def __init__(
        self,
        lines: Iterable[bytes],
        *,
        regime: str,
        employer_number: str | None = None,
        period: str | None = None,
        expected_insured: Iterable[str] | None = None,
        packs: PackSet | None = None,
        template: CSVTemplate | None = None,
        max_problems: int | None = 10_000,
    ) -> None:
        if regime not in CSV_REGIMES:
            raise ValueError(f"regime {regime!r} has no CSV declaration; known: {CSV_REGIMES}")
        self.template = template or load_template()
        self.regime = regime
        self._packs = packs or load_packs()
        self.currency = self._packs.regime(regime).currency
        self._validate_employer, self._validate_insured = CSV_REGIMES[regime]
        self._lines = lines
        self._want_employer = employer_number
        self._want_period = period
        self._expected = set(expected_insured) if expected_insured is not None else None
        self._amount = re.compile(rf"[0-9]{{1,15}}(\.[0-9]{{1,{self.currency.decimals}}})?")
        self.max_problems = max_problems
        self.problems: list[LineProblem] = []
        self.problem_count = 0
        self.separator: str | None = None
        self._columns: tuple[str, ...] = ()
        self._ref: dict[str, tuple[str, int]] = {}
        self._seen: dict[str, int] = {}
        self._period_ok: dict[str, bool] = {}
        self.wages: array[int] = array("q")
        self.total_wage = 0
        self.total_days = 0
        self.rows = 0
        self._last_line = 0
        self._consumed = False

    @property
    def ok(self) -> bool:
        return self._consumed and self.problem_count == 0

    def reference(self, name: str) -> str:
        """The value of a column that is the same on every line (employer number, period)."""
        return self._ref[name][0]

    def _report(self, at: int, name: str, code: str, /, **params: object) -> None:
        self.problem_count += 1
        if self.max_problems is None or len(self.problems) < self.max_problems:
            label = self.template.label(name)
            self.problems.append(line_problem(at, name, label, code, **params))
        elif len(self.problems) == self.max_problems:
            self.problems.append(
                line_problem(
                    0,
                    "file",
                    self.template.label("file"),
                    "too_many_problems",
                    max=self.max_problems,
                )
            )

    def __iter__(self) -> Iterator[dict[str, str]]:
        if self._consumed:
            raise RuntimeError("a CSVReader reads its lines once")
        number = 0
        for number, raw in enumerate(self._lines, start=1):
            row = self._read_line(number, raw)
            if row is not None:
                yield row
        self._last_line = number
        self._finish()
        self._consumed = True

    def read(self) -> list[LineProblem]:
        for _ in self:
            pass
        return self.problems

    # -- one line
    def _text(self, number: int, raw: bytes) -> str | None:
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        body = strip_newline(raw)
        if len(body) > MAX_LINE:
            self._report(number, "line", "too_long", max=MAX_LINE)
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = f"0x{body[exc.start]:02X}"
            self._report(number, "line", "not_utf8", byte=byte, position=exc.start + 1)
            return None

    def _split(self, number: int, text: str) -> list[str] | None:
        assert self.separator is not None
        try:
            return next(csv.reader(io.StringIO(text), delimiter=self.separator, strict=True))
        except (csv.Error, StopIteration):
            self._report(number, "line", "bad_format", format='CSV ("…" quotes closed)')
            return None

    def _read_line(self, number: int, raw: bytes) -> dict[str, str] | None:
        text = self._text(number, raw)
        if number == 1:
            self._header(text or "")
            return None
        if text is None or not text.strip() or not self._columns:
            return None
        fields = self._split(number, text)
        if fields is None:
            return None
        if len(fields) != len(self._columns):
            self._report(
                number, "line", "wrong_column_count", got=len(fields), expected=len(self._columns)
            )
            return None
        row = {name: value.strip() for name, value in zip(self._columns, fields, strict=True)}
        self.rows += 1
        self._check(number, row)
        return row

    def _header(self, text: str) -> None:
        counts = {sep: text.count(sep) for sep in SEPARATORS}
        sep = max(SEPARATORS, key=lambda s: counts[s])
        if not counts[sep]:
            self._report(1, "header", "no_header_row")
            return
        self.separator = sep
        names = self._split(1, text)
        if names is None:
            return
        known = self.template.columns
        columns: list[str] = []
        bad = False
        for name in (n.strip().lower() for n in names):
            if name not in known:
                self._report(1, "header", "unknown_column", value=name, expected=", ".join(known))
                bad = True
            elif name in columns:
                self._report(1, "header", "duplicate_column", value=name)
                bad = True
            columns.append(name)
        for name in known:
            if name in self.template.required and name not in columns:
                self._report(1, "header", "missing_column", value=name)
                bad = True
        if not bad:
            self._columns = tuple(columns)

    # -- the rules of one row
    def _same(self, number: int, name: str, value: str) -> None:
        ref = self._ref.setdefault(name, (value, number))
        if value != ref[0]:
            self._report(number, name, "inconsistent", value=value, line=ref[1], expected=ref[0])

    def _check(self, number: int, row: Mapping[str, str]) -> None:
        period = row["period"]
        if _period(period) is None:
            self._report(number, "period", "not_a_csv_period", value=period)
        else:
            self._same(number, "period", period)
            if period not in self._period_ok:
                self._period_ok[period] = self._rates_in_force(period)
                if not self._period_ok[period]:
                    self._report(number, "period", "no_rates", value=period, regime=self.regime)
                if self._want_period is not None and period != self._want_period:
                    self._report(
                        number, "period", "other_period", value=period, expected=self._want_period
                    )
        employer = row["employer_number"]
        ref = self._ref.get("employer_number")
        try:
            if ref is None or employer != ref[0]:  # the same number as before is already checked
                self._validate_employer(employer, field="employer_number")
        except IdentifierError as exc:
            self._report(number, "employer_number", exc.code, **exc.problems[0].params)
        else:
            self._same(number, "employer_number", employer)
            if self._want_employer is not None and employer != self._want_employer:
                self._report(
                    number,
                    "employer_number",
                    "other_employer",
                    value=employer,
                    expected=self._want_employer,
                )
        insured = row["insured_number"]
        try:
            self._validate_insured(insured, field="insured_number")
        except IdentifierError as exc:
            self._report(number, "insured_number", exc.code, **exc.problems[0].params)
        else:
            first = self._seen.get(insured)
            if first is not None:
                self._report(
                    number, "insured_number", "duplicate_insured", value=insured, line=first
                )
            else:
                self._seen[insured] = number
        if not row["surname"]:
            self._report(number, "surname", "required")
        days, wage = self._days(number, row["days"]), self._wage(number, row["gross_wage"])
        situation = row.get("situation", "")
        if situation not in self.template.situations:
            choices = ", ".join(s for s in self.template.situations if s)
            self._report(number, "situation", "not_a_choice", value=situation, choices=choices)
        elif situation in self.template.zero_situations:
            for name, value in (("days", days), ("gross_wage", wage)):
                if value:
                    self._report(number, name, "must_be_zero", situation=situation, got=value)
        if days is not None:
            self.total_days += days
        if wage is not None:
            self.wages.append(wage)
            self.total_wage += wage

    def _days(self, number: int, text: str) -> int | None:
        if not _DAYS.fullmatch(text):
            self._report(number, "days", "not_a_count", value=text)
            return None
        days, limit = int(text), self.template.days_limit(self.regime)
        if days > limit:
            self._report(number, "days", "too_many_days", got=days, max=limit)
        return days

    def _wage(self, number: int, text: str) -> int | None:
        if not self._amount.fullmatch(text):
            self._report(
                number, "gross_wage", "bad_amount", value=text, decimals=self.currency.decimals
            )
            return None
        wage = self.currency.parse(text, field="gross_wage")
        if wage > MAX_BASE:
            self._report(number, "gross_wage", "implausible_amount", got=text, max=MAX_BASE)
            return None
        return wage

    def _rates_in_force(self, period: str) -> bool:
        index = _period(period)
        assert index is not None
        # a regime with work-accident classes needs one to compute: any of them tells
        classes = self._packs.regime(self.regime).activity_classes()[:1]
        batch = LineBatch.of_regime(
            self.regime,
            base=np.zeros(1, np.int64),
            period=np.full(1, index, np.int32),
            classes=classes,
            activity_class=np.zeros(1, np.int16) if classes else None,
        )
        try:
            compute(batch, packs=self._packs)
        except RulesError:
            return False
        return True

    def _finish(self) -> None:
        if self._last_line == 0 or (self._columns and not self.rows):  # nobody declared
            self._report(0, "file", "empty_file")
        if self._expected is not None:
            for insured in sorted(self._expected - self._seen.keys()):
                self._report(
                    self._last_line + 1, "insured_number", "missing_expected", value=insured
                )


# --- summary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CSVSummary:
    """What a valid CSV declaration declares, and what it costs, in minor units."""

    regime: str
    employer_number: str
    period: str
    employees: int
    total_days: int
    total_wage: int
    contributions: Mapping[str, Mapping[str, int]]  # branch -> payer -> minor units
    by_payer: Mapping[str, int]
    total: int
    currency: str

    def as_dict(self) -> dict[str, object]:
        return {
            "regime": self.regime,
            "employer_number": self.employer_number,
            "period": self.period,
            "employees": self.employees,
            "total_days": self.total_days,
            "total_wage": self.total_wage,
            "contributions": {b: dict(p) for b, p in self.contributions.items()},
            "by_payer": dict(self.by_payer),
            "total": self.total,
            "currency": self.currency,
        }


def summarize_csv(
    reader: CSVReader, activity_class: str | None = None, packs: PackSet | None = None
) -> CSVSummary:
    """Employees, totals and contributions by branch of a CSV declaration read without problems.

    Contributions come from :func:`tadamun.rules.contributions.compute` over the whole array of
    wages at once, for the file's regime and month (``activity_class`` for a regime with
    work-accident classes: Tunisia). Raises RulesError for a class the regime does not know.
    """
    if not reader.ok:
        raise ValueError("only a file read without problems has a summary")
    period = reader.reference("period")
    index = _period(period)
    assert index is not None
    base = np.frombuffer(reader.wages, dtype=np.int64) if reader.wages else np.zeros(0, np.int64)
    n = len(base)
    classes = (activity_class,) if activity_class else ()
    batch = LineBatch.of_regime(
        reader.regime,
        base=base,
        period=np.full(n, index, np.int32),
        classes=classes,
        activity_class=np.zeros(n, np.int16) if classes else None,
    )
    result = compute(batch, packs=packs or reader._packs)
    contributions: dict[str, dict[str, int]] = {}
    by_payer: dict[str, int] = {}
    for (branch, payer), amounts in result.amounts.items():
        amount = int(amounts.sum())
        contributions.setdefault(branch, {})[payer] = amount
        by_payer[payer] = by_payer.get(payer, 0) + amount
    return CSVSummary(
        regime=reader.regime,
        employer_number=reader.reference("employer_number"),
        period=period,
        employees=n,
        total_days=reader.total_days,
        total_wage=reader.total_wage,
        contributions=contributions,
        by_payer=by_payer,
        total=sum(by_payer.values()),
        currency=reader.currency.code,
    )


@dataclass(frozen=True)
class CSVCheckResult:
    problems: tuple[LineProblem, ...]
    problem_count: int
    summary: CSVSummary | None

    @property
    def accepted(self) -> bool:
        return self.problem_count == 0


def check_csv(
    lines: Iterable[bytes],
    *,
    regime: str,
    activity_class: str | None = None,
    employer_number: str | None = None,
    period: str | None = None,
    expected_insured: Iterable[str] | None = None,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> CSVCheckResult:
    """Read a whole CSV declaration: the complete list of problems, or its summary."""
    reader = CSVReader(
        lines,
        regime=regime,
        employer_number=employer_number,
        period=period,
        expected_insured=expected_insured,
        packs=packs,
        max_problems=max_problems,
    )
    reader.read()
    summary = summarize_csv(reader, activity_class, packs) if reader.ok else None
    return CSVCheckResult(tuple(reader.problems), reader.problem_count, summary)


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CSVRow:
    period: str  # AAAA-MM
    employer_number: str
    insured_number: str
    surname: str
    days: int
    gross_wage: int  # minor units of the regime's currency
    first_names: str = ""
    situation: str = ""


class _Line:
    """A file-like target for :mod:`csv` that hands back each written line."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def write_csv(
    rows: Iterable[CSVRow],
    *,
    currency: str,
    separator: str = ",",
    bom: bool = False,
    newline: str = "\r\n",
) -> Iterator[bytes]:
    """The CSV declaration, line by line (UTF-8): the column line, then one line per row."""
    if separator not in SEPARATORS:
        raise ValueError(f"separator {separator!r}: use one of {SEPARATORS}")
    money = Currency.of(currency)
    columns = load_template().columns
    target = _Line()
    writer = csv.writer(target, delimiter=separator, lineterminator=newline)
    writer.writerow(columns)
    yield (BOM if bom else b"") + target.text.encode("utf-8")
    for row in rows:
        if row.gross_wage < 0 or row.days < 0:
            raise ValueError(f"{row.insured_number}: days and wage must be zero or more")
        values = {**vars(row), "gross_wage": money.format(row.gross_wage)}
        writer.writerow([values[c] for c in columns])
        yield target.text.encode("utf-8")
