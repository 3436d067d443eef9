"""The one NinjaAPI instance; each app adds its router here.

Every refusal is ``{"problems": [{"field", "code", "message"}]}`` (see :mod:`tadamun.api.answers`)
with the message in the language asked for: bad input 400 (422 when the request does not even
have the documented shape), bad or missing key 401, scope 403, another's object 404, too many
requests 429 with ``Retry-After``. An unexpected error is logged and answered 500 in the same
shape, having changed nothing (each write is one transaction).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from tadamun.api.answers import language, problems_body
from tadamun.api.auth import ScopeRefused
from tadamun.api.problems import problem
from tadamun.errors import InvalidInput, Problem

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Tadamun API",
    version="1",
    urls_namespace="api",
    description=(
        "Declarations by file (validator, upload, status, error report, pre-filled file) and the "
        "partners' rights checks. Authenticate with `Authorization: Bearer <key>`; every refusal "
        'is `{"problems": [{"field", "code", "message"}]}` in the language of `?lang=` or '
        "`Accept-Language` (fr, ar, en). See docs/api.md."
    ),
)


def _answer(
    request: HttpRequest, problems: list[Problem], status: int, **headers: str
) -> HttpResponse:
    response = api.create_response(
        request, problems_body(problems, language(request)), status=status
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(InvalidInput)
def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _answer(request, list(exc.problems), 400)


def _field_of(location: Any) -> str:
    parts = [str(part) for part in location or () if not isinstance(part, int)]
    # ("body", "payload", "name") → "name"; ("query", "lang") → "lang"; ("file",) → "file".
    meaningful = [p for p in parts if p not in ("body", "query", "path", "form", "file", "header")]
    if meaningful:
        return meaningful[-1]
    return parts[-1] if parts else "request"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems: list[Problem] = []
    for error in exc.errors:
        field = _field_of(error.get("loc"))
        if error.get("type") == "missing":
            problems.append(problem(field, "required"))
        else:
            problems.append(problem(field, "invalid", detail=str(error.get("msg", ""))[:200]))
    if not problems:
        problems.append(problem("request", "invalid", detail="malformed request"))
    return _answer(request, problems, 422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _answer(
        request,
        [problem("Authorization", "invalid_key")],
        401,
        WWW_Authenticate='Bearer realm="tadamun"',
    )


@api.exception_handler(ScopeRefused)
def _scope_refused(request: HttpRequest, exc: ScopeRefused) -> HttpResponse:
    return _answer(request, [problem("Authorization", "scope", scope=exc.scope)], 403)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    seconds = max(1, math.ceil(exc.wait)) if exc.wait is not None else 1
    # Ninja sets Retry-After itself for its throttles; this also covers a Throttled raised by
    # an endpoint that counts on its own.
    return _answer(
        request,
        [problem("request", "rate_limited", seconds=seconds)],
        429,
        Retry_After=str(seconds),
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _answer(request, [problem("request", "not_found")], 404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _answer(request, [problem("request", "invalid", detail=str(exc))], exc.status_code)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API %s %s failed", request.method, request.path)
    return _answer(request, [problem("request", "server_error")], 500)


# Routers of every app, one line each.
from tadamun.api import employers, endpoints  # noqa: E402
from tadamun.insured import api as insured_api  # noqa: E402

api.add_router("/v1/", endpoints.router)
api.add_router("/v1/employers/", employers.router)
api.add_router("/v1/", insured_api.router)  # the partners' rights check (issue 6)
