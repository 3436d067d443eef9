from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tadamun.portal"
    label = "portal"
    verbose_name = "Portal"
