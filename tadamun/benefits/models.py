"""Retirement requests: what the person asked for, the estimate they saw, and the pension the
agency awarded from the record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RetirementRequest(models.Model):
    insured = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, related_name="retirement_requests"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    regime = models.CharField(max_length=24)
    currency = models.CharField(max_length=3)
    requested_start = models.DateField()
    bank_account = models.CharField(max_length=34)
    #: The estimate shown when the request was made (outcome, amount, steps), for the record.
    estimate = models.JSONField()
    estimated_monthly_gross = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=RequestStatus, default=RequestStatus.SUBMITTED)
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    awarded_monthly_gross = models.BigIntegerField(null=True, blank=True)
    awarded_estimate = models.JSONField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-submitted_at", "-id")
        constraints = (
            # One request in progress at a time per person.
            models.UniqueConstraint(
                fields=["insured"],
                condition=models.Q(status="submitted"),
                name="retirement_one_open_request",
            ),
        )

    def __str__(self) -> str:
        return f"retirement {self.pk} of {self.insured_id}"
