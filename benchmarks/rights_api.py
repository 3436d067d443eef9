"""The partners' rights check under load: PostgreSQL with 1,000,000 insured persons, gunicorn
serving the real application, wrk (or locust) driving it on the same machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_bench TADAMUN_SECRET_KEY=x \\
        .venv/bin/python benchmarks/platform_dataset.py   # once: 50,000 employers, 1M insured
    DATABASE_URL=… TADAMUN_SECRET_KEY=x .venv/bin/python benchmarks/rights_api.py \\
        [--workers 2] [--connections 16] [--seconds 30] [--keys 200] [--tool wrk|locust]

Steps:

1. **Rights table.** The dataset has people but no declarations, so the nightly refresh would
   find nobody covered. The script writes one ``insured_rightsstatus`` row per person with
   ``COPY`` (4 in 5 covered until the end of the month after next, each with a care card) — the
   table the API reads, as ``rights_refresh`` would leave it. Skipped when already there.
2. **Partner keys.** One partner and ``--keys`` rights keys through ``tadamun.api.services``
   (hashed at rest; the tokens are written to ``var/bench_rights_keys.txt`` for the load
   generator only). The sample of numbers looked up goes to ``var/bench_rights_numbers.txt``.
3. **Server.** gunicorn (``tadamun.wsgi``: the rights path through the lean middleware stack),
   ``--workers`` sync workers, production settings (debug off), the rate limiter's counters in
   Redis (``TADAMUN_REDIS_URL``, default ``redis://127.0.0.1:6379/8``). The limiter counts every
   request per key and per address exactly as in production, but its thresholds are lifted
   (``TADAMUN_RIGHTS_RATE`` and ``TADAMUN_RIGHTS_IP_RATE`` unbounded): each simulated counter
   looks up back to back, far faster than a pharmacy, and all come from 127.0.0.1. The figure
   is the cost of the look-up, limiter and both logs included, not of refusing.
4. **Load.** ``wrk`` (C, one thread per core: a Python load generator would eat one of the two
   cores it measures) with ``benchmarks/rights_wrk.lua``: ``--connections`` closed-loop
   connections, random numbers of the sample, one key per wrk thread, for ``--seconds`` after a
   5-second warm-up; reports requests per second and the latency distribution (p50 … p99).
   When wrk is missing the script installs it with apt-get if it runs as root, and otherwise
   falls back to ``locust --headless`` (``benchmarks/rights_locust.py``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

VAR = ROOT / "var"
KEYS_FILE = VAR / "bench_rights_keys.txt"
NUMBERS_FILE = VAR / "bench_rights_numbers.txt"
PORT = 8765
SAMPLE = 20_000


def require_postgresql() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    return url


def fill_rights_table() -> int:
    """One rights row per insured person, by COPY; returns the rows in the table."""
    from django.db import connection
    from django.utils import timezone

    from tadamun.insured.cards import card_number
    from tadamun.insured.models import RightsStatus
    from tadamun.rules.rights import add_months_end

    existing = RightsStatus.objects.count()
    if existing:
        print(f"  rights table already filled: {existing:,} rows")
        return existing
    today = timezone.localdate()
    start = today.replace(day=1).isoformat()
    until = add_months_end(today, 2).isoformat()
    now = timezone.now().isoformat()
    started = time.perf_counter()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as read:
        read.execute("SELECT id, fund, ssn FROM registry_insuredperson ORDER BY id")
        people = read.fetchall()
    null = "\\N"
    buffer = io.StringIO()
    for pk, fund, ssn in people:
        covered = pk % 5 != 0
        buffer.write(
            f"{pk}\t{fund}\t{ssn}\t{card_number(pk)}\t{'t' if covered else 'f'}\t"
            f"{'declared_days' if covered else 'none'}\t"
            f"{'short_window' if covered else 'not_enough_days'}\tdz-cnas\t"
            f"{start if covered else null}\t{until if covered else null}\t{now}\n"
        )
    columns = (
        "insured_id, fund, ssn, card_number, covered, ground, reason, regime, valid_from, "
        "valid_until, computed_at"
    )
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY insured_rightsstatus ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE insured_rightsstatus")
    raw.commit()
    print(f"  rights table: {len(people):,} rows by COPY in {time.perf_counter() - started:.1f} s")
    return len(people)


def make_keys(count: int) -> list[str]:
    """A partner with ``count`` rights keys (created through the API app's services)."""
    from django.utils import timezone

    from tadamun.accounts.models import StaffProfile, User
    from tadamun.api import services
    from tadamun.registry.models import Agency

    agency = Agency.objects.order_by("id").first()
    assert agency is not None, "run benchmarks/platform_dataset.py first"
    staff = User.objects.filter(email="bench-agent@bench.example").first()
    if staff is None:
        staff = User.objects.create_user(email="bench-agent@bench.example")
        StaffProfile.objects.create(user=staff, agency=agency)
    partner = services.partner_create(staff_user=staff, name="Bench pharmacy", kind="pharmacy")
    expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    return [
        services.partner_key_create(
            staff_user=staff, partner_id=partner.pk, name=f"counter {i}", expires_on=expires
        ).token
        for i in range(count)
    ]


def write_numbers() -> None:
    """20,000 look-ups: 70 % insured numbers, 20 % card numbers, 5 % unknown, 5 % bad key."""
    import random

    from tadamun.funds import current_fund
    from tadamun.insured.models import RightsStatus

    rng = random.Random(20261123)
    total = RightsStatus.objects.count()
    ids = rng.sample(range(1, total + 1), SAMPLE)
    rows = dict(RightsStatus.objects.filter(insured_id__in=ids).values_list("ssn", "card_number"))
    ssns = list(rows)
    issue = current_fund().insured_number.issue
    assert issue is not None
    numbers: list[str] = []
    for i in range(SAMPLE):
        pick = i % 20
        ssn = ssns[i % len(ssns)]
        if pick < 14:
            numbers.append(ssn)
        elif pick < 18:
            numbers.append(rows[ssn] or ssn)
        elif pick < 19:
            numbers.append(issue(9_000_000 + i))  # well-formed, issued to nobody
        else:
            numbers.append(ssn[:-1] + str((int(ssn[-1]) + 1) % 10))  # wrong key
    rng.shuffle(numbers)
    NUMBERS_FILE.write_text("\n".join(numbers) + "\n")


def server_env(url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        TADAMUN_DEBUG="",
        TADAMUN_REDIS_URL=redis_url,
        TADAMUN_RIGHTS_RATE="100000000/m",
        TADAMUN_RIGHTS_IP_RATE="100000000/m",
        TADAMUN_LOG_LEVEL="WARNING",
    )
    env.setdefault("TADAMUN_SECRET_KEY", "benchmark-only-secret-key")
    return env


def wait_until_up(token: str, number: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/rights/{number}",
        headers={"Authorization": f"Bearer {token}"},
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer")


def wrk_path() -> str | None:
    """wrk, installed with apt-get when missing and allowed (root), else None."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("  installing wrk (apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL, check=False)
    subprocess.run(
        ["apt-get", "install", "-y", "wrk"], env=env, stdout=subprocess.DEVNULL, check=False
    )
    return shutil.which("wrk")


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(match.group(1)) * _UNIT_MS[match.group(2)] if match else float("nan")


def run_wrk(wrk: str, connections: int, seconds: int) -> dict[str, Any]:
    threads = max(1, min(2, connections))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(ROOT / "benchmarks" / "rights_wrk.lua"),
        f"http://127.0.0.1:{PORT}",
        "--",
        str(KEYS_FILE),
        str(NUMBERS_FILE),
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    stats: dict[str, Any] = {"raw": out}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("50%", "75%", "90%", "99%"):
            stats[parts[0]] = _ms(parts[1])
        elif line.strip().startswith("Requests/sec:"):
            stats["rps"] = float(parts[-1])
        elif "requests in" in line:
            stats["requests"] = int(parts[0])
        elif line.strip().startswith("Non-2xx"):
            stats["non2xx"] = int(parts[-1])
        elif line.strip().startswith("Socket errors"):
            stats["socket_errors"] = line.strip()
        elif line.strip().startswith("Latency") and len(parts) >= 4:
            stats["max"] = _ms(parts[3])
    return stats


def run_locust(users: int, seconds: int, prefix: Path) -> dict[str, Any]:
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "rights_locust.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{PORT}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = dict(os.environ, RIGHTS_BENCH_KEYS=str(KEYS_FILE), RIGHTS_BENCH_NUMBERS=str(NUMBERS_FILE))
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                return dict(row)
    raise RuntimeError("no aggregated row in locust's statistics")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", "--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--tool", choices=("wrk", "locust"), default="wrk")
    parser.add_argument(
        "--redis", default=os.environ.get("TADAMUN_REDIS_URL") or "redis://127.0.0.1:6379/8"
    )
    args = parser.parse_args(argv)
    url = require_postgresql()
    VAR.mkdir(exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"Rights API benchmark on {url.rsplit('@', 1)[-1]}")
    call_command("migrate", verbosity=0, interactive=False)
    people = fill_rights_table()
    if people < 1_000_000:
        print(f"  warning: {people:,} insured persons (run platform_dataset.py for 1,000,000)")
    KEYS_FILE.write_text("\n".join(make_keys(args.keys)) + "\n")
    write_numbers()
    connection.close()
    wrk = wrk_path() if args.tool == "wrk" else None
    if args.tool == "wrk" and wrk is None:
        print("  wrk not available (not root, or no apt-get): falling back to locust")

    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "tadamun.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(url, args.redis),
        # Django logs every 400 (the mistyped numbers) as a warning: kept out of the report.
        stderr=open(VAR / "bench_rights_gunicorn.log", "w"),  # noqa: SIM115
    )
    try:
        first_key = KEYS_FILE.read_text().split()[0]
        wait_until_up(first_key, NUMBERS_FILE.read_text().split()[0])
        print(f"  gunicorn: {args.workers} sync workers; warm-up 5 s")
        if wrk is not None:
            run_wrk(wrk, args.connections, 5)
            load = os.getloadavg()
            print(f"  wrk: {args.connections} connections, {args.seconds} s")
            stats = run_wrk(wrk, args.connections, args.seconds)
        else:
            run_locust(args.connections, 5, VAR / "bench_rights_warmup")
            load = os.getloadavg()
            print(f"  locust: {args.connections} users, {args.seconds} s")
            stats = run_locust(args.connections, args.seconds, VAR / "bench_rights")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    print(f"  load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if wrk is not None:
        print(
            f"  requests {stats.get('requests', 0):,}, non-2xx {stats.get('non2xx', 0):,} "
            f"(the 5 % mistyped numbers answered 400), {stats.get('rps', 0):,.0f} requests/s, "
            f"p50 {stats.get('50%', 0):.1f} ms, p90 {stats.get('90%', 0):.1f} ms, "
            f"p99 {stats.get('99%', 0):.1f} ms, max {stats.get('max', 0):.0f} ms"
        )
        if "socket_errors" in stats:
            print(f"  {stats['socket_errors']}")
        return 0
    requests = int(stats["Request Count"])
    failures = int(stats["Failure Count"])
    rps = float(stats["Requests/s"])
    print(
        f"  requests {requests:,}, failures {failures:,}, {rps:,.0f} requests/s, "
        f"median {stats['50%']} ms, p95 {stats['95%']} ms, p99 {stats['99%']} ms, "
        f"max {float(stats['Max Response Time']):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
