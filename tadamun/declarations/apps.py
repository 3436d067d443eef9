from __future__ import annotations

from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "tadamun.declarations"
    label = "declarations"
    verbose_name = "Declarations"
