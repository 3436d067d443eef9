"""Reads of the declaration files. Each costs a fixed number of queries.

``filing_for_user`` decides access for the API: the user must be an active member of the filing's
employer (through :func:`tadamun.accounts.selectors.employer_for_user`); otherwise
``Filing.DoesNotExist`` — the same answer for a filing that does not exist, so nobody learns
another employer's filings exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tadamun.accounts.selectors import employer_for_user
from tadamun.declarations.models import DeclarationContribution
from tadamun.filings.formats import FORMATS, formats_for
from tadamun.filings.models import Filing, FilingProblem, FilingStatus
from tadamun.registry.models import Employer

if TYPE_CHECKING:
    from tadamun.accounts.models import User

DONE = (FilingStatus.ACCEPTED, FilingStatus.REJECTED, FilingStatus.FAILED)


def filings_of(*, employer: Employer) -> QuerySet[Filing]:
    """Every filing of ``employer``, newest first (1 query)."""
    return Filing.objects.filter(employer=employer).select_related("declaration")


def filing_get(*, employer: Employer, filing_id: int | str) -> Filing | None:
    """Filing ``filing_id`` if it is ``employer``'s (1 query), else None."""
    try:
        pk = int(filing_id)
    except (TypeError, ValueError):
        return None
    return (
        Filing.objects.select_related("declaration", "employer")
        .filter(employer=employer, pk=pk)
        .first()
    )


def filing_for_user(*, user: User, filing_id: int | str) -> Filing:
    """Filing ``filing_id`` when ``user`` may act for its employer; else Filing.DoesNotExist."""
    try:
        pk = int(filing_id)
    except (TypeError, ValueError):
        raise Filing.DoesNotExist from None
    filing = Filing.objects.select_related("declaration", "employer").filter(pk=pk).first()
    if filing is None or employer_for_user(user=user, employer_id=filing.employer_id) is None:
        raise Filing.DoesNotExist
    return filing


@dataclass(frozen=True)
class FilingState:
    """Where a filing stands, ready for JSON (the progress bar polls it)."""

    id: int
    status: str
    lines_done: int
    lines_total: int
    percent: int
    done: bool
    problem_count: int
    receipt_number: str
    declaration_id: int | None

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))


def filing_status(*, filing: Filing) -> FilingState:
    total = max(filing.lines_total, 0)
    done_lines = min(filing.lines_done, total) if total else filing.lines_done
    finished = filing.status in DONE
    percent = 100 if finished else (done_lines * 100 // total if total else 0)
    declaration = filing.declaration
    return FilingState(
        id=filing.pk,
        status=filing.status,
        lines_done=done_lines,
        lines_total=total,
        percent=min(percent, 100),
        done=finished,
        problem_count=filing.problem_count,
        receipt_number=declaration.receipt_number if declaration is not None else "",
        declaration_id=declaration.pk if declaration is not None else None,
    )


def filing_problems(*, filing: Filing, limit: int | None = None) -> list[FilingProblem]:
    """The problems of a rejected filing, by line (1 query)."""
    problems = FilingProblem.objects.filter(filing=filing).order_by("line", "id")
    return list(problems[:limit] if limit is not None else problems)


def filing_contributions(*, filing: Filing) -> list[DeclarationContribution]:
    """The contributions (branch, payer, amount) of an accepted filing's declaration."""
    if filing.declaration_id is None:
        return []
    return list(
        DeclarationContribution.objects.filter(declaration_id=filing.declaration_id).order_by("id")
    )


REPORT_HEADER = {
    "fr": ("ligne", "champ", "code", "message"),
    "ar": ("السطر", "الحقل", "الرمز", "الرسالة"),
    "en": ("line", "field", "code", "message"),
}


def filing_report_csv(*, filing: Filing, language: str) -> Iterator[str]:
    """The error report of a rejected filing, as CSV text chunks (UTF-8 with a BOM, so that
    spreadsheet software reads the Arabic): line, field, code, message in ``language``."""
    lang = language.split("-")[0] if language.split("-")[0] in REPORT_HEADER else "en"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(REPORT_HEADER[lang])
    rows = FilingProblem.objects.filter(filing=filing).order_by("line", "id")
    for p in rows.iterator(chunk_size=2000):
        writer.writerow((p.line, p.field, p.code, p.message(lang)))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def filing_formats(*, employer: Employer, language: str) -> list[tuple[str, str]]:
    """The formats ``employer`` may send, with their names in ``language``."""
    lang = language.split("-")[0]
    return [
        (code, FORMATS[code].get(lang, FORMATS[code]["en"])) for code in formats_for(employer.fund)
    ]
