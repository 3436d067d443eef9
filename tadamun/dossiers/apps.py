from __future__ import annotations

from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "tadamun.dossiers"
    label = "dossiers"
    default_auto_field = "django.db.models.BigAutoField"
