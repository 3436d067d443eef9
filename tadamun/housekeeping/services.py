"""Writes of the periodic jobs: one chunk of a national run, calling the owning apps'
services. Each is idempotent: a chunk run twice writes what it wrote once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from tadamun.insured.services import rights_refresh
from tadamun.ledger.services import ledger_post_penalties
from tadamun.registry.models import ContributorKind, Employer, InsuredPerson
from tadamun.voluntary.quarters import REGIME as VOLUNTARY_REGIME

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PenaltyRun:
    accounts: int  # accounts visited
    entries: int  # penalty entries posted
    failed: int  # accounts whose posting raised (logged; the others went on)


def _regime(account: Employer) -> str | None:
    # A voluntary member owes the abroad regime's surcharges (as voluntary.services posts them);
    # a self-employed account's regime is the fund's own (affiliation.self_employed_regime), the
    # default, like an employer's.
    return VOLUNTARY_REGIME if account.kind == ContributorKind.VOLUNTARY else None


def penalties_post(*, employer_ids: Sequence[int], on: dt.date) -> PenaltyRun:
    """Post the surcharges owed on ``on`` by these accounts (``ledger_post_penalties``: once per
    due and month of delay). One account's failure is logged and does not stop the others."""
    entries = failed = accounts = 0
    for account in Employer.objects.filter(pk__in=list(employer_ids)).order_by("pk"):
        accounts += 1
        try:
            posted = ledger_post_penalties(employer=account, on=on, regime=_regime(account))
        except Exception:  # one broken account must not leave the rest of the country unbilled
            failed += 1
            logger.exception("penalties of account %s on %s failed", account.pk, on)
            continue
        entries += len(posted)
    return PenaltyRun(accounts=accounts, entries=entries, failed=failed)


def rights_refresh_range(*, fund: str, after: int, upto: int, on: dt.date) -> int:
    """Recompute the stored care rights of the fund's insured persons with ids in
    ``(after, upto]``, in one transaction; the rows written."""
    ids = list(
        InsuredPerson.objects.filter(fund=fund, pk__gt=after, pk__lte=upto).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        return rights_refresh(insured_ids=ids, on=on)
