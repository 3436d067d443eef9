from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tadamun.api.app import api
from tadamun.api.requestlog import logged

_patterns, _app_name, _namespace = api.urls


def _wrap(entry: URLPattern | URLResolver) -> URLPattern | URLResolver:
    """Every operation of every router goes through the request log (docs pages too)."""
    if isinstance(entry, URLPattern):
        return URLPattern(entry.pattern, logged(entry.callback), entry.default_args, entry.name)
    return entry


urlpatterns: list[URLPattern | URLResolver] = [
    path("", ([_wrap(entry) for entry in _patterns], _app_name, _namespace)),
]
