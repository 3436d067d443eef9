"""Writes of the declaration files: upload (stored as received, queued) and processing (the job).

For the API and any other caller, the whole contract is:

- ``filing_upload(*, employer, user, period, fmt, stream, filename) -> Filing`` — store the file
  (streamed, size-limited, zip checked), create the filing and queue its processing; the same
  file twice for the same employer returns the first filing. InvalidInput (fields ``fmt``,
  ``period``, ``file``) names what is wrong; nothing is stored then.
  ``filing_upload_result(...)`` is the same with ``.duplicate`` telling whether it was seen.
- ``filing_process(*, filing_id) -> Filing`` — the job (idempotent): read, check, then accept
  (declaration, receipt, ledger dues) or reject with the complete list of problems.
- reads in :mod:`tadamun.filings.selectors`: ``filing_for_user(*, user, filing_id)``,
  ``filing_get(*, employer, filing_id)``, ``filings_of(*, employer)``, ``filing_status(*,
  filing) -> FilingState`` (JSON-ready progress), ``filing_problems(*, filing)``,
  ``filing_report_csv(*, filing, language) -> Iterator[str]`` (the error report),
  ``filing_formats(*, employer)`` and ``prefilled_file(*, employer, period, fmt)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone

from tadamun import jobs
from tadamun.declarations import selectors as declarations
from tadamun.declarations import services as declaring
from tadamun.errors import InvalidInput, Problem
from tadamun.filings import storage
from tadamun.filings.formats import FORMATS, formats_for, sniff
from tadamun.filings.models import Filing, FilingProblem, FilingStatus
from tadamun.filings.problems import file_problem, problem
from tadamun.filings.readers import MAX_PROBLEMS, READERS
from tadamun.formats.problems import LineProblem
from tadamun.funds import Period, Periodicity
from tadamun.registry.models import Employer

if TYPE_CHECKING:
    from tadamun.accounts.models import User

logger = logging.getLogger(__name__)

#: Seconds between two progress writes (a progress write is its own tiny transaction).
PROGRESS_SECONDS = 0.5


@dataclass(frozen=True)
class UploadResult:
    filing: Filing
    duplicate: bool


def _period(employer: Employer, label: object, today: dt.date) -> Period:
    text = str(label or "").strip()[:16]
    expected = Periodicity(employer.declaration_periodicity)
    example = Period.containing(today, expected).label
    if not text:
        raise InvalidInput([problem("period", "required")])
    try:
        period = Period.parse(text)
    except ValueError:
        raise InvalidInput(
            [problem("period", "not_a_period", value=text, example=example)]
        ) from None
    if period.periodicity != expected:
        raise InvalidInput([problem("period", "not_a_period", value=text, example=example)])
    if period.start > today:
        raise InvalidInput([problem("period", "future_period", value=period.label)])
    return period


def _not_declared(employer: Employer, period: Period) -> None:
    current = declarations.accepted_declaration(employer=employer, period=period)
    if current is not None:
        raise InvalidInput(
            [
                problem(
                    "period",
                    "already_declared",
                    value=period.label,
                    receipt=current.receipt_number,
                )
            ]
        )


def _format(employer: Employer, fmt: object) -> str:
    text = str(fmt or "").strip()[:16]
    allowed = formats_for(employer.fund)
    if not text:
        raise InvalidInput([problem("fmt", "required")])
    if text not in allowed:
        raise InvalidInput(
            [problem("fmt", "unknown_format", value=text, choices=", ".join(allowed))]
        )
    return text


def filing_upload_result(
    *,
    employer: Employer,
    user: User,
    period: str,
    fmt: str,
    stream: BinaryIO | Any,
    filename: str,
    today: dt.date | None = None,
) -> UploadResult:
    """Store the file as received and queue it; see the module's docstring."""
    day = today or timezone.localdate()
    problems: list[Problem] = []
    checked_fmt = checked_period = None
    try:
        checked_fmt = _format(employer, fmt)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    try:
        checked_period = _period(employer, period, day)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    if stream is None:
        problems.append(problem("file", "required"))
    if problems:
        if isinstance(stream, storage.StagedUpload):
            stream.staged.discard()
        raise InvalidInput(problems)
    assert checked_fmt is not None and checked_period is not None
    staged = storage.stage_stream(stream)
    try:
        return _keep(
            employer=employer,
            user=user,
            period=checked_period,
            fmt=checked_fmt,
            staged=staged,
            filename=filename,
        )
    finally:
        staged.discard()  # moved when kept; otherwise nothing stays behind


def filing_upload(
    *,
    employer: Employer,
    user: User,
    period: str,
    fmt: str,
    stream: BinaryIO | Any,
    filename: str,
    today: dt.date | None = None,
) -> Filing:
    """Store the file as received and queue it; see the module's docstring."""
    return filing_upload_result(
        employer=employer,
        user=user,
        period=period,
        fmt=fmt,
        stream=stream,
        filename=filename,
        today=today,
    ).filing


def _keep(
    *,
    employer: Employer,
    user: User,
    period: Period,
    fmt: str,
    staged: storage.Staged,
    filename: str,
) -> UploadResult:
    if staged.size == 0:
        raise InvalidInput([problem("file", "empty")])
    same = Filing.objects.filter(employer=employer, sha256=staged.sha256).first()
    if same is not None:
        return UploadResult(same, True)
    _not_declared(employer, period)
    zipped = storage.is_zip(staged.head)
    lines, head = staged.lines, staged.head
    if zipped:
        member = storage.check_zip(staged.path)
        lines, head = member.lines, member.head
    found = sniff(fmt, head, employer=employer, period=period)
    if found:
        raise InvalidInput(found)
    name = os.path.basename(str(filename or "").replace("\\", "/"))[:200] or "file"
    stored = storage.store(staged, employer_id=employer.pk, zipped=zipped)
    try:
        with transaction.atomic():
            filing = Filing.objects.create(
                employer=employer,
                uploaded_by=user,
                fmt=fmt,
                period_label=period.label,
                original_name=name,
                stored_name=stored,
                sha256=staged.sha256,
                size=staged.size,
                zipped=zipped,
                lines_total=lines,
                created_at=timezone.now(),
            )
            from tadamun.filings.tasks import process_filing

            jobs.enqueue(process_filing, filing.pk)
    except IntegrityError:
        # The same file, sent twice at once: the first one's filing is the answer.
        same = Filing.objects.filter(employer=employer, sha256=staged.sha256).first()
        if same is None:
            raise
        return UploadResult(same, True)
    return UploadResult(filing, False)


# --- processing ---------------------------------------------------------------------------------


def _claim(filing_id: int) -> Filing | None:
    """Mark the filing as being processed (again, from the start); None when already done."""
    with transaction.atomic():
        filing = (
            Filing.objects.select_for_update()
            .select_related("employer", "uploaded_by")
            .filter(pk=filing_id)
            .first()
        )
        if filing is None or filing.status in (FilingStatus.ACCEPTED, FilingStatus.REJECTED):
            return None
        filing.status = FilingStatus.PROCESSING
        filing.attempts += 1
        filing.lines_done = 0
        filing.started_at = timezone.now()
        filing.failure = ""
        filing.save(update_fields=["status", "attempts", "lines_done", "started_at", "failure"])
        return filing


def _progress(filing: Filing) -> Any:
    last = [0.0]

    def report(done: int) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS and done < filing.lines_total:
            return
        last[0] = now
        Filing.objects.filter(pk=filing.pk, status=FilingStatus.PROCESSING).update(
            lines_done=min(done, 2**31 - 1)
        )

    return report


def _token(filing: Filing) -> str:
    """The declaration's submission token: one per filing, so a re-run finds what it made."""
    return f"filing-{filing.pk}-{filing.sha256[:16]}"


def _reject(filing: Filing, problems: list[LineProblem], count: int) -> None:
    with transaction.atomic():
        filings_reject_many(rejected=[(filing, problems, count)])


def filings_reject_many(*, rejected: list[tuple[Filing, list[LineProblem], int]]) -> None:
    """Rejected, each filing with its problems (at most ``MAX_PROBLEMS``, then one saying how many
    more): a fixed number of statements for one filing or a batch's. The problems of a previous,
    interrupted run are replaced. Call inside a transaction."""
    if not rejected:
        return
    FilingProblem.objects.filter(filing__in=[f for f, _, _ in rejected]).delete()
    rows: list[FilingProblem] = []
    now = timezone.now()
    for filing, problems, count in rejected:
        kept = problems[:MAX_PROBLEMS]
        if count > len(kept):
            kept.append(file_problem(0, "file", "too_many_problems", max=len(kept)))
        rows.extend(
            FilingProblem(
                filing=filing,
                line=max(p.line, 0),
                field=p.field[:60],
                code=p.code[:40],
                message_fr=p.message("fr"),
                message_ar=p.message("ar"),
                message_en=p.message("en"),
            )
            for p in kept
        )
        filing.status = FilingStatus.REJECTED
        filing.problem_count = max(count, len(kept))
        filing.finished_at = now
    FilingProblem.objects.bulk_create(rows, batch_size=2000)
    Filing.objects.bulk_update(
        [f for f, _, _ in rejected], ["status", "problem_count", "finished_at"], batch_size=2000
    )


def filing_process(*, filing_id: int) -> Filing | None:
    """The job: process filing ``filing_id`` from the start, all or nothing. Idempotent: an
    accepted or rejected filing is left as it is; a filing interrupted half-way (worker killed)
    starts again from its first line, and its declaration is written in one transaction keyed
    on the filing (a second run cannot apply it twice)."""
    filing = _claim(filing_id)
    if filing is None:
        return Filing.objects.filter(pk=filing_id).first()
    try:
        _process(filing)
    except Exception as exc:
        logger.exception("filing %s failed", filing.pk)
        Filing.objects.filter(pk=filing.pk).exclude(status=FilingStatus.ACCEPTED).update(
            status=FilingStatus.FAILED,
            failure=f"{type(exc).__name__}: {exc}"[:300],
            finished_at=timezone.now(),
        )
    filing.refresh_from_db()
    return filing


def _process(filing: Filing) -> None:
    employer = filing.employer
    period = Period.parse(filing.period_label)
    read = READERS.get(filing.fmt)
    if read is None:
        _reject(filing, [file_problem(0, "fmt", "format_unavailable", value=filing.fmt)], 1)
        return
    try:
        with storage.open_stored(filing.stored_name, zipped=filing.zipped) as stream:
            result = read(stream, employer=employer, period=period, progress=_progress(filing))
    except (zipfile.BadZipFile, EOFError) as exc:  # a zip that lied about its CRC, mostly
        _reject(filing, [file_problem(0, "file", "zip_bad", reason=str(exc)[:80])], 1)
        return
    if result.lines is None:
        _reject(filing, result.problems, result.problem_count)
        return
    try:
        with transaction.atomic():
            declaration = declaring.declaration_submit_from_columns(
                employer=employer,
                period=period,
                lines=result.lines,
                user=filing.uploaded_by,
                token=_token(filing),
            )
            _drill()
            Filing.objects.filter(pk=filing.pk).update(
                status=FilingStatus.ACCEPTED,
                declaration=declaration,
                lines_done=result.line_count,
                problem_count=0,
                finished_at=timezone.now(),
            )
    except InvalidInput as exc:
        problems = [LineProblem(line=0, problem=p) for p in exc.problems]
        _reject(filing, problems, len(problems))


def _drill() -> None:
    """Crash drill (``TADAMUN_FILING_DRILL_SECONDS``): hold the declaration's transaction open,
    lines written, so an operator — or the test that kills the worker — can see that nothing
    of a killed run survives. Zero (off) unless set."""
    seconds = float(os.environ.get("TADAMUN_FILING_DRILL_SECONDS", "0") or 0)
    if seconds > 0:
        time.sleep(min(seconds, 600))


def filings_requeue_stuck(*, older_than: dt.timedelta) -> int:
    """Queue again the filings whose job was lost (the periodic job); how many were queued.

    Lost means still ``queued`` more than ``older_than`` after the upload (the broker was down
    when it committed) or ``processing`` since more than ``older_than`` (its worker died and
    the broker no longer holds the message). Choose ``older_than`` well beyond the broker's
    visibility timeout, after which Redis delivers an unfinished job again by itself. Queuing a
    filing twice is harmless: processing is idempotent and a finished filing is skipped."""
    cutoff = timezone.now() - older_than
    stuck = Filing.objects.filter(
        status=FilingStatus.QUEUED, created_at__lt=cutoff
    ) | Filing.objects.filter(status=FilingStatus.PROCESSING, started_at__lt=cutoff)
    ids = list(stuck.order_by("pk").values_list("pk", flat=True))
    from tadamun.filings.tasks import process_filing

    for filing_id in ids:
        jobs.enqueue(process_filing, filing_id)
    if ids:
        logger.warning("%d filing(s) queued again, their job lost: %s", len(ids), ids[:20])
    return len(ids)


__all__ = [
    "FORMATS",
    "UploadResult",
    "filing_process",
    "filing_upload",
    "filing_upload_result",
    "filings_reject_many",
    "filings_requeue_stuck",
]
