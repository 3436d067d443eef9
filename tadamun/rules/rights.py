"""Is a person covered today for sickness care (benefits in kind), and why? Pure Python.

Three grounds, each read from the regime's pack (``<pack>/rights.yaml``, parameters
``rights.*``, dated and cited; every value there is U — unconfirmed — with a note saying what
the fund must check):

* **declared days** (salaried regimes: ``dz-cnas``, ``ma-cnss``, ``tn-cnss-rsna``): enough days
  declared by employers over a reference window of complete months — a short window
  (``sickness.short_window_months`` / ``_days``) or a long one (``long_window_*``). Rights opened
  by a window ending with month E last from the first day of E+1 to the last day of
  E + ``validity_months``. The check tries every window end that could still give rights today
  and keeps the one that lasts longest, so late declarations count as soon as they are filed.
  A period's days count in the month it ends (a quarter's days in its third month): a documented
  convention, since files carry one day count per period.
* **paid up** (``dz-abroad`` voluntary members, ``dz-casnos`` self-employed): every period owed up
  to ``paid_through`` is paid; rights last ``sickness.paid_up_grace_months`` after it.
* none of the above: not covered, with the closest miss as the reason.

Dependants: :func:`dependant_covered` applies ``family.child_age_limit`` /
``family.student_age_limit``; a spouse is covered with the insured person.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tadamun.rules.errors import NotInForce
from tadamun.rules.parameters import Pack, PackSet, load_packs


class Ground(StrEnum):
    DECLARED_DAYS = "declared_days"
    VOLUNTARY_PAID_UP = "voluntary_paid_up"
    SELF_EMPLOYED_PAID_UP = "self_employed_paid_up"
    NONE = "none"


class Reason(StrEnum):
    """Why the answer is what it is (pages phrase it in fr/ar/en)."""

    SHORT_WINDOW = "short_window"  # enough days in the short window
    LONG_WINDOW = "long_window"  # enough days in the long window
    PAID_UP = "paid_up"  # contributions paid up to date
    NOT_ENOUGH_DAYS = "not_enough_days"
    NOT_PAID_UP = "not_paid_up"
    NOTHING_DECLARED = "nothing_declared"
    NO_RULE = "no_rule"  # the regime has no rule in force on that day


@dataclass(frozen=True)
class DeclaredPeriod:
    """Days declared for the person by one employer for one period (month, quarter, year)."""

    start: dt.date
    end: dt.date
    days: int


@dataclass(frozen=True)
class RightsDecision:
    covered: bool
    ground: Ground
    reason: Reason
    regime: str
    on: dt.date
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    #: Declared days counted and required, and the window they were counted over.
    days_counted: int | None = None
    days_required: int | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    #: For a paid-up ground: the last day of the last period fully paid.
    paid_through: dt.date | None = None
    #: Status of the parameters used (``U`` for every value today).
    status: str = ""
    reference: str = ""

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.covered
            and self.valid_from is not None
            and self.valid_until is not None
            and self.valid_from <= day <= self.valid_until
        )


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(index: int) -> dt.date:
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months_end(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` after the month of ``day``."""
    return _month_end(_month_index(day) + months)


def _pack(regime: str, packs: PackSet | None) -> Pack:
    return (packs if packs is not None else load_packs()).regime(regime)


def _int(pack: Pack, path: str, on: dt.date) -> tuple[int, str, str] | None:
    """The value of ``path`` in force ``on`` with its status and first reference, or None."""
    if not pack.has_param(path):
        return None
    try:
        value = pack.param(path).at(on)
    except NotInForce:
        return None
    if not isinstance(value.value, int):
        return None
    reference = value.references[0].title if value.references else ""
    return value.value, value.status, reference


def salaried_rights(
    *,
    regime: str,
    on: dt.date,
    periods: Iterable[DeclaredPeriod],
    packs: PackSet | None = None,
) -> RightsDecision:
    """Rights from days declared by employers (see the module docstring)."""
    pack = _pack(regime, packs)
    values = {
        name: _int(pack, f"rights.sickness.{name}", on)
        for name in (
            "short_window_months",
            "short_window_days",
            "long_window_months",
            "long_window_days",
            "validity_months",
        )
    }
    if any(v is None for v in values.values()):
        return RightsDecision(False, Ground.NONE, Reason.NO_RULE, regime, on)
    got = {k: v[0] for k, v in values.items() if v is not None}
    first = values["short_window_days"]
    assert first is not None
    status, reference = first[1], first[2]
    days_by_month: dict[int, int] = {}
    for period in periods:
        key = _month_index(period.end)
        days_by_month[key] = days_by_month.get(key, 0) + max(period.days, 0)
    if not days_by_month:
        return RightsDecision(
            False,
            Ground.NONE,
            Reason.NOTHING_DECLARED,
            regime,
            on,
            days_counted=0,
            days_required=got["short_window_days"],
            status=status,
            reference=reference,
        )
    today = _month_index(on)
    validity = got["validity_months"]
    windows = (
        (Reason.SHORT_WINDOW, got["short_window_months"], got["short_window_days"]),
        (Reason.LONG_WINDOW, got["long_window_months"], got["long_window_days"]),
    )
    best: RightsDecision | None = None
    closest: tuple[int, int, int, int] | None = None  # (counted, required, start, end)
    # A window ending with month E gives rights through E + validity; the latest E that can
    # still give rights today is the month before this one.
    for end in range(today - 1, today - 1 - validity, -1):
        for reason, months, required in windows:
            start = end - months + 1
            counted = sum(days_by_month.get(m, 0) for m in range(start, end + 1))
            if counted >= required:
                until = _month_end(end + validity)
                if until >= on and (best is None or until > (best.valid_until or on)):
                    best = RightsDecision(
                        True,
                        Ground.DECLARED_DAYS,
                        reason,
                        regime,
                        on,
                        valid_from=_month_start(end + 1),
                        valid_until=until,
                        days_counted=counted,
                        days_required=required,
                        window_start=_month_start(start),
                        window_end=_month_end(end),
                        status=status,
                        reference=reference,
                    )
            elif end == today - 1 and (
                closest is None or counted * closest[1] > closest[0] * required
            ):
                closest = (counted, required, start, end)
    if best is not None:
        return best
    assert closest is not None
    counted, required, start, end = closest
    return RightsDecision(
        False,
        Ground.NONE,
        Reason.NOT_ENOUGH_DAYS,
        regime,
        on,
        days_counted=counted,
        days_required=required,
        window_start=_month_start(start),
        window_end=_month_end(end),
        status=status,
        reference=reference,
    )


def paid_up_rights(
    *,
    regime: str,
    on: dt.date,
    paid_through: dt.date | None,
    ground: Ground,
    packs: PackSet | None = None,
) -> RightsDecision:
    """Rights of a voluntary member or a self-employed person whose periods are paid up to
    ``paid_through`` (None: nothing paid yet)."""
    pack = _pack(regime, packs)
    grace = _int(pack, "rights.sickness.paid_up_grace_months", on)
    if grace is None:
        return RightsDecision(False, Ground.NONE, Reason.NO_RULE, regime, on)
    months, status, reference = grace
    if paid_through is None:
        return RightsDecision(
            False,
            Ground.NONE,
            Reason.NOT_PAID_UP,
            regime,
            on,
            status=status,
            reference=reference,
        )
    until = add_months_end(paid_through, months)
    covered = until >= on
    return RightsDecision(
        covered,
        ground if covered else Ground.NONE,
        Reason.PAID_UP if covered else Reason.NOT_PAID_UP,
        regime,
        on,
        valid_from=None if not covered else on,
        valid_until=until if covered else None,
        paid_through=paid_through,
        status=status,
        reference=reference,
    )


def best_decision(decisions: Sequence[RightsDecision]) -> RightsDecision:
    """The ground that covers the person longest; when none covers, the first (the reason to
    show). ``decisions`` must not be empty."""
    covering = [d for d in decisions if d.covered and d.valid_until is not None]
    if covering:
        return max(covering, key=lambda d: d.valid_until or d.on)
    return decisions[0]


@dataclass(frozen=True)
class DependantCover:
    covered: bool
    until: dt.date | None  # the day before the age limit is reached (None: no age limit)
    age_limit: int | None


def _birthday(birth: dt.date, age: int) -> dt.date:
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        return dt.date(birth.year + age, 3, 1)


def dependant_covered(
    *,
    regime: str,
    on: dt.date,
    relation: str,
    birth_date: dt.date,
    student: bool = False,
    packs: PackSet | None = None,
) -> DependantCover:
    """Whether a spouse (``relation="spouse"``) or a child is a covered dependant on ``on``,
    under the regime's age limits (the holder's own rights are decided separately)."""
    if relation == "spouse":
        return DependantCover(True, None, None)
    pack = _pack(regime, packs)
    path = "rights.family.student_age_limit" if student else "rights.family.child_age_limit"
    limit = _int(pack, path, on)
    if limit is None:
        return DependantCover(False, None, None)
    age = limit[0]
    ends = _birthday(birth_date, age) - dt.timedelta(days=1)
    return DependantCover(birth_date <= on <= ends, ends, age)
