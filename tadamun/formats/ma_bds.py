"""Morocco CNSS salary declaration file (BDS): streaming reader of B00–B06, writers, summary.

The reader takes any iterable of byte lines (LF or CRLF), holds one line at a time plus, per
employee, its insured number (duplicates) and its salary (the summary): never the whole file. Every
control rule of ``shared/reference/file-formats.md`` §1 is checked; each failure is a
:class:`~tadamun.formats.problems.LineProblem` naming the line and the field. A file with any
problem is rejected whole: :func:`check_declaration` returns no summary, and the caller writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tadamun.formats.fixed import (
    FixedWidthReader,
    ParsedRecord,
    Value,
    format_record,
    iter_lines,
    strip_newline,
)
from tadamun.formats.layout import Layout, load_layout
from tadamun.formats.problems import LineProblem
from tadamun.registry.identifiers import (
    MA_CASUAL,
    MA_NOT_REGISTERED,
    IdentifierError,
    validate_ma_affiliate_number,
    validate_ma_cin,
    validate_ma_insured_number,
)
from tadamun.rules.contributions import MAX_BASE, LineBatch, compute
from tadamun.rules.errors import RulesError
from tadamun.rules.parameters import PackSet, load_packs
from tadamun.rules.periods import month_index, period_start

__all__ = [
    "REGIME",
    "CheckResult",
    "DeclarationReader",
    "DeclaredEmployee",
    "Employer",
    "ExpectedEmployee",
    "NewEmployee",
    "ParsedRecord",
    "Summary",
    "ceiling_at",
    "check_declaration",
    "control_sum",
    "format_record",
    "iter_lines",
    "read_expected_insured",
    "summarize",
    "write_declaration",
    "write_prefilled",
]

REGIME = "ma-cnss"
CEILING_PARAM = "contributions.ceiling"
LAYOUT = "ma_cnss_bds_v1"


# --- parameters ----------------------------------------------------------------------------------


def _period_index(period: str) -> int | None:
    """``AAAAMM`` to a month index; None when it is not a period."""
    if len(period) != 6 or not period.isascii() or not period.isdigit():
        return None
    year, month = int(period[:4]), int(period[4:])
    if year < 1900 or not 1 <= month <= 12:
        return None
    return month_index(year, month)


def ceiling_at(period: str, packs: PackSet | None = None) -> int | None:
    """The monthly contribution ceiling (centimes) of ``ma-cnss`` for the period ``AAAAMM``."""
    index = _period_index(period)
    if index is None:
        return None
    pack = (packs or load_packs()).regime(REGIME)
    try:
        return pack.param(CEILING_PARAM).int_at(period_start(index))
    except RulesError:
        return None


def control_sum(layout: Layout, record: str, values: Mapping[str, Value]) -> int:
    """The control sum of a detail line: the sum of the fields the layout names."""
    total = 0
    for name in layout.control_sums.get(record, ()):
        if name == "situation_rank":
            total += layout.situations.get(str(values.get("situation") or ""), 0)
        else:
            value = values.get(name)
            total += int(value) if isinstance(value, int | str) and str(value).isdigit() else 0
    return total


# --- reading -------------------------------------------------------------------------------------


@dataclass
class _Sums:
    count: int = 0
    sums: dict[str, int] = field(default_factory=dict)
    tainted: set[str] = field(default_factory=set)  # detail fields unreadable on some line

    def add(self, values: Mapping[str, Value], names: Iterable[str], *, count: bool) -> None:
        if count:
            self.count += 1
        for name in names:
            value = values.get(name)
            if isinstance(value, int):
                self.sums[name] = self.sums.get(name, 0) + value
            elif value is None:
                self.tainted.add(name)


_ZERO_SITUATIONS = ("CS", "MS", "MP")


class DeclarationReader(FixedWidthReader):
    """Reads a B00–B06 file line by line: iterate it for the records; then read ``problems``.

    ``expected_insured``: the insured numbers of the pre-filled file's A02 lines (each must be in
    B02); ``affiliate_number`` / ``period`` (AAAAMM): the employer and month the file must be for.
    ``max_problems`` bounds the list kept (``problem_count`` counts them all).
    """

    def __init__(
        self,
        lines: Iterable[bytes],
        *,
        expected_insured: Iterable[str] | None = None,
        affiliate_number: str | None = None,
        period: str | None = None,
        packs: PackSet | None = None,
        layout: Layout | None = None,
        max_problems: int | None = 10_000,
    ) -> None:
        super().__init__(layout or load_layout(LAYOUT), max_problems)
        self._lines = lines
        self._expected = set(expected_insured) if expected_insured is not None else None
        self._want_affiliate = affiliate_number
        self._want_period = period
        self._packs = packs
        self._steps = self.layout.files["declaration"]
        self._kinds = frozenset(rec for rec, _ in self._steps)
        self._step, self._count = 0, 0
        self._last_line = 0
        self._ref: dict[str, tuple[str, int]] = {}  # affiliate/period -> (value, line)
        self.ceiling: int | None = None
        self.transfer_id: int | None = None
        self._seen: dict[str, int] = {}
        self._groups: dict[str, _Sums] = {rec: _Sums() for rec in ("B02", "B04")}
        self._blank_b04: int | None = None
        self._b03_line: int | None = None
        self.salaries: array[int] = array("q")
        self.totals: dict[str, dict[str, int]] = {}
        self._consumed = False

    # -- problems
    @property
    def ok(self) -> bool:
        return self._consumed and self.problem_count == 0

    # -- iteration
    def __iter__(self) -> Iterator[ParsedRecord]:
        if self._consumed:
            raise RuntimeError("a DeclarationReader reads its lines once")
        number = 0
        for number, raw in enumerate(self._lines, start=1):
            record = self._read_line(number, raw)
            if record is not None:
                yield record
        self._last_line = number
        self._finish()
        self._consumed = True

    def read(self) -> list[LineProblem]:
        """Read every line (discarding the records) and return the problems."""
        for _ in self:
            pass
        return self.problems

    # -- record order
    def _allowed(self) -> list[str]:
        allowed: list[str] = []
        i, c = self._step, self._count
        while i < len(self._steps):
            rec, mult = self._steps[i]
            if not (mult == "one" and c >= 1):
                allowed.append(rec)
            if c == 0 and mult != "many":
                break
            i, c = i + 1, 0
        return allowed

    def _advance(self, kind: str) -> bool:
        i, c = self._step, self._count
        while i < len(self._steps):
            rec, mult = self._steps[i]
            if rec == kind and not (mult == "one" and c >= 1):
                self._step, self._count = i, c + 1
                return True
            if c == 0 and mult != "many":
                return False
            i, c = i + 1, 0
        return False

    def _order(self, number: int, kind: str) -> None:
        allowed = self._allowed()
        if self._advance(kind):
            return
        self._report(
            number,
            "record_type",
            "out_of_order",
            value=kind,
            expected=", ".join(allowed) or "end of file",
        )
        for i, (rec, _) in enumerate(self._steps):  # resynchronise on the record read
            if rec == kind:
                self._step, self._count = i, 1
                break

    # -- one line
    def _read_line(self, number: int, raw: bytes) -> ParsedRecord | None:
        raw = strip_newline(raw)
        text = raw.decode("latin-1")
        kind = text[:3]
        if kind not in self._kinds:
            for group in self._groups.values():  # its totals cannot be checked any more
                group.tainted.add("*")
            expected = ", ".join(self._allowed()) or "end of file"
            if len(raw) != self.layout.line_length:
                self._wrong_length(number, raw)
            else:
                self._report(
                    number,
                    "record_type",
                    "unknown_record",
                    value=kind.strip() or "-",
                    expected=expected,
                )
            return None
        self._order(number, kind)
        if len(raw) != self.layout.line_length:
            if kind in self._groups:
                self._groups[kind].tainted.add("*")
            self._wrong_length(number, raw)
            return None
        rec = self.layout.records[kind]
        invalid: set[str] = set()
        values = self._fields(number, raw, text, rec, invalid)
        record = ParsedRecord(line=number, type=kind, values=values, invalid=frozenset(invalid))
        check = getattr(self, f"_check_{kind}", None)
        if check is not None:
            check(record)
        return record

    def _format(
        self,
        number: int,
        name: str,
        fmt: str | None,
        chunk: str,
        values: dict[str, Value],
        invalid: set[str],
    ) -> None:
        if fmt == "period" and _period_index(chunk) is None:
            self._report(number, name, "not_a_period", value=chunk)
            values[name] = None
            invalid.add(name)
        elif fmt == "date" and int(chunk) and not _is_date(chunk):
            self._report(number, name, "not_a_file_date", value=chunk)

    # -- what every record after B01 shares
    def _same_employer(self, record: ParsedRecord) -> None:
        for name in ("affiliate_number", "period"):
            value = record.values.get(name)
            ref = self._ref.get(name)
            if value is None or ref is None:
                continue
            width = self.layout.records[record.type].field(name).length
            shown = f"{value:0{width}d}" if isinstance(value, int) else str(value)
            if shown != ref[0]:
                self._report(
                    record.line, name, "inconsistent", value=shown, line=ref[1], expected=ref[0]
                )

    def _check_B00(self, record: ParsedRecord) -> None:
        transfer = record.values.get("transfer_id")
        self.transfer_id = transfer if isinstance(transfer, int) else None
        category = record.values.get("category")
        if category is not None and category != "B0":
            self._report(record.line, "category", "bad_category", value=category, expected="B0")

    def _check_B01(self, record: ParsedRecord) -> None:
        v = record.values
        if isinstance(v.get("affiliate_number"), int):
            number = f"{v['affiliate_number']:07d}"
            try:
                validate_ma_affiliate_number(number, field="affiliate_number")
            except IdentifierError as exc:
                self._identifier(record.line, "affiliate_number", exc)
            self._ref.setdefault("affiliate_number", (number, record.line))
            if self._want_affiliate is not None and number != self._want_affiliate:
                self._report(
                    record.line,
                    "affiliate_number",
                    "other_employer",
                    value=number,
                    expected=self._want_affiliate,
                )
        if isinstance(v.get("period"), int):
            period = f"{v['period']:06d}"
            self._ref.setdefault("period", (period, record.line))
            if self._want_period is not None and period != self._want_period:
                self._report(
                    record.line, "period", "other_period", value=period, expected=self._want_period
                )
            self.ceiling = ceiling_at(period, self._packs)
            if self.ceiling is None:
                self._report(record.line, "period", "no_ceiling", value=period)

    def _insured(self, record: ParsedRecord, *, placeholders: bool) -> str | None:
        value = record.values.get("insured_number")
        if not isinstance(value, int):
            return None
        number = f"{value:09d}"
        try:
            validate_ma_insured_number(
                number, field="insured_number", allow_placeholders=placeholders
            )
        except IdentifierError as exc:
            self._identifier(record.line, "insured_number", exc)
            return number
        if number not in (MA_NOT_REGISTERED, MA_CASUAL):
            first = self._seen.get(number)
            if first is not None:
                self._report(
                    record.line, "insured_number", "duplicate_insured", value=number, line=first
                )
            else:
                self._seen[number] = record.line
        return number

    def _amounts(self, record: ParsedRecord, *, casual: bool = False) -> None:
        """Days, actual and capped salary, control sum: the rules B02 and B04 share."""
        v, line = record.values, record.line
        days, actual, capped = v.get("days"), v.get("actual_salary"), v.get("capped_salary")
        max_days = self.layout.limits.get("max_days", 26)
        if isinstance(days, int) and days > max_days:
            self._report(line, "days", "too_many_days", got=days, max=max_days)
        if isinstance(actual, int) and actual > MAX_BASE:
            self._report(line, "actual_salary", "implausible_amount", got=actual, max=MAX_BASE)
        if isinstance(actual, int) and isinstance(capped, int):
            if casual:
                if capped > actual:
                    self._report(line, "capped_salary", "above_actual", got=capped, actual=actual)
            elif self.ceiling is not None and capped != min(actual, self.ceiling):
                self._report(
                    line,
                    "capped_salary",
                    "bad_capped_salary",
                    got=capped,
                    expected=min(actual, self.ceiling),
                    ceiling=self.ceiling,
                )
        declared = v.get("control_sum")
        needed = self.layout.control_sums.get(record.type, ())
        if isinstance(declared, int) and all(
            n == "situation_rank" or isinstance(v.get(n), int) for n in needed
        ):
            expected = control_sum(self.layout, record.type, v)
            if declared != expected:
                self._report(line, "control_sum", "control_sum", got=declared, expected=expected)
                self._groups[record.type].tainted.add("control_sum")
        if isinstance(actual, int) and actual <= MAX_BASE:
            self.salaries.append(actual)

    def _check_B02(self, record: ParsedRecord) -> None:
        self._same_employer(record)
        v, line = record.values, record.line
        number = self._insured(record, placeholders=False)
        if number is not None and self._expected is not None and number not in self._expected:
            self._report(line, "insured_number", "not_expected", value=number)
        situation = v.get("situation")
        if isinstance(situation, str) and situation not in self.layout.situations:
            self._report(
                line,
                "situation",
                "unknown_situation",
                value=situation,
                expected=", ".join(s or "blank" for s in self.layout.situations),
            )
            situation = None
        days, actual, capped = v.get("days"), v.get("actual_salary"), v.get("capped_salary")
        if situation in _ZERO_SITUATIONS:
            for name, value in (
                ("days", days),
                ("actual_salary", actual),
                ("capped_salary", capped),
            ):
                if isinstance(value, int) and value != 0:
                    self._report(line, name, "must_be_zero", situation=situation, got=value)
        if situation == "" and actual == 0:
            self._report(line, "situation", "zero_salary_not_so")
        payback, net = v.get("af_payback"), v.get("af_net")
        if isinstance(payback, int) and isinstance(net, int):
            if situation in ("SO", "DE") and payback != net:
                self._report(line, "af_payback", "payback_not_net", net=net, situation=situation)
            elif payback > net:
                self._report(line, "af_payback", "payback_above_net", got=payback, net=net)
        self._amounts(record)
        self._groups["B02"].add(v, self.layout.totals["B03"].sums.values(), count=True)

    def _check_B04(self, record: ParsedRecord) -> None:
        self._same_employer(record)
        v, line = record.values, record.line
        group = self._groups["B04"]
        raw_insured = v.get("insured_number")
        blank = raw_insured is None and "insured_number" not in record.invalid
        if blank:
            if self._blank_b04 is not None or group.count:
                self._report(line, "insured_number", "blank_not_alone")
            self._blank_b04 = line
            for name in ("days", "actual_salary", "capped_salary", "control_sum"):
                value = v.get(name)
                if isinstance(value, int) and value != 0:
                    self._report(line, name, "blank_not_empty", got=value)
            group.add(v, (), count=False)
            return
        if self._blank_b04 is not None:
            self._report(self._blank_b04, "insured_number", "blank_not_alone")
            self._blank_b04 = None
        number = self._insured(record, placeholders=True)
        casual = number == MA_CASUAL
        if not casual:
            for name in ("surname", "first_names"):
                if v.get(name) == "":
                    self._report(line, name, "required")
        cin = v.get("cin")
        if number == MA_NOT_REGISTERED and cin == "":
            self._report(line, "cin", "cin_required")
        elif isinstance(cin, str) and cin:
            try:
                validate_ma_cin(cin, field="cin")
            except IdentifierError as exc:
                self._identifier(line, "cin", exc)
        days = v.get("days")
        if casual and isinstance(days, int) and days != 0:
            self._report(line, "days", "casual_days", got=days)
        self._amounts(record, casual=casual)
        group.add(v, self.layout.totals["B05"].sums.values(), count=True)

    def _check_totals(self, record: ParsedRecord) -> None:
        self._same_employer(record)
        spec = self.layout.totals[record.type]
        groups = [self._groups[d] for d in spec.of]
        of = " + ".join(spec.of)
        count = sum(g.count for g in groups)
        unreadable = any("*" in g.tainted for g in groups)
        got = record.values.get(spec.count)
        if isinstance(got, int) and got != count and not unreadable:
            self._report(record.line, spec.count, "total_mismatch", got=got, of=of, expected=count)
        totals = {"employees": count}
        for total_name, detail in spec.sums.items():
            expected = sum(g.sums.get(detail, 0) for g in groups)
            totals[total_name] = expected
            got = record.values.get(total_name)
            if unreadable or any(detail in g.tainted for g in groups) or not isinstance(got, int):
                continue
            if got != expected:
                self._report(
                    record.line, total_name, "total_mismatch", got=got, of=of, expected=expected
                )
        self.totals[record.type] = totals

    def _check_B03(self, record: ParsedRecord) -> None:
        self._b03_line = record.line
        self._check_totals(record)

    def _check_B05(self, record: ParsedRecord) -> None:
        self._check_totals(record)

    def _check_B06(self, record: ParsedRecord) -> None:
        self._check_totals(record)

    def _finish(self) -> None:
        if self._last_line == 0:
            self._report(0, "file", "empty_file")
            return
        allowed = self._allowed()
        done = all(mult == "many" for _, mult in self._steps[self._step + 1 :]) and (
            self._count >= 1 or self._steps[self._step][1] == "many"
        )
        if not done:
            missing = next((r for r in allowed), self._steps[-1][0])
            self._report(self._last_line + 1, "record_type", "missing_record", expected=missing)
        if self._expected is not None:
            line = self._b03_line or self._last_line + 1
            for number in sorted(self._expected - self._seen.keys()):
                self._report(line, "insured_number", "missing_employee", value=number)


def _is_date(text: str) -> bool:
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return True


# --- summary -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What a valid file declares, and what it costs, in centimes (MAD)."""

    affiliate_number: str
    period: str  # AAAAMM
    employees: int
    declared: int  # B02 lines
    new: int  # B04 lines (not counting the blank one)
    totals: Mapping[str, int]  # B06's fields, as the sums of the detail lines
    contributions: Mapping[str, Mapping[str, int]]  # branch -> payer -> centimes
    by_payer: Mapping[str, int]
    total: int
    currency: str = "MAD"

    def as_dict(self) -> dict[str, object]:
        return {
            "affiliate_number": self.affiliate_number,
            "period": self.period,
            "employees": self.employees,
            "declared": self.declared,
            "new": self.new,
            "totals": dict(self.totals),
            "contributions": {b: dict(p) for b, p in self.contributions.items()},
            "by_payer": dict(self.by_payer),
            "total": self.total,
            "currency": self.currency,
        }


def summarize(reader: DeclarationReader, packs: PackSet | None = None) -> Summary:
    """Employees, totals and contributions by branch of a file read without problems.

    Contributions come from :func:`tadamun.rules.contributions.compute` over the whole array of
    actual salaries at once (regime ``ma-cnss``, the file's period).
    """
    if not reader.ok:
        raise ValueError("only a file read without problems has a summary")
    affiliate = reader._ref["affiliate_number"][0]
    period = reader._ref["period"][0]
    index = _period_index(period)
    assert index is not None
    base = (
        np.frombuffer(reader.salaries, dtype=np.int64)
        if reader.salaries
        else np.zeros(0, dtype=np.int64)
    )
    batch = LineBatch.of_regime(REGIME, base=base, period=np.full(len(base), index, np.int32))
    result = compute(batch, packs=packs or reader._packs)
    contributions: dict[str, dict[str, int]] = {}
    by_payer: dict[str, int] = {}
    for (branch, payer), amounts in result.amounts.items():
        amount = int(amounts.sum())
        contributions.setdefault(branch, {})[payer] = amount
        by_payer[payer] = by_payer.get(payer, 0) + amount
    b03, b05 = reader.totals.get("B03", {}), reader.totals.get("B05", {})
    b06 = dict(reader.totals.get("B06", {}))
    b06["total_af_payback"] = b03.get("total_af_payback", 0)
    b06["total_af_net"] = b03.get("total_af_net", 0)
    return Summary(
        affiliate_number=affiliate,
        period=period,
        employees=b06.get("employees", 0),
        declared=b03.get("employees", 0),
        new=b05.get("employees", 0),
        totals=b06,
        contributions=contributions,
        by_payer=by_payer,
        total=sum(by_payer.values()),
    )


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[LineProblem, ...]
    problem_count: int
    summary: Summary | None

    @property
    def accepted(self) -> bool:
        return self.problem_count == 0


def check_declaration(
    lines: Iterable[bytes],
    *,
    expected_insured: Iterable[str] | None = None,
    affiliate_number: str | None = None,
    period: str | None = None,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> CheckResult:
    """Read a whole B00–B06 file: the complete list of problems, or its summary when it has none."""
    reader = DeclarationReader(
        lines,
        expected_insured=expected_insured,
        affiliate_number=affiliate_number,
        period=period,
        packs=packs,
        max_problems=max_problems,
    )
    reader.read()
    summary = summarize(reader, packs) if reader.ok else None
    return CheckResult(tuple(reader.problems), reader.problem_count, summary)


def read_expected_insured(lines: Iterable[bytes]) -> set[str]:
    """The insured numbers of the A02 lines of a pre-filled file (lines of other types skipped)."""
    layout = load_layout(LAYOUT)
    f = layout.records["A02"].field("insured_number")
    found: set[str] = set()
    for raw in lines:
        text = raw.rstrip(b"\r\n").decode("latin-1")
        if text.startswith("A02") and len(text) == layout.line_length:
            found.add(text[f.slice])
    return found


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Employer:
    affiliate_number: str
    period: str  # AAAAMM
    company_name: str = ""
    activity: str = ""
    address: str = ""
    city: str = ""
    postcode: str = ""
    agency_code: str = ""
    issue_date: str = "00000000"
    due_date: str = "00000000"


@dataclass(frozen=True)
class ExpectedEmployee:
    insured_number: str
    surname: str = ""
    first_names: str = ""
    children: int = 0
    af_to_pay: int = 0
    af_to_deduct: int = 0
    af_net: int = 0


@dataclass(frozen=True)
class DeclaredEmployee(ExpectedEmployee):
    af_payback: int = 0
    days: int = 0
    actual_salary: int = 0
    capped_salary: int | None = None  # None: min(actual, ceiling of the period)
    situation: str = ""


@dataclass(frozen=True)
class NewEmployee:
    insured_number: str
    surname: str = ""
    first_names: str = ""
    cin: str = ""
    days: int = 0
    actual_salary: int = 0
    capped_salary: int | None = None  # None: min(actual, ceiling), or actual for a casual worker


def _common(employer: Employer) -> dict[str, Value]:
    return {"affiliate_number": employer.affiliate_number, "period": employer.period}


class _Accumulator:
    """Running totals of the detail lines a writer has written: no line is kept."""

    def __init__(self, layout: Layout) -> None:
        self.fields = {d for spec in layout.totals.values() for d in spec.sums.values()}
        self.count = 0
        self.sums = dict.fromkeys(self.fields, 0)

    def add(self, row: Mapping[str, Value]) -> None:
        if row.get("insured_number") is not None:
            self.count += 1
        for name in self.fields:
            value = row.get(name)
            if value is not None and str(value).isdigit():
                self.sums[name] += int(value)


def _totals_line(
    layout: Layout, record: str, groups: Sequence[_Accumulator], common: Mapping[str, Value]
) -> bytes:
    spec = layout.totals[record]
    values: dict[str, Value] = dict(common)
    values[spec.count] = sum(g.count for g in groups)
    for total_name, detail in spec.sums.items():
        values[total_name] = sum(g.sums.get(detail, 0) for g in groups)
    return format_record(layout, record, values)


def _lines(lines: Iterable[bytes], newline: bytes) -> Iterator[bytes]:
    for line in lines:
        yield line + newline


def write_prefilled(
    employer: Employer,
    employees: Iterable[ExpectedEmployee],
    *,
    transfer_id: int = 0,
    category: str = "B0",
    newline: bytes = b"\n",
) -> Iterator[bytes]:
    """The pre-filled file (A00–A03) the fund issues, line by line."""
    layout = load_layout(LAYOUT)
    common = _common(employer)

    def gen() -> Iterator[bytes]:
        yield format_record(layout, "A00", {"transfer_id": transfer_id, "category": category})
        yield format_record(layout, "A01", {**vars(employer)})
        a02 = _Accumulator(layout)
        for e in employees:
            row: dict[str, Value] = {**common, **vars(e)}
            a02.add(row)
            yield format_record(layout, "A02", row)
        yield _totals_line(layout, "A03", [a02], common)

    return _lines(gen(), newline)


def write_declaration(
    employer: Employer,
    declared: Iterable[DeclaredEmployee],
    new: Iterable[NewEmployee] = (),
    *,
    transfer_id: int = 0,
    ceiling: int | None = None,
    packs: PackSet | None = None,
    newline: bytes = b"\n",
) -> Iterator[bytes]:
    """The employer's declaration (B00–B06), line by line; control sums and totals computed.

    Capped salaries left as None are computed with the ceiling (by default the ``ma-cnss``
    parameter in force for the period). With no new employee, one blank B04 is written.
    """
    layout = load_layout(LAYOUT)
    common = _common(employer)
    if ceiling is None:
        ceiling = ceiling_at(employer.period, packs)

    def capped(actual: int, given: int | None, casual: bool) -> int:
        if given is not None:
            return given
        if casual:
            return actual
        if ceiling is None:
            raise ValueError(f"no ma-cnss ceiling in force for {employer.period}")
        return min(actual, ceiling)

    def gen() -> Iterator[bytes]:
        yield format_record(layout, "B00", {"transfer_id": transfer_id, "category": "B0"})
        yield format_record(layout, "B01", {**vars(employer)})
        b02, b04 = _Accumulator(layout), _Accumulator(layout)
        for e in declared:
            row: dict[str, Value] = {**common, **vars(e)}
            row["capped_salary"] = capped(e.actual_salary, e.capped_salary, False)
            row["control_sum"] = control_sum(layout, "B02", row)
            b02.add(row)
            yield format_record(layout, "B02", row)
        yield _totals_line(layout, "B03", [b02], common)
        for n in new:
            row = {**common, **vars(n)}
            row["capped_salary"] = capped(
                n.actual_salary, n.capped_salary, n.insured_number == MA_CASUAL
            )
            row["control_sum"] = control_sum(layout, "B04", row)
            b04.add(row)
            yield format_record(layout, "B04", row)
        if not b04.count:  # no new employee: one blank B04 (insured number 9 spaces, zeros)
            yield format_record(layout, "B04", {**common, "insured_number": None})
        yield _totals_line(layout, "B05", [b04], common)
        yield _totals_line(layout, "B06", [b02, b04], common)

    return _lines(gen(), newline)
