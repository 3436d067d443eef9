from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.payments import sandbox_views

app_name = "sandbox_gateway"

urlpatterns: list[URLPattern] = [
    path("pay/<str:token>/", sandbox_views.pay, name="pay"),
]
