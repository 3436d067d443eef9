from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tadamun.ledger"
    label = "ledger"
    verbose_name = "Contributor account"
