from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.ledger import views

app_name = "ledger"

urlpatterns: list[URLPattern] = [
    path("", views.account, name="account"),
    path("statement.csv", views.statement_csv, name="csv"),
]
