"""``tadamun.jobs``: without a broker a job runs in a background thread once the transaction
commits (the embedded default), never before; with ``inline`` in the committing thread."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun import jobs
from tadamun.accounts.models import User
from tadamun.filings.models import Filing, FilingStatus
from tadamun.registry.models import Employer
from tests.browser.test_journey import _empty_the_ledger_for_the_flush
from tests.filings.conftest import Hire, bds, upload


@pytest.fixture
def _flush_ledger(transactional_db: None) -> Any:
    yield
    _empty_the_ledger_for_the_flush()


def test_the_embedded_default_runs_the_job_in_a_thread_after_commit(
    settings: SettingsWrapper, _flush_ledger: None, employer: Employer, user: User, hire: Hire
) -> None:
    settings.TADAMUN_JOBS = "thread"
    assert jobs.mode() == "thread"
    people = hire(employer, 3)
    with transaction.atomic():
        filing = upload(employer, user, bds(employer, people))
        jobs.join_threads()
        assert Filing.objects.get(pk=filing.pk).status == FilingStatus.QUEUED  # not before commit
    jobs.join_threads()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED and filing.declaration_id is not None


def test_a_broker_url_selects_celery(settings: SettingsWrapper) -> None:
    settings.TADAMUN_BROKER_URL = "redis://127.0.0.1:6379/11"
    assert jobs.mode() == "celery"
    settings.TADAMUN_BROKER_URL = ""
    settings.TADAMUN_JOBS = "inline"
    assert jobs.mode() == "inline"
    assert jobs.app.conf.task_acks_late and jobs.app.conf.task_reject_on_worker_lost
