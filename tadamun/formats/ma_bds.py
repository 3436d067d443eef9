"""Morocco CNSS salary declaration file (BDS): streaming reader of B00–B06 and of the
supplementary declaration E00–E06, writers, summary.

The reader takes any iterable of byte lines (LF or CRLF), holds one batch of lines at a time plus
a bounded per-file state (the insured numbers seen, in a fixed 40 MB table; the salaries, 8 bytes
per employee): never the whole file. Every control rule of ``shared/reference/file-formats.md`` §1
is checked; each failure is a :class:`~tadamun.formats.problems.LineProblem` naming the line and
the field. A file with any problem is rejected whole: :func:`check_declaration` returns no summary,
and the caller writes nothing.

Two paths, one set of rules. Iterating a :class:`DeclarationReader` reads line by line into
:class:`ParsedRecord` objects. :func:`check_declaration` and :func:`read_declaration` take the fast
path: runs of B02 / B04 lines become byte matrices checked with numpy (:mod:`.vector`), and only a
line those checks do not accept whole is read again line by line, by the same code, to name its
problems; the employees' lines come out as :class:`DeclarationColumns` for the contributions engine
and COPY. ``tests/formats/test_fuzz.py`` checks that both paths report the same problems.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tadamun.formats import vector
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
    ma_insured_key,
    validate_ma_affiliate_number,
    validate_ma_cin,
    validate_ma_insured_number,
)
from tadamun.rules.contributions import MAX_BASE, ContributionResult, LineBatch, compute
from tadamun.rules.errors import RulesError
from tadamun.rules.parameters import PackSet, load_packs
from tadamun.rules.periods import month_index, period_start

__all__ = [
    "REGIME",
    "CheckResult",
    "DeclarationColumns",
    "DeclarationRead",
    "DeclarationReader",
    "DeclaredEmployee",
    "Employer",
    "ExpectedEmployee",
    "NewEmployee",
    "ParsedRecord",
    "Summary",
    "ceiling_at",
    "check_declaration",
    "check_supplementary",
    "contributions_for",
    "control_sum",
    "format_record",
    "iter_lines",
    "read_declaration",
    "read_expected_insured",
    "summarize",
    "write_declaration",
    "write_prefilled",
    "write_supplementary",
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


class _SeenInsured:
    """The first line of every insured number read, in bounded memory whatever the file's size.

    A valid number is ``1`` + 7 digits + a key fixed by them, so its first eight digits index
    one int32 of a table of 10^7 (40 MB, allocated on the first number; pages the numbers never
    touch cost nothing).
    """

    SIZE = 10**7

    def __init__(self) -> None:
        self._table: npt.NDArray[np.int32] | None = None
        self.count = 0

    def _get(self) -> npt.NDArray[np.int32]:
        if self._table is None:
            self._table = np.zeros(self.SIZE, dtype=np.int32)
        return self._table

    @staticmethod
    def _index(number: int) -> int:
        return number // 10 - _SeenInsured.SIZE

    def first(self, number: int) -> int:
        """The line where valid ``number`` was first read; 0 when it was not."""
        if self._table is None:
            return 0
        return int(self._table[self._index(number)])

    def add(self, number: int, line: int) -> None:
        self._get()[self._index(number)] = line
        self.count += 1

    def add_new(self, numbers: npt.NDArray[np.int64], lines: npt.NDArray[np.int64]) -> bool:
        """Record valid ``numbers`` (read on ``lines``) at once when none was read before nor
        twice among them; False (nothing recorded) otherwise."""
        if not len(numbers):
            return True
        table = self._get()
        index = numbers // 10 - self.SIZE
        if table[index].any():
            return False
        table[index] = lines
        # a number twice among them: its later line overwrote the earlier one
        if not (table[index] == lines).all():
            table[index] = 0
            return False
        self.count += len(numbers)
        return True


_ZERO_SITUATIONS = ("CS", "MS", "MP")
_PAYBACK_IS_NET = ("SO", "DE")
_KEEPS_AF = "MP"  # occupational disease: no pay, family allowances kept (nothing paid back)

#: The roles of the supplementary declaration's records: E0n is read like B0n, except E02.
_SUPPLEMENTARY_ROLES = {"E00": "B00", "E01": "B01", "E03": "B03", "E04": "B04", "E05": "B05"}
_SUPPLEMENTARY_ROLES["E06"] = "B06"
KINDS = ("declaration", "supplementary")

#: Lines handled as one byte matrix by the fast path (see :meth:`DeclarationReader.iter_columns`).
BATCH_LINES = 16_384

_COLUMN_TEXT = ("surname", "first_names", "cin", "situation")
_COLUMN_INT = (
    "insured_number",
    "children",
    "af_to_pay",
    "af_to_deduct",
    "af_net",
    "af_payback",
    "days",
    "actual_salary",
    "capped_salary",
    "control_sum",
)


@dataclass(frozen=True)
class DeclarationColumns:
    """The employees' lines of a file as columns, in file order, without a per-line object.

    One entry per B02 and non-blank B04 line (E04 in a supplementary declaration); the blank B04
    and the empty E02 are not employees. Amounts are centimes (int64). A field a record does not
    have is 0 or "" (``cin`` on B02 lines, the family allowances and ``situation`` on B04 lines).
    ``insured_number`` 0 is "not yet registered" (000000000), 999999999 a casual worker. On a file
    with problems the columns hold what could be read (-1 for an unreadable number): use them only
    when the file is accepted.
    """

    line: npt.NDArray[np.int64]  # 1-based line number in the file
    record: npt.NDArray[np.str_]  # "B02", "B04" or "E04"
    insured_number: npt.NDArray[np.int64]
    surname: npt.NDArray[np.str_]
    first_names: npt.NDArray[np.str_]
    cin: npt.NDArray[np.str_]
    children: npt.NDArray[np.int64]
    af_to_pay: npt.NDArray[np.int64]
    af_to_deduct: npt.NDArray[np.int64]
    af_net: npt.NDArray[np.int64]
    af_payback: npt.NDArray[np.int64]
    days: npt.NDArray[np.int64]
    actual_salary: npt.NDArray[np.int64]
    capped_salary: npt.NDArray[np.int64]
    situation: npt.NDArray[np.str_]
    control_sum: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.line)

    @property
    def new(self) -> npt.NDArray[np.bool_]:
        """True for the lines of employees not in the pre-filled list (B04 / E04)."""
        new: npt.NDArray[np.bool_] = self.record != "B02"
        return new

    def insured_text(self) -> list[str]:
        """The insured numbers as written in the file (9 digits)."""
        return [f"{n:09d}" for n in self.insured_number.tolist()]

    @classmethod
    def empty(cls) -> DeclarationColumns:
        return cls.concat([])

    @classmethod
    def concat(cls, parts: Sequence[DeclarationColumns]) -> DeclarationColumns:
        """One set of columns from consecutive ``parts`` (e.g. the batches of a file)."""
        if len(parts) == 1:
            return parts[0]
        columns: dict[str, Any] = {}
        for name in ("line", "record", *_COLUMN_INT, *_COLUMN_TEXT):
            arrays = [getattr(p, name) for p in parts]
            if not arrays:
                kind = np.int64 if name == "line" or name in _COLUMN_INT else np.str_
                arrays = [np.zeros(0, dtype=kind)]
            columns[name] = np.concatenate(arrays)
        return cls(**columns)


class _ColumnsBuilder:
    """The columns of the lines read since the last :meth:`take`, from fast batches (arrays) and
    from lines read one by one (values), put back in line order."""

    def __init__(self) -> None:
        self._parts: list[DeclarationColumns] = []
        self._rows: list[tuple[int, str, Mapping[str, Value]]] = []

    def add_part(self, part: DeclarationColumns) -> None:
        if len(part):
            self._parts.append(part)

    def add_row(self, line: int, record: str, values: Mapping[str, Value]) -> None:
        self._rows.append((line, record, values))

    def __bool__(self) -> bool:
        return bool(self._parts or self._rows)

    def _rows_part(self) -> DeclarationColumns:
        rows = self._rows
        columns: dict[str, Any] = {
            "line": np.array([r[0] for r in rows], dtype=np.int64),
            "record": np.array([r[1] for r in rows], dtype="U3"),
        }
        for name in _COLUMN_INT:
            ints = []
            for _, _, values in rows:
                value = values.get(name, 0)
                ok = isinstance(value, int) and 0 <= value < 2**63
                ints.append(value if ok else -1)
            columns[name] = np.array(ints, dtype=np.int64)
        for name in _COLUMN_TEXT:
            columns[name] = np.array([str(v.get(name) or "") for _, _, v in rows], dtype=np.str_)
        return DeclarationColumns(**columns)

    def take(self) -> DeclarationColumns:
        parts = list(self._parts)
        if self._rows:
            parts.append(self._rows_part())
        self._parts, self._rows = [], []
        whole = DeclarationColumns.concat(parts) if parts else DeclarationColumns.empty()
        if len(whole) > 1 and (np.diff(whole.line) < 0).any():
            order = np.argsort(whole.line, kind="stable")
            whole = DeclarationColumns(**{k: v[order] for k, v in vars(whole).items()})
        return whole


class DeclarationReader(FixedWidthReader):
    """Reads a B00–B06 file (``kind="supplementary"``: E00–E06): iterate it for the records, or
    :meth:`iter_columns` / :meth:`read_columns` for the employees' lines as arrays (much faster);
    then read ``problems``.

    ``expected_insured``: the insured numbers of the pre-filled file's A02 lines (each must be in
    B02; none may be in a supplementary declaration's E04); ``affiliate_number`` / ``period``
    (AAAAMM): the employer and month the file must be for. ``max_problems`` bounds the list kept
    (``problem_count`` counts them all).
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
        kind: str = "declaration",
    ) -> None:
        super().__init__(layout or load_layout(LAYOUT), max_problems)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self.kind = kind
        self._lines = lines
        self._expected = set(expected_insured) if expected_insured is not None else None
        self._want_affiliate = affiliate_number
        self._want_period = period
        self._packs = packs
        self._steps = self.layout.files[kind]
        self._kinds = frozenset(rec for rec, _ in self._steps)
        self._roles = {
            rec: (_SUPPLEMENTARY_ROLES.get(rec, rec) if kind == "supplementary" else rec)
            for rec in self._kinds
        }
        self._step, self._count = 0, 0
        self._last_line = 0
        self._ref: dict[str, tuple[str, int]] = {}  # affiliate/period -> (value, line)
        self.ceiling: int | None = None
        self.transfer_id: int | None = None
        self._seen = _SeenInsured()
        totals = {t: s for t, s in self.layout.totals.items() if t in self._kinds}
        self._groups: dict[str, _Sums] = {d: _Sums() for s in totals.values() for d in s.of}
        # detail record -> the fields its own totals record adds up
        self._sums_of = {s.of[0]: tuple(s.sums.values()) for s in totals.values() if len(s.of) == 1}
        self._blank_b04: int | None = None
        self._b03_line: int | None = None
        self.salaries: array[int] = array("q")
        self.totals: dict[str, dict[str, int]] = {}  # by role (B03, B05, B06)
        self.wrapped: list[str] = []  # "B03.total_days": totals carried modulo their field
        self._consumed = False
        self._columns = _ColumnsBuilder()
        self._collect = False
        self._allowed_bytes = "".join(sorted(self.layout.allowed_characters)).encode("ascii")

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
        """Read every line (fast path, discarding the columns) and return the problems."""
        for _ in self._iterate(BATCH_LINES, collect=False):
            pass
        return self.problems

    def read_columns(self) -> DeclarationColumns:
        """Read every line; the employees' lines as columns (problems in ``problems``)."""
        return DeclarationColumns.concat(list(self.iter_columns()))

    def iter_columns(self, batch_lines: int = BATCH_LINES) -> Iterator[DeclarationColumns]:
        """Read the file, yielding the employees' lines as columns, a batch at a time, in file
        order; the problems and totals are complete once the iterator is exhausted.

        Memory is one batch of lines plus the bounded per-file state, whatever the file's size:
        a caller persisting a large file writes each batch (e.g. COPY in a transaction) and
        rolls back if ``problems`` is not empty at the end.

        Runs of B02 / B04 (E04) lines of the same length are checked as one byte matrix; a line
        the vectorised checks do not accept whole is read again one by one by the same code as
        :meth:`__iter__`, so the problems are the same as iterating.
        """
        return self._iterate(batch_lines, collect=True)

    def _iterate(self, batch_lines: int, *, collect: bool) -> Iterator[DeclarationColumns]:
        if self._consumed:
            raise RuntimeError("a DeclarationReader reads its lines once")
        self._collect = collect
        fast = {
            rec.encode(): rec
            for rec, mult in self._steps
            if mult in ("many", "some") and self._roles[rec] in ("B02", "B04")
        }
        length = self.layout.line_length
        run: list[bytes] = []
        append = run.append
        run_key = b""  # the record type and the length of the lines of the run (-1: no run)
        run_len, run_start = -1, 0
        number = 0
        for number, raw in enumerate(self._lines, start=1):
            if len(raw) == run_len and raw.startswith(run_key):  # the usual case: as above
                append(raw)
                if len(run) >= batch_lines:
                    self._batch(fast[run_key], run_start, run, run_len)
                    run, run_len = [], -1
                    append = run.append
                    if self._columns:
                        yield self._columns.take()
                continue
            if run_len >= 0:
                self._batch(fast[run_key], run_start, run, run_len)
                run, run_len = [], -1
                append = run.append
            key, size = raw[:3], len(raw)
            if key in fast and length <= size <= length + 2:
                run, run_key, run_len, run_start = [raw], key, size, number
                append = run.append
                continue
            self._read_line(number, raw)
        if run_len >= 0:
            self._batch(fast[run_key], run_start, run, run_len)
        self._last_line = number
        self._finish()
        self._consumed = True
        if self._columns:
            yield self._columns.take()

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
    def _read_line(self, number: int, raw: bytes, *, order: bool = True) -> ParsedRecord | None:
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
        if order:
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
        role = self._roles[kind]
        check = getattr(self, f"_check_{role}", None)
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
        if not isinstance(category, str):
            return
        if self.kind == "supplementary":
            if len(category) != 2 or category[0] != "E" or category[1] not in "123456789":
                self._report(record.line, "category", "bad_supplementary_category", value=category)
        elif category != "B0":
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
            self._seen_once(record.line, value)
        return number

    def _seen_once(self, line: int, number: int) -> None:
        first = self._seen.first(number)
        if first:
            self._report(
                line, "insured_number", "duplicate_insured", value=f"{number:09d}", line=first
            )
        else:
            self._seen.add(number, line)

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
        if self._collect:
            self._columns.add_row(line, record.type, v)

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
            if situation == _KEEPS_AF and payback != 0:
                self._report(line, "af_payback", "keeps_af", got=payback, situation=situation)
            elif situation in _PAYBACK_IS_NET and payback != net:
                self._report(line, "af_payback", "payback_not_net", net=net, situation=situation)
            elif payback > net:
                self._report(line, "af_payback", "payback_above_net", got=payback, net=net)
        self._amounts(record)
        self._groups[record.type].add(v, self._sums_of[record.type], count=True)

    def _check_E02(self, record: ParsedRecord) -> None:
        """The one E02 of a supplementary declaration: empty (zeros or spaces)."""
        self._same_employer(record)
        for f in self.layout.records[record.type].fields:
            if f.name in ("record_type", "affiliate_number", "period", "filler"):
                continue
            value = record.values.get(f.name)
            if value not in (None, 0, "") and f.name not in record.invalid:
                self._report(record.line, f.name, "must_be_empty", got=value)

    def _check_B04(self, record: ParsedRecord) -> None:
        self._same_employer(record)
        v, line = record.values, record.line
        group = self._groups[record.type]
        raw_insured = v.get("insured_number")
        blank = raw_insured is None and "insured_number" not in record.invalid
        if blank:
            if self.kind == "supplementary":
                self._report(line, "insured_number", "nothing_added")
            elif self._blank_b04 is not None or group.count:
                self._report(line, "insured_number", "blank_not_alone")
            self._blank_b04 = line
            for name in ("days", "actual_salary", "capped_salary", "control_sum"):
                value = v.get(name)
                if isinstance(value, int) and value != 0:
                    self._report(line, name, "blank_not_empty", got=value)
            group.add(v, (), count=False)
            return
        if self._blank_b04 is not None and self.kind != "supplementary":
            self._report(self._blank_b04, "insured_number", "blank_not_alone")
        self._blank_b04 = None
        number = self._insured(record, placeholders=True)
        casual = number == MA_CASUAL
        if (
            self.kind == "supplementary"
            and number is not None
            and self._expected is not None
            and number in self._expected
        ):
            self._report(line, "insured_number", "in_prefilled", value=number)
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
        group.add(v, self._sums_of[record.type], count=True)

    def _check_totals(self, record: ParsedRecord) -> None:
        self._same_employer(record)
        spec = self.layout.totals[record.type]
        rec = self.layout.records[record.type]
        groups = [self._groups[d] for d in spec.of]
        of = " + ".join(spec.of)
        count = sum(g.count for g in groups)
        unreadable = any("*" in g.tainted for g in groups)
        totals = {"employees": count}
        checks = [(spec.count, count, not unreadable)]
        for total_name, detail in spec.sums.items():
            expected = sum(g.sums.get(detail, 0) for g in groups)
            totals[total_name] = expected
            checks.append((total_name, expected, not any(detail in g.tainted for g in groups)))
        for name, expected, checkable in checks:
            got = record.values.get(name)
            if unreadable or not checkable or not isinstance(got, int):
                continue
            if self.layout.totals_overflow == "modulo":
                modulus = 10 ** rec.field(name).length
                if expected >= modulus:
                    self.wrapped.append(f"{record.type}.{name}")
                expected %= modulus
            if got != expected:
                self._report(record.line, name, "total_mismatch", got=got, of=of, expected=expected)
        self.totals[self._roles[record.type]] = totals

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
        if self._expected is not None and self.kind == "declaration":
            line = self._b03_line or self._last_line + 1
            for number in sorted(self._expected):
                if not self._was_seen(number):
                    self._report(line, "insured_number", "missing_employee", value=number)

    def _was_seen(self, number: str) -> bool:
        if len(number) != 9 or not number.isascii() or not number.isdigit():
            return False
        if number[0] != "1" or ma_insured_key(number[:8]) != number[8]:
            return False  # never recorded: only valid numbers are
        return self._seen.first(int(number)) != 0

    # -- the fast path: a batch of B02 / B04 lines as one byte matrix
    def _batch(self, kind: str, first: int, raws: list[bytes], size: int) -> None:
        self._order(first, kind)
        if self._steps[self._step][0] == kind:
            self._count += len(raws) - 1
        else:  # cannot happen: resynchronised on kind
            for i in range(first + 1, first + len(raws)):
                self._order(i, kind)
        joined = b"".join(raws)
        matrix = np.frombuffer(joined, dtype=np.uint8).reshape(len(raws), size)
        lines = np.arange(first, first + len(raws), dtype=np.int64)
        accepted, cols = self._vector_checks(kind, matrix, joined)
        role = self._roles[kind]
        if not accepted.any() or (role == "B04" and not accepted.all()):
            # (B04 rules depend on the lines before: the blank line, the count; all in order)
            for i, raw in enumerate(raws):
                self._read_line(first + i, raw, order=False)
            return
        tracked = accepted.copy()
        if role == "B04":
            insured = cols["insured_number"]
            tracked &= (insured != 0) & (insured != int(MA_CASUAL))
        numbers = cols["insured_number"]
        if accepted.all() and self._seen.add_new(numbers[tracked], lines[tracked]):
            pass
        else:  # line by line, in order: the rejected lines by the slow path
            for i in range(len(raws)):
                if not accepted[i]:
                    self._read_line(first + i, raws[i], order=False)
                elif tracked[i]:
                    first_line = self._seen.first(int(numbers[i]))
                    if first_line:
                        self._read_line(first + i, raws[i], order=False)
                        accepted[i] = False
                    else:
                        self._seen.add(int(numbers[i]), first + i)
        group = self._groups[kind]
        group.count += int(accepted.sum())
        for name in self._sums_of[kind]:
            group.sums[name] = group.sums.get(name, 0) + int(cols[name][accepted].sum())
        actual = cols["actual_salary"][accepted]
        self.salaries.frombytes(actual.astype(np.int64).tobytes())
        if role == "B04":
            self._blank_b04 = None
        if self._collect:
            self._columns.add_part(self._part(kind, matrix, lines, cols, accepted))

    def _part(
        self,
        kind: str,
        matrix: vector.U8,
        lines: npt.NDArray[np.int64],
        cols: Mapping[str, npt.NDArray[np.int64]],
        accepted: npt.NDArray[np.bool_],
    ) -> DeclarationColumns:
        rec = self.layout.records[kind]
        names = {f.name for f in rec.fields}
        n = int(accepted.sum())
        picked = matrix[accepted] if n != len(accepted) else matrix
        columns: dict[str, Any] = {
            "line": lines[accepted],
            "record": np.full(n, kind, dtype="U3"),
        }
        for name in _COLUMN_INT:
            columns[name] = cols[name][accepted] if name in cols else np.zeros(n, np.int64)
        for name in _COLUMN_TEXT:
            if name in names:
                columns[name] = vector.text_column(picked, rec.field(name))
            else:
                columns[name] = np.full(n, "", dtype="U1")
        return DeclarationColumns(**columns)

    def _vector_checks(
        self, kind: str, matrix: vector.U8, joined: bytes
    ) -> tuple[npt.NDArray[np.bool_], dict[str, npt.NDArray[np.int64]]]:
        """The lines of ``matrix`` (one record type) that every rule accepts, and their numeric
        fields. Conservative: a line not accepted here is read again one by one."""
        layout, length = self.layout, self.layout.line_length
        rec = layout.records[kind]
        role = self._roles[kind]
        n, size = matrix.shape
        body = matrix[:, :length]
        ending = {length: b"", length + 1: b"\n", length + 2: b"\r\n"}[size]
        ok = np.ones(n, dtype=np.bool_)
        for i, byte in enumerate(ending):
            ok &= matrix[:, length + i] == byte
        # the usual case: every line ends as it should and nothing else is left once the allowed
        # characters are taken out; otherwise, look line by line
        if not ok.all() or joined.translate(None, self._allowed_bytes) != ending * n:
            ok &= vector.char_table(layout.allowed_characters)[body].all(axis=1)
        ref_affiliate, ref_period = self._ref.get("affiliate_number"), self._ref.get("period")
        if ref_affiliate is None or ref_period is None:
            ok[:] = False
            return ok, {}
        for name, ref in (("affiliate_number", ref_affiliate), ("period", ref_period)):
            want = np.frombuffer(ref[0].encode("ascii"), dtype=np.uint8)
            ok &= (body[:, rec.field(name).slice] == want).all(axis=1)
        values = vector.digits(body)
        numeric = [f for f in rec.fields if f.type == "N"]
        ok &= vector.all_digits(values, numeric)
        cols: dict[str, npt.NDArray[np.int64]] = {}
        for f in numeric:
            cols[f.name], fits = vector.parse_field(values, f)
            ok &= fits
        insured = cols["insured_number"]
        field_insured = rec.field("insured_number")
        registered = self._valid_insured(values, field_insured.start - 1, insured)
        days, actual, capped = cols["days"], cols["actual_salary"], cols["capped_salary"]
        ok &= days <= layout.limits.get("max_days", 26)
        ok &= actual <= MAX_BASE
        casual = np.zeros(n, dtype=np.bool_)
        listed = (
            np.isin(insured, self._expected_numbers())
            if self._expected is not None
            else np.zeros(n, dtype=np.bool_)
        )
        if role == "B02":
            ok &= registered
            if self._expected is not None:
                ok &= listed
            p = rec.field("situation").start - 1
            codes = vector.pair_codes(body, p)
            situations = layout.situations
            rank_table = np.full(65536, -1, dtype=np.int64)
            for code, code_rank in situations.items():
                rank_table[vector.pair_code(code)] = code_rank
            rank = rank_table[codes]
            ok &= rank >= 0
            zero = np.isin(codes, [vector.pair_code(c) for c in _ZERO_SITUATIONS])
            ok &= ~zero | ((days == 0) & (actual == 0) & (capped == 0))
            ok &= ~((codes == vector.pair_code("")) & (actual == 0))
            payback, net = cols["af_payback"], cols["af_net"]
            is_net = np.isin(codes, [vector.pair_code(c) for c in _PAYBACK_IS_NET])
            ok &= np.where(is_net, payback == net, payback <= net)
            ok &= (codes != vector.pair_code(_KEEPS_AF)) | (payback == 0)
            cols["situation_rank"] = np.maximum(rank, 0)
        else:  # B04 / E04
            not_registered = insured == 0
            casual = insured == int(MA_CASUAL)
            ok &= registered | not_registered | casual
            if self._expected is not None and self.kind == "supplementary":
                ok &= ~listed
            for name in ("surname", "first_names"):
                ok &= casual | ~vector.blank(body, rec.field(name))
            f_cin = rec.field("cin")
            cin_blank = vector.blank(body, f_cin)
            cin_ok = vector.shape_table(f_cin.length, _cin_accepted)[vector.shapes(body, f_cin)]
            ok &= np.where(cin_blank, ~not_registered, cin_ok)
            ok &= ~casual | (days == 0)
            if self._blank_b04 is not None:
                ok[0] = False
        if self.ceiling is not None:
            ok &= np.where(casual, capped <= actual, capped == np.minimum(actual, self.ceiling))
        else:
            ok &= ~casual | (capped <= actual)
        expected_sum = np.zeros(n, dtype=np.int64)
        for name in layout.control_sums.get(kind, ()):
            expected_sum += cols[name]
        ok &= cols["control_sum"] == expected_sum
        return ok, cols

    @staticmethod
    def _valid_insured(
        values: vector.U8, start: int, insured: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """Registered insured numbers: 1 + 7 digits + key C9, not 100000000."""
        c = [values[:, start + i].astype(np.int64) for i in range(9)]  # c[0] = C1
        key = vector.units_key([c[1], c[3], c[5], c[7]], [c[2], c[4], c[6]])
        ok: npt.NDArray[np.bool_] = (c[0] == 1) & (key == c[8]) & (insured != 100000000)
        return ok

    def _expected_numbers(self) -> npt.NDArray[np.int64]:
        cached: npt.NDArray[np.int64] | None = getattr(self, "_expected_array", None)
        if cached is None:
            numbers = [
                int(x) for x in self._expected or () if len(x) == 9 and x.isascii() and x.isdigit()
            ]
            cached = np.array(sorted(numbers), dtype=np.int64)
            self._expected_array = cached
        return cached


def _cin_accepted(text: str) -> bool:
    try:
        validate_ma_cin(text, field="cin")
    except IdentifierError:
        return False
    return True


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
    kind: str = "declaration"  # or "supplementary" (E00–E06)
    # totals too large for their field, written and checked modulo 10^length (see the layout)
    wrapped: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "wrapped": list(self.wrapped),
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
        kind=reader.kind,
        wrapped=tuple(reader.wrapped),
    )


def contributions_for(
    columns: DeclarationColumns, period: str, packs: PackSet | None = None
) -> ContributionResult:
    """The contributions of every line of ``columns`` (``ma-cnss``, month ``period`` AAAAMM),
    computed by :mod:`tadamun.rules` over the whole array of actual salaries at once:
    ``result.amounts[(branch, payer)]`` is an int64 array aligned with the columns."""
    index = _period_index(period)
    if index is None:
        raise ValueError(f"{period!r} is not a period AAAAMM")
    base = columns.actual_salary
    batch = LineBatch.of_regime(REGIME, base=base, period=np.full(len(base), index, np.int32))
    return compute(batch, packs=packs)


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
    kind: str = "declaration",
) -> CheckResult:
    """Read a whole B00–B06 file (``kind="supplementary"``: E00–E06): the complete list of
    problems, or its summary when it has none."""
    reader = DeclarationReader(
        lines,
        expected_insured=expected_insured,
        affiliate_number=affiliate_number,
        period=period,
        packs=packs,
        max_problems=max_problems,
        kind=kind,
    )
    reader.read()
    summary = summarize(reader, packs) if reader.ok else None
    return CheckResult(tuple(reader.problems), reader.problem_count, summary)


def check_supplementary(
    lines: Iterable[bytes],
    *,
    expected_insured: Iterable[str] | None = None,
    affiliate_number: str | None = None,
    period: str | None = None,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> CheckResult:
    """Read a whole supplementary declaration (E00–E06); ``expected_insured``: the pre-filled
    file's employees, none of whom may be declared in it."""
    return check_declaration(
        lines,
        expected_insured=expected_insured,
        affiliate_number=affiliate_number,
        period=period,
        packs=packs,
        max_problems=max_problems,
        kind="supplementary",
    )


@dataclass(frozen=True)
class DeclarationRead:
    """A whole file read by :func:`read_declaration`: the employees' lines as columns, the
    problems, and the summary when there is none."""

    columns: DeclarationColumns
    problems: tuple[LineProblem, ...]
    problem_count: int
    summary: Summary | None

    @property
    def accepted(self) -> bool:
        return self.problem_count == 0


def read_declaration(
    lines: Iterable[bytes],
    *,
    kind: str = "declaration",
    expected_insured: Iterable[str] | None = None,
    affiliate_number: str | None = None,
    period: str | None = None,
    packs: PackSet | None = None,
    max_problems: int | None = 10_000,
) -> DeclarationRead:
    """Read and check a whole file at once, keeping the employees' lines as columns (for
    computing with :func:`contributions_for` and persisting with COPY without reading again).

    The columns of a whole file are in memory: for a file too large for that, iterate
    :meth:`DeclarationReader.iter_columns` and write each batch as it comes.
    """
    reader = DeclarationReader(
        lines,
        expected_insured=expected_insured,
        affiliate_number=affiliate_number,
        period=period,
        packs=packs,
        max_problems=max_problems,
        kind=kind,
    )
    columns = reader.read_columns()
    summary = summarize(reader, packs) if reader.ok else None
    return DeclarationRead(columns, tuple(reader.problems), reader.problem_count, summary)


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
    if layout.totals_overflow == "modulo":  # a total that cannot fit: its low-order digits
        for f in layout.records[record].fields:
            value = values.get(f.name)
            if f.name != "record_type" and isinstance(value, int):
                values[f.name] = value % 10**f.length
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


def write_supplementary(
    employer: Employer,
    new: Iterable[NewEmployee],
    *,
    category: str = "E1",
    transfer_id: int = 0,
    ceiling: int | None = None,
    packs: PackSet | None = None,
    newline: bytes = b"\n",
) -> Iterator[bytes]:
    """A supplementary declaration (E00–E06) of employees not on the pre-filled list: one empty
    E02 (zeros), a zero E03, the employees in E04, their totals in E05 and E06."""
    layout = load_layout(LAYOUT)
    common = _common(employer)
    if ceiling is None:
        ceiling = ceiling_at(employer.period, packs)

    def gen() -> Iterator[bytes]:
        yield format_record(layout, "E00", {"transfer_id": transfer_id, "category": category})
        yield format_record(layout, "E01", {**vars(employer)})
        e02, e04 = _Accumulator(layout), _Accumulator(layout)
        yield format_record(layout, "E02", {**common, "insured_number": 0})
        yield _totals_line(layout, "E03", [e02], common)
        for n in new:
            row: dict[str, Value] = {**common, **vars(n)}
            if n.capped_salary is not None:
                row["capped_salary"] = n.capped_salary
            elif n.insured_number == MA_CASUAL:
                row["capped_salary"] = n.actual_salary
            elif ceiling is None:
                raise ValueError(f"no ma-cnss ceiling in force for {employer.period}")
            else:
                row["capped_salary"] = min(n.actual_salary, ceiling)
            row["control_sum"] = control_sum(layout, "E04", row)
            e04.add(row)
            yield format_record(layout, "E04", row)
        yield _totals_line(layout, "E05", [e04], common)
        yield _totals_line(layout, "E06", [e02, e04], common)

    return _lines(gen(), newline)
