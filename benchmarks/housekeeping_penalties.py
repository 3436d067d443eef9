"""Benchmark: the nightly penalty run's planning query and its chunks, on PostgreSQL.

Builds (once per database) ``--accounts`` contributor accounts with twelve monthly dues each
(2025-01 … 2025-12): 70 % paid everything, 20 % left the last month open, 10 % paid nothing.
Then times :func:`tadamun.ledger.selectors.ledger_accounts_overdue` (the one grouped query that
finds the accounts to visit; best of ``--repeat``) and
:func:`tadamun.housekeeping.services.penalties_post` on the first ``--chunk`` accounts found
(what one chunk job does; the first run of a day posts, a second posts nothing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_hk_bench TADAMUN_SECRET_KEY=x \\
        .venv/bin/python benchmarks/housekeeping_penalties.py [--accounts 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

NAME = "bench-housekeeping"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
AMOUNT = 100_000


def _build(accounts: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from tadamun.dbcopy import insert_rows
    from tadamun.ledger.models import Entry
    from tadamun.registry.models import Agency, Employer

    if Employer.objects.filter(name_latin=NAME).exists():
        return
    with transaction.atomic():
        agency, _ = Agency.objects.get_or_create(
            fund="dz-cnas", code="9901", defaults={"name_fr": NAME, "name_ar": NAME}
        )
        Employer.objects.bulk_create(
            (
                Employer(
                    fund="dz-cnas",
                    affiliate_number=f"B{n:09d}",
                    name_latin=NAME,
                    agency=agency,
                    declaration_periodicity="monthly",
                )
                for n in range(accounts)
            ),
            batch_size=5000,
        )
        ids = list(
            Employer.objects.filter(name_latin=NAME).order_by("pk").values_list("pk", flat=True)
        )
        now = timezone.now()

        def rows() -> Iterator[tuple[Any, ...]]:
            for index, employer_id in enumerate(ids):
                for month in MONTHS:
                    year, m = int(month[:4]), int(month[5:])
                    due = dt.date(year + (m == 12), m % 12 + 1, 28)
                    yield (employer_id, "due", "retirement", month, due, AMOUNT, "DZD",
                           f"bench:{employer_id}:{month}", "", now)  # fmt: skip
                share = index % 10
                paid = 12 if share < 7 else 11 if share < 9 else 0
                if paid:
                    yield (employer_id, "payment", "", "", None, -AMOUNT * paid, "DZD",
                           f"bench-pay:{employer_id}", "", now)  # fmt: skip

        fields = ["employer", "kind", "branch", "period_label", "due_date", "amount", "currency",
                  "source", "memo", "created_at"]  # fmt: skip
        written = insert_rows(Entry, fields, rows())
    print(f"built {accounts} accounts, {written} entries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _build(args.accounts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_entry")

    from tadamun.housekeeping.services import penalties_post
    from tadamun.ledger.models import Entry
    from tadamun.ledger.selectors import ledger_accounts_overdue

    on = dt.date(2026, 3, 15)
    entries = Entry.objects.count()
    times = []
    found: list[int] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        found = ledger_accounts_overdue(on=on)
        times.append(time.perf_counter() - start)
    print(
        f"ledger_accounts_overdue: {len(found)} accounts of {args.accounts} found among "
        f"{entries} entries, best {min(times) * 1000:.0f} ms of {args.repeat} "
        f"(all: {', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
    )
    chunk = found[: args.chunk]
    for label in ("first run", "second run"):
        start = time.perf_counter()
        run = penalties_post(employer_ids=chunk, on=on)
        took = time.perf_counter() - start
        print(
            f"penalties_post, one chunk of {len(chunk)} accounts ({label}): {run.entries} "
            f"entries posted in {took:.2f} s ({took / max(len(chunk), 1) * 1000:.1f} ms/account)"
        )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
