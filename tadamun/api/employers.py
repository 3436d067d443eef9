"""Version 1 endpoints for an employer's own software, signed with the employer's key:
``/api/v1/employers/{employer_id}/…``. Another employer's id answers 404, as an unknown one."""

from __future__ import annotations

import dataclasses

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Router, Status, UploadedFile

from tadamun.api.answers import language
from tadamun.api.auth import EmployerKeyAuth, employer_for_key, key_for_request
from tadamun.api.models import Scope
from tadamun.api.ratelimit import limit
from tadamun.api.schemas import (
    REFUSALS,
    ContributionOut,
    EmployerOut,
    FilingListOut,
    FilingOut,
    ProblemsOut,
)
from tadamun.errors import InvalidInput
from tadamun.filings import formats as filing_formats
from tadamun.filings import selectors as filing_selectors
from tadamun.filings import services as filing_services
from tadamun.filings.models import Filing, FilingStatus
from tadamun.filings.problems import problem as filing_problem
from tadamun.funds import Period, Periodicity, get_fund
from tadamun.registry.models import Employer

router = Router(tags=["employers"])

#: Reads: generous, a status page polls. Writes (uploads) have their own, tighter limit.
READ_LIMIT = limit("employer-read", "600/m", ip_rate="1200/m")
WRITE_LIMIT = limit("employer-write", "60/h", ip_rate="120/h")

READ = EmployerKeyAuth(Scope.READ)
DECLARE = EmployerKeyAuth(Scope.DECLARE)


@router.get(
    "/{employer_id}",
    response={200: EmployerOut, **REFUSALS},
    auth=READ,
    throttle=READ_LIMIT,
    summary="The employer the key belongs to",
)
def employer_detail(request: HttpRequest, employer_id: int) -> EmployerOut:
    employer = employer_for_key(request, employer_id)
    return EmployerOut(
        id=employer.pk,
        affiliate_number=employer.affiliate_number,
        name=employer.name_latin,
        name_arabic=employer.name_arabic,
        kind=employer.kind,
        declaration_periodicity=employer.declaration_periodicity,
    )


# --- declaration files -----------------------------------------------------------------------

#: The filings service names the format ``fmt``; the API's field is ``format``.
_API_FIELDS = {"fmt": "format"}


def _api_names(exc: InvalidInput) -> InvalidInput:
    return InvalidInput(
        dataclasses.replace(p, field=_API_FIELDS.get(p.field, p.field)) for p in exc.problems
    )


def _filing_out(request: HttpRequest, filing: Filing, *, duplicate: bool = False) -> FilingOut:
    state = filing_selectors.filing_status(filing=filing)
    rejected = filing.status == FilingStatus.REJECTED
    return FilingOut(
        id=filing.pk,
        status=state.status,
        format=filing.fmt,
        period=filing.period_label,
        filename=filing.original_name,
        sha256=filing.sha256,
        size=filing.size,
        duplicate=duplicate,
        lines_done=state.lines_done,
        lines_total=state.lines_total,
        percent=state.percent,
        done=state.done,
        problem_count=state.problem_count,
        receipt_number=state.receipt_number,
        currency=get_fund(filing.employer.fund).currency.code,
        contributions=[
            ContributionOut(branch=c.branch, payer=c.payer, amount=c.amount)
            for c in filing_selectors.filing_contributions(filing=filing)
        ],
        errors_url=(
            reverse(
                "api:filing_errors",
                kwargs={"employer_id": filing.employer_id, "filing_id": filing.pk},
            )
            if rejected
            else None
        ),
        created_at=filing.created_at.isoformat(),
        finished_at=filing.finished_at.isoformat() if filing.finished_at else None,
    )


def _filing(employer: Employer, filing_id: int) -> Filing:
    filing = filing_selectors.filing_get(employer=employer, filing_id=filing_id)
    if filing is None:
        raise Http404("no such filing")
    return filing


@router.post(
    "/{employer_id}/filings",
    response={200: FilingOut, 201: FilingOut, **REFUSALS},
    auth=DECLARE,
    throttle=WRITE_LIMIT,
    summary="Send a declaration file",
    description=(
        "The file is stored as received with its SHA-256 and processed in the background; poll "
        "the filing until `done`. The same file sent again for this employer answers 200 with "
        "the first filing (`duplicate: true`) instead of 201: retrying is safe. Needs a "
        "`declare` key."
    ),
)
def filing_create(
    request: HttpRequest,
    employer_id: int,
    file: File[UploadedFile],
    format: Form[str],
    period: Form[str],
) -> Status[FilingOut]:
    employer = employer_for_key(request, employer_id)
    key = key_for_request(request)
    if key.created_by is None:
        raise Http404("key without an owner")
    try:
        result = filing_services.filing_upload_result(
            employer=employer,
            user=key.created_by,
            period=period,
            fmt=format,
            stream=file,
            filename=(file.name or "")[:200],
        )
    except InvalidInput as exc:
        raise _api_names(exc) from None
    status = 200 if result.duplicate else 201
    return Status(status, _filing_out(request, result.filing, duplicate=result.duplicate))


@router.get(
    "/{employer_id}/filings",
    response={200: FilingListOut, **REFUSALS},
    auth=READ,
    throttle=READ_LIMIT,
    summary="The employer's latest declaration files (50)",
)
def filing_list(request: HttpRequest, employer_id: int) -> FilingListOut:
    employer = employer_for_key(request, employer_id)
    filings = filing_selectors.filings_of(employer=employer).select_related("employer")[:50]
    return FilingListOut(filings=[_filing_out(request, f) for f in filings])


@router.get(
    "/{employer_id}/filings/{filing_id}",
    response={200: FilingOut, **REFUSALS},
    auth=READ,
    throttle=READ_LIMIT,
    summary="Where a declaration file stands: status, progress, result, receipt",
)
def filing_detail(request: HttpRequest, employer_id: int, filing_id: int) -> FilingOut:
    employer = employer_for_key(request, employer_id)
    return _filing_out(request, _filing(employer, filing_id))


@router.get(
    "/{employer_id}/filings/{filing_id}/errors.csv",
    response={409: ProblemsOut, **REFUSALS},
    auth=READ,
    throttle=READ_LIMIT,
    url_name="filing_errors",
    summary="The error report of a rejected file (CSV: line, field, code, message)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "UTF-8 CSV with a BOM; messages in the language asked for",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def filing_errors(request: HttpRequest, employer_id: int, filing_id: int) -> HttpResponseBase:
    employer = employer_for_key(request, employer_id)
    filing = _filing(employer, filing_id)
    if filing.status != FilingStatus.REJECTED:
        return _conflict(request, filing)
    response = StreamingHttpResponse(
        filing_selectors.filing_report_csv(filing=filing, language=language(request)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="errors_{filing.pk}.csv"'
    return response


def _conflict(request: HttpRequest, filing: Filing) -> HttpResponse:
    from tadamun.api.answers import problems_body
    from tadamun.api.app import api
    from tadamun.api.problems import problem

    body = problems_body(
        [problem("filing_id", "no_report", status=filing.status)], language(request)
    )
    return api.create_response(request, body, status=409)


@router.get(
    "/{employer_id}/periods/{period}/prefilled",
    response=REFUSALS,
    auth=READ,
    throttle=READ_LIMIT,
    summary="The pre-filled declaration file of a period (the employees the fund expects)",
    description="`period`: `2026-01` (month), `2026-Q1` (quarter) or `2026` (year), as the "
    "employer declares. `format`: one the employer's fund takes (default: its first).",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, in the format asked for",
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def prefilled(
    request: HttpRequest, employer_id: int, period: str, format: str | None = None
) -> HttpResponseBase:
    employer = employer_for_key(request, employer_id)
    allowed = filing_formats.formats_for(employer.fund)
    fmt = (format or allowed[0]).strip()
    problems = []
    if fmt not in allowed:
        problems.append(
            filing_problem("fmt", "unknown_format", value=fmt[:16], choices=", ".join(allowed))
        )
    expected = Periodicity(employer.declaration_periodicity)
    example = Period.containing(timezone.localdate(), expected).label
    try:
        chosen = Period.parse(period[:16])
    except ValueError:
        chosen = None
    if chosen is None or chosen.periodicity != expected:
        problems.append(
            filing_problem("period", "not_a_period", value=period[:16], example=example)
        )
    if problems or chosen is None:
        raise _api_names(InvalidInput(problems))
    file = filing_formats.prefilled_file(employer=employer, period=chosen, fmt=fmt)
    response = StreamingHttpResponse(file.lines, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
