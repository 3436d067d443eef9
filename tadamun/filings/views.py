"""Pages of the declaration files. A view parses the request, calls services or selectors,
renders. Every view is behind ``employer_required`` (another employer's filing: 404).

The upload view reads the request body itself through :class:`FilingUploadHandler` (streamed to
disk, refused past the size limit): it is CSRF-exempt only so that the handler is installed
before the body is parsed, and checks the CSRF token itself right after (``csrf_protect``).
"""

from __future__ import annotations

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from tadamun.accounts.decorators import employer_required
from tadamun.declarations import presentation as show
from tadamun.declarations import selectors as declarations
from tadamun.errors import InvalidInput, Problem
from tadamun.filings import selectors, services, storage
from tadamun.filings.formats import formats_for, prefilled_file
from tadamun.filings.models import Filing, FilingStatus
from tadamun.filings.problems import problem
from tadamun.funds import Period
from tadamun.registry.models import Employer

#: Problems shown on the page; the error report holds them all.
SHOWN_PROBLEMS = 200


def _lang() -> str:
    return show.lang_of(get_language())


def _periods(employer: Employer) -> list[declarations.PeriodDue]:
    return declarations.periods_due(employer=employer, today=timezone.localdate())


@employer_required
@require_safe
def filing_list(request: HttpRequest, employer: Employer) -> HttpResponse:
    lang = _lang()
    filings = list(selectors.filings_of(employer=employer)[:200])
    return render(
        request,
        "filings/list.html",
        {
            "employer": employer,
            "filings": filings,
            "formats": selectors.filing_formats(employer=employer, language=lang),
            "periods": _periods(employer),
        },
    )


def _form_context(
    employer: Employer, problems: list[Problem], values: dict[str, str]
) -> dict[str, object]:
    lang = _lang()
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(p.field, []).append(p.message(lang))
    periods = [row for row in _periods(employer) if row.declaration is None]
    return {
        "employer": employer,
        "formats": selectors.filing_formats(employer=employer, language=lang),
        "periods": periods,
        "problems": [p.message(lang) for p in problems],
        "by_field": by_field,
        "values": values,
        "max_mb": storage.max_bytes() // (1024 * 1024),
    }


@csrf_exempt
@employer_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, employer: Employer) -> HttpResponseBase:
    if request.method == "GET":
        values = {"fmt": request.GET.get("fmt", "")[:16], "period": request.GET.get("period", "")}
        return render(request, "filings/upload.html", _form_context(employer, [], values))
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > storage.max_bytes() + 64 * 1024:
        # Refused before a byte of the body is read (a 2 GB upload costs nothing).
        too_large = problem("file", "too_large", max=storage.max_bytes() // (1024 * 1024))
        context = _form_context(employer, [too_large], {})
        response = render(request, "filings/upload.html", context, status=413)
        response["Connection"] = "close"
        return response
    handler = storage.FilingUploadHandler(request)
    request.upload_handlers = [handler]
    return _upload_post(request, employer=employer, handler=handler)


@csrf_protect
def _upload_post(
    request: HttpRequest, *, employer: Employer, handler: storage.FilingUploadHandler
) -> HttpResponseBase:
    fmt = str(request.POST.get("fmt", ""))[:16]
    period = str(request.POST.get("period", ""))[:16]
    values = {"fmt": fmt, "period": period}
    upload_file = request.FILES.get("file")
    if handler.refused:
        if isinstance(upload_file, storage.StagedUpload):
            upload_file.staged.discard()
        too_large = problem("file", "too_large", max=storage.max_bytes() // (1024 * 1024))
        return render(
            request,
            "filings/upload.html",
            _form_context(employer, [too_large], values),
            status=413,
        )
    try:
        result = services.filing_upload_result(
            employer=employer,
            user=request.user,  # type: ignore[arg-type]
            period=period,
            fmt=fmt,
            stream=upload_file,
            filename=upload_file.name or "" if upload_file is not None else "",
        )
    except InvalidInput as exc:
        return render(
            request,
            "filings/upload.html",
            _form_context(employer, list(exc.problems), values),
            status=400,
        )
    target = redirect("filings:detail", employer_id=employer.pk, filing_id=result.filing.pk)
    if result.duplicate:
        target["Location"] += "?duplicate=1"
    return target


def _filing(employer: Employer, filing_id: int) -> Filing:
    filing = selectors.filing_get(employer=employer, filing_id=filing_id)
    if filing is None:
        raise Http404("no such filing")
    return filing


@employer_required
@require_safe
def detail(request: HttpRequest, employer: Employer, filing_id: int) -> HttpResponse:
    filing = _filing(employer, filing_id)
    lang = _lang()
    state = selectors.filing_status(filing=filing)
    context: dict[str, object] = {
        "employer": employer,
        "filing": filing,
        "state": state,
        "duplicate": request.GET.get("duplicate") == "1",
        "format_name": dict(selectors.filing_formats(employer=employer, language=lang)).get(
            filing.fmt, filing.fmt
        ),
    }
    if filing.status == FilingStatus.ACCEPTED and filing.declaration is not None:
        declaration = filing.declaration
        cur = declaration.currency
        contributions = selectors.filing_contributions(filing=filing)
        by_branch: dict[str, int] = {}
        for c in contributions:
            by_branch[c.branch] = by_branch.get(c.branch, 0) + c.amount
        context.update(
            declaration=declaration,
            headcount=show.number(declaration.headcount, lang),
            wages=show.money(declaration.total_wages, cur, lang),
            total=show.money(declaration.total_contributions, cur, lang),
            branches=[
                (show.branch_label(employer.fund, b, lang), show.money(a, cur, lang))
                for b, a in by_branch.items()
            ],
            contributions=show.amount_rows(
                employer.fund, ((c.branch, c.payer, c.amount) for c in contributions), cur, lang
            ),
        )
    elif filing.status == FilingStatus.REJECTED:
        context["problems"] = [
            (p.line, p.field, p.code, p.message(lang))
            for p in selectors.filing_problems(filing=filing, limit=SHOWN_PROBLEMS)
        ]
    return render(request, "filings/detail.html", context)


@employer_required
@require_safe
def status(request: HttpRequest, employer: Employer, filing_id: int) -> JsonResponse:
    filing = _filing(employer, filing_id)
    response = JsonResponse(selectors.filing_status(filing=filing).as_dict())
    response["Cache-Control"] = "no-store"
    return response


@employer_required
@require_safe
def report(request: HttpRequest, employer: Employer, filing_id: int) -> StreamingHttpResponse:
    filing = _filing(employer, filing_id)
    if filing.status != FilingStatus.REJECTED:
        raise Http404("no error report: the file was not rejected")
    lang = _lang()
    response = StreamingHttpResponse(
        (
            chunk.encode("utf-8")
            for chunk in selectors.filing_report_csv(filing=filing, language=lang)
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="errors_{filing.pk}_{lang}.csv"'
    return response


@employer_required
@require_safe
def prefilled(request: HttpRequest, employer: Employer) -> HttpResponseBase:
    fmt = request.GET.get("fmt", "")[:16]
    label = request.GET.get("period", "")[:16]
    period = declarations.employer_period(employer=employer, label=label)
    if period is None or fmt not in formats_for(employer.fund):
        raise Http404("no such period or format")
    return _prefilled_response(employer, period, fmt)


def _prefilled_response(employer: Employer, period: Period, fmt: str) -> StreamingHttpResponse:
    made = prefilled_file(employer=employer, period=period, fmt=fmt)
    response = StreamingHttpResponse(made.lines, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
