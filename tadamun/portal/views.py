"""Pages. A view parses the request, calls selectors or services, and renders: nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from tadamun.funds import Period, current_fund
from tadamun.registry.selectors import registry_counts


@dataclass(frozen=True)
class RegimeRow:
    id: str
    title: str


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    fund = current_fund()
    language = (get_language() or fund.default_language).split("-")[0]
    today = timezone.localdate()
    period = Period.containing(today, fund.default_periodicity).previous()
    regimes = [
        RegimeRow(id=regime, title=fund.pack(regime).title.get(language, regime))
        for regime in fund.regimes
    ]
    return render(
        request,
        "portal/home.html",
        {
            "counts": registry_counts(fund=fund.code),
            "regimes": regimes,
            "period": period,
            "due_date": fund.due_date(period),
            "currency": fund.currency_code,
        },
    )
