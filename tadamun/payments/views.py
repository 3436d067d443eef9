"""Payment pages (pay, back from the gateway, receipt) and the gateways' callback endpoint.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

import logging
import uuid

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tadamun.accounts.decorators import employer_required
from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.ledger.selectors import ledger_due_schedule, ledger_payment_settlement
from tadamun.payments import selectors, services
from tadamun.payments.gateway import InvalidCallback
from tadamun.registry.models import Employer
from tadamun.rules.errors import InvalidAmount

logger = logging.getLogger(__name__)


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


@require_http_methods(["GET", "HEAD", "POST"])
@employer_required
def pay(request: HttpRequest, employer: Employer) -> HttpResponse:
    currency = get_fund(employer.fund).currency
    errors: list[str] = []
    schedule = ledger_due_schedule(employer=employer, on=timezone.localdate())
    suggested = schedule.overdue_total or schedule.total_open
    amount_text = currency.format(suggested) if suggested > 0 else ""
    key = uuid.uuid4().hex
    if request.method == "POST":
        amount_text = request.POST.get("amount", "")[:40]
        key = request.POST.get("idempotency_key", "")[:80]
        try:
            amount = currency.parse(amount_text.replace(",", "."), field="amount")
            back = request.build_absolute_uri(
                reverse("payments:return", kwargs={"employer_id": employer.pk})
            )
            _intent, url = services.payment_start(
                employer=employer,
                amount=amount,
                user=request.user if request.user.is_authenticated else None,
                idempotency_key=key,
                return_url=back,
                callback_url=request.build_absolute_uri(
                    reverse("payment_callback", kwargs={"gateway": "sandbox"})
                ),
            )
            return redirect(url)
        except InvalidAmount:
            errors.append(_amount_message(currency.code))
        except InvalidInput as exc:
            errors.extend(exc.messages(_language()))
    return render(
        request,
        "payments/pay.html",
        {
            "employer": employer,
            "schedule": schedule,
            "currency": currency.code,
            "amount_text": amount_text,
            "idempotency_key": key,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _amount_message(code: str) -> str:
    return {
        "fr": f"Montant : saisissez un montant en {code}, par exemple 1500.00",
        "ar": f"المبلغ: أدخل مبلغًا بـ {code}، مثلًا 1500.00",
        "en": f"Amount: enter an amount in {code}, for example 1500.00",
    }.get(_language(), f"Amount: enter an amount in {code}, for example 1500.00")


@require_safe
@employer_required
def payment_return(request: HttpRequest, employer: Employer) -> HttpResponse:
    intent = selectors.payment_for_employer(
        employer=employer, reference=request.GET.get("reference", "")
    )
    if intent is None:
        raise Http404("no such payment")
    return render(request, "payments/return.html", {"employer": employer, "intent": intent})


@require_safe
@employer_required
def receipt(request: HttpRequest, employer: Employer, number: str) -> HttpResponse:
    found = selectors.receipt_for_employer(employer=employer, number=number)
    if found is None:
        raise Http404("no such receipt")
    return render(request, "payments/receipt.html", {"employer": employer, "receipt": found})


@require_safe
@employer_required
def receipt_pdf(request: HttpRequest, employer: Employer, number: str) -> HttpResponse:
    from tadamun.payments.pdf import receipt_pdf as build

    found = selectors.receipt_for_employer(employer=employer, number=number)
    if found is None:
        raise Http404("no such receipt")
    entry_id = found.intent.ledger_entry_id
    settlement = (
        ledger_payment_settlement(employer=employer, entry_id=entry_id)
        if entry_id is not None
        else None
    )
    data = build(employer=employer, receipt=found, settlement=settlement, language=_language())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


@csrf_exempt  # called by the gateway, authenticated by its HMAC signature
@require_POST
def callback(request: HttpRequest, gateway: str) -> HttpResponseBase:
    headers = {key: value for key, value in request.headers.items()}
    try:
        intent = services.payment_apply_callback(
            gateway_name=gateway[:32], headers=headers, body=request.body
        )
    except InvalidCallback as exc:
        return JsonResponse({"error": exc.code, "message": exc.message("en")}, status=exc.status)
    return JsonResponse({"reference": intent.gateway_reference, "status": intent.status})
