"""Twelve periods of history for the demo employers, made through the services.

For each employer, the last twelve periods of its periodicity whose due date has passed are
declared with :func:`tadamun.declarations.services.declaration_submit` (the lines pre-filled by
:func:`tadamun.declarations.selectors.declaration_prefill`, with plausible wages drawn from a
fixed seed) and paid with :func:`tadamun.ledger.services.ledger_post_payment`, in the order the
events would have happened. The period due now (and the one in progress) is left undeclared, so
the demo user can declare it. Each employer plays a part so that every page has something to
show:

* the large employer paid one period late (so ``ledger_post_penalties`` posted surcharges) and
  paid its last period only in part (so a balance is due);
* the bakery declared a new hire without a social security number (an immatriculation request);
* the clinic and the transport company had leavers (situation ``SO``), and the transport company
  cancelled and replaced one declaration before its deadline.

Each service is called with ``today=`` set to the day the event would have happened (a few days
before the due date), so receipt numbers carry the period's year and the replacement is accepted
before its deadline. Idempotent: an employer with any declaration in its history window is left
as it is. One transaction per employer, so an interrupted run leaves no half-made history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tadamun.accounts.models import Role, User
from tadamun.accounts.selectors import employer_memberships
from tadamun.declarations import selectors as declaration_selectors
from tadamun.declarations.fundrules import rules_for
from tadamun.declarations.models import Declaration
from tadamun.declarations.selectors import ExpectedLine, PeriodState
from tadamun.declarations.services import LineInput, declaration_submit
from tadamun.funds import FundProfile, Period, Periodicity, get_fund
from tadamun.ledger import selectors as ledger_selectors
from tadamun.ledger import services as ledger_services
from tadamun.registry import services as registry_services
from tadamun.registry.models import Employer, Employment, EndReason

HISTORY_PERIODS = 12
#: Share of the last period's dues the large employer paid (the rest is still owed).
PARTIAL_SHARE = (3, 5)
#: Days after the due date on which the late period was paid (before the next due date).
LATE_BY_DAYS = 12

#: Monthly wage range per country, in major units (roughly the minimum wage to a manager's pay).
_MONTHLY_WAGE: dict[str, tuple[int, int]] = {
    "DZ": (24_000, 180_000),
    "MA": (3_300, 30_000),
    "TN": (520, 4_500),
}


@dataclass(frozen=True)
class Part:
    """What happens to one demo employer (by its position in the demo list)."""

    late_period: int | None = None  # index in the history (0 = oldest) paid late
    partial_last: bool = False  # the last period paid only in part
    leavers: int = 0  # employees who left (SO) during the history
    new_hire_last: bool = False  # a new hire without a number on the last period
    replaced_period: int | None = None  # index of a declaration cancelled and replaced


PARTS: tuple[Part, ...] = (
    Part(late_period=4, partial_last=True),  # Atlas Industries (the large employer)
    Part(new_hire_last=True),  # Boulangerie Essalam
    Part(leavers=1),  # Cabinet Médical Ennour
    Part(leavers=2, replaced_period=7),  # Transports du Sahel
    Part(),  # Librairie El Andalous
)


@dataclass
class EmployerHistory:
    employer: Employer
    created: bool
    periods: list[str]
    balance: int
    currency: str
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        span = f"{self.periods[0]}…{self.periods[-1]}" if self.periods else "—"
        verb = "declared" if self.created else "already declared, kept"
        amount = get_fund(self.employer.fund).currency.format(self.balance)
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return (
            f"  {self.employer.affiliate_number}  {self.employer.name_latin}: "
            f"{len(self.periods)} periods {verb} {span}, balance {amount} {self.currency}{notes}"
        )


@dataclass
class HistoryReport:
    employers: list[EmployerHistory] = field(default_factory=list)

    @property
    def declarations_created(self) -> int:
        return sum(len(h.periods) for h in self.employers if h.created)

    def lines(self) -> list[str]:
        return ["History (declarations and payments, through the services):"] + [
            h.line() for h in self.employers
        ]


def history_periods(*, fund: FundProfile, periodicity: Periodicity, today: dt.date) -> list[Period]:
    """The ``HISTORY_PERIODS`` periods, oldest first, ending with the last whose due date has
    passed on ``today``."""
    period = Period.containing(today, periodicity)
    while not today > fund.due_date(period):
        period = period.previous()
    periods = [period]
    while len(periods) < HISTORY_PERIODS:
        periods.append(periods[-1].previous())
    return periods[::-1]


def _owner(employer: Employer) -> User:
    for membership in employer_memberships(employer=employer):
        if membership.role == Role.OWNER and membership.ended_at is None:
            return membership.user
    raise LookupError(f"demo employer {employer.affiliate_number} has no owner account")


def _has_history(employer: Employer, periods: list[Period], today: dt.date) -> bool:
    current = Period.containing(today, employer.declaration_periodicity)
    count = 1
    while current != periods[0]:
        current = current.previous()
        count += 1
    states = declaration_selectors.periods_due(employer=employer, today=today, count=count)
    wanted = {p.label for p in periods}
    return any(s.state == PeriodState.DECLARED for s in states if s.period.label in wanted)


def seed_demo_history(
    *, employers: Sequence[Employer], today: dt.date | None = None
) -> HistoryReport:
    """Declare and pay the history of each of ``employers`` (the demo list, in its order)."""
    day = today if today is not None else timezone.localdate()
    report = HistoryReport()
    for index, employer in enumerate(employers):
        part = PARTS[index] if index < len(PARTS) else Part()
        report.employers.append(_seed_employer(employer, part, index, day))
    return report


def _seed_employer(employer: Employer, part: Part, index: int, today: dt.date) -> EmployerHistory:
    fund = get_fund(employer.fund)
    periodicity = Periodicity(employer.declaration_periodicity)
    periods = history_periods(fund=fund, periodicity=periodicity, today=today)
    labels = [p.label for p in periods]
    if _has_history(employer, periods, today):
        balance = ledger_selectors.ledger_balance(employer=employer)
        return EmployerHistory(employer, False, labels, balance.minor, fund.currency_code)
    user = _owner(employer)
    history = EmployerHistory(employer, True, labels, 0, fund.currency_code)
    with transaction.atomic():
        wages = _Wages(fund, periodicity, seed=index)
        if part.leavers:
            _end_employments(employer, periods, part.leavers, seed=index)
            history.notes.append(
                f"{part.leavers} leaver{'s' if part.leavers > 1 else ''} declared SO"
            )
        for position, period in enumerate(periods):
            due = fund.due_date(period)
            lines = _lines(
                employer,
                period,
                declaration_selectors.declaration_prefill(employer=employer, period=period),
                wages,
            )
            new_hire = part.new_hire_last and position == len(periods) - 1
            if new_hire:
                lines.append(_new_hire(fund, period, wages, serial=900_001 + index))
                history.notes.append(f"a new hire awaiting immatriculation in {period.label}")
            token = f"demo-{employer.pk}-{period.label}-v1"
            if part.replaced_period == position:
                first = declaration_submit(
                    employer=employer,
                    period=period,
                    lines=_forgot_bonus(lines),
                    user=user,
                    token=token,
                    today=due - dt.timedelta(days=8),
                )
                declaration = declaration_submit(
                    employer=employer,
                    period=period,
                    lines=lines,
                    user=user,
                    token=f"demo-{employer.pk}-{period.label}-v2",
                    replaces=first,
                    today=due - dt.timedelta(days=3),
                )
                history.notes.append(f"{period.label} cancelled and replaced")
            else:
                declaration = declaration_submit(
                    employer=employer,
                    period=period,
                    lines=lines,
                    user=user,
                    token=token,
                    today=due - dt.timedelta(days=4),
                )
            _pay(employer, fund, part, position, len(periods), declaration, due, history)
    history.balance = ledger_selectors.ledger_balance(employer=employer).minor
    return history


def _pay(
    employer: Employer,
    fund: FundProfile,
    part: Part,
    position: int,
    count: int,
    declaration: Declaration,
    due: dt.date,
    history: EmployerHistory,
) -> None:
    source = f"demo-transfer:{declaration.receipt_number}"
    memo = f"Bank transfer (demo) for {declaration.period_label}"
    if part.late_period == position:
        paid_on = due + dt.timedelta(days=LATE_BY_DAYS)
        penalties = ledger_services.ledger_post_penalties(employer=employer, on=paid_on)
        amount = ledger_selectors.ledger_balance(employer=employer).minor
        memo += f", paid late on {paid_on.isoformat()}"
        total = sum(e.amount for e in penalties)
        history.notes.append(
            f"{declaration.period_label} paid late: penalties "
            f"{fund.currency.format(total)} {fund.currency_code}"
        )
    elif part.partial_last and position == count - 1:
        amount = declaration.total_contributions * PARTIAL_SHARE[0] // PARTIAL_SHARE[1]
        memo += ", partial"
        history.notes.append(f"{declaration.period_label} paid in part")
    else:
        amount = declaration.total_contributions
    if amount > 0:
        ledger_services.ledger_post_payment(
            employer=employer,
            source=source,
            amount=amount,
            currency=fund.currency_code,
            memo=memo,
        )


class _Wages:
    """A plausible wage per employee (drawn once from its number with a fixed seed), raised 4 %
    every January, and the days of a period per the fund's rules."""

    def __init__(self, fund: FundProfile, periodicity: Periodicity, *, seed: int) -> None:
        self.fund = fund
        self.months = periodicity.months
        self.full = rules_for(fund.code).full_days[periodicity]
        self.low, self.high = _MONTHLY_WAGE[fund.country]
        self.minor = fund.currency.minor_per_major
        self.base: dict[str, int] = {}
        self.rng = random.Random(f"demo-history-{fund.code}-{seed}")

    def monthly(self, ssn: str, on: dt.date) -> int:
        """Monthly wage of ``ssn`` in major units on ``on``."""
        if ssn not in self.base:
            draw = random.Random(f"{self.fund.code}-{ssn}").random() ** 2
            self.base[ssn] = int(self.low + draw * (self.high - self.low))
        raises = max(0, on.year - 2024)
        wage = int(self.base[ssn] * 104**raises // 100**raises)
        return wage // 10 * 10 if wage > 1000 else wage

    def line(self, ssn: str, period: Period, worked: float = 1.0) -> tuple[int, int]:
        """(days, wage in minor units) for a share ``worked`` of ``period``."""
        days = max(1, round(self.full * worked))
        wage = self.monthly(ssn, period.start) * self.months * self.minor
        return days, int(wage * worked)


def _worked(period: Period, start: dt.date | None, end: dt.date | None) -> float:
    first = max(period.start, start) if start else period.start
    last = min(period.end, end) if end else period.end
    length = (period.end - period.start).days + 1
    return max(0.0, min(1.0, ((last - first).days + 1) / length))


def _lines(
    employer: Employer, period: Period, expected: list[ExpectedLine], wages: _Wages
) -> list[LineInput]:
    """Lines for the pre-filled ``expected`` employees: full periods at the employee's wage,
    a pro-rated period for a hire or a leaver, and now and then a few days of illness."""
    spans = _spans(employer, period)
    out: list[LineInput] = []
    for line in expected:
        start, end = spans.get(line.insured_id, (None, None))
        worked = _worked(period, start, end)
        days, wage = wages.line(line.ssn, period, worked)
        situation = line.situation
        if not situation and worked == 1.0 and wages.rng.random() < 0.02:
            off = wages.rng.randrange(3, 8)
            days = wages.full - off
            wage = wage * days // wages.full
            situation = "IL"
        out.append(
            LineInput(insured_id=line.insured_id, days=days, wage_minor=wage, situation=situation)
        )
    return out


def _spans(employer: Employer, period: Period) -> dict[int, tuple[dt.date, dt.date | None]]:
    """Start and end of each employee's employment overlapping ``period`` (1 query)."""
    rows = Employment.objects.filter(employer=employer, start_date__lte=period.end).values_list(
        "insured_id", "start_date", "end_date"
    )
    return {pk: (start, end) for pk, start, end in rows if end is None or end >= period.start}


def _forgot_bonus(lines: list[LineInput]) -> list[LineInput]:
    """The first version of the replaced declaration: the first employee's bonus was forgotten
    (the replacement declares the full wage)."""
    first = lines[0]
    assert first.wage_minor is not None
    fixed = LineInput(
        insured_id=first.insured_id,
        days=first.days,
        wage_minor=first.wage_minor * 4 // 5,
        situation=first.situation,
    )
    return [fixed, *lines[1:]]


def _new_hire(fund: FundProfile, period: Period, wages: _Wages, *, serial: int) -> LineInput:
    from tadamun.demo.seed import _NATIONAL_IDS

    hired = period.start + dt.timedelta(days=(period.end - period.start).days // 2)
    days, wage = wages.line(f"new-{serial}", period, _worked(period, hired, None))
    return LineInput(
        days=days,
        wage_minor=wage,
        surname_latin="Zerrouki",
        first_names_latin="Rania",
        surname_arabic="زروقي",
        first_names_arabic="رانية",
        national_id=_NATIONAL_IDS[fund.country](serial),
        birth_date=dt.date(2001, 4, 17),
    )


def _end_employments(employer: Employer, periods: list[Period], count: int, *, seed: int) -> None:
    """End ``count`` employments that began before the history, in its second half."""
    rng = random.Random(f"demo-leavers-{seed}")
    candidates = list(
        Employment.objects.filter(
            employer=employer, end_date__isnull=True, start_date__lt=periods[0].start
        ).order_by("insured__ssn")
    )
    for employment in rng.sample(candidates, min(count, len(candidates))):
        period = periods[rng.randrange(len(periods) // 2, len(periods) - 1)]
        end = period.start + dt.timedelta(days=rng.randrange(5, 20))
        registry_services.employment_end(
            employment=employment, end_date=end, end_reason=EndReason.RESIGNATION
        )
