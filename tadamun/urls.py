"""URLs: every page lives under a language prefix (/fr/, /ar/, /en/) so that a link keeps its
language; /i18n/setlang/ switches language (a POST form, no script)."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    *i18n_patterns(path("", include("tadamun.portal.urls"))),
]
