"""Voluntary members living abroad: their sign-up and their quarterly declarations.
No behaviour here: services.py writes, selectors.py reads.

The member's insured record (``registry.InsuredPerson``) and contributor account
(``registry.Employer`` of kind ``voluntary``) are the registry's; what they owe and paid is the
ledger's. This app keeps what only it knows: what the person declared at sign-up, the documents
they sent, where the request stands, and which quarters they declared on which base.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MembershipStatus(models.TextChoices):
    #: Documents unclear: an agent of the handling agency decides (a dossier in its queue).
    IN_REVIEW = "in_review", _("Waiting for the agency")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Refused")


class Activity(models.TextChoices):
    SALARIED = "salaried", _("Salaried")
    SELF_EMPLOYED = "self_employed", _("Self-employed")


class Membership(models.Model):
    """One person's voluntary membership, from sign-up on."""

    fund = models.CharField(max_length=16)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="voluntary_membership"
    )
    status = models.CharField(max_length=16, choices=MembershipStatus)
    surname_latin = models.CharField(max_length=100)
    first_names_latin = models.CharField(max_length=100)
    surname_arabic = models.CharField(max_length=100)
    first_names_arabic = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)
    national_id = models.CharField(max_length=24)
    nationality = models.CharField(max_length=2)
    country = models.CharField(max_length=2)
    city = models.CharField(max_length=100)
    consulate = models.CharField(max_length=40)
    consular_number = models.CharField(max_length=30)
    activity = models.CharField(max_length=16, choices=Activity)
    consular_card = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+"
    )
    activity_proof = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+"
    )
    #: The sign-up date: the age limit and the back-payment window are counted from it.
    affiliated_on = models.DateField()
    insured = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voluntary_memberships",
    )
    account = models.OneToOneField(
        "registry.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voluntary_membership",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Why the agency was asked to look (unclear document…), or why it refused.
    review_reason = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            # One living membership per person: a refused one does not block a new sign-up.
            models.UniqueConstraint(
                fields=["fund", "national_id"],
                condition=~Q(status="rejected"),
                name="voluntary_one_membership_per_nin",
            ),
        )
        indexes = (
            models.Index(
                fields=["fund", "birth_date", "surname_latin"], name="voluntary_identity_idx"
            ),
        )
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"voluntary membership {self.pk} ({self.status})"


class QuarterKind(models.TextChoices):
    BACK = "back", _("Back-payment")
    LATE = "late", _("Late")
    DUE = "due", _("Due")
    CURRENT = "current", _("Current quarter")
    ADVANCE = "advance", _("In advance")


class QuarterDeclaration(models.Model):
    """One quarter the member declared, on which base, and what was posted to the ledger for it.
    Never changed once written; paid or not is read from the ledger."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="quarters")
    quarter = models.CharField(max_length=8)  # 2026-Q3
    period_start = models.DateField()
    kind = models.CharField(max_length=8, choices=QuarterKind)
    monthly_base = models.BigIntegerField()
    contribution = models.BigIntegerField()
    surcharge = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    due_date = models.DateField()
    #: The ledger source of its dues: ``voluntary:<membership>:<quarter>``.
    source = models.CharField(max_length=120, unique=True)
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["membership", "quarter"], name="voluntary_quarter_declared_once"
            ),
        )
        ordering = ("period_start",)

    def __str__(self) -> str:
        return f"{self.quarter} of membership {self.membership_id}"
