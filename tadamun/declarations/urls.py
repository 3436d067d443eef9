from __future__ import annotations

from django.urls import URLPattern, path

import tadamun.declarations.views as views

app_name = "declarations"

urlpatterns: list[URLPattern] = [
    path("", views.periods, name="periods"),
    path("history/", views.history, name="history"),
    path("period/<str:period_label>/", views.declare, name="declare"),
    path("<int:declaration_id>/", views.receipt, name="receipt"),
    path("<int:declaration_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
