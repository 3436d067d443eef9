from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.inbox, name="inbox"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
]
