from __future__ import annotations

from django.apps import AppConfig


class VoluntaryConfig(AppConfig):
    name = "tadamun.voluntary"
    label = "voluntary"
    default_auto_field = "django.db.models.BigAutoField"
