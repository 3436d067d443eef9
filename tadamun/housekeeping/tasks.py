"""The periodic jobs' Celery tasks (listed with their schedule in ``schedule.py``).

Each calls the owning app's services, is idempotent and logs what it did. The national ones
(penalties, rights) cut the work into chunks and queue each chunk as its own job
(:func:`tadamun.jobs.enqueue`), so the run spreads over every worker; ``in_process=True`` (what
``tadamun housekeeping`` passes) runs the chunks here, one after the other, instead. The other
tasks accept it and have nothing to spread.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from tadamun import jobs
from tadamun.jobs import app

logger = logging.getLogger(__name__)

#: Accounts per penalty chunk: each loads the account's whole ledger.
PENALTY_CHUNK = 200
#: Insured persons per rights chunk (one transaction each, as ``tadamun refresh_rights``).
RIGHTS_CHUNK = 500


def _day(on: str | None) -> dt.date:
    # The day is fixed once by the planning job and carried by its chunks, so a run that
    # crosses midnight computes every account for the same day.
    return dt.date.fromisoformat(on) if on else timezone.localdate()


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- penalties -----------------------------------------------------------------------------------


@app.task(name="housekeeping.penalties", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def penalties(on: str | None = None, in_process: bool = False) -> str:
    """Find the accounts with a due past its due date and still open; post their surcharges,
    a chunk of accounts per job."""
    from tadamun.ledger.selectors import ledger_accounts_overdue

    day = _day(on)
    chunks = _chunks(ledger_accounts_overdue(on=day), PENALTY_CHUNK)
    accounts = sum(len(c) for c in chunks)
    if not in_process:
        for ids in chunks:
            jobs.enqueue(penalties_chunk, ids, day.isoformat())
        summary = (
            f"penalties on {day}: {accounts} account(s) overdue, {len(chunks)} chunk(s) queued"
        )
        logger.info("%s", summary)
        return summary
    from tadamun.housekeeping.services import penalties_post

    entries = failed = 0
    for ids in chunks:
        run = penalties_post(employer_ids=ids, on=day)
        entries, failed = entries + run.entries, failed + run.failed
    summary = (
        f"penalties on {day}: {accounts} account(s) overdue, {entries} penalty entries posted"
        f", {failed} account(s) failed"
    )
    logger.info("%s", summary)
    if failed:
        raise RuntimeError(summary)
    return summary


@app.task(name="housekeeping.penalties_chunk", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def penalties_chunk(employer_ids: list[int], on: str) -> str:
    """Post the surcharges of one chunk of accounts (idempotent per due and month)."""
    from tadamun.housekeeping.services import penalties_post

    run = penalties_post(employer_ids=[int(i) for i in employer_ids], on=_day(on))
    summary = (
        f"penalties on {on}: {run.accounts} account(s), {run.entries} penalty entries posted"
        f", {run.failed} account(s) failed"
    )
    logger.info("%s", summary)
    if run.failed:  # the others are posted; a failed task shows in the workers' monitoring
        raise RuntimeError(summary)
    return summary


# --- rights --------------------------------------------------------------------------------------


@app.task(name="housekeeping.rights_refresh", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def rights_refresh(on: str | None = None, in_process: bool = False) -> str:
    """Recompute the stored care rights of every insured person of the fund, a range of
    people per job (rights lapse with time)."""
    from tadamun.funds import current_fund
    from tadamun.housekeeping.selectors import insured_ranges

    day = _day(on)
    fund = current_fund().code
    ranges = insured_ranges(fund=fund, size=RIGHTS_CHUNK)
    if not in_process:
        for after, upto in ranges:
            jobs.enqueue(rights_refresh_chunk, fund, after, upto, day.isoformat())
        summary = f"rights on {day}: {len(ranges)} chunk(s) queued"
        logger.info("%s", summary)
        return summary
    from tadamun.housekeeping.services import rights_refresh_range

    written = sum(
        rights_refresh_range(fund=fund, after=after, upto=upto, on=day) for after, upto in ranges
    )
    summary = f"rights on {day}: refreshed for {written} insured person(s)"
    logger.info("%s", summary)
    return summary


@app.task(name="housekeeping.rights_refresh_chunk", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def rights_refresh_chunk(fund: str, after: int, upto: int, on: str) -> str:
    """Recompute the rights of the fund's insured persons with ids in ``(after, upto]``."""
    from tadamun.housekeeping.services import rights_refresh_range

    written = rights_refresh_range(fund=fund, after=int(after), upto=int(upto), on=_day(on))
    summary = f"rights on {on}: refreshed for {written} insured person(s) in ({after}, {upto}]"
    logger.info("%s", summary)
    return summary


# --- the others ----------------------------------------------------------------------------------


@app.task(name="housekeeping.payments_expire", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def payments_expire(in_process: bool = False) -> str:
    """Mark the card payments still waiting after their lifetime as expired."""
    from tadamun.payments.services import payment_expire_stale

    summary = f"payments: {payment_expire_stale()} intent(s) expired"
    logger.info("%s", summary)
    return summary


@app.task(name="housekeeping.certificates_sweep", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def certificates_sweep(in_process: bool = False) -> str:
    """Re-check every certificate in force; revoke those whose situation changed."""
    from tadamun.certificates.services import certificates_sweep as sweep

    summary = f"certificates: {sweep()} certificate(s) revoked"
    logger.info("%s", summary)
    return summary


@app.task(name="housekeeping.documents_sweep", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def documents_sweep(in_process: bool = False) -> str:
    """Delete stored document files no row refers to (older than an hour)."""
    from tadamun.documents.services import documents_sweep as sweep

    summary = f"documents: {sweep()} stray file(s) deleted"
    logger.info("%s", summary)
    return summary


def requeue_after() -> dt.timedelta:
    """How long a filing may stay queued or processing before its job counts as lost: twice
    the broker's visibility timeout (Redis delivers an unfinished job again after one), and
    never less than an hour (a national month's queue can be that long)."""
    seconds = int(getattr(settings, "TADAMUN_BROKER_VISIBILITY_TIMEOUT", 3600))
    return dt.timedelta(seconds=max(2 * seconds, 3600))


@app.task(name="housekeeping.filings_requeue", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def filings_requeue(in_process: bool = False) -> str:
    """Queue again the filings whose processing job was lost."""
    from tadamun.filings.services import filings_requeue_stuck

    summary = (
        f"filings: {filings_requeue_stuck(older_than=requeue_after())} stuck filing(s) queued again"
    )
    logger.info("%s", summary)
    return summary
