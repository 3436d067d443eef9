"""The periodic jobs, as data: name, when, the Celery task, why.

``when`` is a Celery ``crontab`` (in the fund's time zone: Celery takes Django's ``TIME_ZONE``)
or a number of seconds between two runs. :func:`beat_schedule` turns the list into Celery beat's
``beat_schedule`` (set on the app in :mod:`tadamun.jobs`); ``tadamun housekeeping`` runs the same
jobs at once. This module imports nothing of Django, so the Celery app can read it at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery.schedules import crontab


@dataclass(frozen=True)
class Job:
    name: str
    #: A ``crontab``, or seconds between two runs.
    when: Any
    #: The Celery task's name (``tadamun/housekeeping/tasks.py``).
    task: str
    why: str


JOBS: tuple[Job, ...] = (
    Job(
        "penalties",
        crontab(hour=1, minute=30),
        "housekeeping.penalties",
        "late-payment surcharges accrue month by month on every due left unpaid",
    ),
    Job(
        "payments_expire",
        15 * 60,
        "housekeeping.payments_expire",
        "a card payment abandoned at the gateway must stop showing as pending",
    ),
    Job(
        "certificates_sweep",
        crontab(hour=2, minute=0),
        "housekeeping.certificates_sweep",
        "a certificate whose situation changed (employment ended, debt) is revoked",
    ),
    Job(
        "documents_sweep",
        crontab(minute=20),
        "housekeeping.documents_sweep",
        "files left by uploads whose transaction rolled back are deleted",
    ),
    Job(
        "rights_refresh",
        crontab(hour=3, minute=0),
        "housekeeping.rights_refresh",
        "care rights lapse with time: the stored answers partners read must follow",
    ),
    Job(
        "filings_requeue",
        30 * 60,
        "housekeeping.filings_requeue",
        "a filing whose job was lost (broker down at upload, worker gone) is queued again",
    ),
)


def job_names() -> list[str]:
    return [job.name for job in JOBS]


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Celery beat's ``beat_schedule``: one entry per job, named as the job."""
    return {job.name: {"task": job.task, "schedule": job.when} for job in JOBS}
