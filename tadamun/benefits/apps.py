from __future__ import annotations

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "tadamun.benefits"
    label = "benefits"
    default_auto_field = "django.db.models.BigAutoField"
