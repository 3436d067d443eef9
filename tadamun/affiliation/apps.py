from __future__ import annotations

from django.apps import AppConfig


class AffiliationConfig(AppConfig):
    name = "tadamun.affiliation"
    label = "affiliation"
    default_auto_field = "django.db.models.BigAutoField"
