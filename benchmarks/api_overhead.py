"""Benchmark: what the API layer costs per request — key check, rate limits, request log.

``GET /api/v1/key`` does nothing but those: the time per request is the API app's overhead that
every endpoint (the partners' rights check included) pays. Measured in-process through Django's
test client (no HTTP server), with the rate-limit counters in the database, then in Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_bench TADAMUN_SECRET_KEY=x \\
        .venv/bin/python benchmarks/api_overhead.py [--requests 2000] [--redis redis://127.0.0.1:6379/13]

A throw-away test database (``test_<name>``) is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from tadamun.accounts.models import EmployerMembership, Role, User
    from tadamun.api import services

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the expected 429s
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from tests.registry.factories import agency_for, employer_for

        employer = employer_for(agency_for(settings.TADAMUN_FUND))
        owner = User.objects.create_user(email="bench@example.org", password=None)
        EmployerMembership.objects.create(
            user=owner, employer=employer, role=Role.OWNER, granted_at=timezone.now()
        )
        token = services.employer_key_create(
            owner=owner, employer=employer, name="bench", scope="read"
        ).token
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        print(f"database: {connection.vendor}; {args.requests} requests each")
        for label, redis_url in (("database counters", ""), ("redis counters", args.redis)):
            settings.TADAMUN_REDIS_URL = redis_url
            times = []
            for i in range(args.requests):
                # A new address every 50 requests keeps the per-address limit out of the way;
                # the per-key limit (60/m) is what this endpoint has, so its counters are reset.
                start = time.perf_counter()
                response = client.get("/api/v1/key", REMOTE_ADDR=f"10.0.{i // 50 % 250}.1")
                times.append(time.perf_counter() - start)
                if response.status_code == 429:
                    from tadamun.api.models import RateCounter

                    RateCounter.objects.all().delete()
                    if redis_url:
                        import redis

                        redis.Redis.from_url(redis_url).flushdb()
            times.sort()
            print(
                f"{label}: median {statistics.median(times) * 1000:.2f} ms, "
                f"p99 {times[int(len(times) * 0.99)] * 1000:.2f} ms, "
                f"{len(times) / sum(times):.0f} requests/s on one thread"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
