"""The schedule is data: Celery beat's schedule is built from it, every job's task exists, and
``tadamun housekeeping`` lists, selects and refuses by the same names."""

from __future__ import annotations

from io import StringIO

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

import tadamun.housekeeping.tasks  # noqa: F401  (registers the tasks, as a worker does)
from tadamun import cli
from tadamun.housekeeping.schedule import JOBS, job_names
from tadamun.jobs import app


def test_beat_schedule_lists_every_job_of_the_schedule() -> None:
    beat = app.conf.beat_schedule
    assert sorted(beat) == sorted(job_names())
    for job in JOBS:
        assert beat[job.name] == {"task": job.task, "schedule": job.when}
        assert job.task in app.tasks, f"{job.name}: no task {job.task}"
        assert isinstance(job.when, crontab) or job.when > 0
        assert job.why


def test_the_required_jobs_are_scheduled_as_asked() -> None:
    when = {job.name: job.when for job in JOBS}
    assert when["payments_expire"] == 15 * 60
    assert when["documents_sweep"] == crontab(minute=20)  # hourly
    for nightly in ("penalties", "certificates_sweep", "rights_refresh"):
        assert isinstance(when[nightly], crontab)
        assert when[nightly].day_of_week == crontab().day_of_week  # every day
        assert len(when[nightly].hour) == 1  # once


def test_list_names_every_job_and_runs_nothing() -> None:
    out = StringIO()
    call_command("housekeeping", "--list", stdout=out)  # no database access: nothing ran
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == job_names()
    assert "every 900 s" in lines[1] and "cron 30 1 * * *" in lines[0]


@pytest.mark.django_db
def test_a_wrong_job_name_is_refused_by_name_before_anything_runs() -> None:
    from tests.housekeeping.test_jobs import stale_intent

    intent = stale_intent()
    with pytest.raises(CommandError) as info:
        call_command("housekeeping", "--only", "payments_expire", "penalites")
    assert str(info.value).startswith("unknown job(s): penalites (the jobs: penalties,")
    intent.refresh_from_db()
    assert intent.status == "pending"  # payments_expire, also named, did not run


def test_a_wrong_job_name_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["housekeeping", "--only", "nope"])
    assert info.value.code != 0
    assert "unknown job(s): nope" in capsys.readouterr().err
