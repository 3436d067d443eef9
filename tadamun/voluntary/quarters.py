"""Which quarters a member may pay, and what they cost, from the ``dz-abroad`` pack.

Pure Python (no Django). A quarter is one of four kinds, relative to the member's affiliation date
and the day of payment:

* ``back`` — before the affiliation quarter: a back-payment (rachat), at most
  ``declarations.back_payment.max_years`` years before the affiliation, and never before the
  scheme's rates are in force. It was never due, so it carries no surcharge; it is due on the
  day it is declared.
* ``late`` — from the affiliation quarter on, whose due date
  (``declarations.payment.due_days`` after the quarter's end, status U) has passed: it carries
  the late-payment surcharge of ``penalties.late_payment`` (+15 % per quarter of delay or part of
  one, status S for the first, U for each further quarter), computed to the day of payment.
* ``current`` — the current quarter; ``due`` — a past quarter whose due date has not passed.
* ``advance`` — a future quarter of the current calendar year.

All the chosen quarters are computed at once: one :func:`tadamun.rules.contributions.compute`
over the whole batch (each quarter with the parameters in force then), the seed's flat reading
beside it, and one :func:`tadamun.rules.penalties.late_payment_many` per branch for the late ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np

from tadamun.errors import Problem
from tadamun.funds.periods import Period, Periodicity
from tadamun.rules.contributions import MAX_BASE, LineBatch, compute
from tadamun.rules.errors import NotInForce
from tadamun.rules.money import Currency
from tadamun.rules.parameters import Pack, PackSet, load_packs
from tadamun.rules.penalties import late_payment_many
from tadamun.rules.periods import month_index
from tadamun.voluntary.problems import problem

REGIME = "dz-abroad"
FLAT_VARIANT = "seed-flat"
#: How many quarters one declaration may hold: five years of back-payment plus a whole year.
MAX_QUARTERS = 24

Kind = Literal["back", "late", "due", "current", "advance"]


def quarter_of(day: dt.date) -> Period:
    return Period.containing(day, Periodicity.QUARTERLY)


def quarter_number(period: Period) -> int:
    """Quarters since year 0, so that quarters subtract."""
    return period.start.year * 4 + (period.start.month - 1) // 3


def quarter_from_number(number: int) -> Period:
    year, index = divmod(number, 4)
    return Period(dt.date(year, 3 * index + 1, 1), Periodicity.QUARTERLY)


def parse_quarter(text: str) -> Period | None:
    """``2026-Q3`` (or the French ``2026-T3``) to its period; None when it is not a quarter."""
    cleaned = str(text or "").strip().upper().replace("-T", "-Q")
    try:
        period = Period.parse(cleaned)
    except ValueError:
        return None
    if period.periodicity is not Periodicity.QUARTERLY or period.start.year < 1900:
        return None
    return period


def due_date(pack: Pack, period: Period) -> dt.date:
    days = pack.param("declarations.payment.due_days").int_at(period.end)
    return period.end + dt.timedelta(days=days)


def monthly_floor(pack: Pack, period: Period) -> int:
    """The smallest monthly base (minor units) for ``period``: floor_factor × SNMG."""
    smig = pack.param("dz-common:smig.monthly").int_at(period.start)
    factor = pack.param("contributions.floor_factor").decimal_at(period.start)
    return int(Decimal(smig) * factor)


def first_quarter(pack: Pack) -> Period:
    """The first quarter wholly under the scheme's rates."""
    starts = [pack.param(p).first_date for p in pack.contribution_parameters()]
    first = max(starts)
    period = quarter_of(first)
    return period if period.start == first else period.next()


@dataclass(frozen=True)
class Window:
    """The quarters a member may choose on ``today``."""

    earliest: Period  # the oldest back-payment allowed
    affiliation: Period
    current: Period
    latest: Period  # the last quarter of the current year
    max_years: int

    def quarters(self) -> list[Period]:
        first, last = quarter_number(self.earliest), quarter_number(self.latest)
        return [quarter_from_number(n) for n in range(first, last + 1)]


def window(pack: Pack, *, affiliated_on: dt.date, today: dt.date) -> Window:
    affiliation = quarter_of(affiliated_on)
    max_years = pack.param("declarations.back_payment.max_years").int_at(affiliated_on)
    earliest_n = max(
        quarter_number(affiliation) - 4 * max_years, quarter_number(first_quarter(pack))
    )
    current = quarter_of(today)
    return Window(
        earliest=quarter_from_number(earliest_n),
        affiliation=affiliation,
        current=current,
        latest=Period(dt.date(today.year, 10, 1), Periodicity.QUARTERLY),
        max_years=max_years,
    )


def kind_of(pack: Pack, period: Period, win: Window, today: dt.date) -> Kind:
    if quarter_number(period) < quarter_number(win.affiliation):
        return "back"
    if quarter_number(period) > quarter_number(win.current):
        return "advance"
    if due_date(pack, period) < today:
        return "late"
    return "current" if period == win.current else "due"


def check_quarters(
    pack: Pack,
    chosen: Sequence[Period],
    *,
    affiliated_on: dt.date,
    today: dt.date,
    declared: set[str],
) -> list[Problem]:
    """Why any of ``chosen`` may not be paid now (each refusal names the quarter)."""
    win = window(pack, affiliated_on=affiliated_on, today=today)
    scheme_start = first_quarter(pack)
    problems: list[Problem] = []
    if not chosen:
        return [problem("quarters", "none_chosen")]
    if len(chosen) > MAX_QUARTERS:
        return [problem("quarters", "too_many", max=MAX_QUARTERS)]
    for period in chosen:
        n = quarter_number(period)
        if n < quarter_number(scheme_start):
            problems.append(
                problem(
                    "quarters", "before_scheme", quarter=period.label, earliest=scheme_start.label
                )
            )
        elif n < quarter_number(win.earliest):
            problems.append(
                problem(
                    "quarters",
                    "too_old",
                    quarter=period.label,
                    years=win.max_years,
                    earliest=win.earliest.label,
                )
            )
        elif n > quarter_number(win.latest):
            problems.append(
                problem("quarters", "beyond_year", quarter=period.label, latest=win.latest.label)
            )
        elif period.label in declared:
            problems.append(problem("quarters", "already_declared", quarter=period.label))
    return problems


@dataclass(frozen=True)
class QuarterLine:
    period: Period
    kind: Kind
    due: dt.date
    monthly_base: int
    quarterly_base: int
    amounts: dict[str, int]  # branch -> minor units (the decree's reading)
    contribution: int
    flat_amount: int  # the seed's flat reading, for comparison only
    surcharge: int
    surcharge_rate: Decimal
    months_late: int

    @property
    def total(self) -> int:
        return self.contribution + self.surcharge


@dataclass(frozen=True)
class Quote:
    currency: Currency
    lines: tuple[QuarterLine, ...]

    @property
    def contribution(self) -> int:
        return sum(line.contribution for line in self.lines)

    @property
    def surcharge(self) -> int:
        return sum(line.surcharge for line in self.lines)

    @property
    def flat_total(self) -> int:
        return sum(line.flat_amount for line in self.lines)

    @property
    def total(self) -> int:
        return self.contribution + self.surcharge


def check_base(pack: Pack, monthly_base: int, chosen: Sequence[Period]) -> list[Problem]:
    """The base must be at least the floor of every chosen quarter (no silent rounding up)."""
    currency = pack.currency
    if monthly_base * 3 > MAX_BASE:
        return [
            problem(
                "monthly_base",
                "above_maximum",
                maximum=f"{currency.format(MAX_BASE // 3)} {currency.code}",
            )
        ]
    for period in sorted(chosen):
        try:
            floor = monthly_floor(pack, period)
        except NotInForce:
            continue  # refused as a quarter before the scheme
        if monthly_base < floor:
            return [
                problem(
                    "monthly_base",
                    "below_minimum",
                    minimum=f"{currency.format(floor)} {currency.code}",
                    quarter=period.label,
                )
            ]
    return []


def quote(
    *,
    monthly_base: int,
    chosen: Sequence[Period],
    affiliated_on: dt.date,
    today: dt.date,
    packs: PackSet | None = None,
) -> Quote:
    """What the chosen quarters cost on ``today`` (checked quarters and base only)."""
    packs = packs if packs is not None else load_packs()
    pack = packs.regime(REGIME)
    win = window(pack, affiliated_on=affiliated_on, today=today)
    ordered = sorted(chosen)
    n = len(ordered)
    quarterly_base = monthly_base * pack.base_months
    periods = [month_index(p.start.year, p.start.month) for p in ordered]
    batch = LineBatch.from_columns(
        regime=[REGIME] * n, base=np.full(n, quarterly_base, dtype=np.int64), period=periods
    )
    decree = compute(batch, packs=packs)
    flat = compute(batch, packs=packs, variants={REGIME: FLAT_VARIANT})
    flat_total = flat.total()
    kinds = [kind_of(pack, p, win, today) for p in ordered]
    dues = [
        today if k == "back" else due_date(pack, p) for p, k in zip(ordered, kinds, strict=True)
    ]
    surcharge = np.zeros(n, dtype=np.int64)
    rate_ppm = np.zeros(n, dtype=np.int64)
    months = np.zeros(n, dtype=np.int64)
    late = [i for i, k in enumerate(kinds) if k == "late"]
    if late:
        for branch in pack.branches:
            branch_amounts = decree.amounts[(branch, "member")][late]
            batch_pen = late_payment_many(
                pack, branch_amounts, [dues[i] for i in late], [today] * len(late), branch=branch
            )
            surcharge[late] += batch_pen.penalty
            rate_ppm[late] = batch_pen.rate_ppm
            months[late] = batch_pen.months
    lines = []
    for i, period in enumerate(ordered):
        amounts = {branch: int(decree.amounts[(branch, "member")][i]) for branch in pack.branches}
        lines.append(
            QuarterLine(
                period=period,
                kind=kinds[i],
                due=dues[i],
                monthly_base=monthly_base,
                quarterly_base=quarterly_base,
                amounts=amounts,
                contribution=sum(amounts.values()),
                flat_amount=int(flat_total[i]),
                surcharge=int(surcharge[i]),
                surcharge_rate=Decimal(int(rate_ppm[i])) / 1_000_000,
                months_late=int(months[i]),
            )
        )
    return Quote(currency=pack.currency, lines=tuple(lines))


@dataclass(frozen=True)
class SurchargeRule:
    """The late-payment surcharge as the page shows it: rates and their status."""

    first: Decimal
    first_status: str
    further: Decimal
    further_status: str
    step_months: int
    step_status: str
    due_days: int
    due_status: str


def surcharge_rule(pack: Pack, on: dt.date) -> SurchargeRule:
    first = pack.param("penalties.late_payment.first").at(on)
    further = pack.param("penalties.late_payment.further").at(on)
    step = pack.param("penalties.late_payment.step_months").at(on)
    due = pack.param("declarations.payment.due_days").at(on)
    assert isinstance(first.value, Decimal) and isinstance(further.value, Decimal)
    assert isinstance(step.value, int) and isinstance(due.value, int)
    return SurchargeRule(
        first=first.value,
        first_status=first.status,
        further=further.value,
        further_status=further.status,
        step_months=step.value,
        step_status=step.status,
        due_days=due.value,
        due_status=due.status,
    )
