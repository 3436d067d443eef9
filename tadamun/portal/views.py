"""Pages. A view parses the request, calls selectors or services, and renders: nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from tadamun.accounts.decorators import employer_required
from tadamun.accounts.selectors import is_owner
from tadamun.affiliation.services import self_employed_regime
from tadamun.declarations import selectors as declaration_selectors
from tadamun.funds import Period, current_fund
from tadamun.ledger import selectors as ledger_selectors
from tadamun.registry.models import Employer
from tadamun.registry.selectors import employer_headcount, registry_counts
from tadamun.voluntary.selectors import scheme_runs


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
            # Links only to the schemes this fund runs (their pages answer 404 elsewhere).
            "abroad_offered": scheme_runs(fund),
            "self_employed_offered": self_employed_regime(fund) is not None,
        },
    )


@require_safe
@employer_required
def dashboard(request: HttpRequest, employer: Employer) -> HttpResponse:
    """The employer's month at a glance: what to declare, what is due when, the balance, the last
    declarations. Selectors only; a fixed number of queries whatever the headcount."""
    today = timezone.localdate()
    schedule = ledger_selectors.ledger_due_schedule(employer=employer, on=today)
    return render(
        request,
        "portal/dashboard.html",
        {
            "employer": employer,
            "headcount": employer_headcount(employer=employer, on=today),
            "periods": declaration_selectors.periods_due(employer=employer, today=today, count=6),
            "balance": ledger_selectors.ledger_balance(employer=employer),
            "schedule": schedule,
            "declarations": list(declaration_selectors.declaration_history(employer=employer)[:5]),
            "is_owner": is_owner(user=request.user, employer=employer),
            "today": today,
        },
    )
