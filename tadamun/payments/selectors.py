"""Reads of payments, always within one employer (another employer's reference reads as None)."""

from __future__ import annotations

from tadamun.payments.models import PaymentIntent, Receipt
from tadamun.registry.models import Employer


def payments_recent(*, employer: Employer, limit: int = 10) -> list[PaymentIntent]:
    """The employer's latest payment attempts with their receipts (1 query)."""
    return list(
        PaymentIntent.objects.filter(employer=employer)
        .select_related("receipt")
        .order_by("-created_at", "-id")[:limit]
    )


def payment_for_employer(*, employer: Employer, reference: str) -> PaymentIntent | None:
    """One of the employer's payments by reference, with its receipt (1 query), else None."""
    return (
        PaymentIntent.objects.filter(employer=employer, gateway_reference=reference[:64])
        .select_related("receipt")
        .first()
    )


def receipt_for_employer(*, employer: Employer, number: str) -> Receipt | None:
    """One of the employer's receipts by number, with its payment (1 query), else None."""
    return (
        Receipt.objects.filter(employer=employer, number=number[:32])
        .select_related("intent", "intent__created_by")
        .first()
    )
