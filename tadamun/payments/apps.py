from __future__ import annotations

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tadamun.payments"
    label = "payments"
    verbose_name = "Payments"
