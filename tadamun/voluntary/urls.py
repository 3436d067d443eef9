from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.voluntary import views

app_name = "voluntary"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("coverage/", views.coverage_public, name="coverage"),
    path("simulator/", views.simulator, name="simulator"),
    path("me/", views.space, name="space"),
    path("me/coverage/", views.coverage_mine, name="coverage_mine"),
    path("me/quarters/", views.quarters, name="quarters"),
    path("me/pay/", views.pay_open, name="pay_open"),
    path("me/paid/", views.paid, name="paid"),
]
