"""The employer's account pages: balance, what is due when, history, CSV. Thin: selectors only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tadamun.accounts.decorators import employer_required
from tadamun.ledger import selectors
from tadamun.payments.selectors import payments_recent
from tadamun.registry.models import Employer


@require_safe
@employer_required
def account(request: HttpRequest, employer: Employer) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "ledger/account.html",
        {
            "employer": employer,
            "balance": selectors.ledger_balance(employer=employer),
            "schedule": selectors.ledger_due_schedule(employer=employer, on=today),
            "history": selectors.ledger_history(employer=employer, page=_page(request)),
            "payments": payments_recent(employer=employer),
            "today": today,
        },
    )


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@require_safe
@employer_required
def statement_csv(request: HttpRequest, employer: Employer) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        selectors.ledger_csv(employer=employer), content_type="text/csv; charset=utf-8"
    )
    name = f"account-{employer.affiliate_number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
