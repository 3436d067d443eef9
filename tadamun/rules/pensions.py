"""Pension estimates from a career history, step by step, in exact integer arithmetic.

``estimate(pack, history)`` finds the regime's pension rules (``pension.yaml`` in the regime's
pack, or in a shared pack it includes: the Algerian regimes use ``dz-common:pension.*``), reads
every value in force on the date the pension starts, and returns the monthly gross pension in
minor units with every step of the computation: start date, age condition, validated periods,
eligibility, reference wage, rate, cap, minimum and result — each with its formula, value,
parameters, references and status (S/D/C/U; a step is as uncertain as its least certain value).

Conventions common to all regimes (the numbers behind them are parameters of the packs):

* **Career history.** One entry per calendar month (a month index, see
  :mod:`tadamun.rules.periods`): the gross wage subject to contributions, in minor units, and the
  days worked (0 to the number of days of that month). A month is *declared* when its wage is
  above zero. Months at or after the month the pension starts are not counted (a history may
  list projected months). Wages are nominal: no revaluation.
* **Start date.** ``start`` if given, else the history's ``retirement_date``, else the first day
  of the month on or after the day the insured reaches the regime's pension age (a birthday on
  the 1st starts that day; a 29 February birthday is reached on 28 February). Ages are in whole
  years from the birth date. A start before the age condition is met gives "not eligible".
* **Which values apply.** Every parameter in force on the start date, except per-month values
  (Morocco's wage ceiling, Tunisia's SMIG in the yearly wage limit) read on each month's first
  day. A per-month value from before a parameter's first date uses that first value and marks
  the step U with a note (the pack's history is incomplete).
* **Rounding.** Every amount shown (reference wage, gross pension, cap, minimum, result) is
  rounded with ``pack.rounding["pension"]``; later steps use the rounded amounts, so each step
  can be checked by hand from the previous one.

Algeria (CNR, ``dz-common``; ``pension.method: dz-cnr``):

* Age: 60; a woman may retire from 55 on request, minus ``reduction_per_child`` year per child
  up to ``max_children`` (3 children → 52). The default start uses the earliest age.
* Validated periods are counted in calendar quarters: a quarter is validated when its declared
  days total at least ``validation.min_days_per_quarter`` (U: a convention). A validated year is
  four quarters, so the rate is ``rate_per_year / 4`` per quarter (0.625 %).
* Pension from ``eligibility.min_quarters`` (60 = 15 years) of which
  ``min_worked_quarters`` (30) worked — every quarter of a history is worked; an *allocation*
  from ``allocation.min_quarters`` (20 = 5 years): computed like the pension, without the minimum,
  and marked U (its rules are not confirmed).
* Reference wage: ``reference_wage.method`` ``best`` (C, default) — the ``years`` calendar years
  with the highest average monthly wage (year's total ÷ its declared months; ties: the later
  year), reference = their total ÷ their declared months; ``last`` — the ``years × 12`` calendar
  months before the start, total ÷ declared months among them.
* Rate = min(quarters × rate_per_year / 4, max_rate); gross = reference × rate, at most
  ``max_smig_multiple`` × SNMG; a pension is at least ``minimum_smig_multiple`` × SNMG (0.75, C).

Morocco (CNSS, ``ma-cnss``; ``method: ma-cnss``):

* Days of insurance: the declared days of each month, at most ``days.max_per_month`` (26, U).
* From ``full_rate_days`` (3,240): rate = ``base_rate`` + ⌊(days − 3,240) ÷ ``extra_days``⌋ ×
  ``extra_rate``, at most ``max_rate``; reference = the wages of the last ``reference_wage.months``
  (96) declared months before the last declared month (``skip_last_months``), each capped at the
  contribution ceiling in force that month, divided by 96 whatever their number; the pension is
  at least ``minimum``.
* From ``eligibility.min_days`` (1,320 for pensions starting on or after 2023-01-01, the
  retroactive 2025 reform) up to 3,239 days: the flat pension of the band the days fall in.
* Below: a refund of contributions is due (from 2023) — its amount is not computed here.

Tunisia (CNSS, RSNA, ``tn-cnss-rsna``; ``method: tn-rsna``):

* Months of contribution: the declared months; quarters = months ÷ 3, rounded down (complete
  periods of three months, not calendar quarters). At least ``eligibility.min_months`` (120).
* Rate: ``rate.first`` (1 %) per quarter for the first ``rate.first_quarters`` (40), then
  ``rate.further`` (0.5 %), at most ``rate.max`` (80 %, reached at 120 quarters).
* Reference wage: the ``reference_wage.months`` (120) calendar months before the start; each
  calendar year's wages count up to ``cap_smig_multiple`` (6) × hourly SMIG ×
  ``smig_hours_per_year`` (2,400), pro-rated to the year's declared months in the window (each
  at the SMIG of that month; hourly SMIG = monthly 48-hour SMIG ÷ ``smig_hours_per_month``,
  208); reference = counted wages ÷ declared months in the window.
* Minimum: ``smig_numerator / smig_denominator`` (2/3) × hourly SMIG × 2,400 hours ÷ 12.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from tadamun.rules.errors import (
    InvalidAmount,
    InvalidDate,
    InvalidHistory,
    NotInForce,
    UnknownParameter,
)
from tadamun.rules.money import Currency, Rounding
from tadamun.rules.parameters import PPM, DatedValue, Pack, Parameter, Reference
from tadamun.rules.periods import (
    add_months,
    month_index,
    parse_date,
    parse_period,
    period_label,
    period_start,
)

Outcome = Literal["pension", "flat_pension", "allocation", "refund", "not_eligible"]
STATUS_ORDER = {"S": 0, "D": 1, "C": 2, "U": 3}
SEXES = ("F", "M")

#: A wage above this (minor units, 10 billion major units) is a unit mistake.
MAX_WAGE = 10**12


# --- career history -------------------------------------------------------------------------


class CareerEntry(NamedTuple):
    """One month of a career: month index, wage in minor units, days worked."""

    period: int
    wage: int
    days: int


def _days_in_month(period: int) -> int:
    start = period_start(period)
    return calendar.monthrange(start.year, start.month)[1]


@dataclass(frozen=True)
class CareerHistory:
    """An insured person's career. Validated on construction: a bad field raises InvalidHistory."""

    birth_date: dt.date
    sex: str  # "F" or "M"
    children: int
    career: tuple[CareerEntry, ...]
    retirement_date: dt.date | None = None
    currency: str | None = None  # the currency of the wages, when known (read_history sets it)

    def __post_init__(self) -> None:
        if isinstance(self.birth_date, dt.datetime) or not isinstance(self.birth_date, dt.date):
            raise InvalidHistory(f"birth_date: {self.birth_date!r} is not a date")
        if self.sex not in SEXES:
            raise InvalidHistory(f"sex: {self.sex!r} is not one of 'F', 'M'")
        if isinstance(self.children, bool) or not isinstance(self.children, int):
            raise InvalidHistory(f"children: {self.children!r} is not a whole number")
        if self.children < 0:
            raise InvalidHistory(f"children: {self.children} is negative")
        if self.retirement_date is not None and (
            isinstance(self.retirement_date, dt.datetime)
            or not isinstance(self.retirement_date, dt.date)
        ):
            raise InvalidHistory(f"retirement_date: {self.retirement_date!r} is not a date")
        if self.retirement_date is not None and self.retirement_date <= self.birth_date:
            raise InvalidHistory(
                f"retirement_date: {self.retirement_date.isoformat()} is not after the birth "
                f"date {self.birth_date.isoformat()}"
            )
        entries = tuple(self.career)
        if not entries:
            raise InvalidHistory("career: the career is empty; give at least one month")
        seen: dict[int, int] = {}
        checked: list[CareerEntry] = []
        for number, raw in enumerate(entries, start=1):
            entry = _check_entry(raw, number)
            if entry.period in seen:
                raise InvalidHistory(
                    f"career entry {number}: period: {period_label(entry.period)} is already "
                    f"given by entry {seen[entry.period]} (one entry per month)"
                )
            seen[entry.period] = number
            if period_start(entry.period) < dt.date(self.birth_date.year, self.birth_date.month, 1):
                raise InvalidHistory(
                    f"career entry {number}: period: {period_label(entry.period)} is before the "
                    f"birth date {self.birth_date.isoformat()}"
                )
            checked.append(entry)
        object.__setattr__(self, "career", tuple(sorted(checked)))

    @property
    def months(self) -> dict[int, CareerEntry]:
        return {e.period: e for e in self.career}


def _check_entry(raw: object, number: int) -> CareerEntry:
    where = f"career entry {number}"
    if not isinstance(raw, tuple) or len(raw) != 3:
        raise InvalidHistory(f"{where}: {raw!r} is not a (period, wage, days) entry")
    period, wage, days = raw
    for name, value in (("period", period), ("wage", wage), ("days", days)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidHistory(f"{where}: {name}: {value!r} is not a whole number")
    if period < month_index(1900, 1):
        raise InvalidHistory(f"{where}: period: {period} is not a month index after 1900-01")
    if wage < 0:
        raise InvalidHistory(f"{where}: wage: {wage} (minor units) is negative")
    if wage > MAX_WAGE:
        raise InvalidHistory(
            f"{where}: wage: {wage} (minor units) is above the limit of {MAX_WAGE}; "
            "check that it is a monthly wage in minor units"
        )
    limit = _days_in_month(period)
    if not 0 <= days <= limit:
        raise InvalidHistory(
            f"{where}: days: {days} is not between 0 and {limit} (the days of "
            f"{period_label(period)})"
        )
    return CareerEntry(period, wage, days)


class _HistoryLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and reads floats from their text as Decimal."""


def _decimal_from_text(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal | str:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return Decimal(text.replace("_", ""))
    except ArithmeticError:
        return text


def _text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_HistoryLoader.add_constructor("tag:yaml.org,2002:float", _decimal_from_text)
_HistoryLoader.add_constructor("tag:yaml.org,2002:timestamp", _text)

_TOP_KEYS = ("birth_date", "sex", "children", "retirement_date", "career", "currency")
_ENTRY_KEYS = ("period", "from", "to", "wage", "days")


def _load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidHistory(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InvalidHistory(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InvalidHistory(f"{path}: cannot be read ({exc.strerror})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise InvalidHistory(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    try:
        return yaml.load(text, Loader=_HistoryLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidHistory(f"{path}: not valid YAML{where}: {problem}") from None


def _field_date(raw: object, where: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise InvalidHistory(f"{where}: {raw!r} is a timestamp; write a date YYYY-MM-DD")
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        raise InvalidHistory(f"{where}: {raw!r} is not a date written YYYY-MM-DD")
    try:
        return parse_date(raw, field=where)
    except InvalidDate as exc:
        raise InvalidHistory(str(exc)) from None


def _field_period(raw: object, where: str) -> int:
    if isinstance(raw, dt.date):
        raise InvalidHistory(f"{where}: {raw.isoformat()!r} is a date; write a month YYYY-MM")
    if not isinstance(raw, str):
        raise InvalidHistory(f"{where}: {raw!r} is not a period written YYYY-MM")
    try:
        return parse_period(raw, field=where)
    except InvalidDate as exc:
        raise InvalidHistory(str(exc)) from None


def _field_int(raw: object, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidHistory(f"{where}: {raw!r} is not a whole number")
    return raw


def _field_wage(raw: object, currency: Currency, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise InvalidHistory(f"{where}: {raw!r} is not an amount in {currency.code}")
    try:
        minor = currency.parse(raw, field=where)
    except InvalidAmount as exc:
        raise InvalidHistory(str(exc)) from None
    if minor < 0:
        raise InvalidHistory(f"{where}: {raw} is negative; a wage is zero or more")
    return minor


def parse_history(
    data: Any, *, currency: Currency | str | None = None, source: str = "history"
) -> CareerHistory:
    """A history from already-parsed data (a mapping in the format of :func:`read_history`)."""
    if not isinstance(data, dict):
        raise InvalidHistory(f"{source}: must be a mapping with birth_date, sex, children, career")
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise InvalidHistory(
            f"{source}: unknown field {unknown[0]!r}; known fields: {', '.join(_TOP_KEYS)}"
        )
    named: Currency | None = None
    if currency is not None:
        try:
            named = currency if isinstance(currency, Currency) else Currency.of(currency)
        except InvalidAmount as exc:
            raise InvalidHistory(f"{source}: currency: {exc}") from None
    if "currency" in data:
        try:
            in_file = Currency.of(str(data["currency"]))
        except InvalidAmount as exc:
            raise InvalidHistory(f"{source}: currency: {exc}") from None
        if named is not None and in_file != named:
            raise InvalidHistory(
                f"{source}: currency: the file says {in_file.code}, but the regime's currency "
                f"is {named.code}"
            )
        named = in_file
    if named is None:
        raise InvalidHistory(
            f"{source}: currency: unknown — give the regime's currency (or write `currency:` in "
            "the file) so that wages can be read exactly"
        )
    for key in ("birth_date", "sex", "children", "career"):
        if key not in data:
            raise InvalidHistory(f"{source}: {key}: missing")
    birth = _field_date(data["birth_date"], f"{source}: birth_date")
    sex = data["sex"]
    if not isinstance(sex, str) or sex.strip().upper() not in SEXES:
        raise InvalidHistory(f"{source}: sex: {sex!r} is not one of 'F', 'M'")
    children = _field_int(data["children"], f"{source}: children")
    if children < 0:
        raise InvalidHistory(f"{source}: children: {children} is negative")
    retirement = data.get("retirement_date")
    retirement_date = (
        _field_date(retirement, f"{source}: retirement_date") if retirement is not None else None
    )
    career = data["career"]
    if not isinstance(career, list):
        raise InvalidHistory(f"{source}: career: must be a list of months")
    if not career:
        raise InvalidHistory(f"{source}: career: the career is empty; give at least one month")
    entries: list[CareerEntry] = []
    for number, item in enumerate(career, start=1):
        where = f"{source}: career entry {number}"
        if not isinstance(item, dict):
            raise InvalidHistory(f"{where}: must be a mapping with period (or from/to), wage, days")
        bad = [k for k in item if k not in _ENTRY_KEYS]
        if bad:
            raise InvalidHistory(
                f"{where}: unknown field {bad[0]!r}; known fields: {', '.join(_ENTRY_KEYS)}"
            )
        if "period" in item and ("from" in item or "to" in item):
            raise InvalidHistory(f"{where}: give either period or from/to, not both")
        if "period" in item:
            first = last = _field_period(item["period"], f"{where}: period")
        elif "from" in item and "to" in item:
            first = _field_period(item["from"], f"{where}: from")
            last = _field_period(item["to"], f"{where}: to")
            if last < first:
                raise InvalidHistory(
                    f"{where}: to: {period_label(last)} is before from {period_label(first)}"
                )
        else:
            raise InvalidHistory(f"{where}: period: missing (or give from and to)")
        if "wage" not in item:
            raise InvalidHistory(f"{where}: wage: missing")
        if "days" not in item:
            raise InvalidHistory(f"{where}: days: missing")
        wage = _field_wage(item["wage"], named, f"{where}: wage")
        days = _field_int(item["days"], f"{where}: days")
        for period in range(first, last + 1):
            limit = _days_in_month(period)
            if not 0 <= days <= limit:
                raise InvalidHistory(
                    f"{where}: days: {days} is not between 0 and {limit} (the days of "
                    f"{period_label(period)})"
                )
            entries.append(CareerEntry(period, wage, days))
    try:
        return CareerHistory(
            birth_date=birth,
            sex=sex.strip().upper(),
            children=children,
            career=tuple(entries),
            retirement_date=retirement_date,
            currency=named.code,
        )
    except InvalidHistory as exc:
        message = str(exc)
        if message.startswith("career entry"):
            # Entries were expanded from runs: name the month, which is unambiguous.
            message = message.split(": ", 1)[1]
        raise InvalidHistory(f"{source}: {message}") from None


def read_history(path: str | Path, *, currency: Currency | str | None = None) -> CareerHistory:
    """Read a career history from a YAML or JSON file (``.json`` is JSON; anything else YAML).

    Format (wages in major units of the regime's currency, written as text or plain numbers,
    parsed exactly)::

        birth_date: 1966-04-12
        sex: F                        # F or M
        children: 2
        retirement_date: 2026-06-01   # optional
        currency: DZD                 # optional if ``currency`` is passed
        career:
          - {period: 2010-01, wage: "45000.00", days: 26}
          - {from: 2011-01, to: 2015-12, wage: "52000.00", days: 26}

    Every bad field raises :class:`InvalidHistory` naming the file, the entry number and the field.
    """
    file = Path(path)
    return parse_history(_load_file(file), currency=currency, source=str(file))


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PensionStep:
    key: str
    label: Mapping[str, str]  # fr / ar / en
    formula: str
    value: str
    amount: int | None = None  # minor units, when the step yields an amount
    rate: Decimal | None = None
    parameters: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    status: str = "S"
    notes: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        return "; ".join(map(str, self.references))


@dataclass(frozen=True)
class PensionEstimate:
    regime: str
    currency: Currency
    start: dt.date
    outcome: Outcome
    monthly_gross: int  # minor units; 0 when no pension or allocation is due
    rate: Decimal | None
    reference_wage: int | None
    steps: tuple[PensionStep, ...]

    @property
    def eligible(self) -> bool:
        return self.outcome in ("pension", "flat_pension", "allocation")

    @property
    def status(self) -> str:
        """The least certain status of the steps (S < D < C < U)."""
        return max((s.status for s in self.steps), key=STATUS_ORDER.__getitem__, default="S")

    def step(self, key: str) -> PensionStep:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``: amounts in major units (text) and in minor units."""
        cur = self.currency
        return {
            "regime": self.regime,
            "currency": cur.code,
            "start": self.start.isoformat(),
            "outcome": self.outcome,
            "eligible": self.eligible,
            "monthly_gross": cur.format(self.monthly_gross),
            "monthly_gross_minor": self.monthly_gross,
            "rate": f"{self.rate.normalize():f}" if self.rate is not None else None,
            "reference_wage": (
                cur.format(self.reference_wage) if self.reference_wage is not None else None
            ),
            "status": self.status,
            "steps": [
                {
                    "key": step.key,
                    "label": dict(step.label),
                    "formula": step.formula,
                    "value": step.value,
                    "amount": cur.format(step.amount) if step.amount is not None else None,
                    "amount_minor": step.amount,
                    "rate": f"{step.rate.normalize():f}" if step.rate is not None else None,
                    "parameters": list(step.parameters),
                    "status": step.status,
                    "notes": list(step.notes),
                    "references": [{"title": r.title, "href": r.href} for r in step.references],
                }
                for step in self.steps
            ],
        }

    def to_text(self) -> str:
        """A readable estimate: every step with its formula, value, parameters and sources."""
        cur = self.currency
        lines = [
            f"Pension estimate — {self.regime}, starting {self.start.isoformat()}",
            "",
        ]
        for number, step in enumerate(self.steps, start=1):
            lines.append(
                f"{number}. {step.label['en']} / {step.label['fr']}: {step.value}"
                f"  [status {step.status}]"
            )
            lines.append(f"     {step.formula}")
            if step.parameters:
                lines.append(f"     parameters: {', '.join(step.parameters)}")
            for ref in step.references:
                lines.append(f"     source: {ref.title} <{ref.href}>")
            for note in step.notes:
                lines.append(f"     note: {note}")
        lines.append("")
        lines.append(
            f"Monthly gross pension: {cur.format(self.monthly_gross)} {cur.code} ({self.outcome}; "
            f"overall status {self.status})"
        )
        return "\n".join(lines) + "\n"


_LABELS: dict[str, dict[str, str]] = {
    "start": {
        "fr": "Date d'effet de la pension",
        "ar": "تاريخ سريان المعاش",
        "en": "Pension start date",
    },
    "age": {"fr": "Condition d'âge", "ar": "شرط السن", "en": "Age condition"},
    "periods": {
        "fr": "Périodes validées",
        "ar": "الفترات المصادق عليها",
        "en": "Validated periods",
    },
    "eligibility": {"fr": "Ouverture du droit", "ar": "فتح الحق", "en": "Eligibility"},
    "reference_wage": {"fr": "Salaire de référence", "ar": "الأجر المرجعي", "en": "Reference wage"},
    "rate": {"fr": "Taux de la pension", "ar": "نسبة المعاش", "en": "Pension rate"},
    "gross": {
        "fr": "Pension brute calculée",
        "ar": "المعاش الخام المحسوب",
        "en": "Computed gross pension",
    },
    "cap": {"fr": "Plafond", "ar": "السقف", "en": "Cap"},
    "minimum": {"fr": "Minimum", "ar": "الحد الأدنى", "en": "Minimum"},
    "flat": {"fr": "Pension forfaitaire", "ar": "معاش جزافي", "en": "Flat pension"},
    "result": {
        "fr": "Pension mensuelle brute",
        "ar": "المعاش الشهري الخام",
        "en": "Monthly gross pension",
    },
}


# --- helpers --------------------------------------------------------------------------------


Used = tuple[str, DatedValue]


def _worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=STATUS_ORDER.__getitem__, default="S")


def _step(
    key: str,
    formula: str,
    value: str,
    used: Sequence[Used] = (),
    *,
    amount: int | None = None,
    rate: Decimal | None = None,
    status: str = "S",
    notes: Sequence[str] = (),
) -> PensionStep:
    refs: list[Reference] = []
    all_notes: list[str] = []
    for path, dated in used:
        for ref in dated.references:
            if ref not in refs:
                refs.append(ref)
        if dated.status in ("C", "U") and dated.note:
            text = f"{path} ({dated.status}): {dated.note}"
            if text not in all_notes:
                all_notes.append(text)
    all_notes.extend(n for n in notes if n not in all_notes)
    return PensionStep(
        key=key,
        label=_LABELS[key],
        formula=formula,
        value=value,
        amount=amount,
        rate=rate,
        parameters=tuple(dict.fromkeys(p for p, _ in used)),
        references=tuple(refs),
        status=_worst([status, *(d.status for _, d in used)]),
        notes=tuple(all_notes),
    )


def _pct(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')} %"


class _Ctx:
    """The pack, the prefix of its pension rules, the start date and the rounding to use."""

    def __init__(self, pack: Pack, prefix: str, start: dt.date) -> None:
        self.pack = pack
        self.prefix = prefix
        self.start = start
        self.currency = pack.currency
        self.rounding: Rounding = pack.rounding["pension"]

    def path(self, name: str) -> str:
        return f"{self.prefix}pension.{name}"

    def param(self, name: str) -> Parameter:
        return self.pack.param(self.path(name))

    def get(self, name: str, when: dt.date | None = None) -> Used:
        path = self.path(name)
        return path, self.pack.param(path).at(when or self.start)

    def money(self, minor: int) -> str:
        return f"{self.currency.format(minor)} {self.currency.code}"

    def div(self, numerator: int, denominator: int) -> int:
        return self.rounding.divide(numerator, denominator)


def _ppm(used: Used) -> int:
    path, dated = used
    if not isinstance(dated.value, Decimal):
        raise UnknownParameter(f"{path}: {dated.value!r} is not a rate or multiple")
    return dated.ppm


def _int(used: Used) -> int:
    path, dated = used
    if isinstance(dated.value, bool) or not isinstance(dated.value, int):
        raise UnknownParameter(f"{path}: {dated.value!r} is not a whole number or an amount")
    return dated.value


def _code(used: Used) -> str:
    path, dated = used
    if not isinstance(dated.value, str):
        raise UnknownParameter(f"{path}: {dated.value!r} is not a code")
    return dated.value


def _pension_prefix(pack: Pack) -> str:
    if pack.has_param("pension.method"):
        return ""
    for inc in pack.includes:
        if pack.has_param(f"{inc}:pension.method"):
            return f"{inc}:"
    raise UnknownParameter(
        f"regime {pack.id} has no pension rules (pension.method, in its pack or an included one)"
    )


def _age_date(birth: dt.date, years: int) -> dt.date:
    return add_months(birth, 12 * years)


def _first_of_month_on_or_after(day: dt.date) -> dt.date:
    if day.day == 1:
        return day
    return add_months(dt.date(day.year, day.month, 1), 1)


def _value_or_first(param: Parameter, when: dt.date) -> tuple[DatedValue, bool]:
    """The value in force on ``when``, or the parameter's first value (flagged) before it."""
    try:
        return param.at(when), False
    except NotInForce:
        if when < param.first_date:
            return param.values[0], True
        raise


@dataclass
class _Age:
    required: int
    used: list[Used] = field(default_factory=list)
    formula: str = ""


def _required_age(ctx: _Ctx, method: str, history: CareerHistory) -> _Age:
    if method == "dz-cnr":
        legal = ctx.get("age.legal")
        if history.sex == "M":
            return _Age(_int(legal), [legal], f"men: {_int(legal)} years")
        women = ctx.get("age.women")
        per_child = ctx.get("age.reduction_per_child")
        most = ctx.get("age.max_children")
        counted = min(history.children, _int(most))
        required = _int(women) - counted * _int(per_child)
        formula = (
            f"women, on request: {_int(women)} − min({history.children} children, {_int(most)}) "
            f"× {_int(per_child)} = {required} years"
        )
        return _Age(required, [women, per_child, most], formula)
    age = ctx.get("age")
    return _Age(_int(age), [age], f"{_int(age)} years")


def _resolve_start(
    pack: Pack, prefix: str, history: CareerHistory, start: dt.date | None
) -> tuple[dt.date, str]:
    if start is not None:
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise InvalidDate(f"start: {start!r} is not a date")
        if start <= history.birth_date:
            raise InvalidDate(
                f"start: {start.isoformat()} is not after the birth date "
                f"{history.birth_date.isoformat()}"
            )
        return start, "given (start)"
    if history.retirement_date is not None:
        return history.retirement_date, "given (retirement_date of the history)"
    # The earliest date of eligibility by age: read the age rules where they would apply; a
    # change of those rules between two readings is followed until it settles.
    when = _age_date(history.birth_date, 60)
    for _ in range(4):
        ctx = _Ctx(pack, prefix, when)
        method = _code(ctx.get("method"))
        age = _required_age(ctx, method, history)
        found = _first_of_month_on_or_after(_age_date(history.birth_date, age.required))
        if found == when:
            break
        when = found
    return when, (
        f"first day of the month on or after the day the age of {age.required} is reached "
        f"({_age_date(history.birth_date, age.required).isoformat()})"
    )


# --- estimate -------------------------------------------------------------------------------


@dataclass
class _Outcome:
    outcome: Outcome
    amount: int
    rate: Decimal | None
    reference: int | None
    steps: list[PensionStep]


def estimate(
    pack: Pack, history: CareerHistory, *, start: dt.date | None = None
) -> PensionEstimate:
    """The monthly gross pension of ``history`` under regime ``pack``, with every step shown.

    See the module docstring for the conventions. Raises :class:`InvalidHistory` when the
    history's currency is not the regime's, :class:`NotInForce` when a rule has no value on the
    start date, :class:`UnknownParameter` when the regime has no pension rules.
    """
    if not isinstance(history, CareerHistory):
        raise InvalidHistory(f"history: {history!r} is not a CareerHistory")
    if history.currency is not None and history.currency != pack.currency.code:
        raise InvalidHistory(
            f"currency: the history's wages are in {history.currency}, but regime {pack.id} "
            f"pays in {pack.currency.code}"
        )
    prefix = _pension_prefix(pack)
    when, how = _resolve_start(pack, prefix, history, start)
    ctx = _Ctx(pack, prefix, when)
    method_used = ctx.get("method")
    method = _code(method_used)
    steps = [
        _step(
            "start",
            how,
            when.isoformat(),
            [method_used],
            notes=[f"rules of {ctx.path('*')} in force on {when.isoformat()} ({method})"],
        )
    ]
    age = _required_age(ctx, method, history)
    reached = _age_date(history.birth_date, age.required)
    age_ok = when >= reached
    steps.append(
        _step(
            "age",
            f"{age.formula}; reached on {reached.isoformat()}; start {when.isoformat()}",
            "met" if age_ok else f"not met (age {age.required} reached {reached.isoformat()})",
            age.used,
        )
    )
    start_month = month_index(when.year, when.month)
    months = {e.period: e for e in history.career if e.period < start_month}
    ignored = len(history.career) - len(months)
    if method == "dz-cnr":
        result = _dz(ctx, months, age_ok, ignored)
    elif method == "ma-cnss":
        result = _ma(ctx, months, age_ok, ignored)
    elif method == "tn-rsna":
        result = _tn(ctx, months, age_ok, ignored)
    else:
        raise UnknownParameter(
            f"{ctx.path('method')}: {method!r} is not a pension method Tadamun knows "
            "(dz-cnr, ma-cnss, tn-rsna)"
        )
    steps.extend(result.steps)
    return PensionEstimate(
        regime=pack.id,
        currency=pack.currency,
        start=when,
        outcome=result.outcome,
        monthly_gross=result.amount,
        rate=result.rate,
        reference_wage=result.reference,
        steps=tuple(steps),
    )


def _ignored_note(ignored: int) -> list[str]:
    if not ignored:
        return []
    return [f"{ignored} month(s) at or after the start month are not counted"]


def _result_step(ctx: _Ctx, outcome: Outcome, amount: int, formula: str, **kw: Any) -> PensionStep:
    words = {
        "pension": "pension",
        "flat_pension": "flat pension",
        "allocation": "retirement allocation",
        "refund": "no pension: refund of contributions",
        "not_eligible": "no pension",
    }[outcome]
    return _step("result", formula, f"{ctx.money(amount)} ({words})", amount=amount, **kw)


# --- Algeria --------------------------------------------------------------------------------


def _dz_reference(ctx: _Ctx, months: Mapping[int, CareerEntry], start_month: int) -> PensionStep:
    years_used = ctx.get("reference_wage.years")
    method_used = ctx.get("reference_wage.method")
    years = _int(years_used)
    method = _code(method_used)
    used = [years_used, method_used]
    if method == "best":
        by_year: dict[int, tuple[int, int]] = {}
        for e in months.values():
            if e.wage > 0:
                total, count = by_year.get(e.period // 12, (0, 0))
                by_year[e.period // 12] = (total + e.wage, count + 1)

        def better(a: tuple[int, tuple[int, int]], b: tuple[int, tuple[int, int]]) -> int:
            (ya, (ta, ca)), (yb, (tb, cb)) = a, b
            left, right = ta * cb, tb * ca  # compares ta/ca with tb/cb exactly
            if left != right:
                return -1 if left > right else 1
            return -1 if ya > yb else 1

        chosen = sorted(by_year.items(), key=functools.cmp_to_key(better))[:years]
        total = sum(t for _, (t, _c) in chosen)
        count = sum(c for _, (_t, c) in chosen)
        listed = ", ".join(f"{1970 + y} ({c} months)" for y, (_t, c) in sorted(chosen))
        what = f"the {years} best calendar years by average monthly wage: {listed or 'none'}"
    elif method == "last":
        window = range(start_month - 12 * years, start_month)
        picked = [months[m].wage for m in window if m in months and months[m].wage > 0]
        total, count = sum(picked), len(picked)
        what = (
            f"the {12 * years} months {period_label(window.start)} to "
            f"{period_label(window.stop - 1)} ({count} with a wage)"
        )
    else:
        raise UnknownParameter(
            f"{ctx.path('reference_wage.method')}: {method!r} is neither 'best' nor 'last'"
        )
    reference = ctx.div(total, count) if count else 0
    return _step(
        "reference_wage",
        f"{what}; {ctx.money(total)} ÷ {count} months",
        ctx.money(reference),
        used,
        amount=reference,
    )


def _dz(ctx: _Ctx, months: Mapping[int, CareerEntry], age_ok: bool, ignored: int) -> _Outcome:
    start_month = month_index(ctx.start.year, ctx.start.month)
    min_days = ctx.get("validation.min_days_per_quarter")
    quarter_days: dict[int, int] = {}
    for e in months.values():
        quarter_days[e.period // 3] = quarter_days.get(e.period // 3, 0) + e.days
    quarters = sum(1 for d in quarter_days.values() if d >= _int(min_days))
    years = Decimal(quarters) / 4
    steps = [
        _step(
            "periods",
            f"calendar quarters with at least {_int(min_days)} declared days: {quarters} "
            f"= {format(years.normalize(), 'f')} years",
            f"{quarters} quarters",
            [min_days],
            notes=_ignored_note(ignored),
        )
    ]
    need = ctx.get("eligibility.min_quarters")
    worked = ctx.get("eligibility.min_worked_quarters")
    alloc = ctx.get("allocation.min_quarters")
    outcome: Outcome
    if not age_ok:
        outcome = "not_eligible"
    elif quarters >= _int(need) and quarters >= _int(worked):
        outcome = "pension"
    elif quarters >= _int(alloc):
        outcome = "allocation"
    else:
        outcome = "not_eligible"
    eligibility_used = [need, worked] if outcome == "pension" else [need, worked, alloc]
    steps.append(
        _step(
            "eligibility",
            f"pension from {_int(need)} validated quarters of which {_int(worked)} worked; "
            f"allocation from {_int(alloc)}; age condition {'met' if age_ok else 'not met'}",
            {
                "pension": "pension",
                "allocation": "retirement allocation (5 to 15 years)",
                "not_eligible": "not eligible",
            }[outcome],
            eligibility_used,
            notes=["every quarter of the history is counted as worked"],
        )
    )
    if outcome == "not_eligible":
        steps.append(_result_step(ctx, outcome, 0, "no pension and no allocation is due"))
        return _Outcome(outcome, 0, None, None, steps)

    ref_step = _dz_reference(ctx, months, start_month)
    steps.append(ref_step)
    reference = ref_step.amount or 0
    per_year = ctx.get("rate_per_year")
    top = ctx.get("max_rate")
    raw = _ppm(per_year) * quarters  # rate × 4 PPM
    capped = min(raw, _ppm(top) * 4)
    rate = Decimal(capped) / (4 * PPM)
    steps.append(
        _step(
            "rate",
            f"min({quarters} quarters × {_pct(Decimal(_ppm(per_year)) / PPM)} ÷ 4, "
            f"{_pct(Decimal(_ppm(top)) / PPM)})",
            _pct(rate),
            [per_year, top],
            rate=rate,
        )
    )
    gross = ctx.div(reference * capped, 4 * PPM)
    steps.append(
        _step(
            "gross",
            f"{ctx.money(reference)} × {_pct(rate)}",
            ctx.money(gross),
            amount=gross,
            status="U" if outcome == "allocation" else "S",
            notes=["the allocation's computation is not confirmed (see allocation.min_quarters)"]
            if outcome == "allocation"
            else [],
        )
    )
    amount = gross
    smig_path = f"{ctx.prefix}smig.monthly"
    smig = ctx.pack.param(smig_path).at(ctx.start)
    snmg = _int((smig_path, smig))
    try:
        multiple = ctx.get("max_smig_multiple")
    except NotInForce:
        steps.append(_step("cap", "no cap on the gross pension before it existed", "none"))
    else:
        cap = ctx.div(snmg * _ppm(multiple), PPM)
        amount = min(amount, cap)
        steps.append(
            _step(
                "cap",
                f"min({ctx.money(gross)}, {format(multiple[1].value, 'f')} × SNMG "
                f"{ctx.money(snmg)} = {ctx.money(cap)})",
                ctx.money(amount),
                [multiple, (smig_path, smig)],
                amount=amount,
            )
        )
    if outcome == "pension":
        low = ctx.get("minimum_smig_multiple")
        minimum = ctx.div(snmg * _ppm(low), PPM)
        before = amount
        amount = max(amount, minimum)
        steps.append(
            _step(
                "minimum",
                f"max({ctx.money(before)}, {format(low[1].value, 'f')} × SNMG "
                f"{ctx.money(snmg)} = {ctx.money(minimum)})",
                ctx.money(amount),
                [low, (smig_path, smig)],
                amount=amount,
            )
        )
    else:
        steps.append(
            _step(
                "minimum",
                "the pension's minimum does not apply to an allocation",
                "none",
                status="U",
                notes=["whether the allocation has its own minimum is not confirmed"],
            )
        )
    steps.append(
        _result_step(
            ctx,
            outcome,
            amount,
            "after rate, cap and minimum",
            status="U" if outcome == "allocation" else "S",
        )
    )
    return _Outcome(outcome, amount, rate, reference, steps)


# --- Morocco --------------------------------------------------------------------------------


def _ma_reference(ctx: _Ctx, months: Mapping[int, CareerEntry]) -> PensionStep:
    count_used = ctx.get("reference_wage.months")
    skip_used = ctx.get("reference_wage.skip_last_months")
    divisor, skip = _int(count_used), _int(skip_used)
    used: list[Used] = [count_used, skip_used]
    declared = sorted(m for m, e in months.items() if e.wage > 0)
    kept = declared[: len(declared) - skip] if skip else declared
    window = kept[-divisor:] if divisor else []
    ceiling_param: Parameter | None = None
    try:
        name_used = ctx.get("reference_wage.ceiling_parameter")
    except (UnknownParameter, NotInForce):
        name_used = None
    if name_used is not None:
        used.append(name_used)
        ceiling_param = ctx.pack.param(_code(name_used))
    total = 0
    capped_months = 0
    before_first = 0
    status = "S"
    for m in window:
        wage = months[m].wage
        if ceiling_param is not None:
            dated, fell_back = _value_or_first(ceiling_param, period_start(m))
            ceiling = _int((ceiling_param.path, dated))
            before_first += fell_back
            if wage > ceiling:
                capped_months += 1
                wage = ceiling
            if not fell_back:
                used.append((ceiling_param.path, dated))
        total += wage
    notes = []
    if before_first and ceiling_param is not None:
        status = "U"
        notes.append(
            f"{before_first} month(s) are before the first value of {ceiling_param.path} "
            f"({ceiling_param.first_date.isoformat()}): its first value was used"
        )
    reference = ctx.div(total, divisor) if divisor else 0
    span = f"{period_label(window[0])} to {period_label(window[-1])}" if window else "none"
    return _step(
        "reference_wage",
        f"wages of the last {len(window)} declared months before the last one ({span}), "
        f"{capped_months} capped at the ceiling: {ctx.money(total)} ÷ {divisor}",
        ctx.money(reference),
        used,
        amount=reference,
        status=status,
        notes=notes,
    )


def _ma_bands(ctx: _Ctx) -> list[tuple[int, int, list[Used]]]:
    try:
        node = ctx.pack.node(ctx.path("flat"))
    except UnknownParameter:
        return []
    bands: list[tuple[int, int, list[Used]]] = []
    for name in node.children:
        try:
            low = ctx.get(f"flat.{name}.from_days")
            amount = ctx.get(f"flat.{name}.amount")
        except NotInForce:
            continue
        bands.append((_int(low), _int(amount), [low, amount]))
    return sorted(bands, key=lambda b: b[0])


def _ma(ctx: _Ctx, months: Mapping[int, CareerEntry], age_ok: bool, ignored: int) -> _Outcome:
    cap_used = ctx.get("days.max_per_month")
    per_month = _int(cap_used)
    days = sum(min(e.days, per_month) for e in months.values())
    over = sum(1 for e in months.values() if e.days > per_month)
    steps = [
        _step(
            "periods",
            f"declared days, at most {per_month} a month ({over} month(s) above it)",
            f"{days} days",
            [cap_used],
            notes=_ignored_note(ignored),
        )
    ]
    need = ctx.get("eligibility.min_days")
    full = ctx.get("full_rate_days")
    bands = _ma_bands(ctx)
    outcome: Outcome
    if not age_ok:
        outcome = "not_eligible"
    elif days >= _int(full):
        outcome = "pension"
    elif days >= _int(need) and bands and days >= bands[0][0]:
        outcome = "flat_pension"
    else:
        outcome = "refund" if _has_value(ctx, "refund.below_min_days") else "not_eligible"
    if not age_ok:
        verdict = "not eligible (age)"
    else:
        verdict = {
            "pension": f"pension (at least {_int(full)} days)",
            "flat_pension": f"flat pension ({_int(need)} to {_int(full) - 1} days)",
            "refund": "below the minimum: refund of contributions",
            "not_eligible": "not eligible",
        }[outcome]
    steps.append(
        _step(
            "eligibility",
            f"pension from {_int(full)} days; minimum {_int(need)} days",
            verdict,
            [need, full],
        )
    )
    if outcome in ("not_eligible", "refund"):
        extra: list[Used] = []
        notes = []
        if outcome == "refund":
            extra.append(ctx.get("refund.below_min_days"))
            notes.append("the refund's amount is not computed by Tadamun")
        steps.append(
            _result_step(
                ctx,
                outcome,
                0,
                "no pension is due" + ("; the contributions are refunded" if extra else ""),
                used=extra,
                notes=notes,
            )
        )
        return _Outcome(outcome, 0, None, None, steps)
    if outcome == "flat_pension":
        band_low, band_amount, used = max((b for b in bands if b[0] <= days), key=lambda b: b[0])
        upper = [b[0] for b in bands if b[0] > band_low]
        until = f"{min(upper) - 1}" if upper else f"{_int(full) - 1}"
        steps.append(
            _step(
                "flat",
                f"{days} days fall in the band {band_low} to {until} days",
                ctx.money(band_amount),
                used,
                amount=band_amount,
            )
        )
        steps.append(
            _result_step(ctx, outcome, band_amount, "the flat pension of the band", used=used)
        )
        return _Outcome(outcome, band_amount, None, None, steps)

    ref_step = _ma_reference(ctx, months)
    steps.append(ref_step)
    reference = ref_step.amount or 0
    base = ctx.get("base_rate")
    step_days = ctx.get("extra_days")
    extra_rate = ctx.get("extra_rate")
    top = ctx.get("max_rate")
    periods = (days - _int(full)) // _int(step_days)
    rate_ppm = min(_ppm(base) + periods * _ppm(extra_rate), _ppm(top))
    rate = Decimal(rate_ppm) / PPM
    steps.append(
        _step(
            "rate",
            f"min({_pct(Decimal(_ppm(base)) / PPM)} + ⌊({days} − {_int(full)}) ÷ "
            f"{_int(step_days)}⌋ = {periods} × {_pct(Decimal(_ppm(extra_rate)) / PPM)}, "
            f"{_pct(Decimal(_ppm(top)) / PPM)})",
            _pct(rate),
            [base, full, step_days, extra_rate, top],
            rate=rate,
        )
    )
    gross = ctx.div(reference * rate_ppm, PPM)
    steps.append(
        _step("gross", f"{ctx.money(reference)} × {_pct(rate)}", ctx.money(gross), amount=gross)
    )
    low = ctx.get("minimum")
    amount = max(gross, _int(low))
    steps.append(
        _step(
            "minimum",
            f"max({ctx.money(gross)}, {ctx.money(_int(low))})",
            ctx.money(amount),
            [low],
            amount=amount,
        )
    )
    steps.append(_result_step(ctx, outcome, amount, "after rate and minimum"))
    return _Outcome(outcome, amount, rate, reference, steps)


def _has_value(ctx: _Ctx, name: str) -> bool:
    try:
        return bool(ctx.get(name)[1].value)
    except (NotInForce, UnknownParameter):
        return False


# --- Tunisia --------------------------------------------------------------------------------


def _tn(ctx: _Ctx, months: Mapping[int, CareerEntry], age_ok: bool, ignored: int) -> _Outcome:
    declared = sorted(m for m, e in months.items() if e.wage > 0)
    quarters = len(declared) // 3
    steps = [
        _step(
            "periods",
            f"{len(declared)} months with a declared wage; quarters = {len(declared)} ÷ 3, "
            "rounded down",
            f"{len(declared)} months, {quarters} quarters",
            notes=_ignored_note(ignored),
        )
    ]
    need = ctx.get("eligibility.min_months")
    outcome: Outcome = "pension" if age_ok and len(declared) >= _int(need) else "not_eligible"
    steps.append(
        _step(
            "eligibility",
            f"at least {_int(need)} months of contribution; age condition "
            f"{'met' if age_ok else 'not met'}",
            "pension" if outcome == "pension" else "not eligible",
            [need],
            notes=[]
            if outcome == "pension" or not age_ok
            else ["the proportional pension / old-age allowance (art. 39-40) is not computed"],
        )
    )
    if outcome == "not_eligible":
        steps.append(_result_step(ctx, outcome, 0, "no pension is due"))
        return _Outcome(outcome, 0, None, None, steps)

    # Reference wage.
    start_month = month_index(ctx.start.year, ctx.start.month)
    window_used = ctx.get("reference_wage.months")
    multiple = ctx.get("reference_wage.cap_smig_multiple")
    hours_year = ctx.get("reference_wage.smig_hours_per_year")
    hours_month = ctx.get("reference_wage.smig_hours_per_month")
    revaluation = ctx.get("reference_wage.revaluation")
    smig_param = ctx.pack.param("smig.monthly_48h")
    window = [m for m in range(start_month - _int(window_used), start_month) if m in months]
    window = [m for m in window if months[m].wage > 0]
    by_year: dict[int, tuple[int, int]] = {}  # year -> (wages, sum of monthly SMIG)
    fell_back = 0
    used: list[Used] = [window_used, multiple, hours_year, hours_month, revaluation]
    for m in window:
        dated, old = _value_or_first(smig_param, period_start(m))
        fell_back += old
        wages, smig_sum = by_year.get(m // 12, (0, 0))
        by_year[m // 12] = (wages + months[m].wage, smig_sum + _int((smig_param.path, dated)))
    counted_total = 0
    limited: list[str] = []
    for year, (wages, smig_sum) in sorted(by_year.items()):
        limit = ctx.div(
            _ppm(multiple) * _int(hours_year) * smig_sum,
            PPM * 12 * _int(hours_month),
        )
        if wages > limit:
            limited.append(f"{1970 + year}: {ctx.money(wages)} → {ctx.money(limit)}")
        counted_total += min(wages, limit)
    reference = ctx.div(counted_total, len(window)) if window else 0
    notes = []
    status = "S"
    if fell_back:
        status = "U"
        notes.append(
            f"{fell_back} month(s) are before the first SMIG of the pack "
            f"({smig_param.first_date.isoformat()}): its first value was used for the limit"
        )
    if limited:
        notes.append("years limited to 6 × SMIG × 2,400 h: " + "; ".join(limited))
    steps.append(
        _step(
            "reference_wage",
            f"declared wages of the {_int(window_used)} months before the start "
            f"({len(window)} with a wage), each year limited to {format(multiple[1].value, 'f')}"
            f" × SMIG ÷ {_int(hours_month)} h × {_int(hours_year)} h: "
            f"{ctx.money(counted_total)} ÷ {len(window)}",
            ctx.money(reference),
            used,
            amount=reference,
            status=status,
            notes=notes,
        )
    )
    first_q = ctx.get("rate.first_quarters")
    first = ctx.get("rate.first")
    further = ctx.get("rate.further")
    top = ctx.get("rate.max")
    low_q = min(quarters, _int(first_q))
    high_q = max(quarters - _int(first_q), 0)
    rate_ppm = min(low_q * _ppm(first) + high_q * _ppm(further), _ppm(top))
    rate = Decimal(rate_ppm) / PPM
    steps.append(
        _step(
            "rate",
            f"min({low_q} × {_pct(Decimal(_ppm(first)) / PPM)} + {high_q} × "
            f"{_pct(Decimal(_ppm(further)) / PPM)}, {_pct(Decimal(_ppm(top)) / PPM)})",
            _pct(rate),
            [first_q, first, further, top],
            rate=rate,
        )
    )
    gross = ctx.div(reference * rate_ppm, PPM)
    steps.append(
        _step("gross", f"{ctx.money(reference)} × {_pct(rate)}", ctx.money(gross), amount=gross)
    )
    num_used = ctx.get("minimum.smig_numerator")
    den_used = ctx.get("minimum.smig_denominator")
    num, den = _int(num_used), _int(den_used)
    smig_now = smig_param.at(ctx.start)
    smig_amount = _int((smig_param.path, smig_now))
    minimum = ctx.div(smig_amount * num * _int(hours_year), den * 12 * _int(hours_month))
    amount = max(gross, minimum)
    steps.append(
        _step(
            "minimum",
            f"max({ctx.money(gross)}, {num}/{den} × SMIG "
            f"{ctx.money(smig_amount)} ÷ {_int(hours_month)} h × {_int(hours_year)} h ÷ 12 "
            f"= {ctx.money(minimum)})",
            ctx.money(amount),
            [num_used, den_used, hours_year, hours_month, ("smig.monthly_48h", smig_now)],
            amount=amount,
        )
    )
    steps.append(_result_step(ctx, outcome, amount, "after rate and minimum"))
    return _Outcome(outcome, amount, rate, reference, steps)
