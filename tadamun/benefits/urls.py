from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.benefits import views

app_name = "benefits"

urlpatterns: list[URLPattern] = [
    path("pension/", views.estimate, name="estimate"),
    path("retirement/", views.retirement, name="retirement"),
]
