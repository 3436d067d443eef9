"""Late-payment (and late-declaration) penalties, exactly, from a regime's dated penalty schedule.

A regime's ``penalties.yaml`` describes each penalty as a **schedule** (see
``docs/rules-packs.md`` and the packs themselves)::

    penalties.late_payment                 the surcharge on contributions paid late
      .step_months   (month)  length of one step of delay: 1 = a month, 3 = a quarter
      .first         (/1)     rate for the first step of delay (or part of it)
      .further       (/1)     rate added for each further step of delay (or part of it)
      .cap           (/1)     optional: the cumulative rate never exceeds this
      .not_declared  (schedule, optional)  added when the wages were not declared (Tunisia)
      .by_branch.<branch> (schedule, optional)  replaces the general schedule for one branch
                                                (Morocco: AMO)
    penalties.late_declaration.<kind>      optional: surcharges for a declaration filed late
                                           (Algeria: DAS, DAC), same shape

Conventions (the same in the scalar and the vectorised functions):

* **A month of delay, or part of one.** Month *k* of delay (k = 1, 2, …) runs from the day after
  ``add_months(due, k - 1)`` to ``add_months(due, k)`` inclusive, where ``add_months`` keeps the
  day of the month of ``due`` and clamps it to the end of a shorter month, always counted from the
  original due date (due 31 January → months end 29 February 2024, 31 March, 30 April…). The
  number of months of delay is the smallest *k* with ``paid <= add_months(due, k)``: paid on the
  due date or before → 0; one day late → 1; paid exactly one month after the due date → 1; one
  month and one day → 2. A payment made *on* the due date is on time; a payment *before* it is on
  time too (not an error).
* **Steps.** A schedule whose step is *n* months (``step_months``; 3 for "per quarter") counts
  ``ceil(months / n)`` steps: step *s* covers months ``(s - 1)·n + 1 … s·n`` of delay. The length
  of a step is the value in force on the first day of delay.
* **Which value applies.** Each step uses the rate (and cap) in force on its own first day, so a
  delay that straddles a change (Morocco's 2025 reform) uses the old rate for the steps that
  began before it and the new rate after.
* **Cumulative rate.** ``first`` for step 1, ``further`` for every later step, summed; with a
  ``cap`` the cumulative rate stops at the cap in force at that step. Components (late payment,
  undeclared wages) accumulate separately, each with its own cap.
* **Rounding.** Each step's surcharge, ``amount × step rate``, is rounded on its own with
  ``pack.rounding["penalty"]`` (the packs say: one debt, one month of delay, rounded before it is
  posted to the ledger); the penalty is the sum of the rounded step amounts.
* Amounts are integers of minor units; rates are exact integers of parts per million. No float.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from tadamun.rules.errors import (
    InvalidAmount,
    InvalidDate,
    NotInForce,
    UnknownBranch,
    UnknownParameter,
)
from tadamun.rules.money import Currency, Int64Array
from tadamun.rules.parameters import PPM, Pack, Parameter, Reference
from tadamun.rules.periods import add_months

#: The largest amount accepted, in minor units (as for contribution bases): 10 billion major units.
MAX_AMOUNT = 10**12

ROOT = "penalties.late_payment"
DECLARATION_ROOT = "penalties.late_declaration"

Component = Literal["late_payment", "not_declared", "late_declaration"]
DateArray = npt.NDArray[np.datetime64]


# --- schedules ------------------------------------------------------------------------------


_COMPONENT_LABELS: dict[str, dict[str, str]] = {
    "late_payment": {
        "fr": "majoration de retard de paiement",
        "ar": "زيادة التأخر في الدفع",
        "en": "late-payment surcharge",
    },
    "not_declared": {
        "fr": "pénalité pour salaires non déclarés",
        "ar": "غرامة عدم التصريح بالأجور",
        "en": "surcharge for undeclared wages",
    },
    "late_declaration": {
        "fr": "pénalité de retard de déclaration",
        "ar": "غرامة التأخر في التصريح",
        "en": "late-declaration penalty",
    },
}


@dataclass(frozen=True)
class Schedule:
    """One penalty schedule of a pack, resolved to its parameters."""

    path: str
    component: Component
    label: Mapping[str, str]
    step_months: Parameter
    first: Parameter
    further: Parameter
    cap: Parameter | None


def _schedule(pack: Pack, path: str, component: Component, label: Mapping[str, str]) -> Schedule:
    def need(name: str, unit: str) -> Parameter:
        param = pack.param(f"{path}.{name}")
        if param.unit != unit:
            raise UnknownParameter(
                f"{pack.id}: {path}.{name} has unit {param.unit!r}; "
                f"a penalty schedule needs {unit!r}"
            )
        return param

    cap = need("cap", "/1") if pack.has_param(f"{path}.cap") else None
    return Schedule(
        path=path,
        component=component,
        label=label,
        step_months=need("step_months", "month"),
        first=need("first", "/1"),
        further=need("further", "/1"),
        cap=cap,
    )


def _has_node(pack: Pack, path: str) -> bool:
    try:
        pack.node(path)
    except UnknownParameter:
        return False
    return True


def schedules(pack: Pack, *, declared: bool = True, branch: str | None = None) -> list[Schedule]:
    """The schedules a late payment of ``pack`` accrues, in the order they are shown."""
    if not _has_node(pack, ROOT):
        raise UnknownParameter(f"regime {pack.id} has no late-payment penalties ({ROOT})")
    path = ROOT
    label = dict(_COMPONENT_LABELS["late_payment"])
    if branch is not None:
        by_branch = f"{ROOT}.by_branch.{branch}"
        if _has_node(pack, by_branch):
            path = by_branch
        elif branch not in pack.branches:
            known = ", ".join(pack.branches) or "none"
            raise UnknownBranch(
                f"branch: {branch!r} is not a branch of regime {pack.id}; known branches: {known}"
            )
        if branch in pack.branches:
            names = pack.branches[branch].label
            label = {lang: f"{text} — {names.get(lang, branch)}" for lang, text in label.items()}
    found = [_schedule(pack, path, "late_payment", label)]
    if not declared:
        extra = f"{ROOT}.not_declared"
        if not _has_node(pack, extra):
            raise UnknownParameter(
                f"declared: regime {pack.id} has no surcharge for undeclared wages ({extra}); "
                "a late declaration is a separate penalty (see late_declaration)"
            )
        found.append(_schedule(pack, extra, "not_declared", _COMPONENT_LABELS["not_declared"]))
    return found


def declaration_schedule(pack: Pack, kind: str) -> Schedule:
    """The late-declaration schedule ``kind`` (e.g. ``das``, ``dac``) of ``pack``."""
    if not _has_node(pack, DECLARATION_ROOT):
        raise UnknownParameter(f"regime {pack.id} has no late-declaration penalties")
    kinds = [k for k in pack.node(DECLARATION_ROOT).children]
    if kind not in kinds:
        raise UnknownParameter(
            f"kind: {kind!r} is not a late-declaration penalty of regime {pack.id}; "
            f"known: {', '.join(kinds)}"
        )
    base = _COMPONENT_LABELS["late_declaration"]
    label = {lang: f"{text} ({kind.upper()})" for lang, text in base.items()}
    return _schedule(pack, f"{DECLARATION_ROOT}.{kind}", "late_declaration", label)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyStep:
    """One step of delay of one component, or the single "on time" step."""

    index: int  # 1-based step of delay; 0 for "paid on time"
    component: str  # late_payment | not_declared | late_declaration | on_time
    start: dt.date  # first day of this step of delay (the due date for "on time")
    end: dt.date  # last day of this step of delay (the payment date for "on time")
    label: Mapping[str, str]  # fr / ar / en
    parameter: str | None  # path of the rate applied
    rate: Decimal  # rate added by this step (after any cap)
    cumulative_rate: Decimal  # this component's cumulative rate after this step
    amount: int  # this step's surcharge in minor units, rounded
    references: tuple[Reference, ...]
    status: str  # S / D / C / U of the value applied
    note: str | None = None

    @property
    def reference(self) -> str:
        return "; ".join(map(str, self.references))


@dataclass(frozen=True)
class PenaltyResult:
    regime: str
    currency: Currency
    amount: int  # the debt, in minor units
    due: dt.date
    paid: dt.date
    declared: bool
    branch: str | None
    months: int  # months (or part of a month) of delay; 0 when paid on time
    rate: Decimal  # total cumulative rate of all components
    penalty: int  # sum of the rounded step amounts, in minor units
    steps: tuple[PenaltyStep, ...]

    @property
    def total(self) -> int:
        """The debt plus its penalty."""
        return self.amount + self.penalty

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``: amounts in major units (text) and in minor units."""
        cur = self.currency
        return {
            "regime": self.regime,
            "currency": cur.code,
            "amount": cur.format(self.amount),
            "amount_minor": self.amount,
            "due": self.due.isoformat(),
            "paid": self.paid.isoformat(),
            "declared": self.declared,
            "branch": self.branch,
            "months_of_delay": self.months,
            "rate": _plain(self.rate),
            "penalty": cur.format(self.penalty),
            "penalty_minor": self.penalty,
            "total": cur.format(self.total),
            "total_minor": self.total,
            "steps": [
                {
                    "index": step.index,
                    "component": step.component,
                    "start": step.start.isoformat(),
                    "end": step.end.isoformat(),
                    "label": dict(step.label),
                    "parameter": step.parameter,
                    "rate": _plain(step.rate),
                    "cumulative_rate": _plain(step.cumulative_rate),
                    "amount": cur.format(step.amount),
                    "amount_minor": step.amount,
                    "status": step.status,
                    "note": step.note,
                    "references": [{"title": r.title, "href": r.href} for r in step.references],
                }
                for step in self.steps
            ],
        }

    def to_text(self) -> str:
        """A readable breakdown, one line per step of delay, with its source."""
        cur = self.currency
        lines = [
            f"Late-payment penalty — {self.regime}"
            + (f", branch {self.branch}" if self.branch else "")
            + ("" if self.declared else ", wages not declared"),
            f"Amount owed: {cur.format(self.amount)} {cur.code}; due {self.due.isoformat()}, "
            f"paid {self.paid.isoformat()}: {self.months} month(s) of delay",
            "",
        ]
        for step in self.steps:
            if step.index == 0:
                lines.append(f"  {step.label['en']} / {step.label['fr']}")
                continue
            lines.append(
                f"  {step.label['en']} ({step.start.isoformat()} to {step.end.isoformat()}): "
                f"+{_percent(step.rate)} (cumulative {_percent(step.cumulative_rate)}) = "
                f"{cur.format(step.amount)}  [status {step.status}]"
            )
            lines.append(f"      {step.label['fr']}")
            for ref in step.references:
                lines.append(f"      source: {ref.title} <{ref.href}>")
            if step.note:
                lines.append(f"      note: {step.note}")
        lines.append("")
        lines.append(
            f"Penalty: {cur.format(self.penalty)} {cur.code} ({_percent(self.rate)}); "
            f"amount with penalty: {cur.format(self.total)} {cur.code}"
        )
        return "\n".join(lines) + "\n"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


# --- scalar ---------------------------------------------------------------------------------


def months_of_delay(due: dt.date, paid: dt.date) -> int:
    """Months of delay, a part of a month counting as a month (see the module docstring)."""
    if paid <= due:
        return 0
    diff = (paid.year - due.year) * 12 + (paid.month - due.month)
    return diff if paid <= add_months(due, diff) else diff + 1


def _check_date(value: object, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidDate(f"{field}: {value!r} is not a date (a datetime.date is required)")
    return value


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int | np.integer):
        raise InvalidAmount(
            f"amount: {amount!r} is not a whole number of minor units (centimes, millimes)"
        )
    value = int(amount)
    if value < 0:
        raise InvalidAmount(
            f"amount: {value} (minor units) is negative; a penalty applies to an amount owed of "
            "zero or more"
        )
    if value > MAX_AMOUNT:
        raise InvalidAmount(
            f"amount: {value} (minor units) is above the limit of {MAX_AMOUNT}; check that it is "
            "in minor units"
        )
    return value


def _step_label(step_months: int, index: int, component: Mapping[str, str]) -> dict[str, str]:
    if step_months == 1:
        fr, ar, en = (
            f"Mois {index} de retard",
            f"الشهر {index} من التأخير",
            f"Month {index} of delay",
        )
    elif step_months == 3:
        fr = f"Trimestre {index} de retard"
        ar = f"الثلاثي {index} من التأخير"
        en = f"Quarter {index} of delay"
    else:
        fr = f"Période {index} de retard ({step_months} mois)"
        ar = f"الفترة {index} من التأخير ({step_months} أشهر)"
        en = f"Period {index} of delay ({step_months} months)"
    return {
        "fr": f"{fr} — {component.get('fr', '')}",
        "ar": f"{ar} — {component.get('ar', '')}",
        "en": f"{en} — {component.get('en', '')}",
    }


_ON_TIME_LABEL = {
    "fr": "Payé à l'échéance ou avant : aucune majoration",
    "ar": "دُفع في الأجل أو قبله: لا توجد زيادة",
    "en": "Paid on or before the due date: no penalty",
}


def _scalar_steps(
    pack: Pack, sched: Schedule, amount: int, due: dt.date, months: int
) -> list[PenaltyStep]:
    rounding = pack.rounding["penalty"]
    first_day = due + dt.timedelta(days=1)
    length = sched.step_months.int_at(first_day)
    if length < 1:
        raise UnknownParameter(f"{pack.id}: {sched.step_months.path} must be at least 1 month")
    count = -(-months // length)
    steps: list[PenaltyStep] = []
    cumulative = 0
    for index in range(1, count + 1):
        start = add_months(due, (index - 1) * length) + dt.timedelta(days=1)
        end = add_months(due, index * length)
        param = sched.first if index == 1 else sched.further
        dated = param.at(start)
        wanted = cumulative + dated.ppm
        if sched.cap is not None:
            wanted = max(cumulative, min(wanted, sched.cap.at(start).ppm))
        added = wanted - cumulative
        cumulative = wanted
        steps.append(
            PenaltyStep(
                index=index,
                component=sched.component,
                start=start,
                end=end,
                label=_step_label(length, index, sched.label),
                parameter=param.path,
                rate=Decimal(added) / PPM,
                cumulative_rate=Decimal(cumulative) / PPM,
                amount=rounding.divide(amount * added, PPM),
                references=dated.references,
                status=dated.status,
                note=dated.note,
            )
        )
    return steps


def _result(
    pack: Pack,
    scheds: Sequence[Schedule],
    *,
    amount: object,
    due: object,
    paid: object,
    declared: bool,
    branch: str | None,
) -> PenaltyResult:
    value = _check_amount(amount)
    due_date = _check_date(due, "due")
    paid_date = _check_date(paid, "paid")
    months = months_of_delay(due_date, paid_date)
    steps: list[PenaltyStep] = []
    if months == 0:
        steps.append(
            PenaltyStep(
                index=0,
                component="on_time",
                start=due_date,
                end=paid_date,
                label=_ON_TIME_LABEL,
                parameter=None,
                rate=Decimal(0),
                cumulative_rate=Decimal(0),
                amount=0,
                references=(),
                status="S",
            )
        )
    else:
        by_component = [_scalar_steps(pack, s, value, due_date, months) for s in scheds]
        # Shown step by step of delay: for each step, each component (late payment, then the
        # surcharge for undeclared wages).
        longest = max(len(c) for c in by_component)
        for i in range(longest):
            steps.extend(c[i] for c in by_component if i < len(c))
    rate_ppm = sum(int(s.rate * PPM) for s in steps)
    return PenaltyResult(
        regime=pack.id,
        currency=pack.currency,
        amount=value,
        due=due_date,
        paid=paid_date,
        declared=declared,
        branch=branch,
        months=months,
        rate=Decimal(rate_ppm) / PPM,
        penalty=sum(s.amount for s in steps),
        steps=tuple(steps),
    )


def late_payment(
    pack: Pack,
    *,
    amount: int,
    due: dt.date,
    paid: dt.date,
    declared: bool = True,
    branch: str | None = None,
) -> PenaltyResult:
    """The late-payment penalty on ``amount`` (minor units) due on ``due`` and paid on ``paid``.

    ``declared=False`` adds the regime's surcharge for undeclared wages (an error for a regime
    that has none). ``branch`` selects a branch's own schedule when the regime has one (Morocco's
    AMO); any other branch of the regime uses the general schedule; an unknown branch raises
    :class:`UnknownBranch`. Paid on or before the due date: zero, with one step saying so.
    See the module docstring for how months of delay are counted and rounded.
    """
    scheds = schedules(pack, declared=declared, branch=branch)
    return _result(
        pack, scheds, amount=amount, due=due, paid=paid, declared=declared, branch=branch
    )


def late_declaration(
    pack: Pack, *, kind: str, amount: int, due: dt.date, filed: dt.date
) -> PenaltyResult:
    """The penalty for declaration ``kind`` (``das``, ``dac``…) filed on ``filed``, due ``due``.

    ``amount`` is the contributions the declaration concerns, in minor units; months of delay
    and rounding follow the same conventions as :func:`late_payment`.
    """
    sched = declaration_schedule(pack, kind)
    return _result(pack, [sched], amount=amount, due=due, paid=filed, declared=True, branch=None)


# --- vectorised -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyBatch:
    """Per-line results of :func:`late_payment_many` (int64 arrays)."""

    months: Int64Array  # months (or part) of delay
    rate_ppm: Int64Array  # total cumulative rate, parts per million
    penalty: Int64Array  # minor units, sum of rounded steps

    def rate(self, line: int) -> Decimal:
        return Decimal(int(self.rate_ppm[line])) / PPM


def _as_days(values: object, field: str) -> DateArray:
    arr = np.asarray(values)
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype("datetime64[D]")
        except (TypeError, ValueError):
            raise InvalidDate(f"{field}: not dates (datetime64[D] or datetime.date)") from None
    if arr.dtype.kind != "M":
        raise InvalidDate(f"{field}: dates must be datetime64[D], not {arr.dtype}")
    days = arr.astype("datetime64[D]")
    if np.isnat(days).any():
        at = int(np.argmax(np.isnat(days)))
        raise InvalidDate(f"line {at + 1}: {field} is missing (NaT)")
    return days


def _month_parts(day: DateArray) -> tuple[npt.NDArray[np.datetime64], Int64Array]:
    month = day.astype("datetime64[M]")
    dom = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
    return month, dom


def _days_in_month(month: npt.NDArray[np.datetime64]) -> Int64Array:
    start = month.astype("datetime64[D]")
    following = (month + np.timedelta64(1, "M")).astype("datetime64[D]")
    days: Int64Array = (following - start).astype(np.int64)
    return days


def _add_months_array(day: DateArray, months: Int64Array) -> DateArray:
    """Vectorised :func:`tadamun.rules.periods.add_months` (day clamped to the month's end)."""
    month, dom = _month_parts(day)
    target = month + months.astype("timedelta64[M]")
    clamped = np.minimum(dom, _days_in_month(target))
    moved: DateArray = target.astype("datetime64[D]") + (clamped - 1).astype("timedelta64[D]")
    return moved


def months_of_delay_array(due: DateArray, paid: DateArray) -> Int64Array:
    """Vectorised :func:`months_of_delay`."""
    due_month, due_dom = _month_parts(due)
    paid_month, paid_dom = _month_parts(paid)
    diff = (paid_month - due_month).astype(np.int64)
    anchor = np.minimum(due_dom, _days_in_month(paid_month))
    months = np.where(paid_dom <= anchor, diff, diff + 1)
    return np.where(paid <= due, 0, months).astype(np.int64)


@dataclass(frozen=True)
class _Table:
    path: str
    starts: DateArray
    values: Int64Array  # ppm (rates) or integers; -1 where the parameter has ended


def _table(param: Parameter) -> _Table:
    values = []
    for dated in param.values:
        if dated.value is None:
            values.append(-1)
        elif param.unit == "/1":
            values.append(dated.ppm)
        else:
            assert isinstance(dated.value, int)
            values.append(dated.value)
    return _Table(
        path=param.path,
        starts=np.array([v.start for v in param.values], dtype="datetime64[D]"),
        values=np.asarray(values, dtype=np.int64),
    )


def _lookup(table: _Table, when: DateArray, rows: Int64Array) -> Int64Array:
    """The value in force on each date; ``rows`` are the lines' numbers, for messages."""
    index = np.searchsorted(table.starts, when, side="right") - 1
    picked = table.values[np.maximum(index, 0)]
    bad = (index < 0) | (picked < 0)
    if bad.any():
        at = int(np.argmax(bad))
        raise NotInForce(
            f"line {int(rows[at]) + 1}: {table.path}: no value in force on {when[at]} "
            f"(its first value starts {table.starts[0]})"
        )
    return picked


def late_payment_many(
    pack: Pack,
    amounts: Sequence[int] | Int64Array,
    due: Sequence[dt.date] | DateArray,
    paid: Sequence[dt.date] | DateArray,
    *,
    declared: bool = True,
    branch: str | None = None,
) -> PenaltyBatch:
    """:func:`late_payment` over whole arrays, with the same numbers and no loop per line.

    ``amounts`` are int64 minor units; ``due`` and ``paid`` are datetime64[D] (or dates). The
    only Python loop runs over the steps of delay (at most the longest delay in the batch).
    """
    scheds = schedules(pack, declared=declared, branch=branch)
    amount = np.asarray(amounts)
    if amount.dtype.kind not in "iu":
        raise InvalidAmount(
            "amounts: must be whole numbers of minor units (centimes, millimes), "
            f"not {amount.dtype}"
        )
    amount = amount.astype(np.int64)
    due_d = _as_days(due, "due")
    paid_d = _as_days(paid, "paid")
    n = amount.shape[0]
    for name, arr in (("due", due_d), ("paid", paid_d)):
        if arr.shape != (n,):
            raise InvalidDate(f"{name}: {arr.shape[0]} lines, but amounts has {n}")
    if n and int(amount.min()) < 0:
        at = int(np.argmax(amount < 0))
        raise InvalidAmount(
            f"line {at + 1}: amount {int(amount[at])} (minor units) is negative; a penalty "
            "applies to an amount owed of zero or more"
        )
    if n and int(amount.max()) > MAX_AMOUNT:
        at = int(np.argmax(amount > MAX_AMOUNT))
        raise InvalidAmount(
            f"line {at + 1}: amount {int(amount[at])} (minor units) is above the limit of "
            f"{MAX_AMOUNT}; check that it is in minor units"
        )

    months = months_of_delay_array(due_d, paid_d)
    rate = np.zeros(n, dtype=np.int64)
    penalty = np.zeros(n, dtype=np.int64)
    rounding = pack.rounding["penalty"]
    late = np.flatnonzero(months > 0)
    if late.size:
        l_amount, l_due, l_months = amount[late], due_d[late], months[late]
        for sched in scheds:
            length = _lookup(_table(sched.step_months), l_due + np.timedelta64(1, "D"), late)
            if int(length.min()) < 1:
                raise UnknownParameter(f"{pack.id}: {sched.step_months.path} must be at least 1")
            steps = (l_months + length - 1) // length
            first, further = _table(sched.first), _table(sched.further)
            cap = _table(sched.cap) if sched.cap is not None else None
            cumulative = np.zeros(late.size, dtype=np.int64)
            for index in range(1, int(steps.max()) + 1):
                live = np.flatnonzero(steps >= index)
                start = _add_months_array(l_due[live], (index - 1) * length[live]) + np.timedelta64(
                    1, "D"
                )
                step_rate = _lookup(first if index == 1 else further, start, late[live])
                wanted = cumulative[live] + step_rate
                if cap is not None:
                    ceiling = _lookup(cap, start, late[live])
                    wanted = np.maximum(cumulative[live], np.minimum(wanted, ceiling))
                added = wanted - cumulative[live]
                cumulative[live] = wanted
                penalty[late[live]] += rounding.divide_array(l_amount[live] * added, PPM)
            rate[late] += cumulative
    return PenaltyBatch(months=months, rate_ppm=rate, penalty=penalty)
