"""The self-employed's annual contribution, explained (pure Python: the rules engine only).

The declared income becomes the base, bounded below by the floor and above by the ceiling of the
regime's pack (dz-casnos: 1× and 20× the annual SNMG); each branch's rate applies to that base.
The parameters are those in force in January of the contribution year. The result says which of
the three became the base, so the page can say why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tadamun.rules.contributions import MAX_BASE, payslip
from tadamun.rules.errors import NotInForce
from tadamun.rules.parameters import load_packs
from tadamun.rules.periods import month_index


@dataclass(frozen=True)
class BranchShare:
    branch: str
    labels: dict[str, str]
    rate: Decimal | None
    amount: int


@dataclass(frozen=True)
class AnnualContribution:
    regime: str
    year: int
    currency: str
    income: int  # minor units, as declared
    floor: int
    ceiling: int
    base: int
    base_rule: str  # "declared", "floor" or "ceiling"
    branches: tuple[BranchShare, ...]
    declaration_due: dt.date
    payment_due: dt.date

    @property
    def total(self) -> int:
        return sum(b.amount for b in self.branches)

    @property
    def rate(self) -> Decimal:
        return sum((b.rate or Decimal(0) for b in self.branches), Decimal(0))


def _month_day(regime: str, path: str, year: int) -> dt.date:
    pack = load_packs().regime(regime)
    value = pack.param(path).value_at(dt.date(year, 1, 1))
    # A month-day parameter reads as the tuple (month, day).
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"{regime}:{path} is not a month-day")
    month, day = value
    return dt.date(year, int(month), int(day))


def first_year(regime: str) -> int:
    """The first contribution year the pack has rates for."""
    pack = load_packs().regime(regime)
    return max(pack.param(path).first_date for path in pack.contribution_parameters()).year


def annual_contribution(
    regime: str, *, year: int, income: int, farmer: bool = False
) -> AnnualContribution:
    """The contribution of ``year`` on ``income`` (minor units). NotInForce when the pack has
    no parameters for that year."""
    period = month_index(year, 1)
    floor_slip = payslip(regime, base=0, period=period)
    if not floor_slip.lines:
        raise NotInForce(f"{regime} has no contribution rates in force in {year}")
    ceiling_slip = payslip(regime, base=MAX_BASE, period=period)
    slip = payslip(regime, base=income, period=period)
    floor = floor_slip.lines[0].base
    ceiling = ceiling_slip.lines[0].base
    base = slip.lines[0].base
    rule = "floor" if income < floor else ("ceiling" if income > ceiling else "declared")
    payment_path = "declarations.payment.farmers_due" if farmer else "declarations.payment.due"
    return AnnualContribution(
        regime=regime,
        year=year,
        currency=slip.currency.code,
        income=income,
        floor=floor,
        ceiling=ceiling,
        base=base,
        base_rule=rule,
        branches=tuple(
            BranchShare(
                branch=line.branch, labels=dict(line.label), rate=line.rate, amount=line.amount
            )
            for line in slip.lines
        ),
        declaration_due=_month_day(regime, "declarations.income_declaration.due", year),
        payment_due=_month_day(regime, payment_path, year),
    )


def affiliation_delay_days(regime: str, on: dt.date) -> int:
    """Days from the start of activity within which affiliation is due (dz-casnos: 10)."""
    pack = load_packs().regime(regime)
    return pack.param("declarations.affiliation.start_of_activity_delay").int_at(on)
