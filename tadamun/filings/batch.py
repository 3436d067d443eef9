"""Declaration files by the thousand: a payroll bureau declaring for its clients, an EDI channel,
the last days before the deadline when a national month arrives.

:func:`filings_intake_many` receives many employers' files at once — each stored as received with
its hash, a duplicate recognised, a file for another employer or period refused — and queues them
in batches; :func:`filings_process_batch` (the job, one per batch) checks every file of a batch
exactly as one filing is checked (the same readers, the same registry rules) but reads the
registry once for the whole batch and accepts every good file of the batch with
:func:`tadamun.declarations.batch.declarations_submit_batch`: a fixed number of statements per
batch instead of per file. A file with problems is rejected whole, alone; the batch's good files
are accepted together in one transaction, so a worker killed half-way leaves none of them
written, and the redelivered job processes the batch again from the start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tadamun import jobs
from tadamun.accounts.models import User
from tadamun.dbcopy import insert_rows, reserve_ids
from tadamun.declarations.batch import BatchItem, declarations_submit_batch
from tadamun.declarations.models import Declaration, Status
from tadamun.errors import Problem
from tadamun.filings import storage
from tadamun.filings.formats import sniff
from tadamun.filings.models import Filing, FilingStatus
from tadamun.filings.problems import file_problem, problem
from tadamun.filings.readers import (
    MAX_PROBLEMS,
    READERS,
    ReadResult,
    Workforce,
    ma_bds_from_read,
)
from tadamun.filings.services import filings_reject_many
from tadamun.formats.ma_bds_many import FileInput, read_declarations_many
from tadamun.formats.problems import LineProblem
from tadamun.funds import Period
from tadamun.registry.models import Employer
from tadamun.registry.selectors import employers_workforce_rows

logger = logging.getLogger(__name__)

#: Files per job: large enough that the per-batch statements are paid rarely, small enough that a
#: redelivered job redoes little and that several workers share a national month evenly.
BATCH_FILES = 500


@dataclass(frozen=True)
class Incoming:
    """One file of an intake: whose it is and its content."""

    employer: Employer
    stream: BinaryIO
    name: str


@dataclass
class Intake:
    """What became of each file of an intake, in order: a new filing, the filing the same file
    already made, or the problems that refused it (nothing stored then)."""

    filings: list[Filing | None] = field(default_factory=list)
    duplicates: list[bool] = field(default_factory=list)
    problems: list[list[Problem]] = field(default_factory=list)
    batches: int = 0


class _Received:
    """A small file read whole (a bureau's files are kilobytes), hashed and counted in memory and
    written once to its final place — no staging copy, no rename: the intake of a national
    month writes 160,000 of them."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.size = len(data)
        self.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)

    def store(self, employer_id: int, directories: set[int]) -> str:
        """The file under its stored name (the same as :func:`storage.store` gives)."""
        base = str(storage.root())
        if employer_id not in directories:
            os.makedirs(os.path.join(base, str(employer_id)), exist_ok=True)
            directories.add(employer_id)
        name = f"{employer_id}/{self.sha256}.txt"
        path = os.path.join(base, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self.data)
        return name


def _token(filing: Filing) -> str:
    # The same token as one filing processed alone (services._token), so either path finds what
    # the other made.
    return f"filing-{filing.pk}-{filing.sha256[:16]}"


def filings_intake_many(
    *,
    user: User,
    period: Period,
    fmt: str,
    files: Iterable[Incoming],
    batch_files: int = BATCH_FILES,
) -> Intake:
    """Store and queue many employers' files for ``period`` in ``fmt``. The caller has checked
    that ``user`` may declare for each employer (a bureau's delegations). A fixed number of
    statements for the whole intake, whatever the number of files."""
    result = Intake()
    staged: list[tuple[int, Incoming, _Received]] = []
    limit = storage.max_bytes()
    for incoming in files:
        n = len(result.filings)
        result.filings.append(None)
        result.duplicates.append(False)
        result.problems.append([])
        data = incoming.stream.read(limit + 1)
        found: list[Problem] = []
        if len(data) > limit:
            found = [problem("file", "too_large", max=limit // (1024 * 1024))]
        elif not data:
            found = [problem("file", "empty")]
        elif storage.is_zip(data[:4]):
            found = [problem("file", "not_text", kind="application/zip")]
        else:
            found = sniff(fmt, data[:4096], employer=incoming.employer, period=period)
        if found:
            result.problems[n] = found
            continue
        staged.append((n, incoming, _Received(data)))
    if not staged:
        return result
    known = {
        (employer_id, sha): filing
        for filing in Filing.objects.filter(
            employer_id__in={i.employer.pk for _, i, _ in staged},
            sha256__in={s.sha256 for _, _, s in staged},
        )
        for employer_id, sha in [(filing.employer_id, filing.sha256)]
    }
    declared = dict(
        Declaration.objects.filter(
            employer_id__in={i.employer.pk for _, i, _ in staged},
            period_label=period.label,
            status=Status.ACCEPTED,
        ).values_list("employer_id", "receipt_number")
    )
    now = timezone.now()
    directories: set[int] = set()
    new: list[tuple[int, Filing]] = []
    for n, incoming, got in staged:
        same = known.get((incoming.employer.pk, got.sha256))
        if same is not None:
            result.filings[n], result.duplicates[n] = same, True
            continue
        receipt = declared.get(incoming.employer.pk)
        if receipt is not None:
            result.problems[n] = [
                problem("period", "already_declared", period=period.label, receipt=receipt)
            ]
            continue
        name = os.path.basename(incoming.name.replace("\\", "/"))[:200] or "file"
        filing = Filing(
            employer=incoming.employer,
            uploaded_by=user,
            fmt=fmt,
            period_label=period.label,
            original_name=name,
            stored_name=got.store(incoming.employer.pk, directories),
            sha256=got.sha256,
            size=got.size,
            zipped=False,
            lines_total=got.lines,
            created_at=now,
        )
        known[(incoming.employer.pk, got.sha256)] = filing  # the same file twice in one intake
        new.append((n, filing))
    from tadamun.filings.tasks import process_filing_batch

    with transaction.atomic():
        created = _create_filings([f for _, f in new])
        ids = [f.pk for f in created]
        for start in range(0, len(ids), batch_files):
            jobs.enqueue(process_filing_batch, ids[start : start + batch_files])
            result.batches += 1
    for (n, _), filing in zip(new, created, strict=True):
        result.filings[n] = filing
    return result


_FILING_FIELDS = (
    *("id", "employer", "uploaded_by", "fmt", "period_label", "original_name", "stored_name"),
    *("sha256", "size", "zipped", "status", "lines_total", "lines_done", "attempts"),
    *("problem_count", "declaration", "failure", "created_at", "started_at", "finished_at"),
)


def _create_filings(filings: list[Filing]) -> list[Filing]:
    """The new filings' rows: on PostgreSQL one ``COPY`` with ids taken from the sequence first
    (``bulk_create`` prepares every value of every row through its field, 0.4 ms a filing); the
    ORM elsewhere."""
    if connection.vendor != "postgresql" or not filings:
        return Filing.objects.bulk_create(filings, batch_size=2000)
    ids = reserve_ids(Filing, len(filings))
    attnames = [Filing._meta.get_field(name).attname for name in _FILING_FIELDS]  # type: ignore[union-attr]
    for filing, pk in zip(filings, ids, strict=True):
        filing.pk = pk
    insert_rows(Filing, _FILING_FIELDS, ([getattr(f, name) for name in attnames] for f in filings))
    for filing in filings:
        filing._state.adding = False
        filing._state.db = connection.alias
    return filings


# --- processing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchReport:
    accepted: int
    rejected: int
    skipped: int  # already done, or taken by another worker


def _claim(filing_ids: Sequence[int]) -> list[Filing]:
    """The batch's filings still to do, marked as being processed (again, from the start).
    Another worker's filings (locked) are skipped, finished ones too."""
    with transaction.atomic():
        rows = list(
            Filing.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("employer")
            .filter(pk__in=filing_ids)
            .exclude(status__in=[FilingStatus.ACCEPTED, FilingStatus.REJECTED])
            .order_by("pk")
        )
        Filing.objects.filter(pk__in=[f.pk for f in rows]).update(
            status=FilingStatus.PROCESSING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            failure="",
        )
    # A batch comes from one intake (one user) or a few: each user read once, not per filing.
    users = {u.pk: u for u in User.objects.filter(pk__in={f.uploaded_by_id for f in rows})}
    for filing in rows:
        Filing.uploaded_by.field.set_cached_value(filing, users[filing.uploaded_by_id])
    return rows


def _read(filing: Filing, period: Period, workforce: dict[int, Workforce]) -> ReadResult:
    read = READERS.get(filing.fmt)
    if read is None:
        problems = [file_problem(0, "fmt", "format_unavailable", value=filing.fmt)]
        return ReadResult(None, problems, 1, 0)
    try:
        with storage.open_stored(filing.stored_name, zipped=filing.zipped) as stream:
            return read(
                stream,
                employer=filing.employer,
                period=period,
                workforce=workforce[filing.employer_id],
            )
    except (OSError, EOFError, ValueError) as exc:
        return ReadResult(None, [file_problem(0, "file", "zip_bad", reason=str(exc)[:80])], 1, 0)


#: The names :meth:`_Received.store` and :func:`storage.store` give: nothing to resolve.
_STORED_NAME = re.compile(r"[0-9]+/[0-9a-f]{64}\.txt")


def _stored_bytes(base: str, name: str) -> bytes:
    """A stored file's content. A name of the intake's own shape cannot leave the filings
    directory, so the path is not resolved (``Path.resolve`` is a system call per component,
    0.3 ms a file); any other name goes through :func:`storage.stored_path`'s check."""
    if _STORED_NAME.fullmatch(name):
        with open(os.path.join(base, name), "rb") as fh:
            return fh.read()
    return storage.stored_path(name).read_bytes()


def _read_ma_bds_many(
    filings: list[Filing], periods: dict[str, Period], workforce: dict[int, Workforce]
) -> dict[int, ReadResult]:
    """Morocco's files of the batch read at once, vectorised across the files (the national
    month is 160,000 small files: one by one, the reader's fixed cost per file would dominate)."""
    if not filings:
        return {}
    inputs: list[FileInput] = []
    counts: list[int] = []
    base = str(storage.root())
    for filing in filings:
        period = periods[filing.period_label]
        data = _stored_bytes(base, filing.stored_name)
        counts.append(data.count(b"\n") + (0 if data.endswith(b"\n") else 1))
        inputs.append(
            FileInput(
                data=data,
                expected_insured=workforce[filing.employer_id].keys(),
                affiliate_number=filing.employer.affiliate_number,
                period=f"{period.start.year:04d}{period.start.month:02d}",
            )
        )
    reads = read_declarations_many(inputs, max_problems=MAX_PROBLEMS)
    return {
        filing.pk: ma_bds_from_read(
            read,
            employer=filing.employer,
            workforce=workforce[filing.employer_id],
            lines=count,
        )
        for filing, read, count in zip(filings, reads, counts, strict=True)
    }


def _mark_accepted(filings: list[Filing], now: dt.datetime) -> None:
    """Accepted, each with its declaration: one UPDATE … FROM (VALUES …) per 2,000 filings
    (``bulk_update``'s CASE expressions cost seconds for a batch)."""
    table = connection.ops.quote_name(Filing._meta.db_table)
    for start in range(0, len(filings), 2_000):
        part = filings[start : start + 2_000]
        values = ", ".join(["(%s, %s, %s)"] * len(part))
        params: list[Any] = []
        for filing in part:
            assert filing.declaration is not None
            params += [filing.pk, filing.declaration.pk, filing.lines_done]
        with connection.cursor() as cursor:
            # A CTE names the VALUES' columns the same way on PostgreSQL and SQLite.
            cursor.execute(
                f"WITH v(id, declaration_id, lines_done) AS (VALUES {values}) "
                f"UPDATE {table} SET status = %s, declaration_id = v.declaration_id, "
                f"lines_done = v.lines_done, problem_count = 0, finished_at = %s "
                f"FROM v WHERE {table}.id = v.id",
                [*params, FilingStatus.ACCEPTED, now],
            )


def filings_process_batch(
    *, filing_ids: Sequence[int], today: dt.date | None = None
) -> BatchReport:
    """The job: process a batch of filings from the start (idempotent; see the module)."""
    claimed = _claim(filing_ids)
    skipped = len(set(filing_ids)) - len(claimed)
    if not claimed:
        return BatchReport(0, 0, skipped)
    periods = {f.period_label: Period.parse(f.period_label) for f in claimed}
    workforce: dict[int, Workforce] = {}
    for label, period in periods.items():
        ids = {f.employer_id for f in claimed if f.period_label == label}
        workforce.update(
            employers_workforce_rows(employer_ids=ids, start=period.start, end=period.end)
        )
    rejected: list[tuple[Filing, list[LineProblem], int]] = []
    good: list[tuple[Filing, BatchItem, int]] = []
    many = _read_ma_bds_many(
        [f for f in claimed if f.fmt == "ma-bds" and not f.zipped], periods, workforce
    )
    for filing in claimed:
        period = periods[filing.period_label]
        read = many.get(filing.pk) or _read(filing, period, workforce)
        if read.lines is None:
            rejected.append((filing, read.problems, read.problem_count))
            continue
        item = BatchItem(
            employer=filing.employer,
            period=period,
            lines=read.lines,
            user=filing.uploaded_by,
            token=_token(filing),
        )
        good.append((filing, item, read.line_count))
    accepted = 0
    with transaction.atomic():
        outcome = declarations_submit_batch(items=[item for _, item, _ in good], today=today)
        done: list[Filing] = []
        now = timezone.now()
        for (filing, _, lines), declaration, problems in zip(
            good, outcome.declarations, outcome.problems, strict=True
        ):
            if declaration is None:
                refused = [LineProblem(line=0, problem=p) for p in problems]
                rejected.append((filing, refused, len(refused)))
                continue
            filing.status = FilingStatus.ACCEPTED
            filing.declaration = declaration
            filing.lines_done = lines
            filing.problem_count = 0
            filing.finished_at = now
            done.append(filing)
        _mark_accepted(done, now)
        filings_reject_many(rejected=rejected)
        accepted = len(done)
    logger.info(
        "filings batch: %s accepted, %s rejected, %s skipped", accepted, len(rejected), skipped
    )
    return BatchReport(accepted, len(rejected), skipped)
