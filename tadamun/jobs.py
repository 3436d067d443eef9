"""Background jobs: one Celery application, and ``enqueue`` — the only way to start a job.

``TADAMUN_BROKER_URL`` (``redis://…`` or ``amqp://…``) selects production Celery: ``enqueue``
publishes the task to the broker once the current transaction has committed, and workers started
with ``celery -A tadamun.jobs worker`` run it. Without a broker (the embedded default, ``make
run``, the tests) the job runs in-process, in a background thread started after the commit: no
service to install. ``TADAMUN_JOBS=inline`` runs it in the committing thread instead (tests that
want the result before the request returns).

Every task is ``acks_late``: the broker forgets a message only once the task has finished, so a
worker killed in the middle of a job leaves the message to be delivered again (Redis: after
``TADAMUN_BROKER_VISIBILITY_TIMEOUT`` seconds; RabbitMQ: as soon as the connection drops). A
task must therefore be idempotent: running it twice does what running it once does.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

from celery import Celery

from tadamun.housekeeping.schedule import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

logger = logging.getLogger(__name__)


class Task(Protocol):
    """What ``enqueue`` needs of a task: Celery's ``apply_async`` and a direct call."""

    name: str

    def apply_async(self, args: tuple[Any, ...]) -> object: ...

    def __call__(self, *args: Any) -> object: ...


def _broker_url() -> str:
    from django.conf import settings

    return str(getattr(settings, "TADAMUN_BROKER_URL", "") or "")


app = Celery("tadamun")
# CELERY_* settings (settings.py): the broker and its visibility timeout, from the environment.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    # A pool process killed (SIGKILL, out of memory) puts its message back instead of acking it.
    task_reject_on_worker_lost=True,
    # One message at a time per process: a long file does not hold others hostage.
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
app.autodiscover_tasks(
    ["tadamun.filings", "tadamun.notifications", "tadamun.housekeeping", "tadamun.insured"]
)
# The periodic jobs (tadamun/housekeeping/schedule.py), sent by ``celery -A tadamun.jobs beat``.
app.conf.beat_schedule = beat_schedule()


def mode() -> str:
    """``celery`` (a broker is configured), ``thread`` (embedded default) or ``inline``."""
    from django.conf import settings

    if _broker_url():
        return "celery"
    chosen = str(getattr(settings, "TADAMUN_JOBS", "") or "thread")
    return chosen if chosen in ("thread", "inline") else "thread"


def _run_here(task: Task, args: tuple[Any, ...]) -> None:
    from django.db import connections

    own_thread = threading.current_thread() is not threading.main_thread() and mode() == "thread"
    try:
        task(*args)
    except Exception:  # a job's failure is recorded by the job; the thread must not die loudly
        logger.exception("job %s%r failed", task.name, args)
    finally:
        if own_thread:  # the thread's own connections, opened by the job
            connections.close_all()


#: The threads started in embedded mode, so a test or ``join_threads`` can wait for them.
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def _dispatch(task: Task, args: tuple[Any, ...]) -> None:
    how = mode()
    if how == "celery":
        try:
            task.apply_async(args=args)
        except Exception:  # broker down: the work is committed and stays queued, say so loudly
            logger.exception("could not queue job %s%r on the broker", task.name, args)
    elif how == "inline":
        _run_here(task, args)
    else:
        thread = threading.Thread(
            target=_run_here, args=(task, args), name=f"job-{task.name}", daemon=True
        )
        with _threads_lock:
            _threads[:] = [t for t in _threads if t.is_alive()]
            _threads.append(thread)
        thread.start()


def enqueue(task: Task, *args: Any, using: str | None = None) -> None:
    """Run ``task(*args)`` in the background once the current transaction commits (at once when
    none is open). ``args`` must be JSON values (ids, not objects)."""
    from django.db import transaction

    callback: Callable[[], None] = lambda: _dispatch(task, args)  # noqa: E731
    transaction.on_commit(callback, using=using, robust=False)


def join_threads(timeout: float = 30.0) -> None:
    """Wait for the embedded mode's job threads (tests, a clean shutdown)."""
    with _threads_lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)
