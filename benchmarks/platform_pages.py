"""Benchmark: the pages of the 2,000-employee employer over a national-scale registry.

Needs the dataset of ``benchmarks/platform_dataset.py`` in the PostgreSQL database of
``DATABASE_URL`` (run that first). Signs in as the employer's owner (an account created once
through the accounts app), renders each page through Django's test ``Client`` ``--warmup`` times,
then ``--repeat`` timed times, and prints the median and 95th-percentile latency and the number of
SQL queries per page (``CaptureQueriesContext``), against the target (median < 300 ms).

Pages are found by URL name: a page whose URL name does not exist yet is reported as missing
rather than failing, so that new pages plug in by adding a line to ``PAGES``. The registry
selector the declaration form is pre-filled with (``employer_workforce``) is timed as well.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_bench TADAMUN_SECRET_KEY=x \\
        .venv/bin/python benchmarks/platform_pages.py [--repeat 50] [--warmup 5] [--language fr]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

TARGET_MS = 300.0


@dataclass(frozen=True)
class PageSpec:
    """A page to time: a label and the URL names it may have (the first that exists is used).

    ``employer``: the URL takes the employer's id (``employer_id``); ``period``: it also takes the
    period being declared (``period_label`` or ``period``, e.g. ``2026-10``)."""

    label: str
    url_names: tuple[str, ...]
    employer: bool = True
    period: bool = False


PAGES: list[PageSpec] = [
    PageSpec("home page", ("portal:home",), employer=False),
    PageSpec(
        "employer dashboard",
        ("portal:dashboard", "declarations:dashboard", "accounts:dashboard", "ledger:dashboard"),
    ),
    PageSpec("declaration form", ("declarations:declare", "declarations:form"), period=True),
    PageSpec("periods to declare", ("declarations:periods",)),
    PageSpec("declaration history", ("declarations:history",)),
    PageSpec("contributor account (ledger)", ("ledger:account",)),
    PageSpec("payment page", ("payments:pay",)),
]


@dataclass
class Result:
    label: str
    url: str
    status: int
    median_ms: float
    p95_ms: float
    min_ms: float
    queries: int
    kib: float
    runs: int

    def line(self) -> str:
        verdict = "ok" if self.median_ms < TARGET_MS else "OVER TARGET"
        return (
            f"{self.label:<32} {self.median_ms:8.1f} {self.p95_ms:8.1f} {self.min_ms:8.1f}"
            f" {self.queries:8d} {self.kib:8.1f}  {self.status}  {verdict}  {self.url}"
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_call(
    label: str, url: str, call: Callable[[], tuple[int, int]], warmup: int, repeat: int
) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        call()
    with CaptureQueriesContext(connection) as captured:
        status, size = call()
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        status, size = call()
        times.append((time.perf_counter() - start) * 1000)
    return Result(
        label=label,
        url=url,
        status=status,
        median_ms=statistics.median(times),
        p95_ms=percentile(times, 0.95),
        min_ms=min(times),
        queries=queries,
        kib=size / 1024,
        runs=repeat,
    )


def resolve(spec: PageSpec, employer_id: int, period: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    base: dict[str, Any] = {"employer_id": employer_id} if spec.employer else {}
    attempts = [base]
    if spec.period:
        attempts = [{**base, key: period} for key in ("period_label", "period")] + attempts
    for name in spec.url_names:
        for kwargs in attempts:
            try:
                return reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                continue
    return None


def owner_for(employer: Any) -> Any:
    """The owner account of ``employer`` (created once through the accounts app's demo helper:
    an owner membership and a confirmed second factor)."""
    from tadamun.accounts import selectors as accounts
    from tadamun.accounts.demo import seed_demo_accounts
    from tadamun.accounts.models import EmployerMembership, Role

    membership = (
        EmployerMembership.objects.select_related("user")
        .filter(employer=employer, role=Role.OWNER, ended_at__isnull=True)
        .first()
    )
    if membership is None:
        seed_demo_accounts(employers=[employer], agencies=[])
        membership = EmployerMembership.objects.select_related("user").get(
            employer=employer, role=Role.OWNER, ended_at__isnull=True
        )
    assert accounts.is_owner(user=membership.user, employer=employer)
    return membership.user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--language", default="fr")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    from benchmarks.platform_dataset import big_employer_number, require_postgresql

    require_postgresql()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone, translation

    from tadamun.funds import Period, current_fund
    from tadamun.registry import selectors

    call_command("migrate", verbosity=0, interactive=False)  # tables of apps added since
    setup_test_environment()  # lets the test Client in (ALLOWED_HOSTS gets 'testserver')
    fund = current_fund()
    number = big_employer_number(fund.code)
    employer = selectors.employer_get(fund=fund.code, affiliate_number=number)
    if employer is None:
        sys.exit(f"employer {number} not found: run benchmarks/platform_dataset.py first")
    counts = selectors.registry_counts(fund=fund.code)
    today = timezone.localdate()
    period = Period.containing(today, fund.default_periodicity).previous()
    owner = owner_for(employer)
    # Twelve periods of declarations and payments (through the services, once), so the
    # dashboard, account and history pages are measured with real content.
    from tadamun.demo.history import seed_demo_history

    for line in seed_demo_history(employers=[employer], today=today).lines():
        print(f"history: {line}")
    client = Client()
    client.force_login(owner)

    results: list[Result] = []
    missing: list[str] = []
    failed: list[str] = []
    with translation.override(args.language):
        for spec in PAGES:
            url = resolve(spec, employer.pk, str(period))
            if url is None:
                missing.append(f"{spec.label} ({' / '.join(spec.url_names)})")
                continue

            def get(url: str = url) -> tuple[int, int]:
                response = client.get(url)
                return response.status_code, len(response.content)

            try:
                results.append(time_call(spec.label, url, get, args.warmup, args.repeat))
            except Exception as exc:  # a page in progress: report it, time the others
                failed.append(f"{spec.label} ({url}): {type(exc).__name__}: {exc}")

    def workforce() -> tuple[int, int]:
        return 200, len(selectors.employer_workforce(employer=employer, on=today))

    selector = time_call(
        "selector employer_workforce", "(no URL)", workforce, args.warmup, args.repeat
    )
    with CaptureQueriesContext(connection):
        headcount = len(selectors.employer_workforce(employer=employer, on=today))

    if args.json:
        print(
            json.dumps(
                {
                    "fund": fund.code,
                    "employers": counts.employers,
                    "insured": counts.insured_persons,
                    "pages": [asdict(r) for r in results],
                    "selector": asdict(selector),
                    "missing": missing,
                    "failed": failed,
                },
                indent=2,
            )
        )
        return 0
    print(
        f"Fund {fund.code}: {counts.employers:,} employers, {counts.insured_persons:,} insured "
        f"persons; employer {number} ({headcount:,} employees on {today}), period {period}, "
        f"language {args.language}"
    )
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"{args.repeat} timed runs after {args.warmup} warm-ups"
    )
    print(
        f"{'page':<32} {'median':>8} {'p95':>8} {'min':>8} {'queries':>8} {'KiB':>8}"
        f"  (ms; target: median < {TARGET_MS:.0f} ms)"
    )
    for result in results:
        print(result.line())
    print(
        f"{selector.label:<32} {selector.median_ms:8.1f} {selector.p95_ms:8.1f} "
        f"{selector.min_ms:8.1f} {selector.queries:8d}"
        f"          ({selector.kib * 1024:.0f} links)"
    )
    for label in missing:
        print(f"{label:<32} not there yet (no such URL name)")
    for text in failed:
        print(f"FAILED {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
