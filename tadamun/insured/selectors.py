"""Reads of the insured person's space. Each costs a fixed number of queries, whatever the
length of the career (asserted in tests/insured/test_selectors.py).

Nothing here decides who may see what: the pages get the person from
:func:`tadamun.accounts.selectors.insured_for_user` (the signed-in user's own record, nobody
else's), and pass it in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from tadamun import hotsql
from tadamun.declarations.models import DeclarationLine
from tadamun.declarations.selectors import insured_declaration_lines
from tadamun.funds import FundProfile, get_fund
from tadamun.insured.models import CareCard, FamilyMember, RightsStatus
from tadamun.ledger.selectors import ledger_paid_through
from tadamun.registry.models import ContributorKind, Employer, Employment, InsuredPerson
from tadamun.registry.selectors import accounts_held, insured_person_employments
from tadamun.rules.contributions import LineBatch, compute
from tadamun.rules.errors import RulesError
from tadamun.rules.periods import month_index
from tadamun.rules.rights import (
    DeclaredPeriod,
    DependantCover,
    Ground,
    RightsDecision,
    best_decision,
    dependant_covered,
    paid_up_rights,
    salaried_rights,
)

#: The payers whose share is the insured person's own (the rest is the employer's).
PERSON_PAYERS = frozenset({"employee", "member", "self_employed"})


def regime_of(*, fund: FundProfile, kind: str) -> str | None:
    """The parameter pack of a contributor account of ``kind`` in ``fund``, or None when the
    fund runs no such regime (only Algeria has CASNOS and the members abroad)."""
    if kind == ContributorKind.EMPLOYER:
        return fund.employer_regime
    wanted = {ContributorKind.SELF_EMPLOYED: "dz-casnos", ContributorKind.VOLUNTARY: "dz-abroad"}
    regime = wanted.get(ContributorKind(kind))
    return regime if regime in fund.regimes else None


@dataclass(frozen=True)
class CareerRow:
    """One declared period with one employer (or one's own account)."""

    period_label: str
    period_start: dt.date
    period_end: dt.date
    employer: Employer
    days: int
    wage: int  # minor units
    situation: str
    contribution: int  # every branch and payer, as stored with the declaration
    person_share: int | None  # None when the rules engine cannot split the period
    employer_share: int | None


@dataclass(frozen=True)
class PeriodContributions:
    period_label: str
    person_share: int
    employer_share: int
    total: int


@dataclass(frozen=True)
class CareerStatement:
    currency: str
    rows: tuple[CareerRow, ...]
    employments: tuple[Employment, ...]
    total_days: int = 0
    total_wages: int = 0
    total_person: int = 0
    total_employer: int = 0
    by_period: tuple[PeriodContributions, ...] = field(default=())

    def declared_periods(self) -> list[DeclaredPeriod]:
        """The days employers declared, for :func:`tadamun.rules.rights.salaried_rights`."""
        return [
            DeclaredPeriod(start=r.period_start, end=r.period_end, days=r.days)
            for r in self.rows
            if r.employer.kind == ContributorKind.EMPLOYER
        ]


def _split(fund: FundProfile, lines: Sequence[DeclarationLine]) -> list[tuple[int, int] | None]:
    """Each line's (person's share, employer's share) from the rules engine, one vectorised call
    per regime; None where the regime has no rates for the period."""
    out: list[tuple[int, int] | None] = [None] * len(lines)
    groups: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        regime = regime_of(fund=fund, kind=line.declaration.employer.kind)
        if regime is not None:
            groups.setdefault(regime, []).append(i)
    for regime, indexes in groups.items():
        chosen = [lines[i] for i in indexes]
        try:
            result = compute(
                LineBatch.from_columns(
                    regime=[regime] * len(chosen),
                    base=np.asarray([ln.wage for ln in chosen], dtype=np.int64),
                    period=[
                        month_index(
                            ln.declaration.period_start.year, ln.declaration.period_start.month
                        )
                        for ln in chosen
                    ],
                    activity_class=[
                        ln.declaration.employer.activity_class or None for ln in chosen
                    ],
                )
            )
        except (RulesError, ValueError):
            continue
        person = np.zeros(len(chosen), dtype=np.int64)
        employer = np.zeros(len(chosen), dtype=np.int64)
        for branch, payer in result.columns:
            if payer in PERSON_PAYERS:
                person += result.amounts[(branch, payer)]
            else:
                employer += result.amounts[(branch, payer)]
        for j, i in enumerate(indexes):
            out[i] = (int(person[j]), int(employer[j]))
    return out


def career_statement(*, insured: InsuredPerson) -> CareerStatement:
    """The person's career: every declared period (employer, days, wage, contributions split
    between their share and the employer's) and every employment link. 2 queries."""
    fund = get_fund(insured.fund)
    lines = insured_declaration_lines(insured_id=insured.pk, fund=insured.fund)
    employments = insured_person_employments(insured=insured)
    shares = _split(fund, lines)
    rows: list[CareerRow] = []
    periods: dict[str, list[int]] = {}
    for line, share in zip(lines, shares, strict=True):
        declaration = line.declaration
        rows.append(
            CareerRow(
                period_label=declaration.period_label,
                period_start=declaration.period_start,
                period_end=declaration.period_end,
                employer=declaration.employer,
                days=line.days,
                wage=line.wage,
                situation=line.situation,
                contribution=line.contribution,
                person_share=share[0] if share else None,
                employer_share=share[1] if share else None,
            )
        )
        acc = periods.setdefault(declaration.period_label, [0, 0, 0])
        if share is not None:
            acc[0] += share[0]
            acc[1] += share[1]
        acc[2] += line.contribution
    return CareerStatement(
        currency=fund.currency_code,
        rows=tuple(rows),
        employments=tuple(employments),
        total_days=sum(r.days for r in rows),
        total_wages=sum(r.wage for r in rows),
        total_person=sum(r.person_share or 0 for r in rows),
        total_employer=sum(r.employer_share or 0 for r in rows),
        by_period=tuple(
            PeriodContributions(label, v[0], v[1], v[2]) for label, v in periods.items()
        ),
    )


def rights_decision(
    *, insured: InsuredPerson, on: dt.date, statement: CareerStatement | None = None
) -> RightsDecision:
    """Whether the person is covered for care on ``on`` and why, from their declared days and
    the accounts they hold themselves. 1 query + 1 per own account (+ 2 without ``statement``)."""
    fund = get_fund(insured.fund)
    career = statement if statement is not None else career_statement(insured=insured)
    decisions = [
        salaried_rights(regime=fund.employer_regime, on=on, periods=career.declared_periods())
    ]
    for account in accounts_held(insured=insured):
        regime = regime_of(fund=fund, kind=account.kind)
        if regime is None or account.kind == ContributorKind.EMPLOYER:
            continue
        ground = (
            Ground.VOLUNTARY_PAID_UP
            if account.kind == ContributorKind.VOLUNTARY
            else Ground.SELF_EMPLOYED_PAID_UP
        )
        decisions.append(
            paid_up_rights(
                regime=regime,
                on=on,
                paid_through=ledger_paid_through(employer=account),
                ground=ground,
            )
        )
    return best_decision(decisions)


@dataclass(frozen=True)
class FamilyRow:
    member: FamilyMember
    cover: DependantCover


def family_members(*, insured: InsuredPerson, on: dt.date) -> list[FamilyRow]:
    """The person's spouse and children, each with whether the regime's age limits still
    cover them on ``on`` (1 query)."""
    regime = get_fund(insured.fund).employer_regime
    return [
        FamilyRow(
            member=m,
            cover=dependant_covered(
                regime=regime,
                on=on,
                relation=m.relation,
                birth_date=m.birth_date,
                student=m.student,
            ),
        )
        for m in FamilyMember.objects.filter(insured=insured).order_by(
            "relation", "birth_date", "id"
        )
    ]


def active_card(*, insured: InsuredPerson) -> CareCard | None:
    return CareCard.objects.filter(insured=insured, revoked_at__isnull=True).first()


def rights_status_by_number(*, fund: str, ssn: str = "", card: str = "") -> RightsStatus | None:
    """The stored rights of the person with insured number ``ssn`` or card number ``card``:
    one query on a unique index, no join — the partners' API's whole read.

    Written in SQL rather than through the QuerySet: on the busiest endpoint the ORM's
    compilation of this one-row read cost more CPU than PostgreSQL's index scan."""
    fields = [f.attname for f in RightsStatus._meta.concrete_fields]
    columns = ", ".join(
        connection.ops.quote_name(f.column) for f in RightsStatus._meta.concrete_fields
    )
    by = "card_number" if card else "ssn"
    sql = (
        f"SELECT {columns} FROM {RightsStatus._meta.db_table} WHERE fund = %s AND {by} = %s LIMIT 1"
    )
    # Prepared once per connection on PostgreSQL (tadamun.hotsql: no parse and plan per call).
    row = hotsql.fetch_one(sql, [fund, card or ssn])
    if row is None:
        return None
    return RightsStatus.from_db(connection.alias, fields, list(row))
