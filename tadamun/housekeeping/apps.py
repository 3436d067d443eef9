from __future__ import annotations

from django.apps import AppConfig


class HousekeepingConfig(AppConfig):
    name = "tadamun.housekeeping"
    label = "housekeeping"
    verbose_name = "Periodic jobs"
