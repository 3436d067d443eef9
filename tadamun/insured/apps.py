from __future__ import annotations

from django.apps import AppConfig


class InsuredConfig(AppConfig):
    name = "tadamun.insured"
    label = "insured"
    default_auto_field = "django.db.models.BigAutoField"
