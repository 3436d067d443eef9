from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.dossiers import views

app_name = "dossiers"

urlpatterns: list[URLPattern] = [
    path("", views.dossier_list, name="list"),
    path("<int:dossier_id>/", views.dossier_detail, name="detail"),
    path("<int:dossier_id>/answer/", views.answer, name="answer"),
    path("agency/", views.queue, name="queue"),
    path("agency/<int:dossier_id>/", views.staff_detail, name="staff_detail"),
    path("agency/<int:dossier_id>/assign/", views.assign, name="assign"),
    path("agency/<int:dossier_id>/decide/", views.decide, name="decide"),
    path("agency/<int:dossier_id>/ask/", views.ask, name="ask"),
]
