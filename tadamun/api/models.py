"""Tables of the API: keys (for an employer or for a partner), partners, the request log and the
rate-limit counters. No behaviour here: services.py writes, selectors.py reads.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    PHARMACY = "pharmacy", _("Pharmacy")
    DOCTOR = "doctor", _("Doctor")
    CLINIC = "clinic", _("Clinic or hospital")
    LABORATORY = "laboratory", _("Laboratory")


class Partner(models.Model):
    """A health professional checking care rights through the API, registered by an agency."""

    fund = models.CharField(max_length=16)
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PartnerKind)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # A partner whose agreement ended: every key stops working at once, history is kept.
    suspended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name", "id")
        indexes = (models.Index(fields=["fund", "agency"]),)

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    """What a key may do. ``declare`` includes ``read``; ``rights`` is the partners' only scope."""

    READ = "read", _("Read (status, results, pre-filled files)")
    DECLARE = "declare", _("Declare (upload files) and read")
    RIGHTS = "rights", _("Check care rights")


class ApiKey(models.Model):
    """A bearer key. The secret is shown once at creation; only its SHA-256 is kept. ``prefix``
    (public, unique) finds the row without scanning hashes."""

    fund = models.CharField(max_length=16)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, choices=Scope)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="keys"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(employer__isnull=False, partner__isnull=True)
                    | Q(employer__isnull=True, partner__isnull=False)
                ),
                name="apikey_one_holder",
            ),
            models.CheckConstraint(
                condition=(
                    Q(partner__isnull=True, scope__in=["read", "declare"])
                    | Q(partner__isnull=False, scope="rights")
                ),
                name="apikey_scope_matches_holder",
            ),
        )
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"key {self.prefix}"


class ApiRequest(models.Model):
    """One API request: who (key, address), what (method, route), how it ended and how long it
    took. A table rather than a log file: staff answer "what did this partner look up" with a
    query, and it is the same for every web process."""

    at = models.DateTimeField()
    # No constraint in the database: its check at each insert locked the key's row (FOR KEY
    # SHARE, a WAL record on every request) and cost a third of PostgreSQL's CPU per rights
    # check. Keys are never deleted (revoked), and the ORM still refuses to delete a key that
    # has requests (PROTECT). No index of its own either: the (key, at) index serves it.
    key = models.ForeignKey(
        ApiKey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    method = models.CharField(max_length=8)
    route = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["key", "at"]),
            models.Index(fields=["at"]),
        )

    def __str__(self) -> str:
        return f"{self.method} {self.route} {self.status}"


class RateCounter(models.Model):
    """Hits of one rate-limit bucket (limit name + key or address) in one time slot, shared by
    every web process through the database (used when no Redis is configured)."""

    bucket = models.CharField(max_length=200)
    slot = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["bucket", "slot"], name="ratecounter_bucket_slot"),
        )
        indexes = (models.Index(fields=["expires_at"]),)

    def __str__(self) -> str:
        return f"{self.bucket}@{self.slot}={self.hits}"
