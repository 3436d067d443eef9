"""Benchmark (issue 4, a and c): one 50,000-line Morocco salary declaration file from upload to
receipt on PostgreSQL, and the same lines written through the ORM's ``bulk_create``.

(a) An employer with 50,000 employees (registered once, by the registry's bulk services) uploads
    its B00–B06 file through the upload page (Django's test client: the multipart request, the
    streaming upload handler, the hash, the stored file), and the job runs as soon as the upload
    commits (``TADAMUN_JOBS=inline``: the same code a Celery worker runs). The clock stops when
    the filing is accepted with its receipt number.
(c) Then, for two more months, the same checked lines are persisted by
    ``declaration_submit_from_columns`` with PostgreSQL ``COPY`` and with the ORM's
    ``bulk_create`` (the naive peer); the ratio is reported, for the persistence alone and for
    the whole path (reading and checking the file included).

Each run declares months no run has declared for that employer yet (nothing is ever deleted).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_bench TADAMUN_FUND=ma-cnss \\
    TADAMUN_SECRET_KEY=x .venv/bin/python benchmarks/filing_upload.py [--lines 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")
os.environ["TADAMUN_JOBS"] = "inline"

from benchmarks.platform_dataset import ensure_database, require_postgresql
from tadamun.demo.names import FIRST_NAMES, SURNAMES

if TYPE_CHECKING:
    from tadamun.accounts.models import User
    from tadamun.registry.models import Employer

EMPLOYER_SERIAL = 700_001
INSURED_SERIAL_BASE = 7_000_000


def _employer(lines: int) -> tuple[Employer, User]:
    """The employer of ``lines`` employees (created once), and its owner."""
    from django.db import transaction
    from django.utils import timezone

    from tadamun.accounts.models import EmployerMembership, Role, User
    from tadamun.funds import get_fund
    from tadamun.registry import selectors, services
    from tadamun.registry.models import Employment

    fund = get_fund("ma-cnss")
    assert fund.employer_number.issue is not None and fund.insured_number.issue is not None
    number = fund.employer_number.issue(EMPLOYER_SERIAL)
    employer = selectors.employer_get(fund=fund.code, affiliate_number=number)
    if employer is None:
        started = time.perf_counter()
        agency = selectors.agency_list(fund=fund.code).first() or services.agency_create(
            code="BUP", name_fr="Agence", name_ar="وكالة", name_en="Agency", fund=fund.code
        )
        with transaction.atomic():
            employer = services.employer_create(
                fund=fund.code,
                affiliate_number=number,
                name_latin=f"Grande Entreprise {lines}",
                name_arabic="مقاولة كبرى",
                agency=agency,
                activity_class=(fund.activity_classes() or ("",))[0],
            )
            people = services.insured_person_bulk_create(
                fund=fund.code,
                people=[
                    services.NewInsuredPerson(
                        ssn=fund.insured_number.issue(INSURED_SERIAL_BASE + i),
                        surname_latin=SURNAMES[i % len(SURNAMES)][0],
                        first_names_latin=FIRST_NAMES["F" if i % 2 else "M"][i % 7][0],
                        birth_date=dt.date(1970 + i % 35, 1 + i % 12, 1 + i % 28),
                        sex="F" if i % 2 else "M",
                    )
                    for i in range(lines)
                ],
            )
            services.employment_bulk_create(
                employer=employer,
                hires=[services.NewEmployment(p, dt.date(2020, 1, 1)) for p in people],
            )
        print(f"  registered {lines:,} employees in {time.perf_counter() - started:.1f} s")
    owner = User.objects.filter(email="owner@bench-upload.example").first()
    if owner is None:
        owner = User.objects.create_user(
            email="owner@bench-upload.example", password=secrets.token_urlsafe(16)
        )
        EmployerMembership.objects.create(
            user=owner, employer=employer, role=Role.OWNER, granted_at=timezone.now()
        )
    count = Employment.objects.filter(employer=employer).count()
    if count != lines:
        sys.exit(f"employer {number} has {count:,} employees, not {lines:,}: use another database")
    return employer, owner


def _months(employer: Employer, count: int) -> list[str]:
    from django.utils import timezone

    from tadamun.declarations.models import Declaration
    from tadamun.funds import Period

    declared = set(
        Declaration.objects.filter(employer=employer).values_list("period_label", flat=True)
    )
    period = Period.containing(timezone.localdate(), "monthly").previous()
    found: list[str] = []
    while len(found) < count:
        if period.label not in declared:
            found.append(period.label)
        period = period.previous()
    return found


def _file(employer: Employer, label: str) -> bytes:
    from tadamun.formats import ma_bds
    from tadamun.registry.models import Employment

    rows = (
        Employment.objects.filter(employer=employer)
        .order_by("id")
        .values_list("insured__ssn", "insured__surname_latin", "insured__first_names_latin")
    )
    rng = np.random.default_rng(7)
    wages = rng.integers(300_000, 3_000_000, size=len(rows)).tolist()
    head = ma_bds.Employer(
        affiliate_number=employer.affiliate_number,
        period=label.replace("-", ""),
    )
    declared = [
        ma_bds.DeclaredEmployee(
            insured_number=ssn, surname=s.upper(), first_names=f.upper(), days=26, actual_salary=w
        )
        for (ssn, s, f), w in zip(rows, wages, strict=True)
    ]
    return b"".join(ma_bds.write_declaration(head, declared))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="uploads timed (a)")
    args = parser.parse_args(argv)
    url = require_postgresql()
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from tadamun.declarations.services import declaration_submit_from_columns
    from tadamun.filings.models import Filing
    from tadamun.filings.readers import read_ma_bds
    from tadamun.funds import Period, current_fund

    if current_fund().code != "ma-cnss":
        sys.exit("TADAMUN_FUND=ma-cnss: the file is Morocco's salary declaration (BDS)")
    call_command("migrate", verbosity=0, interactive=False)
    employer, owner = _employer(args.lines)
    months = _months(employer, args.repeat + 2)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner)
    with translation.override("fr"):
        upload_url = reverse("filings:upload", kwargs={"employer_id": employer.pk})

    print(f"(a) upload to receipt, {args.lines:,} lines, {args.repeat} months")
    timings: list[float] = []
    for label in months[: args.repeat]:
        data = _file(employer, label)
        started = time.perf_counter()
        response = client.post(
            upload_url,
            {
                "fmt": "ma-bds",
                "period": label,
                "file": io.BytesIO(data),
            },
        )
        elapsed = time.perf_counter() - started
        filing = Filing.objects.filter(employer=employer, period_label=label).first()
        if response.status_code != 302 or filing is None or filing.status != "accepted":
            sys.exit(f"upload of {label} failed: HTTP {response.status_code}, filing {filing}")
        assert filing.declaration is not None
        timings.append(elapsed)
        print(
            f"  {label}: {elapsed:.2f} s, {len(data) / 1e6:.1f} MB, receipt "
            f"{filing.declaration.receipt_number}"
        )

    print("(c) the same checked lines persisted with COPY and with the ORM's bulk_create")
    results: dict[str, tuple[float, float]] = {}
    for method, label in zip(("copy", "orm"), months[args.repeat :], strict=True):
        data = _file(employer, label)
        period = Period.parse(label)
        started = time.perf_counter()
        read = read_ma_bds(io.BytesIO(data), employer=employer, period=period)
        read_seconds = time.perf_counter() - started
        assert read.lines is not None, read.problems[:3]
        started = time.perf_counter()
        with transaction.atomic():
            declaration_submit_from_columns(
                employer=employer,
                period=period,
                lines=read.lines,
                user=owner,
                token=f"bench-{method}-{secrets.token_hex(8)}",
                method=method,  # type: ignore[arg-type]
            )
        persist = time.perf_counter() - started
        results[method] = (read_seconds, persist)
        print(f"  {method:>4}: read and check {read_seconds:.2f} s, persist {persist:.2f} s")
    copy_read, copy_persist = results["copy"]
    orm_read, orm_persist = results["orm"]

    print()
    print(f"Machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"(a) upload to receipt, {args.lines:,} lines: median {statistics.median(timings):.2f} s "
        f"(best {min(timings):.2f} s) — target < 3 s"
    )
    print(
        f"(c) persistence: COPY {copy_persist:.2f} s, ORM bulk_create {orm_persist:.2f} s: "
        f"{orm_persist / copy_persist:.1f}× faster with COPY; whole path "
        f"{(orm_read + orm_persist) / (copy_read + copy_persist):.2f}×"
    )
    print(f"ran on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
