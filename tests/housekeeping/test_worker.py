"""A periodic job sent through the real Redis broker (127.0.0.1:6379) the way Celery beat sends
it is run by a real Celery worker against the PostgreSQL test database — and the national job's
chunks, queued by the worker on the broker in turn, are run too."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from celery.beat import Scheduler
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.jobs import app
from tadamun.ledger import services as ledger
from tadamun.ledger.models import Entry, EntryKind
from tadamun.payments.models import PaymentIntent
from tests.filings.test_worker import Start, wait_for
from tests.filings.test_worker import broker as broker  # the fixtures
from tests.filings.test_worker import start_worker as start_worker
from tests.housekeeping.test_jobs import stale_intent
from tests.registry.factories import agency_for, employer_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in ("postgres", "postgresql"),
        reason="a worker process needs a database it can share: PostgreSQL (set DATABASE_URL)",
    ),
]


def beat_sends(name: str) -> None:
    """What Celery beat does when the entry ``name`` of the app's beat_schedule is due."""
    scheduler = Scheduler(app=app, lazy=True)
    entry = scheduler.Entry(name=name, app=app, **app.conf.beat_schedule[name])
    scheduler.apply_async(entry, advance=False)


def test_periodic_jobs_sent_through_the_broker_are_run_by_a_real_worker(
    start_worker: Start, settings: SettingsWrapper
) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    agency = agency_for("dz-cnas")
    late = timezone.localdate() - dt.timedelta(days=100)
    accounts = [employer_for(agency, serial=n, name_latin=f"Firm {n}") for n in (1, 2, 3)]
    for employer in accounts:
        ledger.ledger_post_dues(
            employer=employer,
            source=f"declaration:{employer.pk}",
            period_label="2026-01",
            due_date=late,
            currency="DZD",
            amounts={"retirement": 1_000_000},
        )
    intent = stale_intent()
    start_worker(TADAMUN_FUND="dz-cnas")

    beat_sends("penalties")  # the worker plans, queues a chunk on Redis, then runs it
    beat_sends("payments_expire")

    def penalties() -> set[int]:
        rows = Entry.objects.filter(kind=EntryKind.PENALTY).values_list("employer_id", flat=True)
        return set(rows)

    wait_for(lambda: penalties() == {e.pk for e in accounts}, "the worker to post the penalties")
    wait_for(
        lambda: PaymentIntent.objects.get(pk=intent.pk).status == "expired",
        "the worker to expire the abandoned payment",
    )
    assert Entry.objects.filter(kind=EntryKind.PENALTY).count() == 3
