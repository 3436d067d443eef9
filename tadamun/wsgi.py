"""WSGI entry point for production servers (``granian --interface wsgi tadamun.wsgi:application``,
see README.md; gunicorn works too).

The partners' rights check (``/api/v1/rights/…``) goes through a second Django handler with only
the middleware an API answer needs (``TADAMUN_RIGHTS_MIDDLEWARE``: security headers, host check,
X-Frame-Options): it takes a partner key, never a cookie, so sessions, CSRF, the signed-in user,
messages, the locale from the session and the page CSP would only cost time (a quarter of the
request's CPU) on the busiest endpoint. Every other path, the API's docs pages included, gets
the full stack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

full_application = get_wsgi_application()

#: Paths served with the lean middleware stack.
LEAN_PREFIX = "/api/v1/rights/"


class LeanHandler(WSGIHandler):
    """A Django handler loading ``TADAMUN_RIGHTS_MIDDLEWARE`` instead of ``MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        from django.conf import settings

        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.TADAMUN_RIGHTS_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


lean_application = LeanHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if str(environ.get("PATH_INFO", "")).startswith(LEAN_PREFIX):
        return lean_application(environ, start_response)
    return full_application(environ, start_response)
