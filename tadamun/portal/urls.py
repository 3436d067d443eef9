from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.portal import views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("employers/<int:employer_id>/", views.dashboard, name="dashboard"),
]
