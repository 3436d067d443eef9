"""The ledger's one table. No behaviour here: services.py writes, selectors.py reads.

Sign convention of ``Entry.amount`` (integer minor units of ``currency``):

* **positive** — the employer owes more: a ``due`` (contributions of a branch for a period), a
  ``penalty`` (late-payment surcharge), a ``correction`` that adds to what is owed;
* **negative** — the employer owes less: a ``payment``, a ``waiver``, a ``correction`` that
  reverses a due (cancel-and-replace declaration).

The balance is the sum of the amounts: positive means the employer owes the fund, negative that
the fund holds a credit. Entries are appended only: a mistake is corrected by a new entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tadamun.registry.models import Employer


class EntryKind(models.TextChoices):
    DUE = "due", _("Contributions due")
    PAYMENT = "payment", _("Payment")
    PENALTY = "penalty", _("Late-payment surcharge")
    WAIVER = "waiver", _("Waiver")
    CORRECTION = "correction", _("Correction")


class Entry(models.Model):
    """One line of an employer's account. Never updated, never deleted (database triggers)."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=EntryKind)
    #: Branch of social security (``retirement``, ``amo``…); blank for payments.
    branch = models.CharField(max_length=40, blank=True)
    #: The period the entry is about: ``2026-01``, ``2026-Q1``, ``2026``; blank for payments.
    period_label = models.CharField(max_length=16, blank=True)
    #: When the amount must be paid at the latest; null for payments.
    due_date = models.DateField(null=True, blank=True)
    #: Minor units; see the module docstring for the sign.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    #: What caused the entry: ``declaration:42``, ``payment:SBX-…``, ``penalty:17:m3``…
    source = models.CharField(max_length=120)
    #: The entry this one reduces or adds to (a penalty's due, a waived or reversed entry).
    applies_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = (
            # Posting is idempotent: the same source posts one entry per branch and kind.
            models.UniqueConstraint(
                fields=["source", "branch", "kind"], name="ledger_entry_posted_once"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind__in=["due", "penalty"]) & Q(amount__gt=0))
                | (Q(kind__in=["payment", "waiver"]) & Q(amount__lt=0))
                | Q(kind="correction"),
                name="ledger_entry_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="payment") | Q(due_date__isnull=False),
                name="ledger_entry_due_date_unless_payment",
            ),
        )
        indexes = (
            models.Index(fields=["employer", "-created_at", "-id"], name="ledger_entry_history"),
            models.Index(fields=["employer", "due_date"], name="ledger_entry_due"),
        )
        ordering = ("-created_at", "-id")
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} {self.source}"
