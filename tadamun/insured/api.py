"""The partners' rights check: ``GET /api/v1/rights/{number}`` with a partner key.

A pharmacy or a doctor learns whether the holder of a care card or an insured number is covered
for sickness care today, and the validity dates — nothing else: no name, no employer, no reason.

* A number that is neither a care-card number (16 digits, Luhn key) nor an insured number whose
  key is right: 400 ``invalid number`` — the keys are public arithmetic, saying so reveals
  nothing and spares a typing error a false "not covered".
* A well-formed number that matches nobody: **the same 200 answer as a person not covered**.
  Telling "unknown" apart would let a partner list which numbers are issued; the pharmacist's
  action is the same in both cases (no third-party payment; send the person to the agency). The
  log keeps the difference for the fund.
* A key that is missing, unknown, expired or revoked: 401 (one answer for all).
* More than ``TADAMUN_RIGHTS_RATE`` look-ups per key (or ``TADAMUN_RIGHTS_IP_RATE`` per
  address): 429, and the look-up is logged flagged as possible enumeration.

Every look-up is logged (:class:`~tadamun.insured.models.RightsLookup`: partner, key, number
masked, result).
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import Throttled

from tadamun.api.auth import PartnerKeyAuth, key_for_request
from tadamun.api.ratelimit import RateLimit, client_address
from tadamun.api.schemas import REFUSALS
from tadamun.funds import current_fund
from tadamun.insured import services

router = Router(tags=["rights"])

_LIMIT: RateLimit | None = None


def _limit() -> RateLimit:
    global _LIMIT
    if _LIMIT is None:
        _LIMIT = RateLimit(
            "rights",
            settings.TADAMUN_RIGHTS_RATE,
            ip_rate=settings.TADAMUN_RIGHTS_IP_RATE,
        )
    return _LIMIT


class RightsOut(Schema):
    """Covered or not today, and from when to when (dates only when covered)."""

    covered: bool
    valid_from: dt.date | None
    valid_until: dt.date | None
    checked_on: dt.date


@router.get(
    "/rights/{number}",
    response={200: RightsOut, **REFUSALS},
    auth=PartnerKeyAuth(),
    summary="Is the holder of this care card or insured number covered for care today?",
    description=(
        "`number`: a care-card number (16 digits) or an insured number, with its key. Answers "
        "`covered` and the validity dates only. An unknown number is answered as not covered; "
        "a number whose key is wrong is refused (400). Rate-limited per key and per address "
        "(429); every look-up is logged."
    ),
)
def rights(request: HttpRequest, number: str) -> HttpResponse:
    key = key_for_request(request)
    decision = _limit().check(request)
    answer_day = timezone.localdate()
    try:
        answer = services.rights_check(
            number=number[:64],
            fund=current_fund().code,
            partner_id=key.partner_id,
            key_id=key.pk,
            ip=client_address(request) if client_address(request) != "unknown" else None,
            over_limit=not decision.allowed,
            today=answer_day,
        )
    except services.LookupThrottled:
        raise Throttled(wait=decision.retry_after) from None
    # The JSON ninja would render from RightsOut (same keys, order and separators; tested),
    # written here: ninja's pydantic validation and encoder class were ~5 % of the request's
    # Python on the busiest endpoint. The OpenAPI document still comes from RightsOut.
    body = {
        "covered": answer.covered,
        "valid_from": _iso(answer.valid_from),
        "valid_until": _iso(answer.valid_until),
        "checked_on": answer_day.isoformat(),
    }
    return HttpResponse(json.dumps(body), content_type=_JSON)


_JSON = "application/json; charset=utf-8"


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
