"""A real Celery worker on the real Redis broker (127.0.0.1:6379), against the PostgreSQL test
database: a file processed end to end; and a worker killed (SIGKILL) in the middle of a file —
its declaration's lines written but not committed — leaves nothing behind, and a new worker
processes the file again from its first line to acceptance (acks_late: the message was never
acknowledged, Redis delivers it again after the visibility timeout).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.declarations.models import Declaration, DeclarationLine
from tadamun.filings.models import Filing, FilingStatus
from tadamun.jobs import app
from tadamun.ledger.models import Entry
from tadamun.registry.models import Employer
from tests.filings.conftest import TEST_BROKER, Hire, bds, broker_prefix, forget_broker_keys, upload

BROKER = TEST_BROKER
VISIBILITY = 2
PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in ("postgres", "postgresql"),
        reason="a worker process needs a database it can share: PostgreSQL (set DATABASE_URL)",
    ),
]


@pytest.fixture
def broker(settings: SettingsWrapper, transactional_db: None) -> Iterator[str]:
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {BROKER}: {exc}")
    # This run's own keys (its test database's name), so that runs sharing the Redis server
    # never take each other's messages; none is left from an earlier run.
    prefix = broker_prefix()
    forget_broker_keys(client, prefix)
    settings.TADAMUN_BROKER_URL = BROKER
    app.conf.broker_url = BROKER
    app.conf.broker_transport_options = {
        "visibility_timeout": VISIBILITY,
        "global_keyprefix": prefix,
    }
    yield BROKER
    app.close()
    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}
    forget_broker_keys(client, prefix)


Start = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(broker: str, tmp_path: Path) -> Iterator[Start]:
    workers: list[subprocess.Popen[bytes]] = []
    name = settings.DATABASES["default"]["NAME"]

    def start(**env: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(workers)}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tadamun.jobs",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"h3-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=PROJECT,
            env={
                **os.environ,
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
                "TADAMUN_SECRET_KEY": "worker-test",
                "TADAMUN_BROKER_URL": broker,
                "TADAMUN_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY),
                "TADAMUN_BROKER_KEY_PREFIX": broker_prefix(),
                "TADAMUN_FUND": "ma-cnss",
                "TADAMUN_VAR_DIR": str(settings.VAR_DIR),
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg kills it whole
        )
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(check: Callable[[], bool], what: str, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


def status(filing: Filing) -> str:
    filing.refresh_from_db()
    return filing.status


def test_a_real_worker_processes_a_file(
    start_worker: Start, employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 50)
    start_worker()
    filing = upload(employer, user, bds(employer, people))  # queued on Redis at once (autocommit)
    wait_for(lambda: status(filing) == FilingStatus.ACCEPTED, "the worker to accept the file")
    declaration = Declaration.objects.get()
    assert filing.declaration_id == declaration.pk and filing.attempts == 1
    assert DeclarationLine.objects.filter(declaration=declaration).count() == 50
    dues = Entry.objects.filter(source=f"declaration:{declaration.pk}")
    assert sum(e.amount for e in dues) == declaration.total_contributions > 0


def _lines_written_uncommitted() -> bool:
    """Another session holds a write lock on the lines table and sits idle in its transaction:
    the worker, its declaration's lines copied, inside the crash drill's pause."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = %s::regclass AND l.mode = 'RowExclusiveLock'
              AND a.state = 'idle in transaction' AND a.pid <> pg_backend_pid()
            """,
            [DeclarationLine._meta.db_table],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _other_sessions_in_transaction() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_a_worker_killed_mid_file_leaves_nothing_and_the_file_is_processed_again(
    start_worker: Start, employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 2000)
    first = start_worker(TADAMUN_FILING_DRILL_SECONDS="120")
    filing = upload(employer, user, bds(employer, people))
    wait_for(_lines_written_uncommitted, "the first worker to write the lines, uncommitted")
    assert status(filing) == FilingStatus.PROCESSING
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(20)
    wait_for(lambda: _other_sessions_in_transaction() == 0, "PostgreSQL to roll the worker back")
    # Nothing of the killed run survives: no declaration, no line, no ledger entry.
    assert (
        Declaration.objects.count(),
        DeclarationLine.objects.count(),
        Entry.objects.count(),
    ) == (
        0,
        0,
        0,
    )
    assert status(filing) == FilingStatus.PROCESSING and filing.attempts == 1
    time.sleep(VISIBILITY + 1)  # the unacknowledged message becomes visible again
    start_worker()
    wait_for(lambda: status(filing) == FilingStatus.ACCEPTED, "a new worker to accept the file")
    assert filing.attempts == 2  # processed again from the start
    declaration = Declaration.objects.get()
    assert DeclarationLine.objects.filter(declaration=declaration).count() == 2000
    assert sorted(DeclarationLine.objects.values_list("row", flat=True)) == list(range(1, 2001))
    dues = Entry.objects.filter(source=f"declaration:{declaration.pk}")
    assert sum(e.amount for e in dues) == declaration.total_contributions > 0
