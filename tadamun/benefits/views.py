"""Pages of the insured person's pension: the estimate from their record, and the retirement
request. Only a signed-in person's own record is ever read (404 for anyone else)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from tadamun.accounts.selectors import insured_for_user
from tadamun.benefits import bank, selectors, services
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import get_fund
from tadamun.portal import formatting
from tadamun.portal.pdf import language_of
from tadamun.registry.models import InsuredPerson
from tadamun.rules.pensions import PensionEstimate


def _person(request: HttpRequest) -> InsuredPerson:
    insured = insured_for_user(user=request.user)
    if insured is None:
        raise Http404("not an insured person's account")
    return insured


def _lang() -> str:
    return language_of(get_language())


def presented(result: PensionEstimate | dict[str, Any], lang: str) -> dict[str, Any]:
    """An estimate (live, or as kept with a request) ready for the page, in ``lang``."""
    data = result.to_json() if isinstance(result, PensionEstimate) else result
    currency = data["currency"]
    steps = [
        {
            **step,
            "label_text": step["label"].get(lang, step["label"].get("en", step["key"])),
            "amount_text": (
                formatting.money(step["amount_minor"], currency, lang)
                if step.get("amount_minor") is not None
                else ""
            ),
            "uncertain": step["status"] in ("C", "U"),
        }
        for step in data["steps"]
    ]
    return {
        **data,
        "start_date": dt.date.fromisoformat(data["start"]),
        "monthly_text": formatting.money(data["monthly_gross_minor"], currency, lang),
        "steps": steps,
    }


def _problems(problems: list[Problem], lang: str) -> list[tuple[str, str]]:
    return [(p.field, p.message(lang)) for p in problems]


@login_required
@require_safe
def estimate(request: HttpRequest) -> HttpResponse:
    insured = _person(request)
    lang = _lang()
    fund = get_fund(insured.fund)
    problems: list[Problem] = []
    options: tuple[int, int | None, int | None, dt.date | None] = (0, None, None, None)
    try:
        options = services.parse_options(
            extra_years=request.GET.get("extra_years", ""),
            future_wage=request.GET.get("future_wage", ""),
            children=request.GET.get("children", ""),
            start=request.GET.get("start", ""),
            currency=fund.currency_code,
        )
    except InvalidInput as exc:
        problems = list(exc.problems)
    extra_years, future_wage, children, start = options
    result = services.pension_estimate(
        insured=insured,
        extra_years=extra_years,
        future_wage=future_wage,
        children=children,
        start=start,
    )
    return render(
        request,
        "benefits/estimate.html",
        {
            "insured": insured,
            "estimate": presented(result.result, lang) if result.result else None,
            "career": result.career,
            "future_wage_text": formatting.money(
                result.career.future_wage, fund.currency_code, lang
            ),
            "unavailable": result.unavailable,
            "problems": _problems(problems, lang),
            "query": request.GET,
        },
        status=400 if problems else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def retirement(request: HttpRequest) -> HttpResponse:
    insured = _person(request)
    lang = _lang()
    problems: list[Problem] = []
    if request.method == "POST":
        try:
            services.retirement_request_submit(
                user=request.user,  # type: ignore[arg-type]
                insured=insured,
                start=request.POST.get("start", ""),
                bank_account=request.POST.get("bank_account", ""),
                documents={
                    field: request.FILES.get(field) for field in services.REQUIRED_DOCUMENTS
                },
            )
        except InvalidInput as exc:
            problems = list(exc.problems)
        else:
            return redirect("benefits:retirement")
    requests = selectors.retirement_requests(insured=insured)
    earliest = services.pension_estimate(insured=insured)
    suggested = earliest.result.start if earliest.result else None
    today = timezone.localdate()
    if suggested is not None and suggested < today:
        suggested = today.replace(day=1) + dt.timedelta(days=32)
        suggested = suggested.replace(day=1)
    rows = [
        {
            "request": r,
            "estimate": presented(r.estimate, lang),
            "awarded_text": (
                formatting.money(r.awarded_monthly_gross, r.currency, lang)
                if r.awarded_monthly_gross is not None
                else ""
            ),
            "account": bank.mask_account(r.bank_account),
        }
        for r in requests
    ]
    return render(
        request,
        "benefits/retirement.html",
        {
            "insured": insured,
            "rows": rows,
            "open": any(r.status in ("submitted", "approved") for r in requests),
            "earliest": presented(earliest.result, lang) if earliest.result else None,
            "suggested": suggested,
            "problems": _problems(problems, lang),
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if problems else 200,
    )
