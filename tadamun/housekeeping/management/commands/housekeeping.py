"""``tadamun housekeeping [--list] [--only NAME ...]``: run the periodic jobs now, in this
process — what cron calls in the embedded default (no broker, no Celery beat). The national
jobs' chunks run here one after the other; jobs a job queues itself (a lost filing) run in
this process's background threads without a broker, and the command waits for them."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tadamun import jobs
from tadamun.housekeeping.schedule import JOBS, Job, job_names


def _when(job: Job) -> str:
    if isinstance(job.when, int | float):
        return f"every {job.when:g} s"
    # crontab's repr: "<crontab: 30 1 * * * (m/h/dM/MY/d)>"; the five fields are what cron says
    found = re.search(r"<crontab: (.*) \(", repr(job.when))
    return f"cron {found.group(1) if found else job.when}"


class Command(BaseCommand):
    help = "Run the periodic jobs now, in this process (all of them, or those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="list the jobs and exit")
        parser.add_argument(
            "--only", nargs="+", action="extend", default=[], metavar="NAME", help="these jobs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.name:<20} {_when(job):<18} {job.why}")
            return
        only: list[str] = options["only"]
        unknown = [name for name in only if name not in job_names()]
        if unknown:  # checked before anything runs
            raise CommandError(
                f"unknown job(s): {', '.join(unknown)} (the jobs: {', '.join(job_names())})"
            )
        import tadamun.housekeeping.tasks  # noqa: F401  (registers the tasks on the app)

        failed = []
        for job in JOBS:
            if only and job.name not in only:
                continue
            try:
                summary = jobs.app.tasks[job.task](in_process=True)
            except Exception as exc:  # the next jobs still run; cron sees the exit code
                failed.append(job.name)
                self.stderr.write(f"{job.name}: failed: {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(f"{job.name}: {summary}")
        jobs.join_threads(timeout=3600)
        if failed:
            raise CommandError(f"job(s) failed: {', '.join(failed)}")
