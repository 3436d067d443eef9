"""Many employers' files at once (a bureau's intake, a national month): stored as received,
duplicates recognised, each file checked as one upload is, the good ones accepted together."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tadamun.accounts.models import User
from tadamun.declarations.models import Declaration, DeclarationLine
from tadamun.filings import storage
from tadamun.filings.batch import Incoming, filings_intake_many, filings_process_batch
from tadamun.filings.models import Filing
from tadamun.filings.services import filing_process
from tadamun.ledger.models import Entry
from tadamun.registry.models import Agency, Employer
from tests.filings.conftest import PERIOD, Hire, bds, member
from tests.registry.factories import employer_for

pytestmark = pytest.mark.django_db


def _firms(
    agency: Agency, hire: Hire, count: int, first: int = 10
) -> list[tuple[Employer, list[Any]]]:
    return [
        (employer := employer_for(agency, serial=first + k, name_latin=f"Client {k}"), hire(employer, 2 + k % 3))
        for k in range(count)
    ]  # fmt: skip


def _incoming(firms: list[tuple[Employer, list[Any]]]) -> list[Incoming]:
    return [
        Incoming(e, io.BytesIO(bds(e, people)), f"{e.affiliate_number}.txt") for e, people in firms
    ]


def test_an_intake_is_processed_in_batches_to_receipts(
    agency: Agency, hire: Hire, run_jobs: Callable[[], Iterator[None]]
) -> None:
    firms = _firms(agency, hire, 7)
    bureau = member(firms[0][0], "bureau@example.ma", role="accountant")
    with run_jobs():
        intake = filings_intake_many(
            user=bureau, period=PERIOD, fmt="ma-bds", files=_incoming(firms), batch_files=3
        )
    assert intake.batches == 3 and not any(intake.problems) and not any(intake.duplicates)
    filings = Filing.objects.order_by("pk")
    assert [f.status for f in filings] == ["accepted"] * 7
    for filing, (employer, people) in zip(filings, firms, strict=True):
        assert filing.declaration is not None and filing.declaration.employer == employer
        assert storage.stored_path(filing.stored_name).read_bytes() == bds(employer, people)
        assert DeclarationLine.objects.filter(declaration=filing.declaration).count() == len(people)
        assert Entry.objects.filter(source=f"declaration:{filing.declaration.pk}").exists()


def test_bad_files_are_refused_or_rejected_alone(
    agency: Agency, hire: Hire, run_jobs: Callable[[], Iterator[None]]
) -> None:
    firms = _firms(agency, hire, 4)
    user = member(firms[0][0], "bureau@example.ma")
    other = employer_for(agency, serial=99, name_latin="Stranger")
    (e0, p0), (e1, p1), (e2, _p2), (e3, p3) = firms
    files = [
        Incoming(e0, io.BytesIO(bds(e0, p0)), "good.txt"),
        Incoming(e1, io.BytesIO(bds(other, p1)), "other-employer.txt"),  # refused at intake
        Incoming(e2, io.BytesIO(b""), "empty.txt"),  # refused at intake
        Incoming(e3, io.BytesIO(bds(e3, p3[:-1])), "missing-one.txt"),  # rejected when read
        Incoming(e0, io.BytesIO(bds(e0, p0)), "good-again.txt"),  # the same file: recognised
    ]
    with run_jobs():
        intake = filings_intake_many(user=user, period=PERIOD, fmt="ma-bds", files=files)
    assert [p[0].code if p else "" for p in intake.problems] == [
        "", "other_employer", "empty", "", ""
    ]  # fmt: skip
    assert intake.duplicates == [False, False, False, False, True]
    assert intake.filings[4] is intake.filings[0]
    good, missing = (
        Filing.objects.get(original_name="good.txt"),
        Filing.objects.get(original_name="missing-one.txt"),
    )
    assert good.status == "accepted"
    assert missing.status == "rejected"
    assert {p.code for p in missing.problems.all()} == {"missing_employee"}
    assert Declaration.objects.count() == 1
    assert Filing.objects.count() == 2  # nothing stored for the refused ones


def test_a_batch_run_again_finds_what_it_made(
    agency: Agency, hire: Hire, run_jobs: Callable[[], Iterator[None]]
) -> None:
    firms = _firms(agency, hire, 3)
    user = member(firms[0][0], "bureau@example.ma")
    intake = filings_intake_many(user=user, period=PERIOD, fmt="ma-bds", files=_incoming(firms))
    ids = [f.pk for f in intake.filings if f]
    first = filings_process_batch(filing_ids=ids)
    assert (first.accepted, first.rejected, first.skipped) == (3, 0, 0)
    # As after a crash: the job comes again; finished filings are skipped, nothing is doubled.
    again = filings_process_batch(filing_ids=ids)
    assert (again.accepted, again.skipped) == (0, 3)
    assert Declaration.objects.count() == 3


def test_the_statements_of_a_batch_do_not_grow_with_its_files(
    agency: Agency, hire: Hire, user: User
) -> None:
    def run(count: int, first: int) -> int:
        firms = _firms(agency, hire, count, first=first)
        intake = filings_intake_many(user=user, period=PERIOD, fmt="ma-bds", files=_incoming(firms))
        with CaptureQueriesContext(connection) as queries:
            report = filings_process_batch(filing_ids=[f.pk for f in intake.filings if f])
        assert report.accepted == count
        return len(queries)

    run(1, 500)  # the first batch of the year creates the receipt counter
    assert run(3, 100) == run(9, 200)


class _Undo(Exception):
    """Rolls the batch's work back, to process the same filings one by one."""


def _outcome(ids: list[int]) -> list[tuple[Any, ...]]:
    """Everything the processing of each filing wrote, without the ids the database chose."""
    out: list[tuple[Any, ...]] = []
    line_columns = [
        f.attname
        for f in DeclarationLine._meta.concrete_fields
        if f.attname not in ("id", "declaration_id")
    ]
    for filing in Filing.objects.filter(pk__in=ids).order_by("pk"):
        problems = list(
            filing.problems.order_by("line", "code").values_list("line", "field", "code")
        )
        d = filing.declaration
        if d is None:
            out.append((filing.status, filing.problem_count, problems))
            continue
        out.append(
            (
                filing.status,
                filing.lines_done,
                problems,
                (d.receipt_number, d.employer_id, d.period_label, d.headcount, d.due_date),
                (d.total_wages, d.total_contributions, d.status, d.kind, d.submitted_by_id),
                list(d.lines.order_by("row").values_list(*line_columns)),
                sorted(d.contributions.values_list("branch", "payer", "amount")),
                sorted(
                    Entry.objects.filter(source=f"declaration:{d.pk}").values_list(
                        "employer_id", "kind", "branch", "period_label", "due_date", "amount"
                    )
                ),
            )
        )
    return out


def test_a_batch_writes_what_one_by_one_writes(agency: Agency, hire: Hire) -> None:
    firms = _firms(agency, hire, 5)
    user = member(firms[0][0], "bureau@example.ma")
    (e3, p3), (e4, p4) = firms[3], firms[4]
    files = [
        *_incoming(firms[:3]),
        Incoming(e3, io.BytesIO(bds(e3, p3[:-1])), "missing-one.txt"),
        Incoming(e4, io.BytesIO(bds(e4, p4, wage=1_234_567)), "other-wage.txt"),
    ]
    intake = filings_intake_many(user=user, period=PERIOD, fmt="ma-bds", files=files)
    ids = [f.pk for f in intake.filings if f]
    try:
        with transaction.atomic():
            report = filings_process_batch(filing_ids=ids)
            assert (report.accepted, report.rejected) == (4, 1)
            batch = _outcome(ids)
            raise _Undo
    except _Undo:
        pass
    assert Declaration.objects.count() == 0
    for filing_id in ids:
        filing_process(filing_id=filing_id)
    assert _outcome(ids) == batch
