"""Every API request is written to the ``ApiRequest`` table: key, method, route, status,
duration, address.

A table rather than a log file because the questions asked of it are per key ("what did this
pharmacy look up, when, how often was it refused") and must be answered by agency staff from the
database, identically for every web process and machine; a structured log would need a log
pipeline to answer the same. The cost is one INSERT per request, after the answer is built
(carrying the partners' look-up log row too: :func:`~tadamun.api.services.log_rows_deferred`).

The wrapper also refuses, before Django reads a byte of the body, a request larger than the
declaration-file limit (413): a 2 GB upload is never spooled to disk.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from tadamun.api import services
from tadamun.api.answers import language, problems_body
from tadamun.api.models import ApiKey
from tadamun.api.problems import problem
from tadamun.api.ratelimit import client_address
from tadamun.api.validator import max_upload_bytes

log = logging.getLogger(__name__)

#: Room for the multipart envelope and the form fields around the file(s): two files (the
#: declaration and the pre-filled one) plus 1 MiB.
_ENVELOPE_BYTES = 1024 * 1024

View = Callable[..., HttpResponseBase]


def max_body_bytes() -> int:
    return 2 * max_upload_bytes() + _ENVELOPE_BYTES


def _too_large(request: HttpRequest) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = max_body_bytes()
    if length <= limit:
        return None
    body = problems_body([problem("file", "too_large", max=max_upload_bytes())], language(request))
    return JsonResponse(body, status=413, json_dumps_params={"ensure_ascii": False})


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", "") if match is not None else ""
    return str(route or request.path)


def _address(request: HttpRequest) -> str | None:
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def logged(view: View) -> View:
    """``view`` with the size guard and one ``ApiRequest`` line per request."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        started = time.perf_counter()
        status = 500
        # The look-up log row a view writes goes out with this request's line: one statement.
        with services.log_rows_deferred():
            try:
                response = _too_large(request) or view(request, *args, **kwargs)
                status = response.status_code
                return response
            finally:
                key = getattr(request, "auth", None)
                try:
                    services.api_request_record(
                        key=key if isinstance(key, ApiKey) else None,
                        method=request.method or "",
                        route=_route(request),
                        status=status,
                        duration_ms=round((time.perf_counter() - started) * 1000),
                        ip=_address(request),
                    )
                except DatabaseError:
                    log.exception("API request log could not be written")

    return wrapper
