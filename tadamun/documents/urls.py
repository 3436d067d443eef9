from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.documents import views

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("<int:document_id>/download/", views.download, name="download"),
]
