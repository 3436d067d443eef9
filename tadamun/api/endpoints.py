"""Version 1 endpoints of the API app itself: the standalone validator, the key's own details."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Query, Router, UploadedFile

from tadamun.api import validator
from tadamun.api.answers import language
from tadamun.api.auth import EmployerKeyAuth, PartnerKeyAuth, key_for_request
from tadamun.api.models import Scope
from tadamun.api.ratelimit import limit
from tadamun.api.schemas import REFUSALS, KeyOut, ValidationOut

router = Router(tags=["validator"])

#: Anyone may validate, without a key; the address is what is counted.
VALIDATE_LIMIT = limit("validate", "30/m", per=("ip",))


@router.post(
    "/validate",
    response={200: ValidationOut, **REFUSALS},
    auth=None,
    throttle=VALIDATE_LIMIT,
    summary="Check a declaration file as the fund would",
    description=(
        "The same check as `tadamun declarations check FILE --json`: `accepted` with the summary "
        "(employees, totals, contributions by branch) or every problem (line, field, code, "
        "message in the language of `?lang=` or `Accept-Language`). No key needed; limited to "
        "30 requests a minute per address. Nothing is stored."
    ),
)
def validate(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[str] = "ma-bds",
    detail: File[UploadedFile | None] = None,
    expected: File[UploadedFile | None] = None,
    affiliate: Form[str | None] = None,
    period: Form[str | None] = None,
    activity_class: Form[str | None] = None,
    employer: Form[str | None] = None,
    quarter: Form[int | None] = None,
    year: Form[int | None] = None,
    layout: Form[str | None] = None,
    regime: Form[str | None] = None,
    lang: Query[str | None] = None,
) -> dict[str, object]:
    report = validator.validate(
        upload=file,
        detail=detail,
        expected=expected,
        options=validator.Options(
            format=format.strip(),
            affiliate=affiliate or None,
            period=period or None,
            activity_class=activity_class or None,
            employer=employer or None,
            quarter=quarter,
            year=year,
            layout=layout or None,
            regime=regime or None,
        ),
        language=language(request),
    )
    return report


@router.get(
    "/key",
    response={200: KeyOut, **REFUSALS},
    auth=[EmployerKeyAuth(Scope.READ), PartnerKeyAuth()],
    throttle=limit("key", "60/m"),
    summary="The key that signed the request (holder, scope, expiry)",
)
def key_detail(request: HttpRequest) -> KeyOut:
    key = key_for_request(request)
    return KeyOut(
        prefix=key.prefix,
        name=key.name,
        scope=key.scope,
        expires_at=key.expires_at.isoformat(),
        employer_id=key.employer_id,
        partner_id=key.partner_id,
    )
