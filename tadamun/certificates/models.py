"""Issued certificates: what each stated, the signed token its QR code carries, and whether the
fund has since revoked it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    AFFILIATION = "affiliation", _("Certificate of affiliation")
    WAGES = "wages", _("Certificate of declared wages")
    EMPLOYER_UP_TO_DATE = "employer_up_to_date", _("Certificate that the employer is up to date")


class RevocationReason(models.TextChoices):
    """Why the fund revoked a certificate: the situation it states no longer holds."""

    AFFILIATION_ENDED = "affiliation_ended", _("The affiliation it states has ended.")
    WAGES_CHANGED = (
        "wages_changed",
        _("The declarations of that year have changed since it was issued."),
    )
    EMPLOYER_OVERDUE = (
        "employer_overdue",
        _("The employer now has contributions or declarations overdue."),
    )


class Certificate(models.Model):
    number = models.CharField(max_length=32, unique=True)
    fund = models.CharField(max_length=16)
    kind = models.CharField(max_length=24, choices=CertificateKind)
    # Exactly one subject: a person (affiliation, wages) or a contributor account.
    insured = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    employer = models.ForeignKey(
        "registry.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # wages certificates
    holder = models.CharField(max_length=250)
    identifier_masked = models.CharField(max_length=32)
    facts = models.JSONField()
    issued_on = models.DateField()
    valid_until = models.DateField()
    issued_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    key_id = models.CharField(max_length=16)
    token = models.TextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=24, choices=RevocationReason, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=(models.Q(insured__isnull=True) ^ models.Q(employer__isnull=True)),
                name="certificate_one_subject",
            ),
        )
        indexes = (models.Index(fields=["revoked_at", "kind"], name="certificate_active"),)

    def __str__(self) -> str:
        return self.number
