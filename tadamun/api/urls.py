from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from tadamun.api.app import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
