"""The SANDBOX gateway's hosted payment page. It plays the gateway's part: it reads only its
signed token, never our tables, and answers the merchant by a signed HTTP callback."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tadamun.payments import sandbox


def _digits(value: str) -> str:
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


@sensitive_post_parameters("card_number", "cvc")
@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    order = sandbox.order_from_token(token)
    if order is None:
        raise Http404("unknown or expired sandbox payment page")
    errors: dict[str, str] = {}
    if request.method == "POST":
        number = _digits(request.POST.get("card_number", ""))[:25]
        expiry = request.POST.get("expiry", "").strip()[:7]
        cvc = request.POST.get("cvc", "").strip()[:5]
        if not (number.isdigit() and 12 <= len(number) <= 19):
            errors["card_number"] = _("Card number: enter 12 to 19 digits.")
        if not _valid_expiry(expiry):
            errors["expiry"] = _("Expiry: enter a future month as MM/YY.")
        if not (cvc.isdigit() and len(cvc) in (3, 4)):
            errors["cvc"] = _("Security code: enter the 3 or 4 digits on the back of the card.")
        if not errors:
            return _outcome(request, order, number)
        # The card number is never sent back into the page.
    return render(
        request,
        "sandbox_gateway/pay.html",
        {"order": order, "errors": errors, "expiry": request.POST.get("expiry", "")[:7]},
        status=400 if errors else 200,
    )


def _valid_expiry(text: str) -> bool:
    month, _sep, year = text.partition("/")
    if not (month.isdigit() and year.isdigit() and len(year) == 2 and 1 <= int(month) <= 12):
        return False
    today = dt.date.today()
    return (2000 + int(year), int(month)) >= (today.year, today.month)


def _outcome(request: HttpRequest, order: sandbox.PageOrder, number: str) -> HttpResponse:
    outcome, reason = sandbox.TEST_CARDS.get(number, ("declined", "not_a_test_card"))
    last4 = number[-4:]
    back = f"{order.return_url}?{urlencode({'reference': order.reference})}"
    if outcome == "timeout":
        return render(request, "sandbox_gateway/timeout.html", {"order": order, "back": back})
    delay = float(settings.TADAMUN_SANDBOX_DELAY_SECONDS)
    copies = 1 + int(settings.TADAMUN_SANDBOX_DUPLICATES)
    if outcome == "late":
        delay += sandbox.LATE_SECONDS
    if outcome == "duplicate":
        copies += 2
    headers, body = sandbox.callback_for(
        order,
        outcome="declined" if outcome == "declined" else "succeeded",
        last4=last4,
        reason=reason,
    )
    sandbox.schedule(
        [sandbox.Delivery(order.callback_url, headers, body, delay) for _ in range(copies)]
    )
    return HttpResponseRedirect(back)
