"""Tables of payments. No behaviour here: services.py writes, selectors.py reads.

No card number is ever stored: the hosted payment page belongs to the gateway, and the gateway's
callback carries the last four digits at most.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tadamun.ledger.models import Entry
from tadamun.registry.models import Employer


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Waiting for the bank")
    SUCCEEDED = "succeeded", _("Paid")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class PaymentIntent(models.Model):
    """One attempt to pay: created by us, completed by the gateway's signed callback."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()  # minor units, > 0
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=PaymentStatus, default=PaymentStatus.CREATED)
    #: Given by the pay form: a double click starts one intent.
    idempotency_key = models.CharField(max_length=64, unique=True)
    gateway = models.CharField(max_length=32)
    #: Our reference, sent to the gateway and echoed back in its callback.
    gateway_reference = models.CharField(max_length=64, unique=True)
    redirect_url = models.CharField(max_length=2000, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    decline_reason = models.CharField(max_length=64, blank=True)
    ledger_entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: A callback arriving after this is refused (the gateway must refund).
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="succeeded", ledger_entry__isnull=False)
                | (~Q(status="succeeded") & Q(ledger_entry__isnull=True)),
                name="payment_succeeded_has_entry",
            ),
        )
        indexes = (models.Index(fields=["employer", "-created_at"], name="payment_by_employer"),)

    def __str__(self) -> str:
        return f"{self.gateway_reference} {self.status} {self.amount} {self.currency}"


class Receipt(models.Model):
    """The numbered receipt of a succeeded payment, issued once (``PAY-2026-000123``)."""

    fund = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=32, unique=True)
    intent = models.OneToOneField(PaymentIntent, on_delete=models.PROTECT, related_name="receipt")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    issued_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["fund", "year", "sequence"], name="receipt_sequence_unique"
            ),
        )

    def __str__(self) -> str:
        return self.number
