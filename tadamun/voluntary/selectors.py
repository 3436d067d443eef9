"""Reads of the voluntary membership: the member's own record, what the registry knows of an
applicant, which quarters are declared and paid, and the coverage that follows.

A member only ever reaches their own membership (:func:`membership_for_user`): the pages take no
membership id, and the contributor account's pages (ledger, payments) decide access through
``accounts.decorators.employer_required`` like every account's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tadamun.accounts.models import User
from tadamun.funds import FundProfile, current_fund
from tadamun.ledger.selectors import ledger_due_schedule
from tadamun.registry.models import Agency, Employer, Employment, InsuredPerson
from tadamun.rules.parameters import Pack, load_packs
from tadamun.voluntary.models import Membership, MembershipStatus, QuarterDeclaration
from tadamun.voluntary.quarters import (
    REGIME,
    Window,
    kind_of,
    parse_quarter,
    quarter_from_number,
    quarter_number,
    window,
)

AnyUser = User | AnonymousUser


def scheme_runs(fund: FundProfile | None = None) -> bool:
    """Whether this deployment's fund runs the scheme (the pages answer 404 otherwise)."""
    return REGIME in (fund or current_fund()).regimes


def pack() -> Pack:
    return load_packs().regime(REGIME)


def handling_agency(*, fund: str) -> Agency | None:
    """The agency that handles members abroad: the fund's first agency by code (members have no
    local agency; the fund may dedicate one by giving it the smallest code)."""
    return Agency.objects.filter(fund=fund).order_by("code").first()


def membership_for_user(*, user: AnyUser | None) -> Membership | None:
    """The signed-in user's own membership in this fund, with its account and insured record."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.select_related("insured", "account", "dossier")
        .filter(user_id=user.pk, fund=current_fund().code)
        .first()
    )


def existing_membership(
    *, fund: str, national_id: str, surname: str, first_names: str, birth_date: dt.date
) -> str:
    """How a living membership (not refused) of the same person is found: ``national_id``,
    ``names`` or "" when there is none."""
    living = Membership.objects.filter(fund=fund).exclude(status=MembershipStatus.REJECTED)
    if national_id and living.filter(national_id=national_id).exists():
        return "national_id"
    if living.filter(
        surname_latin__iexact=surname, first_names_latin__iexact=first_names, birth_date=birth_date
    ).exists():
        return "names"
    return ""


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry knows of an applicant."""

    by_national_id: InsuredPerson | None
    by_ssn: InsuredPerson | None
    same_names: list[InsuredPerson]
    open_employment: bool
    contributor_account: bool
    has_own_account: bool  # a user account already is this person's own

    @property
    def match(self) -> InsuredPerson | None:
        return self.by_national_id or self.by_ssn


def registry_facts(
    *,
    fund: str,
    national_id: str,
    ssn: str,
    surname: str,
    first_names: str,
    birth_date: dt.date,
    on: dt.date,
) -> RegistryFacts:
    """Find the applicant in the registry by national id, by a social security number they gave,
    or by names and birth date; and whether any of those records is compulsorily affiliated
    (an employment open on ``on``) or already holds a contributor account."""
    people = InsuredPerson.objects.filter(fund=fund)
    by_nin = people.filter(national_id=national_id).first() if national_id else None
    by_ssn = people.filter(ssn=ssn).first() if ssn else None
    same = list(
        people.filter(
            surname_latin__iexact=surname,
            first_names_latin__iexact=first_names,
            birth_date=birth_date,
        )[:10]
    )
    ids = {p.pk for p in (by_nin, by_ssn, *same) if p is not None}
    open_job = Employment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), insured_id__in=ids, start_date__lte=on
    ).exists()
    account = Employer.objects.filter(holder_id__in=ids).exists()
    own = User.objects.filter(insured_id__in=ids).exists()
    return RegistryFacts(
        by_national_id=by_nin,
        by_ssn=by_ssn,
        same_names=same,
        open_employment=open_job,
        contributor_account=account,
        has_own_account=own,
    )


# --- quarters and coverage ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterState:
    quarter: str
    kind: str  # back / late / due / current / advance
    declared: QuarterDeclaration | None
    paid: bool
    open_amount: int  # still owed on it (dues and surcharges), minor units

    @property
    def status(self) -> str:
        if self.declared is None:
            return "not_declared"
        return "paid" if self.paid else "awaiting_payment"


@dataclass(frozen=True)
class Coverage:
    currency: str
    window: Window
    quarters: list[QuarterState]  # newest first, every quarter the member may declare
    covered_now: bool
    covered_until: dt.date | None  # last day of the run of paid quarters from the current one
    last_paid: str  # the newest paid quarter, or ""
    paid_count: int  # quarters paid: each counts for retirement
    open_total: int

    @property
    def paid(self) -> list[QuarterState]:
        return [q for q in self.quarters if q.paid]

    @property
    def declarable(self) -> list[QuarterState]:
        return [q for q in self.quarters if q.declared is None]


def coverage(*, membership: Membership, today: dt.date) -> Coverage:
    """Which quarters are declared and paid and what cover follows, as of ``today``.

    A quarter is paid when nothing of what was posted for it (its dues and any surcharge) is
    still open in the ledger after payments are allocated oldest first. Sickness and maternity
    benefits in kind are open for the quarters paid: the member is covered now when the current
    quarter is paid, up to the end of the last quarter of the unbroken run of paid quarters that
    starts with it. Each paid quarter counts for retirement. Three queries.
    """
    p = pack()
    win = window(p, affiliated_on=membership.affiliated_on, today=today)
    declared = {d.quarter: d for d in QuarterDeclaration.objects.filter(membership=membership)}
    open_by_quarter: dict[str, int] = {}
    currency = p.currency.code
    open_total = 0
    if membership.account_id is not None:
        assert membership.account is not None
        schedule = ledger_due_schedule(employer=membership.account, on=today)
        currency = schedule.currency
        open_total = schedule.total_open
        for line in schedule.lines:
            open_by_quarter[line.period_label] = (
                open_by_quarter.get(line.period_label, 0) + line.open
            )
    numbers = {quarter_number(q) for q in win.quarters()}
    for label in declared:
        period = parse_quarter(label)
        if period is not None:
            numbers.add(quarter_number(period))
    states: list[QuarterState] = []
    for number in sorted(numbers, reverse=True):
        period = quarter_from_number(number)
        found = declared.get(period.label)
        owed = open_by_quarter.get(period.label, 0)
        states.append(
            QuarterState(
                quarter=period.label,
                kind=found.kind if found is not None else kind_of(p, period, win, today),
                declared=found,
                paid=found is not None and owed == 0,
                open_amount=owed,
            )
        )
    paid_numbers = {
        number
        for number in numbers
        if (state := declared.get(quarter_from_number(number).label)) is not None
        and open_by_quarter.get(state.quarter, 0) == 0
    }
    current = quarter_number(win.current)
    covered_until: dt.date | None = None
    if current in paid_numbers:
        last = current
        while last + 1 in paid_numbers:
            last += 1
        covered_until = quarter_from_number(last).end
    last_paid = quarter_from_number(max(paid_numbers)).label if paid_numbers else ""
    return Coverage(
        currency=currency,
        window=win,
        quarters=states,
        covered_now=covered_until is not None,
        covered_until=covered_until,
        last_paid=last_paid,
        paid_count=len(paid_numbers),
        open_total=open_total,
    )


def declared_quarters(*, membership: Membership) -> set[str]:
    return set(
        QuarterDeclaration.objects.filter(membership=membership).values_list("quarter", flat=True)
    )
