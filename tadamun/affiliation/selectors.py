"""Reads of affiliation. An employer sees only its own requests (the employer comes from
``employer_required``); a self-employed person only their own affiliation, found through their
account's insured person. Each selector costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from tadamun.accounts.models import User
from tadamun.affiliation.models import (
    AffiliationDocument,
    EmployeeImmatriculation,
    ImmatriculationFile,
    IncomeDeclaration,
    SelfEmployedAffiliation,
)
from tadamun.declarations.models import ImmatriculationRequest, ImmatriculationStatus
from tadamun.funds import current_fund
from tadamun.ledger.selectors import ledger_balance, ledger_due_schedule
from tadamun.registry.models import Employer

AnyUser = User | AnonymousUser


def _pk(value: int | str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def immatriculations_for_employer(
    *, employer: Employer, limit: int = 500
) -> list[EmployeeImmatriculation]:
    """The employer's requests, newest first, with the person and the dossier (1 query)."""
    return list(
        EmployeeImmatriculation.objects.filter(employer=employer)
        .select_related("insured", "dossier")
        .order_by("-submitted_at", "-id")[:limit]
    )


def immatriculation_for_employer(
    *, employer: Employer, request_id: int | str
) -> EmployeeImmatriculation | None:
    """One of the employer's requests (1 query), or None: the page answers 404."""
    pk = _pk(request_id)
    if pk is None:
        return None
    return (
        EmployeeImmatriculation.objects.filter(pk=pk, employer=employer)
        .select_related("insured", "dossier", "file")
        .first()
    )


def immatriculation_files(*, employer: Employer, limit: int = 50) -> list[ImmatriculationFile]:
    return list(ImmatriculationFile.objects.filter(employer=employer)[:limit])


def declared_new_hires(*, employer: Employer, limit: int = 200) -> list[ImmatriculationRequest]:
    """New hires the employer declared without a number (``declarations``) that no
    immatriculation has settled yet (1 query)."""
    return list(
        ImmatriculationRequest.objects.filter(
            employer=employer,
            status=ImmatriculationStatus.PENDING,
            affiliation_request__isnull=True,
        ).order_by("created_at", "id")[:limit]
    )


def declared_new_hire(
    *, employer: Employer, request_id: int | str
) -> ImmatriculationRequest | None:
    pk = _pk(request_id)
    if pk is None:
        return None
    return ImmatriculationRequest.objects.filter(
        pk=pk,
        employer=employer,
        status=ImmatriculationStatus.PENDING,
        affiliation_request__isnull=True,
    ).first()


# --- self-employed -------------------------------------------------------------------------------


def affiliation_for_user(*, user: AnyUser | None) -> SelfEmployedAffiliation | None:
    """The signed-in person's own self-employed affiliation in this fund (1 query), or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    if user.insured_id is None:
        return None
    return (
        SelfEmployedAffiliation.objects.select_related("account", "insured", "dossier")
        .filter(insured_id=user.insured_id, user=user, fund=current_fund().code)
        .order_by("-created_at", "-id")
        .first()
    )


def affiliation_documents(*, affiliation: SelfEmployedAffiliation) -> list[AffiliationDocument]:
    return list(
        AffiliationDocument.objects.filter(affiliation=affiliation).select_related("document")
    )


def income_declarations(*, account: Employer) -> list[IncomeDeclaration]:
    return list(IncomeDeclaration.objects.filter(account=account).order_by("-year"))


@dataclass(frozen=True)
class StatementYear:
    declaration: IncomeDeclaration
    paid: int  # of the contribution, minor units
    open: int
    penalties_open: int


@dataclass(frozen=True)
class Statement:
    currency: str
    years: list[StatementYear]
    declared_total: int
    due_total: int
    paid_total: int
    penalties_open: int
    credit: int
    balance: int  # what is owed now (negative: a credit)


def statement(*, account: Employer, on: dt.date) -> Statement:
    """What was declared, what it made due, what was paid of it, and the balance (3 queries).
    Payments settle the oldest charges first (the ledger's allocation rule)."""
    schedule = ledger_due_schedule(employer=account, on=on)
    open_due: dict[str, int] = {}
    open_penalty: dict[str, int] = {}
    for line in schedule.lines:
        target = open_penalty if line.kind == "penalty" else open_due
        target[line.period_label] = target.get(line.period_label, 0) + line.open
    years = []
    for declaration in income_declarations(account=account):
        label = str(declaration.year)
        still = min(open_due.get(label, 0), declaration.contribution)
        years.append(
            StatementYear(
                declaration=declaration,
                paid=declaration.contribution - still,
                open=still,
                penalties_open=open_penalty.get(label, 0),
            )
        )
    balance = ledger_balance(employer=account)
    return Statement(
        currency=schedule.currency,
        years=years,
        declared_total=sum(y.declaration.income for y in years),
        due_total=sum(y.declaration.contribution for y in years),
        paid_total=sum(y.paid for y in years),
        penalties_open=sum(open_penalty.values()),
        credit=schedule.credit,
        balance=int(balance.minor),
    )
