"""Benchmark (issue 4, b): a national month — 3,000,000 declaration lines in 160,000 employer
files — from the files to the receipts, on PostgreSQL, with Celery workers on Redis.

1. The registry: ``benchmarks/platform_dataset.py`` with 160,000 employers and 3,000,000
   insured persons (by COPY, once; skipped when it is there).
2. The files (not timed): one Morocco salary declaration file (B00–B06) per employer for the
   month, naming its employees as the registry has them, with random wages; written once per
   month into ``var/bench-national/<database>/<month>/``.
3. Timed, end to end: Celery workers are started (``--workers`` processes, prefork); the files
   are taken in as a payroll bureau or the EDI channel sends them — read from disk, stored as
   received with their hash, a filing each (:func:`tadamun.filings.batch.filings_intake_many`),
   queued in batches of 500 — while the workers check every file against its layout and the
   registry and accept the good ones with their contributions, dues and numbered receipts. The
   clock stops when no filing of the month is left to process.

Each run declares a month no run has declared yet (the ledger is append-only: nothing is ever
deleted), going back from last month.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_national TADAMUN_FUND=ma-cnss \\
    TADAMUN_SECRET_KEY=x TADAMUN_BROKER_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python benchmarks/national_month.py [--employers 160000] [--insured 3000000] \\
        [--workers 2] [--intake-processes 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

from benchmarks import platform_dataset

INTAKE_CHUNK = 4_000  # files read and taken in per call (memory stays bounded)


def _month(fund: str) -> str:
    """The latest month, before this one, that no declaration or filing of ``fund`` covers
    yet."""
    from django.utils import timezone

    from tadamun.declarations.models import Declaration
    from tadamun.filings.models import Filing
    from tadamun.funds import Period

    period = Period.containing(timezone.localdate(), "monthly").previous()
    declared = set(
        Declaration.objects.filter(fund=fund).values_list("period_label", flat=True).distinct()
    ) | set(Filing.objects.values_list("period_label", flat=True).distinct())
    while period.label in declared:
        period = period.previous()
    return period.label


def write_files(fund: str, label: str, directory: Path) -> tuple[int, int]:
    """One BDS file per employer with employees in the month; (files, lines)."""
    from django.db import connection

    from tadamun.formats import ma_bds
    from tadamun.funds import Period

    done = directory / "COMPLETE"
    if done.exists():
        files, lines = (int(x) for x in done.read_text().split())
        return files, lines
    directory.mkdir(parents=True, exist_ok=True)
    period = Period.parse(label)
    month = f"{period.start.year:04d}{period.start.month:02d}"
    rng = np.random.default_rng(20261123)
    files = lines = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.id, e.affiliate_number, i.ssn, i.surname_latin, i.first_names_latin
            FROM registry_employment m
            JOIN registry_employer e ON e.id = m.employer_id
            JOIN registry_insuredperson i ON i.id = m.insured_id
            WHERE e.fund = %s AND m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)
            ORDER BY e.id
            """,
            [fund, period.end, period.start],
        )
        current: int | None = None
        number = ""
        people: list[tuple[str, str, str]] = []

        def flush() -> None:
            nonlocal files, lines
            if current is None or not people:
                return
            head = ma_bds.Employer(affiliate_number=number, period=month)
            wages = rng.integers(300_000, 3_000_000, size=len(people)).tolist()
            declared = [
                ma_bds.DeclaredEmployee(
                    insured_number=ssn,
                    surname=_plain(surname),
                    first_names=_plain(first),
                    days=26,
                    actual_salary=wage,
                )
                for (ssn, surname, first), wage in zip(people, wages, strict=True)
            ]
            (directory / f"{current}.txt").write_bytes(
                b"".join(ma_bds.write_declaration(head, declared))
            )
            files += 1
            lines += len(people)

        while True:
            rows = cursor.fetchmany(50_000)
            if not rows:
                break
            for employer_id, affiliate, ssn, surname, first in rows:
                if employer_id != current:
                    flush()
                    current, number, people = employer_id, affiliate, []
                people.append((ssn, surname, first))
        flush()
    done.write_text(f"{files} {lines}")
    print(f"  wrote {files:,} files, {lines:,} lines in {time.perf_counter() - started:.1f} s")
    return files, lines


def _plain(text: str) -> str:
    """Upper-case ASCII, as the layout's name fields require."""
    import unicodedata

    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return "".join(c if c.isalnum() or c == " " else " " for c in flat)[:30]


def start_workers(count: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "tadamun.jobs",
        "worker",
        f"--concurrency={count}",
        "--pool=prefork",
        "--loglevel=WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(
        command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_ready(timeout: float = 60.0) -> None:
    from tadamun.jobs import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0)
        if replies:
            return
    sys.exit("the Celery workers did not answer within a minute")


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children that have been waited for
    (the Celery workers and the intake processes once stopped)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _setup_django() -> None:
    import django

    django.setup()


class _IntakeJob:
    """Taking in a list of files, ``INTAKE_CHUNK`` at a time: (batches queued, files refused)."""

    def __init__(self, user: Any, period: Any, employers: dict[int, Any]) -> None:
        self.user, self.period, self.employers = user, period, employers

    def __call__(self, paths: list[Path]) -> tuple[int, int]:
        from tadamun.filings.batch import Incoming, filings_intake_many

        batches = refused = 0
        for i in range(0, len(paths), INTAKE_CHUNK):
            chunk = paths[i : i + INTAKE_CHUNK]
            handles = [p.open("rb") for p in chunk]
            try:
                intake = filings_intake_many(
                    user=self.user,
                    period=self.period,
                    fmt="ma-bds",
                    files=[
                        Incoming(self.employers[int(p.stem)], fh, p.name)
                        for p, fh in zip(chunk, handles, strict=True)
                    ],
                )
            finally:
                for fh in handles:
                    fh.close()
            batches += intake.batches
            refused += sum(1 for p in intake.problems if p)
        return batches, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employers", type=int, default=160_000)
    parser.add_argument("--insured", type=int, default=3_000_000)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--intake-processes",
        type=int,
        default=1,
        help="processes taking the files in, as several web processes would (the files split "
        "between them)",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("TADAMUN_BROKER_URL"):
        sys.exit("set TADAMUN_BROKER_URL (redis://127.0.0.1:6379/5): the workers are Celery's")
    platform_dataset.main(["--employers", str(args.employers), "--insured", str(args.insured)])

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from tadamun.filings.models import Filing, FilingStatus
    from tadamun.funds import Period, current_fund
    from tadamun.jobs import app
    from tadamun.registry.models import Employer

    fund = current_fund().code
    if fund != "ma-cnss":
        sys.exit("TADAMUN_FUND=ma-cnss: the files are Morocco's salary declarations (BDS)")
    label = _month(fund)
    database = str(settings.DATABASES["default"]["NAME"])
    directory = Path(settings.VAR_DIR) / "bench-national" / database / label
    print(f"Files for {label}")
    files, lines = write_files(fund, label, directory)
    bureau, _ = get_user_model().objects.get_or_create(email="edi-channel@bench.example")
    period = Period.parse(label)
    employers = {
        e.pk: e
        for e in Employer.objects.filter(fund=fund).only(
            "id", "fund", "affiliate_number", "activity_class", "declaration_periodicity"
        )
    }
    paths = sorted(directory.glob("*.txt"), key=lambda p: int(p.stem))
    app.control.purge()
    log = Path(settings.VAR_DIR) / "bench-national" / "workers.log"
    cpu_before = _cpu_seconds()
    workers = start_workers(args.workers, log)
    pool = None
    try:
        if args.intake_processes > 1:
            # As several web processes take a bureau's uploads, each with its own connections:
            # started (spawned, Django set up) before the clock, the files split between them.
            context = multiprocessing.get_context("spawn")
            pool = context.Pool(args.intake_processes, initializer=_setup_django)
        wait_ready()
        print(f"{args.workers} Celery worker processes ready; timing starts")
        started = time.perf_counter()
        batches = 0
        job = _IntakeJob(bureau, period, employers)
        if pool is None:
            batches, refused = job(paths)
        else:
            shares = [paths[k :: args.intake_processes] for k in range(args.intake_processes)]
            done = pool.map(job, shares, chunksize=1)
            batches, refused = sum(b for b, _ in done), sum(r for _, r in done)
        if refused:
            print(f"  {refused} files refused at intake")
        intake_seconds = time.perf_counter() - started
        print(f"  intake: {len(paths):,} files in {intake_seconds:.1f} s ({batches} batches)")
        pending = Filing.objects.filter(
            period_label=label, status__in=[FilingStatus.QUEUED, FilingStatus.PROCESSING]
        )
        while pending.exists():
            time.sleep(0.2)
        total = time.perf_counter() - started
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        os.killpg(workers.pid, signal.SIGTERM)
        workers.wait(timeout=60)
    cpu = _cpu_seconds() - cpu_before
    counts = dict(
        Filing.objects.filter(period_label=label)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    print()
    print(f"National month {label} ({fund}), {platform.node()}, {os.cpu_count()} CPUs")
    print(
        f"  files: {files:,}   lines: {lines:,}   workers: {args.workers}"
        f"   intake processes: {args.intake_processes}"
    )
    print(f"  intake: {intake_seconds:.1f} s")
    print(f"  filings: {counts}")
    print(f"  end to end: {total:.1f} s (target < 60 s)")
    print(f"  throughput: {files / total:,.0f} files/s, {lines / total:,.0f} lines/s")
    print(
        f"  CPU of the benchmark's processes (intake, workers, their start-up; not PostgreSQL): "
        f"{cpu:.1f} s, {cpu / files * 1000:.2f} ms a file"
    )
    print(f"  ran on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return 0 if counts.get(FilingStatus.ACCEPTED, 0) == files else 1


if __name__ == "__main__":
    raise SystemExit(main())
