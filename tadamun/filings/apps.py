from __future__ import annotations

from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "tadamun.filings"
    label = "filings"
    default_auto_field = "django.db.models.BigAutoField"
