from __future__ import annotations

from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "tadamun.funds"
    label = "funds"
    verbose_name = "Fund profiles"

    def ready(self) -> None:
        from tadamun.funds import checks  # noqa: F401 - registers the system checks
