"""The partners' rights check under load: PostgreSQL with 1,000,000 insured persons, granian
(the production server) or gunicorn serving the real application, wrk (or locust) driving it on
the same machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_bench TADAMUN_SECRET_KEY=x \\
        .venv/bin/python benchmarks/platform_dataset.py   # once: 50,000 employers, 1M insured
    DATABASE_URL=… TADAMUN_SECRET_KEY=x .venv/bin/python benchmarks/rights_api.py \\
        [--server granian|gunicorn] [--workers 2] [--connections 16] [--seconds 30] [--keys 200]
        [--tool wrk|locust]

Steps:

1. **Rights table.** The dataset has people but no declarations, so the nightly refresh would
   find nobody covered. The script writes one ``insured_rightsstatus`` row per person with
   ``COPY`` (4 in 5 covered until the end of the month after next, each with a care card) — the
   table the API reads, as ``rights_refresh`` would leave it. Skipped when already there.
2. **Partner keys.** One partner and ``--keys`` rights keys through ``tadamun.api.services``
   (hashed at rest; the tokens are written to ``var/bench_rights_keys.txt`` for the load
   generator only). The sample of numbers looked up goes to ``var/bench_rights_numbers.txt``.
3. **Server.** ``--server granian`` (default; as README.md runs it in production: WSGI
   interface, ``--workers`` processes of one Python thread, HTTP/1.1 keep-alive) or
   ``--server gunicorn`` (the comparison: ``--workers`` sync workers, which close the connection
   after each answer), both on ``tadamun.wsgi`` (the rights path through the lean middleware
   stack), production settings (debug off), the rate limiter's counters in
   Redis (``TADAMUN_REDIS_URL``, default ``redis://127.0.0.1:6379/8``). The limiter counts every
   request per key and per address exactly as in production, but its thresholds are lifted
   (``TADAMUN_RIGHTS_RATE`` and ``TADAMUN_RIGHTS_IP_RATE`` unbounded): each simulated counter
   looks up back to back, far faster than a pharmacy, and all come from 127.0.0.1. The figure
   is the cost of the look-up, limiter and both logs included, not of refusing.
4. **Load.** ``wrk`` (C, one thread per core: a Python load generator would eat one of the two
   cores it measures) with ``benchmarks/rights_wrk.lua``: ``--connections`` closed-loop
   connections, random numbers of the sample, one key per wrk thread, for ``--seconds`` after a
   5-second warm-up; reports requests per second and the latency distribution (p50 … p99).
5. **CPU per request** during the run, from ``/proc``: the server's processes, the PostgreSQL
   backends of this database, Redis, the load generator, and the whole machine (other sessions
   included). On a shared machine requests/s depends on what else runs; CPU per request much
   less (it still grows under contention). The load average before the run is printed with it.
   The last line says whether the target (1,000 requests/s, p99 < 50 ms) is met.
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
import resource
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
    sys.exit("the server did not answer (see var/bench_rights_<server>.log)")


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


#: What a worker process is, per server (printed with the figures).
SERVER_SHAPE = {
    "granian": "Rust HTTP/1.1 with keep-alive, 1 Python thread each, --interface wsgi",
    "gunicorn": "sync workers: HTTP parsed in Python, connection closed after each answer",
}


def server_command(server: str, workers: int) -> list[str]:
    """The production server as README.md runs it, on the benchmark's port."""
    bin_dir = ROOT / ".venv" / "bin"
    if server == "granian":
        return [
            str(bin_dir / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            str(workers),
            "--blocking-threads",
            "1",
            "--no-ws",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--log-level",
            "warning",
            "tadamun.wsgi:application",
        ]
    return [
        str(bin_dir / "gunicorn"),
        "tadamun.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{PORT}",
        "--access-logfile",
        "/dev/null",
        "--log-level",
        "warning",
    ]


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds user + system) of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class CpuMeter:
    """CPU seconds spent during the run by the server (all its processes), the PostgreSQL
    backends of the benchmark database, Redis and the load generator. Unlike requests/s, CPU per
    request hardly depends on what else the machine is doing."""

    def __init__(self, server_pid: int, url: str) -> None:
        self.server_pid = server_pid
        self.database = url.rsplit("/", 1)[-1].split("?")[0]
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.start = self._sample()
        self.machine = self._machine()
        self.wall = time.perf_counter()

    def _sample(self) -> dict[int, tuple[str, float]]:
        table: dict[int, tuple[int, float]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (found := _proc_cpu(int(entry.name))) is not None:
                table[int(entry.name)] = found
        server = {self.server_pid}
        grew = True
        while grew:  # the server's descendants (workers)
            grew = False
            for pid, (parent, _) in table.items():
                if parent in server and pid not in server:
                    server.add(pid)
                    grew = True
        sample: dict[int, tuple[str, float]] = {}
        for pid, (_, seconds) in table.items():
            if pid in server:
                sample[pid] = ("server", seconds)
                continue
            command = _cmdline(pid)
            if command.startswith("postgres:") and f" {self.database} " in command:
                sample[pid] = ("postgresql", seconds)
            elif command.startswith("redis-server"):
                sample[pid] = ("redis", seconds)
        return sample

    @staticmethod
    def _machine() -> float:
        """Busy CPU seconds of the whole machine (every process, other sessions' too)."""
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return (sum(values[:8]) - idle) / _TICK

    def used(self) -> dict[str, float]:
        end = self._sample()
        totals = {"server": 0.0, "postgresql": 0.0, "redis": 0.0}
        for pid, (role, seconds) in end.items():
            totals[role] += seconds - self.start.get(pid, (role, 0.0))[1]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        totals["load generator"] = (children.ru_utime - self.children.ru_utime) + (
            children.ru_stime - self.children.ru_stime
        )
        totals["whole machine"] = self._machine() - self.machine
        totals["wall"] = time.perf_counter() - self.wall
        return totals


def report_cpu(used: dict[str, float], requests: int, seconds: int) -> None:
    if not requests:
        return
    wall = used["wall"]
    print(f"  CPU per request (ms; in cores over the {wall:.0f} s run):")
    for role in ("server", "postgresql", "redis", "load generator", "whole machine"):
        note = " (other sessions included)" if role == "whole machine" else ""
        print(
            f"    {role:<15} {1000 * used[role] / requests:6.2f} ms  "
            f"({used[role] / wall:4.2f} cores){note}"
        )


def print_verdict(server: str, rps: float, p99: float, load: tuple[float, float, float]) -> None:
    rate = "met" if rps >= 1000 else "NOT met"
    latency = "met" if p99 < 50 else "NOT met"
    print(
        f"  target >= 1,000 requests/s and p99 < 50 ms: requests/s {rate} ({rps:,.0f}), "
        f"p99 {latency} ({p99:.1f} ms) — {server}, "
        f"load average {load[0]:.2f} before the run on {os.cpu_count()} cores"
    )


def in_process(redis_url: str, requests: int, profile: bool = False) -> None:
    """``requests`` look-ups through ``tadamun.wsgi.application`` in this process, no HTTP: the
    Python CPU of one request (the server's share without its HTTP layer) and the PostgreSQL
    backend's, in batches of 500; the least loaded batch is the figure."""
    import logging

    from django.conf import settings
    from django.db import connection

    from tadamun.wsgi import application

    settings.TADAMUN_RIGHTS_RATE = settings.TADAMUN_RIGHTS_IP_RATE = "100000000/m"
    settings.TADAMUN_REDIS_URL = redis_url
    settings.DEBUG = False
    logging.disable(logging.WARNING)  # the 400s of the mistyped numbers
    # Two keys, as wrk's two threads use (one counter each): remembered by the process, as in
    # production where a counter looks numbers up back to back.
    keys = KEYS_FILE.read_text().split()[:2]
    numbers = NUMBERS_FILE.read_text().split()
    statuses: dict[str, int] = {}

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    def run(first: int, count: int) -> None:
        for i in range(first, first + count):
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": f"/api/v1/rights/{numbers[i % len(numbers)]}",
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": str(PORT),
                "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1",
                "REMOTE_ADDR": "127.0.0.1",
                "HTTP_AUTHORIZATION": f"Bearer {keys[i % len(keys)]}",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.errors": sys.stderr,
                "wsgi.url_scheme": "http",
            }
            b"".join(application(environ, start_response))

    # One backend for the whole run, whose CPU is read from /proc (CONN_MAX_AGE would replace
    # it every 60 s).
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None
    run(0, 500)  # warm: keys remembered, statements prepared
    connection.ensure_connection()
    backend = int(connection.connection.info.backend_pid)
    load = os.getloadavg()
    batch = 500
    python: list[float] = []
    database: list[float] = []
    for first in range(500, 500 + max(requests, batch), batch):
        before_db = (_proc_cpu(backend) or (0, 0.0))[1]
        started = time.process_time()
        run(first, batch)
        python.append(1000 * (time.process_time() - started) / batch)
        database.append(1000 * ((_proc_cpu(backend) or (0, 0.0))[1] - before_db) / batch)
    if profile:  # where the CPU goes (cProfile on CPU time: waits for the network excluded)
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(run, 500 + len(python) * batch, requests)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print(f"  in-process: {len(python) * batch:,} look-ups through tadamun.wsgi.application")
    print(f"  load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; answers {statuses}")
    print(
        f"  CPU per request, least loaded batch of {batch} (median): Python "
        f"{min(python):.2f} ms ({sorted(python)[len(python) // 2]:.2f}), PostgreSQL backend "
        f"{min(database):.2f} ms ({sorted(database)[len(database) // 2]:.2f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", "--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--tool", choices=("wrk", "locust"), default="wrk")
    parser.add_argument(
        "--server",
        choices=("granian", "gunicorn"),
        default="granian",
        help="granian: the production server (README); gunicorn: the comparison",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("TADAMUN_REDIS_URL") or "redis://127.0.0.1:6379/8"
    )
    parser.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="instead of a server: N look-ups through the WSGI application in this process",
    )
    parser.add_argument(
        "--profile", action="store_true", help="with --in-process: N more look-ups under cProfile"
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
    if args.in_process:
        in_process(args.redis, args.in_process, args.profile)
        return 0
    wrk = wrk_path() if args.tool == "wrk" else None
    if args.tool == "wrk" and wrk is None:
        print("  wrk not available (not root, or no apt-get): falling back to locust")

    server = subprocess.Popen(
        server_command(args.server, args.workers),
        cwd=ROOT,
        env=server_env(url, args.redis),
        # Django logs every 400 (the mistyped numbers) as a warning: kept out of the report.
        stderr=open(VAR / f"bench_rights_{args.server}.log", "w"),  # noqa: SIM115
    )
    try:
        first_key = KEYS_FILE.read_text().split()[0]
        wait_until_up(first_key, NUMBERS_FILE.read_text().split()[0])
        print(f"  {args.server}: {args.workers} worker processes ({SERVER_SHAPE[args.server]})")
        print("  warm-up 5 s")
        if wrk is not None:
            run_wrk(wrk, args.connections, 5)
        else:
            run_locust(args.connections, 5, VAR / "bench_rights_warmup")
        load = os.getloadavg()
        print(f"  load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        cpu = CpuMeter(server.pid, url)
        if wrk is not None:
            print(f"  wrk: {args.connections} connections, {args.seconds} s")
            stats = run_wrk(wrk, args.connections, args.seconds)
        else:
            print(f"  locust: {args.connections} users, {args.seconds} s")
            stats = run_locust(args.connections, args.seconds, VAR / "bench_rights")
        used = cpu.used()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if wrk is not None:
        requests = int(stats.get("requests", 0))
        print(
            f"  requests {requests:,}, non-2xx {stats.get('non2xx', 0):,} "
            f"(the 5 % mistyped numbers answered 400), {stats.get('rps', 0):,.0f} requests/s, "
            f"p50 {stats.get('50%', 0):.1f} ms, p90 {stats.get('90%', 0):.1f} ms, "
            f"p99 {stats.get('99%', 0):.1f} ms, max {stats.get('max', 0):.0f} ms"
        )
        if "socket_errors" in stats:
            print(f"  {stats['socket_errors']}")
        report_cpu(used, requests, args.seconds)
        print_verdict(args.server, stats.get("rps", 0.0), stats.get("99%", float("inf")), load)
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
