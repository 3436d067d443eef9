from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.filings import views

app_name = "filings"

urlpatterns: list[URLPattern] = [
    path("", views.filing_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("prefilled/", views.prefilled, name="prefilled"),
    path("<int:filing_id>/", views.detail, name="detail"),
    path("<int:filing_id>/status.json", views.status, name="status"),
    path("<int:filing_id>/errors.csv", views.report, name="report"),
]
